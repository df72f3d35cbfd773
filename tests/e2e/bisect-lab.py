#!/usr/bin/python3
"""bisect-lab.py FARM DATA: play the pull lab in FARM for the bisection
tests.  Every job of index.json without results yet gets them, decided
by the kernel image its definition names (a file:// URL): the fake
kernel appends the text of the tree's file MARK to the image, whose
lines say what goes wrong:

    bootfail PLATFORM          the job on PLATFORM does not boot
    fail PLATFORM CASE...      those cases of the smoke suite fail there
    failonce PLATFORM CASE...  as fail, the first time the lab sees that
                               image only (FARM/seen keeps them)

Other lines are ignored.  In a set of repeated jobs (ids ID, ID.2,
ID.3), only ID.2 shows the fault: one failure of three.  Results are
made from DATA's LAVA results (complete-results.yaml, every case
passing, or bootfail-results.yaml).  Each answer is logged to
FARM/lab.log as "JOB PLATFORM VERDICT"."""
import hashlib
import json
import os
import re
import sys

import yaml

farm, data = sys.argv[1], sys.argv[2]
if not os.path.exists(os.path.join(farm, "index.json")):
    sys.exit(0)  # nothing submitted yet
idx = json.load(open(os.path.join(farm, "index.json")))
ids = {j["id"] for j in idx["jobs"]}
os.makedirs(os.path.join(farm, "results"), exist_ok=True)
complete = yaml.safe_load(open(os.path.join(data, "complete-results.yaml")))
bootfail = open(os.path.join(data, "bootfail-results.yaml")).read()
log = open(os.path.join(data, "complete-log.yaml")).read()


def kernel_url(node):
    if isinstance(node, dict):
        k = node.get("kernel")
        if isinstance(k, dict) and "url" in k:
            return k["url"]
        node = list(node.values())
    if isinstance(node, list):
        for v in node:
            u = kernel_url(v)
            if u:
                return u
    return None


seen_path = os.path.join(farm, "seen")
seen = set(open(seen_path).read().split()) if os.path.exists(seen_path) else set()
answered = 0
with open(os.path.join(farm, "lab.log"), "a") as out:
    for j in idx["jobs"]:
        jid = j["id"]
        res = os.path.join(farm, "results", jid + ".yaml")
        if os.path.exists(res):
            continue
        job = yaml.safe_load(open(os.path.join(farm, j["definition"])))
        url = kernel_url(job)
        assert url and url.startswith("file://"), (jid, url)
        image = open(url[len("file://"):], "rb").read().decode(errors="replace")
        m = re.match(r"^(.*?)(\.\d+)?$", jid)
        base, k = m.group(1), m.group(2)
        platform = base.rsplit(".", 1)[1]
        repeated = k is not None or base + ".2" in ids
        shows = k == ".2" if repeated else True
        boot_fails, fails = False, set()
        digest = hashlib.sha256(image.encode()).hexdigest()
        for line in image.splitlines():
            w = line.split()
            if len(w) >= 2 and w[0] == "bootfail" and w[1] == platform:
                boot_fails = True
            elif len(w) >= 3 and w[0] == "fail" and w[1] == platform:
                fails.update(w[2:])
            elif (len(w) >= 3 and w[0] == "failonce" and w[1] == platform
                  and digest not in seen):
                fails.update(w[2:])
        seen.add(digest)
        if not shows:
            boot_fails, fails = False, set()
        if boot_fails:
            text, verdict = bootfail, "bootfail"
        else:
            r = []
            for t in complete:
                t = dict(t)
                ok = t.get("suite") != "0_smoke" or t["name"] not in fails
                t["result"] = "pass" if ok else "fail"
                if isinstance(t.get("metadata"), dict):
                    t["metadata"] = dict(t["metadata"], result=t["result"])
                r.append(t)
            text = yaml.safe_dump(r)
            verdict = "fail " + ",".join(sorted(fails)) if fails else "pass"
        with open(os.path.join(farm, "results", jid + ".log"), "w") as f:
            f.write(log)
        with open(res + ".tmp", "w") as f:
            f.write(text)
        os.rename(res + ".tmp", res)
        out.write("%s %s %s\n" % (jid, platform, verdict))
        answered += 1
with open(seen_path, "w") as f:
    f.write("\n".join(sorted(seen)) + "\n")
print(answered)
