#!/bin/sh
# `maestrino results --json` for a checkout with 50,000 tests (and 50
# builds) against reading the same document, its JSON twin on the site,
# from disk with `jq .`: the best of five runs each.  Target: < 2.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null ||
    { echo "bench: jq is needed (scripts/deps.sh test installs it)" >&2; exit 1; }

d=$BTMP/r
mkdir -p "$d/c"
printf 'settings:\n  data_dir: %s/var\n  site:\n    path: %s/public\n' \
    "$d" "$d" >"$d/c/c.yaml"
maestrino-site -q -c "$d/c" >/dev/null 2>&1
sqlite3 "$d/var/state.db" >/dev/null <<'EOF2'
PRAGMA journal_mode = WAL;
INSERT INTO tree (name, url) VALUES ('tree0', 'https://git.example.org/0');
INSERT INTO checkout (id, tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state)
  VALUES (1, 'tree0', 'master', 'https://git.example.org/0',
  printf('%040x', 1), 'v6.1', 'commit 1', 'm', 1735689600, 1735689600,
  'done');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49)
INSERT INTO build (id, checkout_id, job_id, config_name, arch, compiler,
  status, duration, log_url)
  SELECT i + 1, 1, 'b' || i, 'cfg' || (i % 25), CASE WHEN i % 2
  THEN 'arm64' ELSE 'x86_64' END, 'gcc', CASE WHEN i % 10 = 0 THEN 'FAIL'
  ELSE 'PASS' END, 100, 'https://storage.example.org/builds/b' || i ||
  '/build.log' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49999)
INSERT INTO test (build_id, job_id, path, platform, status, log_url)
  SELECT i / 1000 + 1, 't' || (i / 100), CASE WHEN i % 100 = 0 THEN 'boot'
  ELSE 'suite' || (i % 7) || '.case' || (i % 100) END, 'board' || (i / 100 % 10),
  CASE WHEN i % 20 = 0 THEN 'FAIL' ELSE 'PASS' END,
  'https://storage.example.org/tests/t' || (i / 100) || '/console.log' FROM n;
EOF2
measure maestrino -c "$d/c" site || exit 1
twin=$d/public/api/c/1.json
[ -s "$twin" ] || { echo "bench: no $twin" >&2; exit 1; }
maestrino -c "$d/c" results --json 1 >"$BTMP/out.json" || exit 1
{ cat "$twin"; echo; } | cmp -s - "$BTMP/out.json" ||
    { echo "bench: results --json is not the twin" >&2; exit 1; }
best_ours=999
best_jq=999
for _ in 1 2 3 4 5; do
	t0=$(now)
	maestrino -c "$d/c" results --json 1 >/dev/null
	t1=$(now)
	jq . "$twin" >/dev/null
	t2=$(now)
	best_ours=$(least "$(elapsed "$t0" "$t1")" "$best_ours")
	best_jq=$(least "$(elapsed "$t1" "$t2")" "$best_jq")
done
report "results --json, 50k tests" "$best_ours" s "jq . on its twin ($(($(wc -c <"$twin") / 1024)) KB)" \
    "$best_jq" "< 2"
