#!/bin/sh
# Issue 15, item 7: `maestrino watch CHECKOUT` runs the stages until
# every job of the checkout has finished, a local build and then its
# test in a pull lab (played here by a background job that drops the
# results while watch waits), a line per job as it finishes, then the
# summary; exit 1 when something failed, 0 when all passed.  It waits
# for another run's lock, and stops cleanly on a signal.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
pull_lab_config board
C="-c $TMP/configs"

check_rc 0 "watch -h" maestrino $C watch -h
has "its usage, synopsis from the table" "$TMP/out" \
    "usage: maestrino watch CHECKOUT [--interval SECONDS]"
check_rc 0 "-h after the command too" maestrino watch -h
check_rc 2 "watch with no checkout" maestrino $C watch
has "says how" "$TMP/out" "usage: maestrino watch"
check_rc 2 "a checkout that is not a number" maestrino $C watch tip
has "names it" "$TMP/out" "a checkout is a number, not 'tip'"
check_rc 2 "a bad --interval" maestrino $C watch 1 --interval 0
has "names it" "$TMP/out" "--interval wants seconds, 1 to 86400 ('0')"
check_rc 2 "an unknown option" maestrino $C watch 1 --bogus
check_rc 1 "a checkout before any state" maestrino $C watch 7
has "is not found" "$TMP/out" "no checkout 7 in '$TMP/var'"
check_rc 0 "poll" maestrino $C poll
check_rc 1 "an unknown checkout" maestrino $C watch 99
has "is not found" "$TMP/out" "no checkout 99 in '$TMP/var'"

# play_lab CHECKOUT JOB RESULTS: once watch says it waits for the lab
# (in $TMP/out), drop RESULTS and the log of JOB back into the farm, as
# a lab would
play_lab() {
	(
		i=0
		until grep -q "checkout $1: waiting for" "$TMP/out" 2>/dev/null ||
		    [ $i -ge 1200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		mkdir -p "$TMP/farm/results"
		cp "$top/tests/data/lava/complete-log.yaml" "$TMP/farm/$2.log.new"
		cp "$3" "$TMP/farm/$2.yaml.new"
		mv "$TMP/farm/$2.log.new" "$TMP/farm/results/$2.log"
		mv "$TMP/farm/$2.yaml.new" "$TMP/farm/results/$2.yaml"
	) &
	player=$!
}

# checkout 1: the build passes, a test in the lab fails
play_lab 1 t1-smoke.board "$top/tests/data/lava/complete-results.yaml"
check_rc 1 "watch a checkout whose test fails: exit 1" \
    maestrino $C watch 1 --interval 1
wait "$player"
cp "$TMP/out" "$TMP/watch1.out"
has "a line for the build" "$TMP/out" \
    "job b1-x86: pass (build x86, x86_64, "
has "a line for the test, with its results" "$TMP/out" \
    "job t1-smoke.board: fail (test smoke on board, x86_64, "
has "counting them" "$TMP/out" "; 7 results, 1 failed)"
has "it waited for the lab, and said so" "$TMP/out" \
    "checkout 1: waiting for 1 of 2 jobs (1 in a lab, 0 pending); next run in 1s"
has "the closing line" "$TMP/out" "checkout 1: finished: 2 jobs, 1 failed"
is "each job once" "$(grep -c '^job ' "$TMP/out")" 2
is "the test was collected" \
    "$(sql "SELECT state FROM job WHERE id = 't1-smoke.board'")" "done"

# the summary is `maestrino results`, as that command prints it
if maestrino $C results 1 >"$TMP/results.out" 2>&1; then
	check "then the results summary" grep -qxF "$(head -n 1 "$TMP/results.out")" \
	    "$TMP/watch1.out"
else
	ok "# SKIP maestrino results is not there yet"
fi

# a finished checkout: its lines and verdict at once, no run
check_rc 1 "watch a finished checkout" maestrino $C watch 1
hasnt "no run" "$TMP/out" "maestrino-poll"
has "its lines" "$TMP/out" "job t1-smoke.board: fail"

# checkout 2: all passes, while another run holds the lock for a while
commit "$up" "second" NEWS 2
check_rc 0 "poll finds checkout 2" maestrino $C poll
sed 's/result: fail/result: pass/' "$top/tests/data/lava/complete-results.yaml" \
    >"$TMP/pass.yaml"
play_lab 2 t2-smoke.board "$TMP/pass.yaml"
flock "$TMP/var/lock" sleep 3 &
holder=$!
sleep 0.5
check_rc 0 "watch a checkout that passes: exit 0" \
    maestrino $C watch 2 --interval 1
wait "$player" "$holder"
has "it waited for the other run's lock" "$TMP/out" \
    "holds the lock on '$TMP/var'; waiting for it"
has "the build" "$TMP/out" "job b2-x86: pass (build x86"
has "the test" "$TMP/out" "job t2-smoke.board: pass (test smoke on board"
has "the closing line" "$TMP/out" "checkout 2: finished: 2 jobs, 0 failed"

# checkout 3: the lab never answers; a signal stops watch cleanly
commit "$up" "third" NEWS 3
check_rc 0 "poll finds checkout 3" maestrino $C poll
maestrino $C watch 3 --interval 1 >"$TMP/watch3.out" 2>&1 &
watcher=$!
i=0
until grep -q "checkout 3: waiting for" "$TMP/watch3.out" || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT "$watcher"
wait "$watcher"
is "Ctrl-C: watch dies of SIGINT" "$?" 130
has "saying the checkout is not finished" "$TMP/watch3.out" \
    "stopped; checkout 3 is not finished"
check "the lock is free again" flock -n "$TMP/var/lock" true
is "its test job is still out in the lab" \
    "$(sql "SELECT state FROM job WHERE id = 't3-smoke.board'")" submitted

# checkout 1 again: its failed test retried, and the retry passes
check_rc 0 "retry the failed test" maestrino $C retry t1-smoke.board
: >"$TMP/out"
play_lab 1 t1-smoke.board-r2 "$TMP/pass.yaml"
check_rc 0 "watch: a retry that passes after a fail: exit 0" \
    maestrino $C watch 1 --interval 1
wait "$player"
has "a line for the retry" "$TMP/out" \
    "job t1-smoke.board-r2: pass (test smoke on board, x86_64, "
has "the retry speaks for the test" "$TMP/out" "checkout 1: finished: 2 jobs, 0 failed"

# checkout 2: a passed test whose retry was cancelled still passes
check_rc 0 "retry the passed test" maestrino $C retry t2-smoke.board
check_rc 0 "cancel the retry" maestrino $C cancel t2-smoke.board-r2
check_rc 0 "watch: a pass whose retry was cancelled: exit 0" \
    maestrino $C watch 2
has "the first attempt stands, as on the site" "$TMP/out" \
    "checkout 2: finished: 2 jobs, 0 failed"

# checkout 4: no job at all is no pass
commit "$up" "fourth" NEWS 4
check_rc 0 "poll finds checkout 4" maestrino $C poll
check_rc 0 "it makes no job" maestrino $C cancel --checkout 4
check_rc 1 "watch: a checkout where no job ran: exit 1" \
    maestrino $C watch 4 --interval 1
has "says so" "$TMP/out" "checkout 4: finished: no job ran"
done_testing
