#!/bin/sh
# maestrino-tarball on the demo kernel tree (Debian's linux-source, about
# 80k files and 1.4 GB) against git archive of the same commit, side by
# side: gz against --format=tar.gz and against the best shell pipeline
# (`git archive | pigz -n`, as many threads as cores), zst against the
# same anchor, the floor (`git archive --format=tar` alone, no
# compression), the sizes and the peak memory.  Best of two runs each.
. "$(dirname "$0")/lib.sh"

demo="$top/var/demo/linux.git"
"$top/scripts/demo-tree.sh" "$demo" 2>/dev/null || exit 2
mkdir -p "$BTMP/c"
for c in gz zst; do
	printf 'settings:\n  data_dir: %s/var\n  tarball:\n    compression: %s\ntrees:\n  demo:\n    url: %s\n    branches: [master]\n' \
	    "$BTMP" "$c" "$demo" >"$BTMP/c/c.yaml"
	[ -d "$BTMP/var/git" ] || maestrino-poll -q -c "$BTMP/c" 2>/dev/null
	best=999
	mem=0
	for _ in 1 2; do
		sqlite3 "$BTMP/var/state.db" "UPDATE checkout SET tarball_state = 'pending'"
		measure maestrino-tarball -q -c "$BTMP/c" || exit 1
		best=$(least "$secs" "$best")
		[ "$peak_mb" -gt "$mem" ] && mem=$peak_mb
	done
	eval "ours_$c=$best"
	eval "mem_$c=$mem"
done
mirror="$BTMP/var/git/demo.git"
# bestof NAME CMD: the best of two runs of CMD (a shell line) in $NAME
bestof() {
	_best=999
	for _ in 1 2; do
		measure sh -c "$2" || exit 1
		_best=$(least "$secs" "$_best")
	done
	eval "$1=$_best"
}
bestof anchor "git --git-dir='$mirror' archive --format=tar.gz --prefix=x/ master >'$BTMP/anchor.tar.gz'"
bestof pipe "git --git-dir='$mirror' archive --format=tar --prefix=x/ master | pigz -n -6 -p $(nproc) >'$BTMP/pipe.tar.gz'"
bestof floor "git --git-dir='$mirror' archive --format=tar --prefix=x/ master >/dev/null"
report "tarball gz: demo kernel" "$ours_gz" s \
    "git archive --format=tar.gz" "$anchor" "<= 0.55"
report "tarball gz: demo kernel" "$ours_gz" s \
    "git archive | pigz -n -p$(nproc)" "$pipe" "<= 1"
report "tarball zst: demo kernel" "$ours_zst" s \
    "git archive --format=tar.gz" "$anchor" "<= 0.4"
report "floor: git archive --format=tar" "$floor" s \
    "git archive --format=tar.gz" "$anchor"
printf '%-44s %9s MB (gz), %s MB (zst)  target < 200 MB\n' \
    "tarball peak memory" "$mem_gz" "$mem_zst"
gz=$(stat -c %s "$BTMP"/var/storage/tarballs/*.tar.gz)
report "tarball gz: size" "$gz" B \
    "git archive --format=tar.gz" "$(stat -c %s "$BTMP/anchor.tar.gz")" \
    "<= 1.01"
printf '%-44s %9d bytes\n' "tarball zst: size" \
    "$(stat -c %s "$BTMP"/var/storage/tarballs/*.tar.zst)"
