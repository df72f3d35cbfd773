# shellcheck shell=sh
# trees.sh: the kernel tree behind the upgrade fixture, made with a fixed
# clock and identity so that every run makes the same commits.
# make_trees DIR: DIR/up, a copy of $fake_kernel with branches master and
# stable
# advance_trees DIR: one more commit on master
# _tgit REPO ARGS...: git with the fixed identity and clock
_tgit() {
	_clock=$(( _clock + 60 ))
	GIT_AUTHOR_NAME="Test Author" GIT_AUTHOR_EMAIL="author@example.org" \
	GIT_COMMITTER_NAME="Test Committer" \
	GIT_COMMITTER_EMAIL="committer@example.org" \
	GIT_AUTHOR_DATE="@$_clock +0000" GIT_COMMITTER_DATE="@$_clock +0000" \
	GIT_CONFIG_NOSYSTEM=1 git -C "$@"
}

make_trees() {
	_clock=1735689600
	git -c init.defaultBranch=master init -q "$1/up"
	cp -r "$fake_kernel/." "$1/up/"
	git -C "$1/up" add -A
	_tgit "$1/up" commit -q -m "Linux 6.1-fixture"
	_tgit "$1/up" tag -a -m v6.1 v6.1
	git -C "$1/up" branch stable
	printf 'first\n' >"$1/up/NEWS"
	git -C "$1/up" add NEWS
	_tgit "$1/up" commit -q -m "news: the first entry"
}

advance_trees() {
	_clock=1735689900
	printf 'second\n' >>"$1/up/NEWS"
	git -C "$1/up" add NEWS
	_tgit "$1/up" commit -q -m "news: the second entry"
}
