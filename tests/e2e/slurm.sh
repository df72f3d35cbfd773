#!/bin/sh
# slurm.sh start DIR [CPUS] | stop DIR: a one-node Slurm cluster of
# Debian's slurm-wlm and munge on 127.0.0.1, all of it in DIR (its
# config, state, spool and logs; DIR/munge links to a directory of
# /tmp that the munge user can reach, with munge's key and socket),
# without systemd and without touching /etc: munged runs as the munge
# user on a socket of its own, slurmctld and slurmd on free ports, so
# several clusters can run side by side.  The node has CPUS CPUs
# (default: this machine's).
#
# start prints nothing on success; DIR/slurm.conf is then the cluster's
# config: export SLURM_CONF=DIR/slurm.conf to talk to it (scontrol,
# sbatch, maestrino).  stop kills what start started, by the pids in
# DIR, and waits for it to go.  Both need root, or passwordless sudo
# (then the jobs run as the caller, and DIR is given back to the caller
# at stop).  start exits 77 when Slurm or munge is not installed or
# there is neither (a caller may skip), 1 when the cluster does not come
# up (the tail of its logs on stderr).
set -u

usage() {
	echo "usage: slurm.sh start DIR [CPUS] | stop DIR" >&2
	exit 2
}

. "$(dirname "$0")/ports.sh"

stop() {
	# the jobs first: their processes outlive slurmd
	if [ -s "$1/run/slurmctld.pid" ] && [ -f "$1/slurm.conf" ]; then
		SLURM_CONF="$1/slurm.conf" timeout 10 scancel --full \
		    --partition=main 2>/dev/null
		i=0
		while [ $i -lt 50 ] && SLURM_CONF="$1/slurm.conf" timeout 5 \
		    squeue --noheader --states=running,completing \
		    2>/dev/null | grep -q .; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	for p in slurmd slurmctld munged; do
		f="$1/run/$p.pid"
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		case $pid in *[!0-9]*|'') continue ;; esac
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$pid" 2>/dev/null
		rm -f "$f"
	done
	# munge's own directory, outside DIR
	m=$(readlink "$1/munge" 2>/dev/null)
	case $m in /tmp/maestrino-munge.*) rm -rf "$m" ;; esac
	rm -f "$1/munge"
	# what root made in DIR, back to the caller of sudo
	if [ -n "${SUDO_UID:-}" ] && [ -d "$1" ]; then
		chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$1"
	fi
	return 0
}

fail() {
	echo "slurm.sh: $*" >&2
	for l in "$dir"/log/*.log "$dir"/munge/munged.log "$dir"/log/*.out; do
		[ -s "$l" ] || continue
		echo "--- $l" >&2
		tail -n 15 "$l" >&2
	done
	stop "$dir"
	exit 1
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

# slurmd runs jobs as their users, munged as munge: root's work.  A user
# with passwordless sudo (CI runners) runs this script through it; the
# jobs then run as that user, who gives the admin commands through sudo
# too (scontrol update).
if [ "$(id -u)" -ne 0 ]; then
	if sudo -n true 2>/dev/null; then
		exec sudo -n "$0" "$@"
	fi
	echo "slurm.sh: slurmd and munged need root or passwordless sudo" >&2
	exit 77
fi
case $cmd in
stop) stop "$dir"; exit 0 ;;
start) ;;
*) usage ;;
esac

for p in munged mungekey slurmctld slurmd; do
	if ! command -v "$p" >/dev/null 2>&1 &&
	    ! [ -x "/usr/sbin/$p" ]; then
		echo "slurm.sh: no $p (scripts/deps.sh test installs slurm-wlm and munge)" >&2
		exit 77
	fi
done
PATH="$PATH:/usr/sbin:/sbin"
cpus=${3:-$(nproc)}
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/run" "$dir/log" "$dir/state" "$dir/spool" || exit 1

# munge: a key of its own, as the munge user, which munged insists on,
# in a directory that user can reach (DIR may be below a private one)
# with no group- or world-writable directory above its socket
m=$(mktemp -d /tmp/maestrino-munge.XXXXXX) || exit 1
ln -sfn "$m" "$dir/munge"
chown munge:munge "$m" || fail "cannot give $m to munge"
chmod 755 "$m"
runuser -u munge -- mungekey -c -k "$m/munge.key" >/dev/null 2>&1 ||
    fail "cannot make a munge key"
runuser -u munge -- munged --key-file="$m/munge.key" \
    --socket="$m/munge.socket" \
    --pid-file="$m/munged.pid" \
    --log-file="$m/munged.log" \
    --seed-file="$m/munged.seed" ||
    fail "munged did not start"
i=0
while [ ! -s "$m/munged.pid" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
cp "$m/munged.pid" "$dir/run/munged.pid" 2>/dev/null ||
    fail "munged wrote no pid"

host=$(hostname -s)
ctld=$(free_port)
slurmd_port=$(free_port)
cat >"$dir/slurm.conf" <<EOF
# a one-node test cluster made by tests/e2e/slurm.sh
ClusterName=maestrino
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$m/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
# CPUS may be more than this machine has
SlurmdParameters=config_overrides
# time limits are looked at every 30 s; a killed job's grace
KillWait=5
OverTimeLimit=0
MinJobAge=300
# start a job as soon as a slot is free (the default waits up to 3 s)
SchedulerParameters=batch_sched_delay=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
SLURM_CONF="$dir/slurm.conf"
export SLURM_CONF
slurmctld -f "$SLURM_CONF" >>"$dir/log/slurmctld.out" 2>&1 ||
    fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" >>"$dir/log/slurmd.out" 2>&1 ||
    fail "slurmd did not start"
i=0
until scontrol ping 2>/dev/null | grep -q 'is UP' &&
    sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; do
	[ $i -lt 100 ] || fail "the cluster is not up after 10 s"
	sleep 0.1
	i=$((i + 1))
done
exit 0
