#!/bin/sh
# The kcidb stage: every document validates against the official KCIDB
# v5.3 schema (format checks included) despite hostile inputs, exports
# are incremental and survive a crash, and REST submission through 401,
# 500, a timeout and a "failed" status loses nothing and sends nothing
# twice once accepted.
. "$(dirname "$0")/lib.sh"
schema=$top/tests/data/kcidb/schema-v5.3.json
kcheck() { /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" "$@"; }

up=$TMP/up
fixture_repo "$up"
# a commit git itself would refuse: a NUL and invalid UTF-8 in its message
tree=$(git -C "$up" rev-parse "HEAD^{tree}")
parent=$(git -C "$up" rev-parse HEAD)
printf 'tree %s\nparent %s\nauthor A <a@example.org> 1735689700 +0000\ncommitter A <a@example.org> 1735689700 +0000\n\nhostile \000subject \377\376\n\nbody \303\050 <script>\000end\n' \
    "$tree" "$parent" >"$TMP/raw"
c=$(git -C "$up" hash-object -t commit --literally -w "$TMP/raw")
git -C "$up" update-ref refs/heads/master "$c"

config_dir
settings_add 'retry_delay: 0' 'http_timeout: 2'
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo '    fragments: [CONFIG_HUGE_LOG=y]'
	echo platforms:
	yaml_platform board x86-pc grub
	echo '    compatible: ["acme,board"]'
	yaml_pull_lab
	echo tests:
	yaml_test smoke smoke farm board
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "pipeline" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait && maestrino $C jobs && maestrino $C submit"
mkdir -p "$TMP/farm/results"
cat >"$TMP/farm/results/t1-smoke.board.yaml" <<'EOF2'
- {suite: lava, name: login-action, result: pass, measurement: None, unit: ''}
- {suite: 0_smoke, name: "a.b/c d", result: pass, measurement: None, unit: ''}
- {suite: 0_smoke, name: "boot time", result: pass, measurement: '3.25', unit: seconds}
- {suite: lava, name: job, result: pass, measurement: None, unit: ''}
EOF2
check "collect" maestrino $C collect
sql "UPDATE checkout SET url = 'http://git.example.org/linux.git', gen = gen + 1"

check_rc 0 "kcidb" maestrino $C kcidb
# the fixture's build log has a compiler warning: a log signature
has "summary" "$TMP/out" "1 checkouts, 1 builds, 3 tests, 1 issues, 1 incidents in 1 files"
files=$(ls "$TMP"/var/kcidb/*.json)
check "valid against the official schema, with format checks" kcheck $files
f=$(ls "$TMP"/var/kcidb/*.json | head -n 1)
case $(basename "$f") in
[0-9]*T[0-9]*Z-0001.json) ok "named <UTC time>-<seq>.json" ;;
*) not_ok "named <UTC time>-<seq>.json" "$(basename "$f")" ;;
esac
py() { /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); $1" "$f"; }
is "version 5.3" "$(py 'print(d["version"])')" "{'major': 5, 'minor': 3}"
is "NULs dropped, invalid UTF-8 repaired" \
    "$(py 'print(ascii(d["checkouts"][0]["git_commit_message"]))')" \
    "'hostile subject \\ufffd\\ufffd\\n\\nbody \\ufffd( <script>end\\n'"
is "an http:// URL is kept out of git_repository_url" \
    "$(py 'c = d["checkouts"][0]; print("git_repository_url" in c, c["misc"]["git_repository_url"])')" \
    "False http://git.example.org/linux.git"
is "ids carry the origin" "$(py 'print(d["checkouts"][0]["id"].split(":")[0], d["builds"][0]["checkout_id"] == d["checkouts"][0]["id"])')" "test True"
is "the 5 MB log line: the excerpt is its last 16384 code points" \
    "$(py 'e = d["builds"][0]["log_excerpt"]; print(len(e), e.endswith("# maestrino: pass in " + e.split("# maestrino: pass in ")[-1]))')" "16384 True"
is "test paths made valid (a dot in a case name is a level)" \
    "$(py 'print(" ".join(sorted(t["path"] for t in d["tests"])))')" "boot smoke.a.b_c_d smoke.boot_time"
is "a measurement" "$(py 'print([t["number"] for t in d["tests"] if "number" in t])')" \
    "[{'value': 3.25, 'unit': 'seconds'}]"
is "the environment" "$(py 'print(d["tests"][0]["environment"])')" \
    "{'compatible': ['acme,board'], 'misc': {'platform': 'board'}}"
is "build fields" "$(py 'b = d["builds"][0]; print(b["status"], b["architecture"], b["config_name"], "command" in b, b["misc"]["warnings"])')" \
    "PASS x86_64 defconfig+inline True 1"
is "timestamps are RFC 3339 with a zone" "$(py 'print(d["builds"][0]["start_time"][-6:])')" "+00:00"
hasnt "no null anywhere" "$f" "null"

check_rc 0 "kcidb again" maestrino $C kcidb
has "exports nothing unchanged" "$TMP/out" "0 checkouts, 0 builds, 0 tests, 0 issues, 0 incidents in 0 files"
is "and writes no file" "$(ls "$TMP"/var/kcidb/*.json | wc -l)" 1

# a build that finishes changes its checkout's finish time: both go again
sql "UPDATE test SET status = 'FAIL', gen = gen + 1 WHERE path = 'boot'"
check_rc 0 "kcidb after a change" maestrino $C kcidb
has "only the changed object" "$TMP/out" "0 checkouts, 0 builds, 1 tests, 0 issues, 0 incidents in 1 files"

# killed between writing the file and recording it: sent again, not lost
sql "UPDATE build SET gen = gen + 1"
MAESTRINO_CRASH_AT=kcidb-written maestrino $C kcidb >"$TMP/out" 2>&1
is "killed after writing" "$?" 137
check_rc 0 "the next run" maestrino $C kcidb
has "sends it again" "$TMP/out" "0 checkouts, 1 builds, 0 tests, 0 issues, 0 incidents in 1 files"

check_rc 0 "--all" maestrino $C kcidb --all
has "exports everything" "$TMP/out" "1 checkouts, 1 builds, 3 tests, 1 issues, 1 incidents in 1 files"
last=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
is "ids never change" \
    "$(/usr/bin/python3 -c 'import json, sys; print(sorted(o["id"] for k in ("checkouts", "builds", "tests", "issues", "incidents") for o in json.load(open(sys.argv[1])).get(k, [])))' "$last")" \
    "$(/usr/bin/python3 -c 'import json, sys; print(sorted(o["id"] for k in ("checkouts", "builds", "tests", "issues", "incidents") for o in json.load(open(sys.argv[1])).get(k, [])))' "$f")"
check "every file written is valid" kcheck "$TMP"/var/kcidb/*.json

# a run in the same second as an earlier one never writes over its file
mkdir -p "$TMP/sentinels"
now=$(date +%s)
for s in 0 1 2 3 4 5 6 7 8 9; do
	stamp=$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)
	echo "{\"sentinel\": $s}" >"$TMP/var/kcidb/$stamp-0001.json"
	ln "$TMP/var/kcidb/$stamp-0001.json" "$TMP/sentinels/$s"
done
check_rc 0 "an export in the same second as an earlier one" maestrino $C kcidb --all
is "leaves the earlier file alone" \
    "$(cat "$TMP"/sentinels/* | grep -c sentinel) $(grep -l sentinel "$TMP"/var/kcidb/*.json | wc -l)" "10 10"
check "and writes its own next to it" sh -c "ls '$TMP'/var/kcidb/ | grep -q -- '-0002.json\$'"
grep -l sentinel "$TMP"/var/kcidb/*.json | xargs rm -f

# REST submission through faults
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/kc"
FAKE_KCIDB_TOKEN=kcidb-secret-777 /usr/bin/python3 "$top/tests/e2e/fake-kcidb.py" \
    "$port" "$TMP/kc" "$schema" 2>"$TMP/kc/server.log" &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
wait_port "$port"
settings_add 'kcidb:' "  url: http://127.0.0.1:$port/submit" \
    '  token_env: KCIDB_TOKEN'
export KCIDB_TOKEN=kcidb-secret-777
echo '{"submit": ["401", "500", "timeout"], "status": ["failed"]}' >"$TMP/kc/faults.json"
: >"$TMP/rounds"
check_rc 1 "a 401 leaves the file to retry" maestrino $C kcidb --all
cat "$TMP/out" >>"$TMP/rounds"
for _ in 1 2 3 4 5 6; do
	maestrino $C kcidb >>"$TMP/rounds" 2>&1
done
has "the 401 was reported" "$TMP/rounds" "HTTP 401"
has "the 500 was reported" "$TMP/rounds" "HTTP 500"
has "the timeout was reported" "$TMP/rounds" "timed out"
has "the failed status was reported" "$TMP/rounds" "failed; sending it again"
hasnt "the token is never printed" "$TMP/rounds" "kcidb-secret-777"
is "every file ends processed" "$(sql "SELECT group_concat(DISTINCT state) FROM kcidb_file")" processed
stat() { /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); print($1)" "$TMP/kc/stats.json"; }
is "no invalid document reached the endpoint" "$(stat 's["invalid"]')" 0
is "nothing was accepted twice" "$(stat 'sorted(set(s["accepted"].values()))')" "[1]"
is "nothing was lost" "$(stat 'len(s["processed"])')" \
    "$(/usr/bin/python3 -c 'import json, sys; print(len([o for k in ("checkouts", "builds", "tests", "issues", "incidents") for o in json.load(open(sys.argv[1])).get(k, [])]))' "$(ls "$TMP"/var/kcidb/*.json | tail -n 1)")"
is "the token is not in the database" "$(sqlite3 "$TMP/var/state.db" .dump | grep -c kcidb-secret-777)" 0
before=$(stat 's["posts"]')
check_rc 0 "a run with nothing new" maestrino $C kcidb
is "sends nothing" "$(stat 's["posts"]')" "$before"

done_testing
