#!/bin/sh
# Failure signatures: logsig_console() over a 50 MB console log, against
# `grep -E` with the same headlines (and the call trace and end markers
# it follows) over the same file.  The log is a real Debian boot
# (tests/data/logsig/) repeated, with the real crashes of
# tests/data/logsig/ in turn after every ninth boot.  logsig's time is
# the best of nine over the log in memory, as collect holds it; grep's
# the best of nine runs over the file, in the page cache (the machine is
# shared: the least time is the one least disturbed).  Target:
# within twice grep.  Then logsig over the file mapped afresh (opening
# and paging in counted, as for grep), and logsig_build() over a 50 MB
# kbuild log (make's steps, with the real build logs of tests/data/logsig
# in turn) against grep -E with its markers.
. "$(dirname "$0")/lib.sh"

data=$top/tests/data/logsig
make -s -C "$top" build/bench/logsig >/dev/null || exit 2
ls "$data"/*.log >/dev/null 2>&1 || { echo "bench: no logs in $data" >&2; exit 2; }

# the console logs and the build logs, as their .expect files say
consoles=$(grep -l '^# logsig console' "$data"/*.expect | sed 's/\.expect$/.log/')
builds=$(grep -l '^# logsig build' "$data"/*.expect | sed 's/\.expect$/.log/')
boot=$(echo "$consoles" | grep debian-no-rootfs)
sed '/Kernel panic/,$d' "$boot" >"$BTMP/boot"

# fill FILE BASE N LOGS...: BASE N times then one of LOGS, in turn,
# until FILE holds 50 MB
fill() {
	_out=$1 _base=$2 _n=$3
	shift 3
	: >"$BTMP/chunk"
	for _l in "$@"; do
		_i=0
		while [ "$_i" -lt "$_n" ]; do
			cat "$_base" >>"$BTMP/chunk"
			_i=$((_i + 1))
		done
		cat "$_l" >>"$BTMP/chunk"
	done
	: >"$_out"
	while [ "$(wc -c <"$_out")" -lt $((50 << 20)) ]; do
		cat "$BTMP/chunk" >>"$_out"
	done
}

# best9 CMD...: the least of nine wall times of CMD, in $best
best9() {
	best=999
	for _ in 1 2 3 4 5 6 7 8 9; do
		_t0=$(now)
		"$@" >/dev/null
		_t1=$(now)
		best=$(least "$(elapsed "$_t0" "$_t1")" "$best")
	done
}

# shellcheck disable=SC2086
fill "$BTMP/console.log" "$BTMP/boot" 9 $consoles
# shellcheck disable=SC2046
set -- $("$top/build/bench/logsig" console "$BTMP/console.log")
mb=$(( $1 >> 20 ))
ours=$2
found=$3
mapped=$4
best9 env LC_ALL=C grep -E -c 'Kernel panic - not syncing|BUG: |Unable to handle kernel |general protection fault|Oops|Internal error: |invalid opcode: |kernel BUG at |watchdog: |WARNING: |UBSAN: |INFO: task .* blocked for more than |INFO: rcu_.*stall|rcu: INFO: rcu_.*stall|Call [Tt]race:|---\[ end ' "$BTMP/console.log"
report "logsig: ${mb} MB console log, $found found" "$ours" s \
    "grep -E, the same headlines" "$best" "< 2"
report "logsig: the same, from the file (mmap)" "$mapped" s \
    "grep -E, the same headlines" "$best"

if [ -n "$builds" ]; then
	printf '  CC      drivers/net/virtio_net.o\n  LD [M]  fs/ext4/ext4.ko\n' >"$BTMP/steps"
	for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$BTMP/steps"; done >"$BTMP/steps10"
	# shellcheck disable=SC2086
	fill "$BTMP/build.log" "$BTMP/steps10" 500 $builds
	# shellcheck disable=SC2046
	set -- $("$top/build/bench/logsig" build "$BTMP/build.log")
	best9 env LC_ALL=C grep -E -c ': (fatal error|error|Error|warning|Warning): |^(fatal error|error|warning): |: undefined reference to |: multiple definition of |^(ERROR|WARNING): modpost: |^make(\[[0-9]+\])?: \*\*\* ' "$BTMP/build.log"
	report "logsig: $(( $1 >> 20 )) MB build log, $3 found" "$2" s \
	    "grep -E, the same markers" "$best" "< 2"
fi
