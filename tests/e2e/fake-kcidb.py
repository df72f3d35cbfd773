#!/usr/bin/python3
"""fake-kcidb.py PORT STATEDIR SCHEMA: a KCIDB-like REST endpoint on
127.0.0.1 for the tests.  POST /submit takes a document with
"Authorization: Bearer <FAKE_KCIDB_TOKEN>", validates it against SCHEMA
(format checks included) and answers {"id": ...}; GET /status?id=... says
"processed".  Faults come from STATEDIR/faults.json, one list entry per
request: {"submit": ["401", "500", "timeout"], "status": ["failed"]}.
STATEDIR/stats.json records what was accepted and processed."""
import hashlib, json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib

PORT, STATE, SCHEMA = int(sys.argv[1]), sys.argv[2], sys.argv[3]
TOKEN = os.environ.get("FAKE_KCIDB_TOKEN", "kcidb-token")
validator = testlib.kcidb_validator(SCHEMA)
subs = {}


def fault(kind):
    return testlib.fault(STATE, kind)


def stats(update):
    path = os.path.join(STATE, "stats.json")
    try:
        s = json.load(open(path))
    except (OSError, ValueError):
        s = {"posts": 0, "accepted": {}, "processed": [], "invalid": 0,
             "failed": 0}
    update(s)
    json.dump(s, open(path, "w"), indent=1)


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            self.reply(401, {"error": "bad token"})
            return False
        return True

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        stats(lambda s: s.__setitem__("posts", s["posts"] + 1))
        f = fault("submit")
        if f == "timeout":
            time.sleep(4)
            return
        if f == "401" or not self.authorized():
            if f == "401":
                self.reply(401, {"error": "bad token"})
            return
        if f == "500":
            return self.reply(500, {"error": "internal"})
        if self.headers.get("Content-Type") != "application/json":
            return self.reply(415, {"error": "not json"})
        doc = json.loads(body)
        errors = list(validator.iter_errors(doc))
        if errors:
            stats(lambda s: s.__setitem__("invalid", s["invalid"] + 1))
            return self.reply(400, {"error": errors[0].message[:200]})
        digest = hashlib.sha256(body).hexdigest()
        sid = "sub-%d" % (len(subs) + 1)
        ids = [o["id"] for k in ("checkouts", "builds", "tests", "issues",
                                 "incidents")
               for o in doc.get(k, [])]
        subs[sid] = (digest, ids)

        def upd(s):
            s["accepted"][digest] = s["accepted"].get(digest, 0) + 1
        stats(upd)
        self.reply(200, {"id": sid, "message": "received"})

    def do_GET(self):
        if not self.authorized():
            return
        q = parse_qs(urlparse(self.path).query)
        sid = q.get("id", [""])[0]
        if urlparse(self.path).path != "/status" or sid not in subs:
            return self.reply(404, {"error": "no such submission"})
        digest, ids = subs[sid]
        if fault("status") == "failed":
            def upd(s):
                s["accepted"][digest] -= 1
                s["failed"] += 1
            stats(upd)
            return self.reply(200, {"id": sid, "status": "failed"})

        def upd(s):
            s["processed"] = sorted(set(s["processed"]) | set(ids))
        stats(upd)
        self.reply(200, {"id": sid, "status": "processed"})


ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
