#!/bin/sh
# Bisection of a build regression over a linear history of 64 commits:
# the bisect stage finds the regression between two heads, confirms it,
# tests the commits git bisect would pick (never more of them than `git
# bisect run` takes on the same range), verifies the culprit and its
# parent, and builds the culprit reverted on top of bad.  The culprit
# sits first, in the middle and last; each step is a checkout of kind
# bisect that stays out of the branch's history.
. "$(dirname "$0")/lib.sh"

# git_steps GOOD BAD: the commits `git bisect run` tests on that range
git_steps() {
	rm -f "$TMP/count"
	git -C "$up" bisect start --no-checkout "$2" "$1" >/dev/null
	git -C "$up" bisect run sh -c "echo >>'$TMP/count';
	    ! git cat-file -e BISECT_HEAD:BROKEN 2>/dev/null" >/dev/null 2>&1
	git -C "$up" bisect reset -q >/dev/null 2>&1
	wc -l <"$TMP/count"
}

# bisect_until_done ID: `maestrino run --wait` until bisection ID ends
# (at most 20 runs; one is enough when it has ended); the runs made in
# $runs
bisect_until_done() {
	runs=0
	while [ "$runs" -lt 20 ]; do
		runs=$((runs + 1))
		maestrino $C -q run --wait >>"$TMP/runs.log" 2>&1
		[ "$(sql "SELECT state FROM bisection WHERE id = $1")" = "done" ] &&
		    return 0
	done
	return 1
}

# scenario POS: 64 commits on top of a passing head, the build broken by
# commit POS (1..64); bisected from the next head
scenario() {
	pos=$1
	rm -rf "${TMP:?}/up" "${TMP:?}/var" "${TMP:?}/runs.log"
	up=$TMP/up
	fixture_repo "$up"
	config_dir
	settings_add 'retries: 0' 'retry_delay: 0' 'bisect:' \
	    '  trees: [fix]' '  max_steps: 12'
	{
		yaml_tree fix "$up" master
		yaml_x86_build
		printf 'labs:\n  local: {type: local}\n'
	} >"$TMP/configs/c.yaml"
	C="-c $TMP/configs"
	check "pos $pos: the first head builds" maestrino $C -q run --wait
	good=$(git -C "$up" rev-parse HEAD)
	i=1
	while [ $i -le 64 ]; do
		if [ $i -eq "$pos" ]; then
			commit "$up" "drivers: commit $i breaks the build" \
			    BROKEN "commit $i"
			culprit=$(git -C "$up" rev-parse HEAD)
		else
			commit "$up" "lib: commit $i" "lib/c$i.c" "int c$i;"
		fi
		i=$((i + 1))
	done
	bad=$(git -C "$up" rev-parse HEAD)
	check "pos $pos: the next head is polled and built" \
	    maestrino $C -q run --wait
	is "pos $pos: one bisection for the regression" \
	    "$(sql "SELECT count(*) || ' ' || good || ' ' || bad || ' ' ||
	    build || ' [' || platform || ']' FROM bisection")" \
	    "1 $good $bad x86 []"
	is "pos $pos: it covers the failed build" \
	    "$(sql "SELECT count(*) FROM bisection_result r JOIN build b ON
	    b.id = r.ref WHERE r.kind = 'build' AND b.status = 'FAIL'")" 1
	id=$(sql "SELECT id FROM bisection")
	# every step builds on this machine: run --wait takes them all
	is "pos $pos: the run that found it bisected it to the end" \
	    "$(sql "SELECT state FROM bisection")" "done"
	if bisect_until_done "$id"; then
		ok "pos $pos: done in $runs runs"
	else
		not_ok "pos $pos: still $(sql "SELECT state FROM bisection") \
after $runs runs"
		tail -20 "$TMP/runs.log"
	fi
	is "pos $pos: culprit found, verified, revert passes" \
	    "$(sql "SELECT outcome || ' ' || culprit || ' ' || confirm ||
	    ' ' || verify || ' ' || revert FROM bisection")" \
	    "found $culprit pass pass pass"
	want=$(git_steps "$good" "$bad")
	got=$(sql "SELECT count(*) FROM bisection_step WHERE role = 'step'")
	if [ "$got" -le "$want" ]; then
		ok "pos $pos: $got steps, git bisect run took $want"
	else
		not_ok "pos $pos: $got steps, git bisect run took $want"
	fi
	is "pos $pos: the checks are 5 more checkouts" \
	    "$(sql "SELECT count(*) FROM bisection_step WHERE role != 'step'")" 5
	is "pos $pos: every step is a checkout of kind bisect" \
	    "$(sql "SELECT count(*) FROM bisection_step s JOIN checkout c ON
	    c.id = s.checkout_id WHERE c.kind = 'bisect' AND
	    c.only_tests = '[]'")" "$(sql "SELECT count(*) FROM bisection_step")"
	is "pos $pos: the steps are on the branch, the revert (ours) on none" \
	    "$(sql "SELECT group_concat(s.role || ':' || c.branch, ' ') FROM
	    bisection_step s JOIN checkout c ON c.id = s.checkout_id WHERE
	    s.role IN ('confirm-bad', 'revert') ORDER BY s.n")" \
	    "confirm-bad:master revert:"
	is "pos $pos: the branch still has its two heads" \
	    "$(sql "SELECT count(*) FROM checkout WHERE kind = 'head'")" 2
	is "pos $pos: no second bisection" \
	    "$(sql "SELECT count(*) FROM bisection")" 1
	check "pos $pos: a run after the end changes nothing" \
	    maestrino $C -q run --wait
	is "pos $pos: ... no step added" \
	    "$(sql "SELECT count(*) FROM bisection_step")" \
	    "$((got + 5))"
}

scenario 33
scenario 1
scenario 64

done_testing
