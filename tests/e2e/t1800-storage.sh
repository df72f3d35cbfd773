#!/bin/sh
# Every artifact to remote storage, against a real WebDAV server
# (Debian's nginx and its DAV module, tests/e2e/dav.sh): tarballs,
# kernel images, modules, dtbs, .config, System.map, build logs, LAVA
# logs and consoles, the ramdisk and patches land on the server byte for
# byte, each PUT once; KCIDB, the site and job definitions name only
# storage.url.  Then its failures: a wrong token (401), a 503 (for a
# tarball, a build and a test job), a kill in the middle of a PUT and a
# full disk (a tmpfs; root or sudo only).  In each, the artifact is not
# recorded as uploaded, nothing names it, a later run uploads it once
# and nothing uploaded before is sent again.  The token never appears
# in our logs, the database, the site or KCIDB, even when the server's
# 503 echoes it back.
. "$(dirname "$0")/lib.sh"

if [ ! -x /usr/sbin/nginx ]; then
	echo "1..0 # SKIP nginx is not installed (scripts/deps.sh test)"
	exit 0
fi
DAV_TOKEN=s3cret-storage-token-42
export STORE_TOKEN="$DAV_TOKEN"
. "$top/tests/e2e/dav.sh"
mounts=""
if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	SUDO=no
fi
cleanup() {
	dav_stop
	for m in $mounts; do
		$SUDO umount "$m" 2>/dev/null
	done
}
trap cleanup EXIT
dav_start ok
pub="http://127.0.0.1:$dav_port/dav/"
www=$DAV/www/dav

up=$TMP/up
fixture_repo "$up"
git clone -q "$up" "$TMP/work"
commit "$TMP/work" "storage: add a driver" drivers/st.c "int st;"
git -C "$TMP/work" format-patch -q -1 -o "$TMP/p"
p1=$(ls "$TMP"/p/0001-*.patch)

config_dir
# (no sandbox: the build copies FIXTURE_KERNEL from $TMP)
settings_add 'retries: 0' 'retry_delay: 0' 'build_env: [FIXTURE_KERNEL]' \
    'sandbox: off' \
    'storage:' "  upload_url: $pub" "  url: $pub" '  token_env: STORE_TOKEN' \
    'site:' "  path: $TMP/public"
{
	yaml_tree fix "$up" master
	printf 'builds:\n  x86:\n    arch: x86_64\n'
	printf '    targets: [bzImage, modules, dtbs]\n'
	printf '    fragments: [CONFIG_MODULES=y]\n'
	echo platforms:
	yaml_platform board x86-pc grub
	yaml_pull_lab
	echo tests:
	yaml_test smoke smoke farm board
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
log=$TMP/all.log
: >"$log"
# m ARGS...: maestrino ARGS, its output in $TMP/out and appended to $log
m() {
	maestrino $C "$@" >"$TMP/out" 2>&1
	rc=$?
	cat "$TMP/out" >>"$log"
	return $rc
}
# results JOB: the pull lab's results and log of JOB
results() {
	mkdir -p "$TMP/farm/results"
	cat >"$TMP/farm/results/$1.yaml" <<'EOF2'
- {suite: lava, name: login-action, result: pass, measurement: None, unit: ''}
- {suite: 0_smoke, name: hello, result: pass, measurement: None, unit: ''}
- {suite: lava, name: job, result: pass, measurement: None, unit: ''}
EOF2
	cat >"$TMP/farm/results/$1.log" <<'EOF2'
- {"dt": "2025-01-01T00:00:00.000000", "lvl": "info", "msg": "start: 1 deploy"}
- {"dt": "2025-01-01T00:00:01.000000", "lvl": "target", "msg": "Linux version 6.1.0-fixture"}
- {"dt": "2025-01-01T00:00:02.000000", "lvl": "target", "msg": "/ # hello"}
EOF2
}
# same: every file below storage.path is on the server, byte for byte
same() {
	(cd "$TMP/var/storage" && find . -type f ! -name '.*' | sed 's|^\./||' |
	    sort) >"$TMP/files"
	_bad=
	while read -r f; do
		cmp -s "$TMP/var/storage/$f" "$www/$f" || _bad="$_bad $f"
	done <"$TMP/files"
	[ -z "$_bad" ] || { echo "not on the server:$_bad"; return 1; }
}
# once: no path was taken (2xx) more than once
once() {
	dav_puts | awk '$1 ~ /^2/ { n[$2]++ } END { for (p in n) if (n[p] > 1) { print "twice:", p; bad = 1 } exit bad }'
}
uploaded() {
	sql "SELECT uploaded_at IS NOT NULL FROM upload WHERE path = '$1'"
}

# ---- everything, with a server that works ----
check "poll, tarball, build, test jobs" sh -c "maestrino $C poll &&
    maestrino $C tarball && maestrino $C jobs && maestrino $C submit &&
    maestrino $C collect --wait && maestrino $C jobs && maestrino $C submit"
results t1-smoke.board
check "collect the test" m collect
check "a patched checkout, built" sh -c "maestrino $C checkout fix master --patch '$p1' &&
    maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait"
check "kcidb" m kcidb
check "site" m site

b=builds/b1-x86
tb=$(sql "SELECT tarball_path FROM checkout WHERE id = 1")
pf=$(cd "$TMP/var/storage" && find patches -type f)
for f in "$tb" $b/bzImage \
    $b/modules.tar.xz $b/dtbs/vendor/board.dtb $b/config $b/System.map \
    $b/build.log $b/metadata.json tests/t1-smoke.board/lava.log \
    tests/t1-smoke.board/console.log rootfs/busybox-x86_64.cpio.gz "$pf"; do
	check "$f on the server, the same bytes" cmp "$TMP/var/storage/$f" "$www/$f"
	is "$f recorded as uploaded" "$(uploaded "$f")" 1
done
check "every file in storage is on the server" same
check "each PUT once" once
is "recorded sizes and digests are the files'" \
    "$(sql "SELECT path || ' ' || sha256 FROM upload WHERE path = '$b/bzImage'")" \
    "$b/bzImage $(sha256sum "$www/$b/bzImage" | cut -c-64)"

# what we publish: storage.url alone
is "the tarball's URL" "$(sql "SELECT tarball_url FROM checkout WHERE id = 1")" \
    "$pub$tb"
is "the build's log and config URLs" \
    "$(sql "SELECT log_url || ' ' || config_url FROM build WHERE job_id = 'b1-x86'")" \
    "$pub$b/build.log $pub$b/config"
is "the test's log URL" "$(sql "SELECT log_url FROM test WHERE path = 'boot'")" \
    "${pub}tests/t1-smoke.board/console.log"
is "the patch's URL" "$(sql "SELECT json_extract(patches, '\$[0].url') FROM checkout WHERE id = 2")" \
    "$pub$pf"
check "KCIDB names storage.url" grep -q "$pub" "$TMP"/var/kcidb/*.json
check "no file:// in KCIDB, the site or job definitions" sh -c \
    "! grep -rl 'file://' '$TMP/var/kcidb' '$TMP/public' '$TMP/var/jobs' '$TMP/farm'"
jobdef=$(grep -rl "kernel" "$TMP/farm" | grep 't1-smoke' | head -n 1)
has "the test job's kernel" "$jobdef" "$pub$b/bzImage"
has "its modules" "$jobdef" "$pub$b/modules.tar.xz"
has "its ramdisk" "$jobdef" "${pub}rootfs/busybox-x86_64.cpio.gz"
check "the site links the build log" grep -rqF "href=\"$pub$b/build.log\"" "$TMP/public"
# (a directory's, dtbs/, is for a listing the server may not give)
check "each file URL in KCIDB answers" sh -c "
    grep -ho 'url\":\"${pub}[^\"]*[^/]\"' '$TMP'/var/kcidb/*.json |
    sed 's/^url\":\"//; s/\"\$//' | sort -u >'$TMP/urls' && test -s '$TMP/urls' &&
    while read -r u; do curl -fsS -o /dev/null \"\$u\" || exit 1; done <'$TMP/urls'"

n=$(dav_puts | wc -l)
check "every stage again" sh -c "maestrino $C poll && maestrino $C tarball --verify &&
    maestrino $C jobs && maestrino $C submit && maestrino $C collect &&
    maestrino $C kcidb && maestrino $C site"
is "sends nothing again" "$(dav_puts | wc -l)" "$n"

# ---- a token the server refuses ----
p2=$TMP/p/0002-other.patch
sed 's/int st;/int st2;/' "$p1" >"$p2"
STORE_TOKEN=wrong-token maestrino $C checkout fix master --patch "$p2" >"$TMP/out" 2>&1
is "a patch the server refuses (401): the checkout fails" "$?" 2
cat "$TMP/out" >>"$log"
has "naming the server's answer" "$TMP/out" "HTTP 401"
is "nothing recorded" "$(sql "SELECT COUNT(*) FROM checkout")" 2
is "the patch not recorded as uploaded" \
    "$(sql "SELECT COUNT(*) FROM upload WHERE path LIKE 'patches/%' AND uploaded_at IS NULL")" 1

# ---- a 503 ----
commit "$up" "second" README "two"
check "poll, tarball, build jobs" sh -c "maestrino $C poll &&
    maestrino $C tarball && maestrino $C jobs && maestrino $C submit"
t2="t2-smoke.board"
check "the patched checkout's test job is in the pull lab" test -n "$(sql "SELECT 1 FROM job WHERE id = '$t2' AND state = 'submitted'")"
results $t2
dav_stop
dav_start 503
check_rc 1 "collect while the server answers 503: exit 1" m collect --wait
has "says so" "$TMP/out" "job b3-x86: cannot upload builds/b3-x86/"
has "names the server's answer" "$TMP/out" "HTTP 503"
has "which echoed the token: masked" "$TMP/out" "unavailable for Bearer ***"
has "for the test job too" "$TMP/out" "job $t2: cannot upload tests/$t2/"
has "both jobs wait" "$TMP/out" "2 waiting for uploads"
is "the test job's results are not recorded" "$(sql "SELECT COUNT(*) FROM test WHERE job_id = '$t2'")" 0
is "the build is not recorded" "$(sql "SELECT status IS NULL AND log_url IS NULL FROM build WHERE job_id = 'b3-x86'")" 1
is "no file of it recorded as uploaded" \
    "$(sql "SELECT COUNT(*) FROM upload WHERE path LIKE 'builds/b3-x86/%' AND uploaded_at IS NOT NULL")" 0
is "the failure is recorded" \
    "$(sql "SELECT attempts > 0 AND error LIKE '%HTTP 503%' FROM upload WHERE path LIKE 'builds/b3-x86/%' LIMIT 1")" 1
commit "$up" "third" README "three"
check "poll" m poll
check_rc 1 "a tarball during the 503: exit 1" m tarball
is "not recorded: no tarball URL" \
    "$(sql "SELECT tarball_state || ' ' || (tarball_url IS NULL) FROM checkout WHERE id = 4")" "failed 1"
check "kcidb during the 503" m kcidb
hasnt "names no artifact of that build" "$(ls -t "$TMP"/var/kcidb/*.json | head -n 1)" "builds/b3-x86"
dav_stop
dav_start ok
check "the next tarball run uploads it" m tarball
is "recorded" "$(sql "SELECT tarball_state FROM checkout WHERE id = 4")" "done"
check "the next collect uploads the build" m collect
is "and records it" "$(sql "SELECT status FROM build WHERE job_id = 'b3-x86'")" PASS
is "and the test job's results, with their public log" \
    "$(sql "SELECT log_url FROM test WHERE job_id = '$t2' AND path = 'boot'")" \
    "${pub}tests/$t2/console.log"
check "every file on the server" same
check "each PUT once" once

check "the third checkout built" sh -c "maestrino $C jobs &&
    maestrino $C submit && maestrino $C collect --wait"

# wait_result JOB: until the worker of JOB wrote its result (60 s at most)
wait_result() {
	_i=0
	while [ ! -s "$TMP/var/work/$1/result.json" ] && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.2
}

# ---- a kill in the middle of a PUT ----
head -c 268435456 /dev/zero >"$TMP/big"
commit "$up" "fourth" README "four"
check "a build with a 256 MiB image" sh -c "maestrino $C poll &&
    maestrino $C tarball && maestrino $C jobs &&
    FIXTURE_KERNEL=$TMP/big maestrino $C submit"
wait_result b5-x86
maestrino $C collect >"$TMP/collect.out" 2>&1 &
cpid=$!
# nginx buffers the body in $DAV/body: kill it once some has come
i=0
while [ $i -lt 600 ]; do
	f=$(find "$DAV/body" -type f -size +1M 2>/dev/null | head -n 1)
	[ -n "$f" ] && break
	sleep 0.02
	i=$((i + 1))
done
dav_kill
is "nginx had part of the body when it was killed" "${f:+yes}" yes
wait $cpid
rc=$?
cat "$TMP/collect.out" >>"$log"
is "killed half-way through the image: collect exits 1" "$rc" 1
has "says so" "$TMP/collect.out" "job b5-x86: cannot upload builds/b5-x86/bzImage"
is "the image is not recorded as uploaded" "$(uploaded builds/b5-x86/bzImage)" 0
is "nor the build" "$(sql "SELECT status IS NULL FROM build WHERE job_id = 'b5-x86'")" 1
check "the server has no part of it" test ! -e "$www/builds/b5-x86/bzImage"
dav_start ok
check "the next collect uploads it" m collect
is "recorded" "$(uploaded builds/b5-x86/bzImage)" 1
check "the same bytes" cmp "$TMP/var/storage/builds/b5-x86/bzImage" "$www/builds/b5-x86/bzImage"
is "the build too" "$(sql "SELECT status FROM build WHERE job_id = 'b5-x86'")" PASS
check "each PUT once" once
rm -f "$TMP/big"

# ---- a full disk on the server ----
if [ "$SUDO" = no ]; then
	ok "# SKIP a full disk: mounting a tmpfs needs root or sudo"
else
	head -c 1048576 /dev/urandom >"$TMP/mib"
	commit "$up" "fifth" README "five"
	mkdir -p "$www/builds/b6-x86"
	check "the job's directory on the server: a 256 KiB tmpfs" \
	    $SUDO mount -t tmpfs -o size=256k,mode=0755 tmpfs "$www/builds/b6-x86"
	mounts="$www/builds/b6-x86"
	check "a build with a 1 MiB image" sh -c "maestrino $C poll &&
	    maestrino $C tarball && maestrino $C jobs &&
	    FIXTURE_KERNEL=$TMP/mib maestrino $C submit"
	wait_result b6-x86
	check_rc 1 "collect while the server's disk is full: exit 1" m collect
	has "says so" "$TMP/out" "job b6-x86: cannot upload builds/b6-x86/bzImage"
	is "not recorded as uploaded" "$(uploaded builds/b6-x86/bzImage)" 0
	is "nor the build" "$(sql "SELECT status IS NULL FROM build WHERE job_id = 'b6-x86'")" 1
	$SUDO umount "$www/builds/b6-x86"
	mounts=
	check "once there is room, the next collect uploads it" m collect
	is "recorded" "$(uploaded builds/b6-x86/bzImage)" 1
	is "the build too" "$(sql "SELECT status FROM build WHERE job_id = 'b6-x86'")" PASS
fi
check "every file in storage on the server" same
check "each PUT once, through every failure" once
is "nothing pending but the refused patch (never asked for again)" \
    "$(sql "SELECT group_concat(path) FROM upload WHERE uploaded_at IS NULL" | sed 's|/.*||')" patches

# ---- names from the tree: a space, '#', '?', and dots encoded ----
# (the last would be another build's image if the PUT's URL kept it raw)
awk '{ print } /board\.dtb$/ {
	d = "arch/$(SRCARCH)/boot/dts/vendor/"
	print "\t@echo sp > \"" d "a b.dtb\""
	print "\t@echo hash > \"" d "c#d.dtb\""
	print "\t@echo evil > \"" d "%2e%2e%2f%2e%2e%2f%2e%2e%2fb1-x86%2fbzImage?.dtb\""
}' "$up/Makefile" >"$TMP/Makefile"
cp "$TMP/Makefile" "$up/Makefile"
git -C "$up" add Makefile
commit "$up" "dtbs with odd names"
cp "$www/$b/bzImage" "$TMP/b1-image"
check "a build whose dtbs have odd names" sh -c "maestrino $C poll &&
    maestrino $C tarball && maestrino $C jobs && maestrino $C submit &&
    maestrino $C collect --wait"
odd=$(sql "SELECT id FROM job WHERE kind = 'kbuild' ORDER BY rowid DESC LIMIT 1")
is "it is recorded" "$(sql "SELECT status FROM build WHERE job_id = '$odd'")" PASS
for f in "a b.dtb" "c#d.dtb" "%2e%2e%2f%2e%2e%2f%2e%2e%2fb1-x86%2fbzImage?.dtb"; do
	check "'$f' on the server under its own name" \
	    cmp "$TMP/var/storage/builds/$odd/dtbs/vendor/$f" \
	    "$www/builds/$odd/dtbs/vendor/$f"
done
check "another build's image is untouched" cmp "$TMP/b1-image" "$www/$b/bzImage"
check "every file in storage on the server, still" same

# ---- the token ----
check "the token is not in our logs, database, site, KCIDB or jobs" sh -c "
    ! grep -rl -- '$DAV_TOKEN' '$log' '$TMP/var' '$TMP/public' '$TMP/farm'"

done_testing
