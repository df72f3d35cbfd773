#!/bin/sh
# A pull lab: job definitions and an index.json in a directory, results
# dropped back as LAVA results YAML (a real LAVA server's reply) in
# results/.  Garbage results are set aside and the job runs again.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"

config_dir
settings_add 'retries: 1' 'retry_delay: 0'
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo platforms:
	yaml_platform board x86-pc grub
	echo '    compatible: ["acme,board"]'
	yaml_platform board2 x86-pc grub
	yaml_pull_lab
	echo tests:
	yaml_test smoke smoke farm board board2
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "build" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait && maestrino $C jobs"
check_rc 0 "submit to the pull lab" maestrino $C submit
has "both submitted" "$TMP/out" "2 submitted"
for j in t1-smoke.board t1-smoke.board2; do
	check "$j.yaml is there and valid for LAVA" /usr/bin/python3 -c '
import sys, yaml
from lava_common.schemas import validate
validate(yaml.safe_load(open(sys.argv[1])))' "$TMP/farm/$j.yaml"
done
check "index.json lists both" /usr/bin/python3 -c '
import json, sys
idx = json.load(open(sys.argv[1]))
ids = sorted(j["id"] for j in idx["jobs"])
assert ids == ["t1-smoke.board", "t1-smoke.board2"], ids
assert idx["jobs"][0]["definition"].endswith(".yaml")
assert idx["jobs"][0]["device_type"] == "x86-pc"' "$TMP/farm/index.json"
check_rc 0 "collect with no results yet" maestrino $C collect
has "both still out" "$TMP/out" "0 finished, 2 running"

mkdir -p "$TMP/farm/results"
cp "$top/tests/data/lava/complete-results.yaml" "$TMP/farm/results/t1-smoke.board.yaml"
cp "$top/tests/data/lava/complete-log.yaml" "$TMP/farm/results/t1-smoke.board.log"
printf '{ not: [yaml\n' >"$TMP/farm/results/t1-smoke.board2.yaml"
check_rc 0 "collect the results" maestrino $C collect
has "one finished" "$TMP/out" "1 finished"
has "garbage results are reported" "$TMP/out" "results/t1-smoke.board2.yaml:2:1: error:"
is "the real results were recorded" \
    "$(sql "SELECT group_concat(path || '=' || status, ' ') FROM (SELECT path, status FROM test WHERE job_id = 't1-smoke.board' ORDER BY path)")" \
    "boot=PASS smoke.boot-time=PASS smoke.cpuinfo=PASS smoke.mem-total=PASS smoke.modules=FAIL smoke.proc-version=PASS smoke.uname=PASS"
is "with the compatible strings" "$(sql "SELECT compatible FROM test WHERE job_id = 't1-smoke.board' AND path = 'boot'")" '["acme,board"]'
check "the console log cut out of the LAVA log" grep -q "Linux version 6.1.192" \
    "$TMP/var/storage/tests/t1-smoke.board/console.log"
[ -f "$TMP/farm/results/t1-smoke.board2.yaml.bad" ] && ok "garbage set aside" ||
    not_ok "garbage not set aside"
is "the garbage job goes round again" "$(sql "SELECT state || ' ' || attempt FROM job WHERE id = 't1-smoke.board2'")" "pending 2"
check_rc 0 "submit it again" maestrino $C submit
check "the collected job left the index" /usr/bin/python3 -c '
import json, sys
ids = [j["id"] for j in json.load(open(sys.argv[1]))["jobs"]]
assert ids == ["t1-smoke.board2"], ids' "$TMP/farm/index.json"
cp "$top/tests/data/lava/incomplete-results.yaml" "$TMP/farm/results/t1-smoke.board2.yaml"
check_rc 1 "an incomplete result on the last attempt" maestrino $C collect
is "is ERROR with LAVA's reason" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.error_type') FROM test WHERE job_id = 't1-smoke.board2'")" "ERROR Job"

done_testing
