#!/bin/bash
# lab.sh start|stop [RUNDIR]: a real LAVA 2023.01 lab on loopback for the
# tests: PostgreSQL, lava-server (gunicorn, scheduler, publisher) and a
# lava-worker with one QEMU device (TCG), all from Debian's packages and
# listening on 127.0.0.1 only.  Idempotent.  `start` prints LAVA_URL= and
# LAVA_TOKEN= lines and writes them to RUNDIR/env.
#
# There may be no systemd: the daemons are started by hand with the
# command lines of the packaged units, and stopped by pid file.
set -euo pipefail

cmd=${1:-start}
top=$(cd "$(dirname "$0")/../.." && pwd)
RUN=${2:-$top/var/lava-lab}
PORT=${LAVA_PORT:-8000}
URL=http://127.0.0.1:$PORT
ADMIN=maestrino
WORKER=lava-worker-01
DEVICE=qemu-01
TOKEN=${LAVA_TOKEN:-maestrino-test-token-$(cat /etc/machine-id 2>/dev/null | cut -c1-16)}
PY=/usr/bin/python3
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$RUN"
log() { echo "lab.sh: $*" >&2; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid() {
	local f="$RUN/$1.pid" pid
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

if [ "$cmd" = stop ]; then
	for n in worker publisher scheduler gunicorn; do stop_pid $n; done
	if [ -f "$RUN/postgres.started" ]; then
		pg_ctlcluster "$(ls /usr/lib/postgresql | sort -n | tail -n 1)" main stop || true
		rm -f "$RUN/postgres.started"
	fi
	exit 0
fi

# 1. packages: PostgreSQL must run before lava-server is configured
if ! dpkg-query -W -f='${Status}' lava-server 2>/dev/null | grep -q "ok installed"; then
	log "installing postgresql"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends postgresql curl >/dev/null
fi
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
pg_lsclusters -h | grep -q "^$PGVER main" || pg_createcluster "$PGVER" main >/dev/null
if ! pg_isready -q; then
	pg_ctlcluster "$PGVER" main start
	touch "$RUN/postgres.started"
fi
for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
if ! dpkg-query -W -f='${Status}' lava-server 2>/dev/null | grep -q "ok installed"; then
	log "installing lava-server (a few minutes)"
	apt-get install -y -qq --no-install-recommends lava-server lava-dispatcher \
	    lava-common qemu-system-x86 busybox-static cpio kmod >/dev/null
fi
HAVE_DB=$(su postgres -c "psql -tAc \"select 1 from pg_database where datname='lavaserver'\"")
[ "$HAVE_DB" = 1 ] || $PY /usr/share/lava-server/postinst.py >/dev/null

# 2. loopback only; the guestfs kernel for test-shell overlays; TCG
cat >/etc/lava-server/settings.d/01-loopback.yaml <<EOF2
EVENT_NOTIFICATION: true
EVENT_SOCKET: "tcp://127.0.0.1:5500"
EOF2
chown lavaserver:lavaserver /etc/lava-server/settings.d/01-loopback.yaml
eval "$("$top/scripts/guestfs-kernel.sh" "$RUN/guestfs" | sed 's/^/export /')"
cat >/etc/lava-server/env.yaml <<EOF2
purge: true
overrides:
  LC_ALL: C.UTF-8
  LANG: C
  PATH: /usr/local/bin:/usr/local/sbin:/bin:/usr/bin:/usr/sbin:/sbin
  LIBGUESTFS_BACKEND: direct
  LIBGUESTFS_BACKEND_SETTINGS: force_tcg
  SUPERMIN_KERNEL: $SUPERMIN_KERNEL
  SUPERMIN_MODULES: $SUPERMIN_MODULES
EOF2

# 3. services
daemon() {
	local name=$1
	shift
	alive "$RUN/$name.pid" && return 0
	setsid "$@" >"$RUN/$name.out" 2>&1 </dev/null &
	echo $! >"$RUN/$name.pid"
}
if ! alive "$RUN/gunicorn.pid"; then
	rm -f "$RUN/gunicorn.pid"
	setsid /usr/bin/gunicorn3 lava_server.wsgi --log-level INFO \
	    --log-file /var/log/lava-server/gunicorn.log -u lavaserver -g lavaserver \
	    --worker-class eventlet --workers 2 --bind "127.0.0.1:$PORT" \
	    --pid "$RUN/gunicorn.pid" >"$RUN/gunicorn.out" 2>&1 </dev/null &
	for _ in $(seq 1 30); do [ -s "$RUN/gunicorn.pid" ] && break; sleep 1; done
fi
daemon scheduler /usr/bin/lava-server manage lava-scheduler --level INFO \
    --log-file /var/log/lava-server/lava-scheduler.log --event-url tcp://127.0.0.1:5500
daemon publisher /usr/bin/lava-server manage lava-publisher --level INFO \
    --log-file /var/log/lava-server/lava-publisher.log --host 127.0.0.1 --port 8001
for _ in $(seq 1 60); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v0.2/")" = 200 ] && break
	sleep 1
done
mkdir -p /var/log/lava-dispatcher
daemon worker /usr/bin/lava-worker --level INFO --url "$URL/" --name $WORKER \
    --ping-interval 2 --log-file /var/log/lava-dispatcher/lava-worker.log

# 4. user, token, device
USERS=$(lava-server manage users list 2>/dev/null)
grep -qx "\* $ADMIN" <<<"$USERS" || lava-server manage users add --superuser \
    --staff --passwd "$ADMIN" --email "$ADMIN@localhost" "$ADMIN" >/dev/null
if [ "$(curl -s -H "Authorization: Token $TOKEN" "$URL/api/v0.2/system/whoami/")" != "{\"user\":\"$ADMIN\"}" ]; then
	lava-server manage tokens add --user "$ADMIN" --secret "$TOKEN" \
	    --description maestrino-tests >/dev/null
fi
for _ in $(seq 1 60); do
	curl -s -H "Authorization: Token $TOKEN" "$URL/api/v0.2/workers/$WORKER/" |
	    grep -q '"state":"Online"' && break
	sleep 1
done
cat >/etc/lava-server/dispatcher-config/devices/$DEVICE.jinja2 <<'EOF2'
{% extends 'qemu.jinja2' %}
{% set no_kvm = True %}
{% set mac_addr = '52:54:00:12:34:59' %}
{% set memory = 512 %}
{% set netdevice = 'user,restrict=on' %}
EOF2
chown lavaserver:lavaserver /etc/lava-server/dispatcher-config/devices/$DEVICE.jinja2
DTS=$(lava-server manage device-types list 2>/dev/null)
grep -q '^\* qemu ' <<<"$DTS" || lava-server manage device-types add qemu >/dev/null
DEVS=$(lava-server manage devices list -a 2>/dev/null)
grep -q "^\* $DEVICE " <<<"$DEVS" || lava-server manage devices add \
    --device-type qemu --worker $WORKER $DEVICE >/dev/null
printf 'LAVA_URL=%s\nLAVA_TOKEN=%s\n' "$URL" "$TOKEN" >"$RUN/env"
cat "$RUN/env"
