#!/bin/sh
# Triage through the pipeline: the findings of a failing build's log and
# of a real kernel panic in a lab's console, each a signature issue; the
# known issues of the config matched against failing results; both in
# KCIDB as issues and incidents valid against the official v5.3 schema;
# a changed rule gets a new version and is applied again to the results
# already recorded, a removed one leaves its incidents not present;
# `maestrino issues` lists them.
. "$(dirname "$0")/lib.sh"
schema=$top/tests/data/kcidb/schema-v5.3.json
kcheck() { /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" "$@"; }

fixture_repo "$TMP/up"
config_dir
settings_add 'retry_delay: 0' 'site:' '  base_url: https://ci.example.org/m'

# rules TAG: the config, with the known issues of TAG
rules() {
	{
		yaml_tree fix "$TMP/up" master
		yaml_x86_build
		printf '  broken:\n    arch: x86_64\n    targets: [bzImage]\n'
		printf '    fragments: ["CONFIG_FAIL=y"]\n'
		echo platforms:
		yaml_platform board x86-pc grub
		yaml_platform board2 x86-pc grub
		yaml_pull_lab
		echo tests:
		yaml_test smoke smoke farm board board2
		echo issues:
		if [ "$1" != gone ]; then
			cat <<'EOF'
  meant-to-fail:
    title: "The broken build fails on purpose"
    report_url: https://lore.example.org/all/broken/
    culprit: tool
    match:
      build: broken
      log: "error: this build is meant to fail"
EOF
		fi
		cat <<EOF
  init-panic:
    title: "Init dies on board"
    culprit: code
    match:
      tree: "f*"
      platform: board
      path: boot
      log: "${PANIC_RE:-Kernel panic - not syncing: Requested init .* failed}"
  login-timeout:
    title: "The lab's login times out"
    culprit: harness
    match:
      log: "auto-login-action timed out"
  never:
    title: "Matches nothing"
    match:
      platform: "no-such-*"
EOF
	} >"$TMP/configs/c.yaml"
}
rules first
C="-c $TMP/configs"
to_pull_lab
# one build at a time on this machine: the second, then its tests
check "the second build" sh -c "maestrino $C submit &&
    maestrino $C collect --wait && maestrino $C jobs && maestrino $C submit"

# the lab's LAVA log: a real console (Debian's kernel, init exits) as
# target lines, and results where the boot fails on board only
lava_log() {
	/usr/bin/python3 - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines():
    print("- " + json.dumps({"dt": "2026-11-30T10:00:00.000000", "lvl": "target", "msg": line}))
print('- {"dt": "2026-11-30T10:00:01.000000", "lvl": "error", "msg": "auto-login-action timed out after 120 seconds"}')
EOF
}
panic=$top/tests/data/logsig/debian-panic-init.log
mkdir -p "$TMP/farm/results"
lava_log "$panic" >"$TMP/farm/results/$(job_on board).log"
cat >"$TMP/farm/results/$(job_on board).yaml" <<'EOF'
- {suite: lava, name: login-action, result: fail, measurement: None, unit: ''}
- {suite: lava, name: job, result: fail, measurement: None, unit: ''}
EOF
cat >"$TMP/farm/results/$(job_on board2).yaml" <<'EOF'
- {suite: 0_smoke, name: one, result: pass, measurement: None, unit: ''}
- {suite: lava, name: job, result: pass, measurement: None, unit: ''}
EOF
check_rc 0 "collect" maestrino $C collect
has "the triage says what it did" "$TMP/out" "triage:"

b_bad=$(sql "SELECT id FROM build WHERE config_name = 'broken'")
b_ok=$(sql "SELECT id FROM build WHERE config_name = 'x86'")
t_boot=$(sql "SELECT id FROM test WHERE platform = 'board' AND path = 'boot'")
t_boot2=$(sql "SELECT id FROM test WHERE platform = 'board2' AND path = 'boot'")
is "the broken build failed" "$(sql "SELECT status FROM build WHERE id = $b_bad")" FAIL
is "the boot on board failed" "$(sql "SELECT status FROM test WHERE id = $t_boot")" FAIL
is "the compiler error is the broken build's first finding" \
    "$(sql "SELECT type || ' ' || file || ':' || file_line FROM finding WHERE kind = 'build' AND ref = $b_bad AND n = 0")" \
    "error drivers/broken.c:1"
is "the panic is a finding of the boot on board, with its call trace" \
    "$(sql "SELECT type, instr(summary, 'Requested init /nonexistent failed') > 0, instr(lines, 'Call Trace') > 0 FROM finding WHERE kind = 'test' AND ref = $t_boot ORDER BY n LIMIT 1")" \
    "panic|1|1"
is "every finding is a signature issue" \
    "$(sql "SELECT COUNT(*) FROM finding f LEFT JOIN issue i ON i.id = f.issue_id WHERE i.kind IS NOT 'signature'")" 0
is "known issues: each in the table, version 1" \
    "$(sql "SELECT group_concat(id || ' ' || version, ',') FROM (SELECT * FROM issue WHERE kind = 'known' ORDER BY id)")" \
    "init-panic 1,login-timeout 1,meant-to-fail 1,never 1"
is "incidents of known issues: the broken build, the boot on board" \
    "$(sql "SELECT group_concat(issue_id || ' ' || kind || ' ' || (ref IN ($b_bad, $t_boot)), ',') FROM (SELECT * FROM incident WHERE issue_id NOT LIKE 'sig-%' ORDER BY issue_id)")" \
    "init-panic test 1,login-timeout test 1,meant-to-fail build 1"
is "no known issue for the build that passed, nor the boot on board2" \
    "$(sql "SELECT COUNT(*) FROM incident WHERE ((kind = 'build' AND ref = $b_ok) OR (kind = 'test' AND ref = $t_boot2)) AND issue_id NOT LIKE 'sig-%'")" 0
is "the warning of the build that passed is a signature of its own" \
    "$(sql "SELECT f.type || ' ' || n.present FROM finding f JOIN incident n ON n.issue_id = f.issue_id AND n.kind = 'build' AND n.ref = f.ref WHERE f.kind = 'build' AND f.ref = $b_ok")" "warning 1"
is "each result is triaged once" "$(sql "SELECT (SELECT COUNT(*) FROM build WHERE triage_gen != gen) + (SELECT COUNT(*) FROM test WHERE triage_gen != gen)")" 0

check_rc 0 "collect again" maestrino $C collect
hasnt "has nothing to triage" "$TMP/out" "triage:"

check_rc 0 "issues" maestrino $C issues
has "lists the known issue with its incident" "$TMP/out" "init-panic"
has "and the panic's signature" "$TMP/out" "Requested init /nonexistent failed"
check "issues --json" sh -c "maestrino $C issues --json >'$TMP/issues.json'"
is "counts" "$(jq -r '[.issues[] | select(.kind == "known") | "\(.id)=\(.incidents)"] | sort | join(" ")' "$TMP/issues.json")" \
    "init-panic=1 login-timeout=1 meant-to-fail=1 never=0"
check_rc 0 "issues init-panic" maestrino $C issues init-panic
has "shows the boot that shows it" "$TMP/out" "boot on board"
check_rc 1 "issues of an unknown id" maestrino $C issues no-such
has "says so" "$TMP/out" "no issue 'no-such'"

check_rc 0 "kcidb" maestrino $C kcidb
check "valid against the official schema, with format checks" kcheck "$TMP"/var/kcidb/*.json
inst=$(sql "SELECT value FROM meta WHERE key = 'instance'")
p="test:$inst"
all() { jq -r -s "$1" "$TMP"/var/kcidb/*.json; }
is "the known issues, with their culprit and report URL" \
    "$(all '[.[].issues[]? | select(.misc.kind == "known") | "\(.id) \(.version) \(.culprit | to_entries | map(select(.value)) | .[0].key) \(.report_url)"] | sort | join(",")')" \
    "$p.issue-init-panic 1 code https://ci.example.org/m/issues/init-panic.html,$p.issue-login-timeout 1 harness https://ci.example.org/m/issues/login-timeout.html,$p.issue-meant-to-fail 1 tool https://lore.example.org/all/broken/,$p.issue-never 1 code https://ci.example.org/m/issues/never.html"
bid=$(all '.[].builds[]? | select(.misc.build == "broken") | .id')
tid=$(all '.[].tests[]? | select(.path == "boot" and .environment.misc.platform == "board") | .id')
is "the broken build's comment: its first error" \
    "$(all '.[].builds[]? | select(.misc.build == "broken") | .comment')" \
    "drivers/broken.c:1: error: this build is meant to fail"
is "incidents name the exported build and test, present" \
    "$(all '[.[].incidents[]? | select(.issue_id | test("issue-")) | "\(.issue_id | sub(".*issue-"; "")) \(.build_id // .test_id) \(.present)"] | sort | join(",")')" \
    "init-panic $tid true,login-timeout $tid true,meant-to-fail $bid true"
is "a signature incident for the panic, on the boot" \
    "$(all '[.[].incidents[]? | select(.test_id == "'"$tid"'") | .issue_id | test("\\.sig-[0-9a-f]{16}$")] | any')" true
check_rc 0 "kcidb again" maestrino $C kcidb
has "exports nothing new" "$TMP/out" "0 issues, 0 incidents in 0 files"

# a rule changes: a new version, applied to what is recorded
PANIC_RE='no such panic text' rules first
check_rc 0 "collect after the rule changed" maestrino $C collect
has "says it applied the rule" "$TMP/out" "issue init-panic: rule changed, applied to the failing results recorded: 0 matches"
is "version 2" "$(sql "SELECT version FROM issue WHERE id = 'init-panic'")" 2
is "its incident is no longer present" \
    "$(sql "SELECT present || ' ' || issue_version FROM incident WHERE issue_id = 'init-panic'")" "0 2"
is "the other rules are untouched" "$(sql "SELECT group_concat(version) FROM issue WHERE id IN ('login-timeout', 'meant-to-fail', 'never')")" "1,1,1"
check_rc 0 "kcidb after the change" maestrino $C kcidb
has "exports the issue and its incident" "$TMP/out" "1 issues, 1 incidents in 1 files"
f=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
is "the incident, not present, at version 2" \
    "$(jq -r '"\(.issues[0].version) \(.incidents[0].issue_version) \(.incidents[0].present)"' "$f")" "2 2 false"
check "still valid" kcheck "$f"

# and back: present again, version 3
rules first
check_rc 0 "collect after the rule changed back" maestrino $C collect
is "version 3, present again" \
    "$(sql "SELECT i.version || ' ' || n.present || ' ' || n.issue_version FROM issue i JOIN incident n ON n.issue_id = i.id WHERE i.id = 'init-panic'")" "3 1 3"

# a rule goes
rules gone
check_rc 0 "collect after a rule left the config" maestrino $C collect
is "the issue is kept, inactive, its incident not present" \
    "$(sql "SELECT i.active || ' ' || n.present FROM issue i JOIN incident n ON n.issue_id = i.id WHERE i.id = 'meant-to-fail'")" "0 0"
is "withdrawn is a new version, which the incident carries" \
    "$(sql "SELECT i.version || ' ' || n.issue_version FROM issue i JOIN incident n ON n.issue_id = i.id WHERE i.id = 'meant-to-fail'")" "2 2"
check_rc 0 "issues" maestrino $C issues
hasnt "does not list it" "$TMP/out" "meant-to-fail"
check_rc 0 "issues --all" maestrino $C issues --all
has "lists it as gone" "$TMP/out" "no longer in the config"
check_rc 0 "kcidb" maestrino $C kcidb
f=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
is "KCIDB hears it was withdrawn" "$(jq -r '.issues[] | select(.id | endswith("issue-meant-to-fail")) | .misc.withdrawn' "$f")" true
check "every file valid" kcheck "$TMP"/var/kcidb/*.json

# a rule that cannot be: a bad regex, named with its file:line
printf 'issues:\n  bad:\n    title: x\n    match:\n      log: "a(b"\n' >"$TMP/bad.yaml"
sed -i '/^issues:/,$d' "$TMP/configs/c.yaml"
cp "$TMP/bad.yaml" "$TMP/configs/issues.yaml"
check_rc 2 "a bad regex" maestrino $C collect
has "is refused with its place" "$TMP/out" "issues.yaml:5"
printf 'issues:\n  sig-x:\n    title: x\n    match: {}\n' >"$TMP/configs/issues.yaml"
check_rc 2 "an empty match and a sig- name" maestrino $C collect
has "empty match refused" "$TMP/out" "issues.sig-x.match is empty"
has "sig- name refused" "$TMP/out" "names starting with 'sig-'"

done_testing
