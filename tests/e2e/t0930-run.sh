#!/bin/sh
# maestrino run as it is left to run unattended: the per-stage summaries
# and one total line, the worst exit code, --budget (and
# settings.budget), the data-dir lock, workflow annotations, and
# scripts/cron.sh with its logs, rotation and exit codes.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"

config_dir
settings_add 'site:' "  path: $TMP/var/site"
# config [gone] [slow]: the fixture tree and one build, and with "gone" a
# tree that cannot be fetched, with "slow" a build that hangs
config() {
	{
		yaml_tree fix "$up" master
		case " $* " in *" gone "*)
			yaml_tree_entry gone "$TMP/no-such-repo" master
		esac
		echo "labs:"
		echo "  local: {type: local, jobs: 2}"
		yaml_x86_build
		case " $* " in *" slow "*)
			echo "  slow: {arch: x86_64, targets: [bzImage], fragments: [CONFIG_SLEEP=y]}"
		esac
	} >"$TMP/configs/c.yaml"
}
config
C="-c $TMP/configs"

check_rc 2 "--budget 0 is refused" maestrino $C run --budget 0
has "with a clear message" "$TMP/out" "--budget wants minutes"
check_rc 2 "--budget abc is refused" maestrino $C run --budget abc
check "run --help shows --budget" sh -c "maestrino run --help | grep -q -- --budget"

check_rc 0 "a run" maestrino $C run --wait
for s in poll tarball jobs submit collect bisect kcidb site; do
	has "the $s summary line" "$TMP/out" "maestrino-$s: "
done
has "one total line last" "$TMP/out" "maestrino: run finished in"
is "and it is the last line" \
    "$(tail -n 1 "$TMP/out" | sed 's/ in [^:]*:/ in T:/')" \
    "maestrino: run finished in T: 13 stages, none failed; jobs left: 0 pending, 0 to retry, 0 running; exit 0"

# a spent budget: nothing new starts, what is known is still reported
commit "$up" "second" NEWS "2"
check_rc 0 "a run whose budget is already spent" \
    maestrino $C run --wait --budget 0.001
has "says so" "$TMP/out" "budget spent: starting no new work"
has "skips the stages that start work" "$TMP/out" \
    "skipped for the budget: poll, tarball, jobs, submit"
hasnt "so the new commit is not polled" "$TMP/out" "maestrino-poll:"
has "but still reports" "$TMP/out" "maestrino-kcidb:"
has "and renders" "$TMP/out" "maestrino-site:"
is "one checkout still" "$(sql 'SELECT count(*) FROM checkout')" 1

# a budget that runs out while a build is running: the run stops waiting
config slow
start=$(date +%s)
check_rc 1 "a run with a 3 s budget and a build that hangs: exit 1" \
    maestrino $C run --wait --budget 0.05
took=$(( $(date +%s) - start ))
test "$took" -lt 30 && ok "stops waiting when the budget is spent (${took}s)" ||
    not_ok "stops waiting when the budget is spent" "took ${took}s"
has "leaves the build running for the next run" "$TMP/out" \
    "left running for the next run"
has "and the total line says what is not done" "$TMP/out" \
    "1 running (this machine's not all done); exit 1"
is "the hung build is still running" \
    "$(sql "SELECT state FROM job WHERE config_name = 'slow' AND checkout_id = 2")" \
    running
has "the second checkout's other build was collected" "$TMP/out" \
    "job b2-x86: PASS"
pid=$(sql "SELECT runtime_job_id FROM job WHERE config_name = 'slow' AND checkout_id = 2")
pkill -KILL -s "$pid"
config
# forget the hung job, or later runs would try it again
sql "DELETE FROM build WHERE job_id IN (SELECT id FROM job WHERE config_name = 'slow');
    DELETE FROM job WHERE config_name = 'slow'"

# settings.budget is the default
sed -i 's/^  origin: test$/  origin: test\n  budget: 5/' "$TMP/configs/settings.yaml"
check_rc 0 "settings.budget" maestrino $C run
has "is the default budget" "$TMP/out" "budget: 5 min; no new work after"
sed -i '/^  budget: 5$/d' "$TMP/configs/settings.yaml"

# the worst exit code wins, and the total names the stage
config gone
check_rc 1 "a tree that cannot be fetched: exit 1" maestrino $C run
has "the total names the stage" "$TMP/out" "failed: poll exit 1;"
GITHUB_ACTIONS=true maestrino $C run >"$TMP/out" 2>&1
has "on GitHub Actions, errors are annotations" "$TMP/out" "::error"

# cron.sh
cron=$top/scripts/cron.sh
check "cron.sh --help" sh -c "'$cron' -h | grep -q 'usage: scripts/cron.sh'"
config
commit "$up" "third" NEWS "3"
# cron's environment: next to nothing
env -i HOME="$TMP/home" /bin/sh "$cron" -c "$TMP/configs" -- --wait \
    >"$TMP/cron.out" 2>&1
is "cron.sh: exit 0" "$?" 0
is "cron.sh: silent when all is well" "$(cat "$TMP/cron.out")" ""
check "cron.sh: a log under <data_dir>/logs" test -L "$TMP/var/logs/latest.log"
has "cron.sh: the log has the run" "$TMP/var/logs/latest.log" \
    "maestrino: run finished in"
has "cron.sh: the run found the toolchain on its PATH" \
    "$TMP/var/logs/latest.log" "maestrino-collect: 1 finished"
for _ in 1 2 3; do
	env -i HOME="$TMP/home" /bin/sh "$cron" -c "$TMP/configs" -k 2 \
	    >/dev/null 2>&1
done
is "cron.sh: keeps the newest -k logs" \
    "$(find "$TMP/var/logs" -name 'run-*' | wc -l)" 2
check "cron.sh: latest.log is among them" test -f "$TMP/var/logs/latest.log"

# overlapping runs: the second leaves at once, and cleanly
( flock 9; sleep 3 ) 9>"$TMP/var/lock" &
sleep 0.5
env -i HOME="$TMP/home" /bin/sh "$cron" -c "$TMP/configs" >"$TMP/cron.out" 2>&1
is "cron.sh: a run that overlaps another exits 0" "$?" 0
has "cron.sh: and says why in its log" "$TMP/var/logs/latest.log" \
    "holds the lock"
wait

# a tree that fails is not a cron failure, unless -s
config gone
env -i HOME="$TMP/home" /bin/sh "$cron" -c "$TMP/configs" >"$TMP/cron.out" 2>&1
is "cron.sh: items that failed: exit 0" "$?" 0
env -i HOME="$TMP/home" /bin/sh "$cron" -c "$TMP/configs" -s >"$TMP/cron.out" 2>&1
is "cron.sh -s: items that failed: exit 1" "$?" 1
has "cron.sh -s: says where the log is" "$TMP/cron.out" "see $TMP/var/logs/run-"

# what the GitHub Actions workflow keeps between runs, on a fresh machine
config
check_rc 0 "a run to settle" maestrino $C run --wait
mkdir -p "$TMP/fresh/configs"
for d in state.db git jobs kcidb; do
	cp -a "$TMP/var/$d" "$TMP/fresh/$d"
done
sed "s|$TMP/var|$TMP/fresh|g" "$TMP/configs/settings.yaml" \
    >"$TMP/fresh/configs/settings.yaml"
cp "$TMP/configs/c.yaml" "$TMP/fresh/configs/"
check_rc 0 "a run on a machine with only the cached data" \
    maestrino -c "$TMP/fresh/configs" run --wait
has "finds nothing new" "$TMP/out" "0 new checkouts"
has "remakes no tarball of a finished checkout" "$TMP/out" "0 made, 0 kept"
has "exports nothing twice" "$TMP/out" "maestrino-kcidb: 0 checkouts, 0 builds"
check "renders the whole site again" test -f "$TMP/fresh/site/index.html"
is "every checkout has its page" \
    "$(find "$TMP/fresh/site/c" -name '*.html' | wc -l)" \
    "$(sqlite3 "$TMP/fresh/state.db" 'SELECT count(*) FROM checkout')"

# and with only the workflow's artifact: a copy of state.db, the job
# definitions and the KCIDB files, but no mirrors
rm -rf "$TMP/fresh/git" "$TMP/fresh/site" "$TMP/fresh/storage"
sqlite3 "$TMP/var/state.db" ".backup '$TMP/fresh/state.db'"
rm -f "$TMP/fresh/state.db-wal" "$TMP/fresh/state.db-shm"
check_rc 0 "a run from the state artifact alone" \
    maestrino -c "$TMP/fresh/configs" run --wait
has "fetches the mirror again but finds nothing new" "$TMP/out" \
    "0 new checkouts"
check "and renders the site" test -f "$TMP/fresh/site/index.html"

# a real failure: a broken config
echo "nonsense: [" >"$TMP/configs/broken.yaml"
env -i HOME="$TMP/home" /bin/sh "$cron" -c "$TMP/configs" >"$TMP/cron.out" 2>&1
is "cron.sh: a broken config: exit 2" "$?" 2
has "cron.sh: names the file for cron to mail" "$TMP/cron.out" \
    "broken.yaml:"
rm "$TMP/configs/broken.yaml"

# the GitHub Actions workflow keeps its contract (actionlint checks the
# rest in make lint)
check "pipeline.yml: schedule, dispatch, cache, run, Pages, KCIDB" \
    /usr/bin/python3 - "$top/.github/workflows/pipeline.yml" <<'EOF2'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w[True]  # YAML 1.1 reads the key "on" as true
assert "schedule" in on and on["schedule"][0]["cron"], "no schedule"
assert "workflow_dispatch" in on, "no workflow_dispatch"
assert w["concurrency"]["cancel-in-progress"] is False, "runs may overlap"
steps = w["jobs"]["run"]["steps"]
uses = {s.get("uses", "").split("@")[0]: s for s in steps}
r = uses["actions/cache/restore"]["with"]
assert "github.run_id" in r["key"] and r["restore-keys"], "cache keys"
assert "state.db" in r["path"] and "/git" in r["path"], "cache paths"
sv = uses["actions/cache/save"]
assert sv["with"]["key"] == r["key"] and "always()" in sv["if"], "save"
runs = "\n".join(s.get("run", "") for s in steps)
assert "scripts/deps.sh" in runs, "deps"
assert "run --wait --budget" in runs, "run"
assert "secrets.LAVA_TOKEN" in str(steps), "tokens from secrets"
assert "actions/upload-artifact" in uses, "KCIDB artifact"
assert "actions/upload-pages-artifact" in uses, "site artifact"
assert ".backup" in runs and "name=maestrino-state" in runs, "state copy"
assert any(s.get("with", {}).get("name") == "maestrino-state"
           for s in steps), "state artifact"
d = w["jobs"]["deploy"]
assert d["permissions"] == {"pages": "write", "id-token": "write"}
assert d["steps"][0]["uses"].startswith("actions/deploy-pages@")
EOF2

done_testing
