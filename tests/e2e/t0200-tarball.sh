#!/bin/sh
# The tarball stage on a fixture tree full of awkward entries: its content
# must equal git archive's, its bytes must not depend on the machine, and
# a failure must leave nothing half-written.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
kernel_repo "$up" 6 6 3
cd "$up" || exit 2
mkdir -p bin data "dir with space" "café" ignored-dir
printf '#!/bin/sh\necho hi\n' >bin/run.sh
chmod +x bin/run.sh
: >data/empty
head -c 4096 /dev/urandom >data/blob.bin
printf 'a\0b\0c' >>data/blob.bin
ln -s ../data/blob.bin bin/link
ln -s no/such/target dangling
echo space >"dir with space/file name.txt"
echo utf8 >"café/naïve – ü.txt"
long=$(printf 'd%.0s' $(seq 1 60))
mkdir -p "$long/$long"
echo deep >"$long/$long/long-path-file.txt"
name250=$(printf 'n%.0s' $(seq 1 246)).txt
echo long-name >"data/$name250"
echo secret >secret.txt
echo gone >ignored-dir/x
printf 'secret.txt export-ignore\nignored-dir export-ignore\n' >.gitattributes
git add -A
git update-index --add --cacheinfo \
    160000,1234567890123456789012345678901234567890,vendor/sub
commit "$up" "awkward entries"
cd "$TMP" || exit 2
git -C "$up" branch -q stable/v6.6 master~1

config_dir
settings_add 'retry_delay: 0'
yaml_tree up "$up" "master, stable/v6.6" >"$TMP/configs/trees.yaml"
C="-c $TMP/configs"
check "poll" maestrino $C poll

check_rc 0 "tarball stage" maestrino $C tarball
has "summary" "$TMP/out" "maestrino-tarball: 2 made, 0 kept, 0 failed"
desc=$(git -C "$up" describe --always --tags master)
name="linux-up-master-$desc"
tgz="$TMP/var/storage/tarballs/$name.tar.gz"
[ -f "$tgz" ] && ok "named linux-<tree>-<branch>-<describe>.tar.gz" ||
    not_ok "no $tgz" "$(ls "$TMP/var/storage/tarballs")"
sdesc=$(git -C "$up" describe --always --tags stable/v6.6)
[ -f "$TMP/var/storage/tarballs/linux-up-stable_v6.6-$sdesc.tar.gz" ] &&
    ok "a '/' in the branch becomes '_'" || not_ok "slash branch name"

mkdir -p "$TMP/ours" "$TMP/git"
tar -xzf "$tgz" -C "$TMP/ours"
git -C "$up" -c tar.umask=022 archive --prefix="$name/" master |
    tar -x -C "$TMP/git"
check "same files and bytes as git archive (diff -r)" \
    diff -r --no-dereference "$TMP/ours" "$TMP/git"
(cd "$TMP/ours" && find . -printf '%y %m %p -> %l\n' | sort) >"$TMP/ours.ls"
(cd "$TMP/git" && find . -printf '%y %m %p -> %l\n' | sort) >"$TMP/git.ls"
check "same types, modes and link targets" diff -u "$TMP/git.ls" "$TMP/ours.ls"
has "executable is 755" "$TMP/ours.ls" "f 755 ./$name/bin/run.sh"
has "plain file is 644" "$TMP/ours.ls" "f 644 ./$name/data/empty"
has "symlink kept" "$TMP/ours.ls" "l 777 ./$name/bin/link -> ../data/blob.bin"
has "submodule is an empty directory" "$TMP/ours.ls" "d 755 ./$name/vendor/sub"
has "UTF-8 name" "$TMP/ours.ls" "./$name/café/naïve – ü.txt"
has "250-byte file name" "$TMP/ours.ls" "./$name/data/$name250"
hasnt "export-ignore file left out" "$TMP/ours.ls" "secret.txt"
hasnt "export-ignore directory left out" "$TMP/ours.ls" "ignored-dir"
tar -tvzf "$tgz" >"$TMP/tv"
has "owner root/root" "$TMP/tv" "root/root"
is "mtime is the commit time" \
    "$(stat -c %Y "$TMP/ours/$name/data/empty")" \
    "$(git -C "$up" log -1 --format=%ct master)"
check "python's tarfile reads it" /usr/bin/python3 -c '
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    names = t.getnames()
assert any(n.endswith("long-path-file.txt") for n in names), names
' "$tgz"

sha=$(sha256sum "$tgz" | cut -d' ' -f1)
is "sha256 recorded" "$(sql "SELECT tarball_sha256 FROM checkout WHERE branch = 'master'")" "$sha"
is "size recorded" "$(sql "SELECT tarball_size FROM checkout WHERE branch = 'master'")" \
    "$(stat -c %s "$tgz")"
is "url recorded" "$(sql "SELECT tarball_url FROM checkout WHERE branch = 'master'")" \
    "file://$TMP/var/storage/tarballs/$name.tar.gz"
check "status shows the tarball" sh -c "maestrino $C status | grep -qF '$sha'"

check_rc 0 "a second run" maestrino $C tarball
has "keeps both" "$TMP/out" "0 made, 2 kept, 0 failed"

# reproducible: another time, umask and time zone give the same bytes
rm "$tgz"
(umask 077; TZ=Asia/Tokyo maestrino $C tarball >"$TMP/out" 2>&1)
has "a missing tarball is made again" "$TMP/out" "1 made, 1 kept"
is "same sha256 under another umask and time zone" \
    "$(sha256sum "$tgz" | cut -d' ' -f1)" "$sha"
is "mode 644 whatever the umask" "$(stat -c %a "$tgz")" 644

printf 'garbage' | dd of="$tgz" bs=1 seek=1000 conv=notrunc 2>/dev/null
touch -d @0 "$tgz"
check_rc 0 "a corrupt tarball" maestrino $C tarball
has "is noticed" "$TMP/out" "does not match its sha256"
is "and made again, identical" "$(sha256sum "$tgz" | cut -d' ' -f1)" "$sha"

# other compressions
for c in xz zst; do
	sed -i '/compression/d; /tarball:/d' "$TMP/configs/settings.yaml"
	printf '  tarball:\n    compression: %s\n' $c >>"$TMP/configs/settings.yaml"
	sql "UPDATE checkout SET tarball_state = 'pending'"
	check_rc 0 "$c tarball" maestrino $C tarball
	f="$TMP/var/storage/tarballs/$name.tar.$c"
	rm -rf "$TMP/x"
	mkdir -p "$TMP/x"
	case $c in
	xz) tar -xJf "$f" -C "$TMP/x" ;;
	zst) zstd -qdc "$f" | tar -x -C "$TMP/x" ;;
	esac
	check "$c content equals git archive" \
	    diff -r --no-dereference "$TMP/x" "$TMP/git"
	s1=$(sha256sum "$f" | cut -d' ' -f1)
	sql "UPDATE checkout SET tarball_state = 'pending'"
	run maestrino $C tarball
	is "$c is reproducible" "$(sha256sum "$f" | cut -d' ' -f1)" "$s1"
done
sed -i '/compression/d; /tarball:/d' "$TMP/configs/settings.yaml"

# a missing object in the mirror fails that checkout only: a new mirror
# hard-links the source's loose objects, one of which is then lost
commit "$up" "another" extra.txt 'extra'
git -C "$up" checkout -q -b other master~1
commit "$up" "fine" fine.txt 'fine'
{
	yaml_tree broken "$up" master
	yaml_tree_entry up2 "$up" other
} >"$TMP/configs/trees.yaml"
run maestrino $C poll
obj=$(git -C "$up" rev-parse master:extra.txt)
loose="$TMP/var/git/broken.git/objects/$(echo "$obj" | cut -c1-2)/$(echo "$obj" | cut -c3-)"
[ -f "$loose" ] && ok "the mirror holds the object loose" || not_ok "not loose: $loose"
rm -f "$loose"
check_rc 1 "a missing object fails with exit 1" maestrino $C tarball
has "naming the checkout" "$TMP/out" "(broken/master"
has "and the file and object" "$TMP/out" "cannot read 'extra.txt' ($obj)"
is "marked failed" "$(sql "SELECT tarball_state FROM checkout WHERE tree = 'broken'")" failed
has "the other checkout goes on" "$TMP/out" "(up2/other"
is "no partial file is left" "$(find "$TMP/var/storage/tarballs" -name '*tmp*' | wc -l)" 0
check "status shows the error" sh -c "maestrino $C status | grep -q 'error: .*extra.txt'"
is "a retry is due after retry_delay" \
    "$(sql "SELECT tarball_attempts, tarball_next IS NOT NULL FROM checkout WHERE tree = 'broken'")" "1|1"
cp "$TMP/var/git/up.git/objects/pack/"* "$TMP/var/git/broken.git/objects/pack/" 2>/dev/null
git -C "$up" cat-file blob "$obj" | git --git-dir="$TMP/var/git/broken.git" hash-object -w --stdin >/dev/null
check_rc 0 "once the object is back, the retry succeeds" maestrino $C tarball
is "marked done" "$(sql "SELECT tarball_state, tarball_error IS NULL FROM checkout WHERE tree = 'broken'")" "done|1"

# upload with PUT and a bearer token; the recorded URL is the uploaded one
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/put.py" <<'EOF2'
import http.server, os, sys
fails = [1]
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        n = int(self.headers["Content-Length"])
        body = self.rfile.read(n)
        if self.headers.get("Authorization") != "Bearer up-secret-token":
            self.send_response(401); self.end_headers(); return
        if fails[0] > 0:
            fails[0] -= 1
            self.send_response(503); self.end_headers(); return
        path = os.path.join(sys.argv[2], os.path.basename(self.path))
        open(path, "wb").write(body)
        self.send_response(201); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF2
mkdir -p "$TMP/uploaded"
/usr/bin/python3 "$TMP/put.py" "$port" "$TMP/uploaded" &
srv=$!
sleep 0.5
settings_add 'storage:' "  upload_url: http://127.0.0.1:$port/up" \
    '  token_env: UP_TOKEN'
sql "UPDATE checkout SET tarball_state = 'pending' WHERE tree = 'up2'"
UP_TOKEN=up-secret-token maestrino $C tarball >"$TMP/out" 2>&1
kill $srv
has "uploads after a 503" "$TMP/out" "uploaded"
is "the uploaded file is the tarball" \
    "$(sha256sum "$TMP"/uploaded/*.tar.gz | cut -d' ' -f1)" \
    "$(sql "SELECT tarball_sha256 FROM checkout WHERE tree = 'up2'")"
is "the recorded URL is the uploaded one" \
    "$(sql "SELECT tarball_url FROM checkout WHERE tree = 'up2'")" \
    "http://127.0.0.1:$port/up/tarballs/$(ls "$TMP/uploaded")"
hasnt "the token is never printed" "$TMP/out" "up-secret-token"
is "the token is not in the database" \
    "$(sqlite3 "$TMP/var/state.db" .dump | grep -c up-secret-token)" 0

done_testing
