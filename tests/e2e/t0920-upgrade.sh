#!/bin/sh
# Upgrades: a state.db written by the first release (schema version 1,
# tests/data/upgrade/state-v1.sql, made by that release's maestrino-poll)
# migrates to the current schema, keeps a copy of itself first, loses
# nothing, and the whole pipeline carries on from it.
. "$(dirname "$0")/lib.sh"
fixture=$top/tests/data/upgrade
# shellcheck disable=SC2034 # trees.sh copies it
# the fake kernel as it was when the fixture was made: its commits are
# the fixture's
fake_kernel=$fixture/fake-kernel
. "$fixture/trees.sh"

# the same trees, so the same commits, as when the fixture was made
make_trees "$TMP"
advance_trees "$TMP"
mkdir -p "$TMP/var"
sed "s|@TMP@|$TMP|g" "$fixture/state-v1.sql" | sqlite3 "$TMP/var/state.db"
is "the fixture is schema version 1" "$(sql 'PRAGMA user_version')" 1
sql "SELECT tree, branch, commit_hash, describe, tags, subject, commit_time
    FROM checkout ORDER BY id" >"$TMP/before"
is "with three checkouts" "$(wc -l <"$TMP/before")" 3

config_dir
settings_add 'site:' "  path: $TMP/var/site"
{
	yaml_tree fix "$TMP/up" "master, stable"
	yaml_x86_build
	echo platforms:
	yaml_platform board x86-pc grub
	yaml_pull_lab
	echo tests:
	yaml_test smoke smoke farm board
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"

check_rc 2 "status will not read an old schema" maestrino $C status
has "and says how to upgrade it" "$TMP/out" \
    "schema version 1 is older than this binary's"
is "status changed nothing" "$(sql 'PRAGMA user_version')" 1

check_rc 0 "a run upgrades it and carries on" maestrino $C run --wait
has "it says so" "$TMP/out" "to schema version"
latest=$(sed -n 's/.*migrated .* to schema version \([0-9]*\)$/\1/p' \
    "$TMP/out" | tail -n 1)
is "to the newest version" "$(sql 'PRAGMA user_version')" "$latest"
test "$latest" -gt 1 && ok "past version 1" || not_ok "past version 1" "$latest"
has "a copy was kept first" "$TMP/out" "state.db.schema-1.bak"
is "the copy is the old database" \
    "$(sqlite3 "$TMP/var/state.db.schema-1.bak" 'PRAGMA user_version; SELECT count(*) FROM checkout')" \
    "1
3"
sql "SELECT tree, branch, commit_hash, describe, tags, subject, commit_time
    FROM checkout WHERE id <= 3 ORDER BY id" >"$TMP/after"
if cmp -s "$TMP/before" "$TMP/after"; then
	ok "the old checkouts are kept as they were"
else
	not_ok "the old checkouts are kept as they were" \
	    "$(diff "$TMP/before" "$TMP/after")"
fi
is "the instance id survives" "$(sql "SELECT value FROM meta WHERE key = 'instance'")" \
    "$(sed -n "s/^INSERT INTO meta VALUES('instance','\([0-9a-f]*\)');/\1/p" "$fixture/state-v1.sql")"
is "no checkout made twice" "$(sql 'SELECT count(*) FROM checkout')" 3
is "the old checkouts count as looked at for regressions: no bisection" \
    "$(sql 'SELECT count(*) FROM checkout WHERE bisect_scanned = 0')" 0
is "tarballs for the old checkouts" \
    "$(sql "SELECT group_concat(tarball_state) FROM checkout")" "done,done,done"
is "their builds passed" \
    "$(sql "SELECT count(*) FROM build WHERE status = 'PASS'")" \
    "$(sql "SELECT count(*) FROM job WHERE kind = 'kbuild'")"
test "$(sql "SELECT count(*) FROM build")" -gt 0 &&
    ok "there are builds" || not_ok "there are builds"
check "their tests went to the lab" test -n "$(ls "$TMP/farm")"
check "valid KCIDB from the old data" /usr/bin/python3 \
    "$top/tests/e2e/kcidb-check.py" "$top/tests/data/kcidb/schema-v5.3.json" \
    "$TMP"/var/kcidb/*.json
check "the site shows the old checkouts" grep -q "v6.1-2-g" \
    "$TMP/var/site/index.html"

check_rc 0 "status reads it now" maestrino $C status
check_rc 0 "a second run" maestrino $C run
hasnt "migrates nothing more" "$TMP/out" "migrated"
hasnt "and makes no second copy" "$TMP/out" ".bak"

# an interrupted upgrade: the copy is made whole or not at all
rm -f "$TMP/var/state.db.schema-1.bak"
sed "s|@TMP@|$TMP|g" "$fixture/state-v1.sql" | sqlite3 "$TMP/old.db"
: >"$TMP/old.db.schema-1.bak.tmp"
cp "$TMP/old.db" "$TMP/var/state.db"
rm -f "$TMP/var/state.db-wal" "$TMP/var/state.db-shm"
mv "$TMP/old.db.schema-1.bak.tmp" "$TMP/var/state.db.schema-1.bak.tmp"
check_rc 0 "an upgrade after one that was cut short" maestrino $C poll
is "makes its copy" "$(sqlite3 "$TMP/var/state.db.schema-1.bak" 'PRAGMA user_version')" 1
check "and leaves no temporary file" test ! -e "$TMP/var/state.db.schema-1.bak.tmp"

# a database from the future is refused, not damaged
sql "PRAGMA user_version = 999"
check_rc 2 "a newer schema is refused" maestrino $C run
has "with a clear message" "$TMP/out" "newer than this binary understands"
is "and left alone" "$(sql 'PRAGMA user_version')" 999

done_testing
