#!/bin/sh
# make-ramdisk.sh [-a ARCH] OUT.cpio.gz [KROOT KVER]: a small busybox initramfs for
# booting test kernels under QEMU, from Debian's busybox-static.  Its
# /init mounts the usual file systems, makes /dev/disk/by-uuid links
# (LAVA mounts its test overlay disk by UUID; busybox has no blkid),
# prints a boot marker and gives a root shell with the prompt
# 'lava-guest:~# ' on the console.
#
# Without KROOT the kernel needs its disk drivers built in (the default
# config's kernel has them).  With KROOT (a tree holding
# lib/modules/KVER, such as an unpacked Debian linux-image package) the
# modules for virtio and IDE disks and ext4 go in too, loaded in
# modules.dep order, so a distribution kernel can run LAVA's test shell.
# The archive is reproducible: fixed mtimes, sorted entries.
set -eu

usage() {
	cat <<'EOF2'
usage: make-ramdisk.sh [-a ARCH] OUT.cpio.gz [KROOT KVER]
  -a ARCH   x86_64 (default), arm64 or riscv
  OUT       the initramfs to write (gzip'd cpio newc)
  KROOT KVER  add disk and ext4 modules from KROOT/lib/modules/KVER
EOF2
}

arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-a) [ $# -ge 2 ] || { echo "make-ramdisk.sh: -a needs an ARCH" >&2; usage >&2; exit 2; }
		arch=$2; shift 2 ;;
	-a*) arch=${1#-a}; shift ;;
	--) shift; break ;;
	-?*) echo "make-ramdisk.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
case $# in
1|3) ;;
*) echo "make-ramdisk.sh: want OUT.cpio.gz [KROOT KVER]" >&2; usage >&2; exit 2 ;;
esac
case $arch in
x86_64|arm64|riscv) ;;
*) echo "make-ramdisk.sh: unknown ARCH '$arch' (x86_64, arm64, riscv)" >&2; exit 2 ;;
esac
out=$1
kroot=${2:-}
kver=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$arch" != x86_64 ]; then
	echo "make-ramdisk.sh: ARCH $arch is not supported yet" >&2
	exit 2
fi
bb=/bin/busybox
if [ ! -x "$bb" ]; then
	"$top/scripts/deps.sh" run
fi
[ -x "$bb" ] || { echo "make-ramdisk.sh: no $bb (apt-get install busybox-static)" >&2; exit 2; }
command -v cpio >/dev/null || "$top/scripts/deps.sh" run

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT INT TERM
mkdir -p "$w/bin" "$w/sbin" "$w/etc" "$w/proc" "$w/sys" "$w/dev" "$w/tmp" \
    "$w/root" "$w/usr/bin" "$w/usr/sbin" "$w/var/run"
cp "$bb" "$w/bin/busybox"
for a in $("$bb" --list-full); do
	[ -e "$w/$a" ] || ln -s /bin/busybox "$w/$a"
done
mkdir -p "$w/lib/modules"
: >"$w/lib/modules/ORDER"
if [ -n "$kroot" ]; then
	md=$kroot/lib/modules/$kver
	[ -f "$md/modules.dep" ] || depmod -b "$kroot" "$kver"
	for m in virtio_pci virtio_blk ata_piix sd_mod crc32c_generic ext4; do
		line=$(grep -E "/$m\.ko(\.xz)?:" "$md/modules.dep" || true)
		[ -n "$line" ] || continue
		for f in $(echo "${line#*:}" | tr ' ' '\n' | grep . | tac) "${line%%:*}"; do
			b=$(basename "$f" .xz)
			b=$(basename "$b" .ko)
			grep -qx "$b" "$w/lib/modules/ORDER" && continue
			echo "$b" >>"$w/lib/modules/ORDER"
			case $f in
			*.xz) xz -dc "$md/$f" >"$w/lib/modules/$b.ko" ;;
			*) cp "$md/$f" "$w/lib/modules/$b.ko" ;;
			esac
		done
	done
fi
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$w/etc/passwd"
printf 'root:x:0:\n' >"$w/etc/group"
cat >"$w/etc/profile" <<'P'
export PS1='lava-guest:~# '
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
P
cat >"$w/init" <<'I'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
echo "MAESTRINO-INITRAMFS: init started, kernel $(uname -r)"
for m in $(cat /lib/modules/ORDER); do
	insmod "/lib/modules/$m.ko" 2>/dev/null
done
# wait up to 3 s for a disk (LAVA's overlay) to appear
i=0
while [ $i -lt 15 ]; do
	ls /sys/class/block 2>/dev/null | grep -qE '^(sd|vd|hd)' && break
	sleep 0.2
	i=$((i + 1))
done
/sbin/update-disk-links
echo "MAESTRINO-INITRAMFS: boot complete"
hostname lava-guest
export PS1='lava-guest:~# ' HOME=/root
cd /root
while true; do
	setsid cttyhack /bin/sh -l
done
I
cat >"$w/sbin/update-disk-links" <<'U'
#!/bin/sh
# /dev/disk/by-uuid/<uuid> for every ext2/3/4 block device, from the
# superblock (magic 0xef53 at 1080, UUID at 1128)
mkdir -p /dev/disk/by-uuid
for d in /sys/class/block/*; do
	dev=/dev/${d##*/}
	[ -b "$dev" ] || continue
	magic=$(dd if="$dev" bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')
	[ "$magic" = "53ef" ] || continue
	h=$(dd if="$dev" bs=1 skip=1128 count=16 2>/dev/null | od -An -tx1 | tr -d ' \n')
	uuid=$(echo "$h" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\)$/\1-\2-\3-\4-\5/')
	ln -sf "$dev" "/dev/disk/by-uuid/$uuid" && echo "disk-link: $dev -> $uuid"
done
U
chmod 755 "$w/init" "$w/sbin/update-disk-links"
mkdir -p "$(dirname "$out")"
find "$w" -exec touch -h -d @0 {} +
(cd "$w" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet --reproducible 2>/dev/null ||
    find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-ramdisk.sh: made $out ($(wc -c <"$out") bytes)" >&2
