#!/bin/sh
# Issue 15, items 4 and 5: `maestrino retry` queues a new attempt of a
# finished job (the old one stays in the history, KCIDB links the two,
# the site shows the newest); `maestrino cancel` stops a local worker,
# takes a pull-lab job out of the index and reports the job as never
# run; jobs of a build entry removed from the config are cancelled by
# the next run, with one line each.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
# the flag lives outside the build's directory: no sandbox
settings_add 'retries: 0' 'retry_delay: 0' 'build_env: [FAIL_WHILE]' \
    'sandbox: off'
write_config() {
	{
		yaml_tree fix "$up" master
		cat <<EOF
labs:
  local:
    type: local
    jobs: 2
  farm:
    type: pull
    path: $TMP/farm
builds:
  x86:
    arch: x86_64
    targets: [bzImage]
  slow:
    arch: x86_64
    targets: [bzImage]
    fragments: [CONFIG_SLEEP=y]
EOF
		if [ "${1:-}" = with-gone ]; then
			printf '  zgone:\n    arch: x86_64\n    targets: [bzImage]\n'
		fi
		echo platforms:
		yaml_platform board x86-pc grub
		yaml_platform board2 x86-pc grub
		echo tests:
		yaml_test smoke smoke farm board board2
		echo '    builds: [x86]'
	} >"$TMP/configs/c.yaml"
}
write_config with-gone
C="-c $TMP/configs"
export FAIL_WHILE="$TMP/fail-flag"
touch "$FAIL_WHILE"

check "start the builds" sh -c "maestrino $C poll && maestrino $C tarball &&
    maestrino $C jobs && maestrino $C submit"
is "two run, the third waits for a slot" \
    "$(sql "SELECT group_concat(id || '=' || state, ' ') FROM (SELECT id, state FROM job ORDER BY id)")" \
    "b1-slow=submitted b1-x86=submitted b1-zgone=pending"
i=0
while [ "$(sql "SELECT state FROM job WHERE id = 'b1-x86'")" != "done" ] &&
    [ $i -lt 100 ]; do
	maestrino $C collect >/dev/null 2>&1
	sleep 0.2
	i=$((i + 1))
done
is "the x86 build failed" "$(sql "SELECT status FROM build WHERE job_id = 'b1-x86'")" FAIL

# --- a build entry removed from the config ---
write_config
check_rc 0 "the next submit" maestrino $C submit
has "one line says the job of the removed entry is cancelled" "$TMP/out" \
    "job b1-zgone: build 'zgone' is no longer in the config: cancelled"
is "exactly one line about it" "$(grep -c b1-zgone "$TMP/out")" 1
is "it ends cancelled, never run" \
    "$(sql "SELECT j.state || ' ' || j.result || ' ' || j.error_code || ' ' || b.status FROM job j JOIN build b ON b.job_id = j.id WHERE j.id = 'b1-zgone'")" \
    "done incomplete cancelled MISS"
check_rc 0 "a later submit" maestrino $C submit
hasnt "says nothing more of it" "$TMP/out" "b1-zgone"

# --- cancel a running local build ---
pid=$(sql "SELECT runtime_job_id FROM job WHERE id = 'b1-slow'")
check "the slow build's worker is alive" kill -0 "$pid"
check_rc 1 "cancel of an unknown job and a finished one: exit 1" \
    maestrino $C cancel nope b1-x86 b1-slow
has "the unknown job is named" "$TMP/out" "job nope: no such job"
has "the finished job is named" "$TMP/out" "job b1-x86: finished already (fail, build); not cancelled"
has "the running one is cancelled all the same" "$TMP/out" "job b1-slow: cancelled"
# (a container's pid 1 may leave the dead unreaped: a zombie is gone)
alive() {
	ps -eo pid=,sid=,stat= | awk -v p="$1" '($1 == p || $2 == p) && $3 !~ /^Z/' | wc -l
}
is "the worker is gone" "$(alive "$pid")" 0
[ -d "$TMP/var/work/b1-slow" ] && not_ok "its work directory is cleaned" ||
    ok "its work directory is cleaned"
is "the job is cancelled, its build MISS" \
    "$(sql "SELECT j.state || ' ' || j.result || ' ' || j.error_code || ' ' || b.status FROM job j JOIN build b ON b.job_id = j.id WHERE j.id = 'b1-slow'")" \
    "done incomplete cancelled MISS"
check_rc 1 "cancelling it again: exit 1" maestrino $C cancel b1-slow
has "says it is finished" "$TMP/out" "job b1-slow: finished already (incomplete, cancelled); not cancelled"
check_rc 1 "a retry of a cancelled job: exit 1" maestrino $C retry b1-slow
has "says it was cancelled" "$TMP/out" "job b1-slow: was cancelled; a cancelled job is not retried"

# --- retry the failed build ---
check_rc 2 "retry without jobs: usage" maestrino $C retry
check_rc 2 "retry --checkout without --failed: usage" maestrino $C retry --checkout 1
check_rc 2 "retry of jobs and a checkout: usage" maestrino $C retry --checkout 1 --failed b1-x86
check_rc 2 "cancel --checkout of no number: usage" maestrino $C cancel --checkout x
has "names it" "$TMP/out" "--checkout 'x': not a checkout id"
check_rc 1 "cancel --checkout of no checkout: exit 1" maestrino $C cancel --checkout 99
has "names it" "$TMP/out" "checkout 99: no such checkout"
check_rc 0 "retry --help" maestrino $C retry --help
has "prints its usage" "$TMP/out" "usage: maestrino retry"
rm -f "$FAIL_WHILE"
check_rc 0 "retry --checkout 1 --failed" maestrino $C retry --checkout 1 --failed --json
is "it queued the failed build only (not the cancelled ones)" \
    "$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin))' <"$TMP/out")" \
    "{'retried': [{'job': 'b1-x86', 'new': 'b1-x86-r2'}]}"
is "the new attempt names the old" \
    "$(sql "SELECT state || ' ' || retry_of || ' ' || attempt FROM job WHERE id = 'b1-x86-r2'")" \
    "pending b1-x86 1"
check "its definition has its own id and storage" sh -c \
    "grep -q '^id: b1-x86-r2' $TMP/var/jobs/b1-x86-r2.yaml &&
    grep -q 'builds/b1-x86-r2' $TMP/var/jobs/b1-x86-r2.yaml"
check_rc 1 "retry of an unfinished job: exit 1" maestrino $C retry b1-x86-r2
has "names it" "$TMP/out" "job b1-x86-r2: still pending; only a finished job can be retried"
check_rc 1 "a second retry of the same job: exit 1" maestrino $C retry b1-x86
has "names the retry" "$TMP/out" "job b1-x86: retried already as b1-x86-r2"
check "build it again" sh -c "maestrino $C submit && maestrino $C collect --wait"
is "both attempts stay in the history" \
    "$(sql "SELECT group_concat(job_id || '=' || status, ' ') FROM (SELECT job_id, status FROM build WHERE config_name = 'x86' ORDER BY id)")" \
    "b1-x86=FAIL b1-x86-r2=PASS"
check_rc 0 "nothing else failed" maestrino $C retry --checkout 1 --failed
has "says so" "$TMP/out" "checkout 1: no failed job to retry"
is "the cancelled build was not retried by the runs" \
    "$(sql "SELECT COUNT(*) FROM job WHERE id LIKE 'b1-slow%' OR id LIKE 'b1-zgone%'")" 2

# --- tests of the new build, on the pull lab ---
check "make and submit its tests" sh -c "maestrino $C jobs && maestrino $C submit"
bid=$(sql "SELECT id FROM build WHERE job_id = 'b1-x86-r2'")
t1=t$bid-smoke.board
t2=t$bid-smoke.board2
is "the new build got its tests" "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM job WHERE kind = 'test' ORDER BY id)")" "$t1 $t2"
check_rc 0 "cancel the one on board2" maestrino $C cancel "$t2"
check "it left the index" /usr/bin/python3 -c '
import json, sys
ids = [j["id"] for j in json.load(open(sys.argv[1]))["jobs"]]
assert ids == [sys.argv[2]], ids' "$TMP/farm/index.json" "$t1"
[ -e "$TMP/farm/$t2.yaml" ] && not_ok "its definition is gone" || ok "its definition is gone"
is "its boot is MISS" "$(sql "SELECT status FROM test WHERE job_id = '$t2'")" MISS
mkdir -p "$TMP/farm/results"
cp "$top/tests/data/lava/bootfail-results.yaml" "$TMP/farm/results/$t1.yaml"
check_rc 0 "collect a failed boot" maestrino $C collect
is "the boot failed" "$(sql "SELECT status FROM test WHERE job_id = '$t1' AND path = 'boot'")" FAIL
check_rc 0 "retry the failed test" maestrino $C retry "$t1"
has "says what it queued" "$TMP/out" "job $t1: retried as $t1-r2"
check_rc 0 "submit it" maestrino $C submit
check "the retry is in the index, with a job name of its own" /usr/bin/python3 -c '
import json, sys
jobs = json.load(open(sys.argv[1]))["jobs"]
assert [j["id"] for j in jobs] == [sys.argv[2] + "-r2"], jobs
assert (sys.argv[2] + "-r2@") in jobs[0]["job_name"], jobs[0]["job_name"]' \
    "$TMP/farm/index.json" "$t1"
cp "$top/tests/data/lava/complete-results.yaml" "$TMP/farm/results/$t1-r2.yaml"
check_rc 0 "collect the retry" maestrino $C collect
is "both attempts of the boot stay" \
    "$(sql "SELECT group_concat(job_id || '=' || status, ' ') FROM (SELECT job_id, status FROM test WHERE path = 'boot' AND job_id IN ('$t1', '$t1-r2') ORDER BY id)")" \
    "$t1=FAIL $t1-r2=PASS"

# --- KCIDB and the site ---
check_rc 0 "export to KCIDB" maestrino $C kcidb
check "KCIDB links each retry to the attempt it repeats" /usr/bin/python3 -c '
import glob, json, sys
kcidb, t1 = sys.argv[1], sys.argv[2]
builds, tests = {}, {}
for f in sorted(glob.glob(kcidb + "/*.json")):
    d = json.load(open(f))
    for b in d.get("builds", []):
        builds[b["id"].split(".", 1)[1]] = b
    for t in d.get("tests", []):
        tests[t["id"].split(".", 1)[1]] = t
old, new = builds["b1-x86"], builds["b1-x86-r2"]
assert old["status"] == "FAIL" and new["status"] == "PASS", (old, new)
assert new["misc"]["retry_of"] == old["id"], new["misc"]
assert builds["b1-slow"]["status"] == "MISS", builds["b1-slow"]
assert builds["b1-zgone"]["status"] == "MISS"
assert "retry_of" not in old["misc"]
ob, nb = tests[t1 + ".boot"], tests[t1 + "-r2.boot"]
assert (ob["status"], nb["status"]) == ("FAIL", "PASS")
assert nb["misc"]["retry_of"] == ob["id"], nb["misc"]
' "$TMP/var/kcidb" "$t1"
check_rc 0 "render the site" maestrino $C site
check "the site shows the newest attempt of each" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
text = json.dumps(d)
builds = [b for b in d["builds"] if b.get("config") == "x86"]
assert [b["status"] for b in builds] == ["PASS"], builds
boots = [t for t in d["tests"] if t.get("path") == "boot" and t.get("platform") == "board"]
assert [t["status"] for t in boots] == ["PASS"], boots
' "$TMP/public/api/c/1.json"
check "its counts are those of its lists: no attempt counted twice" \
    /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = {k: sum(v.values()) for k, v in d["counts"].items()}
assert n["builds"] == len(d["builds"]), (n, d["builds"])
assert n["boots"] + n["tests"] == len(d["tests"]), (n, d["tests"])
' "$TMP/public/api/c/1.json"

# --- retry --failed leaves out the tests of a build retried since ---
check_rc 0 "retry the passed test" maestrino $C retry "$t1-r2"
check_rc 0 "submit it" maestrino $C submit
cp "$top/tests/data/lava/bootfail-results.yaml" "$TMP/farm/results/$t1-r3.yaml"
check_rc 0 "collect it: its boot fails" maestrino $C collect
is "the third attempt failed" "$(sql "SELECT status FROM test WHERE job_id = '$t1-r3' AND path = 'boot'")" FAIL
check_rc 0 "retry its build" maestrino $C retry b1-x86-r2
check_rc 0 "retry --checkout 1 --failed" maestrino $C retry --checkout 1 --failed --json
is "not the test of the build retried since" \
    "$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin))' <"$TMP/out")" \
    "{'retried': []}"
check_rc 0 "cancel the build's retry while it waits" maestrino $C cancel b1-x86-r3

# --- a retry whose entry or lab left the config ---
cp "$TMP/configs/c.yaml" "$TMP/c.yaml.keep"
sed '/^tests:/,$d' "$TMP/c.yaml.keep" >"$TMP/configs/c.yaml"
check_rc 1 "retry of a test whose entry is gone: exit 1" maestrino $C retry "$t1-r3"
has "names the job and why" "$TMP/out" \
    "job $t1-r3: test 'smoke' is no longer in the config; not retried"
hasnt "says nothing was retried" "$TMP/out" "retried as"
sed 's/^  farm:/  farm2:/; s/lab: farm$/lab: farm2/' "$TMP/c.yaml.keep" \
    >"$TMP/configs/c.yaml"
check_rc 1 "retry of a test whose lab is gone: exit 1" maestrino $C retry "$t1-r3"
has "names the job and the lab" "$TMP/out" \
    "job $t1-r3: lab 'farm' is no longer in the config; not retried"
is "no new job either time" "$(sql "SELECT COUNT(*) FROM job WHERE id = '$t1-r4'")" 0
cp "$TMP/c.yaml.keep" "$TMP/configs/c.yaml"

# --- a cancel killed after its lab was told is finished, never retried ---
sed -i 's/retries: 0/retries: 2/' "$TMP/configs/settings.yaml"
commit "$up" "second" NEWS 2
check "checkout 2's builds start" sh -c "maestrino $C poll && maestrino $C tarball &&
    maestrino $C jobs && maestrino $C submit"
is "its slow build runs" "$(sql "SELECT state FROM job WHERE id = 'b2-slow'")" submitted
pid=$(sql "SELECT runtime_job_id FROM job WHERE id = 'b2-slow'")
MAESTRINO_CRASH_AT=cancel-lab-told check_rc 137 "cancel killed once the worker is" \
    maestrino $C cancel b2-slow
is "the worker is gone" "$(alive "$pid")" 0
is "the request is kept" "$(sql "SELECT error_code FROM job WHERE id = 'b2-slow'")" cancelling
check_rc 0 "the next collect" maestrino $C collect --wait
is "ends the cancel: one attempt, its build MISS" \
    "$(sql "SELECT j.state || ' ' || j.error_code || ' ' || j.attempt || ' ' || b.status FROM job j JOIN build b ON b.job_id = j.id WHERE j.id = 'b2-slow'")" \
    "done cancelled 1 MISS"
check_rc 0 "a later submit" maestrino $C submit
is "it was never submitted again" "$(sql "SELECT state || ' ' || attempt FROM job WHERE id = 'b2-slow'")" "done 1"
sed -i 's/retries: 2/retries: 0/' "$TMP/configs/settings.yaml"

# --- cancel --checkout stops the jobs not made yet ---
is "checkout 2's build passed, its tests not made yet" \
    "$(sql "SELECT status || ' ' || tests_made FROM build WHERE job_id = 'b2-x86'")" "PASS 0"
check_rc 0 "cancel --checkout 2" maestrino $C cancel --checkout 2
has "says no more jobs are made" "$TMP/out" "checkout 2: stopped; no more jobs are made for it"
check_rc 0 "the jobs stage" maestrino $C jobs
is "made no test for it" "$(sql "SELECT COUNT(*) FROM job WHERE checkout_id = 2 AND kind = 'test'")" 0
commit "$up" "third" NEWS 3
check_rc 0 "poll finds checkout 3" maestrino $C poll
check_rc 0 "cancel --checkout 3 before its tarball" maestrino $C cancel --checkout 3 --json
is "says it stopped it" \
    "$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin))' <"$TMP/out")" \
    "{'cancelled': [], 'marked': [], 'stopped': True}"
check "tarball and jobs" sh -c "maestrino $C tarball && maestrino $C jobs"
is "made no job for it" "$(sql "SELECT COUNT(*) FROM job WHERE checkout_id = 3")" 0
check_rc 0 "cancel --checkout 3 again" maestrino $C cancel --checkout 3
has "has nothing left to do" "$TMP/out" "checkout 3: no unfinished job to cancel"

done_testing
