#!/bin/sh
# Issue 12, item 6: names derived from config names must never collide.
# Test smoke on platform x-y and test smoke-x on platform y shared a job
# id; tree a with branch b-c and tree a-b with branch c shared tarball,
# badge and feed names; a tree called regressions or a platform called
# index took the place of a site page.  Job ids are injective now, and
# what would still collide is refused at config load with file:line.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo platforms:
	yaml_platform x-y board-one grub
	yaml_platform y board-two grub
	yaml_pull_lab
	echo tests:
	yaml_test smoke smoke farm x-y
	yaml_test smoke-x baseline farm y
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "build, then make the test jobs" sh -c "maestrino $C poll &&
    maestrino $C tarball && maestrino $C jobs && maestrino $C submit &&
    maestrino $C collect --wait && maestrino $C jobs"
is "two test jobs with two ids" \
    "$(sql "SELECT count(DISTINCT id) FROM job WHERE kind = 'test'")" 2
for t in smoke smoke-x; do
	id=$(sql "SELECT id FROM job WHERE config_name = '$t'")
	def=$(sql "SELECT definition FROM job WHERE config_name = '$t'")
	plat=$(sql "SELECT platform FROM job WHERE config_name = '$t'")
	grep -q "device_type: board-$(test "$plat" = y && echo two || echo one)" "$def" &&
	    ok "job $id is the definition of $t on $plat" ||
	    not_ok "job $id is the definition of $t on $plat" "$(head -n 5 "$def")"
done
check_rc 0 "both go to the lab" maestrino $C submit
has "two submitted" "$TMP/out" "2 submitted"

# results whose names differ only in what a KCIDB path cannot hold
id=$(sql "SELECT id FROM job WHERE config_name = 'smoke'")
mkdir -p "$TMP/farm/results"
cat >"$TMP/farm/results/$id.yaml" <<'EOF2'
- {suite: lava, name: login-action, result: pass}
- {suite: 0_net, name: "ping:v4", result: fail}
- {suite: 0_net, name: ping v4, result: pass}
- {suite: 1_net, name: ping/v4, result: pass}
- {suite: lava, name: job, result: pass}
EOF2
check_rc 0 "collect results whose names become one path" maestrino $C collect
has "says so" "$TMP/out" "2 result names became a path another result has"
is "each result keeps a row of its own" \
    "$(sql "SELECT count(*) FROM test WHERE job_id = '$id' AND path LIKE 'net.ping_v4%'")" 3
is "and the failure is not lost" \
    "$(sql "SELECT status FROM test WHERE job_id = '$id' AND path = 'net.ping_v4'")" FAIL

# names that would run into each other, and names of site pages
bad() {
	mkdir -p "$TMP/bad"
	cp "$TMP/configs/settings.yaml" "$TMP/bad/"
	cat >"$TMP/bad/c.yaml"
	run maestrino -c "$TMP/bad" status
}
bad <<EOF2
$(yaml_tree a "$up" b-c; yaml_tree_entry a-b "$up" c)
EOF2
is "trees whose tarball, badge and feed names would collide: exit 2" "$rc" 2
has "naming both, with file:line" "$TMP/out" \
    "c.yaml:7:15: error: trees.a branch 'b-c' and trees.a-b branch 'c' would share tarball names"
bad <<EOF2
$(yaml_tree regressions "$up" master)
platforms:
$(yaml_platform index x86-pc grub)
EOF2
is "reserved names: exit 2" "$rc" 2
has "a tree called regressions is refused" "$TMP/out" \
    "c.yaml:2:3: error: trees: 'regressions' is a reserved name"
has "a platform called index is refused" "$TMP/out" \
    "c.yaml:6:3: error: platforms: 'index' is a reserved name"
long=$(printf 'p%.0s' $(seq 1 65))
bad <<EOF2
platforms:
$(yaml_platform "$long" x86-pc grub)
EOF2
is "a name longer than 64 characters: exit 2" "$rc" 2
has "is refused" "$TMP/out" "is longer than 64 characters"

# a tag moved to another commit describes both alike: their tarballs
# must still be two files, or the first checkout's builds would fetch
# the second's source
mkdir -p "$TMP/moved"
{
	printf 'settings:\n  origin: test\n  data_dir: %s\n' "$TMP/var2"
	yaml_tree fix "$up" master
	yaml_x86_build
} >"$TMP/moved/c.yaml"
M="-c $TMP/moved"
git -C "$up" tag v9
check "the first checkout, tagged v9, gets its tarball" sh -c "
    maestrino $M poll && maestrino $M tarball"
commit "$up" "moved" NEWS moved
git -C "$up" tag -f v9 >/dev/null
check "the tag moves to the next commit; its tarball too" sh -c "
    maestrino $M poll && maestrino $M tarball"
s2() { sqlite3 -batch -noheader "$TMP/var2/state.db" "$1"; }
is "both are described as v9" "$(s2 "SELECT group_concat(describe) FROM checkout")" "v9,v9"
is "with two tarballs" "$(s2 "SELECT count(DISTINCT tarball_path) FROM checkout")" 2
check_rc 0 "the builds of both" maestrino $M run --wait
is "both pass: neither fetched the other's source" \
    "$(s2 "SELECT group_concat(status) FROM build")" "PASS,PASS"
done_testing
