#!/bin/sh
# maestrino run as cron runs it.  An idle run (50 trees, nothing new)
# through all its stages, against the least any CI must do to learn that
# nothing changed: `git ls-remote` on the same 50 trees.  And how closely
# a run keeps to --budget when a build hangs: its wall time against the
# budget.
. "$(dirname "$0")/lib.sh"

export HOME="$BTMP" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@b GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@b
mkdir -p "$BTMP/configs" "$BTMP/trees"
printf 'settings:\n  data_dir: %s/var\n  site:\n    path: %s/var/site\n' \
    "$BTMP" "$BTMP" >"$BTMP/configs/settings.yaml"
echo "trees:" >"$BTMP/configs/trees.yaml"
i=0
while [ $i -lt 50 ]; do
	r="$BTMP/trees/t$i"
	git init -q -b master "$r"
	cp -r "$top/tests/data/fake-kernel/." "$r/"
	git -C "$r" add -A
	git -C "$r" commit -q -m "c $i"
	printf '  t%d:\n    url: %s\n    branches: [master]\n' $i "$r" \
	    >>"$BTMP/configs/trees.yaml"
	i=$((i + 1))
done
cat >"$BTMP/configs/builds.yaml" <<EOF
labs:
  local: {type: local, jobs: 2}
builds:
  x86: {arch: x86_64, targets: [bzImage]}
EOF
# the first run polls, tars and builds all 50
maestrino -q -c "$BTMP/configs" run --wait 2>/dev/null

against_ls_remote "$BTMP/trees" maestrino -q -c "$BTMP/configs" run
report "run: idle, 50 trees, 50 builds, 10 stages" "$best_ours" s \
    "50 x git ls-remote" "$best_git" "< 1"
measure maestrino -q -c "$BTMP/configs" run
ours_mb=$peak_mb
measure git ls-remote "$BTMP/trees/t0"
report "run: idle, peak memory" "$ours_mb" MB "git ls-remote, one tree" \
    "$peak_mb"

# a hung build against a 6 s budget
cat >>"$BTMP/configs/builds.yaml" <<EOF
  hang: {arch: x86_64, targets: [bzImage], fragments: [CONFIG_SLEEP=y]}
EOF
# (new checkouts get the new build)
for r in "$BTMP"/trees/t0 "$BTMP"/trees/t1; do
	git -C "$r" commit -q --allow-empty -m "more"
done
t0=$(now)
maestrino -q -c "$BTMP/configs" run --wait --budget 0.1 2>/dev/null
t1=$(now)
took=$(elapsed "$t0" "$t1")
report "run: --wait --budget 0.1 with hung builds" "$took" s \
    "the budget" 6 "< 1.5"
# the hung builds are left running on purpose; stop them
for p in $(sqlite3 "$BTMP/var/state.db" \
    "SELECT runtime_job_id FROM job WHERE config_name = 'hang' AND runtime_job_id IS NOT NULL"); do
	pkill -KILL -s "$p" 2>/dev/null
done
