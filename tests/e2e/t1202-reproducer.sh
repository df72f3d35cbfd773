#!/bin/sh
# Issue 12, item 2: a tag steers `git describe`, and the describe lands in
# the tarball's name and, before, in the reproducer command people copy
# from the site and KCIDB.  A tag holding $(...) or `...` must run
# nothing: the name goes through the one sanitiser, the command through
# the one quoting function, and the reproducer still rebuilds the kernel.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
# shellcheck disable=SC2016
git -C "$up" tag 'v6.1$(touch${IFS}PWNED)`touch${IFS}PWNED2`'
config_dir
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo '    defconfig: tinyconfig'
	echo '    fragments: ["CONFIG_X=y"]'
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check_rc 0 "a run over a tree with a hostile tag" maestrino $C run --wait
# shellcheck disable=SC2016
is "the describe is the tag" "$(sql 'SELECT describe FROM checkout')" \
    'v6.1$(touch${IFS}PWNED)`touch${IFS}PWNED2`'
name=$(ls "$TMP/var/storage/tarballs")
case $name in
*'$'*|*'`'*|*'('*) not_ok "the tarball's name has no shell characters" "$name" ;;
*) ok "the tarball's name has no shell characters ($name)" ;;
esac
is "it is the tag through the sanitiser" "$name" \
    "linux-fix-master-v6.1~24~28touch~24~7BIFS~7DPWNED~29~60touch~24~7BIFS~7DPWNED2~60.tar.gz"

sql "SELECT json_extract(misc, '$.reproducer') FROM build" >"$TMP/repro"
has "the reproducer saves the tarball under a fixed name" "$TMP/repro" \
    "curl -fsSL -o source.tar.gz 'file://"
mkdir "$TMP/copy"
(cd "$TMP/copy" && sh -e "$TMP/repro") >"$TMP/copy.out" 2>&1
is "the reproducer runs to the end" "$?" 0
find "$TMP" -name 'PWNED*' >"$TMP/found"
is "and runs nothing a tag put in it" "$(cat "$TMP/found")" ""
test -f "$TMP/copy/linux/arch/x86/boot/bzImage" &&
    ok "and builds the kernel again" ||
    not_ok "and builds the kernel again" "$(tail -n 5 "$TMP/copy.out")"
has "it checks the tarball's sha256" "$TMP/repro" "sha256sum -c"
f=$(ls "$TMP"/var/kcidb/*.json | head -n 1)
/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["builds"][0]["command"])' "$f" >"$TMP/command"
is "KCIDB gets the same command" "$(cat "$TMP/command")" "$(cat "$TMP/repro")"
done_testing
