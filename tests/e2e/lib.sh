# shellcheck shell=sh disable=SC2034
# lib.sh: sourced by every end-to-end test.  Gives a fresh temporary
# directory ($TMP, kept when a test fails), the built executables on PATH,
# a git identity with fixed dates, and TAP helpers.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$top/bin:$PATH"
TMP=$(mktemp -d /tmp/maestrino-e2e.XXXXXX)
mkdir -p "$TMP/home"
# relative default paths (site.path is "public") land in $TMP, never in
# the source tree
cd "$TMP" || exit 2
export PATH HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Test Author" GIT_AUTHOR_EMAIL="author@example.org"
export GIT_COMMITTER_NAME="Test Committer"
export GIT_COMMITTER_EMAIL="committer@example.org"
unset MAESTRINO_LOCK_FD GITHUB_ACTIONS MAESTRINO_CRASH_AT MAESTRINO_VERBOSE
git config --global init.defaultBranch master
git config --global advice.detachedHead false
test_n=0
test_failed=0
git_clock=1735689600

ok() {
	test_n=$((test_n + 1))
	echo "ok $test_n - $1"
}

not_ok() {
	test_n=$((test_n + 1))
	test_failed=$((test_failed + 1))
	echo "not ok $test_n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

# run CMD...: run it, output in $TMP/out, exit status in $rc
run() {
	"$@" >"$TMP/out" 2>&1
	rc=$?
	return 0
}

# check DESC CMD...: CMD must succeed
check() {
	desc=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "$(tail -n 15 "$TMP/check.out")"
	fi
}

# check_rc WANT DESC CMD...: CMD must exit WANT; output left in $TMP/out
check_rc() {
	want=$1
	desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "exit $rc, want $want" \
		    "$(tail -n 15 "$TMP/out")"
	fi
}

# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got:  '$2'" "want: '$3'"
	fi
}

# has DESC FILE TEXT: FILE contains the fixed string TEXT
has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1" "'$2' lacks: $3" "$(tail -n 15 "$2")"
	fi
}

# hasnt DESC FILE TEXT
hasnt() {
	if grep -qF -- "$3" "$2"; then
		not_ok "$1" "'$2' has: $3" "$(grep -F -- "$3" "$2" | head -n 3)"
	else
		ok "$1"
	fi
}

# memlimit BYTES CMD...: run CMD with its address space limited to BYTES,
# so a test can show that input cannot exhaust memory; under
# AddressSanitizer, whose shadow memory needs terabytes of address space,
# CMD runs without the limit
memlimit() {
	_bytes=$1
	shift
	if grep -q 'fsanitize=[^ ]*address' "$top/build/flags" 2>/dev/null; then
		"$@"
	else
		prlimit --as="$_bytes" "$@"
	fi
}

# sql QUERY: run it on the test's state database
# need_root WHAT: $SUDO is empty as root and "sudo -n" with passwordless
# sudo; otherwise the whole test is skipped, as WHAT needs one of them
need_root() {
	if [ "$(id -u)" -eq 0 ]; then
		SUDO=
	elif sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		echo "1..0 # SKIP $1 needs root or sudo"
		exit 0
	fi
}

sql() {
	sqlite3 -batch -noheader "$TMP/var/state.db" "$1"
}

# commit REPO MESSAGE [FILE CONTENT]: a commit with a fixed clock
commit() {
	repo=$1
	msg=$2
	git_clock=$((git_clock + 60))
	if [ $# -ge 4 ]; then
		mkdir -p "$(dirname "$repo/$3")"
		printf '%s\n' "$4" >"$repo/$3"
		git -C "$repo" add -- "$3"
	fi
	GIT_AUTHOR_DATE="@$git_clock +0000" \
	GIT_COMMITTER_DATE="@$git_clock +0000" \
	    git -C "$repo" commit -q --allow-empty -m "$msg"
}

# kernel_repo DIR [VERSION PATCHLEVEL SUBLEVEL]: a repo with a kernel-like
# top Makefile and one commit
kernel_repo() {
	git init -q "$1"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\n' \
	    "${2:-6}" "${3:-1}" "${4:-0}" >"$1/Makefile"
	git -C "$1" add Makefile
	commit "$1" "Linux ${2:-6}.${3:-1}"
}

# fixture_repo DIR: a repository holding the fake kernel of
# tests/data/fake-kernel (a Makefile that stands in for kbuild), with one
# commit, "Linux 6.1-fixture"
fixture_repo() {
	mkdir -p "$1"
	cp -r "$top/tests/data/fake-kernel/." "$1/"
	git init -q "$1"
	git -C "$1" add -A
	commit "$1" "Linux 6.1-fixture"
}

# config_dir: the minimal config of a test, in $TMP/configs
config_dir() {
	mkdir -p "$TMP/configs"
	cat >"$TMP/configs/settings.yaml" <<EOC
settings:
  origin: test
  data_dir: $TMP/var
EOC
}

# settings_add LINE...: append each LINE under "settings:" in
# $TMP/configs/settings.yaml (a nested key's LINE carries its own indent:
# settings_add 'site:' '  path: /x')
settings_add() {
	for _l in "$@"; do
		printf '  %s\n' "$_l"
	done >>"$TMP/configs/settings.yaml"
}

# The helpers below print config YAML, to be put together into a file:
#   { yaml_tree fix "$up" master; yaml_x86_build; } >"$TMP/configs/c.yaml"
# Keys of the last entry printed may follow, indented by four spaces.

# yaml_tree NAME URL BRANCHES: "trees:" and the tree NAME (BRANCHES as
# the items of a flow list: "master, stable")
yaml_tree() {
	printf 'trees:\n'
	yaml_tree_entry "$@"
}

# yaml_tree_entry NAME URL BRANCHES: one more tree after yaml_tree
yaml_tree_entry() {
	printf '  %s:\n    url: %s\n    branches: [%s]\n' "$1" "$2" "$3"
}

# yaml_x86_build: "builds:" and the build x86 (x86_64, bzImage)
yaml_x86_build() {
	printf 'builds:\n  x86:\n    arch: x86_64\n    targets: [bzImage]\n'
}

# yaml_platform NAME DEVICE_TYPE BOOT_METHOD: an x86_64 platform entry
# (print "platforms:" first); a qemu one gets the context {arch: amd64}
yaml_platform() {
	printf '  %s:\n    arch: x86_64\n    device_type: %s\n' "$1" "$2"
	printf '    boot_method: %s\n' "$3"
	if [ "$3" = qemu ]; then
		printf '    context: {arch: amd64}\n'
	fi
}

# yaml_pull_lab: "labs:" and the pull lab "farm" in $TMP/farm
yaml_pull_lab() {
	printf 'labs:\n  farm:\n    type: pull\n    path: %s\n' "$TMP/farm"
}

# yaml_lava_lab NAME URL TOKEN_ENV: "labs:" and a LAVA lab
yaml_lava_lab() {
	printf 'labs:\n  %s:\n    type: lava\n    url: %s\n' "$1" "$2"
	printf '    token_env: %s\n' "$3"
}

# yaml_test NAME TEMPLATE LAB PLATFORM...: a test entry (print "tests:"
# first)
yaml_test() {
	printf '  %s:\n    template: %s\n' "$1" "$2"
	_lab=$3
	shift 3
	printf '    platforms: [%s]\n    lab: %s\n' \
	    "$(echo "$@" | sed 's/ /, /g')" "$_lab"
}

# pull_lab_config PLATFORM...: $TMP/configs/c.yaml with the fixture tree
# ($TMP/up, branch master), an x86_64 build, each PLATFORM (x86_64,
# device type x86-pc, booted with grub), a pull lab "farm" in $TMP/farm,
# and the smoke test on every platform there
pull_lab_config() {
	{
		yaml_tree fix "$TMP/up" master
		yaml_x86_build
		printf 'platforms:\n'
		for _p in "$@"; do
			yaml_platform "$_p" x86-pc grub
		done
		yaml_pull_lab
		printf 'tests:\n'
		yaml_test smoke smoke farm "$@"
	} >"$TMP/configs/c.yaml"
}

# to_pull_lab: poll, build the fixture and hand its tests to the pull lab
# (with the config of $C)
to_pull_lab() {
	check "build, then hand the tests to the pull lab" sh -c "
	    maestrino $C poll && maestrino $C tarball && maestrino $C jobs &&
	    maestrino $C submit && maestrino $C collect --wait &&
	    maestrino $C jobs && maestrino $C submit"
}

# html_valid DIR: every HTML page under DIR is valid HTML5 (html5lib,
# strict); html_links DIR: every local href and src of every page leads
# to a file under DIR
html_valid() {
	/usr/bin/python3 -c '
import glob, sys, html5lib
bad = 0
for f in sorted(glob.glob(sys.argv[1] + "/**/*.html", recursive=True)):
    try:
        html5lib.HTMLParser(strict=True).parse(open(f, "rb").read())
    except Exception as e:
        print(f, e); bad += 1
sys.exit(1 if bad else 0)' "$1"
}
html_links() {
	/usr/bin/python3 -c '
import glob, os, sys, urllib.parse
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.refs = []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v: self.refs.append(v)
dead = 0
for f in sorted(glob.glob(sys.argv[1] + "/**/*.html", recursive=True)):
    p = P(); p.feed(open(f, encoding="utf-8").read())
    for r in p.refs:
        u = urllib.parse.urlsplit(r)
        if u.scheme or u.netloc or not u.path:
            continue
        t = os.path.normpath(os.path.join(os.path.dirname(f), urllib.parse.unquote(u.path)))
        if not os.path.isfile(t):
            print(f, "->", r); dead += 1
sys.exit(1 if dead else 0)' "$1"
}

# wait_port PORT and free_port
. "$top/tests/e2e/ports.sh"

# smtp_start [FAULT...]: tests/e2e/smtp-server.py (Debian's aiosmtpd) on
# 127.0.0.1:$port, saving each message into a directory of its own, $M
# (its count starts again from 0001); smtp_stop ends it (a test traps
# EXIT with it)
smtp_n=0
smtp_pid=
smtp_start() {
	smtp_n=$((smtp_n + 1))
	M=$TMP/mail/$smtp_n
	mkdir -p "$M"
	/usr/bin/python3 "$top/tests/e2e/smtp-server.py" --port "$port" \
	    --dir "$M" --lifetime 900 "$@" >>"$TMP/smtp.log" 2>&1 &
	smtp_pid=$!
	_i=0
	while [ ! -s "$M/ready" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	wait_port "$port"
}

smtp_stop() {
	if [ -n "$smtp_pid" ]; then
		kill "$smtp_pid" 2>/dev/null
		wait "$smtp_pid" 2>/dev/null
	fi
	smtp_pid=
}

# job_on PLATFORM: the id of the test job on PLATFORM
job_on() {
	sql "SELECT id FROM job WHERE kind = 'test' AND platform = '$1'"
}

done_testing() {
	echo "1..$test_n"
	if [ "$test_failed" -gt 0 ]; then
		echo "# $test_failed failed; kept $TMP"
		exit 1
	fi
	rm -rf "$TMP"
	exit 0
}
