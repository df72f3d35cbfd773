#!/bin/sh
# The kcidb stage on a full disk: with kcidb.output on a tiny tmpfs that
# fills up while files of 5,000 objects are being written, the stage
# fails naming the file and the cause, leaves no half file, and marks
# exported only the rows of the files it wrote; with space again, the
# next run writes the rest: every test once, nothing lost, nothing
# twice, every file valid against the official schema.  Mounting needs
# root (or sudo, as on CI runners).
. "$(dirname "$0")/lib.sh"
schema=$top/tests/data/kcidb/schema-v5.3.json

need_root "mounting a tmpfs"
out=$TMP/out-kcidb
mounts=""
cleanup() {
	for m in $mounts; do
		$SUDO umount "$m" 2>/dev/null
	done
}
trap cleanup EXIT

config_dir
settings_add 'kcidb:' "  output: $out"
printf 'trees:\n  t: {url: /nonexistent, branches: [master]}\n' \
    >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "a 1 MiB tmpfs for the KCIDB files" sh -c "mkdir -p '$out' &&
    $SUDO mount -t tmpfs -o size=1m,mode=0755,uid=$(id -u),gid=$(id -g) tmpfs '$out'"
mounts=$out
check "the database" maestrino $C kcidb
# 20 builds and 12,000 tests: three files of some 1.7 MB each
sqlite3 "$TMP/var/state.db" <<'EOF2'
INSERT INTO tree (name, url) VALUES ('t', 'https://git.example.org/t.git');
INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state)
  VALUES ('t', 'master', 'https://git.example.org/t.git',
  '0123456789012345678901234567890123456789', 'v6.1', 's', 'm', 1, 1, 'done');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO build (checkout_id, job_id, config_name, arch, compiler, kconfig,
  log_url, start_time, duration, status, misc)
  SELECT 1, 'b' || i, 'x86', 'x86_64', 'gcc', 'defconfig',
  'https://ci.example.org/b' || i || '/build.log', 1735689600, 300.5, 'PASS',
  '{"warnings":0}' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 11999)
INSERT INTO test (build_id, job_id, path, platform, status, start_time,
  duration, log_url, number_value, number_unit, misc)
  SELECT 1 + i % 20, 't' || (i / 100), 'suite.case' || (i % 100), 'qemu',
  CASE WHEN i % 3 = 0 THEN 'FAIL' ELSE 'PASS' END, 1735689600, 1.5,
  'https://ci.example.org/t/console.log', i % 7, 'seconds',
  '{"lab":"local"}' FROM n;
EOF2

check_rc 2 "a full disk fails the stage" maestrino $C kcidb
cp "$TMP/out" "$TMP/full.out"
has "naming the file and the cause" "$TMP/full.out" "No space left on device"
has "a KCIDB file" "$TMP/full.out" "cannot write KCIDB file '$out/"
is "no half file" "$(find "$out" -name '*.tmp*' | wc -l)" 0
# what the files written hold is exported; the rest is not
ids() {
	/usr/bin/python3 -c '
import json, sys
for p in sys.argv[1:]:
    for t in json.load(open(p)).get("tests", []):
        print(t["id"])' "$@"
}
first=$(ls "$out"/*.json 2>/dev/null | wc -l)
written=$(if [ "$first" -gt 0 ]; then ids "$out"/*.json; fi | wc -l)
is "only the rows of the files written are marked exported" \
    "$(sql "SELECT count(*) FROM test WHERE gen > exported_gen")" \
    "$((12000 - written))"
mkdir -p "$TMP/kept"
if [ "$first" -gt 0 ]; then
	mv "$out"/*.json "$TMP/kept/"
fi

check "space again" $SUDO mount -o remount,size=64m "$out"
check_rc 0 "the next run succeeds" maestrino $C kcidb
is "it marks everything exported" \
    "$(sql "SELECT count(*) FROM test WHERE gen > exported_gen")" 0
cp "$out"/*.json "$TMP/kept/"
ids "$TMP"/kept/*.json | sort >"$TMP/ids"
is "every test once: nothing lost" "$(sort -u "$TMP/ids" | wc -l)" 12000
is "nothing twice" "$(wc -l <"$TMP/ids")" 12000
check "every file valid against the official schema" \
    /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" \
    "$TMP"/kept/*.json

cleanup
mounts=""
done_testing
