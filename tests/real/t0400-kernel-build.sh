#!/bin/sh
# The real thing, for three architectures: poll the demo kernel tree
# (Debian's linux-source), make its tarball, build it on the local runtime
# for x86_64 and arm64 (gcc, the default config of `make run`, plus
# kselftest) and for riscv (clang, LLVM=1), then boot each under QEMU TCG
# with lava-run: baseline and smoke on busybox, and two kselftest
# collections on a Debian rootfs for x86_64 and arm64.  About 27 minutes
# on two cores, most of it the three kernel builds.
. "$(dirname "$0")/../e2e/lib.sh"

demo="$top/var/demo/linux.git"
check "the demo tree exists" "$top/scripts/demo-tree.sh" "$demo"
# the release the tree says it is, so a new point release of Debian's
# linux-source changes nothing here
mk=$(git -C "$demo" show HEAD:Makefile)
ver=$(printf '%s\n' "$mk" | sed -n 's/^VERSION = //p')
pl=$(printf '%s\n' "$mk" | sed -n 's/^PATCHLEVEL = //p')
sl=$(printf '%s\n' "$mk" | sed -n 's/^SUBLEVEL = //p')
release="$ver.$pl.$sl"

mkdir -p "$TMP/configs" "$TMP/var"
cp -r "$top/configs/fragments" "$top/configs/platforms.yaml" "$TMP/configs/"
# three builds at once: their single-threaded parts (extract, config,
# link) overlap, and so do the boots
sed 's/jobs: 1$/jobs: 3/' "$top/configs/labs.yaml" >"$TMP/configs/labs.yaml"

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
# the default builds with kselftest added, and a clang build for riscv
sed -e 's/fragments: \[qemu-boot\]/fragments: [qemu-boot, kselftest]\n    kselftest: [size, sigaltstack]/' \
    "$top/configs/builds.yaml" >"$TMP/configs/builds.yaml"
cat >>"$TMP/configs/builds.yaml" <<'EOF2'
  riscv-tinyconfig-clang:
    arch: riscv
    compiler: clang
    defconfig: tinyconfig
    fragments: [qemu-boot]
    targets: [Image]
    runtime: local
    timeout: 30
EOF2
cat >>"$TMP/configs/platforms.yaml" <<'EOF2'
  qemu-riscv64:
    arch: riscv
    device_type: qemu
    boot_method: qemu
    context:
      arch: riscv64
      machine: virt
      guestfs_interface: virtio
EOF2
sed -e 's/platforms: \[qemu-x86_64, qemu-arm64\]/platforms: [qemu-x86_64, qemu-arm64, qemu-riscv64]/' \
    -e 's/builds: \[x86_64-tinyconfig, arm64-tinyconfig\]/builds: [x86_64-tinyconfig, arm64-tinyconfig, riscv-tinyconfig-clang]/' \
    "$top/configs/tests.yaml" >"$TMP/configs/tests.yaml"
cat >>"$TMP/configs/tests.yaml" <<'EOF2'
  kselftest:
    template: kselftest
    builds: [x86_64-tinyconfig, arm64-tinyconfig]
    platforms: [qemu-x86_64, qemu-arm64]
    lab: local
    timeout: 20
    params:
      rootfs: debian
      collections: "size sigaltstack"
EOF2
C="-c $TMP/configs"
check "poll" maestrino $C poll
check "tarball" maestrino $C tarball
check "jobs" maestrino $C jobs
# the builds, then their tests: every stage again until nothing more
# can start
check_rc 0 "maestrino run --wait" maestrino $C run --wait
has "nothing is left for this machine" "$TMP/out" "jobs left: 0 pending, 0 to retry, 0 running; exit 0"

b() {
	sql "SELECT $2 FROM build WHERE config_name = '$1'"
}
for cfg in x86_64-tinyconfig arm64-tinyconfig riscv-tinyconfig-clang; do
	is "$cfg: the build passed" "$(b $cfg status)" PASS
	is "$cfg: kernel release" \
	    "$(b $cfg "json_extract(misc, '$.kernel_release')")" "$release"
	id=$(b $cfg job_id)
	store="$TMP/var/storage/builds/$id"
	check "$cfg: System.map names start_kernel" \
	    grep -q " start_kernel$" "$store/System.map"
	has "$cfg: .config has virtio-blk" "$store/config" "CONFIG_VIRTIO_BLK=y"
done
is "x86_64: compiler version" "$(b x86_64-tinyconfig compiler_version)" \
    "$(gcc --version | head -n 1)"
is "arm64: compiler version" "$(b arm64-tinyconfig compiler_version)" \
    "$(aarch64-linux-gnu-gcc --version | head -n 1)"
is "riscv: compiler version" "$(b riscv-tinyconfig-clang compiler_version)" \
    "$(clang --version | head -n 1)"
x86=$TMP/var/storage/builds/$(b x86_64-tinyconfig job_id)
a64=$TMP/var/storage/builds/$(b arm64-tinyconfig job_id)
rv=$TMP/var/storage/builds/$(b riscv-tinyconfig-clang job_id)
check "bzImage is a Linux boot image" sh -c \
    "[ \"\$(dd if='$x86/bzImage' bs=1 skip=514 count=4 2>/dev/null)\" = HdrS ]"
check "arm64 Image has the arm64 magic" sh -c \
    "[ \"\$(dd if='$a64/Image' bs=1 skip=56 count=4 2>/dev/null)\" = ARMd ]"
check "riscv Image has the RISC-V magic" sh -c \
    "[ \"\$(dd if='$rv/Image' bs=1 skip=56 count=4 2>/dev/null)\" = RSC\$(printf '\005') ]"
has "x86_64 .config has the serial console" "$x86/config" "CONFIG_SERIAL_8250_CONSOLE=y"
has "arm64 .config has the PL011 console" "$a64/config" "CONFIG_SERIAL_AMBA_PL011_CONSOLE=y"
has "riscv .config has the FPU" "$rv/config" "CONFIG_FPU=y"
has "riscv was built with LLVM=1" "$rv/build.log" "LLVM=1"
has "arm64 was cross-compiled" "$a64/build.log" "CROSS_COMPILE=aarch64-linux-gnu-"
for d in "$x86" "$a64"; do
	check "${d##*/}: a kselftest tarball with run_kselftest.sh" sh -c \
	    "tar -tzf '$d/kselftest.tar.gz' | grep -qx './run_kselftest.sh\|run_kselftest.sh'"
done
check "arm64 kselftest binaries are aarch64" sh -c \
    "tar -xzf '$a64/kselftest.tar.gz' -C '$TMP' && file -L '$TMP'/size/get_size | grep -q aarch64"

# the boots: baseline and smoke everywhere, kselftest on x86_64 and arm64
t() {
	sql "SELECT group_concat(t.status) FROM test t JOIN build b
	    ON b.id = t.build_id WHERE b.config_name = '$1' AND t.path $2"
}
for cfg in x86_64-tinyconfig arm64-tinyconfig riscv-tinyconfig-clang; do
	case $cfg in
	riscv*) boots="PASS,PASS" ;;
	*) boots="PASS,PASS,PASS" ;;
	esac
	is "$cfg: every plan booted it" "$(t $cfg "= 'boot'")" "$boots"
	is "$cfg: baseline: no critical kernel message" \
	    "$(t $cfg "LIKE 'baseline.%'")" "PASS,PASS,PASS"
	is "$cfg: smoke: uname passes" "$(t $cfg "= 'smoke.uname'")" PASS
	is "$cfg: smoke: tinyconfig has no modules, so the case is skipped" \
	    "$(t $cfg "= 'smoke.modules'")" SKIP
done
for cfg in x86_64-tinyconfig arm64-tinyconfig; do
	is "$cfg: kselftest.size.get_size passes" \
	    "$(t $cfg "= 'kselftest.size.get_size'")" PASS
	is "$cfg: kselftest.sigaltstack.sas passes" \
	    "$(t $cfg "= 'kselftest.sigaltstack.sas'")" PASS
done
for a in x86_64 arm64 riscv; do
	console=$(sql "SELECT t.log_url FROM test t JOIN build b ON b.id = t.build_id
	    WHERE b.arch = '$a' AND t.path = 'boot' LIMIT 1")
	check "$a: the console shows this kernel" \
	    grep -q "Linux version $release" "${console#file://}"
done

# what a lab downloads: every URL in the jobs names a file in storage
for j in "$TMP"/var/jobs/*.yaml; do
	grep -o "file://[^\"' ]*" "$j"
done | sort -u >"$TMP/urls"
check "the jobs name artifacts" test -s "$TMP/urls"
while read -r u; do
	[ -e "${u#file://}" ] || echo "$u"
done <"$TMP/urls" >"$TMP/missing"
is "every artifact URL of the jobs exists" "$(cat "$TMP/missing")" ""

check "kcidb" maestrino $C kcidb
doc=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
check "the KCIDB document is valid" /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" \
    "$top/tests/data/kcidb/schema-v5.3.json" "$doc"
is "every build has its compiler in KCIDB" \
    "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted(b["architecture"] for b in d["builds"] if b.get("compiler")))' "$doc")" \
    "['arm64', 'riscv', 'x86_64']"

done_testing
