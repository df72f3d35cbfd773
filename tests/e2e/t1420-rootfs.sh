#!/bin/sh
# The jobs stage makes the userland a test job names (rootfs/<rootfs>-
# <arch>.cpio.gz in storage) before it writes the job, once per file per
# run; a test whose userland cannot be made is not made, with an error
# naming the file and the script's message, the stage exits 1, and the
# build's other test jobs are made all the same.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"

config_dir
{
	yaml_tree fix "$up" master
	cat <<EOF2
builds:
  x86:
    arch: x86_64
    targets: [bzImage]
  rv:
    arch: riscv
    targets: [Image]
labs:
  local:
    type: local
    jobs: 4
platforms:
  qemu-a:
    arch: x86_64
    device_type: qemu
    boot_method: qemu
    context: {arch: amd64}
  qemu-b:
    arch: x86_64
    device_type: qemu
    boot_method: qemu
    context: {arch: amd64}
  rv-a:
    arch: riscv
    device_type: qemu
    boot_method: qemu
    context: {arch: riscv64}
  rv-b:
    arch: riscv
    device_type: qemu
    boot_method: qemu
    context: {arch: riscv64}
tests:
  smoke:
    template: smoke
    platforms: [qemu-a, qemu-b]
  deb:
    template: baseline
    platforms: [rv-a, rv-b]
    params:
      rootfs: debian
  own:
    template: baseline
    platforms: [rv-a]
    params:
      ramdisk_url: https://example.org/own.cpio.gz
EOF2
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "the pipeline up to the builds" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait"
is "both builds passed" "$(sql "SELECT group_concat(status, ' ') FROM build")" "PASS PASS"

check_rc 1 "a userland that cannot be made fails the stage" maestrino $C jobs
rd=$TMP/var/storage/rootfs
check "the busybox userland of x86_64 is made" test -s "$rd/busybox-x86_64.cpio.gz"
is "once, with a progress line, for two platforms" \
    "$(grep -c "making $rd/busybox-x86_64.cpio.gz with make-ramdisk.sh -a x86_64" "$TMP/out")" 1
is "the jobs that could be made are made" \
    "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM job WHERE kind = 'test' ORDER BY id)")" \
    "t1-smoke.qemu-a t1-smoke.qemu-b t2-own.rv-a"
has "the job names its userland" "$TMP/var/jobs/t1-smoke.qemu-a.yaml" \
    "url: file://$TMP/var/storage/rootfs/busybox-x86_64.cpio.gz"
has "an own ramdisk_url is kept" "$TMP/var/jobs/t2-own.rv-a.yaml" \
    "url: https://example.org/own.cpio.gz"
has "riscv's console is QEMU virt's 16550" "$TMP/var/jobs/t2-own.rv-a.yaml" \
    'console=ttyS0,115200'
check "and nothing is made for it" test ! -e "$rd/busybox-riscv.cpio.gz"
has "the script's failure names the file" "$TMP/out" \
    "make-rootfs.sh -a riscv $rd/debian-riscv.cpio.gz failed"
has "with the script's own message" "$TMP/out" \
    "failed (exit 2): make-rootfs.sh: no Debian rootfs for riscv"
has "the job is not made, naming the file" "$TMP/out" \
    "job t2-deb.rv-a: not made: no ramdisk rootfs/debian-riscv.cpio.gz"
has "the script is tried once per run" "$TMP/out" \
    "job t2-deb.rv-b: not made: its ramdisk rootfs/debian-riscv.cpio.gz could not be made (see above)"
is "once" "$(grep -c "with make-rootfs.sh -a riscv" "$TMP/out")" 1
has "the summary counts the failures" "$TMP/out" "0 checkouts, 0 build jobs, 3 test jobs, 2 failed"
check "no definition of a job not made" test ! -e "$TMP/var/jobs/t2-deb.rv-a.yaml"

check_rc 1 "the next run tries again" maestrino $C jobs
has "nothing made twice" "$TMP/out" "0 checkouts, 0 build jobs, 0 test jobs, 2 failed"
hasnt "the userland made is not made again" "$TMP/out" "making $rd/busybox-x86_64"

# a userland we do not make is a mistake of the config, found at load
cat >>"$TMP/configs/c.yaml" <<'EOF2'
  odd:
    template: baseline
    platforms: [qemu-a]
    params:
      rootfs: alpine
EOF2
check_rc 2 "an unknown rootfs stops the stage" maestrino $C jobs
has "naming it with file:line" "$TMP/out" \
    "c.yaml:$(grep -n 'rootfs: alpine' "$TMP/configs/c.yaml" | cut -d: -f1):15: error: tests.odd.params.rootfs: busybox or debian"

done_testing
