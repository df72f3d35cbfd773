#!/bin/sh
# A bisection killed again and again: between recording a step and
# making its checkout (bisect-step-recorded, the first or second of a
# run), inside the transaction that records the checkout
# (ondemand-recorded), and before the stage (run-bisect), in turn, on
# every run until it ends.  It converges to the outcome, culprit and
# steps of the same bisection run uninterrupted (alongside, in a data
# dir of its own), with no step made twice and no bisect checkout
# without its step.
. "$(dirname "$0")/lib.sh"

check_rc 0 "maestrino-bisect --help" maestrino-bisect --help
has "... shows the usage" "$TMP/out" "usage: maestrino-bisect"

up=$TMP/up
fixture_repo "$up"

# conf NAME: a config in $TMP/NAME/configs, its data in $TMP/NAME/var
conf() {
	mkdir -p "$TMP/$1/configs"
	cat >"$TMP/$1/configs/settings.yaml" <<EOC
settings:
  origin: test
  data_dir: $TMP/$1/var
  retries: 0
  retry_delay: 0
  bisect:
    trees: [fix]
    max_steps: 12
EOC
	{
		yaml_tree fix "$up" master
		yaml_x86_build
		printf 'labs:\n  local: {type: local}\n'
	} >"$TMP/$1/configs/c.yaml"
}
db() { sqlite3 -batch -noheader "$TMP/$1/var/state.db" "$2"; }
state() { db "$1" "SELECT coalesce(max(state), 'none') FROM bisection"; }

conf ref
conf crash
check "ref: the first head builds" maestrino -c "$TMP/ref/configs" -q run --wait
check "crash: the first head builds" maestrino -c "$TMP/crash/configs" -q run --wait
i=1
while [ $i -le 12 ]; do
	if [ $i -eq 9 ]; then
		commit "$up" "drivers: commit $i breaks the build" BROKEN x
		culprit=$(git -C "$up" rev-parse HEAD)
	else
		commit "$up" "lib: commit $i" "lib/c$i.c" "int c$i;"
	fi
	i=$((i + 1))
done

# the uninterrupted one, alongside
(
	n=0
	while [ $n -lt 16 ] && [ "$(state ref)" != "done" ]; do
		maestrino -c "$TMP/ref/configs" -q run --wait >>"$TMP/ref.log" 2>&1
		n=$((n + 1))
	done
) &
refpid=$!

# run --wait takes several steps a run: run-bisect:2 is the stage's
# second round
points="run-bisect bisect-step-recorded ondemand-recorded run-bisect:2
bisect-step-recorded:2 ondemand-recorded"
runs=0
kills=0
: >"$TMP/crash.log"
while [ $runs -lt 40 ] && [ "$(state crash)" != "done" ]; do
	for p in $points; do
		[ "$(state crash)" = "done" ] && break
		MAESTRINO_CRASH_AT=$p maestrino -c "$TMP/crash/configs" -q \
		    run --wait >>"$TMP/crash.log" 2>&1
		[ $? -eq 137 ] && kills=$((kills + 1))
		runs=$((runs + 1))
		# no bisect checkout without its step, whenever it is killed
		db crash "SELECT count(*) FROM checkout c WHERE c.kind =
		    'bisect' AND NOT EXISTS (SELECT 1 FROM bisection_step s WHERE
		    s.checkout_id = c.id)" >>"$TMP/orphans"
	done
done
wait $refpid

is "the uninterrupted one: found" \
    "$(db ref "SELECT outcome || ' ' || culprit FROM bisection")" \
    "found $culprit"
is "the killed one ends the same: found, verified, revert passes" \
    "$(db crash "SELECT outcome || ' ' || culprit || ' ' || confirm || ' ' ||
    verify || ' ' || revert FROM bisection")" "found $culprit pass pass pass"
is "... with the same reason" "$(db crash "SELECT reason FROM bisection")" \
    "$(db ref "SELECT reason FROM bisection")"
for p in bisect-step-recorded ondemand-recorded run-bisect; do
	n=$(grep -c "crashpoint $p: killing myself" "$TMP/crash.log")
	if [ "$n" -ge 2 ]; then
		ok "killed $n times at $p"
	else
		not_ok "killed $n times at $p" "$(tail -n 5 "$TMP/crash.log")"
	fi
done
ok "$kills kills in $runs runs"
steps="SELECT n || ' ' || role || ' ' || commit_hash || ' ' ||
    coalesce(result, '-') FROM bisection_step ORDER BY n"
if [ "$(db crash "$steps")" = "$(db ref "$steps")" ]; then
	ok "the same steps, in the same order, as the uninterrupted one"
else
	db ref "$steps" >"$TMP/ref.steps"
	db crash "$steps" >"$TMP/crash.steps"
	not_ok "the same steps, in the same order, as the uninterrupted one" \
	    "$(diff "$TMP/ref.steps" "$TMP/crash.steps")"
fi
is "no step made twice" \
    "$(db crash "SELECT count(*) FROM (SELECT 1 FROM bisection_step GROUP BY
    role, commit_hash HAVING count(*) > 1)")" 0
is "each step has one checkout, each bisect checkout one step" \
    "$(db crash "SELECT (SELECT count(*) FROM bisection_step WHERE
    checkout_id IS NULL) || ' ' || (SELECT count(*) FROM checkout WHERE
    kind = 'bisect') || ' ' || (SELECT count(DISTINCT checkout_id) FROM
    bisection_step)")" \
    "0 $(db crash "SELECT count(*) FROM bisection_step") $(db crash "SELECT count(*) FROM bisection_step")"
is "never a bisect checkout without its step after a kill" \
    "$(sort -u "$TMP/orphans")" 0
is "one build per bisect checkout" \
    "$(db crash "SELECT count(*) FROM (SELECT 1 FROM build b JOIN checkout c
    ON c.id = b.checkout_id WHERE c.kind = 'bisect' GROUP BY c.id HAVING
    count(*) != 1)")" 0

done_testing
