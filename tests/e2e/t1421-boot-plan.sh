#!/bin/sh
# Boots name their test plan: two boots of one build on one platform (the
# jobs of two plans) are told apart on the checkout page, in its JSON,
# in the changes and on the boot's test page.
. "$(dirname "$0")/lib.sh"

config_dir
settings_add 'site:' "  path: $TMP/public"
C="-c $TMP/configs"
check "an empty database" maestrino $C site
check "the fixture, with the jobs of two plans" sh -c "sqlite3 '$TMP/var/state.db' <'$top/tests/data/site/fixture.sql' && sqlite3 '$TMP/var/state.db' \"
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6)
INSERT INTO job (id, kind, checkout_id, build_id, config_name, platform,
  runtime, definition, state, created)
  SELECT 't' || i, 'test', i, i * 10 + 1, 'smoke', 'qemu', 'lab', 'd', 'done', 1
  FROM n UNION ALL
  SELECT 'u' || i, 'test', i, i * 10 + 1, 'baseline', 'qemu', 'lab', 'd', 'done', 1
  FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6)
INSERT INTO test (build_id, job_id, path, platform, status, start_time,
  duration)
  SELECT i * 10 + 1, 'u' || i, 'boot', 'qemu',
  CASE WHEN i = 6 THEN 'FAIL' ELSE 'PASS' END, 1, 1 FROM n;\""
check_rc 0 "maestrino site" maestrino $C site
P=$TMP/public
has "the smoke boot row names its plan" "$P/c/6.html" '>boot (smoke)</a>'
has "the baseline boot row too" "$P/c/6.html" '>boot (baseline)</a>'
is "the JSON twin has each boot's plan" \
    "$(/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(sorted((e["plan"], e["status"]) for e in d["tests"] if e["path"] == "boot"))' "$P/api/c/6.json")" \
    "[('baseline', 'FAIL'), ('smoke', 'PASS')]"
is "a test row keeps its path and has its plan" \
    "$(/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print([(e["path"], e["plan"]) for e in d["tests"] if e["path"] == "smoke.new"])' "$P/api/c/6.json")" \
    "[('smoke.new', 'smoke')]"
has "a boot's change names its plan" "$P/c/6.html" 'boot (baseline) on qemu (x86 x86_64)'
t=$(/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print([e["page"] for e in d["tests"] if e["path"] == "boot"][0])' "$P/api/c/6.json")
has "the boot's page heading names the plans seen" "$P/$t" '<h1>boot (baseline, smoke) <span'
is "its history has the plan of each boot" \
    "$(/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["plans"], sorted(set(e["plan"] for e in d["history"])))' "$P/api/${t%.html}.json")" \
    "baseline, smoke ['baseline', 'smoke']"
check "the pages are valid HTML5" /usr/bin/python3 -c '
import sys, html5lib
for f in sys.argv[1:]:
    html5lib.HTMLParser(strict=True).parse(open(f, "rb"))
' "$P/c/6.html" "$P/$t"

done_testing
