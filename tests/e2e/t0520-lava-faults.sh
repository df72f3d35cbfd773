#!/bin/sh
# A LAVA lab that misbehaves, played by a canned-reply server on
# 127.0.0.1 (tests/e2e/fake-lava.py): a wrong token, 500s, a server that
# commits a job and then fails, truncated JSON, garbage results YAML, a
# slow reply.  Nothing is lost, nothing is submitted twice, and the token
# is never printed.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/fake"
FAKE_LAVA_TOKEN=good-secret-token-4242 /usr/bin/python3 "$top/tests/e2e/fake-lava.py" \
    "$port" "$TMP/fake" 2>"$TMP/fake/server.log" &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
sleep 0.5

config_dir
settings_add 'retries: 1' 'retry_delay: 0'
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo platforms:
	yaml_platform qemu qemu qemu
	yaml_platform qemu-broken qemu qemu
	printf '    params:\n      kernel_args: broken\n'
	yaml_lava_lab fake "http://127.0.0.1:$port/" FAKE_TOKEN
	echo '    max_queue: 2'
	echo tests:
	yaml_test smoke smoke fake qemu
	yaml_test broken smoke fake qemu-broken
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "build" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait && maestrino $C jobs"
is "two test jobs for the lab" "$(sql "SELECT COUNT(*) FROM job WHERE runtime = 'fake' AND state = 'pending'")" 2
posts() {
	/usr/bin/python3 -c 'import json, sys
try:
    s = json.load(open(sys.argv[1]))
except Exception:
    s = {}
print(sum(v for k, v in s.items() if sys.argv[2] in k))' "$TMP/fake/stats.json" "$1"
}

FAKE_TOKEN=wrong-token-9999 maestrino $C submit >"$TMP/out" 2>&1
is "a wrong token: exit 1" "$?" 1
has "the 401 is reported" "$TMP/out" "HTTP 401"
hasnt "the token is never printed" "$TMP/out" "wrong-token-9999"
is "the jobs are kept, not failed" \
    "$(sql "SELECT group_concat(state) FROM job WHERE runtime = 'fake'")" "submitting,submitting"
is "nothing was created" "$(posts smoke)" 0

export FAKE_TOKEN=good-secret-token-4242
echo '{"submit": ["500", "lost"]}' >"$TMP/fake/faults.json"
run maestrino $C submit
is "a 500 and a lost reply: exit 1" "$rc" 1
is "both jobs stay submitting" \
    "$(sql "SELECT group_concat(state) FROM job WHERE runtime = 'fake'")" "submitting,submitting"
is "the lost one exists on the lab" "$(posts t1-)" 1
check_rc 0 "the next submit" maestrino $C submit
has "adopts the lost job" "$TMP/out" "found it on lab fake"
has "and submits the other again" "$TMP/out" "submitted to fake"
is "no job was submitted twice" "$(posts smoke) $(posts broken)" "1 1"
hasnt "the token is never printed" "$TMP/out" "good-secret-token-4242"

echo '{"status": ["truncated", "500"], "results": ["garbage"]}' >"$TMP/fake/faults.json"
check_rc 0 "collect through truncated JSON and a 500" maestrino $C collect
has "says it will look again" "$TMP/out" "trying again next run"
is "nothing is lost" "$(sql "SELECT COUNT(*) FROM job WHERE runtime = 'fake' AND state IN ('submitted', 'running')")" 2
: >"$TMP/rounds"
for _ in 1 2 3 4; do
	maestrino $C collect >>"$TMP/rounds" 2>&1
	echo '{"submit": ["slow"]}' >"$TMP/fake/faults.json"
	maestrino $C submit >>"$TMP/rounds" 2>&1
done
has "garbage results were refused, naming the URL" "$TMP/rounds" "http://127.0.0.1:$port/api/v0.2/jobs/2/yaml/:2:1: error:"
is "the smoke results came through" \
    "$(sql "SELECT group_concat(path || '=' || status, ' ') FROM (SELECT path, status FROM test WHERE job_id LIKE '%-smoke.%' ORDER BY path)")" \
    "boot=PASS smoke.boot-time=PASS smoke.modules=FAIL smoke.uname=PASS"
is "with the measurement" "$(sql "SELECT number_value || ' ' || number_unit FROM test WHERE path = 'smoke.boot-time'")" "2.5 seconds"
is "and the lab job URL" "$(sql "SELECT json_extract(misc, '$.lab_job_url') LIKE 'http://127.0.0.1:$port/scheduler/job/%' FROM test WHERE path = 'boot' AND job_id LIKE '%-smoke.%'")" 1
is "the console log is kept" "$(sql "SELECT log_url LIKE 'file://%/console.log' FROM test WHERE path = 'boot' AND job_id LIKE '%-smoke.%'")" 1
is "the broken job was retried once, then ERROR" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.error_type') FROM test WHERE job_id LIKE '%-broken.%' AND path = 'boot'")" \
    "ERROR Infrastructure"
is "an incomplete job is submitted again only as a new attempt" "$(posts broken)" 2
is "the smoke job only once" "$(posts smoke)" 1
is "every job is done" "$(sql "SELECT COUNT(*) FROM job WHERE state != 'done'")" 0

done_testing
