#!/bin/sh
# Issue 17, the site: triage on the pages, through the pipeline.  A
# fixture tree whose "broken" build fails with a hostile compiler
# error, two branch heads, tests from a pull lab on two boards: in the
# second head smoke.modules regresses on board, and the boot on board2
# fails with a real kernel panic whose message is made hostile.  The
# config's known issue of boots on board2 matches it.  The build and
# test pages show the triage's findings above the log, escaped; every
# failure shows the known issues it matches; regressions that match one
# are listed apart on the checkout page, the regressions page and their
# twins, and the regressions feed leaves them out; issues/ lists every
# issue and has a page for each.  A rule whose log regex changes applies
# to old results at the next collect, and the next render rewrites only
# the pages its incidents touch.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
# the failing build's compiler error is hostile log text
sed -i 's|error: this build is meant to fail|error: </pre><script>alert(1)</script> breaks it|' \
    "$up/Makefile"
git -C "$up" commit -q -a -m "fixture: a hostile compiler error"
config_dir
settings_add 'retries: 0' 'site:' "  path: $TMP/public" \
    '  base_url: https://ci.example.org/' 'issues:' '  stale_days: 2'
# rules: the config, with the known issues (TOOL_RE: old-toolchain's
# log, BOOT_TITLE: board2_boot's title)
rules() {
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
		cat <<EOF
issues:
  board2_boot:
    title: "${BOOT_TITLE:-Boot times out on board2}"
    report_url: https://lore.example.org/r/1
    culprit: harness
    match: {platform: board2, path: boot}
  old-toolchain:
    title: "The old toolchain"
    culprit: tool
    match: {build: broken, log: "${TOOL_RE:-no such line}"}
EOF
	} >"$TMP/configs/c.yaml"
}
rules
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
# lava_log FILE: a console as a LAVA log's target lines
lava_log() {
	/usr/bin/python3 - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines():
    print("- " + json.dumps({"dt": "2026-11-30T10:00:00.000000", "lvl": "target", "msg": line}))
print('- {"dt": "2026-11-30T10:00:01.000000", "lvl": "info", "msg": "end"}')
EOF
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
# boot on board2, whose console is a real panic, its message hostile
commit "$up" '</pre><script>alert(1)</script> subject'
stages "second checkout"
id=$(job_of board)
cp "$L/complete-results.yaml" "$TMP/farm/results/$id.yaml"
cp "$L/complete-log.yaml" "$TMP/farm/results/$id.log"
id=$(job_of board2)
sed 's|Requested init /nonexistent failed|</pre><script>alert(1)</script> init failed|' \
    "$top/tests/data/logsig/debian-panic-init.log" >"$TMP/panic.log"
lava_log "$TMP/panic.log" >"$TMP/farm/results/$id.log"
cat >"$TMP/farm/results/$id.yaml" <<'EOF'
- {suite: lava, name: login-action, result: fail, measurement: None, unit: ''}
- {suite: lava, name: job, result: fail, measurement: None, unit: ''}
EOF
run maestrino $C collect
has "collect triages the results" "$TMP/out" "triage:"
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
is "the triage found the build's error" \
    "$(sql "SELECT type || ' ' || file || ':' || file_line FROM finding WHERE kind = 'build' AND ref = $BB")" \
    "error drivers/broken.c:1"
is "and the panic on board2" \
    "$(sql "SELECT type FROM finding WHERE kind = 'test' AND ref = $BOOT2 AND n = 0")" panic
is "and matched the known issue" \
    "$(sql "SELECT group_concat(kind || ' ' || ref) FROM incident WHERE issue_id = 'board2_boot' AND present")" \
    "test $BOOT2"
SIGB=$(sql "SELECT issue_id FROM finding WHERE kind = 'build' AND ref = $BB")
SIGP=$(sql "SELECT issue_id FROM finding WHERE kind = 'test' AND ref = $BOOT2 AND n = 0")
LINEB=$(sql "SELECT line FROM finding WHERE kind = 'build' AND ref = $BB")

check_rc 0 "render the site" maestrino $C site
for f in issues/index.html issues/board2_boot.html issues/$SIGB.html \
    issues/$SIGP.html issues/old-toolchain.html api/issues/index.json \
    api/issues/board2_boot.json api/issues/$SIGB.json; do
	check "$f is there" test -s "$P/$f"
done

# the build page: findings above the log, the first error on top
BP=$P/b/$BB.html
has "the build page lists what its log says" "$BP" '<section id="findings"><h2>What the log says <small>1</small></h2>'
has "each finding's kind" "$BP" '<li id="finding-0"><span class="finding error">error</span> '
has "its summary, linked to its signature's page, escaped" "$BP" \
    "<a href=\"../issues/$SIGB.html\">drivers/broken.c:1: error: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; breaks it</a>"
has "where it is" "$BP" "<small>line $LINEB, drivers/broken.c:1</small>"
has "its lines in a pre, escaped" "$BP" \
    '<pre class="log">drivers/broken.c:1:1: error: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; breaks it</pre>'
has "the first error under the heading" "$BP" \
    '<p class="first-error">✘ <a href="#finding-0">drivers/broken.c:1: error: &lt;/pre&gt;'
check "the findings come before the log excerpt" sh -c \
    "grep -n 'id=\"findings\"\\|<h2>Log excerpt' '$BP' | head -n 1 | grep -q findings"
check "the page has no hostile markup" sh -c "! grep -q '</pre><script>' '$BP'"
is "its twin has the findings" \
    "$(jq -c '[.findings[] | [.n, .kind, .issue, .line, .count, .file, .file_line]]' "$P/api/b/$BB.json")" \
    "[[0,\"error\",\"$SIGB\",$LINEB,1,\"drivers/broken.c\",1]]"
is "and the text as it was" "$(jq -r '.findings[0].lines' "$P/api/b/$BB.json")" \
    'drivers/broken.c:1:1: error: </pre><script>alert(1)</script> breaks it'
is "no known issue matches the build yet" "$(jq -c '.issues' "$P/api/b/$BB.json")" '[]'
X86=$(sql "SELECT id FROM build WHERE checkout_id = $B AND config_name = 'x86'")
has "a build that passed shows its warning" "$P/b/$X86.html" '<span class="finding warning">warning</span>'
hasnt "but no first error" "$P/b/$X86.html" 'first-error'

# the test page of the boot on board2: the panic, and its known issue
TP=$(jq -r ".tests[] | select(.id == $BOOT2) | .page" "$P/api/c/$B.json")
check "the boot on board2 has a page" test -s "$P/$TP"
has "it shows its job's findings" "$P/$TP" '<span class="finding panic">panic</span>'
check "its lines in a pre, escaped" grep -q \
    '^<pre class="log">\[ *[0-9.]*\] Kernel panic - not syncing: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; init failed (error -2)\.$' \
    "$P/$TP"
has "with the call trace" "$P/$TP" ' kernel_init+0x'
has "the known issue beside the failure, linked to its report" "$P/$TP" \
    '<span class="issue">⚑ <a href="https://lore.example.org/r/1">Boot times out on board2</a> (<a href="../../../../issues/board2_boot.html">board2_boot</a>)</span>'
is "its twin" "$(jq -c '[.findings_of, (.findings | length), .findings[0].kind, .history[0].issues[0].id, (.history[1] | has("issues"))]' "$P/api/${TP%.html}.json")" \
    "[$BOOT2,$(sql "SELECT COUNT(*) FROM finding WHERE kind = 'test' AND ref = $BOOT2"),\"panic\",\"board2_boot\",false]"
TM=$(jq -r ".tests[] | select(.id == $MOD) | .page" "$P/api/c/$B.json")
is "the job of smoke.modules on board has no findings" \
    "$(sql "SELECT COUNT(*) FROM finding f JOIN test t ON t.id = f.ref WHERE f.kind = 'test' AND t.job_id = (SELECT job_id FROM test WHERE id = $MOD)")" 0
hasnt "so its page shows none" "$P/$TM" 'id="findings"'

# the checkout page: marks beside failures, regressions apart
CP=$P/c/$B.html
has "the boot's row shows its known issue" "$CP" \
    '<a href="https://lore.example.org/r/1">Boot times out on board2</a> (<a href="../issues/board2_boot.html">board2_boot</a>)'
has "the kinds: one new regression" "$CP" '<span class="kind k0">regression: 1</span>'
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
has "the list links each issue" "$I" '<a href="../issues/board2_boot.html">Boot times out on board2</a>'
has "and its report" "$I" '<a href="https://lore.example.org/r/1">https://lore.example.org/r/1</a>'
has "signatures, escaped" "$I" \
    "<a href=\"../issues/$SIGP.html\">Kernel panic - not syncing: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; init failed (error -2) in kernel_init</a>"
hasnt "nothing is maybe fixed yet" "$I" 'maybe fixed</span></td>'
SIGW=$(sql "SELECT issue_id FROM finding WHERE kind = 'build' AND ref = $X86")
is "the twin: every issue, its counts" \
    "$(jq -c '[.issues[] | [.id, .kind, .incidents, .checkouts, .platforms, .trees, .maybe_fixed]] | sort' "$P/api/issues/index.json")" \
    "$(printf '%s\n' "[\"board2_boot\",\"known\",1,1,1,1,false]" \
    "[\"old-toolchain\",\"known\",0,0,0,0,false]" \
    "[\"$SIGB\",\"signature\",2,2,0,1,false]" \
    "[\"$SIGP\",\"signature\",1,1,1,1,false]" \
    "[\"$SIGW\",\"signature\",2,2,0,1,false]" | sort | paste -sd, | sed 's/^/[/; s/$/]/')"
K=$P/issues/board2_boot.html
has "an issue's page: its title" "$K" '<h1>Boot times out on board2 <span class="describe">known issue</span></h1>'
has "culprit" "$K" '<dt>culprit</dt><dd>harness</dd>'
has "report" "$K" '<dd><a href="https://lore.example.org/r/1">https://lore.example.org/r/1</a></dd>'
has "where it was seen" "$K" '<dt>seen in</dt><dd>1 results, 1 checkouts, 1 platforms, 1 trees</dd>'
has "its incident links the checkout" "$K" "<a href=\"../c/$B.html\">"
has "and the test's page" "$K" "<a href=\"../$TP\">boot on board2 (x86 x86_64)</a>"
is "its twin" "$(jq -c '[.id, .culprit, .version, (.occurrences | map([.kind, .id, .checkout, .tree, .branch, .platform, .path, .status]))]' "$P/api/issues/board2_boot.json")" \
    "[\"board2_boot\",\"harness\",1,[[\"test\",$BOOT2,$B,\"fix\",\"master\",\"board2\",\"boot\",\"FAIL\"]]]"
has "a known issue that matches nothing says so" "$P/issues/old-toolchain.html" '<p>Nowhere now.</p>'
S=$P/issues/$SIGB.html
has "a signature's page: its finding kind" "$S" '<dt>finding</dt><dd>error</dd>'
sig=$(sql "SELECT signature FROM issue WHERE id = '$SIGB'" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
has "its signature, escaped" "$S" "<pre class=\"log\">$sig</pre>"
has "both builds it was seen in" "$S" "<a href=\"../b/$BB.html\">build broken x86_64</a>"
has "... the first one too" "$S" "<a href=\"../b/$BA.html\">build broken x86_64</a>"

# nothing hostile anywhere, valid HTML5, valid JSON, links that resolve
check "no page has the hostile markup" sh -c \
    "! grep -rl '<script>alert' '$P' --include='*.html' --include='*.atom'"
check "every HTML page is valid HTML5 (html5lib, strict)" html_valid "$P"
check "every JSON twin parses" /usr/bin/python3 -c '
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/api/**/*.json", recursive=True):
    json.load(open(f))' "$P"
check "every relative link of every page resolves" /usr/bin/python3 -c '
import glob, os, re, sys, urllib.parse
bad = []
for f in glob.glob(sys.argv[1] + "/**/*.html", recursive=True):
    for h in re.findall(r"href=\"([^\"#]+)", open(f).read()):
        if re.match(r"[a-z]+:", h):
            continue
        p = os.path.normpath(os.path.join(os.path.dirname(f), urllib.parse.unquote(h)))
        if not os.path.exists(p):
            bad.append((f, h))
print(bad[:5])
sys.exit(1 if bad else 0)' "$P"
is "every incident and issue marked rendered" \
    "$(sql "SELECT (SELECT COUNT(*) FROM incident WHERE site_gen < gen) + (SELECT COUNT(*) FROM issue WHERE site_gen < gen)")" 0

# incremental: nothing changed, nothing written
sleep 1
touch "$TMP/stamp"
check_rc 0 "render again" maestrino $C site
has "writing nothing" "$TMP/out" "0 checkouts rendered"
is "no file is newer" "$(find "$P" -type f -newer "$TMP/stamp" | wc -l)" 0

# a rule whose log regex changes: the next collect applies it to the
# failing results recorded, and the render rewrites only what it touched
TOOL_RE='breaks it' rules
check_rc 0 "collect after the rule changed" maestrino $C collect
has "applies it to the old failures" "$TMP/out" \
    "issue old-toolchain: rule changed, applied to the failing results recorded: 2 matches"
sleep 1
touch "$TMP/stamp"
check_rc 0 "render after the rule changed" maestrino $C site
has "renders two checkout pages" "$TMP/out" "2 checkouts rendered"
newer=$(find "$P" -type f -newer "$TMP/stamp" | sed "s|^$P/||" | sort | tr '\n' ' ')
is "only the pages its incidents touch are written" "$newer" \
    "api/b/$BA.json api/b/$BB.json api/c/$A.json api/c/$B.json api/issues/index.json api/issues/old-toolchain.json b/$BA.html b/$BB.html c/$A.html c/$B.html issues/index.html issues/old-toolchain.html "
has "the build shows its known issue" "$P/b/$BB.html" \
    '<td class="st fail">✘ FAIL <span class="issue">⚑ <a href="../issues/old-toolchain.html">The old toolchain</a></span></td>'
is "its twin too" "$(jq -c '.issues' "$P/api/b/$BA.json")" \
    '[{"id":"old-toolchain","title":"The old toolchain","report_url":null,"page":"issues/old-toolchain.html"}]'
has "so does its checkout's build matrix" "$P/c/$A.html" \
    '<a href="../issues/old-toolchain.html">The old toolchain</a>'
is "the issue's page lists both" "$(jq -c '[.occurrences[].id] | sort' "$P/api/issues/old-toolchain.json")" \
    "[$BA,$BB]"
is "marked rendered" \
    "$(sql "SELECT (SELECT COUNT(*) FROM incident WHERE site_gen < gen) + (SELECT COUNT(*) FROM issue WHERE site_gen < gen)")" 0

# a known issue of a test whose title changes: its test's page, its
# checkout's, the regressions and the issue's pages
BOOT_TITLE='Boot hangs on board2' TOOL_RE='breaks it' rules
check_rc 0 "collect after a title changed" maestrino $C collect
sleep 1
touch "$TMP/stamp"
check_rc 0 "render after the title changed" maestrino $C site
newer=$(find "$P" -type f -newer "$TMP/stamp" | sed "s|^$P/||" | sort | tr '\n' ' ')
is "only the pages that show it are written" "$newer" \
    "$(printf '%s\n' "api/${TP%.html}.json" "$TP" api/c/$B.json c/$B.html \
    api/issues/index.json issues/index.html api/issues/board2_boot.json \
    issues/board2_boot.html api/regressions.json regressions.html |
    sort | tr '\n' ' ')"
has "the test's page has the new title" "$P/$TP" 'Boot hangs on board2'
has "and the regressions page" "$P/regressions.html" 'Boot hangs on board2'

# not seen for stale_days (2) before the newest checkout: maybe fixed
sql "UPDATE incident SET seen = seen - 3 * 86400, gen = gen + 1 WHERE issue_id = 'board2_boot'"
check_rc 0 "render after its incident was seen earlier" maestrino $C site
has "the list says it is maybe fixed" "$I" '<span class="stale">maybe fixed</span>'
is "its twin too" "$(jq -c '[.issues[] | select(.maybe_fixed) | .id]' "$P/api/issues/index.json")" '["board2_boot"]'

# a whole render gives the same bytes
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/before"
check_rc 0 "a whole render" maestrino $C site --all
tar -C "$P" -cf - --sort=name . | sha256sum >"$TMP/after"
check "gives identical bytes" cmp "$TMP/before" "$TMP/after"
done_testing
