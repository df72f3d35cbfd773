#!/bin/sh
# The poll stage on throwaway repositories: branches with '/', tags,
# merges, odd subjects, a force-push, unreachable and non-git remotes,
# the lock, and recovery after a kill.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
kernel_repo "$up" 6 1 0
git -C "$up" tag -a -m "Linux 6.1" v6.1
commit "$up" 'fix <b> & "quotes" — naïve café' src/a.c 'int a;'
git -C "$up" branch feature/x
commit "$up" "feature work" src/b.c 'int b;'

config_dir
{
	yaml_tree up "$up" "master, feature/x"
	yaml_tree_entry gone "$TMP/does-not-exist" master
	yaml_tree_entry notgit "$TMP/configs" master
} >"$TMP/configs/trees.yaml"
C="-c $TMP/configs"

check_rc 1 "first poll: bad trees make exit 1" maestrino $C poll
has "summary line" "$TMP/out" "maestrino-poll: 3 trees, 2 new checkouts, 2 failed"
has "unreachable tree is named" "$TMP/out" "tree 'gone': cannot list '$TMP/does-not-exist'"
has "non-git tree is named" "$TMP/out" "tree 'notgit': cannot list '$TMP/configs'"
is "two checkouts" "$(sql 'SELECT COUNT(*) FROM checkout')" 2
is "branch with a slash" \
    "$(sql "SELECT commit_hash FROM checkout WHERE branch = 'feature/x'")" \
    "$(git -C "$up" rev-parse feature/x)"
is "describe matches git describe --always --tags" \
    "$(sql "SELECT describe FROM checkout WHERE branch = 'master'")" \
    "$(git -C "$up" describe --always --tags master)"
is "subject kept byte for byte" \
    "$(sql "SELECT subject FROM checkout WHERE branch = 'feature/x'")" \
    'fix <b> & "quotes" — naïve café'
is "version from the Makefile" \
    "$(sql "SELECT version || '.' || patchlevel || '.' || sublevel FROM checkout LIMIT 1")" \
    "6.1.0"
is "author" "$(sql "SELECT author_name || ' <' || author_email || '>' FROM checkout LIMIT 1")" \
    "Test Author <author@example.org>"
is "commit time" "$(sql "SELECT commit_time FROM checkout WHERE branch = 'master'")" \
    "$(git -C "$up" log -1 --format=%ct master)"
is "the mirror is bare with both branches and the tag" \
    "$(git --git-dir="$TMP/var/git/up.git" for-each-ref --format='%(refname)' | sort | tr '\n' ' ')" \
    "refs/heads/feature/x refs/heads/master refs/tags/v6.1 "
is "tree errors recorded" "$(sql "SELECT COUNT(*) FROM tree WHERE last_error IS NOT NULL")" 2

# only the good tree from now on
yaml_tree up "$up" "master, feature/x" >"$TMP/configs/trees.yaml"
check_rc 0 "unchanged heads: exit 0" maestrino $C poll
has "no new checkout" "$TMP/out" "1 trees, 0 new checkouts, 0 failed"
is "still two rows" "$(sql 'SELECT COUNT(*) FROM checkout')" 2

# a merge
git -C "$up" checkout -q -b side master~1
commit "$up" "side work" src/c.c 'int c;'
git -C "$up" checkout -q master
git_clock=$((git_clock + 60))
GIT_AUTHOR_DATE="@$git_clock +0000" GIT_COMMITTER_DATE="@$git_clock +0000" \
    git -C "$up" merge -q --no-ff -m "Merge branch 'side'" side
check_rc 0 "a merge is polled" maestrino $C poll
is "merge describe matches git" \
    "$(sql "SELECT describe FROM checkout WHERE branch = 'master' ORDER BY id DESC LIMIT 1")" \
    "$(git -C "$up" describe --always --tags master)"
is "only the newest checkout of a branch is the tip" \
    "$(sql "SELECT group_concat(is_tip, '') FROM (SELECT is_tip FROM checkout WHERE branch = 'master' ORDER BY id)")" \
    "01"

# a release tag on the current head, head unchanged
git -C "$up" tag -a -m "Linux 6.1.1" v6.1.1 master
check_rc 0 "a new tag alone" maestrino $C poll
is "makes no checkout" "$(sql 'SELECT COUNT(*) FROM checkout')" 3
is "but tags the current head" \
    "$(sql "SELECT tags FROM checkout WHERE branch = 'master' AND is_tip = 1")" "v6.1.1"

# a force-push back to an older commit
old=$(git -C "$up" rev-parse master~2)
git -C "$up" reset -q --hard "$old"
check_rc 0 "a force-push is polled" maestrino $C poll
is "it is a new checkout" \
    "$(sql "SELECT commit_hash FROM checkout WHERE branch = 'master' ORDER BY id DESC LIMIT 1")" "$old"
is "of a commit seen before" "$(sql "SELECT COUNT(*) FROM checkout WHERE commit_hash = '$old'")" 2

# a branch that does not exist fails that tree only
{
	yaml_tree up "$up" "master, nope"
	yaml_tree_entry up2 "$up" feature/x
} >"$TMP/configs/trees.yaml"
check_rc 1 "a missing branch exits 1" maestrino $C poll
has "naming the branch" "$TMP/out" "tree 'up': branch 'nope' not found at '$up'"
is "the other tree goes on" "$(sql "SELECT COUNT(*) FROM checkout WHERE tree = 'up2'")" 1

# the lock: a second run does nothing and exits 0
commit "$up" "while locked"
flock "$TMP/var/lock" sleep 5 &
sleep 0.5
before=$(sql 'SELECT COUNT(*) FROM checkout')
check_rc 0 "a second concurrent run exits 0" maestrino $C poll
has "saying another run holds the lock" "$TMP/out" "holds the lock"
is "and touches nothing" "$(sql 'SELECT COUNT(*) FROM checkout')" "$before"
wait

# killed after the fetch, before the row: the next run records it
MAESTRINO_CRASH_AT=poll-fetched maestrino $C poll >"$TMP/out" 2>&1
rc=$?
is "killed after fetch" "$rc" 137
is "no row yet" "$(sql 'SELECT COUNT(*) FROM checkout')" "$before"
check_rc 1 "rerun after the kill" maestrino $C poll
is "records the checkout once" \
    "$(sql "SELECT COUNT(*) FROM checkout WHERE commit_hash = '$(git -C "$up" rev-parse master)'")" 1

# killed while making a new mirror, and a stale ref lock
yaml_tree up3 "$up" master >"$TMP/configs/trees.yaml"
MAESTRINO_CRASH_AT=poll-mirror-made maestrino $C poll >"$TMP/out" 2>&1
is "killed while making a mirror" "$?" 137
[ ! -d "$TMP/var/git/up3.git" ] && ok "no half-made mirror in place" ||
    not_ok "half-made mirror in place"
check_rc 0 "rerun makes the mirror" maestrino $C poll
touch "$TMP/var/git/up3.git/refs/heads/master.lock"
commit "$up" "after a stale lock"
check_rc 0 "a stale ref lock from a kill does not block" maestrino $C poll
has "and is reported" "$TMP/out" "removed stale lock"

check "status --json" sh -c "maestrino $C status --json > '$TMP/status.json'"
is "status counts checkouts" \
    "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(isinstance(d["checkouts"], int), d["checkouts"], d["trees"])' "$TMP/status.json")" \
    "True $(sql 'SELECT COUNT(*) FROM checkout') 1"

done_testing
