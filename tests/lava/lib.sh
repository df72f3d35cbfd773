# shellcheck shell=sh disable=SC2034,SC1091
# lib.sh: sourced by the LAVA tests.  On top of the e2e library: a fixture
# kernel tree whose "build" is Debian's real kernel (so it boots), a
# busybox initramfs with that kernel's disk modules, and the config of
# both.
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
# builds see only the variables they are given: the fixture's "kernel"
cat >>"$TMP/configs/settings.yaml" <<EOF2
  retries: 0
  retry_delay: 0
  build_env: [FIXTURE_KERNEL]
EOF2
# the tree, build and platforms of every LAVA test (a test adds its labs
# and tests in c.yaml): qemu boots, qemu-broken has no ramdisk
cat >"$TMP/configs/fixture.yaml" <<EOF2
trees:
  fix:
    url: $up
    branches: [master]
builds:
  x86:
    arch: x86_64
    targets: [bzImage]
platforms:
  qemu:
    arch: x86_64
    device_type: qemu
    boot_method: qemu
    context: {arch: amd64, guestfs_interface: virtio}
    params:
      ramdisk_url: file://$ramdisk
  qemu-broken:
    arch: x86_64
    device_type: qemu
    boot_method: qemu
    context: {arch: amd64}
    params:
      ramdisk_url: file://$TMP/no-such-ramdisk.cpio.gz
EOF2

# lava_lab_up: the real LAVA lab of tests/lava/lab.sh on loopback,
# started unless it runs (and then stopped when the test exits), with
# $labdir, $LAVA_URL and $LAVA_TOKEN set.
lava_lab_up() {
	labdir=$top/var/lava-lab
	started=0
	[ -f "$labdir/gunicorn.pid" ] && kill -0 "$(cat "$labdir/gunicorn.pid")" 2>/dev/null || started=1
	check "a LAVA lab on loopback" sh -c "'$top/tests/lava/lab.sh' start '$labdir' >'$TMP/lab.out' 2>&1"
	[ "$started" = 1 ] && trap '"$top/tests/lava/lab.sh" stop "$labdir" >/dev/null 2>&1' EXIT
	eval "$(cat "$labdir/env")"
	export LAVA_TOKEN
}
