#!/usr/bin/python3
"""smtp-server.py --port N --dir DIR [options]: a real SMTP server
(Debian's python3-aiosmtpd) on 127.0.0.1 for the tests.

Each accepted message is saved as DIR/NNNN.eml (the bytes received, dot
transparency undone) and DIR/NNNN.env ("from ADDR" and one "to ADDR" line
per recipient), the .env first and both renamed into place, so a file
that exists is whole.  DIR/ready holds the port once it listens (--port 0
picks a free one).  It exits on SIGTERM or SIGINT, or after --lifetime
seconds, so a test that dies leaves no server behind for long.

Faults:
  --reject-rcpt ADDR    550 for RCPT TO:<ADDR> (repeatable)
  --tempfail-rcpt ADDR  450 for RCPT TO:<ADDR> (repeatable)
  --reject-data-5xx     554 after the message data
  --tempfail-4xx        451 after the message data
  --auth USER PASS      AUTH PLAIN/LOGIN required, without TLS on loopback
  --starttls CERT KEY   offer STARTTLS with this certificate
"""
import argparse
import asyncio
import os
import signal
import socket
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.n = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address in self.args.reject_rcpt:
            return "550 5.1.1 <%s>: recipient address rejected" % address
        if address in self.args.tempfail_rcpt:
            return "450 4.2.1 <%s>: mailbox busy, try later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.reject_data_5xx:
            return "554 5.7.1 message refused by policy"
        if self.args.tempfail_4xx:
            return "451 4.3.0 temporary local problem, try later"
        with self.lock:
            self.n += 1
            n = self.n
        base = os.path.join(self.args.dir, "%04d" % n)
        env = "from %s\n" % envelope.mail_from
        env += "".join("to %s\n" % r for r in envelope.rcpt_tos)
        put(base + ".env", env.encode())
        put(base + ".eml", envelope.original_content)
        return "250 2.0.0 queued as %04d" % n


def put(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--reject-rcpt", action="append", default=[])
    p.add_argument("--tempfail-rcpt", action="append", default=[])
    p.add_argument("--reject-data-5xx", action="store_true")
    p.add_argument("--tempfail-4xx", action="store_true")
    p.add_argument("--auth", nargs=2, metavar=("USER", "PASS"))
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--lifetime", type=float, default=600)
    args = p.parse_args()

    kw = {}
    if args.starttls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*args.starttls)
        kw["tls_context"] = ctx
    if args.auth:
        user, password = (x.encode() for x in args.auth)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and
                  data.login == user and data.password == password)
            # handled=False: the server answers 535 itself
            return AuthResult(success=ok, handled=False)

        kw.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=False)
        # AUTH without TLS is what the test wants, on loopback
        warnings.simplefilter("ignore", UserWarning)
    port = args.port or free_port()
    ctl = Controller(Handler(args), hostname="127.0.0.1", port=port,
                     **kw)
    ctl.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    put(os.path.join(args.dir, "ready"), b"%d\n" % port)
    done.wait(args.lifetime)
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
