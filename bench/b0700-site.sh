#!/bin/sh
# The site on a generated database of 1,000 checkouts (10 trees of 100),
# 50,000 builds and 1,000,000 tests: a full render, with its peak memory,
# then an incremental render after one new checkout.  Targets: full
# render under 60 s on 2 cores, incremental under 2 s, memory that does
# not grow with the total number of tests (compared with a tenth of it).
. "$(dirname "$0")/lib.sh"

gen() {
	# gen DIR CHECKOUTS_PER_TREE
	mkdir -p "$1/c"
	printf 'settings:\n  data_dir: %s/var\n  site:\n    path: %s/public\n' \
	    "$1" "$1" >"$1/c/c.yaml"
	maestrino-site -q -c "$1/c" >/dev/null 2>&1
	sqlite3 "$1/var/state.db" >/dev/null <<EOF2
PRAGMA journal_mode = WAL;
WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < 9)
INSERT INTO tree (name, url) SELECT 'tree' || i, 'https://git.example.org/' || i FROM t;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10 * $2 - 1)
INSERT INTO checkout (id, tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state)
  SELECT i + 1, 'tree' || (i % 10), 'master', 'https://git.example.org/',
  printf('%040x', i + 1), 'v6.1-' || (i / 10), 'commit ' || i, 'm',
  1735689600 + i * 60, 1735689600 + i * 60, 'done' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10 * $2 * 50 - 1)
INSERT INTO build (id, checkout_id, job_id, config_name, arch, compiler,
  status, duration)
  SELECT i + 1, i / 50 + 1, 'b' || i, 'cfg' || (i % 25), CASE WHEN i % 2
  THEN 'arm64' ELSE 'x86_64' END, 'gcc', CASE WHEN abs(random()) % 50 = 0
  THEN 'FAIL' ELSE 'PASS' END, 100 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10 * $2 * 1000 - 1)
INSERT INTO test (build_id, job_id, path, platform, status)
  SELECT i / 20 + 1, 't' || (i / 20), CASE WHEN i % 20 = 0 THEN 'boot'
  ELSE 'suite' || (i % 4) || '.case' || (i % 20) END, 'board' || (i % 3),
  CASE WHEN abs(random()) % 20 = 0 THEN 'FAIL' ELSE 'PASS' END FROM n;
EOF2
}

gen "$BTMP/big" 100
measure maestrino-site -c "$BTMP/big/c" || exit 1
full=$secs
full_mb=$peak_mb
files=$(find "$BTMP/big/public" -type f | wc -l)
# one more checkout of tree3, like the others: 50 builds, 1,000 tests
sqlite3 "$BTMP/big/var/state.db" <<'EOF2'
INSERT INTO checkout (id, tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state)
  VALUES (1001, 'tree3', 'master', 'https://git.example.org/3',
  'ffffffffffffffffffffffffffffffffffffffff', 'v6.2', 'new', 'm',
  1735800000, 1735800000, 'done');
INSERT INTO build (checkout_id, job_id, config_name, arch, compiler, status,
  duration)
  SELECT 1001, 'n' || id, config_name, arch, compiler, CASE WHEN
  abs(random()) % 50 = 0 THEN 'FAIL' ELSE 'PASS' END, duration FROM build
  WHERE checkout_id = 994;
INSERT INTO test (build_id, job_id, path, platform, status)
  SELECT nb.id, 'n' || t.id, t.path, t.platform, CASE WHEN abs(random()) % 20
  = 0 THEN 'FAIL' ELSE 'PASS' END FROM test t JOIN build nb ON
  nb.checkout_id = 1001 AND nb.job_id = 'n' || t.build_id;
EOF2
measure maestrino-site -c "$BTMP/big/c" || exit 1
incr=$secs
report "site: full render, 1M tests" "$full" s "target" 60 "< 60 s, $files files"
report "site: incremental after one checkout" "$incr" s "target" 2 "< 2 s"
rm -rf "${BTMP:?}/big"
gen "$BTMP/small" 10
measure maestrino-site -c "$BTMP/small/c" || exit 1
report "site: peak memory, 1M tests" "$full_mb" MB "the same, 100k tests" "$peak_mb" "does not grow"
