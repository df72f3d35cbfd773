#!/bin/sh
# initramfs.sh KIND OUT.cpio.gz: a busybox-static (Debian's busybox-static
# package, /bin/busybox) initramfs whose /init does KIND:
#   reboot  print "maestrino-init: up", sleep $initwait seconds (0 if
#           unset; the kernel passes initwait=N from its command line in
#           init's environment), then reboot -f
#   silence print "maestrino-init: waiting", then sleep 1000
#   exit    print "maestrino-init: exiting 1", then exit 1
#   sysrq   print "maestrino-init: sysrq c", then echo c >/proc/sysrq-trigger
# Each also has /broken: mode 755 but no executable format, so that
# rdinit=/broken fails with ENOEXEC and the kernel goes on to init=.
set -eu

kind=$1
out=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/proc" "$tmp/sys"
cp /bin/busybox "$tmp/bin/busybox"
for a in sh echo sleep reboot mount cat; do
	ln -s busybox "$tmp/bin/$a"
done
{
	echo '#!/bin/sh'
	echo 'export PATH=/bin'
	case $kind in
	reboot)
		echo 'echo "maestrino-init: up"'
		echo 'sleep "${initwait:-0}"'
		echo 'echo "maestrino-init: rebooting"'
		echo 'reboot -f' ;;
	silence)
		echo 'echo "maestrino-init: waiting"'
		echo 'sleep 1000' ;;
	exit)
		echo 'echo "maestrino-init: exiting 1"'
		echo 'exit 1' ;;
	sysrq)
		echo 'mount -t proc proc /proc'
		echo 'echo "maestrino-init: sysrq c"'
		echo 'echo c >/proc/sysrq-trigger' ;;
	*)
		echo "initramfs.sh: unknown kind $kind" >&2
		exit 2 ;;
	esac
} >"$tmp/init"
chmod +x "$tmp/init"
echo 'not an executable' >"$tmp/broken"
chmod +x "$tmp/broken"
(cd "$tmp" && find . | sort | cpio -o -H newc --quiet --owner=0:0) |
    gzip -9 -n >"$out"
