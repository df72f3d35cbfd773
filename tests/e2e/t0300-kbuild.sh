#!/bin/sh
# Kernel builds on the local runtime, with a fixture tree whose Makefile
# stands in for kbuild: pass, compile failure, a missing cross compiler
# (final at once: another attempt would miss it too), a worker killed
# with SIGKILL, a timeout, retries, no duplicate jobs, a submit killed
# half-way, and a tarball read from storage.path, not storage.url.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"

config_dir
settings_add 'retries: 1' 'retry_delay: 0'
mkdir -p "$TMP/configs/fragments"
printf 'CONFIG_SERIAL=y\nCONFIG_MODULES=y\n' >"$TMP/configs/fragments/serial.config"
{
	yaml_tree fix "$up" master
	cat <<EOF2
labs:
  local:
    type: local
    jobs: 8
builds:
  x86:
    arch: x86_64
    defconfig: tinyconfig
    fragments: [serial, CONFIG_EXTRA=y]
    targets: [bzImage, modules]
  broken:
    arch: x86_64
    fragments: [CONFIG_FAIL=y]
    targets: [bzImage]
  cross:
    arch: arm64
    cross_compile: nosuch-linux-gnu-
  slow:
    arch: x86_64
    fragments: [CONFIG_SLEEP=y]
    targets: [bzImage]
    timeout: 2s
  never:
    arch: x86_64
    rules:
      min_version: "6.2"
EOF2
} >"$TMP/configs/trees.yaml"
C="-c $TMP/configs"
check "poll and tarball" sh -c "maestrino $C poll && maestrino $C tarball"

check_rc 0 "jobs" maestrino $C jobs
has "summary" "$TMP/out" "1 checkouts, 4 build jobs, 0 test jobs, 0 failed"
is "one job per matching build, none for min_version 6.2" \
    "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM job ORDER BY id)")" \
    "b1-broken b1-cross b1-slow b1-x86"
is "a build row for each, without a status yet" \
    "$(sql "SELECT COUNT(*) FROM build WHERE status IS NULL")" 4
def="$TMP/var/jobs/b1-x86.yaml"
check "the definition is YAML" /usr/bin/python3 -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["kind"] == "kbuild" and d["id"] == "b1-x86", d
assert d["build"]["arch"] == "x86_64" and d["build"]["defconfig"] == "tinyconfig"
assert [f["name"] for f in d["build"]["fragments"]] == ["serial", "inline"]
assert "CONFIG_SERIAL=y" in d["build"]["fragments"][0]["config"]
assert d["build"]["fragments"][1]["config"] == "CONFIG_EXTRA=y\n"
assert d["build"]["targets"] == ["bzImage", "modules"]
assert len(d["tarball"]["sha256"]) == 64 and d["tarball"]["url"].startswith("file://")
assert d["artifacts"][:2] == ["kernel", "modules"]
' "$def"
check_rc 0 "jobs again" maestrino $C jobs
is "makes no duplicate" "$(sql 'SELECT COUNT(*) FROM job')" 4
check_rc 0 "jobs --checkout 1 again" maestrino $C jobs --checkout 1
is "still no duplicate" "$(sql 'SELECT COUNT(*) || COUNT(DISTINCT id) FROM job')" 44

check_rc 0 "submit" maestrino $C submit
has "starts four workers" "$TMP/out" "4 submitted, 0 waiting"
check_rc 0 "a second submit while they run" maestrino $C submit
has "starts nothing again" "$TMP/out" "0 submitted"
check_rc 1 "collect --wait: exit 1, one job failed for good" maestrino $C collect --wait
has "summary" "$TMP/out" "2 finished, 0 running, 1 retried, 1 failed"

is "x86 passed" "$(sql "SELECT status FROM build WHERE job_id = 'b1-x86'")" PASS
store="$TMP/var/storage/builds/b1-x86"
for f in bzImage config System.map build.log metadata.json modules.tar.xz; do
	[ -s "$store/$f" ] && ok "artifact $f stored" || not_ok "no $store/$f"
done
check "modules.tar.xz holds lib/modules" sh -c \
    "tar -tJf '$store/modules.tar.xz' | grep -q '^lib/modules/6.1.0-fixture/kernel/fixture.ko$'"
has "fragments were merged" "$store/config" "CONFIG_SERIAL=y"
has "inline fragments too" "$store/config" "CONFIG_EXTRA=y"
is "warnings counted" "$(sql "SELECT json_extract(misc, '$.warnings') FROM build WHERE job_id = 'b1-x86'")" 1
is "compiler version recorded" \
    "$(sql "SELECT compiler_version FROM build WHERE job_id = 'b1-x86'")" \
    "$(gcc --version | head -n 1)"
sql "SELECT json_extract(misc, '$.reproducer') FROM build WHERE job_id = 'b1-x86'" >"$TMP/repro"
has "reproducer fetches the tarball" "$TMP/repro" "curl -fsSL -o source.tar.gz file://"
has "reproducer configures" "$TMP/repro" "make ARCH=x86_64 tinyconfig"
has "reproducer merges" "$TMP/repro" "scripts/kconfig/merge_config.sh -m .config"
has "reproducer builds without this machine's cores" "$TMP/repro" "make ARCH=x86_64 -j\$(nproc) bzImage modules"
is "log URL" "$(sql "SELECT log_url FROM build WHERE job_id = 'b1-x86'")" \
    "file://$TMP/var/storage/builds/b1-x86/build.log"
is "config URL" "$(sql "SELECT config_url FROM build WHERE job_id = 'b1-x86'")" \
    "file://$TMP/var/storage/builds/b1-x86/config"
sql "SELECT log_excerpt FROM build WHERE job_id = 'b1-x86'" >"$TMP/excerpt"
has "log excerpt kept" "$TMP/excerpt" "unused variable"
is "kconfig name" "$(sql "SELECT kconfig FROM build WHERE job_id = 'b1-x86'")" "tinyconfig+serial+inline"
[ ! -d "$TMP/var/work/b1-x86" ] && ok "work directory removed" || not_ok "work dir left"
is "duration and start time" \
    "$(sql "SELECT duration > 0 AND start_time > 0 FROM build WHERE job_id = 'b1-x86'")" 1

is "broken failed" "$(sql "SELECT status FROM build WHERE job_id = 'b1-broken'")" FAIL
sql "SELECT log_excerpt FROM build WHERE job_id = 'b1-broken'" >"$TMP/excerpt"
has "with the compile error in the excerpt" "$TMP/excerpt" "this build is meant to fail"
is "the failure's config is kept" "$(sql "SELECT config_url IS NOT NULL FROM build WHERE job_id = 'b1-broken'")" 1

is "missing cross compiler: not retried" \
    "$(sql "SELECT state || ' ' || attempt || ' ' || error_code FROM job WHERE id = 'b1-cross'")" \
    "done 1 toolchain"
is "timeout: retried" \
    "$(sql "SELECT state || ' ' || attempt || ' ' || error_code FROM job WHERE id = 'b1-slow'")" \
    "pending 2 timeout"
# sleepers: the fixture's "sleep 600" of this test (its directory is in
# $TMP), not of another test running beside it
sleepers() {
	for p in $(pgrep -fx 'sleep 600'); do
		case $(readlink "/proc/$p/cwd" 2>/dev/null) in
		"$TMP"/*) echo "$p" ;;
		esac
	done
}
is "no sleeping make is left behind" "$(sleepers)" ""

check "second attempts" sh -c "maestrino $C submit >/dev/null 2>&1; maestrino $C collect --wait >'$TMP/out' 2>&1; true"
has "the timeout ends incomplete" "$TMP/out" "0 finished, 0 running, 0 retried, 1 failed"
is "missing cross compiler is ERROR" "$(sql "SELECT status FROM build WHERE job_id = 'b1-cross'")" ERROR
is "naming the Debian package" \
    "$(sql "SELECT json_extract(misc, '$.error_msg') FROM build WHERE job_id = 'b1-cross'")" \
    "compiler 'nosuch-linux-gnu-gcc' not found in PATH: install Debian's gcc-nosuch-linux-gnu (scripts/deps.sh lists the usual ones)"
is "timeout is ERROR" "$(sql "SELECT status || ' ' || json_extract(misc, '$.error_code') FROM build WHERE job_id = 'b1-slow'")" "ERROR timeout"

# a worker killed with SIGKILL is worker_lost, then retried
sed -i 's/timeout: 2s/timeout: 10m/' "$TMP/configs/trees.yaml"
commit "$up" "second"
check "poll, tarball and jobs for a new checkout" sh -c \
    "maestrino $C poll && maestrino $C tarball && maestrino $C jobs" 
check_rc 0 "submit" maestrino $C submit
sleep 1
pid=$(sed -n 1p "$TMP/var/work/b2-slow/worker.pid")
kill -9 "$pid"
sleep 0.5
run maestrino $C collect
is "the killed worker is worker_lost" \
    "$(sql "SELECT state || ' ' || error_code FROM job WHERE id = 'b2-slow'")" "pending worker_lost"
is "and what it started is gone too" "$(sleepers)" ""
check "collect the rest" sh -c "maestrino $C collect --wait >/dev/null 2>&1; true"
sql "UPDATE job SET state = 'done' WHERE state != 'done'"

# a submit killed after starting the worker, before recording it
commit "$up" "third"
check "a third checkout" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs"
sql "UPDATE job SET state = 'done' WHERE id != 'b3-x86'"
MAESTRINO_CRASH_AT=submit-started maestrino $C submit >"$TMP/out" 2>&1
is "submit killed" "$?" 137
is "the job is left submitting" "$(sql "SELECT state FROM job WHERE id = 'b3-x86'")" submitting
check_rc 0 "the next submit" maestrino $C submit
has "adopts the worker" "$TMP/out" "adopted the worker"
check_rc 0 "collect" maestrino $C collect --wait
is "it ran once and passed" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.attempt') FROM build WHERE job_id = 'b3-x86'")" "PASS 1"

# a submit killed before starting the worker starts it next time
commit "$up" "fourth"
check "a fourth checkout" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs"
sql "UPDATE job SET state = 'done' WHERE id != 'b4-x86'"
MAESTRINO_CRASH_AT=submit-submitting maestrino $C submit >"$TMP/out" 2>&1
is "submit killed before the worker" "$?" 137
check_rc 0 "the next submit" maestrino $C submit
has "submits it again" "$TMP/out" "submitting it again"
check_rc 0 "collect" maestrino $C collect --wait
is "it passed" "$(sql "SELECT status FROM build WHERE job_id = 'b4-x86'")" PASS

# one slot: the second job waits
sed -i 's/jobs: 8/jobs: 1/' "$TMP/configs/trees.yaml"
commit "$up" "fifth"
check "a fifth checkout" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs"
sql "UPDATE job SET state = 'done' WHERE id NOT IN ('b5-x86', 'b5-broken')"
check_rc 0 "submit with one slot" maestrino $C submit
has "starts one, one waits" "$TMP/out" "1 submitted, 1 waiting"
# collected before the test ends, so no worker writes into a removed $TMP
run maestrino $C collect --wait
is "the started one finishes, the other still waits" \
    "$(sql "SELECT group_concat(state) FROM (SELECT state FROM job WHERE id IN ('b5-x86', 'b5-broken') ORDER BY state)")" \
    "done,pending"

# storage published at a URL no server answers: a build on this machine
# reads its tarball from storage.path, never over the network
settings_add 'storage:' '  path: '"$TMP"'/var/storage' '  url: http://127.0.0.1:9/storage/'
sed -i 's/jobs: 1/jobs: 8/' "$TMP/configs/trees.yaml"
commit "$up" "sixth"
check "a sixth checkout" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs"
sql "UPDATE job SET state = 'done' WHERE id != 'b6-x86'"
def=$(sql "SELECT definition FROM job WHERE id = 'b6-x86'")
has "the definition keeps the public URL" "$def" "url: http://127.0.0.1:9/storage/tarballs/"
has "and gives the file in storage" "$def" "path: $TMP/var/storage/tarballs/"
check_rc 0 "submit" maestrino $C submit
check_rc 0 "collect" maestrino $C collect --wait
is "it built from storage" "$(sql "SELECT status FROM build WHERE job_id = 'b6-x86'")" PASS

done_testing
