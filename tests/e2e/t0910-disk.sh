#!/bin/sh
# A full disk and a read-only one.  With storage.path on a tiny tmpfs
# that fills up, the tarball stage names the checkout and the cause,
# leaves no partial file, does not hold it against the checkout, and the
# next run succeeds once there is space again.  A read-only data dir is
# one clear exit-2 message from every command.  Mounting needs root (or
# sudo, as on CI runners).
. "$(dirname "$0")/lib.sh"

need_root "mounting a tmpfs"
mounts=""
cleanup() {
	for m in $mounts; do
		$SUDO umount "$m" 2>/dev/null
	done
}
trap cleanup EXIT
# tmpfs DIR SIZE: a tmpfs of SIZE at DIR, owned by us
tmpfs() {
	mkdir -p "$1"
	$SUDO mount -t tmpfs -o "size=$2,mode=0755,uid=$(id -u),gid=$(id -g)" \
	    tmpfs "$1" || return 1
	mounts="$1 $mounts"
}

up=$TMP/up
fixture_repo "$up"
# 256 KiB that do not compress: the tarball cannot fit in what is left
head -c 262144 /dev/urandom >"$up/firmware.bin"
git -C "$up" add firmware.bin
commit "$up" "firmware"

config_dir
settings_add 'storage:' "  path: $TMP/storage" 'site:' \
    "  path: $TMP/var/site"
{
	yaml_tree fix "$up" master
	yaml_x86_build
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"

check "a 512 KiB tmpfs for storage" tmpfs "$TMP/storage" 512k
mkdir -p "$TMP/storage/tarballs"
# fill it, but for 128 KiB
dd if=/dev/zero of="$TMP/storage/filler" bs=4k 2>/dev/null
used=$(stat -c %s "$TMP/storage/filler")
rm -f "$TMP/storage/filler"
head -c $((used - 131072)) /dev/zero >"$TMP/storage/filler"

check_rc 1 "a full disk fails the run's tarball" maestrino $C run --wait
cp "$TMP/out" "$TMP/full.out"
has "naming the checkout" "$TMP/full.out" "checkout 1 (fix/master"
has "and the cause" "$TMP/full.out" "No space left on device"
has "the total says which stage failed" "$TMP/full.out" \
    "failed: tarball exit 1"
is "no partial tarball" "$(ls -A "$TMP/storage/tarballs")" ""
is "the error is recorded" \
    "$(sql "SELECT tarball_state, tarball_error LIKE '%No space left%' FROM checkout")" \
    "failed|1"
is "but not held against the checkout" \
    "$(sql "SELECT tarball_attempts, tarball_next <= strftime('%s', 'now') FROM checkout")" \
    "0|1"
check_rc 0 "status shows it" maestrino $C status
has "with the cause" "$TMP/out" "No space left on device"

rm -f "$TMP/storage/filler"
check_rc 0 "with space again, the next run succeeds" maestrino $C run --wait
has "it makes the tarball" "$TMP/out" "1 made"
is "the tarball is whole" \
    "$(sql "SELECT tarball_state FROM checkout")" "done"
check "and matches its sha256" sh -c "cd '$TMP/storage' && sqlite3 '$TMP/var/state.db' \"SELECT tarball_sha256 || '  ' || tarball_path FROM checkout\" | sha256sum -c --quiet -"
is "the build ran" "$(sql "SELECT status FROM build")" PASS
is "no temporary file anywhere" \
    "$(find "$TMP/storage" "$TMP/var" -name '*.tmp*' | wc -l)" 0

# a data dir that cannot be written
check "a tmpfs data dir" tmpfs "$TMP/ro" 4m
cp -a "$TMP/var/." "$TMP/ro/"
sed "s|data_dir: $TMP/var|data_dir: $TMP/ro|" "$TMP/configs/settings.yaml" \
    >"$TMP/ro.yaml"
mv "$TMP/ro.yaml" "$TMP/configs/settings.yaml"
check "made read-only" $SUDO mount -o remount,ro "$TMP/ro"
check_rc 2 "run: exit 2" maestrino $C run --wait
has "run: a clear message" "$TMP/out" \
    "data directory '$TMP/ro' is not writable: Read-only file system"
lines=$(grep -c . "$TMP/out")
test "$lines" -le 2 && ok "run: one message, not a cascade" ||
    not_ok "run: one message, not a cascade" "$(cat "$TMP/out")"
for s in poll tarball jobs submit collect kcidb site; do
	check_rc 2 "$s: exit 2" maestrino $C "$s"
	has "$s: the same message" "$TMP/out" "is not writable: Read-only file system"
done
check_rc 0 "status still reads it" maestrino $C status
has "status shows the build" "$TMP/out" "1 builds"

cleanup
mounts=""
done_testing
