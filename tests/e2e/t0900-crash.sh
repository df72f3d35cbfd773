#!/bin/sh
# Crash safety: `maestrino run --wait` is killed with SIGKILL at 20
# points across every stage (the crash hooks kill the run and the stage
# it is in, as a power cut would).  After each kill, one clean run must
# end with the same database as a run that was never killed (a canonical
# dump: everything but clocks, pids and row ids), no duplicate checkouts
# or jobs, every test job POSTed to the lab exactly once (counted by the
# lab), no partial or corrupt file in storage, the KCIDB output or the
# site, and every result reported.
#
# The lab is the canned-reply server (tests/e2e/fake-lava.py) answering
# at once, so that 21 pipelines fit in a minute or two; the same kill
# between POST and record against a real LAVA server is in
# tests/lava/t0600-lava-server.sh.
. "$(dirname "$0")/lib.sh"
schema=$top/tests/data/kcidb/schema-v5.3.json

up=$TMP/up
fixture_repo "$up"
git -C "$up" tag v6.1
git -C "$up" branch stable
commit "$up" "fix: the second commit" NEWS "second"

# scenario NAME: a data dir, a config and a lab of its own in $TMP/NAME
scenario() {
	d=$TMP/$1
	mkdir -p "$d/configs" "$d/lab"
	port=$(free_port)
	FAKE_LAVA_INSTANT=1 FAKE_LAVA_TOKEN=crash-token-5150 \
	    /usr/bin/python3 "$top/tests/e2e/fake-lava.py" "$port" "$d/lab" \
	    2>"$d/lab/server.log" &
	echo $! >"$d/lab/pid"
	{
		cat <<EOF2
settings:
  origin: test
  data_dir: $d/var
  retry_delay: 0
  site:
    path: $d/var/site
EOF2
		yaml_tree fix "$up" "master, stable"
		yaml_x86_build
		printf '  arm64:\n    arch: arm64\n    targets: [Image]\n'
		echo platforms:
		yaml_platform qemu qemu qemu
		cat <<EOF2
labs:
  local:
    type: local
    jobs: 2
  farm:
    type: lava
    url: http://127.0.0.1:$port/
    token_env: FARM_TOKEN
EOF2
		echo tests:
		yaml_test smoke smoke farm qemu
	} >"$d/configs/c.yaml"
}

# canon NAME: the database of a scenario without clocks, pids, row ids,
# and with its own directory and lab port written as @D@ and @PORT@
canon() {
	port=$(sed -n 's|.*url: http://127.0.0.1:\([0-9]*\)/|\1|p' \
	    "$TMP/$1/configs/c.yaml")
	sqlite3 -batch -noheader "$TMP/$1/var/state.db" "
SELECT 'tree', name, url, last_error FROM tree ORDER BY name;
SELECT 'checkout', tree, branch, commit_hash, describe, tags, is_tip,
  tarball_state, tarball_path, tarball_url, tarball_size, tarball_sha256,
  tarball_error, jobs_made, gen > exported_gen, gen > site_gen
  FROM checkout ORDER BY tree, branch, commit_hash;
SELECT 'head', tree, branch, commit_hash FROM branch_head ORDER BY 2, 3;
SELECT 'job', id, kind, config_name, platform, runtime, state, attempt,
  result, error_code, error_msg, replace(definition, char(10), '\n')
  FROM job ORDER BY id;
SELECT 'build', job_id, config_name, arch, compiler, config_url, log_url,
  status, artifacts, kconfig, tests_made, gen > exported_gen,
  gen > site_gen FROM build ORDER BY job_id;
SELECT 'test', job_id, path, platform, compatible, status, log_url,
  number_value, number_unit, misc, gen > exported_gen, gen > site_gen
  FROM test ORDER BY job_id, path;
SELECT 'kcidb', state, count(*) FROM kcidb_file GROUP BY state;" |
	    sed "s|$TMP/$1/|@D@/|g; s|127.0.0.1:$port/|127.0.0.1:@PORT@/|g"
}

# exported NAME: every object id in the scenario's KCIDB files, without
# the database's own random part
exported() {
	/usr/bin/python3 -c '
import json, sys
ids = set()
for f in sys.argv[1:]:
    d = json.load(open(f))
    for k in ("checkouts", "builds", "tests"):
        ids.update(k + " " + o["id"] for o in d.get(k, []))
print("\n".join(sorted(ids)))' "$TMP/$1"/var/kcidb/*.json |
	    sed 's/:[0-9a-f]\{16\}\./:@./'
}

# intact NAME: no temporary or partial file anywhere, tarballs match their
# recorded sha256, every JSON file parses, every page is whole
intact() {
	v=$TMP/$1/var
	left=$(find "$v/storage" "$v/site" "$v/kcidb" -name '*.tmp*' -o \
	    -name '.tmp-*' 2>/dev/null | head -n 3)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	sqlite3 -batch -noheader "$v/state.db" "SELECT tarball_sha256 || '  ' ||
	    tarball_path FROM checkout WHERE tarball_state = 'done'" |
	    (cd "$v/storage" && sha256sum -c --quiet -) || return 1
	find "$v/storage/tarballs" -name '*.tar.gz' -exec gzip -t {} + ||
	    return 1
	find "$v/site" "$v/kcidb" -name '*.json' -exec /usr/bin/python3 -c '
import json, sys
for f in sys.argv[1:]:
    json.load(open(f))' {} + || return 1
	find "$v/site" -name '*.html' -exec sh -c 'for f; do
		tail -c 8 "$f" | grep -q "</html>" ||
		    { echo "cut short: $f"; exit 1; }
	done' sh {} +
}

# posts NAME: the lab's count of POSTs for each job name, "name count"
posts() {
	/usr/bin/python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print("\n".join("%s %d" % kv for kv in sorted(s.items())))' \
	    "$TMP/$1/lab/stats.json" 2>/dev/null
}

export FARM_TOKEN=crash-token-5150

# the reference: one run that is never killed
scenario ref
check_rc 0 "an uninterrupted run" maestrino -c "$TMP/ref/configs" run --wait
cp "$TMP/out" "$TMP/ref.out"
canon ref >"$TMP/ref.canon"
is "it built 4 kernels and tested 2" \
    "$(sqlite3 "$TMP/ref/var/state.db" "SELECT group_concat(n) FROM (SELECT kind || '=' || count(*) AS n FROM job WHERE state = 'done' GROUP BY kind ORDER BY kind)")" \
    "kbuild=4,test=2"
is "the tests have results" "$(grep -c "^test|" "$TMP/ref.canon")" 8
has "the run ends with a one-line total" "$TMP/ref.out" \
    "stages, none failed; jobs left: 0 pending, 0 to retry, 0 running; exit 0"
check "the reference is intact" intact ref
exported ref >"$TMP/ref.exported"
is "everything is reported" "$(wc -l <"$TMP/ref.exported")" \
    "$(sqlite3 "$TMP/ref/var/state.db" "SELECT (SELECT count(*) FROM checkout) + (SELECT count(*) FROM build) + (SELECT count(*) FROM test)")"
kill "$(cat "$TMP/ref/lab/pid")"

points="run-poll poll-mirror-made poll-fetched run-tarball
tarball-before-rename tarball-written:2 jobs-written:2 run-submit
submit-submitting submit-started:2 collect-build-recorded:2 run-jobs:2
submit-remote-before submit-remote-after run-collect:2 collect-test-recorded
run-kcidb kcidb-written run-site site-page-written:7 site-before-mark"

# crash NAME POINT: kill the run at POINT, then run once more
crash() {
	scenario "$1"
	MAESTRINO_CRASH_AT=$2 maestrino -c "$TMP/$1/configs" run --wait \
	    >"$TMP/$1/crash.out" 2>&1
	echo $? >"$TMP/$1/crash.rc"
	maestrino -c "$TMP/$1/configs" run --wait >"$TMP/$1/rerun.out" 2>&1
	echo $? >"$TMP/$1/rerun.rc"
	kill "$(cat "$TMP/$1/lab/pid")"
}

# two at a time, one per core
i=0
for p in $points; do
	i=$((i + 1))
	crash "k$i" "$p" &
	if [ $((i % 2)) -eq 0 ]; then
		wait
	fi
done
wait

i=0
for p in $points; do
	i=$((i + 1))
	n=k$i
	is "$p: the run was killed" "$(cat "$TMP/$n/crash.rc")" 137
	has "$p: by the hook" "$TMP/$n/crash.out" "crashpoint ${p%%:*}"
	is "$p: the clean rerun succeeds" "$(cat "$TMP/$n/rerun.rc")" 0
	canon "$n" >"$TMP/$n.canon"
	if diff -u "$TMP/ref.canon" "$TMP/$n.canon" >"$TMP/$n.diff"; then
		ok "$p: the same database as an uninterrupted run"
	else
		not_ok "$p: the same database as an uninterrupted run" \
		    "$(head -n 30 "$TMP/$n.diff")" "$(tail -n 20 "$TMP/$n/rerun.out")"
	fi
	is "$p: no duplicate checkout" "$(sqlite3 "$TMP/$n/var/state.db" \
	    "SELECT count(*) FROM (SELECT 1 FROM checkout GROUP BY tree, branch, commit_hash HAVING count(*) > 1)")" 0
	is "$p: each test job POSTed once" \
	    "$(posts "$n" | awk '$NF != 1' | wc -l) $(posts "$n" | wc -l)" "0 2"
	check "$p: no partial or corrupt file" intact "$n"
	exported "$n" >"$TMP/$n.exported"
	if cmp -s "$TMP/ref.exported" "$TMP/$n.exported"; then
		ok "$p: every result reported to KCIDB"
	else
		not_ok "$p: every result reported to KCIDB" \
		    "$(diff "$TMP/ref.exported" "$TMP/$n.exported" | head -n 10)"
	fi
done
check "every KCIDB file of every run is valid" \
    /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" \
    "$TMP"/k*/var/kcidb/*.json

done_testing
