#!/bin/sh
# A bisection's culprit in KCIDB: an issue (culprit code, its subject
# naming the commit) and an incident per build or test of the
# regression, pointing at the ids those objects are exported with; valid
# against the official v5.3 schema; nothing for a bisection without a
# culprit or still running; incremental and crash-safe like the rest of
# the export; carried unchanged by the REST submission.
. "$(dirname "$0")/lib.sh"
schema=$top/tests/data/kcidb/schema-v5.3.json
kcheck() { /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" "$@"; }

up=$TMP/up
fixture_repo "$up"
good=$(git -C "$up" rev-parse HEAD)
commit "$up" "drivers: the culprit" drivers/x.c "int x;"
culprit=$(git -C "$up" rev-parse HEAD)
commit "$up" "docs: after it" Documentation/x.txt "x"
bad=$(git -C "$up" rev-parse HEAD)

config_dir
settings_add 'retry_delay: 0' 'http_timeout: 2' 'site:' \
    '  base_url: https://ci.example.org/maestrino'
{
	yaml_tree fix "$up" master
	echo '    commit_url: https://git.example.org/linux/commit/?id={commit}'
	yaml_x86_build
	echo platforms:
	yaml_platform board x86-pc grub
	yaml_platform board2 x86-pc grub
	yaml_pull_lab
	echo tests:
	yaml_test smoke smoke farm board board2
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
to_pull_lab
mkdir -p "$TMP/farm/results"
for board in board board2; do
	cat >"$TMP/farm/results/$(job_on $board).yaml" <<'EOF2'
- {suite: lava, name: login-action, result: fail, measurement: None, unit: ''}
- {suite: 0_smoke, name: one, result: fail, measurement: None, unit: ''}
- {suite: 0_smoke, name: two, result: pass, measurement: None, unit: ''}
- {suite: lava, name: job, result: pass, measurement: None, unit: ''}
EOF2
done
check "collect" maestrino $C collect
is "a build and three tests on each of two boards" "$(sql "SELECT (SELECT COUNT(*) FROM build) || ' ' || (SELECT COUNT(*) FROM test)")" "1 6"
check_rc 0 "export the pipeline first" maestrino $C kcidb
first=$(ls "$TMP"/var/kcidb/*.json)

co=$(sql "SELECT id FROM checkout WHERE commit_hash = '$bad'")
b1=$(sql "SELECT id FROM build")
on_board() {
	sql "SELECT id FROM test WHERE path = '$1' AND platform = '${2:-board}'"
}
t_boot=$(on_board boot)
t_one=$(on_board smoke.one)
t_two=$(on_board smoke.two)
t_two2=$(on_board smoke.two board2)
# the culprit's step checkout, its subject hostile: quotes, a newline, a
# tab, an escape sequence, DEL, a NUL, a C1 control and U+2028
sql "INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject,
    message, commit_time, created, kind, is_tip)
  SELECT tree, branch, url, '$culprit', describe, 'drivers: \"the\" culprit'
    || char(10) || 'second' || char(9) || char(27) || '[31m' || char(127)
    || char(0) || 'x' || char(133) || char(8232) || 'end' || char(10),
    'msg', commit_time, created, 'bisect', 0 FROM checkout WHERE id = $co"
step_co=$(sql "SELECT max(id) FROM checkout")
now=$(date +%s)
sql "INSERT INTO bisection (id, tree, branch, build, good_checkout,
    bad_checkout, good, bad, state, outcome, reason, culprit, confirm,
    verify, revert, created, updated, finished) VALUES
  (1, 'fix', 'master', 'x86', NULL, $co, '$good', '$bad', 'done', 'found',
    'verified, the revert passes', '$culprit', 'pass', 'pass', 'pass',
    $now, $now, $now),
  (2, 'fix', 'master', 'x86', NULL, $co, '$good', '$bad', 'done',
    'revert-fails', 'the revert fails too', '$bad', 'pass', 'pass', 'fail',
    $now, $now, $now),
  (3, 'fix', 'master', 'x86', NULL, $co, '$good', '$bad', 'done',
    'not-reproducible', 'good fails again', NULL, 'fail', NULL, NULL,
    $now, $now, $now),
  (4, 'fix', 'master', 'x86', NULL, $co, '$good', '$bad', 'bisect', NULL,
    NULL, NULL, 'pass', NULL, NULL, $now, $now, NULL);
UPDATE bisection SET test = 'smoke', platform = 'board', path = 'boot'
  WHERE id IN (2, 4);
UPDATE bisection SET test = 'smoke', platform = 'board2', path = 'smoke.two'
  WHERE id = 3;
UPDATE bisection SET path = 'smoke.two' WHERE id = 4;
INSERT INTO bisection_step (bisection_id, n, role, commit_hash,
    checkout_id, result, created) VALUES
  (1, 1, 'confirm-good', '$good', NULL, 'good', $now),
  (1, 2, 'verify-culprit', '$culprit', $step_co, 'bad', $now);
INSERT INTO bisection_result (bisection_id, kind, ref) VALUES
  (1, 'build', $b1), (2, 'test', $t_boot), (2, 'test', $t_one),
  (3, 'test', $t_two2), (4, 'test', $t_two);"
is "the bisections are in" "$(sql "SELECT COUNT(*) FROM bisection")" 4

check_rc 0 "kcidb" maestrino $C kcidb
has "summary: two issues, three incidents" "$TMP/out" \
    "1 checkouts, 0 builds, 0 tests, 2 issues, 3 incidents in 1 files"
f=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
check "valid against the official schema, with format checks" kcheck "$TMP"/var/kcidb/*.json
q() { jq -r "$1" "$f"; }
inst=$(sql "SELECT value FROM meta WHERE key = 'instance'")
p="test:$inst"
is "an issue per culprit, none for not-reproducible or running" \
    "$(q '[.issues[].id] | join(" ")')" "$p.bisect-1 $p.bisect-2"
is "version 1, origin, culprit code" \
    "$(q '[.issues[] | "\(.version) \(.origin) \(.culprit | tojson)"] | unique | .[]')" \
    '1 test {"code":true,"tool":false,"harness":false}'
is "report_subject names the commit, its subject on one line" \
    "$(q '.issues[0].report_subject')" \
    "$(printf '%.12s' "$culprit") (\"drivers: \"the\" culprit second  [31m x  end\")"
# ctl LIST: the strings of LIST in $f that hold a control character
ctl() {
	/usr/bin/python3 -c '
import json, sys
def strings(v):
    if isinstance(v, dict):
        for x in v.values(): yield from strings(x)
    elif isinstance(v, list):
        for x in v: yield from strings(x)
    elif isinstance(v, str):
        yield v
bad = [s for s in strings(json.load(open(sys.argv[1])).get(sys.argv[2], []))
       if any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f or c in "\u2028\u2029"
              for c in s)]
print(len(bad))' "$f" "$1"
}
is "the step checkout keeps them in misc.subject (the check sees them)" \
    "$(ctl checkouts)" 1
is "no control character in any issue or incident string" \
    "$(ctl issues) $(ctl incidents)" "0 0"
is "the subject of a culprit that is the bad commit: from its checkout" \
    "$(q '.issues[1].report_subject')" "$(printf '%.12s' "$bad") (\"docs: after it\")"
is "report_url: the site's bisection page" "$(q '[.issues[].report_url] | join(" ")')" \
    "https://ci.example.org/maestrino/bisect/1.html https://ci.example.org/maestrino/bisect/2.html"
is "comment: what was bisected, the culprit, the checks" "$(q '.issues[1].comment')" \
    "bisected fix/master test smoke boot on board, build x86: first bad commit $(printf '%.12s' "$bad") (\"docs: after it\"); checks: confirm pass, verify pass, revert fail"
is "misc: the bisection" \
    "$(q '.issues[0].misc | "\(.bisection) \(.tree) \(.branch) \(.build) \(.good == "'"$good"'") \(.bad == "'"$bad"'") \(.culprit == "'"$culprit"'") \(.outcome) \(.checks | tojson) \(.commit_url)"')" \
    "1 fix master x86 true true true found {\"confirm\":\"pass\",\"verify\":\"pass\",\"revert\":\"pass\"} https://git.example.org/linux/commit/?id=$culprit"
is "incident ids, each once" "$(q '[.incidents[].id] | join(" ")')" \
    "$p.bisect-1-build-$b1 $p.bisect-2-test-$t_boot $p.bisect-2-test-$t_one"
is "incidents point at their issue and its version, present" \
    "$(q '[.incidents[] | "\(.issue_id) \(.issue_version) \(.present)"] | join(",")')" \
    "$p.bisect-1 1 true,$p.bisect-2 1 true,$p.bisect-2 1 true"
is "the build's incident names the build's exported id" \
    "$(q '.incidents[0].build_id')" "$(jq -r '.builds[0].id' "$first")"
is "the tests' incidents name the tests' exported ids" \
    "$(q '[.incidents[1:][] | .test_id] | join(" ")')" \
    "$(jq -r '[.tests[] | select(.environment.misc.platform == "board") | select(.path == "boot" or .path == "smoke.one") | .id] | join(" ")' "$first")"
is "a build incident has no test_id and a test incident no build_id" \
    "$(q '[.incidents[0].test_id, .incidents[1].build_id] | map(. == null) | join(" ")')" "true true"
is "every bisection looked at is marked exported" \
    "$(sql "SELECT COUNT(*) FROM bisection WHERE exported_gen != gen")" 0

check_rc 0 "kcidb again" maestrino $C kcidb
has "exports nothing new" "$TMP/out" "0 checkouts, 0 builds, 0 tests, 0 issues, 0 incidents in 0 files"

sql "UPDATE bisection SET gen = gen + 1 WHERE id IN (3, 4)"
check_rc 0 "kcidb after a running and a not-reproducible bisection change" maestrino $C kcidb
has "exports nothing for them" "$TMP/out" "0 issues, 0 incidents in 0 files"
is "but marks them exported" "$(sql "SELECT COUNT(*) FROM bisection WHERE exported_gen != gen")" 0

sql "UPDATE bisection SET gen = gen + 1 WHERE id = 1"
check_rc 0 "kcidb after a change of a found bisection" maestrino $C kcidb
has "exports its issue and incident again" "$TMP/out" "0 tests, 1 issues, 1 incidents in 1 files"
f=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
is "the same ids" "$(q '[.issues[].id, .incidents[].id] | join(" ")')" \
    "$p.bisect-1 $p.bisect-1-build-$b1"

# the running one ends with a culprit; killed once its file is written
sql "UPDATE bisection SET state = 'done', outcome = 'found', culprit = '$culprit',
    verify = 'pass', revert = 'pass', gen = gen + 1 WHERE id = 4"
MAESTRINO_CRASH_AT=kcidb-written maestrino $C kcidb >"$TMP/out" 2>&1
is "killed after writing" "$?" 137
check_rc 0 "the next run" maestrino $C kcidb
has "sends it again" "$TMP/out" "1 issues, 1 incidents in 1 files"
f=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
is "the bisection that ended has its issue" "$(q '[.issues[].id, .incidents[].test_id] | join(" ")')" \
    "$p.bisect-4 $(jq -r '.tests[] | select(.environment.misc.platform == "board") | select(.path == "smoke.two") | .id' "$first")"
is "its subject from the step checkout of another bisection's culprit: only its own steps count" \
    "$(q '.issues[0].report_subject')" "$(printf '%.12s' "$culprit")"

check_rc 0 "--all" maestrino $C kcidb --all
has "exports every culprit again, and the build warning's signature" "$TMP/out" "4 issues, 5 incidents in 1 files"
check "every file written is valid" kcheck "$TMP"/var/kcidb/*.json

# the REST submission sends the files whole: issues and incidents too
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/kc"
FAKE_KCIDB_TOKEN=kcidb-secret-1630 /usr/bin/python3 "$top/tests/e2e/fake-kcidb.py" \
    "$port" "$TMP/kc" "$schema" 2>"$TMP/kc/server.log" &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
wait_port "$port"
settings_add 'kcidb:' "  url: http://127.0.0.1:$port/submit" \
    '  token_env: KCIDB_TOKEN'
export KCIDB_TOKEN=kcidb-secret-1630
check_rc 0 "submit everything" maestrino $C kcidb --all
check_rc 0 "follow the submission" maestrino $C kcidb
is "every file ends processed" "$(sql "SELECT group_concat(DISTINCT state) FROM kcidb_file")" processed
stat() { /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); print($1)" "$TMP/kc/stats.json"; }
is "the endpoint found it valid" "$(stat 's["invalid"]')" 0
is "and got the issues and incidents" \
    "$(stat '" ".join(i for i in s["processed"] if ".bisect-" in i)')" \
    "$p.bisect-1 $p.bisect-1-build-$b1 $p.bisect-2 $p.bisect-2-test-$t_boot $p.bisect-2-test-$t_one $p.bisect-4 $p.bisect-4-test-$t_two"

done_testing
