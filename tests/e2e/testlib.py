"""testlib.py: what the Python helpers of the tests share.

kcidb_validator(schema_path): a validator of the official KCIDB schema
with format checks (date-time by RFC 3339's pattern when jsonschema has
no checker of its own, as shared/kcidb/README.md does).

fault(state_dir, kind): the next fault a canned-reply server was told to
play, taken from state_dir/faults.json ({"submit": ["500", ...], ...}),
one entry per request; None when there is none."""
import json, os, re
import jsonschema

RFC3339 = r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$"


def kcidb_validator(schema_path):
    fc = jsonschema.FormatChecker()
    if "date-time" not in fc.checkers:
        fc.checks("date-time")(lambda s: not isinstance(s, str) or
                               bool(re.match(RFC3339, s)))
    return jsonschema.Draft7Validator(json.load(open(schema_path)),
                                      format_checker=fc)


def fault(state_dir, kind):
    path = os.path.join(state_dir, "faults.json")
    try:
        faults = json.load(open(path))
    except (OSError, ValueError):
        return None
    queue = faults.get(kind) or []
    if not queue:
        return None
    f = queue.pop(0)
    json.dump(faults, open(path, "w"))
    return f
