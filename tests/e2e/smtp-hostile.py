#!/usr/bin/python3
"""smtp-hostile.py PORT MODE: a raw SMTP server on 127.0.0.1:PORT that
answers as MODE says, for the attack tests; counts messages taken in
PORT.count (a file next to this one's cwd).

  mail553   553 to MAIL FROM (a sender the server does not allow)
  greet554  554 as its greeting
  dupe      takes each message, then answers a truncated '25' and hangs up
  escapes   replies full of terminal escapes and a long line, 5xx to DATA
"""
import socket
import sys

port = int(sys.argv[1])
mode = sys.argv[2]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(5)
srv.settimeout(60)
taken = 0
ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
while True:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        break
    f = c.makefile("rwb", buffering=0)

    def say(s):
        f.write(s.encode("latin-1") + b"\r\n")

    try:
        if mode == "greet554":
            say("554 5.3.2 busy, no service for you now")
            c.close()
            continue
        say("220 hostile ESMTP " + (ESC if mode == "escapes" else ""))
    except OSError:
        c.close()
        continue
    data = False
    while True:
        try:
            line = f.readline()
        except OSError:
            line = b""
        if not line:
            break
        cmd = line.decode("latin-1").rstrip("\r\n")
        if data:
            if cmd == ".":
                data = False
                if mode == "dupe":
                    # taken, but the answer is garbage
                    taken += 1
                    open("%d.count" % port, "w").write("%d\n" % taken)
                    say("25")
                    break
                elif mode == "escapes":
                    say("554 5.7.1 " + ESC + "A" * 5000)
                else:
                    taken += 1
                    open("%d.count" % port, "w").write("%d\n" % taken)
                    say("250 ok")
            continue
        u = cmd.upper()
        if u.startswith("EHLO") or u.startswith("HELO"):
            say("250-hostile " + (ESC if mode == "escapes" else ""))
            say("250 8BITMIME")
        elif u.startswith("MAIL"):
            if mode == "mail553":
                say("553 5.7.1 <ci@example.org>: Sender address rejected: not owned by user")
            else:
                say("250 ok")
        elif u.startswith("RCPT"):
            say("250 ok")
        elif u == "DATA":
            say("354 go")
            data = True
        elif u == "QUIT":
            say("221 bye")
            break
        else:
            say("250 ok")
    f.close()
    c.close()
