#!/usr/bin/python3
"""kcidb-check.py SCHEMA FILE...: validate KCIDB documents against the
official schema with Debian's python3-jsonschema, format checks included
(uri through python3-rfc3987; date-time by RFC 3339's pattern, as
shared/kcidb/README.md does).  Prints each problem; exits 1 if any."""
import json, re, sys
import jsonschema

fc = jsonschema.FormatChecker()
if "date-time" not in fc.checkers:
    fc.checks("date-time")(lambda s: not isinstance(s, str) or bool(re.match(
        r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$", s)))
if "uri" not in fc.checkers:
    sys.exit("kcidb-check.py: no uri format checker (install python3-rfc3987)")
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft7Validator(schema, format_checker=fc)
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        print("%s: %s: %s" % (path, list(e.path), e.message[:300]))
        bad += 1
sys.exit(1 if bad else 0)
