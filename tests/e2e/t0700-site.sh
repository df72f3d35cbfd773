#!/bin/sh
# The site on a fixture database: change kinds and counts on the checkout
# page and in its JSON, open regressions with an unstable one, escaping
# of hostile text, valid HTML5, feeds and badges, incremental rendering
# that rewrites nothing unchanged, and identical bytes from a full render.
. "$(dirname "$0")/lib.sh"

config_dir
settings_add 'site:' "  path: $TMP/public" '  title: Fixture CI' \
    '  base_url: https://ci.example.org/'
C="-c $TMP/configs"
check "an empty site renders" maestrino $C site
check "the fixture database" sh -c "sqlite3 '$TMP/var/state.db' <'$top/tests/data/site/fixture.sql'"
check_rc 0 "maestrino site" maestrino $C site
P=$TMP/public
for f in index.html regressions.html c/6.html b/62.html t/demo/master.html \
    p/index.html p/qemu.html api/index.json api/c/6.json feeds/demo.atom \
    feeds/regressions.atom badges/demo/master.svg style.css filter.js; do
	[ -s "$P/$f" ] && ok "$f" || not_ok "$f missing"
done

j() { /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($1)" "$P/api/c/6.json"; }
names() { j "sorted((e.get('path') or e['config']) for e in d['changes']['$1'])"; }
is "regressions: a test and a build" "$(names regression)" "['arm', 'smoke.regress']"
is "unstable: the flaky test" "$(names unstable)" "['smoke.flaky']"
is "fixed" "$(names fixed)" "['smoke.fixed']"
is "still failing" "$(names 'still failing')" "['smoke.still']"
is "new failure" "$(names 'new failure')" "['smoke.new']"
is "new pass" "$(names 'new pass')" "['smoke.newpass']"
is "appeared" "$(names appeared)" "['smoke.skipped']"
is "disappeared" "$(names disappeared)" "['smoke.gone']"
is "the flaky test's flip rate" "$(j "d['changes']['unstable'][0]['flip_rate']")" "1.0"
is "the counts" "$(j "dict(sorted((k, dict(sorted(v.items()))) for k, v in d['counts'].items()))")" \
    "{'boots': {'fail': 0, 'inconclusive': 0, 'pass': 1}, 'builds': {'fail': 1, 'inconclusive': 0, 'pass': 1}, 'tests': {'fail': 4, 'inconclusive': 1, 'pass': 3}}"
has "the page shows the counts of each kind" "$P/c/6.html" \
    '<span class="kind k0">regression: 2</span> <span class="kind k1">unstable: 1</span> <span class="kind k2">new failure: 1</span> <span class="kind k3">fixed: 1</span> <span class="kind k4">still failing: 1</span> <span class="kind k5">new pass: 1</span> <span class="kind k6">appeared: 1</span> <span class="kind k7">disappeared: 1</span>'
has "the hostile subject is text" "$P/c/6.html" '&lt;img src=x onerror="window.__xss=1"&gt;'
hasnt "and never markup" "$P/c/6.html" '<img src=x'
has "on the index too" "$P/index.html" '&lt;img src=x onerror='
has "the log excerpt is escaped" "$P/b/62.html" 'error: &lt;b&gt;broken&lt;/b&gt; &amp; more'
has "the reproducer is shown" "$P/b/61.html" "make ARCH=x86_64 defconfig"
has "links are relative" "$P/c/6.html" 'href="../b/62.html"'
hasnt "no absolute link to the site" "$P/c/6.html" 'href="/'

r() { /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($1)" "$P/api/regressions.json"; }
is "open regressions: the build, the test, the unstable one; not the one that never passed" \
    "$(r "sorted((e.get('path') or e['config'], e['unstable']) for e in d['regressions'])")" \
    "[('arm', False), ('smoke.flaky', True), ('smoke.regress', False)]"
is "each with where it started and last passed" \
    "$(r "sorted((e['since'], e['last_pass']) for e in d['regressions'])")" "[(6, 5), (6, 5), (6, 5)]"
t=$(/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print([e["page"] for e in d["tests"] if e["path"] == "smoke.flaky"][0])' "$P/api/c/6.json")
is "a test page: its history and flip rate" \
    "$(/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(len(d["history"]), d["flip_rate"], d["unstable"])' "$P/api/${t%.html}.json")" \
    "6 1.0 True"
check "every HTML page is valid HTML5 (html5lib, strict)" /usr/bin/python3 -c '
import glob, sys, html5lib
bad = 0
for f in sorted(glob.glob(sys.argv[1] + "/**/*.html", recursive=True)):
    p = html5lib.HTMLParser(strict=True)
    try:
        p.parse(open(f, "rb").read())
    except Exception as e:
        print(f, e); bad += 1
sys.exit(1 if bad else 0)' "$P"
check "feeds and badges are well-formed XML" /usr/bin/python3 -c '
import sys, xml.dom.minidom
for f in sys.argv[1:]:
    xml.dom.minidom.parse(f)' "$P/feeds/demo.atom" "$P/feeds/regressions.atom" "$P/badges/demo/master.svg"
has "the feed uses base_url" "$P/feeds/demo.atom" '<link href="https://ci.example.org/c/6.html"/>'
has "the badge says what fails" "$P/badges/demo/master.svg" "1 failing"

# incremental: nothing changed, nothing written
find "$P" -type f -exec touch -d @1000000000 {} +
check_rc 0 "a render with nothing new" maestrino $C site
has "renders no checkout" "$TMP/out" "0 checkouts rendered"
is "and rewrites no page" "$(find "$P" -type f -newermt @1000000001 | wc -l)" 0
# one result changes: its pages only
sqlite3 "$TMP/var/state.db" "UPDATE test SET status = 'PASS', gen = gen + 1 WHERE path = 'smoke.still' AND build_id = 61"
check_rc 0 "a render after one change" maestrino $C site
has "renders that checkout" "$TMP/out" "1 checkouts rendered"
written=$(find "$P" -type f -newermt @1000000001 | sed "s|$P/||" | sort | tr '\n' ' ')
case $written in
*"c/6.html"*) ok "the checkout page is rewritten" ;;
*) not_ok "the checkout page is rewritten" "$written" ;;
esac
case $written in
*"c/5.html"*|*"b/51.html"*) not_ok "pages that did not change are left alone" "$written" ;;
*) ok "pages that did not change are left alone" ;;
esac
# a full render gives the same bytes
tar -C "$P" -cf - . | sha256sum >"$TMP/before"
check_rc 0 "a full render" maestrino $C site --all
tar -C "$P" -cf - . | sha256sum >"$TMP/after"
check "gives identical bytes" cmp "$TMP/before" "$TMP/after"
rm -rf "$P"
check_rc 0 "a render from scratch" maestrino $C site
tar -C "$P" -cf - --sort=name --mtime=@0 . | sha256sum >"$TMP/scratch"
find "$P" -type f -exec touch -d @0 {} +
rm -rf "$TMP/p2"
cp -r "$P" "$TMP/p2"
check_rc 0 "and again with --all" maestrino $C site --all
check "is identical too" diff -r "$P" "$TMP/p2"

done_testing
