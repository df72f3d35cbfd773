#!/bin/sh
# demo-bisect.sh [--report] [DIR]: bisect a real regression in the demo
# kernel, on this machine, once, and print what it took.
#
# In DIR (default var/demo-bisect; nothing of the default config's var/
# is read or written) it makes:
#   linux.git    the demo kernel (scripts/demo-tree.sh; kept between runs)
#   work.git     a clone of it: the tree the config polls
#   configs/     a copy of configs/ narrowed to the x86_64 tinyconfig build
#                and the baseline boot on qemu-x86_64, with bisection on
#   var/         the data dir (state.db, storage, kcidb, site, ccache)
# Every run but the first (the demo tree) starts again from nothing.
#
# Then: `maestrino run --wait` builds and boots the head (PASS); 30
# commits go on top (fixed author and dates, so the ids are the same on
# every machine with the same linux-source), each adding a comment to two
# files that tinyconfig compiles, and commit 17 of them makes init panic;
# a second `maestrino run --wait`, timed, finds the boot regression and
# bisects it to the end.  It prints the culprit against the commit broken
# on purpose, the outcome and checks, each step with its build and boot
# durations, the steps against `git bisect run`, the wall time and
# ccache's statistics.
#
# With --report, only the figures of the run already made in DIR (one
# that a kill cut short, ended by `maestrino -c DIR/configs run --wait`),
# without the wall time.
#
# Exit: 0 when the culprit is the commit broken on purpose, 1 when not
# (or a run did not do what it should), 2 on a usage or setup error.
set -eu

case ${1:-} in
-h|--help)
	sed -n '2,/^set -eu$/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
m="$top/bin/maestrino"
if [ ! -x "$m" ]; then
	echo "demo-bisect.sh: no $m (run make first)" >&2
	exit 2
fi
report=0
if [ "${1:-}" = --report ]; then
	report=1
	shift
fi
[ $# -le 1 ] || { echo "usage: demo-bisect.sh [--report] [DIR]" >&2; exit 2; }

dir=${1:-var/demo-bisect}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
case $dir in
"$top/var")
	echo "demo-bisect.sh: '$dir' is the default data dir: pick another" >&2
	exit 2 ;;
esac
command -v sqlite3 >/dev/null || "$top/scripts/deps.sh" run

say() { echo "demo-bisect: $*"; }
die() { echo "demo-bisect.sh: $*" >&2; exit 1; }
sql() { sqlite3 -batch -noheader -separator '|' "$dir/var/state.db" "$1"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# report: the figures of the bisection in $dir; $broken is the commit
# broken on purpose, $wall the bisecting run's time (empty: not timed)
report() {
	id=$(sql "SELECT id FROM bisection ORDER BY id LIMIT 1")
	[ -n "$id" ] || die "no bisection started (see $dir/runs.log)"
	[ "$(sql "SELECT count(*) FROM bisection")" = 1 ] ||
	    say "more than one bisection: showing $id"
	state=$(sql "SELECT state FROM bisection WHERE id = $id")
	[ "$state" = "done" ] || say "bisection $id is '$state', not done"
	good=$(sql "SELECT good FROM bisection WHERE id = $id")
	bad=$(sql "SELECT bad FROM bisection WHERE id = $id")

	# what it found
	culprit=$(sql "SELECT coalesce(culprit, '') FROM bisection WHERE id = $id")
	echo
	echo "bisection $id: $(sql "SELECT tree || '/' || branch || ' ' || build ||
	    ' ' || test || ' on ' || platform || ' (' ||
	    CASE path WHEN '' THEN 'any result' ELSE path END || ')'
	    FROM bisection WHERE id = $id")"
	echo "  good      $good"
	echo "  bad       $bad"
	echo "  culprit   ${culprit:-none}"
	echo "  broken    $broken  (commit $broken_at, on purpose)"
	echo "  outcome   $(sql "SELECT coalesce(outcome || ': ' || reason, '-')
	    FROM bisection WHERE id = $id")"
	echo "  checks    $(sql "SELECT 'confirm ' || coalesce(confirm, '-') ||
	    ', verify ' || coalesce(verify, '-') || ', revert ' ||
	    coalesce(revert, '-') FROM bisection WHERE id = $id")"
	echo
	printf '  %-2s %-15s %-12s  %4s  %-6s  %-12s %-12s %s\n' n role \
	    commit left result build boot "ccache hits"
	sql "SELECT s.n, s.role, substr(s.commit_hash, 1, 12),
	    coalesce(s.left_count, '-'), coalesce(s.result, '-'),
	    coalesce((SELECT printf('%.1fs ', b.duration) || b.status
	      FROM build b WHERE b.checkout_id = s.checkout_id
	      ORDER BY b.id DESC LIMIT 1), '-'),
	    coalesce((SELECT printf('%.1fs ', t.duration) || t.status
	      FROM test t JOIN build b ON b.id = t.build_id
	      WHERE b.checkout_id = s.checkout_id AND t.path = 'boot'
	      ORDER BY t.id DESC LIMIT 1), '-'),
	    coalesce((SELECT json_extract(b.misc, '$.ccache.hits') || '/' ||
	      (json_extract(b.misc, '$.ccache.hits') +
	      json_extract(b.misc, '$.ccache.misses'))
	      FROM build b WHERE b.checkout_id = s.checkout_id
	      ORDER BY b.id DESC LIMIT 1), '-')
	    FROM bisection_step s WHERE s.bisection_id = $id ORDER BY s.n" |
	while IFS='|' read -r sn role commit left result build boot hits; do
		printf '  %-2s %-15s %-12s  %4s  %-6s  %-12s %-12s %s\n' "$sn" \
		    "$role" "$commit" "$left" "$result" "$build" "$boot" "$hits"
	done
	echo "  the first head: build $(sql "SELECT printf('%.1fs', b.duration)
	    || ' ' || b.status FROM build b JOIN checkout c ON
	    c.id = b.checkout_id WHERE c.commit_hash = '$good' AND
	    c.kind = 'head'") (the cache empty)"
	echo "  the new head: build $(sql "SELECT printf('%.1fs', b.duration) ||
	    ' ' || b.status FROM build b JOIN checkout c ON c.id = b.checkout_id
	    WHERE c.commit_hash = '$bad' AND c.kind = 'head'"), boot $(sql "SELECT
	    printf('%.1fs', t.duration) || ' ' || t.status FROM test t
	    JOIN build b ON b.id = t.build_id JOIN checkout c ON
	    c.id = b.checkout_id WHERE c.commit_hash = '$bad' AND
	    c.kind = 'head' AND t.path = 'boot'")"

	# `git bisect run` on the same range, with a predicate instead of a boot
	count="$dir/git-bisect.count"
	: >"$count"
	git bisect start --no-checkout "$bad" "$good" >/dev/null
	git bisect run sh -c "echo >>'$count';
	    ! git cat-file -p BISECT_HEAD:init/main.c |
	    grep -q 'demo-bisect: broken on purpose'" >/dev/null 2>&1 || true
	git bisect reset -q >/dev/null 2>&1 || true
	steps=$(sql "SELECT count(*) FROM bisection_step WHERE bisection_id = $id
	    AND role = 'step'")
	checks=$(sql "SELECT count(*) FROM bisection_step WHERE bisection_id = $id
	    AND role != 'step'")
	echo
	echo "  steps     $steps, git bisect run took $(wc -l <"$count" |
	    tr -d ' '); and $checks checkouts for the checks"
	echo "  builds    $(sql "SELECT count(b.duration) || ' in ' ||
	    printf('%.0f', coalesce(sum(b.duration), 0)) || ' s, ' ||
	    printf('%.0f', coalesce(avg(b.duration), 0)) || ' s each'
	    FROM bisection_step s JOIN build b ON b.checkout_id = s.checkout_id
	    WHERE s.bisection_id = $id") (the bisection's)"
	if [ -n "$wall" ]; then
		echo "  wall      $wall s for the run that found and bisected it"
	else
		echo "  wall      not timed (--report)"
	fi

	# ccache: what the bisection's builds took from it (their misc), and
	# the cache's own count over both runs
	cc="$dir/var/ccache"
	if [ -d "$cc" ] && [ -n "$(ls -A "$cc")" ] && command -v ccache >/dev/null
	then
		sql "SELECT coalesce(sum(json_extract(b.misc, '$.ccache.hits')), 0),
		    coalesce(sum(json_extract(b.misc, '$.ccache.misses')), 0)
		    FROM bisection_step s JOIN build b ON
		    b.checkout_id = s.checkout_id WHERE s.bisection_id = $id" |
		awk -F'|' '{
			t = $1 + $2
			printf "  ccache    the steps: %d hits, %d misses, " \
			    "hit ratio %.2f\n", $1, $2, t ? $1 / t : 0
		}'
		for d in "$cc"/*/; do
			CCACHE_DIR=${d%/} ccache --print-stats 2>/dev/null | awk -v \
			    name="$(basename "$d")" '
			$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" {
				hit += $2 }
			$1 == "cache_miss" { miss = $2 }
			END {
				t = hit + miss
				printf "  ccache    %s, both runs: %d hits, " \
				    "%d misses, hit ratio %.2f\n", name, hit,
				    miss, t ? hit / t : 0
			}'
		done
	else
		echo "  ccache    not used"
	fi
	echo

	if [ "$culprit" != "$broken" ]; then
		echo "demo-bisect: FAIL: the culprit is ${culprit:-none}, not $broken" >&2
		exit 1
	fi
	say "OK: the culprit is the commit broken on purpose"
}

if [ "$report" = 1 ]; then
	# a run cut short and ended by `maestrino -c DIR/configs run --wait`
	[ -f "$dir/var/state.db" ] || die "no run in $dir"
	export GIT_CONFIG_NOSYSTEM=1 GIT_DIR="$dir/work.git"
	broken=$(git log --format=%H \
	    --grep='^init: panic before running init$' master)
	broken_at=17
	wall=""
	report
	exit
fi

# ---- the demo kernel and the work repository ---------------------------
"$top/scripts/demo-tree.sh" "$dir/linux.git"
rm -rf "${dir:?}/work.git" "$dir/configs" "${dir:?}/var" "$dir/runs.log"
git clone -q --bare "$dir/linux.git" "$dir/work.git"
export GIT_CONFIG_NOSYSTEM=1 GIT_DIR="$dir/work.git"
export GIT_AUTHOR_NAME="Maestrino Demo" GIT_AUTHOR_EMAIL="demo@maestrino.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"

# ---- the config: configs/ with one build, one boot, bisection on -------
cfg="$dir/configs"
cp -R "$top/configs" "$cfg"
rm -f "$cfg"/*.yaml
cat >"$cfg/settings.yaml" <<EOF
# Made by scripts/demo-bisect.sh: the demo setup, in $dir.
settings:
  origin: maestrino
  data_dir: $dir/var
  retries: 0
  retry_delay: 0
  # Regular builds through ccache too: the first head fills the cache
  # that the bisection's steps then take from.
  ccache: true
  storage:
    path: $dir/var/storage
  kcidb:
    output: $dir/var/kcidb
  site:
    path: $dir/var/public
    title: Maestrino demo bisection
  bisect:
    trees: [demo]
    max_steps: 20
EOF
cat >"$cfg/trees.yaml" <<EOF
trees:
  demo:
    url: $dir/work.git
    branches: [master]
EOF
# The entries as configs/ has them, less the other arches, with room
# for a machine busy with other builds.
cat >"$cfg/builds.yaml" <<'EOF'
builds:
  x86_64-tinyconfig:
    arch: x86_64
    compiler: gcc
    defconfig: tinyconfig
    fragments: [qemu-boot]
    targets: [bzImage]
    runtime: local
    timeout: 2h
EOF
cat >"$cfg/platforms.yaml" <<'EOF'
platforms:
  qemu-x86_64:
    arch: x86_64
    device_type: qemu
    boot_method: qemu
    context:
      arch: amd64
      guestfs_interface: virtio
EOF
cat >"$cfg/labs.yaml" <<'EOF'
labs:
  local:
    type: local
    jobs: 1
EOF
cat >"$cfg/tests.yaml" <<'EOF'
tests:
  baseline:
    template: baseline
    builds: [x86_64-tinyconfig]
    platforms: [qemu-x86_64]
    lab: local
    timeout: 30
EOF

run() {
	# the run's own log; its exit code is ours to judge
	echo "== maestrino run --wait ($1)" >>"$dir/runs.log"
	"$m" -c "$cfg" run --wait >>"$dir/runs.log" 2>&1
}

# ---- the first head: builds and boots ---------------------------------
say "first run: build and boot $(git log -1 --format='%h %s' master)"
t0=$(now)
rc=0
run first || rc=$?
good=$(git rev-parse master)
build=$(sql "SELECT b.status FROM build b JOIN checkout c ON
    c.id = b.checkout_id WHERE c.commit_hash = '$good'")
boot=$(sql "SELECT t.status FROM test t JOIN build b ON b.id = t.build_id
    JOIN checkout c ON c.id = b.checkout_id
    WHERE c.commit_hash = '$good' AND t.path = 'boot'")
[ "$boot" = PASS ] || die "the head's build is ${build:-missing}, its" \
    "boot ${boot:-missing}, not PASS (see $dir/runs.log)"
say "the head builds and boots: PASS ($(secs "$t0" "$(now)") s, exit $rc)"

# ---- 30 commits on top; commit 17 breaks the boot ---------------------
# Made with plumbing in the bare clone: no 80k-file checkout.
n=30
broken_at=17
files="kernel/fork.c kernel/exit.c kernel/sys.c lib/string.c lib/vsprintf.c
	init/main.c init/do_mounts.c kernel/printk/printk.c mm/memory.c
	fs/exec.c"
# shellcheck disable=SC2086 # a list, split on purpose
nfiles=$(printf '%s\n' $files | wc -l)
export GIT_INDEX_FILE="$dir/index.tmp"
rm -f "$GIT_INDEX_FILE"
git read-tree master
# file I: the I-th of $files, cycling
nth() {
	# shellcheck disable=SC2086
	printf '%s\n' $files | sed -n "$(( ($1 - 1) % nfiles + 1 ))p"
}
# change FILE SED-SCRIPT: FILE in the index, as sed makes it
change() {
	blob=$(git cat-file blob ":$1" | sed "$2" | git hash-object -w --stdin)
	git update-index --cacheinfo "100644,$blob,$1"
}
i=1
while [ $i -le $n ]; do
	d=$(printf '2025-01-03T%02d:%02d:00Z' $((i / 60)) $((i % 60)))
	export GIT_AUTHOR_DATE="$d" GIT_COMMITTER_DATE="$d"
	if [ $i -eq $broken_at ]; then
		# After the initcalls, so the serial console is up and the
		# panic reaches it; before init runs, so no prompt comes.
		git cat-file blob :init/main.c |
		    grep -q '^	do_sysctl_args();$' ||
		    die "init/main.c: no 'do_sysctl_args();' line to break after"
		change init/main.c '/^	do_sysctl_args();$/a\
\	panic("demo-bisect: broken on purpose");'
		subject="init: panic before running init"
		body="Commit $i of demo-bisect.sh: the boot breaks here."
	else
		f1=$(nth $i)
		f2=$(nth $((i + 3)))
		change "$f1" "\$a\\
/* demo-bisect: commit $i */"
		change "$f2" "\$a\\
/* demo-bisect: commit $i */"
		subject="$(dirname "$f1" | sed 's,/.*,,'): demo-bisect comment $i"
		body="Commit $i of demo-bisect.sh: a comment in $f1 and $f2."
	fi
	tree=$(git write-tree)
	c=$(git commit-tree "$tree" -p master -m "$subject" -m "$body")
	git update-ref refs/heads/master "$c"
	[ $i -eq $broken_at ] && broken=$c
	i=$((i + 1))
done
rm -f "$GIT_INDEX_FILE"
unset GIT_INDEX_FILE GIT_AUTHOR_DATE GIT_COMMITTER_DATE
bad=$(git rev-parse master)
say "$n commits on top of $(git rev-parse --short=12 "$good"): commit" \
    "$broken_at ($(git rev-parse --short=12 "$broken")) breaks the boot"

# ---- the bisecting run ------------------------------------------------
say "second run: the new head, its regression, its bisection (timed)"
t0=$(now)
rc=0
run second || rc=$?
wall=$(secs "$t0" "$(now)")
say "the run took $wall s (exit $rc)"

report
