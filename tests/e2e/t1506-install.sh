#!/bin/sh
# Issue 15, item 8: `make install` puts the front door in bin/, the
# stages in libexec/maestrino/ and what they load at run time in
# share/maestrino/; the installed programs work from any directory with
# no source tree on PATH.  The bash completion is made from the table of
# commands, and the man page names every command and stage and renders
# without a warning.
. "$(dirname "$0")/lib.sh"

root=$TMP/root
p=$root/usr/local
# -o all: install what is built, never rebuild it (a SANITIZE build
# stays one)
check "make install DESTDIR PREFIX" \
    make -s -C "$top" -o all install DESTDIR="$root" PREFIX=/usr/local
is "bin/maestrino leads to the front door beside its stages" \
    "$(readlink "$p/bin/maestrino")" "../libexec/maestrino/maestrino"
missing=
for f in maestrino "$top"/bin/maestrino-*; do
	[ -x "$p/libexec/maestrino/${f##*/}" ] || missing="$missing ${f##*/}"
done
is "every executable is in libexec/maestrino" "$missing" ""
missing=
for f in $(cd "$top" && find configs site -type f); do
	cmp -s "$top/$f" "$p/share/maestrino/$f" || missing="$missing $f"
done
is "the default config, templates and site assets are in share" \
    "$missing" ""
missing=
for f in make-ramdisk.sh make-rootfs.sh userland.sh guestfs-kernel.sh \
    deps.sh; do
	[ -x "$p/share/maestrino/scripts/$f" ] || missing="$missing $f"
done
is "the scripts the stages run are in share" "$missing" ""
check "the man page" test -f "$p/share/man/man1/maestrino.1"
check "the completion" test -f \
    "$p/share/bash-completion/completions/maestrino"

# From here on, only the installed programs: no source tree on PATH,
# and the work in a directory of its own.
PATH=$p/bin:$(printf '%s' "$PATH" | sed "s|$top/bin:||")
export PATH
cd "$TMP" || exit 2
is "maestrino is the installed one" "$(command -v maestrino)" \
    "$p/bin/maestrino"
check_rc 0 "maestrino --help" maestrino --help
has "lists the table's commands" "$TMP/out" "watch"

up=$TMP/up
fixture_repo "$up"
config_dir
pull_lab_config board
C="-c $TMP/configs"
check_rc 0 "status on a config" maestrino $C status
has "it shows the stages" "$TMP/out" "tarball"
check_rc 0 "a stage through the front door" maestrino $C poll
has "the installed stage ran" "$TMP/out" "maestrino-poll: 1 trees, 1 new"
# no templates/ in the config: the installed defaults are taken
check_rc 0 "a real run: build, and the test to the pull lab" \
    maestrino $C run --wait
is "the build passed" "$(sql "SELECT status FROM build")" PASS
check "the test job made from the installed smoke and grub templates" \
    grep -q "smoke" "$TMP/farm/t1-smoke.board.yaml"
check "the site has the installed assets" cmp \
    "$p/share/maestrino/site/style.css" "$TMP/public/style.css"
check "an installed script finds its helpers" \
    "$p/share/maestrino/scripts/make-ramdisk.sh" -h

# the completion, loaded as bash-completion would
comp=$p/share/bash-completion/completions/maestrino
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@")
	    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _maestrino
	    printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$@"
}
is "it loads and says what completes maestrino" \
    "$(bash -c '. "$1"; complete -p maestrino' sh "$comp")" \
    "complete -F _maestrino maestrino"
is "maestrino ch<TAB>" "$(complete_words maestrino ch)" checkout
is "maestrino checkout --pa<TAB>" "$(complete_words maestrino checkout --pa)" \
    "--patch="
touch "$TMP/0001-fix.patch"
is "maestrino checkout --patch=00<TAB>: a file" \
    "$(complete_words maestrino checkout --patch = 00)" "0001-fix.patch"
is "maestrino watch --<TAB>: its option and the common ones" \
    "$(complete_words maestrino -c x watch -- | tr '\n' ' ')" \
    "--interval= --config= --quiet --verbose --help "
is "maestrino si<TAB>: a stage" \
    "$(complete_words maestrino si)" site
is "maestrino completion <TAB>" "$(complete_words maestrino completion '')" bash

# The man page: every command of the table, every stage and the front
# door's own commands have their section, so none can drift away.
man1=$p/share/man/man1/maestrino.1
words=$(sed -n "s/^_maestrino_commands='\(.*\)'$/\1/p" "$comp")
is "the completion knows 25 commands" "$(echo $words | wc -w)" 25
missing=
for w in $words; do
	[ "$w" = help ] && continue
	grep -q "^\.SS $w\( \|$\)" "$man1" || missing="$missing $w"
done
is "the man page has a section for each" "$missing" ""
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT \
    FILES EXAMPLES "SEE ALSO"; do
	grep -q "^\.SH \"*$s\"*$" "$man1" || missing="$missing $s"
done
is "and every section of a man page" "$missing" ""
# groff-base and man-db come from scripts/deps.sh test
is "groff renders it without a warning" \
    "$(groff -man -Tutf8 -ww -z "$man1" 2>&1)" ""
check "man -l renders it" sh -c "man -l '$man1' | grep -q 'watch CHECKOUT'"
done_testing
