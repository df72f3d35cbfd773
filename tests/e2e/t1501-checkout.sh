#!/bin/sh
# maestrino checkout: an older commit, and a two-patch series made by git
# format-patch (as two files, and as one mbox of two mails), each taken
# by `maestrino run` through a build and a pull-lab test to KCIDB JSON
# that the official schema accepts, with the patches kept in storage and
# their patchset_hash; the patched tree is what is tarred.  None of them
# is ever compared as the next head of the branch.  Every error names
# what failed and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
schema=$top/tests/data/kcidb/schema-v5.3.json
kcheck() { /usr/bin/python3 "$top/tests/e2e/kcidb-check.py" "$schema" "$@"; }

up=$TMP/up
fixture_repo "$up"
# an old commit whose build fails, fixed by the head
awk '{ print } /^bzImage Image:$/ { print "\t@echo \"drivers/old.c:1:1: error: broken in this old commit\" >&2; exit 2" }' \
    "$up/Makefile" >"$TMP/Makefile.broken"
cp "$up/Makefile" "$TMP/Makefile.good"
cp "$TMP/Makefile.broken" "$up/Makefile"
git -C "$up" add Makefile
commit "$up" "kbuild: break the image"
old=$(git -C "$up" rev-parse HEAD)
cp "$TMP/Makefile.good" "$up/Makefile"
git -C "$up" add Makefile
commit "$up" "kbuild: mend the image"
head=$(git -C "$up" rev-parse HEAD)
git -C "$up" tag v6.1-mended

# the series: two commits on top of the head, as git format-patch writes
git clone -q "$up" "$TMP/work"
commit "$TMP/work" "ondemand: add a driver" drivers/od.c "int od;"
commit "$TMP/work" "ondemand: initialise it" drivers/od.c "int od = 1;"
git -C "$TMP/work" format-patch -q -2 -o "$TMP/p"
p1=$(ls "$TMP"/p/0001-*.patch)
p2=$(ls "$TMP"/p/0002-*.patch)
cat "$p1" "$p2" >"$TMP/series.mbox"

config_dir
settings_add 'retries: 0' 'retry_delay: 0'
{
	yaml_tree fix "$up" master
	yaml_x86_build
	printf '  x86b:\n    arch: x86_64\n    targets: [bzImage]\n'
	echo platforms:
	yaml_platform board x86-pc grub
	yaml_pull_lab
	echo tests:
	yaml_test smoke smoke farm board
	echo '    builds: [x86]'
	yaml_test smoke2 smoke farm board
	echo '    builds: [x86]'
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
mirror=$TMP/var/git/fix.git
storage=$TMP/var/storage

check_rc 0 "--help" maestrino checkout --help
has "it shows the usage" "$TMP/out" "usage: maestrino checkout"
check_rc 2 "a tree without a ref is a usage error" maestrino $C checkout fix
check_rc 0 "poll the head" maestrino $C poll

# ---- errors: each names what failed, nothing is recorded ----
rows() { sql "SELECT count(*) FROM checkout"; }
refs() { git --git-dir="$mirror" for-each-ref refs/maestrino/checkouts | wc -l; }
stored() { find "$storage" -path '*/patches/*' -type f 2>/dev/null | wc -l; }
nothing_left() {
	is "$1: no row" "$(rows)" 1
	is "$1: no ref" "$(refs)" 0
	is "$1: no stored patch" "$(stored)" 0
}
check_rc 1 "an unknown ref" maestrino $C checkout fix no-such-ref
has "names the tree and the ref" "$TMP/out" "tree 'fix': no branch, tag or commit 'no-such-ref'"
nothing_left "unknown ref"
check_rc 1 "an unknown tree" maestrino $C checkout fox master
has "names it, with a suggestion" "$TMP/out" "tree 'fox' is not in the config (did you mean 'fix'?)"
check_rc 1 "an unknown build" maestrino $C checkout fix master --build x68
has "names it, with a suggestion" "$TMP/out" "build 'x68' is not in the config (did you mean 'x86'?)"
check_rc 1 "an unknown test" maestrino $C checkout fix master --test smok
has "names it, with a suggestion" "$TMP/out" "test 'smok' is not in the config (did you mean 'smoke'?)"
nothing_left "unknown names"
check_rc 1 "a patch that does not apply" maestrino $C checkout fix master --patch "$p2"
has "names the patch and the path" "$TMP/out" "patch '$p2': does not apply to ${head%????????????????????????????} at 'drivers/od.c'"
nothing_left "patch that does not apply"
cat "$p1" "$p1" >"$TMP/twice.mbox"
check_rc 1 "an mbox whose second mail does not apply" maestrino $C checkout fix master --patch "$TMP/twice.mbox"
has "names the mail in the mbox" "$TMP/out" "patch '$TMP/twice.mbox' (mail 2 of 2, \"ondemand: add a driver\"): does not apply"
nothing_left "second mail"
check_rc 1 "a good patch then one that does not apply" maestrino $C checkout fix master --patch "$p1" --patch "$p1"
nothing_left "the good patch's file is not kept"
truncate -s 65M "$TMP/huge.patch"
check_rc 1 "a patch over 64 MiB" maestrino $C checkout fix master --patch "$TMP/huge.patch"
has "is refused" "$TMP/out" "more than the 67108864 allowed"
printf 'hello\n' >"$TMP/nodiff.patch"
check_rc 1 "a file without a diff" maestrino $C checkout fix master --patch "$TMP/nodiff.patch"
has "says so" "$TMP/out" "holds no diff"
nothing_left "bad patch files"
# an abbreviation more than one object of the mirror starts with
mkdir -p "$TMP/blobs"
i=0
while [ $i -lt 1500 ]; do echo "blob $i" >"$TMP/blobs/$i"; i=$((i + 1)); done
ls "$TMP"/blobs/* | git --git-dir="$mirror" hash-object -w --stdin-paths >/dev/null
amb=$(git --git-dir="$mirror" cat-file --batch-all-objects --batch-check='%(objectname)' |
    cut -c1-4 | sort | uniq -d | head -n 1)
check_rc 1 "an ambiguous abbreviation" maestrino $C checkout fix "$amb"
has "names it" "$TMP/out" "'$amb' is ambiguous"
nothing_left "ambiguous"

# ---- the checkouts ----
short=$(git -C "$up" rev-parse --short=9 "$old")
check_rc 0 "an older commit, abbreviated" maestrino $C checkout fix "$short" --build x86 --test smoke
is "prints its id" "$(cat "$TMP/out")" "checkout 2: fix $(git -C "$up" describe --tags --always "$old"), queued"
check_rc 0 "a series of two files" maestrino $C checkout fix master --patch "$p1" --patch "$p2" --build x86 --test smoke --json
is "prints its id as JSON" "$(cat "$TMP/out")" '{"checkout":3}'
check_rc 0 "the same series as one mbox, on the tag" maestrino $C checkout fix v6.1-mended --patch "$TMP/series.mbox" --build x86 --test smoke
is "says what it queued" "$(cat "$TMP/out")" "checkout 4: fix v6.1-mended + 2 patches, queued"
is "the rows" "$(sql "SELECT group_concat(id || ' ' || kind || ' ' || is_tip || ' ' || branch || ' ' || coalesce(ref, '-') || ' ' || commit_hash, ',') FROM checkout")" \
    "1 head 1 master - $head,2 ondemand 0  $short $old,3 ondemand 0 master master $head,4 ondemand 0  v6.1-mended $head"
is "the branch head is still the head" "$(sql "SELECT checkout_id FROM branch_head")" 1
src3=$(sql "SELECT source_commit FROM checkout WHERE id = 3")
is "the patched commit is kept by a ref" "$(git --git-dir="$mirror" rev-parse refs/maestrino/checkouts/3)" "$src3"
is "the mbox makes the same commits" "$(sql "SELECT source_commit FROM checkout WHERE id = 4")" "$src3"
is "one commit per patch, authored as mailed, on the base" \
    "$(git --git-dir="$mirror" log --format='%an %s' "$head..$src3" | tr '\n' ,)" \
    "Test Author ondemand: initialise it,Test Author ondemand: add a driver,"
is "the restriction" "$(sql "SELECT only_builds || only_tests FROM checkout WHERE id = 2")" '["x86"]["smoke"]'

# ---- through every stage ----
# runs until every build is done (the local lab takes one at a time)
runs() {
	_i=0
	while [ $_i -lt 8 ]; do
		maestrino $C run --wait >>"$TMP/runs.log" 2>&1
		[ "$(sql "SELECT count(*) FROM job WHERE kind = 'kbuild' AND state != 'done'")" = 0 ] &&
		    [ "$(sql "SELECT count(*) FROM build WHERE status = 'PASS' AND tests_made = 0")" = 0 ] &&
		    return 0
		_i=$((_i + 1))
	done
	return 1
}
check "runs build and hand the tests to the pull lab" runs
is "the builds" "$(sql "SELECT group_concat(checkout_id || ':' || config_name || '=' || status, ' ') FROM (SELECT * FROM build ORDER BY checkout_id, config_name)")" \
    "1:x86=PASS 1:x86b=PASS 2:x86=FAIL 3:x86=PASS 4:x86=PASS"
is "the tests asked for, on the pull lab" "$(sql "SELECT group_concat(b.checkout_id || ':' || j.config_name, ' ') FROM (SELECT * FROM job WHERE kind = 'test' ORDER BY id) j JOIN build b ON b.id = j.build_id")" \
    "1:smoke 1:smoke2 3:smoke 4:smoke"
tar3=$(sql "SELECT tarball_path FROM checkout WHERE id = 3")
case $tar3 in
tarballs/linux-fix-master-*-ondemand3.tar.gz) ok "the tarball has a name of its own" ;;
*) not_ok "the tarball has a name of its own" "$tar3" ;;
esac
is "the patched tree is what is tarred" \
    "$(tar -xzOf "$storage/$tar3" --wildcards '*/drivers/od.c')" "int od = 1;"
tar2=$(sql "SELECT tarball_path FROM checkout WHERE id = 2")
check "the old commit's tarball is the old tree" sh -c \
    "tar -xzOf '$storage/$tar2' --wildcards '*/Makefile' | grep -q 'broken in this old commit'"

# the head fails a test the patched checkouts pass
mkdir -p "$TMP/farm/results"
sql "SELECT j.id || ' ' || b.checkout_id FROM job j JOIN build b ON b.id = j.build_id WHERE j.kind = 'test'" |
while read -r j co; do
	cp "$top/tests/data/lava/complete-log.yaml" "$TMP/farm/results/$j.log"
	if [ "$co" = 1 ]; then
		cp "$top/tests/data/lava/complete-results.yaml" "$TMP/farm/results/$j.yaml"
	else
		sed 's/result: fail/result: pass/' "$top/tests/data/lava/complete-results.yaml" \
		    >"$TMP/farm/results/$j.yaml"
	fi
done
check "run collects, exports and renders" maestrino $C run
is "the head fails smoke.modules, the patched ones pass it" \
    "$(sql "SELECT group_concat(b.checkout_id || '=' || t.status, ' ') FROM test t JOIN build b ON b.id = t.build_id JOIN job j ON j.id = t.job_id WHERE t.path = 'smoke.modules' AND j.config_name = 'smoke' ORDER BY b.checkout_id")" \
    "1=FAIL 3=PASS 4=PASS"

# ---- KCIDB ----
files=$(ls "$TMP"/var/kcidb/*.json)
check "KCIDB JSON valid against the official schema" kcheck $files
hash=$(cd "$TMP/p" && sha256sum 0001-*.patch 0002-*.patch | cut -c-64 | sha256sum | cut -c-64)
mhash=$(sha256sum "$TMP/series.mbox" | cut -c-64 | sha256sum | cut -c-64)
/usr/bin/python3 - "$storage" "$hash" "$mhash" "$head" "$old" "$p1" "$p2" "$TMP/series.mbox" $files >"$TMP/kc.out" 2>&1 <<'EOF'
import json, os, sys
storage, hash3, hash4, head, old, p1, p2, mbox = sys.argv[1:9]
co = {}
for f in sys.argv[9:]:
    for c in json.load(open(f)).get("checkouts", []):
        co[c["id"].rsplit(".", 1)[1]] = c
def files_ok(c, want):
    got = c["patchset_files"]
    assert [g["name"] for g in got] == [os.path.basename(w) for w in want], got
    for g, w in zip(got, want):
        assert g["url"].startswith("file://"), g
        path = g["url"][len("file://"):]
        assert path.startswith(storage + "/patches/"), path
        assert open(path, "rb").read() == open(w, "rb").read(), path
c2, c3, c4 = co["c2"], co["c3"], co["c4"]
assert c2["git_commit_hash"] == old and c2["patchset_hash"] == "" and c2["patchset_files"] == [], c2
assert c3["git_commit_hash"] == head and c3["patchset_hash"] == hash3, c3
assert c4["git_commit_hash"] == head and c4["patchset_hash"] == hash4, c4
files_ok(c3, [p1, p2])
files_ok(c4, [mbox])
assert c3["git_repository_branch"] == "master" and "git_repository_branch" not in c4, c4
assert not c3["git_repository_branch_tip"] and co["c1"]["git_repository_branch_tip"]
assert "patchset_hash" not in co["c1"]
print("ok")
EOF
is "patchset_files name stored copies of the patches, patchset_hash as sha256sum makes it" "$(cat "$TMP/kc.out")" ok

# ---- the site ----
api=$TMP/public/api
py() {
	_f=$1
	_code=$2
	shift 2
	/usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); $_code" "$_f" "$@"
}
is "the on-demand page says so, with its ref and patches" \
    "$(py "$api/c/3.json" 'print(d["kind"], d["ref"], d["commit"] == sys.argv[2], [p["name"] for p in d["patches"]], d["patchset_hash"] == sys.argv[3], d["previous_checkout"])' "$head" "$hash")" \
    "ondemand master True ['$(basename "$p1")', '$(basename "$p2")'] True None"
for n in 2 3 4; do
	is "checkout $n on demand is compared with nothing" \
	    "$(py "$api/c/$n.json" 'print(d["previous_checkout"], sum(len(v) for v in d["changes"].values()))')" "None 0"
done
is "the head is a head" "$(py "$api/c/1.json" 'print(d["kind"], "patches" in d)')" "head False"
check "the page links the stored patches" grep -q "patches/$hash/0001-$(basename "$p1")" "$TMP/public/c/3.html"
tree=$(ls "$api"/tree/fix/master.json 2>/dev/null || find "$api" -name 'master.json' | head -n 1)
is "the branch's history holds only its head" "$(py "$tree" 'print([c["id"] for c in d["checkouts"]])')" "[1]"
is "its checkouts on demand are listed apart" "$(py "$tree" 'print([c["id"] for c in d["ondemand"]])')" "[4, 3, 2]"
is "no open regression from the old commit's failed build" \
    "$(py "$api/regressions.json" 'print(d["regressions"])')" "[]"
is "the branch's latest is its head" "$(py "$api/index.json" 'print([b["id"] for b in d["branches"]])')" "[1]"

# a new head is compared with the head before it, not with the on-demand ones
commit "$up" "a new head" README "new"
check "a new head runs" runs
is "it is checkout 5" "$(sql "SELECT id || ' ' || kind FROM checkout WHERE is_tip = 1")" "5 head"
is "its previous checkout is the head before it" \
    "$(py "$api/c/5.json" 'print(d["previous_checkout"])')" 1
is "the history still holds only heads" "$(py "$tree" 'print([c["id"] for c in d["checkouts"]])')" "[5, 1]"

# with storage.upload_url, the patches are uploaded as tarballs are
port=$((20000 + $$ % 20000))
cat >"$TMP/put.py" <<'EOF2'
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(os.path.join(sys.argv[2], os.path.basename(self.path)), "wb").write(body)
        self.send_response(201); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF2
mkdir -p "$TMP/uploaded"
/usr/bin/python3 "$TMP/put.py" "$port" "$TMP/uploaded" &
srv=$!
wait_port "$port"
settings_add 'storage:' "  upload_url: http://127.0.0.1:$port/up"
check_rc 0 "a patch with an upload URL" maestrino $C checkout fix master --patch "$p1" --json
id=$(py "$TMP/out" 'print(d["checkout"])')
h1=$(sha256sum "$p1" | cut -c-64 | sha256sum | cut -c-64)
is "its URL is the uploaded one" "$(sql "SELECT json_extract(patches, '\$[0].url') FROM checkout WHERE id = $id")" \
    "http://127.0.0.1:$port/up/patches/$h1/0001-$(basename "$p1")"
check "the uploaded file is the patch" cmp "$p1" "$TMP/uploaded/0001-$(basename "$p1")"
kill $srv
check_rc 2 "an upload that fails" maestrino $C checkout fix master --patch "$p1" --patch "$p2"
has "says so, naming the patch" "$TMP/out" "patch '$p1': "
is "and records nothing" "$(sql "SELECT count(*) FROM checkout WHERE id > $id")" 0

# ---- what a tree's owner or a list can word against us ----
# (no upload from here on: the two lines settings_add wrote go)
sed -i '/^  storage:$/d; /^    upload_url: /d' "$TMP/configs/settings.yaml"
# a tag named as the full id of one commit, pointing at another
git -C "$up" tag "$head" "$old"
check_rc 0 "a full id that a tag of the tree is named" maestrino $C checkout fix "$head" --json
id=$(py "$TMP/out" 'print(d["checkout"])')
is "is that commit, never the tag's" "$(sql "SELECT commit_hash FROM checkout WHERE id = $id")" "$head"
git -C "$up" tag -d "$head" >/dev/null
# a name and subject with encoded line breaks stay one line each
sed -e 's/^From: .*/From: =?UTF-8?q?Evil=0A::error::x?= <evil@example.org>/' \
    -e 's/^Subject: .*/Subject: [PATCH] =?UTF-8?q?one=0D=0Atree 0000?=/' \
    "$p1" >"$TMP/crlf.patch"
check_rc 0 "a mail whose name and subject hold line breaks" maestrino $C checkout fix master --patch "$TMP/crlf.patch" --json
id=$(py "$TMP/out" 'print(d["checkout"])')
src=$(sql "SELECT source_commit FROM checkout WHERE id = $id")
is "its commit's author is one line" "$(git --git-dir="$mirror" log -1 --format='%an <%ae>' "$src")" \
    "Evil ::error::x <evil@example.org>"
is "and its subject" "$(git --git-dir="$mirror" log -1 --format=%s "$src")" "one tree 0000"
check "and the commit reads back whole" git --git-dir="$mirror" fsck --no-dangling --no-progress
# a rename onto a file that is there, which git am refuses
cat >"$TMP/rename.patch" <<'EOF2'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: A U Thor <a@example.org>
Date: Mon, 1 Jan 2024 00:00:00 +0000
Subject: [PATCH] harmless rename

---
diff --git a/Makefile b/README
similarity index 100%
rename from Makefile
rename to README
EOF2
n=$(rows)
check_rc 1 "a rename onto a file that exists" maestrino $C checkout fix master --patch "$TMP/rename.patch"
has "is refused, naming it" "$TMP/out" "at 'README': it already exists"
is "and records nothing" "$(rows)" "$n"

done_testing
