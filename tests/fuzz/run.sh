#!/bin/sh
# tests/fuzz/run.sh [TARGET...]: build the fuzz targets (make fuzz-build),
# run each on the reproducers kept in tests/data/fuzz/crashes/<target>-*,
# then fuzz each for FUZZ_TIME seconds (default 20), FUZZ_JOBS (default
# 2) at a time, on a scratch corpus build/fuzz/corpus/<target> seeded
# from tests/data/fuzz/<target>.  Prints TAP, one line per reproducer and
# per target with its number of runs; a crash, leak, UBSan report,
# timeout or memory blow-up is "not ok" with its input
# (build/fuzz/crashes/<target>-*) and the end of the fuzzer's output.
# Skipped without a clang that links libFuzzer.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

time=${FUZZ_TIME:-20}
jobs=${FUZZ_JOBS:-2}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
cc=${FUZZ_CC:-clang}
out=build/fuzz
limits="-timeout=10 -rss_limit_mb=2048"

if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=""
	for f in tests/fuzz/fuzz-*.c; do
		f=${f##*/fuzz-}
		targets="$targets ${f%.c}"
	done
fi

tmp=$(mktemp -d /tmp/maestrino-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# clang alone is not enough: libFuzzer's runtime is a package of its own
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
    'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' \
    >"$tmp/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" \
    "$tmp/probe.c" >/dev/null 2>&1; then
	echo "1..0 # SKIP clang with libFuzzer not installed"
	exit 0
fi

# A sub-make of its own: the jobserver of a `make -j check` above is not
# handed down to tests.
if ! env -u MAKEFLAGS -u MFLAGS make --no-print-directory -j"$jobs" \
    fuzz-build >"$tmp/build.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - make fuzz-build"
	tail -n 30 "$tmp/build.log" | sed 's/^/#   /'
	exit 1
fi

# Sanitizer reports with whole stacks, and the leaks listed in
# tests/lsan.supp left out (tests/run sets that too).  ASan keeps 256 MiB
# of freed memory in quarantine by default; one input frees far less,
# and 16 MiB keeps a fuzzer near 100 MiB instead of 500, so that
# -rss_limit_mb measures the code under test.
UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
ASAN_OPTIONS="quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp}
# fuzz-config's directory goes here, removed even after a crash
TMPDIR=$tmp
export UBSAN_OPTIONS ASAN_OPTIONS LSAN_OPTIONS TMPDIR

n=0
failed=0

# not_ok LOG WHAT [MORE]: "not ok N - WHAT: KIND MORE", KIND being what
# the sanitizer or libFuzzer found ("AddressSanitizer:
# heap-buffer-overflow src/lib/lava.c:12:3 in f", "libFuzzer: timeout"),
# then the end of LOG
not_ok() {
	kind=$(sed -n 's/^SUMMARY: //p' "$1" | head -n 1 | sed 's/ in *$//')
	echo "not ok $n - $2: ${kind:-exit $rc}${3:+ $3}"
	# the report without libFuzzer's progress, frames and dumps
	grep -v -e '^#[0-9]' -e '^INFO: ' -e 'NEW_FUNC' -e '^0x' \
	    -e '^Base64: ' -e ' in fuzzer::' -e ' in main ' -e ' in _start ' \
	    -e ' in __libc_start' "$1" | tail -n 25 | sed 's/^/#   /'
	failed=$((failed + 1))
}

# Bugs found before: each reproducer runs once, and must run clean.
for t in $targets; do
	for f in tests/data/fuzz/crashes/"$t"-*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2086
		"$out/fuzz-$t" $limits "$f" >"$tmp/repro.log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "ok $n - fuzz-$t: $f runs clean"
		else
			not_ok "$tmp/repro.log" "fuzz-$t: $f"
		fi
	done
done

# fuzz TARGET: one run, its output in $tmp/TARGET.log, status in .rc
fuzz() {
	corpus=$out/corpus/$1
	mkdir -p "$corpus" "$out/crashes"
	# new inputs go to the scratch corpus only, never to tests/data
	for s in tests/data/fuzz/"$1"/*; do
		[ -f "$s" ] || continue
		[ -e "$corpus/${s##*/}" ] || cp "$s" "$corpus/"
	done
	# shellcheck disable=SC2086
	"$out/fuzz-$1" -max_total_time="$time" $limits -print_final_stats=1 \
	    -artifact_prefix="$out/crashes/$1-" "$corpus" \
	    >"$tmp/$1.log" 2>&1
	echo $? >"$tmp/$1.rc"
}

# FUZZ_JOBS lanes, each running its share of the targets in turn
lane=0
while [ "$lane" -lt "$jobs" ]; do
	(
		i=0
		for t in $targets; do
			[ $((i % jobs)) -eq "$lane" ] && fuzz "$t"
			i=$((i + 1))
		done
	) &
	lane=$((lane + 1))
done
wait

for t in $targets; do
	n=$((n + 1))
	log=$tmp/$t.log
	rc=$(cat "$tmp/$t.rc" 2>/dev/null || echo "?")
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	if [ "$rc" = 0 ]; then
		echo "ok $n - fuzz-$t: ${runs:-?} runs, no crash"
		speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		cov=$(sed -n 's/^#[0-9].*\(cov: [0-9]*\).*/\1/p' "$log" |
		    tail -n 1)
		echo "#   fuzz-$t: ${speed:-?} runs/s, ${cov:-cov: ?}"
		continue
	fi
	artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
	more="after ${runs:-?} runs; reproduce:"
	more="$more $out/fuzz-$t ${artifact:-(no input written)}"
	not_ok "$log" "fuzz-$t" "$more"
done
echo "1..$n"
[ "$failed" -eq 0 ]
