#!/bin/sh
# Builds on a slurm lab: a real one-node cluster of Debian's slurmctld,
# slurmd and munged on 127.0.0.1 (tests/e2e/slurm.sh), the fixture tree
# built by the worker as a Slurm batch job.  A pass and a failure; a
# submit killed between sbatch and recording the job id (found again by
# its name, never run twice), and one killed before sbatch (submitted
# again, once); the node taken down mid-build (worker_lost, retried); a
# job over its time limit of one minute (timeout); scancel through
# `maestrino cancel`; no token in the job; a test on the lab refused by
# the config check.
. "$(dirname "$0")/lib.sh"

cluster=$TMP/slurm
"$top/tests/e2e/slurm.sh" start "$cluster" 4 2>"$TMP/slurm.err"
src=$?
if [ $src -eq 77 ]; then
	echo "1..0 # SKIP $(cat "$TMP/slurm.err")"
	rm -rf "$TMP"
	exit 0
fi
trap '"$top/tests/e2e/slurm.sh" stop "$cluster"' EXIT
is "the cluster is up" "$src $(cat "$TMP/slurm.err")" "0 "
[ $src -eq 0 ] || done_testing
SLURM_CONF=$cluster/slurm.conf
export SLURM_CONF
node=$(hostname -s)

# admin CMD...: a command only Slurm's own user may give (slurm.sh ran
# the daemons through sudo when this is not root)
admin() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo -n env "SLURM_CONF=$SLURM_CONF" "$@"
	fi
}

up=$TMP/up
fixture_repo "$up"
export FARM_TOKEN=slurm-token-8675309
config_dir
settings_add 'retries: 1' 'retry_delay: 0' 'build_env: [FLAKY_ONCE]'
{
	yaml_tree fix "$up" master
	cat <<EOF
labs:
  farm:
    type: slurm
    partition: main
    cpus: 1
    time: 20
    token_env: FARM_TOKEN
builds:
  x86:
    arch: x86_64
    targets: [bzImage]
    runtime: farm
    slurm:
      cpus: 2
      memory: 100M
  broken:
    arch: x86_64
    fragments: [CONFIG_FAIL=y]
    targets: [bzImage]
    runtime: farm
EOF
} >"$TMP/configs/trees.yaml"
C="-c $TMP/configs"

# states_of JOB: the state of every Slurm job of Maestrino's job JOB
states_of() {
	squeue --me --noheader --states=all --format='%j %T' |
	    awk -v j="-$1." 'index($1, j) { print $2 }' | sort | tr '\n' ' '
}

# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS
wait_for() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

# in_state JOB STATE...: a Slurm job of JOB is in one of the states
in_state() {
	_j=$1
	shift
	for _s in "$@"; do
		case " $(states_of "$_j")" in *" $_s "*) return 0 ;; esac
	done
	return 1
}

# a test on a lab that runs builds only: a config error
cp "$TMP/configs/trees.yaml" "$TMP/trees.good"
cat >>"$TMP/configs/trees.yaml" <<EOF
platforms:
  qemu:
    arch: x86_64
    device_type: qemu
    boot_method: qemu
tests:
  boot:
    template: boot
    platforms: [qemu]
    lab: farm
EOF
check_rc 2 "a test on the slurm lab" maestrino $C status
has "is refused, naming the key" "$TMP/out" \
    "tests.boot.lab 'farm' is a slurm lab, which runs builds only"
cp "$TMP/trees.good" "$TMP/configs/trees.yaml"
printf '    slurm:\n      memory: lots\n' >>"$TMP/configs/trees.yaml"
check_rc 2 "a bad memory request" maestrino $C status
has "is refused" "$TMP/out" "builds.broken.slurm.memory 'lots' must be a number"
cp "$TMP/trees.good" "$TMP/configs/trees.yaml"
check_rc 0 "the config" maestrino $C status

check "poll, tarball, jobs" sh -c \
    "maestrino $C poll && maestrino $C tarball && maestrino $C jobs"

# killed between sbatch and recording the Slurm job id
MAESTRINO_CRASH_AT=submit-remote-after maestrino $C submit >"$TMP/out" 2>&1
is "submit killed after the first sbatch" "$?" 137
first=$(sql "SELECT id FROM job WHERE state = 'submitting'")
is "that job is left submitting, without an id" \
    "$(sql "SELECT coalesce(runtime_job_id, '-') FROM job WHERE state = 'submitting'")" "-"
check_rc 0 "the next submit" maestrino $C submit
has "finds it by its name and adopts it" "$TMP/out" \
    "job $first: found it on lab farm as"
has "submits the other" "$TMP/out" "1 submitted"
is "one Slurm job each: never submitted twice" "$(states_of b1-x86 | wc -w) $(states_of b1-broken | wc -w)" "1 1"
is "the adopted id is Slurm's" \
    "$(sql "SELECT runtime_job_id FROM job WHERE id = '$first'")" \
    "$(squeue --noheader --states=all --format='%j %i' | awk -v j="-$first." 'index($1, j) { print $2 }')"
is "the requests of the build and the lab" \
    "$(scontrol --oneliner show job "$(sql "SELECT runtime_job_id FROM job WHERE id = 'b1-x86'")" |
       tr ' ' '\n' | grep -E '^(Partition|NumCPUs|TimeLimit|MinMemoryNode|Requeue)=' | tr '\n' ' ')" \
    "Requeue=0 TimeLimit=00:20:00 Partition=main NumCPUs=2 MinMemoryNode=100M "
check "both end" wait_for 30 sh -c \
    "squeue --noheader --states=all --format='%j %T' | grep -- '-b1-x86\\.1 COMPLETED' >/dev/null &&
     squeue --noheader --states=all --format='%j %T' | grep -E -- '-b1-broken\\.1 (COMPLETED|FAILED)' >/dev/null"
check_rc 0 "collect" maestrino $C collect --wait
has "both finished" "$TMP/out" "2 finished, 0 running, 0 retried, 0 failed"
is "x86 passed" "$(sql "SELECT status FROM build WHERE job_id = 'b1-x86'")" PASS
is "broken failed, run once" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.attempt') FROM build WHERE job_id = 'b1-broken'")" \
    "FAIL 1"
store=$TMP/var/storage/builds/b1-x86
for f in bzImage config build.log; do
	[ -s "$store/$f" ] && ok "artifact $f stored" || not_ok "no $store/$f"
done
sql "SELECT log_excerpt FROM build WHERE job_id = 'b1-broken'" >"$TMP/excerpt"
has "the failure's log excerpt" "$TMP/excerpt" "this build is meant to fail"
[ ! -d "$TMP/var/work/b1-x86" ] && ok "work directory removed" || not_ok "work dir left"

# the node goes down under a build (one that hangs the first time)
cat >>"$TMP/configs/trees.yaml" <<EOF
  flaky:
    arch: x86_64
    targets: [bzImage]
    runtime: farm
EOF
# its marker is outside the build's directory, where a sandboxed build
# cannot write: no sandbox for it
settings_add 'sandbox: off'
FLAKY_ONCE="$TMP/flaky-once"
export FLAKY_ONCE
check "a job for it" maestrino $C jobs --checkout 1
check_rc 0 "submit" maestrino $C submit
check "it hangs on the node" wait_for 30 test -e "$FLAKY_ONCE"
work=$TMP/var/work/b1-flaky
check "the job script is in the work directory" test -x "$work/slurm-job.sh"
hasnt "and holds no token" "$work/slurm-job.sh" "slurm-token-8675309"
has "it runs the worker under env -i" "$work/slurm-job.sh" "exec /usr/bin/env -i"
pid=$(sed -n 1p "$work/worker.pid")
check "the worker runs without the token" sh -c \
    "! tr '\\000' '\\n' </proc/$pid/environ | grep -q slurm-token-8675309"
check "node down" admin scontrol update "nodename=$node" state=down reason=test
check "the job ends NODE_FAIL" wait_for 20 in_state b1-flaky NODE_FAIL
admin scontrol update "nodename=$node" state=resume >/dev/null 2>&1
check "the node is back" wait_for 20 sh -c \
    "sinfo --noheader --format=%t | grep -Eq '^(idle|mix|alloc)'"
check_rc 0 "collect" maestrino $C collect
has "one retried" "$TMP/out" "0 finished, 0 running, 1 retried, 0 failed"
is "the lost job is worker_lost, to be retried" \
    "$(sql "SELECT state || ' ' || attempt || ' ' || error_code FROM job WHERE id = 'b1-flaky'")" \
    "pending 2 worker_lost"
has "said so" "$TMP/out" "attempt 1 incomplete (worker_lost)"
sql "SELECT error_msg FROM job WHERE id = 'b1-flaky'" >"$TMP/msg"
has "naming Slurm's state, reason and node" "$TMP/msg" \
    "ended NODE_FAIL (NodeDown on $node, exit "

# a time limit of one minute, and a build to cancel
cat >>"$TMP/configs/trees.yaml" <<EOF
  slow:
    arch: x86_64
    fragments: [CONFIG_SLEEP=y]
    targets: [bzImage]
    runtime: farm
    slurm:
      time: 1
  hang:
    arch: x86_64
    fragments: [CONFIG_SLEEP=y]
    targets: [bzImage]
    runtime: farm
EOF
check "jobs for the new builds" maestrino $C jobs --checkout 1
# killed before sbatch: submitted again, once
MAESTRINO_CRASH_AT=submit-remote-before maestrino $C submit >"$TMP/out" 2>&1
is "submit killed before the first sbatch" "$?" 137
first=$(sql "SELECT id FROM job WHERE state = 'submitting'")
check_rc 0 "submit" maestrino $C submit
has "finds no such job and submits it again" "$TMP/out" \
    "job $first: lab farm does not have it; submitting it again"
has "three submitted" "$TMP/out" "3 submitted"
is "one Slurm job each" \
    "$(states_of b1-flaky | wc -w) $(states_of b1-slow | wc -w) $(states_of b1-hang | wc -w)" \
    "2 1 1"
check "the hanging build runs" wait_for 30 in_state b1-hang RUNNING
# another user's job of the same name (squeue shows names to everyone):
# not Maestrino's to wait for or to cancel
hang=$(squeue --me --noheader --states=all --format=%j | grep -e '-b1-hang\.')
conf=$(mktemp /tmp/maestrino-slurm-conf.XXXXXX)
cp "$SLURM_CONF" "$conf" && chmod 644 "$conf"
check "another user submits a held job named '$hang'" sh -c "
    sudo -n -u nobody env SLURM_CONF='$conf' sbatch --hold \
    --job-name='$hang' --chdir=/ --output=/dev/null --wrap=true"
rm -f "$conf"
check_rc 0 "maestrino cancel" maestrino $C cancel b1-hang
is "the other user's job is left alone" \
    "$(squeue --noheader --states=all --user=nobody --format='%j %T')" \
    "$hang PENDING"
admin scancel --user=nobody
is "its Slurm job is cancelled" "$(states_of b1-hang)" "CANCELLED "
is "the job ends cancelled" \
    "$(sql "SELECT state || ' ' || error_code FROM job WHERE id = 'b1-hang'")" \
    "done cancelled"
check_rc 0 "collect --wait for the slow one" maestrino $C collect --wait
is "the retried build passed" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.attempt') FROM build WHERE job_id = 'b1-flaky'")" \
    "PASS 2"
is "in its second Slurm job" "$(states_of b1-flaky)" "COMPLETED NODE_FAIL "
is "the slow one went over its time limit: timeout, to be retried" \
    "$(sql "SELECT state || ' ' || attempt || ' ' || error_code FROM job WHERE id = 'b1-slow'")" \
    "pending 2 timeout"
has "said so" "$TMP/out" "attempt 1 incomplete (timeout)"
sql "SELECT error_msg FROM job WHERE id = 'b1-slow'" >"$TMP/msg"
has "and why" "$TMP/msg" "went over its time limit (TimeLimit on $node"
is "Slurm says TIMEOUT" "$(states_of b1-slow)" "TIMEOUT "
check_rc 0 "cancel it before its second attempt" maestrino $C cancel b1-slow
# nothing_left: no process in a build's work directory
nothing_left() {
	for _p in /proc/[0-9]*; do
		readlink "$_p/cwd" 2>/dev/null
	done | grep -qF "$TMP/var/work/" && return 1
	return 0
}
check "nothing of the builds is left behind" wait_for 10 nothing_left
is "every job done" "$(sql "SELECT COUNT(*) FROM job WHERE state != 'done'")" 0

# a data dir with a '%' in its path: sbatch must not read "%x" in
# --output as the job's name
mkdir -p "$TMP/pct"
sed "s|data_dir: .*|data_dir: $TMP/pct/v%x|" "$TMP/configs/settings.yaml" \
    >"$TMP/pct/settings.yaml"
cp "$TMP/trees.good" "$TMP/pct/trees.yaml"
check "a build in a data dir named with '%x'" sh -c "maestrino -c $TMP/pct poll &&
    maestrino -c $TMP/pct tarball && maestrino -c $TMP/pct jobs &&
    maestrino -c $TMP/pct submit && maestrino -c $TMP/pct collect --wait"
is "passes" "$(sqlite3 "$TMP/pct/v%x/state.db" "SELECT status FROM build
    WHERE config_name = 'x86'")" PASS

"$top/tests/e2e/slurm.sh" stop "$cluster"
trap - EXIT
done_testing
