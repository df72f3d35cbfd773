#!/bin/sh
# The local lab for real: lava-run from Debian's lava-dispatcher boots a
# kernel under QEMU with no server, runs the smoke test plan in
# lava-test-shell, and its results become boot and test rows.  A job
# whose ramdisk is missing goes Incomplete and is ERROR.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/configs/c.yaml" <<EOF2
labs:
  local:
    type: local
    jobs: 2
tests:
  smoke:
    template: smoke
    platforms: [qemu, qemu-broken]
    timeout: 5
EOF2
C="-c $TMP/configs"
check_rc 1 "maestrino run --wait (one job is broken)" maestrino $C run --wait
has "the smoke job completed" "$TMP/out" "job t1-smoke.qemu: complete, boot PASS"
is "boot PASS" "$(sql "SELECT status FROM test WHERE job_id = 't1-smoke.qemu' AND path = 'boot'")" PASS
is "a passing case" "$(sql "SELECT status FROM test WHERE path = 'smoke.uname'")" PASS
is "a failing case" "$(sql "SELECT status FROM test WHERE path = 'smoke.modules'")" FAIL
is "a measurement" "$(sql "SELECT number_value > 0 AND number_unit = 'seconds' FROM test WHERE path = 'smoke.boot-time'")" 1
console=$(sql "SELECT log_url FROM test WHERE job_id = 't1-smoke.qemu' AND path = 'boot'")
check "the console log is in storage" grep -q "Linux version" "${console#file://}"
check "and it is the console only" sh -c "! grep -q '\"lvl\"' '${console#file://}'"
sql "SELECT log_excerpt FROM test WHERE path = 'boot' AND job_id = 't1-smoke.qemu'" >"$TMP/excerpt"
has "the excerpt ends with the console" "$TMP/excerpt" "lava-guest:~#"
is "the broken job is ERROR" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.error_type') FROM test WHERE job_id = 't1-smoke.qemu-broken'")" "ERROR Job"
sql "SELECT json_extract(misc, '$.error_msg') FROM test WHERE job_id = 't1-smoke.qemu-broken'" >"$TMP/msg"
has "with LAVA's reason" "$TMP/msg" "no-such-ramdisk.cpio.gz"
check "the definitions pass LAVA's schema" /usr/bin/python3 -c '
import sys, yaml
from lava_common.schemas import validate
for f in sys.argv[1:]:
    validate(yaml.safe_load(open(f)))' "$TMP"/var/jobs/t*.yaml
is "no work directory is left" "$(ls "$TMP/var/work" | wc -l)" 0

done_testing
