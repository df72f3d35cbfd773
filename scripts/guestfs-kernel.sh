#!/bin/sh
# guestfs-kernel.sh DIR: give libguestfs a kernel to build its appliance
# with, for lava-run's lava-test-shell overlay disk on QEMU.  Machines
# without a kernel in /boot (containers, CI runners) need one: this
# downloads Debian's linux-image package (not installed, only unpacked
# into DIR/kroot) and runs depmod on it.  Prints the environment lava-run
# needs:  SUPERMIN_KERNEL=...  SUPERMIN_MODULES=...  Does nothing twice.
set -eu
dir=${1:?usage: guestfs-kernel.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
kroot=$dir/kroot
if [ ! -f "$dir/env" ]; then
	arch=$(dpkg --print-architecture)
	# the newest linux-image-<version>-<arch> the archive has
	pkg=$(apt-cache search --names-only "^linux-image-[0-9.]+-[0-9]+-$arch\$" |
	    cut -d' ' -f1 | sort -V | tail -n 1)
	if [ -z "$pkg" ]; then
		apt-get update -q >/dev/null 2>&1 || true
		pkg=$(apt-cache search --names-only "^linux-image-[0-9.]+-[0-9]+-$arch\$" |
		    cut -d' ' -f1 | sort -V | tail -n 1)
	fi
	[ -n "$pkg" ] || { echo "guestfs-kernel.sh: no linux-image package found" >&2; exit 2; }
	tmp=$(mktemp -d "$dir/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT INT TERM
	(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) ||
	    { echo "guestfs-kernel.sh: cannot download $pkg" >&2; exit 2; }
	rm -rf "$kroot"
	dpkg -x "$tmp"/*.deb "$kroot"
	ver=${pkg#linux-image-}
	depmod -b "$kroot" "$ver"
	printf 'SUPERMIN_KERNEL=%s/boot/vmlinuz-%s\nSUPERMIN_MODULES=%s/lib/modules/%s\n' \
	    "$kroot" "$ver" "$kroot" "$ver" >"$dir/env.tmp"
	mv "$dir/env.tmp" "$dir/env"
fi
cat "$dir/env"
