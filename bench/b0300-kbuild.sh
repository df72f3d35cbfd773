#!/bin/sh
# The local runtime's overhead around make: one kbuild job of the default
# config on the demo kernel, against the same make commands run by hand
# on the same tarball, side by side; and where the job's time went.
. "$(dirname "$0")/lib.sh"

demo="$top/var/demo/linux.git"
"$top/scripts/demo-tree.sh" "$demo" 2>/dev/null || exit 2
mkdir -p "$BTMP/c"
cp -r "$top/configs/fragments" "$top/configs/labs.yaml" "$BTMP/c/"
# the default x86_64 build alone
sed '/^  arm64-tinyconfig:/,$d' "$top/configs/builds.yaml" >"$BTMP/c/builds.yaml"
printf 'settings:\n  data_dir: %s/var\n  keep_work: true\ntrees:\n  demo:\n    url: %s\n    branches: [master]\n' \
    "$BTMP" "$demo" >"$BTMP/c/settings.yaml"
C="-c $BTMP/c"
maestrino $C poll -q && maestrino $C tarball -q && maestrino $C jobs -q || exit 1
t0=$(now)
maestrino $C submit -q && maestrino $C collect -q --wait || exit 1
t1=$(now)
job=$(elapsed "$t0" "$t1")
work=$(ls -d "$BTMP"/var/work/b1-*)
res="$work/result.json"

# the same make commands by hand, from the same tarball
tgz=$(ls "$BTMP"/var/storage/tarballs/*.tar.gz)
mkdir -p "$BTMP/hand"
tar -xzf "$tgz" -C "$BTMP/hand" --strip-components=1
cp "$top/configs/fragments/qemu-boot.config" "$BTMP/hand/frag.config"
t0=$(now)
(cd "$BTMP/hand" && make -s ARCH=x86_64 tinyconfig >/dev/null 2>&1 &&
    scripts/kconfig/merge_config.sh -m .config frag.config >/dev/null 2>&1 &&
    make -s ARCH=x86_64 olddefconfig >/dev/null 2>&1 &&
    make -s ARCH=x86_64 -j"$(nproc)" bzImage >/dev/null 2>&1) || exit 1
t1=$(now)
hand=$(elapsed "$t0" "$t1")
over=$(awk -v a="$job" -v b="$hand" 'BEGIN { printf "%.1f", a - b }')
report "kbuild job, submit to collected" "$job" s "the make commands by hand" "$hand"
report "local runtime overhead (job - hand)" "$over" s "the make commands by hand" "$hand" "< 0.10"
/usr/bin/python3 - "$res" <<'EOF2'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["phases"]
total = r["duration"]
for k in ("fetch", "extract", "config", "build", "pack"):
    print("  %-10s %8.1f s  %5.1f%%" % (k, p.get(k, 0), 100 * p.get(k, 0) / total))
EOF2
