#!/bin/sh
# make-rootfs.sh [-f] -a ARCH OUT.cpio.gz: a small Debian 12 (bookworm)
# userland as an initramfs, for tests that want more than busybox
# (kselftest's run_kselftest.sh wants bash, GNU coreutils, timeout,
# stdbuf, ...).  Made with `mmdebstrap --variant=extract`: the packages
# are only unpacked, no maintainer script and so no foreign code runs (no
# qemu-user or binfmt needed).  What they would have written (passwd,
# group, hostname, /bin/sh) is written here; docs, manuals, locales,
# gconv and perl are trimmed.
#
# /init keeps the contract of make-ramdisk.sh's: it mounts proc, sysfs,
# devtmpfs, devpts and tmpfs, prints the MAESTRINO-INITRAMFS markers,
# makes /dev/disk/by-uuid links (for LAVA's overlay disk), sets the host
# name lava-guest and runs login shells on the console with the prompt
# 'lava-guest:~# '.
#
# ARCH is x86_64 or arm64 (Debian 12 has no riscv64 packages).  The
# packages come from the machine's own apt sources (its mirror) when it
# runs Debian 12, else from deb.debian.org.  The result is reproducible
# (fixed mtimes, sorted entries) and kept in
# $MAESTRINO_CACHE/rootfs (default var/cache), keyed by this script's
# content and scripts/userland.sh's; -f makes it afresh.
set -eu
me=make-rootfs.sh
top=$(cd "$(dirname "$0")/.." && pwd)
# die, need, disk_links
. "$top/scripts/userland.sh"

usage() {
	cat <<'EOF2'
usage: make-rootfs.sh [-f] -a ARCH OUT.cpio.gz
  -a ARCH   x86_64 or arm64 (riscv: Debian 12 has no riscv64 packages)
  -f        make it afresh, do not take it from the cache
  OUT       the initramfs to write (gzip'd cpio newc)
The result is cached in $MAESTRINO_CACHE/rootfs (default: var/cache in
the source tree; installed, ~/.cache/maestrino, /var/cache/maestrino for
root).
EOF2
}

arch=""
fresh=""
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-a) [ $# -ge 2 ] || { usage >&2; die "-a needs an ARCH"; }
		arch=$2; shift 2 ;;
	-a*) arch=${1#-a}; shift ;;
	-f) fresh=1; shift ;;
	--) shift; break ;;
	-?*) usage >&2; die "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { usage >&2; die "want -a ARCH OUT.cpio.gz"; }
case $arch in
x86_64) darch=amd64 ;;
arm64) darch=arm64 ;;
riscv) die "no Debian rootfs for riscv: Debian 12 (bookworm) ships no riscv64 packages; use the busybox ramdisk (rootfs: busybox)" ;;
"") usage >&2; die "want -a ARCH (x86_64 or arm64)" ;;
*) die "unknown ARCH '$arch' (x86_64 or arm64)" ;;
esac
out=$1
cache=${MAESTRINO_CACHE:-$(default_cache)}

# The packages: a shell and the usual tools, what kselftest's runner and
# LAVA's test shell scripts call, and their libraries.
pkgs="libc6 base-files base-passwd bash dash coreutils debianutils
	diffutils findutils grep gzip hostname iproute2 kmod mawk mount procps
	sed tar util-linux xz-utils"

# publish FILE: copy the made FILE to OUT atomically
publish() {
	mkdir -p "$(dirname "$out")"
	cp "$1" "$out.tmp.$$"
	mv "$out.tmp.$$" "$out"
	echo "$me: made $out ($(wc -c <"$out") bytes)" >&2
}

key=$(cat "$0" "$top/scripts/userland.sh" | sha256sum | cut -c1-12)
cached=$cache/rootfs/debian-$arch-$key.cpio.gz
if [ -z "$fresh" ] && [ -s "$cached" ]; then
	publish "$cached"
	exit 0
fi

need mmdebstrap mmdebstrap
need cpio cpio
need flock util-linux
mkdir -p "$cache/rootfs"
# one maker at a time per arch; a second waits and takes the cache
exec 9>"$cache/rootfs/$arch.lock"
flock 9
if [ -z "$fresh" ] && [ -s "$cached" ]; then
	publish "$cached"
	exit 0
fi

w=$(mktemp -d "$cache/rootfs/work.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM

# the machine's own mirror when it is Debian 12, else Debian's
src=""
if [ "$(. /etc/os-release 2>/dev/null && echo "${ID:-}-${VERSION_CODENAME:-}")" = debian-bookworm ]; then
	for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
		[ -s "$f" ] && { src=$f; break; }
	done
fi
set --
if [ -z "$src" ]; then
	src=http://deb.debian.org/debian
	k=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$k" ] || die "no $k (apt-get install debian-archive-keyring)"
	set -- --keyring="$k"
fi
echo "$me: unpacking Debian 12 $darch packages (mmdebstrap, from $src)" >&2
start=$(date +%s)
if ! mmdebstrap -q --variant=extract --arch="$darch" "$@" \
    --include="$(echo $pkgs | tr ' ' ,)" bookworm "$w/root.tar" "$src" \
    >"$w/mmdebstrap.log" 2>&1; then
	tail -n 20 "$w/mmdebstrap.log" >&2
	die "mmdebstrap failed for $darch (from $src)"
fi
r=$w/root
mkdir "$r"
# devices come from devtmpfs at boot; none in the archive, so that it is
# the same whoever makes it
tar -x -f "$w/root.tar" -C "$r" --exclude='./dev/*' 2>/dev/null ||
    tar -x -f "$w/root.tar" -C "$r" --exclude='./dev/*' --no-same-owner
rm -f "$w/root.tar"

# trim what a test guest never reads
rm -rf "$r"/usr/share/doc "$r"/usr/share/man "$r"/usr/share/info \
    "$r"/usr/share/locale "$r"/usr/share/i18n "$r"/usr/share/lintian \
    "$r"/usr/share/bug "$r"/usr/share/bash-completion "$r"/usr/share/menu \
    "$r"/usr/share/perl "$r"/usr/share/perl5 "$r"/usr/lib/*/gconv \
    "$r"/usr/lib/*/perl "$r"/usr/lib/*/perl-base "$r"/usr/lib/*/perl5 \
    "$r"/usr/lib/*/libperl.so* "$r"/usr/bin/perl "$r"/usr/bin/perl5* \
    "$r"/etc/perl "$r"/var/cache/apt "$r"/var/lib/apt/lists \
    "$r"/var/cache/debconf "$r"/var/log/* "$r"/etc/cron.daily \
    "$r"/etc/logrotate.d "$r"/etc/update-motd.d

# what the maintainer scripts would have made
mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/run" "$r/root" \
    "$r/mnt" "$r/var/tmp" "$r/lib/modules"
chmod 1777 "$r/tmp" "$r/var/tmp"
[ -e "$r/bin/sh" ] || ln -s dash "$r/bin/sh"
# the alternatives update-alternatives would have made
[ -e "$r/usr/bin/awk" ] || ln -s mawk "$r/usr/bin/awk"
[ -e "$r/usr/bin/nawk" ] || ln -s mawk "$r/usr/bin/nawk"
if [ ! -e "$r/usr/bin/which" ] && [ -e "$r/usr/bin/which.debianutils" ]; then
	ln -s which.debianutils "$r/usr/bin/which"
fi
cat >"$r/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
P
cat >"$r/etc/group" <<'G'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
kmem:x:15:
dialout:x:20:
audio:x:29:
video:x:44:
users:x:100:
nogroup:x:65534:
G
printf 'root:*:19000:0:99999:7:::\n' >"$r/etc/shadow"
chmod 640 "$r/etc/shadow"
echo lava-guest >"$r/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tlava-guest\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$r/etc/hosts"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' >"$r/etc/nsswitch.conf"
: >"$r/etc/fstab"
ln -sf ../proc/self/mounts "$r/etc/mtab"
cat >"$r/etc/profile" <<'P'
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PS1='lava-guest:~# '
export HOME=/root TERM=${TERM:-vt100}
P
# LAVA's test shell runs `. /etc/profile` and keeps its own prompt
cp "$r/etc/profile" "$r/root/.profile"
disk_links >"$r/sbin/update-disk-links"
cat >"$r/init" <<'I'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
mount -t tmpfs tmpfs /run 2>/dev/null
chmod 1777 /tmp
echo "MAESTRINO-INITRAMFS: init started, kernel $(uname -r)"
# a disk (LAVA's overlay) and its /dev/disk/by-uuid link
/sbin/update-disk-links
echo "MAESTRINO-INITRAMFS: boot complete"
hostname lava-guest 2>/dev/null || echo lava-guest >/proc/sys/kernel/hostname
export PS1='lava-guest:~# ' HOME=/root TERM=vt100
cd /root
# the console's own device (the last one named is /dev/console), so that
# the shell gets a controlling tty and ^C works
con=$(sed 's/.* //' /sys/class/tty/console/active 2>/dev/null)
[ -c "/dev/$con" ] || con=console
while true; do
	setsid -c /bin/bash -l <>"/dev/$con" >&0 2>&1
done
I
chmod 755 "$r/init" "$r/sbin/update-disk-links"

# resolve_in ROOT PATH: PATH's target inside ROOT, following symlinks
resolve_in() {
	p=$2
	n=0
	while [ -L "$1$p" ] && [ $n -lt 20 ]; do
		l=$(readlink "$1$p")
		case $l in
		/*) p=$l ;;
		*) p=$(dirname "$p")/$l ;;
		esac
		n=$((n + 1))
	done
	[ -f "$1$p" ] && [ -x "$1$p" ]
}
case $arch in
x86_64) ld=/lib64/ld-linux-x86-64.so.2 mach="Advanced Micro Devices X86-64" ;;
arm64) ld=/lib/ld-linux-aarch64.so.1 mach=AArch64 ;;
esac
resolve_in "$r" "$ld" || die "the dynamic loader $ld does not resolve in the rootfs"
for f in /bin/bash /bin/sh /bin/mount /usr/bin/timeout /usr/bin/stdbuf \
    /usr/bin/setsid /bin/hostname /usr/bin/find /usr/bin/awk /usr/bin/which /bin/sed; do
	resolve_in "$r" "$f" || die "no $f in the rootfs"
done
if command -v readelf >/dev/null 2>&1; then
	got=$(readelf -h "$r/bin/bash" | sed -n 's/^ *Machine: *//p')
	[ "$got" = "$mach" ] || die "/bin/bash is for '$got', not $arch"
fi

find "$r" -exec touch -h -d @0 {} +
(cd "$r" && find . | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --quiet --reproducible) | gzip -9n >"$w/out.cpio.gz"
echo "$me: $arch rootfs: $(du -sm "$r" | cut -f1) MB unpacked, made in $(($(date +%s) - start)) s" >&2
mv "$w/out.cpio.gz" "$cached.tmp"
mv "$cached.tmp" "$cached"
# those an older script made are stale
for f in "$cache/rootfs/debian-$arch"-*.cpio.gz; do
	[ "$f" = "$cached" ] || rm -f "$f"
done
publish "$cached"
