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

# the same first poll with `reference`: the mirror borrows the objects of
# a clone already on the machine (the demo tree itself, as a runner or
# node with a kernel clone has one) and fetches what it lacks; against
# `git clone --mirror` of the same tree, measured again here
mkdir -p "$BTMP/ref-configs"
printf 'settings:\n  data_dir: %s/ref-var\n  reference: %s\ntrees:\n  demo:\n    url: file://%s\n    branches: [master]\n' \
    "$BTMP" "$demo" "$demo" >"$BTMP/ref-configs/c.yaml"
measure maestrino-poll -q -c "$BTMP/ref-configs"
ref_secs=$secs
rm -rf "$BTMP/clone.git"
measure git clone -q --mirror "file://$demo" "$BTMP/clone.git"
report "poll: first poll, demo kernel, reference" "$ref_secs" s \
    "git clone --mirror file://" "$secs" "< 1"
report "poll: first poll, demo kernel, no reference" "$ours" s \
    "first poll with reference" "$ref_secs"
kb() {
	du -sk "$1" | cut -f1
}
report "poll: mirror on disk, reference (KB)" "$(kb "$BTMP/ref-var/git/demo.git")" KB \
    "mirror without reference" "$(kb "$BTMP/demo-var/git/demo.git")"

# a reference one commit behind the tree (a clone of its release tag),
# over git:// from git daemon on loopback: the smart protocol of https
# and ssh, where the fetch names what the reference has and gets the
# one new commit
tag=$(git --git-dir="$demo" describe --tags --abbrev=0 master)
git clone -q --bare --no-local --single-branch --branch "$tag" \
    "file://$demo" "$BTMP/behind.git" 2>/dev/null
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
git daemon --listen=127.0.0.1 --port="$port" --export-all \
    --base-path="$(dirname "$demo")" --reuseaddr "$(dirname "$demo")" \
    >/dev/null 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; rm -rf "$BTMP"' EXIT
sleep 1
mkdir -p "$BTMP/behind-configs"
printf 'settings:\n  data_dir: %s/behind-var\n  reference: %s\ntrees:\n  demo:\n    url: git://127.0.0.1:%s/%s\n    branches: [master]\n' \
    "$BTMP" "$BTMP/behind.git" "$port" "$(basename "$demo")" \
    >"$BTMP/behind-configs/c.yaml"
measure maestrino-poll -q -c "$BTMP/behind-configs"
behind_secs=$secs
measure git clone -q --mirror "git://127.0.0.1:$port/$(basename "$demo")" \
    "$BTMP/clone-git.git"
report "poll: first poll, reference 1 commit behind" "$behind_secs" s \
    "git clone --mirror git://" "$secs" "< 1"
kill $daemon 2>/dev/null
