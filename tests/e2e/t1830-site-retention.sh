#!/bin/sh
# The site's retention (settings.site.keep_days) on the fixture database:
# the pages of checkouts older than it (and of their builds) become small
# stubs linking to their JSON, which stays whole, as do their rows in
# state.db; the branch and test pages still list the old results, linking
# to the JSON; every local link of every page resolves; the site shrinks;
# a render with nothing new rewrites nothing, and a full render gives the
# bytes of the incremental ones, as pages age out when a new checkout
# comes and come back when keep_days is raised.
. "$(dirname "$0")/lib.sh"

config_dir
settings_add 'site:' "  path: $TMP/public"
C="-c $TMP/configs"
P=$TMP/public
check "an empty site renders" maestrino $C site
check "the fixture database" sh -c "sqlite3 '$TMP/var/state.db' <'$top/tests/data/site/fixture.sql'"
# checkouts 1-3 were found 40 days before the others
check "checkouts 1-3 are old" sqlite3 "$TMP/var/state.db" \
    "UPDATE checkout SET created = created - 40 * 86400, gen = gen + 1 WHERE id <= 3"
check_rc 0 "maestrino site, every page kept" maestrino $C site
bytes() { du -s --apparent-size --block-size=1 "$P" | cut -f1; }
before=$(bytes)
has "an old checkout has its page" "$P/c/2.html" '<section id="tests">'
cp "$P/api/c/2.json" "$TMP/c2.json"
rows() { sql 'SELECT count(*) FROM test t JOIN build b ON b.id = t.build_id WHERE b.checkout_id <= 3'; }
old_rows=$(rows)

check "every page is valid HTML5" html_valid "$P"
check "every local link resolves" html_links "$P"

settings_add '  keep_days: 30'
check_rc 0 "maestrino site with keep_days: 30" maestrino $C site
is "checkouts 1-3 are stubs in state.db" "$(sql 'SELECT group_concat(id) FROM checkout WHERE site_stub')" "1,2,3"
for f in c/1.html c/2.html c/3.html b/21.html b/22.html; do
	n=$(wc -c <"$P/$f")
	[ "$n" -lt 1024 ] && ok "$f is a stub ($n bytes)" || not_ok "$f is a stub" "$n bytes"
done
has "a stub links to its JSON" "$P/c/2.html" 'href="../api/c/2.json">its JSON</a>'
has "and to its branch" "$P/c/2.html" 'href="../t/demo/master.html"'
hasnt "and holds no results" "$P/c/2.html" '<table'
has "a build's stub links to its JSON" "$P/b/21.html" 'href="../api/b/21.json"'
has "the newer checkouts keep their pages" "$P/c/4.html" '<section id="tests">'
check "the JSON of a dropped page is the same" cmp "$TMP/c2.json" "$P/api/c/2.json"
is "their rows stay in state.db" "$(rows)" "$old_rows"
[ "$old_rows" -gt 0 ] && ok "and there are some" || not_ok "the old checkouts have tests"
has "the branch page lists an old checkout" "$P/t/demo/master.html" '<a href="../../api/c/1.json">v6.1-1-gabc</a>'
has "and a kept one as a page" "$P/t/demo/master.html" '<a href="../../c/4.html">v6.1-4-gabc</a>'
t=$P/x/demo/master/x86.x86_64.qemu/smoke.flaky.html
has "a test's history lists an old result" "$t" '<a href="../../../../api/c/2.json">v6.1-2-gabc</a>'
is "all six of them" "$(grep -c '^<tr><td><a href' "$t")" 6
has "the next checkout's changes link to the stub" "$P/c/4.html" 'href="../c/3.html"'
check "every page is valid HTML5" html_valid "$P"
check "every local link resolves" html_links "$P"
after=$(bytes)
[ "$after" -lt "$before" ] && ok "the site shrinks ($before to $after bytes)" ||
    not_ok "the site shrinks" "$before to $after bytes"

# incremental: nothing changed, nothing written
find "$P" -type f -exec touch -d @1000000000 {} +
check_rc 0 "a render with nothing new" maestrino $C site
is "rewrites nothing" "$(find "$P" -type f -newermt @1000000001 | wc -l)" 0
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/incr"
check_rc 0 "a full render" maestrino $C site --all
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/full"
check "gives the same bytes" cmp "$TMP/incr" "$TMP/full"

# a new checkout 40 days later: every other checkout ages out but the
# latest of its branch
check "a new checkout, 40 days on" sqlite3 "$TMP/var/state.db" "
INSERT INTO checkout (id, tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state)
  SELECT 7, tree, branch, url, printf('%040d', 7), 'v6.2', 'commit 7', 'm',
  commit_time + 40 * 86400, created + 40 * 86400, 'done' FROM checkout
  WHERE id = 6;
INSERT INTO build (id, checkout_id, job_id, config_name, arch, compiler,
  status) VALUES (71, 7, 'b7', 'x86', 'x86_64', 'gcc', 'PASS');
INSERT INTO test (build_id, job_id, path, platform, status)
  SELECT 71, 't7', path, platform, 'PASS' FROM test WHERE build_id = 61;"
find "$P" -type f -exec touch -d @1000000000 {} +
check_rc 0 "the render after it" maestrino $C site
is "checkouts 1-6 are stubs now" "$(sql 'SELECT group_concat(id) FROM checkout WHERE site_stub')" "1,2,3,4,5,6"
hasnt "checkout 6 has aged out" "$P/c/6.html" '<table'
has "checkout 7 has its page" "$P/c/7.html" '<section id="tests">'
has "the test's history links checkout 6 to its JSON" "$t" '<a href="../../../../api/c/6.json">'
written=$(find "$P" -type f -newermt @1000000001 | sed "s|$P/||" | sort | tr '\n' ' ')
case $written in
*"api/c/2.json"*|*"c/2.html"*) not_ok "pages that aged out before are left alone" "$written" ;;
*) ok "pages that aged out before are left alone" ;;
esac
check "every local link resolves" html_links "$P"
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/incr"
check_rc 0 "a full render" maestrino $C site --all
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/full"
check "gives the same bytes" cmp "$TMP/incr" "$TMP/full"

# keep_days raised to keep everything: the pages come back
sed -i 's/keep_days: 30/keep_days: 0/' "$TMP/configs/settings.yaml"
check_rc 0 "keep_days: 0" maestrino $C site
has "an old checkout has its page again" "$P/c/2.html" '<section id="tests">'
has "its builds too" "$P/b/21.html" '<h1>Build'
has "the branch page links it again" "$P/t/demo/master.html" '<a href="../../c/1.html">'
has "so does the test's history" "$t" '<a href="../../../../c/6.html">'
is "no stub is left in state.db" "$(sql 'SELECT count(*) FROM checkout WHERE site_stub')" 0
check "every local link resolves" html_links "$P"
check "and every page is valid HTML5" html_valid "$P"

done_testing
