#!/bin/sh
# Uploading artifacts to remote storage: storage_upload() (bench/upload.c:
# the SHA-256, the upload table, the PUT through libcurl, the row) to a
# real WebDAV server (Debian's nginx, tests/e2e/dav.sh on 127.0.0.1)
# against `curl -T` of the same files to the same server: one 10 MiB
# file (a kernel image), and 32 files of 256 KiB (a build's small
# artifacts and logs) against one curl for all (one connection) and one
# curl per file.  Best of five each.
. "$(dirname "$0")/lib.sh"

[ -x /usr/sbin/nginx ] || { echo "bench: nginx is missing (scripts/deps.sh test)" >&2; exit 2; }
[ -x "$top/build/bench/upload" ] || { echo "bench: build/bench/upload is missing (make bench)" >&2; exit 2; }
. "$top/tests/e2e/ports.sh"
# shellcheck disable=SC2034 # dav.sh works in $TMP
TMP=$BTMP
DAV_TOKEN=bench-token
export BENCH_TOKEN=$DAV_TOKEN
. "$top/tests/e2e/dav.sh"
trap 'dav_stop; rm -rf "$BTMP"' EXIT
dav_start ok || exit 2
pub="http://127.0.0.1:$dav_port/dav/"

mkdir -p "$BTMP/c" "$BTMP/var/store/builds/big" "$BTMP/var/store/builds/small"
printf 'settings:\n  data_dir: %s/var\n  storage:\n    path: %s/var/store\n    upload_url: %s\n    token_env: BENCH_TOKEN\n' \
    "$BTMP" "$BTMP" "$pub" >"$BTMP/c/settings.yaml"
head -c 10485760 /dev/urandom >"$BTMP/var/store/builds/big/bzImage"
small=""
for i in $(seq -w 1 32); do
	head -c 262144 /dev/urandom >"$BTMP/var/store/builds/small/f$i"
	small="$small builds/small/f$i"
done

# ours REL...: the best of five of build/bench/upload, in $best
ours() {
	best=999
	for _ in 1 2 3 4 5; do
		out=$("$top/build/bench/upload" "$BTMP/c" "$@") || exit 1
		best=$(least "$(echo "$out" | cut -d' ' -f3)" "$best")
	done
}
# curls REL...: the best of five of one `curl -T` per file, in $best
curls() {
	best=999
	for _ in 1 2 3 4 5; do
		t0=$(now)
		for r in "$@"; do
			curl -fsS -o /dev/null -H "Authorization: Bearer $DAV_TOKEN" \
			    -T "$BTMP/var/store/$r" "$pub$r" || exit 1
		done
		best=$(least "$(elapsed "$t0" "$(now)")" "$best")
	done
}

ours builds/big/bzImage
big_ours=$best
curls builds/big/bzImage
big_curl=$best
cmp -s "$BTMP/var/store/builds/big/bzImage" "$DAV/www/dav/builds/big/bzImage" ||
    { echo "bench: the upload differs" >&2; exit 1; }
# shellcheck disable=SC2086
ours $small
small_ours=$best
# shellcheck disable=SC2086
curls $small
small_curls=$best
# one curl for all 32: -T "{f01,...}" to the directory, one connection
list=$(cd "$BTMP/var/store/builds/small" && ls | paste -sd, -)
best=999
for _ in 1 2 3 4 5; do
	t0=$(now)
	(cd "$BTMP/var/store/builds/small" && curl -fsS -o /dev/null \
	    -H "Authorization: Bearer $DAV_TOKEN" -T "{$list}" \
	    "${pub}builds/small/") || exit 1
	best=$(least "$(elapsed "$t0" "$(now)")" "$best")
done
small_curl=$best
report "upload a 10 MiB artifact" "$big_ours" s \
    "curl -T, the same file" "$big_curl" "< 2"
report "upload 32 artifacts of 256 KiB" "$small_ours" s \
    "one curl -T of all 32" "$small_curl" "< 2"
report "upload 32 artifacts of 256 KiB" "$small_ours" s \
    "a curl -T per file" "$small_curls" "< 1"
