#!/bin/sh
# debian.sh WORK OUTDIR: the debian-*.log files, from Debian 12's own
# x86_64 kernel (linux-image-amd64, fetched with apt-get download into
# WORK) booted under QEMU with busybox initramfs images from initramfs.sh.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" "$2"
work=$(cd "$1" && pwd)
outdir=$(cd "$2" && pwd)

cd "$work"
if ! ls x/boot/vmlinuz-* >/dev/null 2>&1; then
	apt-get download linux-image-amd64
	dep=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/ .*//')
	apt-get download "$dep"
	dpkg-deb -x "$dep"_*.deb x
fi
k=$(ls x/boot/vmlinuz-* | head -n 1)
for kind in reboot exit sysrq; do
	"$here/initramfs.sh" "$kind" "$work/$kind.cpio.gz"
done

b="$here/boot.sh"
# rdinit=/broken fails with ENOEXEC, so the kernel runs init=, which is
# missing: "Requested init /nonexistent failed".
"$b" 120 "$k" reboot.cpio.gz \
    "console=ttyS0 panic=-1 rdinit=/broken init=/nonexistent" \
    "$outdir/debian-panic-init.log"
# The same with panic=0: the kernel prints "---[ end Kernel panic" and
# halts, and QEMU is killed by timeout.
"$b" 25 "$k" reboot.cpio.gz \
    "console=ttyS0 panic=0 rdinit=/broken init=/nonexistent" \
    "$outdir/debian-panic-init-halt.log"
# No initramfs and no root=: "VFS: Unable to mount root fs".
"$b" 120 "$k" - "console=ttyS0 panic=-1" "$outdir/debian-no-rootfs.log"
# /init exits 1: "Attempted to kill init! exitcode=0x00000100".
"$b" 120 "$k" exit.cpio.gz "console=ttyS0 panic=-1" \
    "$outdir/debian-init-exit.log"
# /init writes c to /proc/sysrq-trigger: "sysrq triggered crash".
"$b" 120 "$k" sysrq.cpio.gz "console=ttyS0 panic=-1" \
    "$outdir/debian-sysrq-crash.log"
rm -f "$outdir"/debian-*.log.stderr
