#!/bin/sh
# The real thing: poll the demo kernel tree (Debian's linux-source), make
# its tarball, build it with the default config on the local runtime, then
# boot it under QEMU with lava-run and run the default test plans.  Three
# to six minutes on two cores.
. "$(dirname "$0")/../e2e/lib.sh"

demo="$top/var/demo/linux.git"
check "the demo tree exists" "$top/scripts/demo-tree.sh" "$demo"

mkdir -p "$TMP/configs"
cp -r "$top/configs/fragments" "$top/configs/builds.yaml" "$top/configs/labs.yaml" \
    "$top/configs/platforms.yaml" "$top/configs/tests.yaml" "$TMP/configs/"
mkdir -p "$TMP/var"
ln -s "$top/var/guestfs" "$TMP/var/guestfs"
cat >"$TMP/configs/settings.yaml" <<EOF2
settings:
  origin: test
  data_dir: $TMP/var
trees:
  demo:
    url: $demo
    branches: [master]
EOF2
C="-c $TMP/configs"
check "poll" maestrino $C poll
check "tarball" maestrino $C tarball
check "jobs" maestrino $C jobs
check "submit" maestrino $C submit
check_rc 0 "collect --wait (the build)" maestrino $C collect --wait
has "one build finished" "$TMP/out" "1 finished"

id=$(sql "SELECT job_id FROM build LIMIT 1")
store="$TMP/var/storage/builds/$id"
is "the build passed" "$(sql "SELECT status FROM build")" PASS
check "bzImage is a Linux boot image" sh -c \
    "[ \"\$(dd if='$store/bzImage' bs=1 skip=514 count=4 2>/dev/null)\" = HdrS ]"
has ".config has the serial console" "$store/config" "CONFIG_SERIAL_8250_CONSOLE=y"
has ".config has virtio-blk for LAVA's overlay" "$store/config" "CONFIG_VIRTIO_BLK=y"
check "System.map names start_kernel" grep -q " start_kernel$" "$store/System.map"
has "build.log has the make command" "$store/build.log" "make ARCH=x86_64 -j"
is "kernel release" "$(sql "SELECT json_extract(misc, '$.kernel_release') FROM build")" "6.1.192"
is "compiler version" "$(sql "SELECT compiler_version FROM build")" "$(gcc --version | head -n 1)"

# boot it: the default tests on the default platform, in the local lab
check_rc 0 "maestrino run --wait: the tests" maestrino $C run --wait
is "baseline and smoke booted it" \
    "$(sql "SELECT group_concat(status) FROM test WHERE path = 'boot'")" "PASS,PASS"
is "baseline: no critical kernel message" \
    "$(sql "SELECT group_concat(status) FROM (SELECT status FROM test WHERE path LIKE 'baseline.%' ORDER BY path)")" \
    "PASS,PASS,PASS"
is "smoke: uname passes" "$(sql "SELECT status FROM test WHERE path = 'smoke.uname'")" PASS
is "smoke: no modules in the demo initramfs" "$(sql "SELECT status FROM test WHERE path = 'smoke.modules'")" FAIL
is "smoke: boot time measured" "$(sql "SELECT number_unit FROM test WHERE path = 'smoke.boot-time'")" seconds
console=$(sql "SELECT log_url FROM test WHERE path = 'boot' LIMIT 1")
check "the console shows this kernel" grep -q "Linux version 6.1.192" "${console#file://}"

done_testing
