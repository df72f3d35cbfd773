#!/bin/sh
# demo-tree.sh [DEST]: make the demo kernel repository that the default
# config polls, from Debian's linux-source package (a real kernel tree).
#
# DEST (default var/demo/linux.git) becomes a bare repository with branch
# master: a first commit "Linux X.Y.Z" tagged vX.Y.Z, and a second commit
# on top.  Author, committer and dates are fixed, so the commit ids are
# the same on every machine with the same linux-source version.  Does
# nothing if DEST already exists.
set -eu

dest=${1:-var/demo/linux.git}
if [ -d "$dest" ] && git --git-dir="$dest" rev-parse -q --verify \
    refs/heads/master >/dev/null 2>&1; then
	exit 0
fi

top=$(cd "$(dirname "$0")/.." && pwd)
src=$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | sort -V | tail -n 1)
if [ -z "$src" ]; then
	"$top/scripts/deps.sh" run
	src=$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$src" ]; then
	echo "demo-tree.sh: no /usr/src/linux-source-*.tar.* (install linux-source)" >&2
	exit 2
fi
command -v git >/dev/null || "$top/scripts/deps.sh" run

parent=$(dirname "$dest")
mkdir -p "$parent"
parent=$(cd "$parent" && pwd)
dest="$parent/$(basename "$dest")"
tmp=$(mktemp -d "$parent/.demo-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "demo-tree.sh: unpacking $src" >&2
start=$(date +%s)
tar -xf "$src" -C "$tmp"
cd "$tmp"/linux-source-*
ver=$(sed -n 's/^VERSION = //p' Makefile)
pl=$(sed -n 's/^PATCHLEVEL = //p' Makefile)
sl=$(sed -n 's/^SUBLEVEL = //p' Makefile)
tag="v$ver.$pl${sl:+.$sl}"
[ "${sl:-0}" = 0 ] && tag="v$ver.$pl"

# Debian's .gitignore ends by ignoring everything at the top level.
sed -i '/^# Debian packaging: ignore everything/,$d' .gitignore

export GIT_CONFIG_NOSYSTEM=1 HOME="$tmp"
export GIT_AUTHOR_NAME="Maestrino Demo" GIT_AUTHOR_EMAIL="demo@maestrino.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z"

echo "demo-tree.sh: committing $tag (about 80k files)" >&2
git init -q -b master .
git config gc.auto 0
git add -A
git commit -q -m "Linux $ver.$pl${sl:+.$sl}"
git tag -a -m "Linux $ver.$pl${sl:+.$sl}" "$tag"

export GIT_AUTHOR_DATE="2025-01-02T00:00:00Z" GIT_COMMITTER_DATE="2025-01-02T00:00:00Z"
printf '\nThis tree was committed by Maestrino'"'"'s demo-tree.sh.\n' >> README
git commit -q -a -m "README: note the demo tree" \
	-m "A second commit, so the demo tree has history after its tag."
# One commit of a source tree gains little from delta search (245 MB
# against 235 MB) and loses a minute to it.
git repack -a -d -q --window=0
git config core.bare true
rm -rf "$dest"
mv .git "$dest"
echo "demo-tree.sh: made $dest ($(git --git-dir="$dest" describe --tags master)) in $(( $(date +%s) - start )) s" >&2
