#!/bin/sh
# Issue 12, item 3: a pull lab's results directory is the lab's to write.
# A symlink there must not make collect copy a file it points at into
# public storage, a FIFO must not block collect (holding the lock), and a
# link to /dev/zero must not exhaust memory.  Only regular files within
# the size limit are read; anything else is set aside with a message, and
# the job goes on as a bad result would.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
settings_add 'retries: 1' 'retry_delay: 0'
pull_lab_config link fifo zero big
C="-c $TMP/configs"
to_pull_lab

# what the Maestrino user can read, and a lab should never publish
printf 'PRIVATE-KEY-MATERIAL\n' >"$TMP/private.txt"
r=$TMP/farm/results
mkdir -p "$r"
cp "$top/tests/data/lava/complete-results.yaml" "$TMP/stolen.yaml"
printf '  # PRIVATE-KEY-MATERIAL\n' >>"$TMP/stolen.yaml"
ln -s "$TMP/stolen.yaml" "$r/$(job_on link).yaml"
ln -s "$TMP/private.txt" "$r/$(job_on link).log"
mkfifo "$r/$(job_on fifo).yaml"
ln -s /dev/zero "$r/$(job_on zero).yaml"
head -c 20000000 /dev/zero | tr '\000' '#' >"$r/$(job_on big).yaml"

start=$(date +%s)
memlimit 1073741824 timeout 60 maestrino $C collect >"$TMP/out" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
test "$rc" -ne 124 && test "$took" -lt 30 &&
    ok "collect finishes (exit $rc, ${took}s): no FIFO blocks it" ||
    not_ok "collect finishes" "exit $rc after ${took}s" "$(tail -n 5 "$TMP/out")"
test "$rc" -le 1 && ok "and nothing ran out of memory" ||
    not_ok "and nothing ran out of memory" "exit $rc" "$(tail -n 5 "$TMP/out")"
grep -rlaF PRIVATE-KEY-MATERIAL "$TMP/var" "$TMP/public" >"$TMP/leak" 2>/dev/null
is "no file a link pointed at was copied or recorded" "$(cat "$TMP/leak")" ""
for p in link fifo zero big; do
	test -e "$r/$(job_on $p).yaml.bad" || test -L "$r/$(job_on $p).yaml.bad" &&
	    ok "the $p results are set aside" ||
	    not_ok "the $p results are set aside" "$(ls -la "$r")"
done
has "a link is reported as not a regular file" "$TMP/out" \
    "$(job_on link).yaml' is not a regular file"
has "so is a FIFO" "$TMP/out" "$(job_on fifo).yaml' is not a regular file"
has "a file too large is reported" "$TMP/out" \
    "$(job_on big).yaml' is larger than the limit"
test "$(readlink "$r/$(job_on link).yaml.bad")" = "$TMP/stolen.yaml" &&
    ok "what was set aside is the link itself" ||
    not_ok "what was set aside is the link itself"
is "each job goes round again as a bad result would" \
    "$(sql "SELECT group_concat(state || ' ' || attempt, ', ') FROM job WHERE kind = 'test'")" \
    "pending 2, pending 2, pending 2, pending 2"
check_rc 0 "and is handed to the lab again" maestrino $C submit
has "all four" "$TMP/out" "4 submitted"
done_testing
