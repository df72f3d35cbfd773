#!/bin/sh
# Cross and clang builds and kselftest, with the fixture tree whose
# Makefiles stand in for kbuild and kselftest and the real compilers of
# this machine: the compiler's own --version line is the build's
# compiler, kselftest's make gets ARCH, CROSS_COMPILE and LLVM=1 and its
# install is packed reproducibly into kselftest.tar.gz; a failing
# kselftest fails the build; a missing LLVM tool is a final ERROR
# naming the Debian packages.
. "$(dirname "$0")/lib.sh"

# (scripts/deps.sh installs the compilers and rsync: a missing one
# fails the builds below, as it should on a machine set up by it)

up=$TMP/up
fixture_repo "$up"
config_dir
settings_add 'retries: 2' 'retry_delay: 0'
{
	yaml_tree fix "$up" master
	cat <<EOF2
labs:
  local:
    type: local
    jobs: 4
builds:
  arm64:
    arch: arm64
    cross_compile: aarch64-linux-gnu-
    kselftest: [size, timers]
  arm64-again:
    arch: arm64
    cross_compile: aarch64-linux-gnu-
    kselftest: [size, timers]
  riscv:
    arch: riscv
    cross_compile: riscv64-linux-gnu-
    targets: [Image]
  clang:
    arch: x86_64
    compiler: clang
    targets: [bzImage]
    kselftest: [size]
  ksft-broken:
    arch: arm64
    cross_compile: aarch64-linux-gnu-
    fragments: [CONFIG_KSFT_FAIL=y]
    targets: [Image]
    kselftest: [size]
  ksft-noscript:
    arch: x86_64
    targets: [bzImage]
    fragments: [CONFIG_KSFT_NOSCRIPT=y]
    kselftest: [size]
  ksft-flood:
    arch: x86_64
    targets: [bzImage]
    fragments: [CONFIG_KSFT_FLOOD=y]
    kselftest: [size]
EOF2
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
bstat() {
	sql "SELECT status FROM build WHERE job_id = 'b1-$1'"
}
misc() {
	sql "SELECT json_extract(misc, '\$.$2') FROM build WHERE job_id = 'b1-$1'"
}

run maestrino $C run --wait
def=$TMP/var/jobs/b1-arm64.yaml
check "the definition carries the collections" /usr/bin/python3 -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["build"]["kselftest"] == ["size", "timers"], d["build"]
assert "kselftest" in d["artifacts"], d["artifacts"]
d = yaml.safe_load(open(sys.argv[2]))
assert "kselftest" not in d["build"] and "kselftest" not in d["artifacts"], d
' "$def" "$TMP/var/jobs/b1-riscv.yaml"

is "arm64 passed" "$(bstat arm64)" PASS
is "its compiler is the cross gcc's own --version line" \
    "$(sql "SELECT compiler_version FROM build WHERE job_id = 'b1-arm64'")" \
    "$(aarch64-linux-gnu-gcc --version | head -n 1)"
is "riscv passed" "$(bstat riscv)" PASS
is "riscv's compiler is riscv64-linux-gnu-gcc" \
    "$(sql "SELECT compiler_version FROM build WHERE job_id = 'b1-riscv'")" \
    "$(riscv64-linux-gnu-gcc --version | head -n 1)"
is "clang passed" "$(bstat clang)" PASS
is "clang's compiler is clang's own --version line" \
    "$(sql "SELECT compiler_version FROM build WHERE job_id = 'b1-clang'")" \
    "$(clang --version | head -n 1)"

store=$TMP/var/storage/builds/b1-arm64
ksft=$store/kselftest.tar.gz
[ -s "$ksft" ] && ok "kselftest.tar.gz stored" || not_ok "no $ksft"
is "artifact key kselftest" \
    "$(sql "SELECT json_extract(artifacts, '\$.kselftest') FROM build WHERE job_id = 'b1-arm64'")" \
    "file://$store/kselftest.tar.gz"
is "no kselftest artifact for a build without the key" \
    "$(sql "SELECT json_extract(artifacts, '\$.kselftest') IS NULL FROM build WHERE job_id = 'b1-riscv'")" 1
is "its phase is timed" \
    "$(sql "SELECT json_extract(misc, '\$.phases.kselftest') >= 0 FROM build WHERE job_id = 'b1-arm64'")" 1
is "a kselftest phase only where asked" "$(misc riscv 'phases.kselftest')" ""
check "the archive: sorted, root-owned, one mtime, tests executable, no gzip time" \
    /usr/bin/python3 -c '
import sys, tarfile
raw = open(sys.argv[1], "rb").read()
assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0", raw[:10]
t = tarfile.open(sys.argv[1], "r:gz")
m = t.getmembers()
names = [x.name for x in m]
assert names == sorted(names), names
assert "run_kselftest.sh" in names and "size/test_size" in names \
    and "timers/test_timers" in names and "kselftest-list.txt" in names, names
assert all(x.uid == 0 and x.gid == 0 and x.uname == "root" for x in m)
assert len({x.mtime for x in m}) == 1 and m[0].mtime > 0
mode = {x.name: x.mode for x in m}
assert mode["run_kselftest.sh"] == 0o755 and mode["size/test_size"] == 0o755
assert mode["kselftest-list.txt"] == 0o644, mode
make = t.extractfile("kselftest/fixture-make.txt").read().decode()
assert make == "ARCH=arm64\nCROSS_COMPILE=aarch64-linux-gnu-\nLLVM=\nTARGETS=size timers\n", make
' "$ksft"
check "the same tree packs to the same bytes" \
    cmp "$ksft" "$TMP/var/storage/builds/b1-arm64-again/kselftest.tar.gz"
check "kselftest's make is a step of the log like the others" \
    grep -q '^\$ make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -C tools/testing/selftests -j[0-9]* TARGETS=size timers install INSTALL_PATH=/.*/b1-arm64/kselftest$' \
    "$store/build.log"
check "clang: kselftest's make got LLVM=1" sh -c \
    "tar -xzOf '$TMP/var/storage/builds/b1-clang/kselftest.tar.gz' kselftest/fixture-make.txt | grep -qx 'LLVM=1'"
misc arm64 reproducer >"$TMP/repro"
has "the reproducer installs kselftest" "$TMP/repro" \
    "make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -C tools/testing/selftests -j\$(nproc) 'TARGETS=size timers' install INSTALL_PATH=\$(pwd)/../kselftest"

is "a failing kselftest fails the build" "$(bstat ksft-broken)" FAIL
is "naming the step" "$(misc ksft-broken error_msg)" \
    "kselftest (make -C tools/testing/selftests install) exited with 2"
[ -s "$TMP/var/storage/builds/b1-ksft-broken/Image" ] && ok "the kernel is stored all the same" \
    || not_ok "no kernel for ksft-broken"
sql "SELECT log_excerpt FROM build WHERE job_id = 'b1-ksft-broken'" >"$TMP/excerpt"
has "with kselftest's error in the excerpt" "$TMP/excerpt" "kselftest is meant to fail"
is "an install without run_kselftest.sh fails the build" "$(bstat ksft-noscript)" FAIL
is "saying so" "$(misc ksft-noscript error_msg)" \
    "kselftest (make -C tools/testing/selftests install) made no run_kselftest.sh in its INSTALL_PATH"
is "no kselftest artifact for either" \
    "$(sql "SELECT COUNT(*) FROM build WHERE job_id IN ('b1-ksft-broken', 'b1-ksft-noscript') AND json_extract(artifacts, '\$.kselftest') IS NOT NULL")" 0
# a link the tree installed to a secret of the host stays a link
tar -tvzf "$TMP/var/storage/builds/b1-arm64/kselftest.tar.gz" >"$TMP/ksft.list"
has "a link in the install is packed as a link" "$TMP/ksft.list" \
    "kselftest/shadow -> /etc/shadow"
mkdir -p "$TMP/ksft-x"
tar -xzf "$TMP/var/storage/builds/b1-arm64/kselftest.tar.gz" -C "$TMP/ksft-x"
check "not as the file it names" test -L "$TMP/ksft-x/kselftest/shadow"
# a tree that installs more files than anyone packs: bounded, not taken
is "a flood of installed files fails the build" "$(bstat ksft-flood)" FAIL
is "saying how many is too many" "$(misc ksft-flood error_msg)" \
    "cannot pack kselftest/ into kselftest.tar.gz: more than 100000 entries"
check "and packs nothing" test ! -e "$TMP/var/storage/builds/b1-ksft-flood/kselftest.tar.gz"

# a clang build on a machine without ld.lld: final at once, naming the
# packages (a PATH holding every tool but LLVM's linker)
mkdir -p "$TMP/nolld"
for t in make flex bison bc perl clang llvm-ar sh git sqlite3 bwrap rsync; do
	p=$(command -v $t) && ln -s "$p" "$TMP/nolld/$t"
done
commit "$up" "second"
sed -i 's/^  arm64:/  arm64:\n    rules: {min_version: "9"}/' "$TMP/configs/c.yaml"
for b in arm64-again riscv ksft-broken ksft-noscript ksft-flood; do
	sed -i "s/^  $b:/  $b:\n    rules: {min_version: \"9\"}/" "$TMP/configs/c.yaml"
done
check "poll, tarball and jobs" sh -c \
    "maestrino $C poll && maestrino $C tarball && maestrino $C jobs"
PATH="$top/bin:$TMP/nolld" maestrino $C submit >"$TMP/out" 2>&1
PATH="$top/bin:$TMP/nolld" maestrino $C collect --wait >>"$TMP/out" 2>&1
is "only the clang build was made" "$(sql "SELECT group_concat(id) FROM job WHERE id LIKE 'b2-%'")" b2-clang
is "it is ERROR after one attempt, not retried" \
    "$(sql "SELECT state || ' ' || attempt || ' ' || error_code FROM job WHERE id = 'b2-clang'")" \
    "done 1 toolchain"
is "ERROR" "$(sql "SELECT status FROM build WHERE job_id = 'b2-clang'")" ERROR
is "naming ld.lld and the Debian packages" \
    "$(sql "SELECT json_extract(misc, '\$.error_msg') FROM build WHERE job_id = 'b2-clang'")" \
    "'ld.lld' (which LLVM=1 builds need) not found in PATH: install Debian's clang lld llvm"

done_testing
