#!/bin/sh
# The kcidb stage on a database of 10,000 builds and 1,000,000 tests:
# a full export (checked against the schema's rules, written in files of
# 5,000 objects) against `sqlite3 -json` dumping the same rows, in the
# same run, with peak memory; then an incremental export after one new
# checkout.  Targets: at most 1.5x sqlite3's time, memory that does not
# grow with the rows, and under 1 s for the incremental export.
. "$(dirname "$0")/lib.sh"

mkdir -p "$BTMP/c"
printf 'settings:\n  data_dir: %s/var\ntrees:\n  t: {url: /nonexistent, branches: [master]}\n' \
    "$BTMP" >"$BTMP/c/c.yaml"
maestrino-kcidb -q -c "$BTMP/c" 2>/dev/null
fill() {
	sqlite3 "$BTMP/var/state.db" <<EOF2
PRAGMA journal_mode = WAL;
INSERT INTO tree (name, url) VALUES ('t', 'https://git.example.org/t.git');
INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state)
  VALUES ('t', 'master', 'https://git.example.org/t.git',
  '0123456789012345678901234567890123456789', 'v6.1', 's', 'm', 1, 1, 'done');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
INSERT INTO build (checkout_id, job_id, config_name, arch, compiler, kconfig,
  log_url, start_time, duration, status, misc)
  SELECT 1, 'b' || i, 'x86', 'x86_64', 'gcc', 'defconfig',
  'https://ci.example.org/b' || i || '/build.log', 1735689600, 300.5, 'PASS',
  '{"warnings":0}' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $2 - 1)
INSERT INTO test (build_id, job_id, path, platform, status, start_time,
  duration, log_url, number_value, number_unit, misc)
  SELECT 1 + i % $1, 't' || (i / 100), 'suite.case' || (i % 100), 'qemu',
  'PASS', 1735689600, 1.5, 'https://ci.example.org/t/console.log',
  i % 7, 'seconds', '{"lab":"local"}' FROM n;
EOF2
}
fill 10000 1000000 >/dev/null
rows=$(sqlite3 "$BTMP/var/state.db" "SELECT (SELECT COUNT(*) FROM build) + (SELECT COUNT(*) FROM test)")
measure maestrino-kcidb -q -c "$BTMP/c" || exit 1
ours=$secs
ours_mb=$peak_mb
files=$(ls "$BTMP/var/kcidb" | wc -l)
measure sh -c "sqlite3 -json '$BTMP/var/state.db' 'SELECT * FROM checkout; SELECT * FROM build; SELECT * FROM test' >'$BTMP/dump.json'"
report "kcidb: full export, $rows rows in $files files" "$ours" s \
    "sqlite3 -json, same rows" "$secs" "<= 1.5"
printf '%-44s %9s MB  (sqlite3 -json: %s MB)\n' "kcidb: peak memory, 1M tests" \
    "$ours_mb" "$peak_mb"

# memory must not grow with the rows: a tenth of the rows
rm -rf "${BTMP:?}/var"
maestrino-kcidb -q -c "$BTMP/c" 2>/dev/null
rm -rf "$BTMP/var/kcidb"
fill 1000 100000 >/dev/null
measure maestrino-kcidb -q -c "$BTMP/c" || exit 1
printf '%-44s %9s MB  (1M tests: %s MB)\n' "kcidb: peak memory, 100k tests" \
    "$peak_mb" "$ours_mb"

# incremental: one new checkout
fill 1000 100000 >/dev/null 2>&1 || true
sqlite3 "$BTMP/var/state.db" "UPDATE checkout SET exported_gen = gen; UPDATE build SET exported_gen = gen; UPDATE test SET exported_gen = gen;
INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject, message, commit_time, created)
  VALUES ('t', 'master', 'https://git.example.org/t.git', 'abcdefabcdefabcdefabcdefabcdefabcdefabcd', 'v6.2', 's', 'm', 2, 2)"
measure maestrino-kcidb -c "$BTMP/c" || exit 1
grep -q "1 checkouts, 0 builds, 0 tests" "$BTMP/measure.out" || echo "bench: unexpected: $(cat "$BTMP/measure.out")"
printf '%-44s %9s s   target < 1 s\n' "kcidb: incremental after one new checkout" "$secs"
