# shellcheck shell=sh disable=SC2154
# userland.sh: what make-ramdisk.sh and make-rootfs.sh share, sourced
# by both after they set $me and $top: die, need, and the
# /sbin/update-disk-links script of their initramfs.

# die MESSAGE...: the message on stderr, exit 2
die() {
	echo "$me: $*" >&2
	exit 2
}

# need CMD PACKAGE: CMD must exist; try deps.sh once, then give up
# naming the package
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	"$top/scripts/deps.sh" run >&2 || true
	command -v "$1" >/dev/null 2>&1 ||
	    die "no $1 (apt-get install $2, or scripts/deps.sh run)"
}

# disk_links: the /sbin/update-disk-links script of an initramfs.  It
# waits up to 3 s for a disk (LAVA's overlay disk), unless LAVA put its
# overlay in the initramfs itself (/lava-*), then makes
# /dev/disk/by-uuid/<uuid> for every ext2/3/4 block device, from the
# superblock (magic 0xef53 at 1080, UUID at 1128): LAVA mounts its
# overlay disk by UUID, and there is no udev or blkid.
disk_links() {
	cat <<'U'
#!/bin/sh
# wait up to 3 s for a disk unless LAVA's overlay is here already, then
# /dev/disk/by-uuid links from ext2/3/4 superblocks
i=0
ls -d /lava-* >/dev/null 2>&1 && i=15
while [ $i -lt 15 ]; do
	ls /sys/class/block 2>/dev/null | grep -qE '^(sd|vd|hd)' && break
	sleep 0.2
	i=$((i + 1))
done
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
}

# default_cache: where userlands are cached without $MAESTRINO_CACHE:
# var/cache in the source tree; installed (under share/maestrino), the
# user's cache directory, or /var/cache/maestrino for root.
default_cache() {
	case $top in
	*/share/maestrino)
		if [ "$(id -u)" = 0 ]; then
			echo /var/cache/maestrino
		else
			echo "${XDG_CACHE_HOME:-$HOME/.cache}/maestrino"
		fi ;;
	*) echo "$top/var/cache" ;;
	esac
}
