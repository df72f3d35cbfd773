#!/bin/sh
# make-ramdisk.sh [-a ARCH] OUT.cpio.gz [KROOT KVER]: a small busybox
# initramfs for booting test kernels under QEMU.  Its /init mounts the
# usual file systems, makes /dev/disk/by-uuid links (LAVA mounts its test
# overlay disk by UUID; busybox has no blkid), prints a boot marker and
# gives a root shell with the prompt 'lava-guest:~# ' on the console.
#
# The busybox comes, per ARCH, from:
#   x86_64  the host's Debian busybox-static (/bin/busybox)
#   arm64   Debian's busybox-static:arm64, downloaded with apt-get
#           (multiarch) and unpacked with dpkg-deb; where dpkg has no
#           arm64 packages (Ubuntu), built as riscv's is
#   riscv   Debian's busybox source package, built static with
#           riscv64-linux-gnu-gcc and Debian's own static configuration
# arm64 and riscv are made once and kept in $MAESTRINO_CACHE/busybox/ARCH
# (default var/cache): the binary and busybox.list, its applets' paths.
#
# Without KROOT the kernel needs its disk drivers built in (the default
# config's kernel has them).  With KROOT (a tree holding
# lib/modules/KVER, such as an unpacked Debian linux-image package) the
# modules for virtio and IDE disks and ext4 go in too, loaded in
# modules.dep order, so a distribution kernel can run LAVA's test shell.
# The archive is reproducible: fixed mtimes, sorted entries.
set -eu
me=make-ramdisk.sh
top=$(cd "$(dirname "$0")/.." && pwd)
# die, need, disk_links
. "$top/scripts/userland.sh"

usage() {
	cat <<'EOF2'
usage: make-ramdisk.sh [-a ARCH] OUT.cpio.gz [KROOT KVER]
  -a ARCH     x86_64 (default), arm64 or riscv
  OUT         the initramfs to write (gzip'd cpio newc)
  KROOT KVER  add disk and ext4 modules from KROOT/lib/modules/KVER
Downloads and the riscv build are cached in $MAESTRINO_CACHE
(default: var/cache in the source tree; installed, ~/.cache/maestrino,
/var/cache/maestrino for root).
EOF2
}

arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-a) [ $# -ge 2 ] || { usage >&2; die "-a needs an ARCH"; }
		arch=$2; shift 2 ;;
	-a*) arch=${1#-a}; shift ;;
	--) shift; break ;;
	-?*) usage >&2; die "unknown option '$1'" ;;
	*) break ;;
	esac
done
case $# in
1|3) ;;
*) usage >&2; die "want OUT.cpio.gz [KROOT KVER]" ;;
esac
out=$1
kroot=${2:-}
kver=${3:-}
cache=${MAESTRINO_CACHE:-$(default_cache)}

# elf_machine FILE: readelf's Machine field
elf_machine() {
	readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'
}

# check_busybox FILE: FILE is an ELF for $arch
check_busybox() {
	case $arch in
	x86_64) want="Advanced Micro Devices X86-64" ;;
	arm64) want="AArch64" ;;
	riscv) want="RISC-V" ;;
	esac
	got=$(elf_machine "$1")
	[ "$got" = "$want" ] ||
	    die "$1 is not a $arch busybox (ELF machine '${got:-none}', want '$want')"
}

# the arm64 busybox: busybox-static:arm64 with apt-get download, which
# needs the arm64 architecture in dpkg (scripts/deps.sh adds it on Debian)
fetch_arm64() {
	d=$cache/busybox/arm64
	[ -x "$d/busybox" ] && [ -s "$d/busybox.list" ] && return 0
	need dpkg-deb dpkg
	need readelf binutils
	echo "$me: fetching busybox-static:arm64" >&2
	t=$d.tmp.$$
	rm -rf "$t"
	mkdir -p "$t"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		"$top/scripts/deps.sh" run >&2 || true
	fi
	if ! (cd "$t" && apt-get download -q busybox-static:arm64 >/dev/null 2>"$t/apt.log"); then
		# no arm64 in dpkg (Ubuntu keeps it on another mirror): make
		# it as riscv's is made
		echo "$me: no busybox-static:arm64 to download ($(tail -n 1 "$t/apt.log")); building it" >&2
		rm -rf "$t"
		build_busybox arm64 aarch64-linux-gnu-
		return
	fi
	deb=$(ls "$t"/busybox-static_*_arm64.deb)
	dpkg-deb -x "$deb" "$t/x"
	check_busybox "$t/x/bin/busybox"
	# Same source and configuration as the host's busybox-static, so the
	# same applets; ask the binary itself when an emulator is at hand.
	if command -v qemu-aarch64-static >/dev/null 2>&1; then
		qemu-aarch64-static "$t/x/bin/busybox" --list-full >"$t/busybox.list"
	elif [ -x /bin/busybox ] && [ "$(dpkg-deb -f "$deb" Version)" = \
	    "$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null)" ]; then
		/bin/busybox --list-full >"$t/busybox.list"
	else
		rm -rf "$t"
		die "cannot list the arm64 busybox's applets: install qemu-user-static, or busybox-static of the same version"
	fi
	mv "$t/x/bin/busybox" "$t/busybox"
	rm -rf "$t/x" "$t/apt.log" "$deb"
	rm -rf "$d"
	mv "$t" "$d"
}

# apt-get with a private package list of source packages, from the
# machine's own mirror; the system's apt configuration is left alone
src_apt() {
	apt-get -q -o Dir::Etc::SourceList="$s_file" \
	    -o Dir::Etc::SourceParts=- -o Dir::State::Lists="$s/lists" \
	    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "$@"
}

# build_busybox ARCH CROSS_COMPILE: a busybox for ARCH built once from
# Debian's busybox source package with Debian's static configuration
# (riscv always: Debian 12 has no riscv64 packages; arm64 where dpkg has
# no arm64 packages)
build_busybox() {
	d=$cache/busybox/$1
	cross=$2
	[ -x "$d/busybox" ] && [ -s "$d/busybox.list" ] && return 0
	need "${cross}gcc" "gcc-$(echo "${cross%-}" | tr _ -)"
	need dpkg-source dpkg-dev
	need make make
	need bzip2 bzip2
	need readelf binutils
	s=$cache/busybox/src
	# (a cache made before arm64 could be built kept it here)
	if [ ! -d "$s" ] && [ -d "$cache/busybox/riscv-src" ]; then
		mv "$cache/busybox/riscv-src" "$s"
	fi
	if ! ls "$s"/busybox_*.dsc >/dev/null 2>&1; then
		echo "$me: fetching Debian's busybox source package" >&2
		rm -rf "$s"
		mkdir -p "$s/lists/partial"
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			sed 's/^Types:.*/Types: deb-src/' \
			    /etc/apt/sources.list.d/debian.sources >"$s/sources"
		elif [ -f /etc/apt/sources.list.d/ubuntu.sources ]; then
			sed 's/^Types:.*/Types: deb-src/' \
			    /etc/apt/sources.list.d/ubuntu.sources >"$s/sources"
		elif [ -f /etc/apt/sources.list ]; then
			sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$s/sources"
		else
			die "no apt sources file to find the busybox source package"
		fi
		case $(cat "$s/sources") in
		*Types:*) mv "$s/sources" "$s/sources.sources"
			s_file=$s/sources.sources ;;
		*) mv "$s/sources" "$s/sources.list"
			s_file=$s/sources.list ;;
		esac
		# apt picks the format by the file name's extension
		src_apt update >"$s/apt.log" 2>&1 ||
		    { cat "$s/apt.log" >&2; die "apt-get update of source lists failed"; }
		(cd "$s" && src_apt source --download-only busybox) >>"$s/apt.log" 2>&1 ||
		    { cat "$s/apt.log" >&2; rm -rf "$s"; die "apt-get source busybox failed"; }
		rm -rf "$s/lists"
	fi
	echo "$me: building busybox for $1 (static, a few minutes, once)" >&2
	b=$d.build.$$
	rm -rf "$b"
	mkdir -p "$b"
	dsc=$(ls "$s"/busybox_*.dsc | head -n 1)
	dpkg-source -q --no-check -x "$dsc" "$b/src" >/dev/null 2>&1 ||
	    die "dpkg-source -x $dsc failed"
	# Debian's own static configuration (that of busybox-static)
	cat "$b/src/debian/config/os/linux" "$b/src/debian/config/pkg/static" \
	    >"$b/src/.config" 2>/dev/null || (cd "$b/src" && make defconfig >/dev/null)
	grep -q '^CONFIG_STATIC=y' "$b/src/.config" || echo CONFIG_STATIC=y >>"$b/src/.config"
	ver=$(cd "$b/src" && dpkg-parsechangelog -SVersion)
	SOURCE_DATE_EPOCH=$(cd "$b/src" && dpkg-parsechangelog -STimestamp)
	KCONFIG_NOTIMESTAMP=1
	export SOURCE_DATE_EPOCH KCONFIG_NOTIMESTAMP
	bbmake() {
		make -C "$b/src" CROSS_COMPILE="$cross" \
		    BB_EXTRA_VERSION="Debian $ver" "$@"
	}
	yes "" | bbmake oldconfig >"$b/build.log" 2>&1 ||
	    { tail -n 20 "$b/build.log" >&2; die "busybox oldconfig failed"; }
	# progress: one line per 100 compiled files
	{ bbmake -j"$(nproc)" busybox 2>&1 && : >"$b/ok"; } | tee -a "$b/build.log" |
	    awk -v a="$1" '/^  CC /{n++; if (n % 100 == 0) printf "make-ramdisk.sh: %s busybox: %d files compiled\n", a, n > "/dev/stderr"}'
	[ -f "$b/ok" ] ||
	    { tail -n 20 "$b/build.log" >&2; die "busybox build failed (log: $b/build.log)"; }
	bbmake busybox.links >>"$b/build.log" 2>&1 ||
	    die "busybox.links failed (log: $b/build.log)"
	check_busybox "$b/src/busybox"
	if readelf -lW "$b/src/busybox" | grep -q 'program interpreter'; then
		die "$b/src/busybox is not static"
	fi
	t=$d.tmp.$$
	rm -rf "$t"
	mkdir -p "$t"
	cp "$b/src/busybox" "$t/busybox"
	sed 's,^/*,,' "$b/src/busybox.links" >"$t/busybox.list"
	cp "$b/src/.config" "$t/config"
	rm -rf "$b" "$d"
	mv "$t" "$d"
}

# the busybox for $arch in $bb, its applets' paths in $applets
case $arch in
x86_64)
	bb=/bin/busybox
	if [ ! -x "$bb" ]; then
		"$top/scripts/deps.sh" run
	fi
	[ -x "$bb" ] || die "no $bb (apt-get install busybox-static)"
	applets=$("$bb" --list-full)
	;;
arm64|riscv)
	mkdir -p "$cache/busybox"
	# one maker at a time per arch; a second waits and takes the cache
	need flock util-linux
	exec 9>"$cache/busybox/$arch.lock"
	flock 9
	if [ "$arch" = arm64 ]; then fetch_arm64; else build_busybox riscv riscv64-linux-gnu-; fi
	exec 9>&-
	bb=$cache/busybox/$arch/busybox
	applets=$(cat "$cache/busybox/$arch/busybox.list")
	;;
*) die "unknown ARCH '$arch' (x86_64, arm64, riscv)" ;;
esac
command -v readelf >/dev/null 2>&1 && check_busybox "$bb"
command -v cpio >/dev/null || "$top/scripts/deps.sh" run

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT INT TERM
mkdir -p "$w/bin" "$w/sbin" "$w/etc" "$w/proc" "$w/sys" "$w/dev" "$w/tmp" \
    "$w/root" "$w/usr/bin" "$w/usr/sbin" "$w/var/run"
cp "$bb" "$w/bin/busybox"
for a in $applets; do
	[ -e "$w/$a" ] || ln -s /bin/busybox "$w/$a"
done
mkdir -p "$w/lib/modules"
: >"$w/lib/modules/ORDER"
if [ -n "$kroot" ]; then
	md=$kroot/lib/modules/$kver
	[ -f "$md/modules.dep" ] || depmod -b "$kroot" "$kver"
	mods="virtio_pci virtio_blk ata_piix sd_mod crc32c_generic ext4"
	[ "$arch" = x86_64 ] || mods="virtio_mmio $mods"
	for m in $mods; do
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
# a disk (LAVA's overlay) and its /dev/disk/by-uuid link
/sbin/update-disk-links
echo "MAESTRINO-INITRAMFS: boot complete"
hostname lava-guest
export PS1='lava-guest:~# ' HOME=/root
cd /root
while true; do
	setsid cttyhack /bin/sh -l
done
I
disk_links >"$w/sbin/update-disk-links"
chmod 755 "$w/init" "$w/sbin/update-disk-links"
mkdir -p "$(dirname "$out")"
find "$w" -exec touch -h -d @0 {} +
(cd "$w" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet --reproducible 2>/dev/null ||
    find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "$me: made $out ($(wc -c <"$out") bytes)" >&2
