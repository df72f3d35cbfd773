#!/bin/sh
# A real browser: Debian's Chromium, driven headless by playwright-core
# (from npm, with Chromium as its executable), walks the fixture site
# from file://: index, branch, checkout and test pages, filters, and the
# XSS fixture, and saves a screenshot.
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
check "the site" maestrino -c "$TMP/configs" site
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
test_failed=$(grep -c '^not ok ' "$TMP/walk.out")
test_n=$((test_n + 2))
[ -s "$TMP/checkout.png" ] && ok "a screenshot" || not_ok "no screenshot"
cp "$TMP/checkout.png" "$top/build/site-screenshot.png" 2>/dev/null || true
done_testing
