#!/bin/sh
# Bisection of a build regression over a history with merges: three
# branches merged into master between the two heads.  The culprit is a
# commit of a merged branch, then a merge commit itself (a merge that
# adds BROKEN in its own tree though neither parent has it).  Each
# finds the culprit with no more steps than `git bisect run` takes on
# the same range, verifies every parent of the culprit, and builds the
# revert (a merge's against its first parent, as git revert -m 1).
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
# (at most 20 runs); the runs made in $runs
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

# merge_into_master BRANCH MESSAGE [FILE]: merge BRANCH into master with
# a fixed clock; with FILE, the merge adds FILE=BROKEN in its own tree
merge_into_master() {
	git_clock=$((git_clock + 60))
	git -C "$up" checkout -q master
	GIT_AUTHOR_DATE="@$git_clock +0000" GIT_COMMITTER_DATE="@$git_clock +0000" \
	    git -C "$up" merge -q --no-ff --no-commit "$1" >/dev/null
	if [ $# -ge 3 ]; then
		echo "made by the merge" >"$up/$3"
		git -C "$up" add "$3"
	fi
	GIT_AUTHOR_DATE="@$git_clock +0000" GIT_COMMITTER_DATE="@$git_clock +0000" \
	    git -C "$up" commit -q -m "$2"
}

# line BRANCH FROM N PREFIX [BREAK_AT]: N commits on a new branch BRANCH
# made from FROM (master itself when BRANCH is master); commit BREAK_AT
# adds BROKEN
line() {
	if [ "$1" != master ]; then
		git -C "$up" checkout -q -b "$1" "$2"
	else
		git -C "$up" checkout -q master
	fi
	_i=1
	while [ $_i -le "$3" ]; do
		if [ "$4$_i" = "${5:-}" ]; then
			commit "$up" "$4: commit $_i breaks the build" BROKEN "$4$_i"
			culprit=$(git -C "$up" rev-parse HEAD)
		else
			commit "$up" "$4: commit $_i" "$4/c$_i.c" "int c$_i;"
		fi
		_i=$((_i + 1))
	done
}

# scenario WHERE: the build broken by WHERE: "s2x4" (the 4th commit of
# the branch side2), "m7" (the 7th of master) or "merge" (the merge of
# side2, which adds BROKEN in its own tree); m7 is left out of the runs
# for time, the other two being the harder cases
scenario() {
	where=$1
	rm -rf "${TMP:?}/up" "${TMP:?}/var" "${TMP:?}/runs.log"
	up=$TMP/up
	culprit=
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
	check "$where: the first head builds" maestrino $C -q run --wait
	good=$(git -C "$up" rev-parse HEAD)
	# master: m1..m3, merge side1 (from good), m4..m6, merge side2
	# (from m2), m7..m9, merge side3 (from the merge of side1), m10
	line side1 "$good" 6 s1x "$where"
	line master - 2 m "$where"
	m2=$(git -C "$up" rev-parse HEAD)
	line side2 "$m2" 6 s2x "$where"
	git -C "$up" checkout -q master
	commit "$up" "m: commit 3" m/c3.c "int c3;"
	merge_into_master side1 "Merge branch 'side1'"
	mside1=$(git -C "$up" rev-parse HEAD)
	line side3 "$mside1" 5 s3x "$where"
	git -C "$up" checkout -q master
	_i=4
	while [ $_i -le 6 ]; do
		commit "$up" "m: commit $_i" "m/c$_i.c" "int c$_i;"
		_i=$((_i + 1))
	done
	if [ "$where" = merge ]; then
		merge_into_master side2 "Merge branch 'side2'" BROKEN
		culprit=$(git -C "$up" rev-parse HEAD)
	else
		merge_into_master side2 "Merge branch 'side2'"
	fi
	_i=7
	while [ $_i -le 9 ]; do
		if [ "m$_i" = "$where" ]; then
			commit "$up" "m: commit $_i breaks the build" BROKEN "m$_i"
			culprit=$(git -C "$up" rev-parse HEAD)
		else
			commit "$up" "m: commit $_i" "m/c$_i.c" "int c$_i;"
		fi
		_i=$((_i + 1))
	done
	merge_into_master side3 "Merge branch 'side3'"
	commit "$up" "m: commit 10" m/c10.c "int c10;"
	bad=$(git -C "$up" rev-parse HEAD)
	is "$where: the range has 3 merges" \
	    "$(git -C "$up" rev-list --merges "$good..$bad" | wc -l)" 3
	is "$where: the culprit is in the range" \
	    "$(git -C "$up" rev-list "$good..$bad" | grep -c "^$culprit$")" 1
	check "$where: the next head is polled and built" \
	    maestrino $C -q run --wait
	is "$where: one bisection for the regression" \
	    "$(sql "SELECT count(*) || ' ' || good || ' ' || bad FROM bisection")" \
	    "1 $good $bad"
	id=$(sql "SELECT id FROM bisection")
	if bisect_until_done "$id"; then
		ok "$where: done in $runs runs"
	else
		not_ok "$where: still $(sql "SELECT state FROM bisection") \
after $runs runs" "$(tail -20 "$TMP/runs.log")"
	fi
	is "$where: culprit found, verified, revert passes" \
	    "$(sql "SELECT outcome || ' ' || culprit || ' ' || confirm ||
	    ' ' || verify || ' ' || revert FROM bisection")" \
	    "found $culprit pass pass pass"
	want=$(git_steps "$good" "$bad")
	got=$(sql "SELECT count(*) FROM bisection_step WHERE role = 'step'")
	if [ "$got" -le "$want" ]; then
		ok "$where: $got steps, git bisect run took $want"
	else
		not_ok "$where: $got steps, git bisect run took $want" \
		    "$(sql "SELECT n || ' ' || commit_hash || ' ' || result FROM
		    bisection_step WHERE role = 'step' ORDER BY n")"
	fi
	# every parent of the culprit is tested good, once each
	is "$where: the verify-parent steps are the culprit's parents" \
	    "$(sql "SELECT commit_hash || ' ' || result FROM bisection_step WHERE
	    role = 'verify-parent' ORDER BY commit_hash")" \
	    "$(git -C "$up" rev-list --parents -n 1 "$culprit" |
	    tr ' ' '\n' | tail -n +2 | sort | sed 's/$/ good/')"
	is "$where: the culprit is bad on its own" \
	    "$(sql "SELECT commit_hash || ' ' || result FROM bisection_step WHERE
	    role = 'verify-culprit'")" "$culprit bad"
	# the revert is a commit on top of bad whose tree is bad's less the
	# culprit's change against its first parent (git revert -m 1)
	rev=$(sql "SELECT commit_hash FROM bisection_step WHERE role = 'revert'")
	is "$where: the revert is made on bad" \
	    "$(git --git-dir="$TMP/var/git/fix.git" rev-parse "$rev^")" "$bad"
	is "$where: ... and takes BROKEN away" \
	    "$(git --git-dir="$TMP/var/git/fix.git" ls-tree --name-only "$rev" BROKEN)" ""
	is "$where: ... and what the culprit brought against its first parent" \
	    "$(git --git-dir="$TMP/var/git/fix.git" diff --name-only "$bad" "$rev")" \
	    "$(git -C "$up" diff --name-only "$culprit^1" "$culprit")"
	is "$where: the revert passes" \
	    "$(sql "SELECT result FROM bisection_step WHERE role = 'revert'")" \
	    good
	is "$where: no commit tested twice in the steps" \
	    "$(sql "SELECT count(*) FROM (SELECT commit_hash FROM bisection_step
	    WHERE role = 'step' GROUP BY commit_hash HAVING count(*) > 1)")" 0
}

scenario s2x4
scenario merge

done_testing
