#!/bin/sh
# maestrino bisect start: a bisection by hand between two commits of a
# tree, through the same machinery (confirm, steps, verify, revert) as
# those the stage starts; what it refuses, with a message naming it and
# nothing recorded; and how `maestrino bisect` then shows it.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
good=$(git -C "$up" rev-parse HEAD)
git -C "$up" tag v6.1-good
i=1
while [ $i -le 16 ]; do
	if [ $i -eq 11 ]; then
		commit "$up" "drivers: commit $i breaks the build" BROKEN "c$i"
		culprit=$(git -C "$up" rev-parse HEAD)
	else
		commit "$up" "lib: commit $i" "lib/c$i.c" "int c$i;"
	fi
	i=$((i + 1))
done
bad=$(git -C "$up" rev-parse HEAD)
config_dir
settings_add 'retries: 0' 'retry_delay: 0'
{
	yaml_tree fix "$up" master
	printf '    commit_url: https://git.example.org/fix/c/{commit}\n'
	yaml_x86_build
	printf 'labs:\n  local: {type: local}\n'
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "poll makes the mirror" maestrino $C poll

check_rc 1 "an unknown tree" maestrino $C bisect start nope v6.1-good master \
    --build x86
has "... is named" "$TMP/out" "no tree 'nope'"
check_rc 1 "an unknown build" maestrino $C bisect start fix v6.1-good master \
    --build arm
has "... is named" "$TMP/out" "no build 'arm'"
check_rc 1 "an unknown ref" maestrino $C bisect start fix v6.1-good nosuch \
    --build x86
has "... is named" "$TMP/out" "'nosuch'"
git -C "$up" tag HEAD v6.1-good 2>/dev/null
check_rc 1 "HEAD, even with a tag of that name pushed" maestrino $C bisect \
    start fix v6.1-good HEAD --build x86
has "... says what to name instead" "$TMP/out" \
    "bisect start: 'HEAD' is not a commit of tree 'fix': name its branch (as master) or a commit"
check_rc 1 "good after bad" maestrino $C bisect start fix master v6.1-good \
    --build x86
has "... says so" "$TMP/out" "not an ancestor"
check_rc 1 "the same commit twice" maestrino $C bisect start fix master \
    "$bad" --build x86
check_rc 2 "a test without its platform" maestrino $C bisect start fix \
    v6.1-good master --build x86 --test smoke
check_rc 2 "no build" maestrino $C bisect start fix v6.1-good master
check_rc 2 "a bad --repeat" maestrino $C bisect start fix v6.1-good master \
    --build x86 --repeat 0
is "nothing recorded by any of them" "$(sql "SELECT count(*) FROM bisection")" 0
check_rc 0 "--help" maestrino $C bisect start --help
has "... shows the usage" "$TMP/out" "usage: maestrino bisect start"

check_rc 0 "started by hand" maestrino $C bisect start fix v6.1-good master \
    --build x86 --json
is "... prints its id" "$(jq -c . "$TMP/out")" '{"bisection":1}'
is "... recorded, queued, by hand, with full ids" \
    "$(sql "SELECT state || ' ' || manual || ' ' || good || ' ' || bad ||
    ' ' || coalesce(good_checkout, 'none') FROM bisection")" \
    "queued 1 $good $bad none"
check_rc 0 "the list shows it queued" maestrino $C bisect
has "... as queued" "$TMP/out" "queued"

check "one run takes it to the end" maestrino $C -q run --wait
is "the culprit is found and checked" \
    "$(sql "SELECT outcome || ' ' || culprit || ' ' || confirm || ' ' ||
    verify || ' ' || revert FROM bisection")" \
    "found $culprit pass pass pass"
check_rc 0 "bisect 1 --json" maestrino $C bisect 1 --json
is "... the JSON names it with full ids" \
    "$(jq -c '.bisections[0] | [.id, .tree, .build, .status, .culprit,
    .good, .bad, .checks.confirm, .checks.verify, .checks.revert]' \
    "$TMP/out")" \
    "[1,\"fix\",\"x86\",\"found\",\"$culprit\",\"$good\",\"$bad\",\"pass\",\"pass\",\"pass\"]"
is "... every step with its commit and result" \
    "$(jq '[.bisections[0].steps[] | select(.commit | test("^[0-9a-f]{40}$"))
    | select(.result == "good" or .result == "bad")] | length' "$TMP/out")" \
    "$(sql "SELECT count(*) FROM bisection_step")"
check_rc 0 "bisect 1 in text" maestrino $C bisect 1
has "... names the culprit's subject" "$TMP/out" "commit 11 breaks the build"
has "... links its commit page" "$TMP/out" \
    "https://git.example.org/fix/c/$culprit"
check_rc 1 "an unknown bisection" maestrino $C bisect 99
check_rc 0 "bisect run: the stage alone" maestrino $C bisect run
has "... says what it did" "$TMP/out" "maestrino-bisect: 0 started"
check_rc 0 "the stage's --help" maestrino-bisect --help
is "the steps never became heads of the branch" \
    "$(sql "SELECT count(*) FROM checkout WHERE kind = 'head'")" 1

done_testing
