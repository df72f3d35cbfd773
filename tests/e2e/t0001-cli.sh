#!/bin/sh
# Every executable has --help, a clear error for bad usage, and config
# errors exit 2 with file:line:col.
. "$(dirname "$0")/lib.sh"

for exe in "$top"/bin/*; do
	name=$(basename "$exe")
	check_rc 0 "$name --help exits 0" "$exe" --help
	has "$name --help prints usage" "$TMP/out" "usage: $name"
	check_rc 2 "$name with a bad option exits 2" "$exe" --no-such-option
done

check_rc 2 "an unknown command exits 2" maestrino frobnicate
has "and names it" "$TMP/out" "unknown command 'frobnicate'"

check_rc 2 "a missing config directory exits 2" \
    maestrino -c "$TMP/nowhere" poll
has "and names the directory" "$TMP/out" "$TMP/nowhere"

mkdir -p "$TMP/bad"
printf 'trees:\n  demo:\n    url: x\n    branches: [master\n' \
    >"$TMP/bad/trees.yaml"
check_rc 2 "a corrupt config exits 2" maestrino-poll -c "$TMP/bad"
has "with file:line:col" "$TMP/out" "$TMP/bad/trees.yaml:5:1: error:"
[ ! -e "$TMP/var" ] && ok "and touches nothing" || not_ok "touched var"

printf 'trees:\n  demo:\n    url: x\n    branchs: [master]\n' \
    >"$TMP/bad/trees.yaml"
check_rc 2 "a misspelt key exits 2" maestrino -c "$TMP/bad" status
has "with a suggestion" "$TMP/out" \
    "trees.yaml:4:5: error: unknown key 'branchs' in trees.demo (did you mean 'branches'?)"

check "the default config loads" maestrino -c "$top/configs" status --json
check "each shipped example config loads" \
    maestrino -c "$top/configs/examples" status

done_testing
