#!/bin/sh
# A real LAVA server: lava-server, PostgreSQL and a lava-worker with a
# QEMU device on 127.0.0.1, installed and started by tests/lava/lab.sh.
# The pipeline submits over REST with a token, a submit killed after its
# POST is reconciled by the job's name (never submitted twice), the smoke
# results come back with a pass, a fail and a measurement, and a broken
# job goes Incomplete and is ERROR.
. "$(dirname "$0")/lib.sh"

lava_lab_up

cat >"$TMP/configs/c.yaml" <<EOF2
labs:
  lab:
    type: lava
    url: $LAVA_URL
    token_env: LAVA_TOKEN
    max_queue: 3
tests:
  smoke:
    template: smoke
    platforms: [qemu, qemu-broken]
    lab: lab
    timeout: 5
EOF2
C="-c $TMP/configs"
check "build" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait && maestrino $C jobs"

MAESTRINO_CRASH_AT=submit-remote-after maestrino $C submit >"$TMP/out" 2>&1
is "submit killed after its POST" "$?" 137
check_rc 0 "the next submit" maestrino $C submit
has "finds the job by its name" "$TMP/out" "found it on lab lab"
name=$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["job_name"])' \
    "$TMP/var/jobs/t1-smoke.qemu-broken.yaml")
q=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$name")
is "the lab has that job once" \
    "$(curl -s -H "Authorization: Token $LAVA_TOKEN" "$LAVA_URL/api/v0.2/jobs/?description=$q" |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])')" 1

i=0
while [ $i -lt 60 ]; do
	maestrino $C collect >>"$TMP/collect.out" 2>&1
	[ "$(sql "SELECT COUNT(*) FROM job WHERE runtime = 'lab' AND state != 'done'")" = 0 ] && break
	sleep 5
	i=$((i + 1))
done
is "both jobs finished" "$(sql "SELECT COUNT(*) FROM job WHERE runtime = 'lab' AND state = 'done'")" 2
is "boot PASS" "$(sql "SELECT status FROM test WHERE job_id = 't1-smoke.qemu' AND path = 'boot'")" PASS
is "a passing case" "$(sql "SELECT status FROM test WHERE path = 'smoke.uname'")" PASS
is "a failing case" "$(sql "SELECT status FROM test WHERE path = 'smoke.modules'")" FAIL
is "a measurement" "$(sql "SELECT number_value > 0 AND number_unit = 'seconds' FROM test WHERE path = 'smoke.boot-time'")" 1
is "the lab's job page" "$(sql "SELECT json_extract(misc, '$.lab_job_url') LIKE '$LAVA_URL/scheduler/job/%' FROM test WHERE job_id = 't1-smoke.qemu' AND path = 'boot'")" 1
console=$(sql "SELECT log_url FROM test WHERE job_id = 't1-smoke.qemu' AND path = 'boot'")
check "the console log is in storage" grep -q "Linux version" "${console#file://}"
is "the broken job is ERROR" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.error_type') FROM test WHERE job_id = 't1-smoke.qemu-broken'")" "ERROR Job"
hasnt "the token is never printed" "$TMP/collect.out" "$LAVA_TOKEN"
is "the token is not in the database" "$(sqlite3 "$TMP/var/state.db" .dump | grep -c "$LAVA_TOKEN")" 0

done_testing
