#!/bin/sh
# Issue 12, item 4: a lab's results YAML can exhaust memory (aliases that
# expand without limit) or time (a mapping of 100,000 keys, checked for
# duplicates pairwise).  Expansion is bounded and the key check is
# linear: such a file is a bad result, set aside, never a crash, and the
# next run does not meet it again.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
settings_add 'retries: 1' 'retry_delay: 0'
pull_lab_config bomb wide
C="-c $TMP/configs"
to_pull_lab
r=$TMP/farm/results
mkdir -p "$r"
# 1.5 MB of text, then ten aliases of it, ten of those, ...: 15 TB
/usr/bin/python3 - "$r/$(job_on bomb).yaml" <<'EOF2'
import sys
with open(sys.argv[1], "w") as f:
    f.write("- {suite: lava, name: job, result: pass}\n")
    f.write("- suite: x\n  name: y\n  s: &s " + "x" * 1500000 + "\n")
    prev = "s"
    for level in range(1, 7):
        f.write("  l%d: &l%d [%s]\n" % (level, level,
                ", ".join(["*" + prev] * 10)))
        prev = "l%d" % level
EOF2
# a hundred thousand keys in one mapping
/usr/bin/python3 - "$r/$(job_on wide).yaml" <<'EOF2'
import sys
with open(sys.argv[1], "w") as f:
    f.write("- suite: 0_smoke\n  name: wide\n  result: pass\n  metadata:\n")
    for i in range(100000):
        f.write("    k%d: %d\n" % (i, i))
    f.write("- {suite: lava, name: job, result: pass}\n")
EOF2
ls -la "$r" >"$TMP/sizes"
start=$(date +%s)
memlimit 2147483648 timeout 120 maestrino $C collect >"$TMP/out" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
test "$rc" -le 1 && ok "collect survives the alias bomb (exit $rc)" ||
    not_ok "collect survives the alias bomb" "exit $rc" "$(tail -n 5 "$TMP/out")"
test "$took" -lt 8 && ok "and 100,000 keys take no time (${took}s)" ||
    not_ok "and 100,000 keys take no time" "took ${took}s"
has "the bomb is refused for what it is" "$TMP/out" \
    "expanding too far through aliases"
test -f "$r/$(job_on bomb).yaml.bad" && ok "and set aside" ||
    not_ok "and set aside" "$(ls -la "$r")"
is "the bomb's job goes round again" \
    "$(sql "SELECT state || ' ' || attempt FROM job WHERE platform = 'bomb'")" \
    "pending 2"
is "the wide results are recorded" \
    "$(sql "SELECT status FROM test WHERE path = 'smoke.wide'")" PASS
start=$(date +%s)
memlimit 2147483648 timeout 120 maestrino $C collect >"$TMP/out" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
test "$rc" -le 1 && test "$took" -lt 8 &&
    ok "the next run does not meet the bomb again (${took}s)" ||
    not_ok "the next run does not meet the bomb again" "exit $rc, ${took}s"
done_testing
