#!/bin/sh
# The userlands the local lab boots: busybox initramfs for x86_64, arm64
# and riscv, and the Debian 12 rootfs for x86_64 and arm64.  Each is a
# gzip'd newc cpio with an executable /init and a shell of the right ELF
# machine, made twice with the same bytes (the second time from the
# cache); the foreign ones run under qemu-user.  The first run on a
# machine downloads packages and builds busybox for riscv (about ten
# minutes on two cores); later ones take the cache (var/cache, or
# $MAESTRINO_CACHE).
. "$(dirname "$0")/../e2e/lib.sh"

"$top/scripts/deps.sh" test >/dev/null 2>&1 || true
ramdisk=$top/scripts/make-ramdisk.sh
rootfs=$top/scripts/make-rootfs.sh

# machine ARCH: readelf's name for it
machine() {
	case $1 in
	x86_64) echo "Advanced Micro Devices X86-64" ;;
	arm64) echo AArch64 ;;
	riscv) echo RISC-V ;;
	esac
}

# unpack CPIO DIR: a gzip'd newc cpio into DIR
unpack() {
	mkdir -p "$2" && (cd "$2" && gzip -dc "$1" | cpio -idm --quiet 2>/dev/null)
}

# newc CPIO: the archive is gzip'd and its first header is newc's
newc() {
	[ "$(gzip -dc "$1" | head -c 6)" = 070701 ]
}

elf() {
	readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'
}

for a in x86_64 arm64 riscv; do
	f=$TMP/busybox-$a.cpio.gz
	check_rc 0 "busybox $a: made" "$ramdisk" -a "$a" "$f"
	check_rc 0 "busybox $a: made again" "$ramdisk" -a "$a" "$f.2"
	if [ "$a" != x86_64 ]; then
		# (x86_64's is the host's busybox: nothing to fetch or build)
		hasnt "busybox $a: the second time from the cache" "$TMP/out" "fetching"
		hasnt "busybox $a: nothing built the second time" "$TMP/out" "building"
	fi
	check "busybox $a: packed again, the same bytes" cmp "$f" "$f.2"
	check "busybox $a: gzip'd newc cpio" newc "$f"
	d=$TMP/bb-$a
	check "busybox $a: unpacks" unpack "$f" "$d"
	check "busybox $a: /init is executable" test -x "$d/init"
	is "busybox $a: ELF machine" "$(elf "$d/bin/busybox")" "$(machine "$a")"
	check "busybox $a: sh is busybox" test "$(readlink "$d/bin/sh")" = /bin/busybox
	check "busybox $a: update-disk-links" test -x "$d/sbin/update-disk-links"
done
check "riscv busybox is static" sh -c \
    "! readelf -lW '$TMP/bb-riscv/bin/busybox' | grep -q 'program interpreter'"
is "arm64 busybox runs under qemu-aarch64-static" \
    "$(qemu-aarch64-static "$TMP/bb-arm64/bin/busybox" echo arm64-ok 2>&1)" arm64-ok
is "riscv busybox runs under qemu-riscv64-static" \
    "$(qemu-riscv64-static "$TMP/bb-riscv/bin/busybox" echo riscv-ok 2>&1)" riscv-ok
is "riscv busybox's sh runs a script" \
    "$(qemu-riscv64-static "$TMP/bb-riscv/bin/busybox" sh -c 'echo $((6 * 7))' 2>&1)" 42

# the x86_64 ramdisk is still the host's busybox, byte for byte
check "x86_64 busybox is the host's" cmp /bin/busybox "$TMP/bb-x86_64/bin/busybox"
check_rc 0 "the positional form OUT alone still works" "$ramdisk" "$TMP/plain.cpio.gz"
check "and gives the x86_64 ramdisk" cmp "$TMP/plain.cpio.gz" "$TMP/busybox-x86_64.cpio.gz"

for a in x86_64 arm64; do
	f=$TMP/debian-$a.cpio.gz
	check_rc 0 "debian $a: made" "$rootfs" -a "$a" "$f"
	check_rc 0 "debian $a: made again" "$rootfs" -a "$a" "$f.2"
	hasnt "debian $a: the second time from the cache" "$TMP/out" "unpacking"
	check "debian $a: the cache gives the same bytes" cmp "$f" "$f.2"
	check "debian $a: gzip'd newc cpio" newc "$f"
	d=$TMP/deb-$a
	check "debian $a: unpacks" unpack "$f" "$d"
	check "debian $a: /init is executable" test -x "$d/init"
	has "debian $a: /init prints the marker" "$d/init" "MAESTRINO-INITRAMFS: boot complete"
	has "debian $a: /init sets the prompt" "$d/init" "PS1='lava-guest:~# '"
	is "debian $a: ELF machine of bash" "$(elf "$d/bin/bash")" "$(machine "$a")"
	check "debian $a: /bin/sh" test -e "$d/bin/sh"
	has "debian $a: root in /etc/passwd" "$d/etc/passwd" "root:x:0:0:"
	check "debian $a: no manuals" test ! -e "$d/usr/share/man"
	check "debian $a: under 60 MB unpacked" test "$(du -sm "$d" | cut -f1)" -lt 60
done
is "x86_64 bash runs with its loader" "$("$TMP/deb-x86_64/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
    --library-path "$TMP/deb-x86_64/lib/x86_64-linux-gnu:$TMP/deb-x86_64/usr/lib/x86_64-linux-gnu" \
    "$TMP/deb-x86_64/bin/bash" -c 'echo x86-ok' 2>&1)" x86-ok
is "arm64 bash runs under qemu-aarch64-static" \
    "$(qemu-aarch64-static -L "$TMP/deb-arm64" "$TMP/deb-arm64/bin/bash" -c 'echo arm64-ok' 2>&1)" arm64-ok
is "arm64 coreutils timeout runs" \
    "$(qemu-aarch64-static -L "$TMP/deb-arm64" "$TMP/deb-arm64/usr/bin/timeout" --version 2>&1 | head -n 1)" \
    "timeout (GNU coreutils) 9.1"

# command lines
check_rc 0 "make-ramdisk.sh --help" "$ramdisk" --help
has "--help gives the usage" "$TMP/out" "usage: make-ramdisk.sh [-a ARCH] OUT.cpio.gz [KROOT KVER]"
check_rc 2 "make-ramdisk.sh without OUT: usage error" "$ramdisk"
check_rc 2 "make-ramdisk.sh -a sparc: usage error" "$ramdisk" -a sparc "$TMP/x.cpio.gz"
has "and names the arches" "$TMP/out" "x86_64, arm64, riscv"
check_rc 2 "make-ramdisk.sh with two operands: usage error" "$ramdisk" "$TMP/x.cpio.gz" kroot
check_rc 0 "make-rootfs.sh --help" "$rootfs" --help
check_rc 2 "make-rootfs.sh without -a: usage error" "$rootfs" "$TMP/x.cpio.gz"
check_rc 2 "make-rootfs.sh -a riscv: refused" "$rootfs" -a riscv "$TMP/x.cpio.gz"
has "with the reason" "$TMP/out" "Debian 12 (bookworm) ships no riscv64 packages"
check "nothing written" test ! -e "$TMP/x.cpio.gz"

done_testing
