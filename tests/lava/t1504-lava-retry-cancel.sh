#!/bin/sh
# Issue 15, items 4 and 5, on a real LAVA server (tests/lava/lab.sh):
# `maestrino cancel` cancels a submitted job through the server's API
# (its health becomes Canceled) and `maestrino retry` submits a new
# attempt of a finished job under a job name of its own.
. "$(dirname "$0")/lib.sh"

lava_lab_up

cat >"$TMP/configs/c.yaml" <<EOF2
labs:
  lab:
    type: lava
    url: $LAVA_URL
    token_env: LAVA_TOKEN
tests:
  smoke:
    template: smoke
    platforms: [qemu, qemu-broken]
    lab: lab
    timeout: 5
EOF2
C="-c $TMP/configs"
check "build" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait && maestrino $C jobs"
check_rc 0 "submit both tests" maestrino $C submit

# lava JOB: the server's record of LAVA job JOB, as "state health"
lava() {
	curl -s -H "Authorization: Token $LAVA_TOKEN" "$LAVA_URL/api/v0.2/jobs/$1/" |
	    /usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["state"], d["health"])'
}
lid=$(sql "SELECT runtime_job_id FROM job WHERE id = 't1-smoke.qemu'")
check_rc 0 "cancel the job on qemu" maestrino $C cancel t1-smoke.qemu
has "says so" "$TMP/out" "job t1-smoke.qemu: cancelled"
i=0
while [ "$(lava "$lid")" != "Finished Canceled" ] && [ $i -lt 60 ]; do
	sleep 2
	i=$((i + 1))
done
is "LAVA cancelled it" "$(lava "$lid")" "Finished Canceled"
is "it ends cancelled, its boot MISS" \
    "$(sql "SELECT j.state || ' ' || j.error_code || ' ' || t.status FROM job j JOIN test t ON t.job_id = j.id WHERE j.id = 't1-smoke.qemu'")" \
    "done cancelled MISS"

i=0
while [ $i -lt 60 ]; do
	maestrino $C collect >>"$TMP/collect.out" 2>&1
	[ "$(sql "SELECT state FROM job WHERE id = 't1-smoke.qemu-broken'")" = "done" ] && break
	sleep 5
	i=$((i + 1))
done
is "the broken job is ERROR" "$(sql "SELECT status FROM test WHERE job_id = 't1-smoke.qemu-broken'")" ERROR
is "the cancelled one was left alone" "$(sql "SELECT COUNT(*) FROM test WHERE job_id = 't1-smoke.qemu'")" 1
check_rc 0 "retry the broken job" maestrino $C retry t1-smoke.qemu-broken
has "says so" "$TMP/out" "job t1-smoke.qemu-broken: retried as t1-smoke.qemu-broken-r2"
check_rc 0 "submit the retry" maestrino $C submit
new=$(sql "SELECT runtime_job_id FROM job WHERE id = 't1-smoke.qemu-broken-r2'")
old=$(sql "SELECT runtime_job_id FROM job WHERE id = 't1-smoke.qemu-broken'")
[ -n "$new" ] && [ "$new" != "$old" ] && ok "a new LAVA job" || not_ok "a new LAVA job" "old $old new $new"
name=$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["job_name"])' \
    "$TMP/var/jobs/t1-smoke.qemu-broken-r2.yaml")
q=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$name")
is "under a name of its own" \
    "$(curl -s -H "Authorization: Token $LAVA_TOKEN" "$LAVA_URL/api/v0.2/jobs/?description=$q" |
    /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin)["results"]; print(len(r), r[0]["id"])')" "1 $new"
check_rc 0 "cancel the retry too" maestrino $C cancel t1-smoke.qemu-broken-r2
i=0
while [ "$(lava "$new" | cut -d' ' -f1)" != Finished ] && [ $i -lt 60 ]; do
	sleep 2
	i=$((i + 1))
done
is "LAVA ended it" "$(lava "$new" | cut -d' ' -f1)" Finished
hasnt "the token is never printed" "$TMP/out" "$LAVA_TOKEN"

done_testing
