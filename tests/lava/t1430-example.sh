#!/bin/sh
# The shipped example, configs/examples/kernelorg.yaml, tried as a new user
# would: copied with its fragments, its paths moved into $TMP and its
# kernel.org trees pointed at a local fixture tree (nothing else changed,
# no traffic leaves 127.0.0.1: KCIDB's url is dropped).  It goes through
# the builds and then hands its tests
#   A. to a pull lab in place of my-lava (storage published, as the
#      example asks, by a web server: one on loopback): every job
#      definition passes LAVA's
#      schema and every URL under storage.url names a file in storage, the
#      kernel, modules, dtb, ramdisks (busybox per arch, Debian for
#      kselftest) and the kselftest overlay among them;
#   B. to the real LAVA server of tests/lava/lab.sh (storage.url a file://
#      one): every job is accepted, also those for rk3399-rock-pi-4b, a
#      device type the server knows but has no device of.
# And two mistakes a user could make in it are refused at load time with
# file:line: a build on the LAVA lab, a kselftest collection no build
# installs.
. "$(dirname "$0")/../e2e/lib.sh"

PY=/usr/bin/python3

# The fixture tree, one repository for the three trees, with the branches
# the example names.  Its defconfig has modules, as a real one does, and
# its "dtbs" also makes the rock pi's dtb.
up=$TMP/up
fixture_repo "$up"
awk '{ print }
/CONFIG_DEFCONFIG_/ { print "\t@echo CONFIG_MODULES=y >> .config" }
/boot\/dts\/vendor\/board.dtb/ {
	print "\t@mkdir -p arch/$(SRCARCH)/boot/dts/rockchip"
	print "\t@echo dtb > arch/$(SRCARCH)/boot/dts/rockchip/rk3399-rock-pi-4b.dtb"
}' "$up/Makefile" >"$TMP/Makefile" && mv "$TMP/Makefile" "$up/Makefile"
git -C "$up" add Makefile
commit "$up" "arm64: dts: rockchip: the rock pi 4b"
for b in linux-6.12.y linux-6.6.y linux-6.1.y; do
	git -C "$up" branch "$b"
done

# example DIR STORAGE_URL: the example in DIR/configs, with its state in
# DIR and storage published at STORAGE_URL
example() {
	mkdir -p "$1"
	cp -r "$top/configs/examples" "$1/configs"
	sed -i \
	    -e "s|data_dir: /var/lib/maestrino|data_dir: $1/var|" \
	    -e "s|path: /srv/maestrino/storage|path: $1/storage|" \
	    -e "s|url: https://ci.example.org/storage/|url: $2|" \
	    -e "s|output: /var/lib/maestrino/kcidb|output: $1/kcidb|" \
	    -e "/url: https:\/\/kcidb\./d" -e "/token_env: KCIDB_TOKEN/d" \
	    -e "s|path: /srv/maestrino/public|path: $1/public|" \
	    -e "s|url: https://git.kernel.org/.*|url: $up|" \
	    "$1/configs/kernelorg.yaml"
}

# dbq DIR QUERY: a query on the state database of DIR
dbq() {
	sqlite3 -batch -noheader "$1/var/state.db" "$2"
}

# Every string under STORAGE_URL in the job definitions names a file in
# STORAGE; prints what each job names, one "job key: relative path" a line
cat >"$TMP/urls.py" <<'EOF2'
import os, sys, urllib.request, yaml
from lava_common.schemas import validate
storage, base = sys.argv[1], sys.argv[2]
bad = 0
def walk(n, key, job):
    global bad
    if isinstance(n, dict):
        for k, v in n.items():
            walk(v, k, job)
    elif isinstance(n, list):
        for v in n:
            walk(v, key, job)
    elif isinstance(n, str) and n.startswith(base):
        rel = n[len(base):]
        ok = os.path.isfile(os.path.join(storage, rel))
        if ok and base.startswith("http://127.0.0.1:"):
            # published: the web server gives the same bytes
            got = urllib.request.urlopen(n).read()
            ok = got == open(os.path.join(storage, rel), "rb").read()
        print("%s %s: %s%s" % (job, key, rel, "" if ok else " MISSING"))
        bad += not ok
    elif isinstance(n, str) and "://" in n and key == "url":
        print("%s %s: %s OUTSIDE STORAGE" % (job, key, n))
        bad += 1
for f in sys.argv[3:]:
    job = os.path.basename(f)[:-5]
    d = yaml.safe_load(open(f))
    try:
        validate(d)
    except Exception as e:
        print("%s SCHEMA: %s" % (job, e))
        bad += 1
    walk(d, "", job)
sys.exit(1 if bad else 0)
EOF2

# --- A: a pull lab in place of my-lava -------------------------------------
# Labs fetch from storage.url, so storage is published, as the example
# says, by a web server: here one on loopback (the builds here read their
# tarballs from storage.path).
A=$TMP/a
mkdir -p "$A/storage"
$PY -m http.server --bind 127.0.0.1 --directory "$A" 0 >"$TMP/http.out" 2>&1 &
http_pid=$!
started=0
labdir=$top/var/lava-lab
cleanup() {
	kill "$http_pid" 2>/dev/null
	[ "$started" = 0 ] || "$top/tests/lava/lab.sh" stop "$labdir" >/dev/null 2>&1
}
trap cleanup EXIT
i=0
while ! grep -q "port [0-9]" "$TMP/http.out" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$TMP/http.out" | head -n 1)
AURL=http://127.0.0.1:$port/storage/
example "$A" "$AURL"
sed -i '/^  my-lava:/,/^    priority:/c\
  my-lava:\
    type: pull\
    path: '"$A"'/farm' "$A/configs/kernelorg.yaml"
for p in /var/lib/maestrino /srv/maestrino git.kernel.org kcidb.kernelci \
    lava.example.org ci.example.org/storage; do
	hasnt "the copy no longer names $p" "$A/configs/kernelorg.yaml" "$p"
done
C="-c $A/configs"
# what the example's own comment says to run
check "run --wait: builds, then tests handed to the pull lab" \
    maestrino $C run --wait
cp "$TMP/check.out" "$TMP/a.out"
# mainline, next and 3 stable branches for x86_64; arm64 not for next
is "the builds, by the example's rules" \
    "$(dbq "$A" "SELECT group_concat(n, ' ') FROM (SELECT config_name || '=' || COUNT(*) AS n FROM job WHERE kind = 'kbuild' AND state = 'done' GROUP BY config_name ORDER BY config_name)")" \
    "arm64-defconfig=4 x86_64-defconfig=5"
is "every build passed" \
    "$(dbq "$A" "SELECT COUNT(*) FROM build WHERE status != 'PASS'")" 0
is "the test jobs: baseline on both platforms, kselftest on master" \
    "$(dbq "$A" "SELECT group_concat(n, ' ') FROM (SELECT config_name || '/' || platform || '=' || COUNT(*) AS n FROM job WHERE kind = 'test' GROUP BY config_name, platform ORDER BY config_name, platform)")" \
    "baseline/qemu-x86_64=5 baseline/rk3399-rock-pi-4b=4 kselftest/qemu-x86_64=2"
is "all handed to the pull lab" \
    "$(dbq "$A" "SELECT COUNT(*) FROM job WHERE kind = 'test' AND runtime = 'my-lava' AND state = 'submitted'")" 11
ls "$A"/farm/*.yaml >"$TMP/a.defs" 2>/dev/null
is "11 job definitions in the pull directory" "$(wc -l <"$TMP/a.defs")" 11
# shellcheck disable=SC2046
check_rc 0 "every definition passes LAVA's schema; every storage URL is a file" \
    $PY "$TMP/urls.py" "$A/storage" "$AURL" $(cat "$TMP/a.defs")
cp "$TMP/out" "$TMP/a.urls"
for f in busybox-x86_64 busybox-arm64 debian-x86_64; do
	check "rootfs/$f.cpio.gz in storage is a gzip'd cpio" sh -c \
	    "gzip -dc '$A/storage/rootfs/$f.cpio.gz' | head -c 6 | grep -qx 070701"
done
has "x86_64 baseline boots busybox" "$TMP/a.urls" \
    "baseline.qemu-x86_64 url: rootfs/busybox-x86_64.cpio.gz"
has "the rock pi boots arm64 busybox" "$TMP/a.urls" \
    "baseline.rk3399-rock-pi-4b url: rootfs/busybox-arm64.cpio.gz"
has "the rock pi's dtb" "$TMP/a.urls" \
    "/dtbs/rockchip/rk3399-rock-pi-4b.dtb"
has "the rock pi's modules" "$TMP/a.urls" \
    "baseline.rk3399-rock-pi-4b url: builds/b1-arm64-defconfig/modules.tar.xz"
has "kselftest boots Debian" "$TMP/a.urls" \
    "kselftest.qemu-x86_64 url: rootfs/debian-x86_64.cpio.gz"
has "kselftest has the build's kselftest.tar.gz as overlay" "$TMP/a.urls" \
    "/kselftest.tar.gz"
# shellcheck disable=SC2046
check "the overlay is a kselftest overlay with its collections' runner" \
    $PY -c '
import sys, yaml
n = 0
for f in sys.argv[1:]:
    d = yaml.safe_load(open(f))
    if "kselftest" not in f:
        continue
    n += 1
    deploy = [a["deploy"] for a in d["actions"] if "deploy" in a][0]
    o = deploy["images"]["ramdisk"]["overlays"]["kselftest"]
    assert o["path"] == "/opt/kselftest" and o["format"] == "tar", o
    assert o["url"].endswith("/kselftest.tar.gz"), o
assert n == 2, "%d kselftest jobs" % n' $(cat "$TMP/a.defs")

# --- mistakes refused at load time ---------------------------------------
E=$TMP/e
example "$E" https://ci.example.org/storage/
f=$E/configs/kernelorg.yaml
line=$(grep -n "runtime: local" "$f" | head -n 1 | cut -d: -f1)
sed -i "${line}s/runtime: local/runtime: my-lava/" "$f"
check_rc 2 "a build on the LAVA lab is refused" maestrino -c "$E/configs" jobs
has "with file:line" "$TMP/out" \
    "kernelorg.yaml:$line:14: error: builds.x86_64-defconfig.runtime 'my-lava' is a lava lab, which cannot run builds"
rm -rf "$E"
example "$E" https://ci.example.org/storage/
line=$(grep -n 'collections: "timers size"' "$f" | cut -d: -f1)
sed -i 's/collections: "timers size"/collections: "timers size net"/' "$f"
check_rc 2 "a kselftest collection no build installs is refused" \
    maestrino -c "$E/configs" jobs
has "with file:line" "$TMP/out" \
    "kernelorg.yaml:$line:20: error: tests.kselftest: build 'x86_64-defconfig' does not install the kselftest collection 'net'"

# --- B: the real LAVA server ----------------------------------------------
[ -f "$labdir/gunicorn.pid" ] && kill -0 "$(cat "$labdir/gunicorn.pid")" 2>/dev/null || started=1
check "a LAVA lab on loopback" sh -c "'$top/tests/lava/lab.sh' start '$labdir' >'$TMP/lab.out' 2>&1"
eval "$(cat "$labdir/env")"
export LAVA_TOKEN
# The rock pi's device type, from lava-server's own templates.  LAVA
# refuses a job for a type without a device that is not retired ("No
# devices of type ... are available"), so it gets one, offline: its jobs
# are accepted and queued, never run.
DTS=$(lava-server manage device-types list 2>/dev/null)
echo "$DTS" | grep -q '^\* rk3399-rock-pi-4b ' ||
    lava-server manage device-types add rk3399-rock-pi-4b >/dev/null 2>&1
DEVS=$(lava-server manage devices list -a 2>/dev/null)
echo "$DEVS" | grep -q '^\* rk3399-01 ' ||
    lava-server manage devices add --device-type rk3399-rock-pi-4b \
    --worker lava-worker-01 --offline rk3399-01 >/dev/null 2>&1
check "the server has an offline rk3399-rock-pi-4b" sh -c \
    "lava-server manage devices list -a 2>/dev/null | grep -q '^\* rk3399-01 '"

B=$TMP/b
example "$B" "file://$B/storage/"
sed -i "s|url: https://lava.example.org/|url: $LAVA_URL|" "$B/configs/kernelorg.yaml"
has "the lab's url is the server's" "$B/configs/kernelorg.yaml" "url: $LAVA_URL"
C="-c $B/configs"
# The example's max_queue: 3 per online device (3 when none is online)
# holds back the fourth rock pi job.
check "run --wait: builds, then tests submitted to the LAVA server" \
    maestrino $C run --wait
cp "$TMP/check.out" "$TMP/b.out"
ls "$B"/var/jobs/t*.yaml >"$TMP/b.defs" 2>/dev/null
is "11 test job definitions" "$(wc -l <"$TMP/b.defs")" 11
# shellcheck disable=SC2046
check "file:// storage: every URL is a file, schema valid" \
    $PY "$TMP/urls.py" "$B/storage" "file://$B/storage/" $(cat "$TMP/b.defs")
held=$(dbq "$B" "SELECT COUNT(*) FROM job WHERE kind = 'test' AND platform = 'rk3399-rock-pi-4b' AND state = 'pending'")
if [ "$held" -ge 1 ]; then
	ok "a rock pi job waits for room in the queue ($held)"
else
	not_ok "no rock pi job waits for room in the queue" "$(grep submit "$TMP/b.out")"
fi
sed -i '/max_queue: 3/d' "$B/configs/kernelorg.yaml"
check_rc 0 "without the bound, submit the rest" maestrino $C submit
cat "$TMP/out" >>"$TMP/b.out"
# the lab's id of each job's first acceptance: the server's qemu device
# may already have run one (a fixture kernel: incomplete, to be retried)
sed -n 's/^maestrino-submit: job \([^:]*\): submitted to my-lava as \([0-9]*\)$/\1 \2/p' \
    "$TMP/b.out" | sort -u -k1,1 >"$TMP/b.ids"
is "every test job accepted, each with the lab's id" "$(wc -l <"$TMP/b.ids")" 11
# shellcheck disable=SC2046
check "the server has them, for both device types" $PY -c '
import json, sys, urllib.request
url, token, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
types = {}
for i in ids:
    r = urllib.request.Request("%s/api/v0.2/jobs/%s/" % (url, i),
        headers={"Authorization": "Token " + token})
    j = json.load(urllib.request.urlopen(r))
    types[j["requested_device_type"]] = types.get(j["requested_device_type"], 0) + 1
assert types == {"qemu": 7, "rk3399-rock-pi-4b": 4}, types
' "$LAVA_URL" "$LAVA_TOKEN" $(cut -d' ' -f2 "$TMP/b.ids")
# no boots: cancel them, so the server's one device is free for others
for i in $(cut -d' ' -f2 "$TMP/b.ids") $(dbq "$B" "SELECT runtime_job_id FROM job WHERE kind = 'test'"); do
	curl -s -o /dev/null -H "Authorization: Token $LAVA_TOKEN" \
	    "$LAVA_URL/api/v0.2/jobs/$i/cancel/"
done
hasnt "the token is never printed" "$TMP/b.out" "$LAVA_TOKEN"

done_testing
