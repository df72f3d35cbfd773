#!/bin/sh
# Issue 17, the site: triage on the pages.  A real pipeline state (a
# fixture tree whose "broken" build fails with a hostile compiler error,
# two branch heads, tests from a pull lab on two boards: smoke.modules
# regresses on one, the boot on the other), with the triage's rows: a
# known issue of the boot on board2, log signatures of the build's error
# and of a kernel panic.  The build and test pages show the findings
# above the log, escaped; every failure shows the known issues it
# matches; regressions that match one are listed apart on the checkout
# page, the regressions page and their twins, and the regressions feed
# leaves them out; issues/ lists every issue and has a page for each;
# a changed rule re-renders only the pages its incidents touch.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
# the failing build's compiler error is hostile log text
sed -i 's|error: this build is meant to fail|error: </pre><script>alert(1)</script> breaks it|' \
    "$up/Makefile"
git -C "$up" commit -q -a -m "fixture: a hostile compiler error"
config_dir
settings_add 'retries: 0' 'site:' "  path: $TMP/public" \
    '  base_url: https://ci.example.org/' 'issues:' '  stale_days: 10'
{
	yaml_tree fix "$up" master
	yaml_x86_build
	printf '  broken:\n    arch: x86_64\n    fragments: [CONFIG_FAIL=y]\n'
	printf '    targets: [bzImage]\n'
	echo platforms:
	yaml_platform board x86-pc grub
	yaml_platform board2 x86-pc grub
	yaml_pull_lab
	printf '  local:\n    type: local\n    jobs: 4\n'
	echo tests:
	yaml_test smoke smoke farm board board2
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
P=$TMP/public
L=$top/tests/data/lava

stages() {
	check "$1: build, then hand the tests to the pull lab" sh -c "
	    maestrino $C poll && maestrino $C tarball && maestrino $C jobs &&
	    maestrino $C submit && { maestrino $C collect --wait; true; } &&
	    maestrino $C jobs && maestrino $C submit"
}
# job_of PLATFORM: the test job of the newest checkout on PLATFORM
job_of() {
	sql "SELECT id FROM job WHERE kind = 'test' AND platform = '$1' AND
	    checkout_id = (SELECT MAX(id) FROM checkout)"
}

# the first head: every test passes
stages "first checkout"
mkdir -p "$TMP/farm/results"
for p in board board2; do
	id=$(job_of $p)
	sed 's/result: fail/result: pass/' "$L/complete-results.yaml" \
	    >"$TMP/farm/results/$id.yaml"
	cp "$L/complete-log.yaml" "$TMP/farm/results/$id.log"
done
check_rc 0 "collect its results" maestrino $C collect
A=$(sql "SELECT MAX(id) FROM checkout")

# the second, with a hostile subject: smoke.modules fails on board, the
# boot on board2, whose console ends in a hostile panic
commit "$up" '</pre><script>alert(1)</script> subject'
stages "second checkout"
id=$(job_of board)
cp "$L/complete-results.yaml" "$TMP/farm/results/$id.yaml"
cp "$L/complete-log.yaml" "$TMP/farm/results/$id.log"
id=$(job_of board2)
cp "$L/bootfail-results.yaml" "$TMP/farm/results/$id.yaml"
{
	cat "$L/complete-log.yaml"
	echo '- {"dt": "2026-11-28T07:53:40.000000", "lvl": "target", "msg": "Kernel panic - not syncing: </pre><script>alert(1)</script>"}'
} >"$TMP/farm/results/$id.log"
check_rc 0 "collect its results" maestrino $C collect
B=$(sql "SELECT MAX(id) FROM checkout")
is "two checkouts" "$A $B" "1 2"
BA=$(sql "SELECT id FROM build WHERE checkout_id = $A AND config_name = 'broken'")
BB=$(sql "SELECT id FROM build WHERE checkout_id = $B AND config_name = 'broken'")
BOOT2=$(sql "SELECT t.id FROM test t JOIN build b ON b.id = t.build_id WHERE
    b.checkout_id = $B AND t.platform = 'board2' AND t.path = 'boot'")
MOD=$(sql "SELECT t.id FROM test t JOIN build b ON b.id = t.build_id WHERE
    b.checkout_id = $B AND t.platform = 'board' AND t.path = 'smoke.modules'")
is "the boot on board2 failed" "$(sql "SELECT status FROM test WHERE id = $BOOT2")" FAIL
is "the broken builds failed" "$(sql "SELECT group_concat(status) FROM build WHERE id IN ($BA, $BB)")" "FAIL,FAIL"

# the triage's rows, as triage.c writes them
SIGB=sig-00000000000000b1
SIGP=sig-00000000000000f1
SIGW=sig-00000000000000e1
now=$(sql "SELECT created FROM checkout WHERE id = $B")
old=$((now - 40 * 86400))
sql "
INSERT INTO issue (id, kind, title, report_url, culprit, version, created)
VALUES ('board2_boot', 'known', 'Boot times out on board2',
    'https://lore.example.org/r/1', 'harness', 1, $now),
    ('old-toolchain', 'known', 'The old toolchain', NULL, 'tool', 1, $old);
INSERT INTO issue (id, kind, title, culprit, finding_kind, signature, created)
VALUES ('$SIGB', 'signature', 'error: </pre><script>alert(1)</script> breaks it',
    'code', 'error', 'drivers/broken.c: error: </pre><script>alert(1)</script> breaks it', $now),
    ('$SIGP', 'signature', 'Kernel panic - not syncing: </pre><script>', 'code',
    'panic', 'Kernel panic - not syncing: </pre><script>alert(1)</script>', $now),
    ('$SIGW', 'signature', 'init/main.c: warning: unused variable', 'code',
    'warning', 'init/main.c: warning: unused variable', $now);
INSERT INTO finding (kind, ref, n, type, summary, issue_id, lines, line, file,
    file_line, count)
VALUES ('build', $BB, 0, 'warning', 'init/main.c:10:5: warning: unused variable',
    '$SIGW', 'init/main.c:10:5: warning: unused variable ''x''', 2,
    'init/main.c', 10, 1),
    ('build', $BB, 1, 'error', 'drivers/broken.c:1:1: error: </pre><script>alert(1)</script> breaks it',
    '$SIGB', 'drivers/broken.c:1:1: error: </pre><script>alert(1)</script> breaks it', 3,
    'drivers/broken.c', 1, 2),
    ('test', $BOOT2, 0, 'panic', 'Kernel panic - not syncing: </pre><script>alert(1)</script>',
    '$SIGP', 'Kernel panic - not syncing: </pre><script>alert(1)</script>' || char(10) ||
    'CPU: 0 PID: 1 Comm: swapper', 40, NULL, NULL, 1);
INSERT INTO incident (issue_id, kind, ref, issue_version, seen)
VALUES ('board2_boot', 'test', $BOOT2, 1, $now),
    ('old-toolchain', 'build', $BA, 1, $old),
    ('$SIGB', 'build', $BB, 1, $now),
    ('$SIGP', 'test', $BOOT2, 1, $now),
    ('$SIGW', 'build', $BB, 1, $now);
"

check_rc 0 "render the site" maestrino $C site
cp "$TMP/out" "$TMP/render1"
for f in issues/index.html issues/board2~5Fboot.html issues/$SIGB.html \
    issues/$SIGP.html issues/old-toolchain.html api/issues/index.json \
    api/issues/board2~5Fboot.json api/issues/$SIGB.json; do
	check "$f is there" test -s "$P/$f"
done

# the build page: findings above the log, the first error on top
BP=$P/b/$BB.html
has "the build page lists what its log says" "$BP" '<section id="findings"><h2>What the log says <small>2</small></h2>'
has "each finding's kind" "$BP" '<li id="finding-1"><span class="finding error">error</span> '
has "its summary, linked to its signature's page, escaped" "$BP" \
    "<a href=\"../issues/$SIGB.html\">drivers/broken.c:1:1: error: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; breaks it</a>"
has "where and how often" "$BP" '<small>line 3, 2 times, drivers/broken.c:1</small>'
has "its lines in a pre, escaped" "$BP" \
    '<pre class="log">drivers/broken.c:1:1: error: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; breaks it</pre>'
has "the first error under the heading" "$BP" \
    '<p class="first-error">✘ <a href="#finding-1">drivers/broken.c:1:1: error: &lt;/pre&gt;'
check "the findings come before the log excerpt" sh -c \
    "grep -n 'id=\"findings\"\\|<h2>Log excerpt' '$BP' | head -n 1 | grep -q findings"
check "the page has no hostile markup" sh -c "! grep -q '</pre><script>' '$BP'"
is "its twin has the findings" \
    "$(jq -c '[.findings[] | [.n, .kind, .issue, .line, .count, .file, .file_line]]' "$P/api/b/$BB.json")" \
    "[[0,\"warning\",\"$SIGW\",2,1,\"init/main.c\",10],[1,\"error\",\"$SIGB\",3,2,\"drivers/broken.c\",1]]"
is "and the text as it was" "$(jq -r '.findings[1].lines' "$P/api/b/$BB.json")" \
    'drivers/broken.c:1:1: error: </pre><script>alert(1)</script> breaks it'
has "a failing build shows its known issue" "$P/b/$BA.html" \
    '<span class="issue">⚑ <a href="../issues/old-toolchain.html">The old toolchain</a></span>'
is "its twin too" "$(jq -c '.issues' "$P/api/b/$BA.json")" \
    '[{"id":"old-toolchain","title":"The old toolchain","report_url":null,"page":"issues/old-toolchain.html"}]'
is "a build with none has an empty list" "$(jq -c '.issues' "$P/api/b/$BB.json")" '[]'

# the test page of the boot on board2: the panic, and its known issue
TP=$(jq -r ".tests[] | select(.id == $BOOT2) | .page" "$P/api/c/$B.json")
check "the boot on board2 has a page" test -s "$P/$TP"
has "it shows its job's findings" "$P/$TP" '<span class="finding panic">panic</span>'
has "escaped, in a pre" "$P/$TP" \
    '<pre class="log">Kernel panic - not syncing: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;
CPU: 0 PID: 1 Comm: swapper</pre>'
has "and the known issue beside the failure, linked to its report" "$P/$TP" \
    '<span class="issue">⚑ <a href="https://lore.example.org/r/1">Boot times out on board2</a> (<a href="../../../../issues/board2~5Fboot.html">board2_boot</a>)</span>'
is "its twin" "$(jq -c '[.findings_of, (.findings | length), .history[0].issues[0].id, (.history[1] | has("issues"))]' "$P/api/${TP%.html}.json")" \
    "[$BOOT2,1,\"board2_boot\",false]"
TM=$(jq -r ".tests[] | select(.id == $MOD) | .page" "$P/api/c/$B.json")
has "a failing test of another job shows its own job's findings: none" "$P/$TM" '<h2>History</h2>'
hasnt "so no findings there" "$P/$TM" 'id="findings"'
TU=$(jq -r '.tests[] | select(.path == "smoke.uname" and .platform == "board2") | .page' "$P/api/c/$B.json")
hasnt "a passing test of the panicking job shows none" "$P/$TU" 'id="findings"'

# the checkout page: marks beside failures, regressions apart
CP=$P/c/$B.html
has "the boot's row shows its known issue" "$CP" \
    '<a href="https://lore.example.org/r/1">Boot times out on board2</a> (<a href="../issues/board2~5Fboot.html">board2_boot</a>)'
has "the kinds: one new regression, one known" "$CP" \
    '<span class="kind k0">regression: 1</span>'
has "and the known one counted apart" "$CP" \
    '<a href="#known-regressions">matching known issues: 1</a>'
check "the known regression is in its own section" sh -c \
    "sed -n '/<section id=\"known-regressions\">/,/<\\/section>/p' '$CP' | grep -q 'boot (smoke) on board2'"
check "the new one is not" sh -c \
    "! sed -n '/<section id=\"known-regressions\">/,/<\\/section>/p' '$CP' | grep -q 'smoke.modules'"
check "and the changes table has the new one alone" sh -c \
    "sed -n '/<section id=\"changes\">/,/<\\/section>/p' '$CP' | grep 'regression</td>' | grep -q smoke.modules &&
    ! sed -n '/<section id=\"changes\">/,/<\\/section>/p' '$CP' | grep 'regression</td>' | grep -q 'board2'"
has "the subject is escaped" "$CP" '&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; subject'
J=$P/api/c/$B.json
is "the twin lists new regressions" "$(jq -c '[.new_regressions[] | .path]' "$J")" '["smoke.modules"]'
is "and known ones, with their issues" "$(jq -c '[.known_regressions[] | [.path, .platform, .issues[0].id]]' "$J")" \
    '[["boot","board2","board2_boot"]]'
is "changes keeps every regression, as compare does" \
    "$(jq -c '[.changes.regression[] | .path] | sort' "$J")" '["boot","smoke.modules"]'
is "the failing test carries its issues" \
    "$(jq -c ".tests[] | select(.id == $BOOT2) | .issues | map(.title)" "$J")" '["Boot times out on board2"]'
is "a result without one has no key" "$(jq -c ".tests[] | select(.id == $MOD) | has(\"issues\")" "$J")" false
check_rc 0 "results --json" maestrino $C results --json "$B"
{ cat "$J"; echo; } >"$TMP/twin"
check "is still the site's twin byte for byte" cmp "$TMP/twin" "$TMP/out"
has "the build matrix shows the known issue of A's build" "$P/c/$A.html" \
    '<a href="../issues/old-toolchain.html">The old toolchain</a>'

# the regressions page and feed
R=$P/regressions.html
check "the new regression in its section" sh -c \
    "sed -n '/<section id=\"new\">/,/<\\/section>/p' '$R' | grep -q 'smoke.modules on board'"
check "the known one in the other" sh -c \
    "sed -n '/<section id=\"known\">/,/<\\/section>/p' '$R' | grep -q 'boot (smoke) on board2.*Boot times out on board2'"
is "the twin: new ones" "$(jq -c '[.regressions[] | .path]' "$P/api/regressions.json")" '["smoke.modules"]'
is "and known ones" "$(jq -c '[.known_regressions[] | [.path, .issues[0].id]]' "$P/api/regressions.json")" \
    '[["boot","board2_boot"]]'
has "the feed announces the new one" "$P/feeds/regressions.atom" 'regression: smoke.modules on board'
hasnt "not the known one" "$P/feeds/regressions.atom" 'on board2'

# the issues
I=$P/issues/index.html
has "the nav links the issues" "$P/index.html" '<a href="issues/index.html">Issues</a>'
has "the list links each issue" "$I" '<a href="../issues/board2~5Fboot.html">Boot times out on board2</a>'
has "and its report" "$I" '<a href="https://lore.example.org/r/1">https://lore.example.org/r/1</a>'
has "signatures, escaped" "$I" \
    "<a href=\"../issues/$SIGP.html\">Kernel panic - not syncing: &lt;/pre&gt;&lt;script&gt;</a>"
has "one not seen for stale_days is maybe fixed" "$I" '<span class="stale">maybe fixed</span>'
is "the twin: every issue, its counts and flag" \
    "$(jq -c '[.issues[] | [.id, .kind, .incidents, .checkouts, .platforms, .trees, .maybe_fixed]] | sort' "$P/api/issues/index.json")" \
    "[[\"board2_boot\",\"known\",1,1,1,1,false],[\"old-toolchain\",\"known\",1,1,0,1,true],[\"$SIGB\",\"signature\",1,1,0,1,false],[\"$SIGW\",\"signature\",1,1,0,1,false],[\"$SIGP\",\"signature\",1,1,1,1,false]]"
K=$P/issues/board2~5Fboot.html
has "an issue's page: its title" "$K" '<h1>Boot times out on board2 <span class="describe">known issue</span></h1>'
has "culprit" "$K" '<dt>culprit</dt><dd>harness</dd>'
has "report" "$K" '<dd><a href="https://lore.example.org/r/1">https://lore.example.org/r/1</a></dd>'
has "where it was seen" "$K" '<dt>seen in</dt><dd>1 results, 1 checkouts, 1 platforms, 1 trees</dd>'
has "its incident links the checkout" "$K" "<a href=\"../c/$B.html\">"
has "and the test's page" "$K" "<a href=\"../$TP\">boot on board2 (x86 x86_64)</a>"
is "its twin" "$(jq -c '[.id, .culprit, .version, (.occurrences | map([.kind, .id, .checkout, .tree, .branch, .platform, .path, .status]))]' "$P/api/issues/board2~5Fboot.json")" \
    "[\"board2_boot\",\"harness\",1,[[\"test\",$BOOT2,$B,\"fix\",\"master\",\"board2\",\"boot\",\"FAIL\"]]]"
S=$P/issues/$SIGB.html
has "a signature's page: its finding kind" "$S" '<dt>finding</dt><dd>error</dd>'
has "its signature, escaped" "$S" \
    '<h2>Signature</h2>
<pre class="log">drivers/broken.c: error: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; breaks it</pre>'
has "its build's page" "$S" "<a href=\"../b/$BB.html\">build broken x86_64</a>"

# nothing hostile anywhere, valid HTML5, valid JSON
check "no page has the hostile markup" sh -c \
    "! grep -rl '<script>alert' '$P' --include='*.html' --include='*.atom'"
check "every HTML page is valid HTML5 (html5lib, strict)" /usr/bin/python3 -c '
import glob, sys, html5lib
bad = 0
for f in sorted(glob.glob(sys.argv[1] + "/**/*.html", recursive=True)):
    try:
        html5lib.HTMLParser(strict=True).parse(open(f, "rb").read())
    except Exception as e:
        print(f, e); bad += 1
sys.exit(1 if bad else 0)' "$P"
check "every JSON twin parses" /usr/bin/python3 -c '
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/api/**/*.json", recursive=True):
    json.load(open(f))' "$P"
check "every relative link of the issue pages resolves" /usr/bin/python3 -c '
import glob, os, re, sys, urllib.parse
bad = []
for f in glob.glob(sys.argv[1] + "/issues/*.html") + glob.glob(sys.argv[1] + "/c/*.html"):
    for h in re.findall(r"href=\"([^\"#]+)", open(f).read()):
        if re.match(r"[a-z]+:", h):
            continue
        p = os.path.normpath(os.path.join(os.path.dirname(f), urllib.parse.unquote(h)))
        if not os.path.exists(p):
            bad.append((f, h))
print(bad)
sys.exit(1 if bad else 0)' "$P"
is "every incident and issue marked rendered" \
    "$(sql "SELECT (SELECT COUNT(*) FROM incident WHERE site_gen < gen) + (SELECT COUNT(*) FROM issue WHERE site_gen < gen)")" 0

# incremental: nothing changed, nothing written
sleep 1
touch "$TMP/stamp"
check_rc 0 "render again" maestrino $C site
has "writing nothing" "$TMP/out" "0 checkouts rendered"
is "no file is newer" "$(find "$P" -type f -newer "$TMP/stamp" | wc -l)" 0

# a rule that changes: board2_boot now matches the failing boot of the
# first checkout's... (none failed there) -- old-toolchain now matches B's
# broken build too, at version 2: its incident is new, the issue's gen
# goes up, as the triage does it
sql "UPDATE issue SET version = 2, title = 'The old toolchain, again',
    gen = gen + 1 WHERE id = 'old-toolchain';
UPDATE incident SET issue_version = 2, gen = gen + 1 WHERE issue_id = 'old-toolchain';
INSERT INTO incident (issue_id, kind, ref, issue_version, seen)
VALUES ('old-toolchain', 'build', $BB, 2, $now);"
sleep 1
touch "$TMP/stamp"
check_rc 0 "render after the rule changed" maestrino $C site
newer=$(find "$P" -type f -newer "$TMP/stamp" | sed "s|^$P/||" | sort | tr '\n' ' ')
is "only the pages its incidents touch are written" "$newer" \
    "api/b/$BA.json api/b/$BB.json api/c/$A.json api/c/$B.json api/issues/index.json api/issues/old-toolchain.json b/$BA.html b/$BB.html c/$A.html c/$B.html issues/index.html issues/old-toolchain.html "
has "the build shows its new known issue" "$P/b/$BB.html" 'The old toolchain, again'
has "so does its checkout" "$P/c/$B.html" 'The old toolchain, again'
has "renders two checkout pages" "$TMP/out" "2 checkouts rendered"
is "marked rendered" \
    "$(sql "SELECT (SELECT COUNT(*) FROM incident WHERE site_gen < gen) + (SELECT COUNT(*) FROM issue WHERE site_gen < gen)")" 0

# a whole render gives the same bytes
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/before"
check_rc 0 "a whole render" maestrino $C site --all
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/after"
check "gives identical bytes" cmp "$TMP/before" "$TMP/after"
done_testing
