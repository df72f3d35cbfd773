#!/bin/sh
# Mirrors that borrow their objects from a reference clone
# (settings.reference, trees.<name>.reference): a first poll fetches only
# what the reference lacks, and the checkouts and tarballs are the same
# as without it; bad references are errors naming the tree and the path.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
i=1
while [ $i -le 12 ]; do
	commit "$up" "change $i" "src/f$i.c" "int f$i;"
	i=$((i + 1))
done
git -C "$up" tag -a -m "Linux 6.1" v6.1
git -C "$up" branch -q stable
# the references, made before the tree moves on (and tagged since)
git clone -q --bare "$up" "$TMP/ref.git"
git clone -q "$up" "$TMP/ref-work"
git clone -q --bare --depth 1 "file://$up" "$TMP/shallow.git"
commit "$up" "after the reference 1" src/new1.c 'int n1;'
commit "$up" "after the reference 2" src/new2.c 'int n2;'
git -C "$up" tag v6.2-rc1

# the tree is served by git daemon on loopback: the smart protocol of
# https and ssh, where the fetch tells the server what it has
port=$(free_port)
git daemon --listen=127.0.0.1 --port="$port" --export-all \
    --base-path="$TMP" --reuseaddr "$TMP" >"$TMP/daemon.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null' EXIT
wait_port "$port"
url=git://127.0.0.1:$port/up

# config NAME [SETTINGS-LINE]: a config dir $TMP/NAME whose data dir is
# $TMP/NAME/var, polling $url as tree "up"
config() {
	mkdir -p "$TMP/$1"
	{
		printf 'settings:\n  origin: test\n  data_dir: %s/%s/var\n' \
		    "$TMP" "$1"
		[ $# -lt 2 ] || printf '  %s\n' "$2"
		printf 'trees:\n  up:\n    url: %s\n' "$url"
		printf '    branches: [master, stable]\n'
	} >"$TMP/$1/c.yaml"
}
# own DATADIR TREE: objects in the mirror's own objects directory
own() {
	git --git-dir="$1/git/$2.git" count-objects -v |
	    awk '/^count:|^in-pack:/ { n += $2 } END { print n }'
}
# rows DB TREE: a tree's checkouts, all but id and times of recording
rows() {
	sqlite3 -batch "$1" "SELECT branch, commit_hash, describe, version,
	    patchlevel, sublevel, extraversion, subject, message, author_name,
	    author_email, commit_time, tags FROM checkout WHERE tree = '$2'
	    ORDER BY branch"
}

config plain
config borrow "reference: $TMP/ref.git"
{
	# a tree of its own: the non-bare clone
	printf '  work:\n    url: %s\n    branches: [master]\n' "$url"
	printf '    reference: %s\n' "$TMP/ref-work"
	# relative to the directory Maestrino runs in ($TMP)
	printf '  rel:\n    url: %s\n    branches: [master]\n' "$url"
	printf '    reference: ref.git\n'
	# "" turns the default off
	printf '  none:\n    url: %s\n    branches: [master]\n' "$url"
	printf '    reference: ""\n'
	# a local path: a reference wins over hard links (libgit2's local
	# transport sends the whole tree of each annotated tag: no count)
	printf '  path:\n    url: %s\n    branches: [master]\n' "$up"
} >>"$TMP/borrow/c.yaml"

check_rc 0 "first poll without a reference" maestrino -c "$TMP/plain" poll
check_rc 0 "first poll with references" maestrino -c "$TMP/borrow" poll
has "every tree polled" "$TMP/out" "5 trees, 6 new checkouts, 0 failed"
P=$TMP/plain/var
B=$TMP/borrow/var
is "the mirror borrows from the reference's objects" \
    "$(cat "$B/git/up.git/objects/info/alternates")" "$TMP/ref.git/objects"
is "a non-bare reference lends its .git/objects" \
    "$(cat "$B/git/work.git/objects/info/alternates")" \
    "$TMP/ref-work/.git/objects"
is "a relative reference is made absolute" \
    "$(cat "$B/git/rel.git/objects/info/alternates")" "$TMP/ref.git/objects"
[ ! -e "$B/git/none.git/objects/info/alternates" ] &&
    ok "reference: \"\" borrows from none" || not_ok "none.git borrows"
[ -e "$B/git/path.git/objects/info/alternates" ] &&
    ok "a local path borrows too" || not_ok "path.git does not borrow"
plain_n=$(own "$P" up)
for t in up work rel; do
	n=$(own "$B" "$t")
	if [ "$n" -gt 0 ] && [ "$n" -le 12 ] && [ "$plain_n" -ge 40 ]; then
		ok "$t: fetched $n objects, against $plain_n without reference"
	else
		not_ok "$t: $n objects in the mirror, $plain_n without reference"
	fi
done
is "without a reference, a tree fetches everything" "$(own "$B" none)" \
    "$plain_n"
for t in up path; do
	check "$t: git finds every object of the mirror (fsck)" \
	    git --git-dir="$B/git/$t.git" fsck --no-progress --connectivity-only
done
is "no borrowed ref is left in the mirror" \
    "$(git --git-dir="$B/git/up.git" for-each-ref --format='%(refname)' |
    tr '\n' ' ')" \
    "refs/heads/master refs/heads/stable refs/tags/v6.1 refs/tags/v6.2-rc1 "
is "checkouts identical to a poll without reference" \
    "$(rows "$B/state.db" up)" "$(rows "$P/state.db" up)"
is "and with a non-bare reference" \
    "$(rows "$B/state.db" work)" \
    "$(rows "$P/state.db" up | sed '/^stable|/,$d')"
is "describe as git's" \
    "$(sqlite3 "$B/state.db" "SELECT describe FROM checkout WHERE tree = 'up'
    AND branch = 'master'")" "$(git -C "$up" describe --always --tags master)"

# git abbreviates ids by the number of objects, borrowed ones included:
# 17,000 objects (all in the reference) make it 8 digits, not 7
big=$TMP/big.git
git init -q --bare "$big"
awk 'BEGIN {
	for (i = 1; i <= 17000; i++)
		printf "blob\nmark :%d\ndata <<E\n%d\nE\n", i, i
	printf "commit refs/heads/master\n"
	printf "committer C <c@example.org> 1735689600 +0000\ndata 4\nbig\n"
	for (i = 1; i <= 17000; i++)
		printf "M 100644 :%d f/%d\n", i, i
}' | git --git-dir="$big" fast-import --quiet
git clone -q --bare "$big" "$TMP/bigref.git"
top_commit=$(GIT_AUTHOR_DATE="@$git_clock +0000" \
    GIT_COMMITTER_DATE="@$git_clock +0000" git --git-dir="$big" \
    commit-tree -p master -m "on top" "master^{tree}")
git --git-dir="$big" update-ref refs/heads/master "$top_commit"
mkdir -p "$TMP/bigc"
printf 'settings:\n  data_dir: %s/bigc/var\ntrees:\n  big:\n    url: git://127.0.0.1:%s/big.git\n    branches: [master]\n    reference: %s/bigref.git\n' \
    "$TMP" "$port" "$TMP" >"$TMP/bigc/c.yaml"
check_rc 0 "a tree of 17,000 objects, borrowed" maestrino -c "$TMP/bigc" poll
want=$(git --git-dir="$big" describe --always --tags master)
is "its describe abbreviates as git's does (${#want} digits)" \
    "$(sqlite3 "$TMP/bigc/var/state.db" "SELECT describe FROM checkout")" \
    "$want"

check_rc 0 "tarballs without a reference" maestrino -c "$TMP/plain" tarball
check_rc 0 "tarballs from a borrowing mirror" maestrino -c "$TMP/borrow" tarball
n=0
for f in "$P"/storage/tarballs/linux-up-*; do
	if cmp -s "$f" "$B/storage/tarballs/$(basename "$f")"; then
		n=$((n + 1))
	fi
done
is "tarballs byte for byte the same" "$n" 2

# on demand: a mirror made by `maestrino checkout` borrows too
printf '  ondemand:\n    url: %s\n    branches: [master]\n' "$url" \
    >>"$TMP/borrow/c.yaml"
check_rc 0 "an on-demand checkout of a tree without mirror" \
    maestrino -c "$TMP/borrow" checkout ondemand v6.1
[ -e "$B/git/ondemand.git/objects/info/alternates" ] &&
    ok "makes a borrowing mirror" || not_ok "ondemand.git does not borrow"

# bad references: the tree fails, naming itself and the path; nothing made
config bad
{
	printf '  missing:\n    url: %s\n    branches: [master]\n' "$url"
	printf '    reference: %s/nope\n' "$TMP"
	printf '  notgit:\n    url: %s\n    branches: [master]\n' "$url"
	printf '    reference: %s/bad\n' "$TMP"
	printf '  shallow:\n    url: %s\n    branches: [master]\n' "$url"
	printf '    reference: %s/shallow.git\n' "$TMP"
	# a link to a clone whose path has a newline: the alternates line
	# would be two, the second relative to the mirror
	printf '  newline:\n    url: %s\n    branches: [master]\n' "$url"
	printf '    reference: %s/nl-ref\n' "$TMP"
} >>"$TMP/bad/c.yaml"
nl='
'
git clone -q --bare "$up" "$TMP/odd${nl}dir/ref.git"
ln -s "$TMP/odd${nl}dir/ref.git" "$TMP/nl-ref"
check_rc 1 "bad references fail their trees" maestrino -c "$TMP/bad" poll
has "others go on" "$TMP/out" "5 trees, 2 new checkouts, 4 failed"
has "a missing reference is named, with its config place" "$TMP/out" \
    "tree 'missing': reference '$TMP/nope' ($TMP/bad/c.yaml:11:16): no such directory"
has "so is one that is not a git repository" "$TMP/out" \
    "tree 'notgit': reference '$TMP/bad' ($TMP/bad/c.yaml:15:16) is not a git repository"
has "and a shallow one" "$TMP/out" \
    "tree 'shallow': reference '$TMP/shallow.git' ($TMP/bad/c.yaml:19:16) is a shallow clone"
has "and one whose objects' path has a newline" "$TMP/out" \
    "tree 'newline': reference '$TMP/nl-ref' ($TMP/bad/c.yaml:23:16): its objects directory"
ls "$TMP/bad/var/git" >"$TMP/ls"
is "no mirror is made for them" "$(tr '\n' ' ' <"$TMP/ls")" "up.git "
is "the tree's error is recorded" \
    "$(sqlite3 "$TMP/bad/var/state.db" "SELECT COUNT(*) FROM tree
    WHERE last_error LIKE '%reference%'")" 4

config url "reference: https://example.org/linux.git"
check_rc 2 "a URL as reference is a config error" maestrino -c "$TMP/url" poll
has "naming the place" "$TMP/out" \
    "$TMP/url/c.yaml:4:14: error: settings.reference 'https://example.org/linux.git' must be the path of a clone on this machine, not a URL"
config empty 'reference: ""'
check_rc 2 "an empty settings.reference is a config error" \
    maestrino -c "$TMP/empty" poll
has "saying so" "$TMP/out" "settings.reference is empty"

# a reference given later: an existing mirror is left as it is
printf 'settings:\n  origin: test\n  data_dir: %s/plain/var\n  reference: %s\n' \
    "$TMP" "$TMP/ref.git" >"$TMP/plain/s.yaml"
sed -i '/^settings:/,/^trees:/{/^trees:/!d}' "$TMP/plain/c.yaml"
commit "$up" "later"
check_rc 0 "a reference added later" maestrino -c "$TMP/plain" poll
[ ! -e "$P/git/up.git/objects/info/alternates" ] &&
    ok "leaves the existing mirror whole" || not_ok "it borrows now"

# the reference gone: a clear error, and back again, all is well
mv "$TMP/ref.git" "$TMP/ref.moved"
check_rc 1 "a borrowing mirror whose reference is gone" \
    maestrino -c "$TMP/borrow" poll
has "says what is missing and what to do" "$TMP/out" \
    "git mirror '$B/git/up.git' borrows objects from '$TMP/ref.git/objects' (objects/info/alternates), which is gone"
is "and the tree's error is recorded" \
    "$(sqlite3 "$B/state.db" "SELECT COUNT(*) FROM tree WHERE name = 'up'
    AND last_error LIKE '%which is gone%'")" 1
mv "$TMP/ref.moved" "$TMP/ref.git"
check_rc 0 "the reference back" maestrino -c "$TMP/borrow" poll
is "the new head is recorded" \
    "$(sqlite3 "$B/state.db" "SELECT commit_hash FROM checkout WHERE
    tree = 'up' AND branch = 'master' AND is_tip = 1")" \
    "$(git -C "$up" rev-parse master)"

done_testing
