#!/bin/sh
# What the hardening costs, each against an anchor in the same run.
# 1. Masking three secrets and their encodings (base64 at three
#    alignments, standard and URL-safe, hex in both cases, reversed) in a
#    64 MB build log, as the worker does before storing it, against sed
#    replacing the same patterns in the same file.  Target: faster than
#    sed.
# 2. Parsing a mapping of 100,000 keys (duplicates found through a hash
#    table) against PyYAML's C loader on the same text.
# 3. Refusing a YAML alias bomb (15 TB expanded, 1.6 MB on disk) against
#    parsing a plain file of the same size: libyaml reads both, the bomb
#    is refused as it expands.  Target: within twice the plain file.
. "$(dirname "$0")/lib.sh"

make -s -C "$top" build/bench/mask-log build/bench/parse-yaml >/dev/null
s1=kcidb-1f2e3d4c5b6a7988
s2=storage-a9b8c7d6e5f4
s3=ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNb
/usr/bin/python3 - "$BTMP/build.log" "$s1" <<'EOF2'
import random, sys
random.seed(1)
words = ["CC", "LD", "AR", "init/main.o", "drivers/net/virtio_net.o",
         "warning:", "arch/x86/boot/bzImage", "scripts/kconfig/conf"]
with open(sys.argv[1], "w") as f:
    n = 0
    while n < 64 << 20:
        line = "  %s %s\n" % (random.choice(words[:3]), random.choice(words[3:]))
        if random.random() < 0.001:
            line = "token=%s\n" % sys.argv[2]
        f.write(line)
        n += len(line)
EOF2
# shellcheck disable=SC2046
set -- $("$top/build/bench/mask-log" "$BTMP/build.log" "$s1" "$s2" "$s3")
bytes=$1
ours=$2
# the same patterns for sed: each value, its base64 at three offsets
# (whole groups), hex both cases, reversed
pats() {
	for v in "$s1" "$s2" "$s3"; do
		printf '%s\n' "$v"
		for off in 0 1 2; do
			w=$(printf '%s' "$v" | cut -c$((off + 1))-)
			n=$(( ${#w} / 3 * 3 ))
			w=$(printf '%s' "$w" | cut -c1-"$n")
			printf '%s' "$w" | base64 -w0; echo
			printf '%s' "$w" | base64 -w0 | tr '+/' '-_'; echo
		done
		printf '%s' "$v" | od -An -tx1 | tr -d ' \n'; echo
		printf '%s' "$v" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; echo
		printf '%s' "$v" | rev; echo
	done | sort -u
}
pats | sed 's/[][\.*^$/]/\\&/g; s/.*/s\/&\/***\/g/' >"$BTMP/mask.sed"
t0=$(now)
LC_ALL=C sed -f "$BTMP/mask.sed" "$BTMP/build.log" >"$BTMP/sed.out"
t1=$(now)
anchor=$(elapsed "$t0" "$t1")
mb=$(( bytes >> 20 ))
report "mask: ${mb} MB log, $(wc -l <"$BTMP/mask.sed") patterns" "$ours" s \
    "sed, the same patterns" "$anchor" "< 1"

/usr/bin/python3 - "$BTMP/wide.yaml" <<'EOF2'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write("key%d: value %d\n" % (i, i))
EOF2
# shellcheck disable=SC2046
set -- $("$top/build/bench/parse-yaml" "$BTMP/wide.yaml")
ours=$1
t0=$(now)
/usr/bin/python3 -c '
import sys, yaml
yaml.load(open(sys.argv[1]).read(), Loader=yaml.CSafeLoader)' "$BTMP/wide.yaml"
t1=$(now)
anchor=$(elapsed "$t0" "$t1")
report "yaml: a mapping of 100,000 keys" "$ours" s \
    "PyYAML CSafeLoader, same text" "$anchor" "< 1"

/usr/bin/python3 - "$BTMP/bomb.yaml" "$BTMP/plain.yaml" <<'EOF2'
import sys
with open(sys.argv[1], "w") as f:
    f.write("- suite: x\n  name: y\n  s: &s " + "x" * 1500000 + "\n")
    prev = "s"
    for level in range(1, 7):
        f.write("  l%d: &l%d [%s]\n" % (level, level, ", ".join(["*" + prev] * 10)))
        prev = "l%d" % level
with open(sys.argv[1]) as f:
    n = len(f.read())
with open(sys.argv[2], "w") as f:
    f.write("- suite: x\n  name: y\n  s: " + "x" * (n - 30) + "\n")
EOF2
# shellcheck disable=SC2046
set -- $("$top/build/bench/parse-yaml" "$BTMP/bomb.yaml")
ours=$1
verdict=$2
# shellcheck disable=SC2046
set -- $("$top/build/bench/parse-yaml" "$BTMP/plain.yaml")
report "yaml: an alias bomb of 1.6 MB, $verdict" "$ours" s \
    "a plain file of the same size" "$1" "< 2"
