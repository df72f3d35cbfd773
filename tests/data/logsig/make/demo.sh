#!/bin/sh
# demo.sh BUILD OUTDIR: the demo-*.log files, from the kernel that
# kernel.sh built in BUILD (BUILD/arch/x86/boot/bzImage), booted under
# QEMU with busybox initramfs images from initramfs.sh.  Each crash mode
# of lib/maestrino_crash.c (maestrino-crash.patch) gets one boot; initwait
# is how long /init sleeps before reboot -f, so that reports that come
# late (RCU stall, soft lockup, hung task) are on the console first.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
mkdir -p "$2"
outdir=$(cd "$2" && pwd)
k=$build/arch/x86/boot/bzImage
ird=$build/initramfs
mkdir -p "$ird"
for kind in reboot silence exit; do
	"$here/initramfs.sh" "$kind" "$ird/$kind.cpio.gz"
done

b="$here/boot.sh"
base="console=ttyS0 panic=-1"
"$b" 120 "$k" "$ird/reboot.cpio.gz" "$base" "$outdir/demo-clean.log"
for m in warn oops bug kasan ubsan lockdep panic; do
	"$b" 120 "$k" "$ird/reboot.cpio.gz" \
	    "$base maestrino_crash=$m initwait=3" "$outdir/demo-$m.log"
done
"$b" 120 "$k" "$ird/reboot.cpio.gz" \
    "$base maestrino_crash=rcu rcupdate.rcu_cpu_stall_timeout=3 initwait=20" \
    "$outdir/demo-rcu.log"
"$b" 120 "$k" "$ird/reboot.cpio.gz" \
    "$base maestrino_crash=softlockup watchdog_thresh=3 initwait=20" \
    "$outdir/demo-softlockup.log"
"$b" 120 "$k" "$ird/reboot.cpio.gz" \
    "$base maestrino_crash=hung sysctl.kernel.hung_task_timeout_secs=5 initwait=20" \
    "$outdir/demo-hung.log"
# /init exits 1: "Attempted to kill init!".
"$b" 120 "$k" "$ird/exit.cpio.gz" "$base" "$outdir/demo-init-exit.log"
# No initramfs: the kernel keeps its built-in, empty one as root (it has
# no block layer to mount another), finds no init in it, and panics
# with "No working init found".
"$b" 120 "$k" - "$base" "$outdir/demo-init-fail.log"
# /init prints a line and sleeps: the console just stops, and QEMU is
# killed by timeout after 30 s.
"$b" 30 "$k" "$ird/silence.cpio.gz" "$base" "$outdir/demo-silence.log"
rm -f "$outdir"/demo-*.log.stderr
