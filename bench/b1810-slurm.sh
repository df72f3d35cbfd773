#!/bin/sh
# The slurm lab against the local one: 16 fixture builds (the fake
# kernel of tests/data/fake-kernel) through a real one-node Slurm cluster
# on this machine (tests/e2e/slurm.sh), with as many at once as the local
# lab's `jobs` (the node's CPUs, one per job), from the first submit
# until every one is collected: as they are (under half a second each,
# where Slurm's start latency shows) and made to take 5 s more each
# (BUILD_SECS), nearer a build.  Also what one sbatch and one look at a
# job (squeue) cost.
. "$(dirname "$0")/lib.sh"

n=16
conc=$(nproc)
cluster=$BTMP/slurm
"$top/tests/e2e/slurm.sh" start "$cluster" "$conc" || exit 2
trap '"$top/tests/e2e/slurm.sh" stop "$cluster"; rm -rf "$BTMP"' EXIT
SLURM_CONF=$cluster/slurm.conf
export SLURM_CONF

up=$BTMP/up
mkdir -p "$up"
cp -r "$top/tests/data/fake-kernel/." "$up/"
git init -q "$up" && git -C "$up" add -A &&
    git -C "$up" -c user.name=b -c user.email=b@example.org \
    commit -q -m "Linux 6.1-fixture" || exit 2

# config DIR LAB: n builds on LAB, in a data dir of their own
config() {
	mkdir -p "$1"
	{
		printf 'settings:\n  origin: bench\n  data_dir: %s/var\n  build_env: [BUILD_SECS]\n' "$1"
		printf 'trees:\n  fix:\n    url: %s\n    branches: [master]\n' "$up"
		printf 'labs:\n  local:\n    type: local\n    jobs: %s\n' "$conc"
		printf '  farm:\n    type: slurm\n    cpus: 1\n'
		printf 'builds:\n'
		i=0
		while [ $i -lt $n ]; do
			printf '  b%02d:\n    arch: x86_64\n    targets: [bzImage]\n    runtime: %s\n' \
			    "$i" "$2"
			i=$((i + 1))
		done
	} >"$1/c.yaml"
	maestrino -c "$1" poll -q && maestrino -c "$1" tarball -q &&
	    maestrino -c "$1" jobs -q
} 2>/dev/null

# builds DIR: submit and collect until every job is done; seconds in $secs
builds() {
	_t0=$(now)
	while :; do
		maestrino -c "$1" submit -q 2>/dev/null
		maestrino -c "$1" collect -q --wait 2>/dev/null
		[ "$(sqlite3 "$1/var/state.db" "SELECT count(*) FROM job WHERE state != 'done'")" -eq 0 ] &&
		    break
	done
	_t1=$(now)
	secs=$(elapsed "$_t0" "$_t1")
	passed=$(sqlite3 "$1/var/state.db" "SELECT count(*) FROM build WHERE status = 'PASS'")
	[ "$passed" -eq $n ] || echo "bench: $1: $passed of $n builds passed" >&2
}

for d in local slurm-c local5 slurm5; do
	case $d in slurm*) lab=farm ;; *) lab=local ;; esac
	config "$BTMP/$d" $lab || exit 1
done
unset BUILD_SECS
builds "$BTMP/local"
t_local=$secs
builds "$BTMP/slurm-c"
t_slurm=$secs
BUILD_SECS=5
export BUILD_SECS
builds "$BTMP/local5"
t_local5=$secs
builds "$BTMP/slurm5"
t_slurm5=$secs

# one sbatch of a job that does nothing, and one squeue of it by name
printf '#!/bin/sh\n' >"$BTMP/nothing.sh"
t0=$(now)
i=0
while [ $i -lt 20 ]; do
	sbatch --parsable --job-name=bench-nothing --export=NONE \
	    --output=/dev/null "$BTMP/nothing.sh" >/dev/null || exit 1
	i=$((i + 1))
done
t1=$(now)
i=0
while [ $i -lt 20 ]; do
	squeue --noheader --states=all --format='%i|%T|%r' \
	    --name=bench-nothing >/dev/null || exit 1
	i=$((i + 1))
done
t2=$(now)
known=$(squeue --noheader --states=all --me | wc -l)
i=0
while [ $i -lt 20 ]; do
	squeue --noheader --states=all --me --format='%i|%T|%r|%j' \
	    >/dev/null || exit 1
	i=$((i + 1))
done
t3=$(now)
all_ms=$(awk -v a="$(elapsed "$t2" "$t3")" 'BEGIN { printf "%.1f", a * 1000 / 20 }')
sub_ms=$(awk -v a="$(elapsed "$t0" "$t1")" 'BEGIN { printf "%.1f", a * 1000 / 20 }')
poll_ms=$(awk -v a="$(elapsed "$t1" "$t2")" 'BEGIN { printf "%.1f", a * 1000 / 20 }')
t0=$(now)
i=0
while [ $i -lt 20 ]; do
	/bin/true
	i=$((i + 1))
done
t1=$(now)
fork_ms=$(awk -v a="$(elapsed "$t0" "$t1")" 'BEGIN { printf "%.2f", a * 1000 / 20 }')

report "$n fixture builds on slurm ($conc at once)" "$t_slurm" s \
    "the same on the local lab" "$t_local"
report "$n fixture builds of 5 s more on slurm" "$t_slurm5" s \
    "the same on the local lab" "$t_local5" "< 1.2"
report "sbatch, one job" "$sub_ms" ms "an empty process" "$fork_ms"
report "squeue of one job by name (a lookup)" "$poll_ms" ms \
    "an empty process" "$fork_ms"
report "squeue of all $known jobs (a collect pass)" "$all_ms" ms \
    "an empty process" "$fork_ms"
