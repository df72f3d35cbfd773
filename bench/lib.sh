# shellcheck shell=sh disable=SC2034
# lib.sh: sourced by the benchmarks.  measure CMD... runs a command under
# GNU time and sets $secs (wall) and $peak_mb (peak RSS); ratio A B
# prints A/B with two decimals.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/bin:$PATH"
export PATH
BTMP=$(mktemp -d /tmp/maestrino-bench.XXXXXX)
trap 'rm -rf "$BTMP"' EXIT

measure() {
	/usr/bin/time -f '%e %M' -o "$BTMP/time" "$@" >"$BTMP/measure.out" 2>&1
	mrc=$?
	secs=$(cut -d' ' -f1 "$BTMP/time" | tail -n 1)
	peak_mb=$(( $(cut -d' ' -f2 "$BTMP/time" | tail -n 1) / 1024 ))
	if [ "$mrc" -ne 0 ]; then
		echo "bench: '$*' failed ($mrc):" >&2
		tail -n 5 "$BTMP/measure.out" >&2
	fi
	return $mrc
}

# now: seconds since the epoch with nanoseconds
now() {
	date +%s.%N
}

# elapsed T0 T1: the seconds between two now() readings
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# least A B: the smaller of two numbers
least() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'
}

# against_ls_remote DIR CMD...: CMD, then `git ls-remote` on every
# repository DIR/*, five times; the best times in $best_ours, $best_git
against_ls_remote() {
	_dir=$1
	shift
	best_ours=999
	best_git=999
	for _ in 1 2 3 4 5; do
		_t0=$(now)
		"$@" 2>/dev/null
		_t1=$(now)
		for _r in "$_dir"/*; do
			git ls-remote "$_r" >/dev/null
		done
		_t2=$(now)
		best_ours=$(least "$(elapsed "$_t0" "$_t1")" "$best_ours")
		best_git=$(least "$(elapsed "$_t1" "$_t2")" "$best_git")
	done
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'
}

# report NAME VALUE UNIT ANCHOR_NAME ANCHOR_VALUE [TARGET]
report() {
	r=$(ratio "$2" "$5")
	printf '%-44s %9s %-4s  vs %-28s %9s %-4s  ratio %s%s\n' \
	    "$1" "$2" "$3" "$4" "$5" "$3" "$r" "${6:+  (target $6)}"
}
