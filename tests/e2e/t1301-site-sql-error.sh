#!/bin/sh
# A query that fails in the middle of a render stops it: the site stage
# exits 2 naming what it could not read, no page built from part of the
# data is marked rendered, and the next good render renders them all.
. "$(dirname "$0")/lib.sh"

config_dir
cat >>"$TMP/configs/settings.yaml" <<EOF2
  site:
    path: $TMP/public
EOF2
C="-c $TMP/configs"
P=$TMP/public
check "an empty site renders" maestrino $C site
check "the fixture database" sh -c "sqlite3 '$TMP/var/state.db' <'$top/tests/data/site/fixture.sql'"
todo=$(sql "SELECT COUNT(*) FROM checkout WHERE gen > site_gen")
[ "$todo" -gt 0 ] && ok "$todo checkouts to render" || not_ok "no checkout to render"

# The index reads the trees last of all, after the checkout pages are
# written: make that read fail when it is stepped (abs() of the smallest
# integer overflows), not when it is prepared.
check "the trees fail when read" sql "ALTER TABLE tree RENAME TO tree_ok;
CREATE VIEW tree AS SELECT name, url, CASE WHEN
abs(-9223372036854775807 - (length(name) > 0)) THEN last_error END AS last_error
FROM tree_ok"
check_rc 2 "a failed query stops the render with exit 2" maestrino $C site
has "naming the query that failed" "$TMP/out" "integer overflow"
has "and what was being read" "$TMP/out" "cannot read the trees' poll errors"
has "and that nothing is marked rendered" "$TMP/out" "stopped"
[ -s "$P/c/6.html" ] && ok "checkout pages were written before it" ||
    not_ok "no checkout page was written"
hasnt "the index was not written from part of its data" "$P/index.html" "demo/master"
is "no checkout is marked rendered" \
    "$(sql "SELECT COUNT(*) FROM checkout WHERE gen > site_gen")" "$todo"
is "nor any build" "$(sql "SELECT COUNT(*) FROM build WHERE gen > site_gen AND checkout_id IN (SELECT id FROM checkout)")" \
    "$(sql "SELECT COUNT(*) FROM build")"
[ -e "$TMP/var/site-rendering" ] && ok "the render is known to be cut short" ||
    not_ok "the render is taken for done"

check "the trees are read again" sql "DROP VIEW tree; ALTER TABLE tree_ok RENAME TO tree"
check_rc 0 "the next render succeeds" maestrino $C site
has "and renders every checkout left" "$TMP/out" "$todo checkouts rendered"
has "the index is whole" "$P/index.html" "demo/master"
is "every checkout is marked rendered" \
    "$(sql "SELECT COUNT(*) FROM checkout WHERE gen > site_gen")" 0
[ -e "$TMP/var/site-rendering" ] && not_ok "the render is still marked" ||
    ok "the render is done"
done_testing
