#!/bin/sh
# boot.sh SECS KERNEL INITRD|- "APPEND" OUT.log: boot KERNEL under QEMU
# (TCG, 2 CPUs, 512 MB) and keep its serial console, as it comes, in
# OUT.log; QEMU is killed after SECS seconds if the guest has not ended.
# QEMU's own messages ("terminating on signal 15") go to OUT.log.stderr,
# so OUT.log holds only what the guest wrote on ttyS0 (plus what the
# firmware writes on the same port before the kernel starts).
set -u

secs=$1 kernel=$2 initrd=$3 append=$4 out=$5
set -- -m 512 -smp 2 -nographic -no-reboot -kernel "$kernel" \
    -append "$append"
[ "$initrd" != - ] && set -- "$@" -initrd "$initrd"
echo "boot.sh: timeout $secs qemu-system-x86_64 $*" >&2
start=$(date +%s)
timeout "$secs" qemu-system-x86_64 "$@" </dev/null >"$out" 2>"$out.stderr"
rc=$?
echo "boot.sh: exit $rc after $(($(date +%s) - start)) s, $(wc -c <"$out") bytes" >&2
