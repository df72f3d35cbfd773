#!/bin/sh
# Issue 16, item 5: where bisections show.  A real pipeline state (a
# fixture tree, two branch heads built on the local lab, the second's
# build made to fail, two checkouts recorded as bisection steps), then
# bisection rows written as the stage writes them: one that found its
# culprit, one still running, one not reproducible, with a hostile
# subject on a step.  The site has a page for each and a list, linked
# from the regression's rows and the step checkouts, every subject
# escaped, a JSON twin that is what `maestrino bisect --json` prints,
# entries in the tree's feed for those that ended; an incremental render
# rewrites only what changed.  The CLI lists, shows and exits 1 for
# what is not there.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
settings_add 'retries: 0' 'site:' "  path: $TMP/public" \
    '  base_url: https://ci.example.org/'
{
	yaml_tree fix "$up" master
	echo '    commit_url: https://git.example.org/fix/commit/{commit}'
	yaml_x86_build
	printf 'labs:\n  local:\n    type: local\n    jobs: 2\n'
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
P=$TMP/public
esc=$(printf '\033')

build_head() {
	check "$1: poll and build" sh -c "
	    maestrino $C poll && maestrino $C tarball && maestrino $C jobs &&
	    maestrino $C submit && maestrino $C collect --wait"
}
good=$(git -C "$up" rev-parse HEAD)
build_head "the first head"
commit "$up" "lib: tidy up" lib/a.c "int a;"
mid=$(git -C "$up" rev-parse HEAD)
commit "$up" "kbuild: break <b>it</b>" lib/a.c "int a = ;"
culprit=$(git -C "$up" rev-parse HEAD)
commit "$up" "docs: a note" Documentation/n.txt "note"
bad=$(git -C "$up" rev-parse HEAD)
build_head "the second head"
is "two branch heads" "$(sql "SELECT group_concat(id) FROM checkout")" "1,2"
# the regression: the second head's build fails
sql "UPDATE build SET status = 'FAIL', gen = gen + 1 WHERE checkout_id = 2"
B2=$(sql "SELECT id FROM build WHERE checkout_id = 2")

# two step checkouts, as the stage records them: kind 'bisect'
check_rc 0 "a checkout of the middle commit" maestrino $C checkout fix "$mid"
check_rc 0 "a checkout of the culprit" maestrino $C checkout fix "$culprit"
S1=3
S2=4
sql "UPDATE checkout SET kind = 'bisect' WHERE id IN ($S1, $S2)"
# a hostile subject on a step: markup, a newline, a terminal escape
sql "UPDATE checkout SET subject = '<script>alert(1)</script>' || char(10) ||
    'evil' || char(27) || '[2J' WHERE id = $S1"

now=1735700000
sql "
INSERT INTO bisection (id, tree, branch, build, good_checkout, bad_checkout,
    good, bad, state, outcome, reason, culprit, confirm, verify, revert,
    created, updated, finished)
VALUES (1, 'fix', 'master', 'x86', 1, 2, '$good', '$bad', 'done', 'found',
    'the culprit fails, its parent passes, its revert passes', '$culprit',
    'pass', 'pass', 'pass', $now, $now, $((now + 600)));
INSERT INTO bisection_step (bisection_id, n, role, commit_hash, left_count,
    checkout_id, result, created, finished) VALUES
    (1, 1, 'confirm-good', '$good', NULL, NULL, 'good', $now, $now),
    (1, 2, 'confirm-bad', '$bad', NULL, NULL, 'bad', $now, $now),
    (1, 3, 'step', '$mid', 3, $S1, 'good', $now, $now),
    (1, 4, 'verify-culprit', '$culprit', NULL, $S2, 'bad', $now, $now),
    (1, 5, 'revert', '$bad', NULL, NULL, 'good', $now, $now);
INSERT INTO bisection_result (bisection_id, kind, ref) VALUES (1, 'build', $B2);
INSERT INTO bisection (id, tree, branch, build, test, platform, path, good,
    bad, state, confirm, manual, created, updated)
VALUES (2, 'fix', 'master', 'x86', 'smoke', 'board', 'boot', '$good',
    '$bad', 'bisect', 'pass', 1, $((now + 10)), $((now + 10)));
INSERT INTO bisection_step (bisection_id, n, role, commit_hash, left_count,
    created) VALUES (2, 1, 'step', '$mid', 3, $now);
INSERT INTO bisection (id, tree, branch, build, test, platform, path, good,
    bad, state, outcome, reason, confirm, created, updated, finished)
VALUES (3, 'fix', 'master', 'x86', 'smoke', 'board', 'smoke.modules',
    '$good', '$bad', 'done', 'not-reproducible',
    'good failed again: the result is flaky', 'fail', $((now + 20)),
    $((now + 20)), $((now + 900)));
"

check_rc 0 "render the site" maestrino $C site
for f in bisect/index.html bisect/1.html bisect/2.html bisect/3.html \
    api/bisect/index.json api/bisect/1.json api/bisect/2.json \
    api/bisect/3.json; do
	check "$f is there" test -s "$P/$f"
done
has "the nav links to the bisections" "$P/index.html" 'href="bisect/index.html">Bisections</a>'
has "the list links each bisection" "$P/bisect/index.html" '<a href="../bisect/1.html">1</a>'
has "and tells how it ended" "$P/bisect/index.html" '<span class="bisect not-reproducible">not-reproducible</span>'
has "and the culprit" "$P/bisect/index.html" "<code>$(echo "$culprit" | cut -c1-12)</code> kbuild: break &lt;b&gt;it&lt;/b&gt;"
# newest first: 3, 2, 1
is "the list is newest first" \
    "$(grep -o '<a href="../bisect/[0-9]*\.html">' "$P/bisect/index.html" | tr -dc '0-9')" "321"

B=$P/bisect/1.html
has "the page links the good checkout" "$B" "<a href=\"../c/1.html\">$good</a>"
has "and the bad one" "$B" "<a href=\"../c/2.html\">$bad</a>"
has "and the build that regressed" "$B" "<a href=\"../b/$B2.html\">"
has "each step links its checkout" "$B" "<a href=\"../c/$S1.html\">$S1</a>"
has "with the candidates left" "$B" '<td class="num">3</td>'
has "the culprit links to commit_url" "$B" "<a href=\"https://git.example.org/fix/commit/$culprit\">$culprit</a>"
has "with its subject, escaped" "$B" '<dd class="subject">kbuild: break &lt;b&gt;it&lt;/b&gt;</dd>'
has "and its author" "$B" '<dd>Test Author</dd>'
has "the checks" "$B" '<td class="check pass">pass</td>'
has "the outcome with its reason" "$B" 'found — the culprit fails'
has "the hostile subject is escaped" "$B" '&lt;script&gt;alert(1)&lt;/script&gt;'
check "no page has the hostile markup" sh -c \
    "! grep -rl '<script>alert' '$P' --include='*.html' --include='*.atom'"
check "nor its terminal escape" sh -c "! grep -rl '$esc' '$P' --include='*.html'"
has "a running one says so" "$P/bisect/2.html" '<span class="bisect bisect">bisect</span>'
has "with its running step" "$P/bisect/2.html" '<td class="step running">running</td>'
has "and no culprit yet" "$P/bisect/2.html" 'None found yet.'
has "a test bisection names path and platform" "$P/bisect/3.html" 'smoke.modules on board'
has "a check that failed" "$P/bisect/3.html" '<td class="check fail">fail</td>'
has "and checks not reached" "$P/bisect/3.html" '<td class="check none">not reached</td>'

# the regression's rows link to its bisection
check "the bad checkout's regression row links it" \
    grep -q 'regression</td><td>build</td>.*<a href="../bisect/1.html">bisection 1</a>' "$P/c/2.html"
has "the bad checkout says it is bisected" "$P/c/2.html" \
    'Its regressions are bisected in <a href="../bisect/1.html">bisection 1</a>'
is "its twin names the bisection on the change" \
    "$(jq -c '[.changes.regression[].bisection]' "$P/api/c/2.json")" "[1]"
has "a step checkout says it is a step" "$P/c/$S1.html" \
    'A bisection step of <a href="../bisect/1.html">bisection 1</a>: step 3, step, good'
is "its twin too" "$(jq -c '.bisections' "$P/api/c/$S1.json")" \
    '[{"id":1,"status":"found","as":"step","step":3,"role":"step","result":"good"}]'
check "the regressions page links the bisection" \
    grep -q '<a href="bisect/1.html">bisection 1</a>' "$P/regressions.html"
is "and its twin" "$(jq -c '[.regressions[].bisection]' "$P/api/regressions.json")" "[1]"
is "step checkouts stay out of the branch history" \
    "$(jq -c '[.checkouts[].id]' "$P/api/t/fix/master.json")" "[2,1]"

# the tree's feed: the two that ended, not the running one
F=$P/feeds/fix.atom
has "the feed has the found one" "$F" '<id>urn:maestrino:bisection:1</id>'
has "with its culprit" "$F" "bisection 1: found $(echo "$culprit" | cut -c1-12) kbuild: break &lt;b&gt;it&lt;/b&gt;"
has "linked" "$F" '<link href="https://ci.example.org/bisect/1.html"/>'
has "and the one that was not reproducible" "$F" '<id>urn:maestrino:bisection:3</id>'
hasnt "not the running one" "$F" 'urn:maestrino:bisection:2<'
check "the feed is well-formed XML" python3 -c \
    "import xml.dom.minidom, sys; xml.dom.minidom.parse(sys.argv[1])" "$F"

# the CLI
check_rc 0 "bisect lists them" maestrino $C bisect
is "one line each, newest first" "$(sed 1d "$TMP/out" | cut -d' ' -f1 | tr '\n' ' ')" "3 2 1 "
has "with the status" "$TMP/out" "not-reproducible"
has "the culprit and its subject" "$TMP/out" "$(echo "$culprit" | cut -c1-12) kbuild: break <b>it</b>"
check_rc 0 "--tree fix" maestrino $C bisect --tree fix
is "lists the same" "$(sed 1d "$TMP/out" | wc -l)" 3
check_rc 1 "--tree of an unknown tree exits 1" maestrino $C bisect --tree nope
has "naming it" "$TMP/out" "unknown tree 'nope'"
check_rc 1 "an unknown bisection exits 1" maestrino $C bisect 99
has "naming it" "$TMP/out" "no bisection 99"
check_rc 2 "an id that is no number is a usage error" maestrino $C bisect x1
check_rc 2 "two ids are a usage error" maestrino $C bisect 1 2
check_rc 0 "bisect 1 shows one" maestrino $C bisect 1
cp "$TMP/out" "$TMP/one"
has "its status" "$TMP/one" "bisection 1: found"
has "the culprit" "$TMP/one" "culprit      $culprit"
has "its subject" "$TMP/one" "subject      kbuild: break <b>it</b>"
has "its author" "$TMP/one" "author       Test Author"
has "its link" "$TMP/one" "link         https://git.example.org/fix/commit/$culprit"
has "the checks" "$TMP/one" "checks       confirm pass, verify pass, revert pass"
has "the reason" "$TMP/one" "reason       the culprit fails"
has "the regressed build" "$TMP/one" "regressed    build $B2"
has "each step with its checkout" "$TMP/one" "    3  step            $(echo "$mid" | cut -c1-12)  good            $S1      3  "
has "the hostile subject made visible" "$TMP/one" '<script>alert(1)</script>\nevil\x1b[2J'
hasnt "with no raw escape" "$TMP/one" "$esc"

# --json: the shape, full ids, the site's twins
check_rc 0 "bisect --json" maestrino $C bisect --json
cp "$TMP/out" "$TMP/all.json"
is "the keys of each" "$(jq -c '[.bisections[] | has("id", "tree", "branch",
    "build", "platform", "path", "good", "bad", "status", "culprit",
    "steps", "checks")] | all' "$TMP/all.json")" true
is "the statuses" "$(jq -r '[.bisections[].status] | join(" ")' "$TMP/all.json")" \
    "not-reproducible bisect found"
is "full commit ids" "$(jq -r '.bisections[2] | [.good, .bad, .culprit,
    .steps[].commit] | map(length) | unique | join(" ")' "$TMP/all.json")" 40
is "good and bad" "$(jq -r '.bisections[2] | "\(.good) \(.bad) \(.culprit)"' \
    "$TMP/all.json")" "$good $bad $culprit"
is "steps are commit and result" "$(jq -c '.bisections[2].steps[2] |
    {commit, result}' "$TMP/all.json")" "{\"commit\":\"$mid\",\"result\":\"good\"}"
is "the checks" "$(jq -c '.bisections[2].checks' "$TMP/all.json")" \
    '{"confirm":"pass","verify":"pass","revert":"pass"}'
is "null for what a build bisection has not" \
    "$(jq -c '.bisections[2] | [.platform, .path, .test]' "$TMP/all.json")" \
    '[null,null,null]'
is "null for a culprit not found and checks not reached" \
    "$(jq -c '.bisections[1] | [.culprit, .checks.verify, .checks.revert, .good_checkout]' \
    "$TMP/all.json")" '[null,null,null,null]'
is "a running step's result is null" \
    "$(jq -c '.bisections[1].steps[0].result' "$TMP/all.json")" null
{ cat "$P/api/bisect/index.json"; echo; } >"$TMP/twin"
check "bisect --json is api/bisect/index.json byte for byte" cmp "$TMP/twin" "$TMP/all.json"
for n in 1 2 3; do
	maestrino $C bisect --json $n >"$TMP/one.json" 2>/dev/null
	is "bisect --json $n is one element" "$(jq '.bisections | length' "$TMP/one.json")" 1
	is "and api/bisect/$n.json" "$(jq -c '.bisections[0]' "$TMP/one.json")" \
	    "$(jq -c . "$P/api/bisect/$n.json")"
done
check_rc 0 "--tree with --json" maestrino $C bisect --tree fix --json
is "the same three" "$(jq '.bisections | length' "$TMP/out")" 3

# incremental: nothing changed, nothing written
sleep 1
touch "$TMP/stamp"
check_rc 0 "render again" maestrino $C site
has "writing nothing" "$TMP/out" ", 0 written"
is "no file is newer" "$(find "$P" -type f -newer "$TMP/stamp" | wc -l)" 0
is "every bisection marked rendered" \
    "$(sql "SELECT COUNT(*) FROM bisection WHERE site_gen < gen")" 0
# a bisection that moves on: its page and twin change, the others stay
sql "UPDATE bisection SET state = 'verify', culprit = '$culprit',
    verify = 'pending', gen = gen + 1 WHERE id = 2"
check_rc 0 "render after bisection 2 moved on" maestrino $C site
newer=$(find "$P" -type f -newer "$TMP/stamp" | sed "s|^$P/||" | sort | tr '\n' ' ')
case " $newer " in
*" bisect/2.html "*" api/bisect/2.json "* | *" api/bisect/2.json "*" bisect/2.html "*) ok "its page and twin are written" ;;
*) not_ok "its page and twin are written" "written: $newer" ;;
esac
case " $newer " in
*" bisect/1.html "* | *" bisect/3.html "*) not_ok "the others are not" "written: $newer" ;;
*) ok "the others are not" ;;
esac
has "the page shows the new state" "$P/bisect/2.html" '<span class="bisect verify">verify</span>'
has "the list too" "$P/bisect/index.html" '<span class="bisect verify">verify</span>'
is "marked again" "$(sql "SELECT site_gen = gen FROM bisection WHERE id = 2")" 1

# a whole render writes the same bytes
cp -r "$P" "$TMP/before"
check_rc 0 "a whole render" maestrino $C site --all
check "gives the same bisection pages" diff -r "$TMP/before/bisect" "$P/bisect"

# a bisection of a whole test plan (bisect start --test without --path)
# is named by its test, not taken for a build's
sql "UPDATE bisection SET path = '', gen = gen + 1 WHERE id = 2"
check_rc 0 "render it" maestrino $C site
has "its page names the test plan" "$P/bisect/2.html" 'smoke on board'
check_rc 0 "and the CLI" maestrino $C bisect 2
has "... names it too" "$TMP/out" "smoke on board (x86)"
done_testing
