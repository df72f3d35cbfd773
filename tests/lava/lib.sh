# shellcheck shell=sh disable=SC2034,SC1091
# lib.sh: sourced by the LAVA tests.  On top of the e2e library: a fixture
# kernel tree whose "build" is Debian's real kernel (so it boots), and a
# busybox initramfs with that kernel's disk modules.
. "$(dirname "$0")/../e2e/lib.sh"

guestfs=$top/var/guestfs
eval "$("$top/scripts/guestfs-kernel.sh" "$guestfs" | sed 's/^/export /')"
export FIXTURE_KERNEL="$SUPERMIN_KERNEL"
kver=$(basename "$SUPERMIN_MODULES")
ramdisk=$TMP/ramdisk-modules.cpio.gz
"$top/scripts/make-ramdisk.sh" "$ramdisk" "$guestfs/kroot" "$kver" 2>/dev/null

up=$TMP/up
fixture_repo "$up"

config_dir
mkdir -p "$TMP/var"
# share the libguestfs kernel between test runs
ln -s "$guestfs" "$TMP/var/guestfs"
cat >>"$TMP/configs/settings.yaml" <<EOF2
  retries: 0
  retry_delay: 0
EOF2
