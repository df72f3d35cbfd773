#!/bin/sh
# Histories a pusher can make that leave nothing to bisect, or too much
# to verify; each ends at once with its reason and gives its slot up,
# and a plain regression queued behind them (max_active 1) is still
# bisected to the end:
#   back    the branch went back: bad is an ancestor of good
#   orphan  the branch now holds another history: no merge base
#   octo    the bad head is an octopus of 4 parents, more than
#           max_steps (3) to verify
#   dup     the bad head names its one parent three times: verified
#           against it once
#   plain   8 commits, the 5th breaks the build: found
. "$(dirname "$0")/lib.sh"

trees="back orphan octo dup plain"
for t in $trees; do
	fixture_repo "$TMP/$t"
done
# back: a commit that breaks the build and the next that mends it,
# pushed together: the head polled passes
commit "$TMP/back" "drivers: break the build" BROKEN x
broken_back=$(git -C "$TMP/back" rev-parse HEAD)
git -C "$TMP/back" rm -q BROKEN
commit "$TMP/back" "drivers: mend the build"
# octo: the good head merges four branches
base=$(git -C "$TMP/octo" rev-parse HEAD)
for i in 1 2 3 4; do
	git -C "$TMP/octo" checkout -q -b "b$i" "$base"
	commit "$TMP/octo" "lib: branch $i" "lib/b$i.c" "int b$i;"
done
git -C "$TMP/octo" checkout -q master
git -C "$TMP/octo" merge -q --no-edit b1 b2 b3 b4 >/dev/null
# plain: nothing yet

config_dir
settings_add 'retries: 0' 'retry_delay: 0' 'bisect:' \
    '  trees: [back, orphan, octo, dup, plain]' '  max_active: 1' \
    '  max_steps: 3'
# write_config: the trees of $trees, the build x86, the local lab
write_config() {
	{
		printf 'trees:\n'
		for t in $trees; do
			yaml_tree_entry "$t" "$TMP/$t" master
		done
		yaml_x86_build
		printf 'labs:\n  local: {type: local}\n'
	} >"$TMP/configs/c.yaml"
}
write_config
C="-c $TMP/configs"
check_rc 0 "the first heads build" maestrino $C -q run --wait
is "and pass" "$(sql "SELECT group_concat(DISTINCT status) FROM build")" PASS
for t in $trees; do
	eval "good_$t=\$(git -C \"\$TMP/\$t\" rev-parse HEAD)"
done

# back: reset to the commit that broke it
git -C "$TMP/back" reset -q --hard "$broken_back"
# orphan: another history, whose head does not build
git -C "$TMP/orphan" checkout -q --orphan other
git -C "$TMP/orphan" rm -rq --cached . >/dev/null
cp -r "$top/tests/data/fake-kernel/." "$TMP/orphan/"
printf 'another history\n' >"$TMP/orphan/OTHER"
git -C "$TMP/orphan" add -A
commit "$TMP/orphan" "Linux 6.1-other"
commit "$TMP/orphan" "drivers: break the build" BROKEN x
git -C "$TMP/orphan" branch -q -M other master
# octo: the same four parents merged again, with the build broken
git -C "$TMP/octo" checkout -q -b scratch
commit "$TMP/octo" "drivers: break the build" BROKEN x
tree=$(git -C "$TMP/octo" rev-parse 'HEAD^{tree}')
bad_octo=$(cd "$TMP/octo" && GIT_AUTHOR_DATE="@$((git_clock + 60)) +0000" \
    GIT_COMMITTER_DATE="@$((git_clock + 60)) +0000" git commit-tree "$tree" \
    -p b1 -p b2 -p b3 -p b4 -m "Merge branches b1 to b4, build broken")
git -C "$TMP/octo" checkout -q master
git -C "$TMP/octo" reset -q --hard "$bad_octo"
# dup: a commit that names its parent three times (git commit-tree
# refuses it; the object is written as it is)
commit "$TMP/dup" "drivers: break the build" BROKEN x
tree=$(git -C "$TMP/dup" rev-parse 'HEAD^{tree}')
bad_dup=$(printf 'tree %s\nparent %s\nparent %s\nparent %s\nauthor A U Thor <a@example.org> %s +0000\ncommitter A U Thor <a@example.org> %s +0000\n\ndrivers: break the build, one parent three times\n' \
    "$tree" "$good_dup" "$good_dup" "$good_dup" "$git_clock" "$git_clock" |
    git -C "$TMP/dup" hash-object -t commit -w --literally --stdin)
git -C "$TMP/dup" reset -q --hard "$bad_dup"
is "dup: the commit names its parent three times" \
    "$(git -C "$TMP/dup" cat-file -p HEAD | grep -c "^parent $good_dup")" 3
# plain: 8 commits, the 5th breaks the build
i=1
while [ $i -le 8 ]; do
	if [ $i = 5 ]; then
		commit "$TMP/plain" "drivers: commit $i breaks the build" \
		    BROKEN x
		cul_plain=$(git -C "$TMP/plain" rev-parse HEAD)
	else
		commit "$TMP/plain" "lib: commit $i" "lib/c$i.c" "int c$i;"
	fi
	i=$((i + 1))
done

run maestrino $C run --wait
cp "$TMP/out" "$TMP/runs.log"
is "the run that found them ends them all: nothing holds a slot" \
    "$(sql "SELECT count(*) || ' ' || group_concat(DISTINCT state) FROM bisection")" \
    "5 done"
# outcome of TREE, and its reason
end_of() {
	sql "SELECT outcome || ': ' || reason FROM bisection WHERE tree = '$1'"
}
steps_of() {
	sql "SELECT count(*) FROM bisection_step s JOIN bisection b ON
	    b.id = s.bisection_id WHERE b.tree = '$1' ${2:+AND s.role = '$2'}"
}
ab() { printf '%.12s' "$1"; }
is "back: gave up, nothing to bisect, and says why" "$(end_of back)" \
    "gave-up: nothing to bisect: bad $(ab "$broken_back") is an ancestor of good $(ab "$good_back") (the branch went back)"
is "back: no step made" "$(steps_of back)" 0
has "back: the run says so" "$TMP/runs.log" \
    "(the branch went back)"
is "orphan: gave up: no common history" "$(end_of orphan)" \
    "gave-up: nothing to bisect: good $(ab "$good_orphan") and bad $(ab "$(git -C "$TMP/orphan" rev-parse HEAD)") share no history"
is "orphan: no step made" "$(steps_of orphan)" 0
is "octo: gave up before verifying four parents" "$(end_of octo)" \
    "gave-up: the first bad commit $(ab "$bad_octo") merges 4 parents, more than max_steps (3) to verify"
is "octo: no parent built" "$(steps_of octo verify-parent)" 0
is "octo: the first bad commit is recorded" \
    "$(sql "SELECT culprit FROM bisection WHERE tree = 'octo'")" "$bad_octo"
is "dup: found" "$(sql "SELECT outcome || ' ' || culprit || ' ' || verify FROM bisection WHERE tree = 'dup'")" \
    "found $bad_dup pass"
is "dup: its parent verified once" "$(steps_of dup verify-parent)" 1
is "plain: found, queued behind the others" \
    "$(sql "SELECT outcome || ' ' || culprit FROM bisection WHERE tree = 'plain'")" \
    "found $cul_plain"
rm -f "$TMP/count"
git -C "$TMP/plain" bisect start --no-checkout HEAD "$good_plain" >/dev/null
git -C "$TMP/plain" bisect run sh -c "echo >>'$TMP/count';
    ! git cat-file -e BISECT_HEAD:BROKEN 2>/dev/null" >/dev/null 2>&1
is "plain: as many steps as git bisect run" "$(steps_of plain step)" \
    "$(wc -l <"$TMP/count" | tr -d ' ')"
check_rc 0 "the next run has nothing stuck" maestrino $C run
is "and starts nothing again" "$(sql "SELECT count(*) FROM bisection")" 5
check_rc 0 "maestrino bisect lists the five" maestrino $C bisect
is "... one line each" "$(grep -c 'gave-up\|found' "$TMP/out")" 5

# a bisection whose tree is taken out of the config ends, and frees
# its slot, rather than failing every run
check_rc 0 "a bisection started by hand" maestrino $C bisect start plain \
    "$good_plain" master --build x86
trees="back orphan octo dup"
sed -i 's/trees: \[back, orphan, octo, dup, plain\]/trees: [back, orphan, octo, dup]/' \
    "$TMP/configs/settings.yaml"
write_config
check_rc 0 "plain taken out of the config: the next run passes" \
    maestrino $C run --wait
is "the bisection of plain gave up, saying why" \
    "$(sql "SELECT state || ' ' || outcome || ': ' || reason FROM bisection WHERE id = 6")" \
    "done gave-up: tree 'plain' is no longer in the config"
done_testing
