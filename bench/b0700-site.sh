#!/bin/sh
# The site on a generated database of 1,000 checkouts (10 trees of 100,
# one every 2 hours: 83 days), 50,000 builds and 1,000,000 tests.
# - its size against GitHub Pages' 1 GB, with every page and with
#   settings.site.keep_days: 30 (target < 1);
# - the full render against the floor of writing the same files, in the
#   same run: copying the rendered tree into an empty directory with
#   tar -c | tar -x (target < 3);
# - the incremental render after one new checkout against the full one
#   (target < 0.03);
# - peak memory, which does not grow with the number of tests (compared
#   with a tenth of them).
# Each tree's tests keep their keys (config, arch, platform, path) from
# one checkout to the next, as a real tree's do.
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
  1735689600 + i * 7200, 1735689600 + i * 7200, 'done' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10 * $2 * 50 - 1)
INSERT INTO build (id, checkout_id, job_id, config_name, arch, compiler,
  status, duration)
  SELECT i + 1, i / 50 + 1, 'b' || i, 'cfg' || (i % 25), CASE WHEN i % 2
  THEN 'arm64' ELSE 'x86_64' END, 'gcc', CASE WHEN abs(random()) % 50 = 0
  THEN 'FAIL' ELSE 'PASS' END, 100 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10 * $2 * 1000 - 1)
INSERT INTO test (build_id, job_id, path, platform, status)
  SELECT i / 20 + 1, 't' || (i / 20), CASE WHEN i % 20 = 0 THEN 'boot'
  ELSE 'suite' || (i % 4) || '.case' || (i % 20) END,
  'board' || ((i % 1000) / 20 % 3),
  CASE WHEN abs(random()) % 20 = 0 THEN 'FAIL' ELSE 'PASS' END FROM n;
EOF2
}

# size: the bytes of every file (what a Pages artifact holds), in MB
size_mb() {
	du -s --apparent-size --block-size=1M "$1" | cut -f1
}

gen "$BTMP/big" 100
# every figure starts with nothing left to write back, as the floor does
sync
measure maestrino-site -c "$BTMP/big/c" || exit 1
full=$secs
full_mb=$peak_mb
files=$(find "$BTMP/big/public" -type f | wc -l)
site_mb=$(size_mb "$BTMP/big/public")
disk_mb=$(du -s --block-size=1M "$BTMP/big/public" | cut -f1)
echo "# by kind (MB): $(cd "$BTMP/big/public" && for d in c b x api/c api/b api/x; do
	printf '%s %s  ' "$d" "$(size_mb "$d")"; done)"
# the floor: the same files written by tar into an empty directory
sync
mkdir "$BTMP/copy"
measure sh -c "tar -C '$BTMP/big/public' -cf - . | tar -C '$BTMP/copy' -xf -" ||
    exit 1
floor=$secs
# add_checkout ID TREE LIKE: one more checkout of TREE, like checkout
# LIKE: 50 builds, 1,000 tests, two hours after the one before
add_checkout() {
	sqlite3 "$BTMP/big/var/state.db" <<EOF2
INSERT INTO checkout (id, tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state)
  VALUES ($1, '$2', 'master', 'https://git.example.org/',
  printf('%040x', $1), 'v6.2-$1', 'new', 'm',
  1735689600 + ($1 - 1) * 7200, 1735689600 + ($1 - 1) * 7200, 'done');
INSERT INTO build (checkout_id, job_id, config_name, arch, compiler, status,
  duration)
  SELECT $1, 'n' || id, config_name, arch, compiler, CASE WHEN
  abs(random()) % 50 = 0 THEN 'FAIL' ELSE 'PASS' END, duration FROM build
  WHERE checkout_id = $3;
INSERT INTO test (build_id, job_id, path, platform, status)
  SELECT nb.id, 'n' || t.id, t.path, t.platform, CASE WHEN abs(random()) % 20
  = 0 THEN 'FAIL' ELSE 'PASS' END FROM test t JOIN build nb ON
  nb.checkout_id = $1 AND nb.job_id = 'n' || t.build_id;
EOF2
}
add_checkout 1001 tree0 991
sync
measure maestrino-site -c "$BTMP/big/c" || exit 1
incr=$secs
# retention: the checkouts older than 30 days become stubs
printf '    keep_days: 30\n' >>"$BTMP/big/c/c.yaml"
measure maestrino-site -c "$BTMP/big/c" || exit 1
aging=$secs
kept_mb=$(size_mb "$BTMP/big/public")
stubs=$(sqlite3 "$BTMP/big/var/state.db" 'SELECT count(*) FROM checkout WHERE site_stub')
# and one more checkout, with which the oldest kept one ages out
add_checkout 1002 tree1 992
sync
measure maestrino-site -c "$BTMP/big/c" || exit 1
incr_kept=$secs
# the copy goes only now: ext4 skips the inodes freed in the last
# minutes when it allocates one, so removing its 122,000 files before
# the incremental renders would slow every file they write
rm -rf "${BTMP:?}/copy"
report "site: size, 1M tests, every page" "$site_mb" MB "GitHub Pages limit" 1024 "< 1, $files files, $disk_mb MB on disk"
report "site: size, keep_days 30" "$kept_mb" MB "GitHub Pages limit" 1024 "< 1, $stubs of 1001 checkouts stubs"
report "site: full render, 1M tests" "$full" s "tar -c | tar -x of it" "$floor" "< 3"
report "site: incremental after one checkout" "$incr" s "the full render" "$full" "< 0.03"
report "site: render that sets keep_days 30" "$aging" s "the full render" "$full" ""
report "site: incremental, keep_days 30, one ages out" "$incr_kept" s "the full render" "$full" "< 0.03"
rm -rf "${BTMP:?}/big"
gen "$BTMP/small" 10
measure maestrino-site -c "$BTMP/small/c" || exit 1
report "site: peak memory, 1M tests" "$full_mb" MB "the same, 100k tests" "$peak_mb" "does not grow"
