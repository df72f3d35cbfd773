#!/usr/bin/python3
"""kcidb-check.py SCHEMA FILE...: validate KCIDB documents against the
official schema with Debian's python3-jsonschema, format checks included
(uri through python3-rfc3987; date-time by RFC 3339's pattern, as
shared/kcidb/README.md does).  Prints each problem; exits 1 if any."""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib

validator = testlib.kcidb_validator(sys.argv[1])
if "uri" not in validator.format_checker.checkers:
    sys.exit("kcidb-check.py: no uri format checker (install python3-rfc3987)")
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        print("%s: %s: %s" % (path, list(e.path), e.message[:300]))
        bad += 1
sys.exit(1 if bad else 0)
