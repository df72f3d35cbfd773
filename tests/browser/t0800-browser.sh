#!/bin/sh
# A real browser: Debian's Chromium, driven headless by playwright-core
# (from npm, with Chromium as its executable), walks the fixture site
# from file://: index, branch, checkout and test pages, filters, a
# bisection, the issues and the findings of a log, and the XSS fixture,
# and saves a screenshot.
. "$(dirname "$0")/../e2e/lib.sh"

if [ ! -x /usr/bin/chromium ]; then
	echo "1..0 # SKIP no /usr/bin/chromium (scripts/deps.sh test installs it)"
	exit 0
fi
mod=$top/build/node/node_modules/playwright-core
if [ ! -f "$mod/package.json" ]; then
	npm install --silent --no-audit --no-fund --prefix "$top/build/node" \
	    playwright-core@1.49.1 >"$TMP/npm.log" 2>&1 ||
	    { cat "$TMP/npm.log"; exit 1; }
fi
config_dir
cat >>"$TMP/configs/settings.yaml" <<EOF2
  site:
    path: $TMP/public
    title: Fixture CI
EOF2
check "the fixture database" sh -c "maestrino -c '$TMP/configs' status >/dev/null && maestrino -c '$TMP/configs' site >/dev/null 2>&1 && sqlite3 '$TMP/var/state.db' <'$top/tests/data/site/fixture.sql'"
# a bisection of the arm build regression in checkout 6, its culprit
# tested in checkout 6 (whose subject tries to run script)
check "a bisection" sqlite3 "$TMP/var/state.db" "
INSERT INTO bisection (id, tree, branch, build, good_checkout, bad_checkout,
  good, bad, state, outcome, reason, culprit, confirm, verify, revert,
  created, updated, finished)
  VALUES (1, 'demo', 'master', 'arm', 5, 6, printf('%040d', 5),
  printf('%040d', 6), 'done', 'found', 'verified', printf('%040d', 6),
  'pass', 'pass', 'pass', 1735711200, 1735711200, 1735714800);
INSERT INTO bisection_step (bisection_id, n, role, commit_hash, checkout_id,
  result, created) VALUES
  (1, 1, 'confirm-good', printf('%040d', 5), 5, 'good', 1735711200),
  (1, 2, 'confirm-bad', printf('%040d', 6), 6, 'bad', 1735711200),
  (1, 3, 'verify-culprit', printf('%040d', 6), 6, 'bad', 1735711200);
INSERT INTO bisection_result (bisection_id, kind, ref) VALUES (1, 'build', 62);"
# the triage: a known issue of the test that still fails in checkout 6,
# the signature of the arm build's error (hostile text) and a panic in
# the console of the x86 boot's job
check "the triage's rows" sqlite3 "$TMP/var/state.db" "
INSERT INTO issue (id, kind, title, report_url, culprit, created) VALUES
  ('still_broken', 'known', 'smoke.still is broken', 'https://lore.example.org/r/2',
  'code', 1735711200);
INSERT INTO issue (id, kind, title, culprit, finding_kind, signature, created)
  VALUES ('sig-00000000000000a1', 'signature',
  'error: <img src=x onerror=\"window.__xss=1\">', 'code', 'error',
  'error: <img src=x onerror=\"window.__xss=1\">', 1735711200),
  ('sig-00000000000000a2', 'signature', 'Kernel panic - not syncing', 'code',
  'panic', 'Kernel panic - not syncing: <script>window.__xss=1</script>', 1735711200);
INSERT INTO finding (kind, ref, n, type, summary, issue_id, lines, line, count)
  VALUES ('build', 62, 0, 'error', 'error: <img src=x onerror=\"window.__xss=1\">',
  'sig-00000000000000a1', 'error: <img src=x onerror=\"window.__xss=1\">', 1, 1),
  ('test', (SELECT id FROM test WHERE build_id = 61 AND path = 'boot'), 0,
  'panic', 'Kernel panic - not syncing', 'sig-00000000000000a2',
  'Kernel panic - not syncing: <script>window.__xss=1</script>', 12, 1);
INSERT INTO incident (issue_id, kind, ref, issue_version, seen) VALUES
  ('still_broken', 'test', (SELECT id FROM test WHERE build_id = 61 AND
  path = 'smoke.still'), 1, 1735711200),
  ('sig-00000000000000a1', 'build', 62, 1, 1735711200),
  ('sig-00000000000000a2', 'test', (SELECT id FROM test WHERE build_id = 61
  AND path = 'boot'), 1, 1735711200);"
check "the site" maestrino -c "$TMP/configs" site
checks=$test_n
failed=$test_failed
PLAYWRIGHT_CORE=$mod node "$top/tests/browser/walk.cjs" "$TMP/public" \
    "$TMP/checkout.png" >"$TMP/walk.tap" 2>&1
grep -E '^(not )?ok |^#' "$TMP/walk.tap" | while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) not_ok "${line#not ok * - }" ;;
	*) echo "$line" ;;
	esac
done >"$TMP/walk.out"
cat "$TMP/walk.out"
test_n=$(grep -c '^ok \|^not ok ' "$TMP/walk.out")
# shellcheck disable=SC2034 # read by done_testing
test_failed=$((failed + $(grep -c '^not ok ' "$TMP/walk.out")))
test_n=$((test_n + checks))
[ -s "$TMP/checkout.png" ] && ok "a screenshot" || not_ok "no screenshot"
cp "$TMP/checkout.png" "$top/build/site-screenshot.png" 2>/dev/null || true
done_testing
