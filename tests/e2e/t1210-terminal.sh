#!/bin/sh
# Issue 12, item 10: commit subjects and a lab's error_msg were printed
# raw: escape sequences reached the terminal, and a lab's newline could
# start a line such as "::error ..." in a GitHub Actions log.  Everything
# printed that comes from outside has its control characters shown.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
commit "$up" "$(printf 'title \033]0;pwned\007 clear \033[2J \342\200\256gnirts')"
config_dir
settings_add 'retries: 0'
pull_lab_config board
C="-c $TMP/configs"
check_rc 0 "poll a commit whose subject holds escape sequences" \
    maestrino $C poll
cp "$TMP/out" "$TMP/poll.out"
esc=$(printf '\033')
bel=$(printf '\007')
hasnt "no escape byte reaches the terminal" "$TMP/poll.out" "$esc"
hasnt "nor a bell" "$TMP/poll.out" "$bel"
has "they are shown instead" "$TMP/poll.out" '\x1b]0;pwned\x07 clear \x1b[2J'
has "and so is a text direction override" "$TMP/poll.out" '\u202egnirts'
check "build, then hand the test to the pull lab" sh -c "
    maestrino $C tarball && maestrino $C jobs && maestrino $C submit &&
    maestrino $C collect --wait && maestrino $C jobs && maestrino $C submit"
id=$(job_on board)
mkdir -p "$TMP/farm/results"
cat >"$TMP/farm/results/$id.yaml" <<'EOF2'
- suite: lava
  name: job
  result: fail
  metadata:
    error_type: Infrastructure
    error_msg: "lab down\n::error file=x.c,line=1::injected\n\e[2Jcleared"
EOF2
run maestrino $C collect
cp "$TMP/out" "$TMP/collect.out"
grep -n '^::error file=x.c' "$TMP/collect.out" >"$TMP/injected"
is "a lab's newline starts no line of its own" "$(cat "$TMP/injected")" ""
hasnt "nor does its escape byte reach the terminal" "$TMP/collect.out" "$esc"
has "both are shown" "$TMP/collect.out" \
    'lab down\n::error file=x.c,line=1::injected\n\x1b[2Jcleared'
GITHUB_ACTIONS=true maestrino $C status >"$TMP/status.out" 2>&1
hasnt "status shows no escape byte either" "$TMP/status.out" "$esc"
done_testing
