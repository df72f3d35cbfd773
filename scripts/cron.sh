#!/bin/sh
# cron.sh: run the pipeline from cron.  One crontab line is enough:
#
#   */30 * * * * /srv/maestrino/scripts/cron.sh -c /srv/maestrino/configs
#
# It runs from the repository's top directory (so relative paths in the
# config mean the same as under `make run`), with a PATH that has the
# toolchains, and writes the run's output to
# <data_dir>/logs/run-<UTC time>.log, with latest.log pointing at it.  It
# keeps the newest logs (-k, 200 by default) and removes the rest.
#
# Overlapping runs are harmless: a run that finds the data-dir lock held
# leaves at once.  It prints nothing and exits 0 when the run did its
# work, even if some items failed (a tree that did not answer, a tarball
# that will be retried: the log and the site show them).  It exits
# non-zero, with the end of the log on stderr for cron to mail, only on a
# real failure: a bad config, a broken database, a crash.  With -s, items
# that failed count as a failure too.
set -u

usage() {
	cat <<EOF
usage: scripts/cron.sh [-c DIR] [-k N] [-s] [-- run options]
  -c DIR   config directory (default: configs)
  -k N     keep the newest N run logs (default: 200)
  -s       strict: exit 1 when some items failed, too
  -h       show this help
Run options (--budget MINUTES, --wait, -v) go to maestrino run.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd) || exit 2
conf=configs
keep=200
strict=0
while getopts c:k:sh opt; do
	case $opt in
	c) conf=$OPTARG ;;
	k) keep=$OPTARG ;;
	s) strict=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $keep in
'' | *[!0-9]* | 0)
	echo "cron.sh: -k wants a number of logs above 0 ('$keep')" >&2
	exit 2 ;;
esac

cd "$top" || exit 2
PATH=$top/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

if [ ! -x "$top/bin/maestrino" ]; then
	echo "cron.sh: $top/bin/maestrino is not built (run make in $top)" >&2
	exit 2
fi
data=$(maestrino -q -c "$conf" config data_dir) || exit 2
logs=$data/logs
if ! mkdir -p "$logs"; then
	echo "cron.sh: cannot make the log directory '$logs'" >&2
	exit 2
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
log=$logs/run-$stamp.log
n=1
while [ -e "$log" ]; do
	n=$((n + 1))
	log=$logs/run-$stamp-$n.log
done
{
	echo "# maestrino run from cron.sh, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "# config $conf, pid $$"
} >"$log" || exit 2
maestrino -c "$conf" run "$@" >>"$log" 2>&1
rc=$?
echo "# exit $rc" >>"$log"
ln -sfn "$(basename "$log")" "$logs/latest.log"

# the newest $keep logs stay
# shellcheck disable=SC2012
ls -1t "$logs"/run-*.log 2>/dev/null | tail -n +$((keep + 1)) |
    while read -r old; do
	rm -f "$old"
done

case $rc in
0)
	exit 0 ;;
1)
	[ "$strict" -eq 1 ] || exit 0
	echo "cron.sh: some items failed; see $log" >&2
	tail -n 20 "$log" >&2
	exit 1 ;;
*)
	echo "cron.sh: maestrino run failed (exit $rc); see $log" >&2
	tail -n 20 "$log" >&2
	exit 2 ;;
esac
