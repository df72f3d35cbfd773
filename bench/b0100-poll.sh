#!/bin/sh
# Poll 50 local trees whose heads did not change, against `git ls-remote`
# on the same 50 trees one after another; and a first poll of the demo
# kernel tree, with its time and peak memory.
. "$(dirname "$0")/lib.sh"

export HOME="$BTMP" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@b GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@b
mkdir -p "$BTMP/configs" "$BTMP/trees"
printf 'settings:\n  data_dir: %s/var\n' "$BTMP" >"$BTMP/configs/settings.yaml"
echo "trees:" >"$BTMP/configs/trees.yaml"
i=0
while [ $i -lt 50 ]; do
	r="$BTMP/trees/t$i"
	git init -q -b master "$r"
	echo "$i" >"$r/f"
	git -C "$r" add f
	git -C "$r" commit -q -m "c $i"
	git -C "$r" tag "v$i"
	printf '  t%d:\n    url: %s\n    branches: [master]\n' $i "$r" \
	    >>"$BTMP/configs/trees.yaml"
	i=$((i + 1))
done
maestrino-poll -q -c "$BTMP/configs" 2>/dev/null

against_ls_remote "$BTMP/trees" maestrino-poll -q -c "$BTMP/configs"
report "poll: 50 unchanged local trees (best of 5)" "$best_ours" s \
    "50 x git ls-remote" "$best_git" "< 1"

# first poll of the demo kernel tree
demo="$top/var/demo/linux.git"
[ -d "$demo" ] || demo="$BTMP/demo/linux.git"
"$top/scripts/demo-tree.sh" "$demo" 2>/dev/null
mkdir -p "$BTMP/demo-configs"
# file:// on both sides: a real pack transfer, as from a server, not the
# hard links a clone of a local path makes
printf 'settings:\n  data_dir: %s/demo-var\ntrees:\n  demo:\n    url: file://%s\n    branches: [master]\n' \
    "$BTMP" "$demo" >"$BTMP/demo-configs/c.yaml"
measure maestrino-poll -q -c "$BTMP/demo-configs"
ours=$secs
ours_mb=$peak_mb
measure git clone -q --mirror "file://$demo" "$BTMP/clone.git"
report "poll: first poll of the demo kernel" "$ours" s \
    "git clone --mirror file://" "$secs"
report "poll: first poll peak memory" "$ours_mb" MB \
    "git clone --mirror file://" "$peak_mb"
