#!/bin/sh
# Issue 15, items 2, 3 and 6: `results`, `compare`, `show` and `log` on
# results made by the stages (a fixture tree, builds on the local
# runtime, one failing; tests from a pull lab), with a regression
# between two checkouts of the branch: the JSON is the site's twin byte
# for byte, the text names each failure with its log, the filters are
# the site's, compare agrees with the site's changes, logs come from
# storage, every error names what it could not find.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
settings_add 'retries: 0' 'site:' "  path: $TMP/public"
{
	yaml_tree fix "$up" master
	yaml_x86_build
	printf '  broken:\n    arch: x86_64\n    fragments: [CONFIG_FAIL=y]\n'
	printf '    targets: [bzImage]\n'
	echo platforms:
	yaml_platform board x86-pc grub
	yaml_pull_lab
	printf '  local:\n    type: local\n    jobs: 4\n'
	echo tests:
	yaml_test smoke smoke farm board
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
P=$TMP/public
esc=$(printf '\033')

# a database with no checkout yet: nothing to summarise is "not found"
maestrino $C site >/dev/null 2>&1
check_rc 1 "results before any checkout" maestrino $C results
has "saying there is none yet" "$TMP/out" "no head checkout yet"

# one checkout through the stages: every test passes there
stages() {
	check "$1: build, then hand the test to the pull lab" sh -c "
	    maestrino $C poll && maestrino $C tarball && maestrino $C jobs &&
	    maestrino $C submit && { maestrino $C collect --wait; true; } &&
	    maestrino $C jobs && maestrino $C submit"
}
stages "first checkout"
id=$(job_on board)
mkdir -p "$TMP/farm/results"
sed 's/result: fail/result: pass/' "$top/tests/data/lava/complete-results.yaml" \
    >"$TMP/farm/results/$id.yaml"
cp "$top/tests/data/lava/complete-log.yaml" "$TMP/farm/results/$id.log"
check_rc 0 "collect its results" maestrino $C collect
A=$(sql "SELECT MAX(id) FROM checkout")

# a second one with a hostile subject: smoke.modules regresses
commit "$up" "$(printf 'fix \033]0;pwned\007 it \033[2J')"
stages "second checkout"
id=$(sql "SELECT id FROM job WHERE kind = 'test' AND checkout_id = (SELECT MAX(id) FROM checkout)")
cp "$top/tests/data/lava/complete-results.yaml" "$TMP/farm/results/$id.yaml"
cp "$top/tests/data/lava/complete-log.yaml" "$TMP/farm/results/$id.log"
check_rc 0 "collect its results" maestrino $C collect
B=$(sql "SELECT MAX(id) FROM checkout")
is "two checkouts of the branch" "$A $B" "1 2"
TJOB=$id
BJOB=$(sql "SELECT job_id FROM build WHERE checkout_id = $B AND config_name = 'broken'")
BROKEN=$(sql "SELECT id FROM build WHERE job_id = '$BJOB'")
check_rc 0 "render the site" maestrino $C site

# results --json: the site's twin
for n in $A $B; do
	check_rc 0 "results --json $n" maestrino $C results --json $n
	{ cat "$P/api/c/$n.json"; echo; } >"$TMP/twin"
	maestrino $C results --json $n >"$TMP/json" 2>/dev/null
	check "is the site's api/c/$n.json byte for byte" cmp "$TMP/twin" "$TMP/json"
done

# results in text
check_rc 0 "results of the latest checkout, with no argument" \
    maestrino $C results
cp "$TMP/out" "$TMP/text"
has "names it" "$TMP/text" "checkout $B: fix/master"
has "counts the builds" "$TMP/text" "builds       2   PASS 1   FAIL 1"
has "counts the boots" "$TMP/text" "boots        1   PASS 1"
has "counts the tests" "$TMP/text" "tests        6   PASS 5   FAIL 1"
has "lists the failing build" "$TMP/text" "FAIL  build broken x86_64"
LOG=$(sql "SELECT log_url FROM build WHERE id = $BROKEN")
has "with its log" "$TMP/text" "log: $LOG"
has "and the failing test" "$TMP/text" "FAIL  test  smoke.modules on board (x86 x86_64)"
TLOG=$(sql "SELECT log_url FROM test WHERE job_id = '$TJOB' AND path = 'smoke.modules'")
has "with its log" "$TMP/text" "log: $TLOG"
hasnt "no escape byte reaches the terminal" "$TMP/text" "$esc"
has "the subject is shown safely" "$TMP/text" 'fix \x1b]0;pwned\x07 it \x1b[2J'
maestrino $C results "$B" >"$TMP/text2" 2>&1
check "the same as results $B" cmp "$TMP/text" "$TMP/text2"
maestrino $C results --tree fix --branch master >"$TMP/text2" 2>&1
check "and as results --tree fix --branch master" cmp "$TMP/text" "$TMP/text2"
check_rc 0 "results of the first checkout" maestrino $C results "$A"
has "has no failing test" "$TMP/out" "tests        6   PASS 6"

# filters, as the site's form
check_rc 0 "results --status fail" maestrino $C results --status fail
has "keeps the failing build" "$TMP/out" "builds       1   FAIL 1"
has "and the failing test" "$TMP/out" "tests        1   FAIL 1"
has "says it is filtered" "$TMP/out" "filter   status=fail"
check_rc 0 "results --path smoke.mod" maestrino $C results --path smoke.mod
has "keeps that test" "$TMP/out" "tests        1   FAIL 1"
has "and no build (a build has no path)" "$TMP/out" "builds       0"
has "nor boot" "$TMP/out" "boots        0"
check_rc 0 "results --platform nowhere" maestrino $C results --platform nowhere
has "keeps nothing" "$TMP/out" "tests        0"
has "and says so" "$TMP/out" "no failures"
check_rc 0 "results --arch x86_64 --status PASS --json" \
    maestrino $C results --arch x86_64 --status PASS --json
check "filters the twin's builds and tests, and nothing else" /usr/bin/python3 -c '
import json, sys
full = json.load(open(sys.argv[1]))
got = json.loads(open(sys.argv[2]).read())
assert [b["id"] for b in got["builds"]] == [b["id"] for b in full["builds"] if b["status"] == "PASS"], got["builds"]
assert [t["id"] for t in got["tests"]] == [t["id"] for t in full["tests"] if t["status"] == "PASS"]
assert len(got["tests"]) == 6, len(got["tests"])
for k in full:
    if k not in ("builds", "tests"):
        assert got[k] == full[k], k
assert list(got) == list(full)' "$P/api/c/$B.json" "$TMP/out"
check_rc 0 "results --path modules --json" maestrino $C results --path modules --json
is "keeps smoke.modules alone" "$(/usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d["builds"]), [t["path"] for t in d["tests"]])' <"$TMP/out")" \
    "0 ['smoke.modules']"

# compare, against the site's changes
check_rc 0 "compare $A $B --json" maestrino $C compare --json "$A" "$B"
cp "$TMP/out" "$TMP/cmp.json"
check "agrees with the changes on the site's twin of $B" /usr/bin/python3 -c '
import json, sys
site = json.load(open(sys.argv[1]))["changes"]
got = json.load(open(sys.argv[2]))
assert got["from"] == int(sys.argv[3]) and got["to"] == int(sys.argv[4]), got
keys = ["regression", "unstable", "new_failure", "fixed", "still_failing",
    "new_pass", "appeared", "disappeared"]
assert list(got["changes"]) == keys, list(got["changes"])
for k in keys:
    mine = sorted((e["kind"], e["path"] or "", e["config"], e["arch"],
        e["platform"] or "", e["from"], e["to"]) for e in got["changes"][k])
    theirs = sorted((e["what"], e.get("path") or "", e["config"], e["arch"],
        e.get("platform") or "", e["before"], e["now"])
        for e in site[k.replace("_", " ")])
    assert mine == theirs, (k, mine, theirs)
assert [e["path"] for e in got["changes"]["regression"]] == ["smoke.modules"]
e = got["changes"]["regression"][0]
assert (e["kind"], e["from"], e["to"], e["platform"]) == ("test", "PASS", "FAIL", "board"), e
assert [e["config"] for e in got["changes"]["still_failing"]] == ["broken"]
' "$P/api/c/$B.json" "$TMP/cmp.json" "$A" "$B"
check_rc 0 "compare $A $B" maestrino $C compare "$A" "$B"
has "text: the kinds with their counts" "$TMP/out" "regression: 1"
has "and each change" "$TMP/out" "test  smoke.modules on board (x86 x86_64)  PASS -> FAIL"
has "the build that still fails" "$TMP/out" "still failing: 1"
hasnt "no escape byte" "$TMP/out" "$esc"
check_rc 0 "compare $B $A, the other way round" maestrino $C compare --json "$B" "$A"
is "a fix" "$(/usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print([e["path"] for e in d["changes"]["fixed"]], d["changes"]["regression"])' <"$TMP/out")" \
    "['smoke.modules'] []"

# show
check_rc 0 "show build $BROKEN" maestrino $C show build "$BROKEN"
has "its status" "$TMP/out" "status       FAIL"
has "its log" "$TMP/out" "log          $LOG"
has "its job" "$TMP/out" "job          $BJOB"
has "its excerpt" "$TMP/out" "this build is meant to fail"
check_rc 0 "show build --json" maestrino $C show build "$BROKEN" --json
is "the fields" "$(/usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["id"], d["checkout"], d["config"], d["arch"], d["status"], d["log_url"] == sys.argv[1], "log" in d["artifacts"])' "$LOG" <"$TMP/out")" \
    "$BROKEN $B broken x86_64 FAIL True True"
T=$(sql "SELECT id FROM test WHERE job_id = '$TJOB' AND path = 'smoke.modules'")
check_rc 0 "show test $T --json" maestrino $C show test "$T" --json
is "the fields" "$(/usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["path"], d["platform"], d["status"], d["job"], d["log_url"] == sys.argv[1])' "$TLOG" <"$TMP/out")" \
    "smoke.modules board FAIL $TJOB True"
check_rc 0 "show test $T" maestrino $C show test "$T"
has "its path" "$TMP/out" "path         smoke.modules"
sql "UPDATE test SET log_excerpt = 'boot' || char(10) || 'x ' || char(27) || '[2J y' WHERE id = $T"
check_rc 0 "show test with a hostile excerpt" maestrino $C show test "$T"
has "shows it" "$TMP/out" 'x \x1b[2J y'
hasnt "sends no escape byte" "$TMP/out" "$esc"
check_rc 0 "show job $TJOB" maestrino $C show job "$TJOB"
has "its kind" "$TMP/out" "kind         test"
has "its lab" "$TMP/out" "runtime      farm"
has "its state" "$TMP/out" "state        done"
check_rc 0 "show job --json" maestrino $C show job "$BJOB" --json
is "a build job's fields" "$(/usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["kind"], d["build"], d["state"], d["attempt"], d["result"], d["retry_of"])' <"$TMP/out")" \
    "kbuild $BROKEN done 1 fail None"

# log
check_rc 0 "log of the failing build" maestrino $C log "$BJOB"
F=$TMP/var/storage/builds/$BJOB/build.log
check "is the stored build.log" cmp "$F" "$TMP/out"
check_rc 0 "log of the test job" maestrino $C log "$TJOB"
check "is the stored LAVA log" cmp "$TMP/var/storage/tests/$TJOB/lava.log" "$TMP/out"
printf 'a \033[2J b\tc\n' >>"$F"
maestrino $C log "$BJOB" >"$TMP/piped" 2>&1
check "piped, the bytes as stored" cmp "$F" "$TMP/piped"
if command -v script >/dev/null; then
	script -qec "maestrino $C log $BJOB" /dev/null >"$TMP/tty" 2>&1
	hasnt "on a terminal, no escape byte" "$TMP/tty" "$esc"
	has "it is shown instead" "$TMP/tty" 'a \x1b[2J b'
	has "and the build's lines are kept" "$TMP/tty" "this build is meant to fail"
fi

# errors, each with its exit status and naming what it is about
check_rc 1 "results of an unknown checkout" maestrino $C results 999
has "names it" "$TMP/out" "no checkout 999"
check_rc 1 "results --json of an unknown checkout" maestrino $C results --json 999
has "names it" "$TMP/out" "no checkout 999"
check_rc 1 "results of an unknown tree" maestrino $C results --tree nosuch
has "names it" "$TMP/out" "no tree 'nosuch'"
check_rc 1 "results of an unknown branch" maestrino $C results --tree fix --branch nosuch
has "names it" "$TMP/out" "no head checkout of fix/nosuch"
check_rc 2 "results --branch without --tree" maestrino $C results --branch master
has "says so" "$TMP/out" "--branch 'master' needs --tree"
check_rc 2 "results with a checkout and --tree" maestrino $C results 1 --tree fix
check_rc 2 "results of a checkout that is not a number" maestrino $C results x1
has "names it" "$TMP/out" "'x1' is not a checkout id"
check_rc 2 "results with an unknown option" maestrino $C results --nosuch
check_rc 0 "results -h" maestrino results -h
has "prints its usage" "$TMP/out" "usage: maestrino results"
check_rc 1 "compare with an unknown checkout" maestrino $C compare "$A" 77
has "names it" "$TMP/out" "no checkout 77"
check_rc 2 "compare with one checkout" maestrino $C compare "$A"
check_rc 1 "show of an unknown build" maestrino $C show build 999
has "names it" "$TMP/out" "no build 999"
check_rc 1 "show of an unknown test" maestrino $C show test 999
has "names it" "$TMP/out" "no test 999"
check_rc 1 "show of an unknown job" maestrino $C show job nosuch-job
has "names it" "$TMP/out" "no job 'nosuch-job'"
check_rc 2 "show of an unknown kind of object" maestrino $C show checkout 1
has "names it" "$TMP/out" "unknown kind of object 'checkout'"
check_rc 2 "show without an id" maestrino $C show build
check_rc 1 "log of an unknown job" maestrino $C log nosuch-job
has "names it" "$TMP/out" "no job 'nosuch-job'"
check_rc 2 "log without a job" maestrino $C log
rm "$F"
check_rc 1 "log gone from storage" maestrino $C log "$BJOB"
has "names the file" "$TMP/out" "gone from storage: $TMP/var/storage/builds/$BJOB/build.log"
sql "UPDATE build SET log_url = 'https://elsewhere.example/b.log' WHERE id = $BROKEN"
check_rc 1 "log elsewhere" maestrino $C log "$BJOB"
has "says where it is" "$TMP/out" "not in local storage"
has "names its URL" "$TMP/out" "https://elsewhere.example/b.log"
sql "UPDATE build SET log_url = NULL WHERE id = $BROKEN"
check_rc 1 "no log recorded" maestrino $C log "$BJOB"
has "says so" "$TMP/out" "job '$BJOB' has no log recorded"

# a second branch: results needs to be told which
sql "INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject, message, commit_time, created) SELECT tree, 'stable', url, commit_hash, describe, subject, message, commit_time, created FROM checkout WHERE id = $A"
sql "INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject, message, commit_time, created, kind) SELECT tree, branch, url, commit_hash, describe, 'on demand', message, commit_time, created, 'ondemand' FROM checkout WHERE id = $A"
check_rc 0 "results --tree fix --branch master after an on-demand checkout" \
    maestrino $C results --tree fix --branch master
has "is still the latest head checkout" "$TMP/out" "checkout $B: fix/master"
check_rc 2 "results with two branches and no argument" maestrino $C results
has "asks for one, naming them" "$TMP/out" "fix/master, fix/stable"
check_rc 2 "results --tree with two branches" maestrino $C results --tree fix
has "asks for --branch" "$TMP/out" "name one with --branch"
check_rc 0 "results --tree fix --branch stable" maestrino $C results --tree fix --branch stable
has "is that one" "$TMP/out" "fix/stable"
rm "$TMP/var/state.db"
check_rc 1 "results with no database" maestrino $C results 1
has "says so" "$TMP/out" "no state database"

done_testing
