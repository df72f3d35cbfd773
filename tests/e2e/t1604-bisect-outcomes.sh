#!/bin/sh
# How bisections end, each tree of one config a case, all bisected in
# the same runs:
#   flaky     the bad commit passes on confirm: not reproducible
#   skip      a test bisection meets commits whose build fails: they
#             are skipped, as git bisect skip does, and the culprit is
#             still found
#   onlyskip  the culprit and its parent are skipped: gave up
#   conflict  a later commit edits what the culprit added: the revert
#             does not apply; a head that still fails starts nothing
#   revfail   two commits break the same test: reverting the first one
#             on bad still fails
#   off       not in settings.bisect.trees: never bisected
# then, with max_steps 2 and max_active 1, two more regressions: each
# gives up after two steps, the second queued until the first is done.
# The lab is bisect-lab.py (see there): MARK's lines say what fails.
. "$(dirname "$0")/lib.sh"

lab() {
	/usr/bin/python3 "$top/tests/e2e/bisect-lab.py" "$TMP/farm" \
	    "$top/tests/data/lava" >>"$TMP/lab.out" 2>&1 ||
	    echo "lab failed: $(tail -n 3 "$TMP/lab.out")" >>"$TMP/runs.log"
}

# one_run: `maestrino run --wait`, then the lab answers every job
one_run() {
	maestrino $C -q run --wait >>"$TMP/runs.log" 2>&1
	lab
}

# git_steps TREE GOOD BAD: the commits `git bisect run` tests on that
# range of a test regression: skip (125) where BROKEN is, bad where
# MARK has a "fail" line
git_steps() {
	rm -f "$TMP/count"
	git -C "$TMP/$1" bisect start --no-checkout "$3" "$2" >/dev/null
	git -C "$TMP/$1" bisect run sh -c "echo >>'$TMP/count';
	    git cat-file -e BISECT_HEAD:BROKEN 2>/dev/null && exit 125;
	    ! git show BISECT_HEAD:MARK | grep -q '^fail'" >/dev/null 2>&1
	git -C "$TMP/$1" bisect reset -q >/dev/null 2>&1
	wc -l <"$TMP/count"
}

# mark LINE1 LINE9: MARK with LINE1 and LINE9 apart, so that a change
# to one reverts cleanly past a change to the other
mark() {
	printf '%s\n-\n-\n-\n-\n-\n-\n-\n%s\n' "$1" "$2"
}

# history TREE N: N commits on TREE, commit i made by the function
# "at_TREE i" when it makes one (it returns 0), else an unrelated one;
# the head before them in good_TREE, after in bad_TREE
history() {
	eval "good_$1=\$(git -C \"\$TMP/\$1\" rev-parse HEAD)"
	_i=1
	while [ $_i -le "$2" ]; do
		"at_$1" $_i || commit "$TMP/$1" "lib: commit $_i" \
		    "lib/c$_i.c" "int c$_i;"
		_i=$((_i + 1))
	done
	eval "bad_$1=\$(git -C \"\$TMP/\$1\" rev-parse HEAD)"
}
head_of() { git -C "$TMP/$1" rev-parse HEAD; }
rm_commit() {
	git -C "$TMP/$1" rm -q "$2"
	commit "$TMP/$1" "$3"
}

at_flaky() {
	[ "$1" = 5 ] || return 1
	commit "$TMP/flaky" "smoke: uname fails once" MARK \
	    "$(mark 'failonce board uname' ok)"
}
at_skip() {
	case $1 in
	8) commit "$TMP/skip" "drivers: break the build" BROKEN "unrelated" ;;
	10) rm_commit skip BROKEN "drivers: mend the build" ;;
	13) commit "$TMP/skip" "smoke: break uname" MARK \
		"$(mark 'fail board uname' ok)"
		cul_skip=$(head_of skip) ;;
	*) return 1 ;;
	esac
}
at_onlyskip() {
	case $1 in
	3) commit "$TMP/onlyskip" "drivers: break the build" BROKEN x ;;
	4) commit "$TMP/onlyskip" "smoke: break uname" MARK \
		"$(mark 'fail board uname' ok)" ;;
	5) rm_commit onlyskip BROKEN "drivers: mend the build" ;;
	*) return 1 ;;
	esac
}
at_conflict() {
	case $1 in
	3) commit "$TMP/conflict" "drivers: break the build" BROKEN first
		cul_conflict=$(head_of conflict) ;;
	6) commit "$TMP/conflict" "drivers: reword it" BROKEN second ;;
	*) return 1 ;;
	esac
}
at_revfail() {
	case $1 in
	3) commit "$TMP/revfail" "smoke: break uname" MARK \
		"$(mark 'fail board uname' ok)"
		cul_revfail=$(head_of revfail) ;;
	6) commit "$TMP/revfail" "smoke: break uname again" MARK \
		"$(mark 'fail board uname' 'fail board uname')" ;;
	*) return 1 ;;
	esac
}
at_off() {
	[ "$1" = 2 ] && commit "$TMP/off" "drivers: break the build" BROKEN x
}

trees="flaky skip onlyskip conflict revfail off"
config_dir
settings_add 'retries: 0' 'retry_delay: 0' 'bisect:' \
    '  trees: [flaky, skip, onlyskip, conflict, revfail]' \
    '  max_active: 8' '  max_steps: 12'
write_config() {
	{
		printf 'trees:\n'
		for t in $trees; do
			yaml_tree_entry "$t" "$TMP/$t" master
		done
		yaml_x86_build
		printf 'platforms:\n'
		yaml_platform board x86-pc grub
		yaml_pull_lab
		printf '  local:\n    type: local\n    jobs: 2\n'
		printf 'tests:\n'
		yaml_test smoke smoke farm board
	} >"$TMP/configs/c.yaml"
}
C="-c $TMP/configs"
for t in $trees; do
	fixture_repo "$TMP/$t"
	commit "$TMP/$t" "mark: nothing wrong" MARK "$(mark ok ok)"
done
write_config
one_run
one_run
is "the first heads pass everywhere" \
    "$(sql "SELECT count(*) || ' ' || sum(status = 'PASS') FROM build")" \
    "6 6"
for t in $trees; do
	case $t in
	skip) history "$t" 16 ;;
	*) history "$t" 8 ;;
	esac
done
one_run
one_run
is "a bisection for each regression of a tree in settings.bisect.trees" \
    "$(sql "SELECT group_concat(tree || ':' || (build || ' ' || test ||
    ' ' || path), ', ') FROM (SELECT * FROM bisection ORDER BY tree)")" \
    "conflict:x86  , flaky:x86 smoke smoke.uname, onlyskip:x86 smoke smoke.uname, revfail:x86 smoke smoke.uname, skip:x86 smoke smoke.uname"
is "(i) none on the tree that is not there, whose build regressed too" \
    "$(sql "SELECT count(*) FROM build b JOIN checkout c ON c.id =
    b.checkout_id WHERE c.tree = 'off' AND b.status = 'FAIL'")" 1
# (h) the next head of conflict still fails while it is bisected
commit "$TMP/conflict" "lib: after the heads" lib/after.c "int after;"
runs=0
while [ $runs -lt 20 ] &&
    [ "$(sql "SELECT count(*) FROM bisection WHERE state != 'done'")" != 0 ]; do
	one_run
	runs=$((runs + 1))
done
is "all done in $runs runs" \
    "$(sql "SELECT count(*) FROM bisection WHERE state != 'done'")" 0

outcome() {
	sql "SELECT outcome || ' ' || coalesce(culprit, '-') || ' ' ||
	    coalesce(confirm, '-') || ' ' || coalesce(verify, '-') || ' ' ||
	    coalesce(revert, '-') FROM bisection WHERE tree = '$1'"
}
reason() { sql "SELECT reason FROM bisection WHERE tree = '$1'"; }
steps() {
	sql "SELECT group_concat(role || ' ' || result, ', ') FROM (SELECT
	    role, result FROM bisection_step s JOIN bisection b ON b.id =
	    s.bisection_id WHERE b.tree = '$1' ORDER BY s.n)"
}

# (a)
is "(a) flaky: not reproducible, confirm failed" "$(outcome flaky)" \
    "not-reproducible - fail - -"
case $(reason flaky) in
confirm:*"${bad_flaky%????????????????????????????}"*"passed again"*)
	ok "(a) the reason names confirm and the bad commit" ;;
*) not_ok "(a) the reason names confirm and the bad commit" "$(reason flaky)" ;;
esac
is "(a) no step past the confirmation" "$(steps flaky)" \
    "confirm-good good, confirm-bad good"

# (b)
is "(b) skip: the culprit is found all the same" "$(outcome skip)" \
    "found $cul_skip pass pass pass"
is "(b) the steps whose build failed are skips" \
    "$(sql "SELECT DISTINCT s.result || ': ' || s.detail FROM bisection_step
    s JOIN bisection b ON b.id = s.bisection_id JOIN checkout c ON c.id =
    s.checkout_id JOIN build d ON d.checkout_id = c.id WHERE b.tree = 'skip'
    AND d.status = 'FAIL'")" "skip: build x86 FAIL, so smoke did not run"
is "(b) ... and only they" \
    "$(sql "SELECT count(*) FROM bisection_step s JOIN bisection b ON b.id =
    s.bisection_id WHERE b.tree = 'skip' AND s.result = 'skip'")" \
    "$(sql "SELECT count(*) FROM bisection_step s JOIN bisection b ON b.id =
    s.bisection_id JOIN build d ON d.checkout_id = s.checkout_id WHERE
    b.tree = 'skip' AND d.status = 'FAIL'")"
# git bisect skip: a skipped commit is never picked again, and the
# next pick is the best of those left
is "(b) no commit picked twice" \
    "$(sql "SELECT count(*) FROM (SELECT commit_hash FROM bisection_step s
    JOIN bisection b ON b.id = s.bisection_id WHERE b.tree = 'skip' AND
    role = 'step' GROUP BY commit_hash HAVING count(*) > 1)")" 0
nskip=$(sql "SELECT count(*) FROM bisection_step s JOIN bisection b ON
    b.id = s.bisection_id WHERE b.tree = 'skip' AND result = 'skip'")
if [ "$nskip" -ge 1 ]; then ok "(b) $nskip skipped"; else
	not_ok "(b) no step skipped" "$(steps skip)"; fi
want=$(git_steps skip "$good_skip" "$bad_skip")
got=$(sql "SELECT count(*) FROM bisection_step s JOIN bisection b ON b.id =
    s.bisection_id WHERE b.tree = 'skip' AND role = 'step'")
if [ "$got" -le "$want" ]; then
	ok "(b) $got steps, git bisect run took $want"
else
	not_ok "(b) $got steps, git bisect run took $want" "$(steps skip)"
fi

# (c)
is "(c) only skipped commits left: gave up" "$(outcome onlyskip)" \
    "gave-up - pass - -"
case $(reason onlyskip) in
"only skipped commits left"*) ok "(c) the reason says so" ;;
*) not_ok "(c) the reason says so" "$(reason onlyskip)" ;;
esac

# (e)
is "(e) conflict: found, verified, the revert does not apply" \
    "$(outcome conflict)" "found $cul_conflict pass pass conflict"
case $(reason conflict) in
*"does not apply"*) ok "(e) the reason says the revert does not apply" ;;
*) not_ok "(e) the reason says the revert does not apply" "$(reason conflict)" ;;
esac
is "(e) no revert step" \
    "$(sql "SELECT count(*) FROM bisection_step s JOIN bisection b ON b.id =
    s.bisection_id WHERE b.tree = 'conflict' AND role = 'revert'")" 0
# (h)
is "(h) the third head of conflict is in and still fails" \
    "$(sql "SELECT group_concat(d.status, ' ') FROM (SELECT d.status FROM
    build d JOIN checkout c ON c.id = d.checkout_id WHERE c.tree =
    'conflict' AND c.kind = 'head' ORDER BY c.id) d")" "PASS FAIL FAIL"
is "(h) ... with no second bisection" \
    "$(sql "SELECT count(*) FROM bisection WHERE tree = 'conflict'")" 1

# (f)
is "(f) revfail: found, verified, the revert still fails" \
    "$(outcome revfail)" "revert-fails $cul_revfail pass pass fail"
case $(reason revfail) in
*"reverted on"*"runs"*) ok "(f) the reason says what the revert gave" ;;
*) not_ok "(f) the reason says what the revert gave" "$(reason revfail)" ;;
esac

# (i)
is "(i) off: never bisected" \
    "$(sql "SELECT count(*) FROM bisection WHERE tree = 'off'")" 0
is "(i) no step checkout of off" \
    "$(sql "SELECT count(*) FROM checkout WHERE tree = 'off' AND
    kind != 'head'")" 0

# ---- (d) max_steps and (g) max_active ----
sed -i -e 's/^    max_active: 8$/    max_active: 1/' \
    -e 's/^    max_steps: 12$/    max_steps: 2/' \
    -e 's/^    trees: \[.*\]$/    trees: [q1, q2]/' \
    "$TMP/configs/settings.yaml"
at_q1() { [ "$1" = 20 ] && commit "$TMP/q1" "drivers: break" BROKEN x; }
at_q2() { [ "$1" = 9 ] && commit "$TMP/q2" "drivers: break" BROKEN x; }
trees="q1 q2"
for t in $trees; do
	fixture_repo "$TMP/$t"
done
write_config
one_run
one_run
history q1 32
history q2 32
runs=0
: >"$TMP/states"
: >"$TMP/runs.log"
while [ $runs -lt 14 ] && [ "$(sql "SELECT count(*) FROM bisection WHERE
    tree IN ('q1', 'q2') AND state = 'done'")" != 2 ]; do
	one_run
	sql "SELECT group_concat(state, ' ') FROM (SELECT state FROM bisection
	    WHERE tree IN ('q1', 'q2') ORDER BY id)" >>"$TMP/states"
	runs=$((runs + 1))
done
is "(d) both gave up after 2 steps, naming max_steps" \
    "$(sql "SELECT group_concat(tree || ' ' || outcome || ' ' ||
    (SELECT count(*) FROM bisection_step s WHERE s.bisection_id = b.id AND
    role = 'step') || ' ' || (reason LIKE '%max_steps%'), ', ') FROM
    (SELECT * FROM bisection WHERE tree IN ('q1', 'q2') ORDER BY tree) b")" \
    "q1 gave-up 2 1, q2 gave-up 2 1"
# the slot the first frees goes to the second in the same run, and run
# --wait takes its steps at once: the stage's lines show it waited
has "(g) the second waited for a slot" "$TMP/runs.log" " 1 queued,"
is "(g) ... never both active" \
    "$(grep -cv 'queued\|done' "$TMP/states")" 0
is "(g) ... the second's steps all made after the first ended" \
    "$(sql "SELECT min(s.id) > (SELECT max(id) FROM bisection_step WHERE
    bisection_id = (SELECT min(id) FROM bisection WHERE tree IN ('q1',
    'q2'))) FROM bisection_step s WHERE s.bisection_id = (SELECT max(id) FROM
    bisection WHERE tree IN ('q1', 'q2'))")" 1

done_testing
