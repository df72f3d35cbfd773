#!/bin/sh
# Bisection of boot and test regressions through the pull lab.  The lab
# (bisect-lab.py) looks at each job's kernel image for the text the
# tree's MARK file puts there: one commit makes board2 stop booting,
# a later one makes two smoke cases fail on board.  That is one
# bisection per platform that regressed (board's two cases are one
# bisection with two results), each restricted to the smoke test on
# its own platform.  With settings.bisect.repeat 3, each step runs its
# test three times and the lab fails one of the three on a bad commit:
# one failure out of three is bad.
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

# git_steps GOOD BAD TEXT: the commits `git bisect run` tests on that
# range, a commit being bad when its MARK has the line TEXT
git_steps() {
	rm -f "$TMP/count"
	git -C "$up" bisect start --no-checkout "$2" "$1" >/dev/null
	git -C "$up" bisect run sh -c "echo >>'$TMP/count';
	    ! git show BISECT_HEAD:MARK | grep -qx '$3'" >/dev/null 2>&1
	git -C "$up" bisect reset -q >/dev/null 2>&1
	wc -l <"$TMP/count"
}

# mark LINE1 LINE9: MARK with LINE1 and LINE9 apart, so that a change
# to one reverts cleanly past a change to the other
mark() {
	printf '%s\n-\n-\n-\n-\n-\n-\n-\n%s\n' "$1" "$2"
}

up=$TMP/up
fixture_repo "$up"
commit "$up" "mark: nothing wrong" MARK "$(mark ok ok)"
config_dir
settings_add 'retries: 0' 'retry_delay: 0' 'bisect:' '  trees: [fix]' \
    '  max_steps: 12' '  repeat: 3'
pull_lab_config board board2
C="-c $TMP/configs"

one_run
one_run
is "the first head: every test passes on both boards" \
    "$(sql "SELECT count(*) || ' ' || count(DISTINCT platform) || ' ' ||
    sum(status = 'PASS') FROM test")" "14 2 14"
good=$(git -C "$up" rev-parse HEAD)
i=1
while [ $i -le 24 ]; do
	case $i in
	7)	commit "$up" "board2: commit $i breaks the boot" MARK \
		    "$(mark 'bootfail board2' ok)"
		boot_culprit=$(git -C "$up" rev-parse HEAD) ;;
	16)	commit "$up" "smoke: commit $i breaks uname and cpuinfo on board" \
		    MARK "$(mark 'bootfail board2' 'fail board uname cpuinfo')"
		test_culprit=$(git -C "$up" rev-parse HEAD) ;;
	*)	commit "$up" "lib: commit $i" "lib/c$i.c" "int c$i;" ;;
	esac
	i=$((i + 1))
done
bad=$(git -C "$up" rev-parse HEAD)
one_run
one_run
is "the next head: board2 does not boot, board fails two cases" \
    "$(sql "SELECT group_concat(platform || ' ' || path, ', ') FROM (SELECT
    t.platform, t.path FROM test t JOIN build b ON b.id = t.build_id WHERE
    b.checkout_id = 2 AND t.status = 'FAIL' ORDER BY 1, 2)")" \
    "board smoke.cpuinfo, board smoke.uname, board2 boot"
is "one bisection per platform that regressed" \
    "$(sql "SELECT group_concat(platform || ' ' || test || ' ' || build ||
    ' ' || path || ' ' || repeat, ', ') FROM (SELECT * FROM bisection
    ORDER BY platform)")" \
    "board smoke x86 smoke.cpuinfo 3, board2 smoke x86 boot 3"
tb=$(sql "SELECT id FROM bisection WHERE platform = 'board'")
bb=$(sql "SELECT id FROM bisection WHERE platform = 'board2'")
is "board's covers both failed cases" \
    "$(sql "SELECT group_concat(t.path, ' ') FROM (SELECT t.path FROM
    bisection_result r JOIN test t ON t.id = r.ref WHERE r.kind = 'test'
    AND r.bisection_id = $tb ORDER BY t.path) t")" \
    "smoke.cpuinfo smoke.uname"
is "board2's covers its boot" \
    "$(sql "SELECT group_concat(t.path || ' ' || t.platform, ' ') FROM
    bisection_result r JOIN test t ON t.id = r.ref WHERE r.kind = 'test'
    AND r.bisection_id = $bb")" "boot board2"

runs=0
while [ $runs -lt 24 ] &&
    [ "$(sql "SELECT count(*) FROM bisection WHERE state != 'done'")" != 0 ]; do
	one_run
	runs=$((runs + 1))
done
is "both done in $runs runs" \
    "$(sql "SELECT count(*) FROM bisection WHERE state = 'done'")" 2
is "board2: the boot culprit, verified, revert passes" \
    "$(sql "SELECT outcome || ' ' || culprit || ' ' || confirm || ' ' ||
    verify || ' ' || revert FROM bisection WHERE id = $bb")" \
    "found $boot_culprit pass pass pass"
is "board: the test culprit, verified, revert passes" \
    "$(sql "SELECT outcome || ' ' || culprit || ' ' || confirm || ' ' ||
    verify || ' ' || revert FROM bisection WHERE id = $tb")" \
    "found $test_culprit pass pass pass"
for b in "$bb boot board2" "$tb test board"; do
	set -- $b
	case $2 in
	boot) want=$(git_steps "$good" "$bad" 'bootfail board2') ;;
	*) want=$(git_steps "$good" "$bad" 'fail board uname cpuinfo') ;;
	esac
	got=$(sql "SELECT count(*) FROM bisection_step WHERE bisection_id = $1
	    AND role = 'step'")
	if [ "$got" -gt 0 ] && [ "$got" -le "$want" ]; then
		ok "$2: $got steps, git bisect run took $want"
	else
		not_ok "$2: $got steps, git bisect run took $want"
	fi
	is "$2: every step is restricted to smoke on $3" \
	    "$(sql "SELECT DISTINCT c.kind || ' ' || c.only_builds || ' ' ||
	    c.only_tests || ' ' || c.only_platforms || ' ' || c.test_repeat
	    FROM bisection_step s JOIN checkout c ON c.id = s.checkout_id
	    WHERE s.bisection_id = $1")" \
	    "bisect [\"x86\"] [\"smoke\"] [\"$3\"] 3"
	is "$2: the lab got jobs for $3 only, three per step" \
	    "$(sql "SELECT DISTINCT j.platform || ' ' || j.n FROM (SELECT
	    b.checkout_id, j.platform, count(*) OVER (PARTITION BY
	    b.checkout_id) AS n FROM job j JOIN build b ON b.id = j.build_id
	    WHERE j.kind = 'test') j JOIN bisection_step s ON s.checkout_id =
	    j.checkout_id WHERE s.bisection_id = $1")" "$3 3"
	is "$2: each step's jobs are ID, ID.2 and ID.3" \
	    "$(sql "SELECT count(*) FROM bisection_step s JOIN build b ON
	    b.checkout_id = s.checkout_id JOIN job j ON j.build_id = b.id AND
	    j.kind = 'test' WHERE s.bisection_id = $1 AND j.id NOT GLOB '*.2'
	    AND j.id NOT GLOB '*.3' AND EXISTS (SELECT 1 FROM job k WHERE
	    k.id = j.id || '.2') AND EXISTS (SELECT 1 FROM job k WHERE
	    k.id = j.id || '.3')")" \
	    "$(sql "SELECT count(*) FROM bisection_step WHERE
	    bisection_id = $1")"
	is "$2: every bad step failed one run of three" \
	    "$(sql "SELECT DISTINCT detail FROM bisection_step WHERE
	    bisection_id = $1 AND result = 'bad'")" "1 of 3 runs failed"
	is "$2: every good step passed three" \
	    "$(sql "SELECT DISTINCT substr(detail, 1, 18) FROM bisection_step
	    WHERE bisection_id = $1 AND result = 'good'")" "3 of 3 runs passed"
done
has "the lab failed only the .2 jobs of bisection steps" "$TMP/farm/lab.log" \
    ".2 board fail cpuinfo,uname"
is "... and never another of them" \
    "$(grep -E '\.[13] .* (fail|bootfail)' "$TMP/farm/lab.log" | head -n 3)" ""
is "board's boot, which never failed, is not bisected" \
    "$(sql "SELECT count(*) FROM bisection WHERE platform = 'board' AND
    path = 'boot'")" 0
is "still two bisections after the runs" \
    "$(sql "SELECT count(*) FROM bisection")" 2
is "the branch still has its two heads" \
    "$(sql "SELECT count(*) FROM checkout WHERE kind = 'head'")" 2

done_testing
