#!/bin/sh
# Issue 12, item 12, the smaller ones: SIGTERM to `maestrino run`
# orphaned its stage, which kept the lock; `timeout: 999999h` overflowed
# into no limit; site.base_url without a trailing slash broke feed links;
# a token_env holding a token printed it; a LAVA job whose record or
# results could never be read was asked about forever; temporary job
# files a kill left were never swept; a tag long enough to break the file
# system broke the tarball.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
{
	yaml_tree fix "$up" master
	yaml_x86_build
	printf '  slow:\n    arch: x86_64\n    targets: [bzImage]\n'
	echo '    fragments: [CONFIG_SLEEP=y]'
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"

# SIGTERM while collect --wait waits for a hung build
maestrino $C run --wait >"$TMP/term.out" 2>&1 &
runpid=$!
for _ in $(seq 1 100); do
	grep -q "maestrino-collect\|waiting for local jobs" "$TMP/term.out" &&
	    sql "SELECT state FROM job WHERE config_name = 'slow'" 2>/dev/null |
	    grep -q running && break
	sleep 0.2
done
sleep 0.5
kill -TERM "$runpid"
wait "$runpid"
rc=$?
is "run dies of the SIGTERM it was sent" "$rc" 143
has "saying so in its total line" "$TMP/term.out" "run stopped by a signal"
sleep 0.2
pgrep -f "maestrino-collect -c $TMP/configs" >"$TMP/orphans"
is "no stage is left behind" "$(cat "$TMP/orphans")" ""
check_rc 0 "the next command gets the lock at once" maestrino $C poll
hasnt "nobody holds it" "$TMP/out" "holds the lock"
pkill -KILL -s "$(sql "SELECT runtime_job_id FROM job WHERE config_name = 'slow'")" 2>/dev/null
sed -i '/^  slow:/,$d' "$TMP/configs/c.yaml"
sql "DELETE FROM build WHERE config_name = 'slow'; DELETE FROM job WHERE config_name = 'slow'"

# durations are bounded where they are read
mkdir -p "$TMP/bad"
cp "$TMP/configs/settings.yaml" "$TMP/bad/"
cat >"$TMP/bad/c.yaml" <<EOF2
builds:
  x86:
    arch: x86_64
    timeout: 999999h
EOF2
check_rc 2 "timeout: 999999h is refused" maestrino -c "$TMP/bad" status
has "with file:line" "$TMP/out" \
    "c.yaml:4:14: error: builds.x86.timeout '999999h' is longer than a week"

# a token where a variable name belongs is never printed
cat >"$TMP/bad/c.yaml" <<EOF2
settings2: {}
EOF2
cat >"$TMP/bad/settings.yaml" <<EOF2
settings:
  data_dir: $TMP/var
  kcidb:
    token_env: ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNb
EOF2
rm "$TMP/bad/c.yaml"
check_rc 2 "a token in token_env is refused" maestrino -c "$TMP/bad" status
hasnt "and never printed" "$TMP/out" "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNb"
has "saying what is wrong" "$TMP/out" "its value is not shown"

# base_url without its slash
settings_add 'site:' '  base_url: https://ci.example.org/lab'
check_rc 0 "a run with base_url lacking its slash" maestrino $C run --wait
has "feed links keep the slash" "$TMP/public/feeds/fix.atom" \
    "https://ci.example.org/lab/c/"

# temporary job files a kill left
: >"$TMP/var/jobs/b9-x86.yaml.tmp-1a2b3c"
check_rc 0 "the jobs stage" maestrino $C jobs
test ! -e "$TMP/var/jobs/b9-x86.yaml.tmp-1a2b3c" &&
    ok "sweeps temporary definitions a kill left" ||
    not_ok "sweeps temporary definitions a kill left"

# a tag that makes a tarball name longer than a file name may be
long=$(printf 'v6.1-%0235d' 0)
git -C "$up" tag "$long"
commit "$up" "tagged" NEWS 3
git -C "$up" tag -d "$long" >/dev/null
git -C "$up" tag "$long" HEAD
check_rc 0 "a run over a 240-character tag" maestrino $C run --wait
is "the checkout is described by it" \
    "$(sql "SELECT length(describe) FROM checkout ORDER BY id DESC LIMIT 1")" 240
name=$(sql "SELECT tarball_path FROM checkout ORDER BY id DESC LIMIT 1")
n=$(basename "$name" | wc -c)
test -n "$name" && test -f "$TMP/var/storage/$name" && test "$n" -le 255 &&
    ok "its tarball has a name the file system takes ($n bytes)" ||
    not_ok "its tarball has a name the file system takes" "'$name'"

# a LAVA lab that answers with what cannot be read (a fresh data dir)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/fake"
FAKE_LAVA_INSTANT=1 /usr/bin/python3 "$top/tests/e2e/fake-lava.py" "$port" \
    "$TMP/fake" 2>"$TMP/fake/server.log" &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
sleep 0.5
mkdir -p "$TMP/lava"
{
	printf 'settings:\n  origin: test\n  data_dir: %s\n  retries: 2\n' \
	    "$TMP/var2"
	yaml_tree fix "$up" master
	yaml_x86_build
	echo platforms:
	yaml_platform a-garbage qemu qemu
	yaml_platform b-nostate qemu qemu
	yaml_lava_lab fake "http://127.0.0.1:$port/" FAKE_TOKEN
	echo tests:
	yaml_test smoke smoke fake a-garbage b-nostate
} >"$TMP/lava/c.yaml"
export FAKE_TOKEN=fake-token-0123456789
L="-c $TMP/lava"
check "the tests go to the lab" sh -c "maestrino $L poll &&
    maestrino $L tarball && maestrino $L jobs && maestrino $L submit &&
    maestrino $L collect --wait && maestrino $L jobs && maestrino $L submit"
# each round: a-garbage's record (fine), its results (garbage), then
# b-nostate's record (no state)
echo '{"status": ["ok", "nostate", "ok", "nostate", "ok", "nostate", "ok", "nostate"], "results": ["garbage", "garbage", "garbage", "garbage"]}' >"$TMP/fake/faults.json"
: >"$TMP/rounds"
for _ in 1 2 3 4; do
	maestrino $L collect >>"$TMP/rounds" 2>&1
done
s2() { sqlite3 -batch -noheader "$TMP/var2/state.db" "$1"; }
is "results that never parse: ERROR after retries + 1 tries" \
    "$(s2 "SELECT t.status || ' ' || j.state FROM test t JOIN job j ON j.id = t.job_id WHERE j.platform = 'a-garbage' AND t.path = 'boot'")" \
    "ERROR done"
is "a record with no state: MISS" \
    "$(s2 "SELECT t.status || ' ' || j.state FROM test t JOIN job j ON j.id = t.job_id WHERE j.platform = 'b-nostate' AND t.path = 'boot'")" \
    "MISS done"
has "it says why" "$TMP/rounds" \
    "answered 3 times in a row with something that cannot be read"
has "and counts the tries before" "$TMP/rounds" \
    "answer cannot be read (2 of 3); trying again next run"
done_testing
