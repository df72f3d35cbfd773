# shellcheck shell=sh
# ports.sh: sourced by the tests (lib.sh), tests/e2e/slurm.sh and the
# benchmarks that start servers of their own on 127.0.0.1.

# wait_port PORT: wait, up to 10 s, until a server of the test listens
# on 127.0.0.1:PORT (a fixed sleep is too short on a busy machine)
wait_port() {
	/usr/bin/python3 -c '
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
' "$1"
}

# free_port: a TCP port nothing listens on at 127.0.0.1 now
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
