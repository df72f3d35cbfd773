#!/bin/sh
# Issue 12, item 8: a pull lab's retried job read the previous attempt's
# results again, so one Incomplete file used up every retry without the
# lab running the job again; and a truncated index.json was replaced,
# dropping the jobs it listed.  A collected result is moved aside, and a
# corrupt index is rebuilt from the database.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
settings_add 'retries: 1' 'retry_delay: 0'
pull_lab_config one two
C="-c $TMP/configs"
to_pull_lab
a=$(job_on one)
b=$(job_on two)
listed() {
	/usr/bin/python3 -c 'import json, sys
print(" ".join(sorted(j["id"] for j in json.load(open(sys.argv[1]))["jobs"])))' \
	    "$TMP/farm/index.json"
}
is "the index lists both" "$(listed)" "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ' | sed 's/ $//')"

# the lab truncates its index, and job a's first attempt is Incomplete
head -c 40 "$TMP/farm/index.json" >"$TMP/farm/index.json.new"
mv "$TMP/farm/index.json.new" "$TMP/farm/index.json"
mkdir -p "$TMP/farm/results"
cp "$top/tests/data/lava/incomplete-results.yaml" "$TMP/farm/results/$a.yaml"
check_rc 0 "collect the Incomplete attempt" maestrino $C collect
is "job a goes round again" \
    "$(sql "SELECT state || ' ' || attempt FROM job WHERE id = '$a'")" \
    "pending 2"
test ! -e "$TMP/farm/results/$a.yaml" &&
    test -f "$TMP/farm/results/collected/$a.1.yaml" &&
    ok "its results are moved aside, tagged with the attempt" ||
    not_ok "its results are moved aside" "$(ls -R "$TMP/farm/results")"
has "the corrupt index is reported" "$TMP/out" "index.json"
ls "$TMP"/farm/index.json.bad-* >/dev/null 2>&1 &&
    ok "and set aside" || not_ok "and set aside" "$(ls "$TMP/farm")"
check_rc 0 "submit job a again" maestrino $C submit
is "the index lists both again: b was never dropped" "$(listed)" \
    "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ' | sed 's/ $//')"
for _ in 1 2; do
	check_rc 0 "collect with no new results" maestrino $C collect
done
is "the second attempt waits for the lab to run it again" \
    "$(sql "SELECT state || ' ' || attempt FROM job WHERE id = '$a'")" \
    "submitted 2"
cp "$top/tests/data/lava/complete-results.yaml" "$TMP/farm/results/$a.yaml"
check_rc 0 "collect the second attempt" maestrino $C collect
is "which counts" "$(sql "SELECT state || ' ' || result FROM job WHERE id = '$a'")" \
    "done pass"
is "and b is still listed" "$(listed)" "$b"
done_testing
