#!/bin/sh
# Issue 12, item 11: `maestrino run --wait` (what `make run` runs) ended
# with "none failed; exit 0" while a local job that failed for a passing
# reason was waiting for its retry: a build and no boots on the site.
# --wait now waits for those retries within the budget, the total line
# counts what is left, and the exit status never says all is done while
# it is not.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
# the marker lives outside the build's directory, where a sandboxed
# build cannot write: no sandbox
settings_add 'retries: 2' 'retry_delay: 4' 'build_env: [FLAKY_ONCE]' \
    'sandbox: off'
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo '    timeout: 3s'
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
# the first attempt hangs and is killed at its timeout; the second passes
export FLAKY_ONCE="$TMP/flaky-once"
check_rc 0 "run --wait over a build whose first attempt fails" \
    maestrino $C run --wait
has "the first attempt was incomplete" "$TMP/out" "attempt 1 incomplete"
has "the run waited for its retry" "$TMP/out" \
    "s for a retry of this machine's jobs"
is "the build passed on its second attempt" \
    "$(sql "SELECT b.status || ' ' || j.attempt FROM build b JOIN job j ON j.id = b.job_id")" \
    "PASS 2"
has "the total line counts what is left" "$TMP/out" \
    "jobs left: 0 pending, 0 to retry, 0 running; exit 0"

# a retry that comes after the budget is not waited for, and said
rm -f "$FLAKY_ONCE"
sed -i 's/  retry_delay: 4/  retry_delay: 600/' "$TMP/configs/settings.yaml"
commit "$up" "second" NEWS 2
check_rc 1 "a retry past the budget: exit 1" \
    maestrino $C run --wait --budget 1
has "the total line says it" "$TMP/out" \
    "0 pending, 1 to retry, 0 running (this machine's not all done); exit 1"
done_testing
