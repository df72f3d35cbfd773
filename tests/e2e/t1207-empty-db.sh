#!/bin/sh
# Issue 12, item 7: a state.db truncated to zero bytes was taken for a new
# database: ids began at 1 again and the next run wrote over the jobs,
# artifacts and pages of the old history.  A database file without a
# schema beside earlier work is an error (exit 2) that says what to do.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
{
	yaml_tree fix "$up" master
	yaml_x86_build
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check_rc 0 "a first run" maestrino $C run --wait
sqlite3 "$TMP/var/state.db" ".backup '$TMP/backup.db'"
cp "$TMP/var/storage/builds/b1-x86/build.log" "$TMP/build.log.before"
commit "$up" "second" NEWS 2
rm -f "$TMP/var/state.db-wal" "$TMP/var/state.db-shm"
: >"$TMP/var/state.db"
check_rc 2 "a run over a zero-byte state.db: exit 2" maestrino $C run --wait
has "says the file holds no database" "$TMP/out" \
    "state.db exists but holds no database"
has "and says what to do" "$TMP/out" "Restore the database from a backup"
is "the file is left as it was" "$(stat -c %s "$TMP/var/state.db")" 0
cmp -s "$TMP/var/storage/builds/b1-x86/build.log" "$TMP/build.log.before" &&
    ok "nothing of the old history was written over" ||
    not_ok "nothing of the old history was written over"
for s in poll status; do
	check_rc 2 "maestrino $s refuses it too" maestrino $C $s
done
cp "$TMP/backup.db" "$TMP/var/state.db"
check_rc 0 "restored from the backup, the next run carries on" \
    maestrino $C run --wait
is "with the next ids" "$(sql 'SELECT max(id) FROM checkout')" 2

# a state.db that is gone altogether is refused the same way
rm -f "$TMP/var/state.db" "$TMP/var/state.db-wal" "$TMP/var/state.db-shm"
check_rc 2 "a run without its state.db beside earlier work: exit 2" \
    maestrino $C run --wait
has "says the database does not exist" "$TMP/out" \
    "state.db does not exist, while"
test ! -e "$TMP/var/state.db" && ok "and makes none" ||
    not_ok "and makes none"
cp "$TMP/backup.db" "$TMP/var/state.db"

# no earlier work: an empty file is a fresh start
config_dir
sed -i "s|data_dir: .*|data_dir: $TMP/fresh|" "$TMP/configs/settings.yaml"
mkdir -p "$TMP/fresh"
: >"$TMP/fresh/state.db"
check_rc 0 "an empty file in an empty data dir is a fresh start" \
    maestrino $C poll
done_testing
