#!/bin/sh
# A tree whose build prints one long line must not make the operator's
# log rule (a POSIX ERE; glibc's regexec can take the square of a line's
# length) hang `maestrino collect`, which triages.  LINE bytes of "usb "
# on one line, a rule "usb .*timeout"; the collect must finish in BUDGET
# seconds, and the build be triaged.
. "$(dirname "$0")/lib.sh"
LINE=${LINE:-400000}
BUDGET=${BUDGET:-60}

fixture_repo "$TMP/up"
# the hostile tree: its Makefile prints a long line, then fails
sed -i 's|^bzImage Image:$|&\n\t@if [ -e LOGBOMB ]; then yes usb \| head -c '"$LINE"' \| tr "\\n" " " >\&2; echo >\&2; echo "drivers/x.c:1:1: error: bomb" >\&2; exit 2; fi|' "$TMP/up/Makefile"
git -C "$TMP/up" add Makefile
commit "$TMP/up" "bomb" LOGBOMB x
config_dir
{
	yaml_tree fix "$TMP/up" master
	yaml_x86_build
	cat <<'EOC'
issues:
  usb-timeout:
    title: "USB times out"
    match:
      log: "usb .*timeout"
EOC
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "poll, tarball, jobs, submit" sh -c "maestrino $C poll &&
    maestrino $C tarball && maestrino $C jobs && maestrino $C submit"
# the builds' results, without the triage: then the triage alone
start=$(date +%s)
run timeout "$BUDGET" maestrino $C collect --wait
end=$(date +%s)
is "the build failed" "$(sql "SELECT status FROM build")" FAIL
if [ "$rc" -eq 0 ]; then
	ok "collect finished in $((end - start)) s"
else
	not_ok "collect finished within ${BUDGET} s (rc $rc: killed while triaging a $LINE-byte line)" \
	    "$(tail -n 5 "$TMP/out")"
fi
is "the build was triaged" "$(sql "SELECT triage_gen = gen FROM build")" 1
done_testing
