#!/bin/sh
# Issue 12, item 5: a lab reports a measurement of inf or 1e999.  Stored,
# it made every later KCIDB export refuse to write anything.  Such values
# are dropped where they enter, with a warning; a value stored before is
# left out on export; and a row that breaks the schema for any other
# reason is left out alone, never blocking the others.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
pull_lab_config board
C="-c $TMP/configs"
to_pull_lab
id=$(job_on board)
mkdir -p "$TMP/farm/results"
cat >"$TMP/farm/results/$id.yaml" <<'EOF2'
- {suite: lava, name: login-action, result: pass}
- {suite: 0_smoke, name: huge, result: pass, measurement: '1e999', unit: s}
- {suite: 0_smoke, name: inf, result: pass, measurement: 'inf', unit: s}
- {suite: 0_smoke, name: nan, result: pass, measurement: 'nan', unit: s}
- {suite: 0_smoke, name: fine, result: pass, measurement: '2.5', unit: s}
- {suite: lava, name: job, result: pass}
EOF2
check_rc 0 "collect" maestrino $C collect
has "says what it dropped" "$TMP/out" "3 measurements are not a finite number"
is "no value that is not a number is stored" \
    "$(sql "SELECT count(*) FROM test WHERE number_value IS NOT NULL")" 1
is "the finite one is" \
    "$(sql "SELECT number_value FROM test WHERE path = 'smoke.fine'")" 2.5
check_rc 0 "kcidb exports" maestrino $C kcidb
is "every test is in KCIDB" "$(cat "$TMP"/var/kcidb/*.json | /usr/bin/python3 -c '
import json, sys
print(sum(len(json.loads(l).get("tests", [])) for l in sys.stdin.read().split("\n") if l.strip()))')" 5

# rows stored by a release before this one
sql "UPDATE test SET number_value = 9e999, number_unit = 's', gen = gen + 1
    WHERE path = 'smoke.huge';
    UPDATE test SET path = 'not a path!', gen = gen + 1 WHERE path = 'smoke.nan'"
rm -f "$TMP"/var/kcidb/*.json
check_rc 1 "kcidb --all exports around a bad row: exit 1" maestrino $C kcidb --all
has "naming what it left out" "$TMP/out" "1 object left out"
has "and why" "$TMP/out" "not a path!"
cat "$TMP"/var/kcidb/*.json >"$TMP/all.json"
/usr/bin/python3 -c '
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tests = [t for d in docs for t in d.get("tests", [])]
paths = sorted(t["path"] for t in tests)
assert paths == ["boot", "smoke.fine", "smoke.huge", "smoke.inf"], paths
huge = [t for t in tests if t["path"] == "smoke.huge"][0]
assert "number" not in huge, huge
assert len([d for d in docs if d.get("checkouts")]) == 1
assert len([d for d in docs if d.get("builds")]) == 1
' "$TMP/all.json" && ok "the others are exported, the infinite value left out" ||
    not_ok "the others are exported, the infinite value left out"
check "the files validate against the KCIDB schema" \
    /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" \
    "$top/tests/data/kcidb/schema-v5.3.json" "$TMP"/var/kcidb/*.json
done_testing
