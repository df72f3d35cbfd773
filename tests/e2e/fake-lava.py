#!/usr/bin/python3
"""fake-lava.py PORT STATEDIR: a LAVA-like REST server on 127.0.0.1, only
for the faults a real server will not produce on demand.

It answers the calls Maestrino makes (submit, look up by name, job
status, results YAML, logs, device and queue counts) and takes its
faults from STATEDIR/faults.json, read at every request:
  {"submit": ["500", "lost", "slow", "401"],
   "status": ["truncated", "500", "nostate"], "results": ["garbage"]}
Each list is consumed one entry per request; "lost" creates the job but
answers 500, as a server that dies after committing would.  A job whose
definition mentions "broken" finishes Incomplete (Infrastructure).
STATEDIR/stats.json counts the POSTs per job name.  With FAKE_LAVA_INSTANT=1
a job is finished when first asked about, rather than running."""
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib

PORT, STATE = int(sys.argv[1]), sys.argv[2]
TOKEN = os.environ.get("FAKE_LAVA_TOKEN", "fake-token-0123456789")
INSTANT = os.environ.get("FAKE_LAVA_INSTANT") == "1"
jobs = {}


def fault(kind):
    return testlib.fault(STATE, kind)


def count_post(name):
    path = os.path.join(STATE, "stats.json")
    try:
        stats = json.load(open(path))
    except (OSError, ValueError):
        stats = {}
    stats[name] = stats.get(name, 0) + 1
    json.dump(stats, open(path, "w"))


RESULTS_OK = """- {suite: lava, name: kernel-messages, result: pass, measurement: None, unit: '', metadata: {case: kernel-messages, definition: lava, result: pass}}
- {suite: lava, name: login-action, result: pass, measurement: None, unit: '', metadata: {case: login-action, definition: lava, result: pass}}
- {suite: 0_smoke, name: uname, result: pass, measurement: None, unit: '', metadata: {case: uname, definition: 0_smoke, result: pass}}
- {suite: 0_smoke, name: modules, result: fail, measurement: None, unit: '', metadata: {case: modules, definition: 0_smoke, result: fail}}
- {suite: 0_smoke, name: boot-time, result: pass, measurement: '2.5', unit: seconds, metadata: {case: boot-time, definition: 0_smoke, result: pass}}
- {suite: lava, name: job, result: pass, measurement: None, unit: '', metadata: {case: job, definition: lava, result: pass}}
"""
RESULTS_BROKEN = """- {suite: lava, name: job, result: fail, measurement: None, unit: '', metadata: {case: job, definition: lava, result: fail, error_type: Infrastructure, error_msg: 'Unable to start libguestfs'}}
"""
LOG = """- {"dt": "2026-01-01T00:00:00", "lvl": "info", "msg": "lava-dispatcher, installed at version: 2023.01"}
- {"dt": "2026-01-01T00:00:01", "lvl": "target", "msg": "Linux version 6.1.0-fixture (fake)"}
- {"dt": "2026-01-01T00:00:02", "lvl": "target", "msg": "lava-guest:~# "}
"""


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        if self.headers.get("Authorization") != "Token " + TOKEN:
            self.reply(401, '{"detail":"Invalid token."}')
            return False
        return True

    def do_POST(self):
        if not self.authorized():
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        definition = body["definition"]
        name = next((l.split(":", 1)[1].strip().strip("'\"")
                     for l in definition.splitlines() if l.startswith("job_name:")), "?")
        f = fault("submit")
        if f == "401":
            return self.reply(401, '{"detail":"Invalid token."}')
        if f == "500":
            return self.reply(500, "<h1>Server Error (500)</h1>", "text/html")
        if f == "slow":
            time.sleep(2)
        count_post(name)
        jid = len(jobs) + 1
        jobs[jid] = {"id": jid, "description": name, "definition": definition,
                     "broken": "broken" in definition, "polls": 0}
        if f == "lost":
            return self.reply(500, "<h1>Server Error (500)</h1>", "text/html")
        self.reply(201, json.dumps({"message": "job(s) successfully submitted",
                                    "job_ids": [jid]}))

    def do_GET(self):
        if not self.authorized():
            return
        u = urlparse(self.path)
        q = parse_qs(u.query)
        parts = [p for p in u.path.split("/") if p]
        if parts[:3] == ["api", "v0.2", "devices"]:
            return self.reply(200, json.dumps({"count": 1, "results": []}))
        if parts[:3] == ["api", "v0.2", "jobs"] and len(parts) == 3:
            if "description" in q:
                res = [{"id": j["id"], "description": j["description"]}
                       for j in jobs.values() if j["description"] == q["description"][0]]
                return self.reply(200, json.dumps({"count": len(res), "results": res}))
            return self.reply(200, json.dumps({"count": 0, "results": []}))
        jid = int(parts[3])
        job = jobs.get(jid)
        if job is None:
            return self.reply(404, '{"detail":"Not found."}')
        what = parts[4] if len(parts) > 4 else ""
        if what == "":
            f = fault("status")
            job["polls"] += 1
            state = "Running" if job["polls"] == 1 and not INSTANT else "Finished"
            health = "Unknown" if state != "Finished" else (
                "Incomplete" if job["broken"] else "Complete")
            body = json.dumps({"id": jid, "description": job["description"],
                               "state": state, "health": health,
                               "start_time": "2026-01-01T00:00:00.000000Z",
                               "end_time": "2026-01-01T00:00:30.000000Z"})
            if f == "truncated":
                body = body[:len(body) // 2]
            if f == "nostate":
                body = json.dumps({"id": jid, "description": job["description"]})
            if f == "500":
                return self.reply(500, "oops", "text/plain")
            return self.reply(200, body)
        if what == "yaml":
            if fault("results") == "garbage":
                return self.reply(200, "{{{ this is: [not yaml", "application/yaml")
            return self.reply(200, RESULTS_BROKEN if job["broken"] else RESULTS_OK,
                              "application/yaml")
        if what == "logs":
            return self.reply(200, LOG, "application/yaml")
        self.reply(404, '{"detail":"Not found."}')


ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
