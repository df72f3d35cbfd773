#!/bin/sh
# Issue 12, item 1: a polled tree whose Makefile hunts for tokens.  The
# build sees no variable a token_env names.  In its sandbox it sees no
# other process either; without one (settings.sandbox: off) what it
# finds in /proc, from the processes that hold the tokens, is masked,
# raw, in base64 and in hex, before it reaches storage, the database,
# KCIDB, the site or the terminal.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
config_dir
settings_add 'kcidb:' '  token_env: KCIDB_TOKEN_T' 'storage:' \
    '  token_env: STORAGE_TOKEN_T'
{
	yaml_tree fix "$up" master
	echo '    token_env: GIT_TOKEN_T'
	yaml_x86_build
	echo '    fragments: [CONFIG_LEAK=y]'
} >"$TMP/configs/c.yaml"
export KCIDB_TOKEN_T=kcidb-1f2e3d4c5b6a7988
export STORAGE_TOKEN_T=storage-a9b8c7d6e5f4
export GIT_TOKEN_T=git-0a1b2c3d4e5f6789
C="-c $TMP/configs"

# in the sandbox (bubblewrap, which scripts/deps.sh installs)
check_rc 0 "a run with a hostile tree, in the sandbox" maestrino $C run --wait
log=$TMP/var/storage/builds/b1-x86/build.log
is "the build ran in the sandbox" \
    "$(sql "SELECT json_extract(misc, '$.sandbox') FROM build")" bwrap
grep '^ENV: ' "$log" >"$TMP/env"
test -s "$TMP/env" && ok "the sandboxed build printed its environment" ||
    not_ok "the sandboxed build printed its environment"
hasnt "it has no token variable" "$TMP/env" "TOKEN_T="
grep '^PROC' "$log" >"$TMP/proc"
is "it finds no other process to read tokens from" "$(cat "$TMP/proc")" ""

# without it, the build finds them; masking is what is left
printf '  sandbox: off\n' >>"$TMP/configs/settings.yaml"
commit "$up" "second" NEWS 2
check_rc 0 "a run with a hostile tree, without a sandbox" \
    maestrino $C run --wait
cp "$TMP/out" "$TMP/run.out"
log=$TMP/var/storage/builds/b2-x86/build.log
has "the build looked for tokens in /proc" "$log" "PROC: KCIDB_TOKEN_T=***"
has "and found one in a process that holds it, masked" "$log" \
    "PROC: GIT_TOKEN_T=***"
grep '^ENV: ' "$log" >"$TMP/env"
test -s "$TMP/env" && ok "the build printed its environment" ||
    not_ok "the build printed its environment"
for v in KCIDB_TOKEN_T STORAGE_TOKEN_T GIT_TOKEN_T MAESTRINO_RUN_PID \
    MAESTRINO_LOCK_FD; do
	hasnt "the build's environment has no $v" "$TMP/env" "$v="
done
has "but has PATH" "$TMP/env" "ENV: PATH="

# every form of every token, everywhere it could land
forms() {
	for t in "$KCIDB_TOKEN_T" "$STORAGE_TOKEN_T" "$GIT_TOKEN_T"; do
		printf '%s\n' "$t"
		printf '%s' "$t" | base64 -w0 | cut -c1-16
		printf '%s' "$t" | od -An -tx1 | tr -d ' \n'
		echo
	done
}
forms | grep . >"$TMP/forms"
leaks=$(grep -rlaF -f "$TMP/forms" "$TMP/var" "$TMP/public" "$TMP/run.out" \
    2>/dev/null)
is "no token in storage, state.db, KCIDB, the site or the output" \
    "$leaks" ""
sqlite3 "$TMP/var/state.db" "SELECT log_excerpt FROM build WHERE id = 2" \
    >"$TMP/excerpt"
has "the excerpt in the database is masked" "$TMP/excerpt" "TOKEN_T=***"
has "the base64 form is masked" "$TMP/excerpt" "PROC64: ***"
has "the hex form is masked" "$TMP/excerpt" "PROCHEX: ***"
f=$(ls "$TMP"/var/kcidb/*.json | tail -n 1)
has "the KCIDB excerpt is masked" "$f" "TOKEN_T=***"
has "the build page is masked" "$TMP/public/b/2.html" "TOKEN_T=***"

# a token that reached the database before its border masked it is
# masked on the way out
sql "UPDATE build SET log_excerpt = 'leaked $GIT_TOKEN_T', gen = gen + 1,
    misc = json_set(misc, '$.error_msg', 'also $KCIDB_TOKEN_T')"
check_rc 0 "export again" maestrino $C kcidb --all
check_rc 0 "render again" maestrino $C site --all
leaks=$(grep -rlaF -f "$TMP/forms" "$TMP/var/kcidb" "$TMP/public" \
    2>/dev/null)
is "old rows are masked in KCIDB and on the site" "$leaks" ""

# messages: a token in a URL is never printed
sed -i "s|url: $up|url: https://user:$GIT_TOKEN_T@127.0.0.1:9/linux.git|" \
    "$TMP/configs/c.yaml"
run maestrino $C poll
hasnt "an error naming a URL with a token masks it" "$TMP/out" \
    "$GIT_TOKEN_T"
has "and shows where it was" "$TMP/out" "***"

done_testing
