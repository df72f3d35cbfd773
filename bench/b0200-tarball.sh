#!/bin/sh
# maestrino-tarball on the demo kernel tree (Debian's linux-source, about
# 80k files and 1.4 GB) against git archive of the same commit, side by
# side: gz against --format=tar.gz, zst against the same anchor, and the
# peak memory.  Best of two runs each.
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
best=999
for _ in 1 2; do
	measure sh -c "git --git-dir='$demo' archive --format=tar.gz --prefix=x/ master >'$BTMP/anchor.tar.gz'"
	best=$(least "$secs" "$best")
done
anchor=$best
report "tarball gz: demo kernel" "$ours_gz" s \
    "git archive --format=tar.gz" "$anchor" "<= 0.7"
report "tarball zst: demo kernel" "$ours_zst" s \
    "git archive --format=tar.gz" "$anchor" "<= 0.4"
printf '%-44s %9s MB (gz), %s MB (zst)  target < 200 MB\n' \
    "tarball peak memory" "$mem_gz" "$mem_zst"
ls -l "$BTMP"/var/storage/tarballs/ | awk 'NR > 1 { printf "%-44s %9d bytes\n", $9, $5 }'
printf '%-44s %9d bytes\n' "git archive tar.gz" "$(stat -c %s "$BTMP/anchor.tar.gz")"
