#!/bin/sh
# Issue 17: the report stage against a real SMTP server (Debian's
# aiosmtpd, tests/e2e/smtp-server.py) through the real pipeline.  A
# fixture tree's first head passes; the next head is broken by a commit
# with a hostile subject and trailers, and the build log carries a
# hostile line: one summary (the new regression) and one bisection
# report (to the list, and to the culprit's author and the people of
# its trailers), every hostile string only text of the body or the
# Subject.  The head that mends it is a summary of the fix, threaded
# under the two before.  Then the server is down (nothing lost, nothing
# sent twice), a kill after recording and after sending, a 5xx (failed,
# exit 1, the message names the report and the URL), .eml files
# without smtp_url, --dry-run changing nothing, and the weekly digest.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
port=$(free_port)
trap smtp_stop EXIT

# head_id: the newest branch head
head_id() {
	sql "SELECT max(id) FROM checkout WHERE kind = 'head'"
}

# received: how many messages the servers took
received() {
	find "$TMP/mail" -name '*.eml' | wc -l | tr -d ' '
}

# parse FILE: its headers decoded ("Name: value", in order) in
# FILE.hdr, the names alone in FILE.names, its body decoded in
# FILE.body, by Python's email package
parse() {
	/usr/bin/python3 - "$1" <<'EOF'
import sys
from email import policy
from email.parser import BytesParser
path = sys.argv[1]
with open(path, "rb") as f:
    msg = BytesParser(policy=policy.default).parse(f)
with open(path + ".hdr", "w") as f:
    for k, v in msg.items():
        f.write("%s: %s\n" % (k, str(v)))
with open(path + ".names", "w") as f:
    f.write(" ".join(k for k, v in msg.items()) + "\n")
with open(path + ".body", "w") as f:
    f.write(msg.get_content())
EOF
}

# hdr FILE NAME: the decoded value of header NAME of FILE (parsed)
hdr() {
	sed -n "s/^$2: //p" "$1.hdr"
}

# config [EXTRA EMAIL LINES]: the config, smtp_url on $port
config() {
	config_dir
	settings_add 'retries: 0' 'retry_delay: 0' 'bisect:' '  trees: [fix]' \
	    'site:' "  path: $TMP/public" '  base_url: https://ci.example.org/' \
	    'email:' '  from: "Maestrino CI <ci@example.org>"' \
	    '  report_to_authors: true'
	for _l in "$@"; do
		settings_add "  $_l"
	done
	{
		yaml_tree fix "$up" master
		echo '    commit_url: https://git.example.org/fix/commit/{commit}'
		echo '    report_to: [list@example.org, dev@example.org]'
		yaml_x86_build
		printf 'labs:\n  local: {type: local}\n'
		printf 'issues:\n  broken-y:\n'
		printf '    title: "The y build error"\n'
		printf '    report_url: https://lore.example.org/y\n'
		printf '    match: {build: x86, log: "error: y$"}\n'
	} >"$TMP/configs/c.yaml"
}
C="-c $TMP/configs"
SMTP="smtp_url: smtp://127.0.0.1:$port"
config "$SMTP"
smtp_start

check "the first head builds" maestrino $C -q run --wait
is "no report of a first head without changes" "$(received)" 0
is "but it was looked at" "$(sql "SELECT reported FROM checkout")" 1
is "no report row" "$(sql "SELECT count(*) FROM report")" 0

# the culprit: a subject with a CR, a forged header and a terminal
# escape; trailers good and bad; a build log line that would end the
# SMTP data and forge a header
commit "$up" "lib: one" lib/one.c "int one;"
printf 'x \033[2J Bcc: evil@example.org \377 end\n.\nBcc: evil@example.org\n' \
    >"$up/BROKEN"
git -C "$up" add BROKEN
subj=$(printf 'drivers: break it\rBcc: evil@example.org\033[2J')
git_clock=$((git_clock + 60))
GIT_AUTHOR_NAME="Alice Dev" GIT_AUTHOR_EMAIL="alice@example.org" \
GIT_AUTHOR_DATE="@$git_clock +0000" GIT_COMMITTER_DATE="@$git_clock +0000" \
    git -C "$up" commit -q -F - <<EOF
$subj

It breaks the build.

Signed-off-by: Alice Dev <alice@example.org>
Reviewed-by: Bob Reviewer <BOB@example.org>
Acked-by: "Carol, Jr." <carol@example.org>
Cc: stable@vger.kernel.org # 6.1
Cc: evil@example.org>, mallory@example.org
Tested-by: tester@example.org
Signed-off-by: Mallory <mallory@example.org>$(printf '\r')Bcc: z@example.org
Link: https://lore.example.org/x
EOF
culprit=$(git -C "$up" rev-parse HEAD)
check "the broken head is built and bisected" maestrino $C -q run --wait
is "the bisection found the culprit" \
    "$(sql "SELECT state || ' ' || outcome || ' ' || culprit FROM bisection")" \
    "done found $culprit"
is "two messages: the summary and the bisection report" "$(received)" 2
is "both recorded as sent" \
    "$(sql "SELECT group_concat(kind || ':' || state, ' ') FROM report")" \
    "summary:sent bisection:sent"
is "the checkout and the bisection are marked reported" \
    "$(sql "SELECT group_concat(reported) FROM checkout WHERE kind = 'head'") $(sql "SELECT reported FROM bisection")" \
    "1,1 1"
h2=$(head_id)

S=$M/0001.eml
B=$M/0002.eml
parse "$S"
parse "$B"
std="MIME-Version Content-Type Content-Transfer-Encoding Auto-Submitted X-Mailer"
is "the summary has the headers of the mail layer, no other" \
    "$(cat "$S.names")" "From To Subject Date Message-ID $std"
is "from settings.email.from" "$(hdr "$S" From)" "Maestrino CI <ci@example.org>"
is "to the tree's report_to" "$(hdr "$S" To)" \
    "list@example.org, dev@example.org"
is "the envelope: the list only" "$(sort "$M/0001.env" | tr '\n' ' ')" \
    "from ci@example.org to dev@example.org to list@example.org "
desc=$(sql "SELECT describe FROM checkout WHERE id = $h2")
is "its subject" "$(hdr "$S" Subject)" \
    "[test] fix/master $desc: 1 new regression"
is "the Message-ID is the one recorded" "$(hdr "$S" Message-ID)" \
    "$(sql "SELECT message_id FROM report WHERE key = 'summary:$h2'")"
is "the message is the one recorded, byte for byte" \
    "$(sql "SELECT message FROM report WHERE key = 'summary:$h2'" | tr -d '\r')" \
    "$(tr -d '\r' <"$S")"
has "the body names the head" "$S.body" "fix/master at $desc"
has "the hostile subject is text, made visible" "$S.body" \
    'subject  drivers: break it\rBcc: evil@example.org\x1b[2J'
has "the counts" "$S.body" "  builds      0 pass     1 fail     0 other"
has "the regression" "$S.body" "New regressions: 1"
has "the build that regressed" "$S.body" "  build x86 x86_64 gcc: PASS -> FAIL"
B2=$(sql "SELECT id FROM build WHERE checkout_id = $h2")
has "with its page" "$S.body" "    https://ci.example.org/b/$B2.html"
has "the checkout's page" "$S.body" "page     https://ci.example.org/c/$h2.html"
has "the first thing its log said, the hostile line as text" "$S.body" \
    "    first finding (error, log line 5): drivers/broken.c:2: error: x Bcc: evil@example.org"
has "with its line of the log" "$S.body" \
    "      | drivers/broken.c:2:1: error: x  Bcc: evil@example.org"
has "the whole message arrived: no early end of the data" "$S.body" \
    "Maestrino, origin test: https://ci.example.org/"
hasnt "no Bcc reached a header" "$S.hdr" "Bcc"
hasnt "nor any escape" "$S.hdr" "$(printf '\033')"

is "the bisection report: the same headers, with Cc and the thread" \
    "$(cat "$B.names")" \
    "From To Cc Subject Date Message-ID In-Reply-To References $std"
is "to the list" "$(hdr "$B" To)" "list@example.org, dev@example.org"
is "cc the author and the people of good trailers, once each" \
    "$(hdr "$B" Cc)" \
    "alice@example.org, BOB@example.org, carol@example.org, stable@vger.kernel.org"
is "the envelope has them all, and nobody else" \
    "$(sort "$M/0002.env" | tr '\n' ' ')" \
    "from ci@example.org to BOB@example.org to alice@example.org to carol@example.org to dev@example.org to list@example.org to stable@vger.kernel.org "
short=$(echo "$culprit" | cut -c1-12)
is "its subject names the culprit, its subject as text" \
    "$(hdr "$B" Subject)" \
    "[test] fix/master: build x86 broken by $short (\"drivers: break it\\rBcc: evil@example.org\\x1b[2J\")"
is "it replies to the summary" "$(hdr "$B" In-Reply-To)" "$(hdr "$S" Message-ID)"
is "its thread is the summary's" "$(hdr "$B" References)" "$(hdr "$S" Message-ID)"
has "the culprit" "$B.body" "culprit  $culprit"
has "its author" "$B.body" "author   Alice Dev <alice@example.org>"
has "its commit page" "$B.body" "commit   https://git.example.org/fix/commit/$culprit"
has "the outcome" "$B.body" "outcome  found: "
has "the checks" "$B.body" "checks   confirm pass, verify pass, revert pass"
has "the steps" "$B.body" "    1  confirm-good  "
has "the revert step" "$B.body" "    6  revert          "
has "the bisection page" "$B.body" "page     https://ci.example.org/bisect/1.html"
has "the tag to use" "$B.body" "  Reported-by: Maestrino CI <ci@example.org>"
has "and the link" "$B.body" "  Link: https://ci.example.org/bisect/1.html"
grep -v '^Subject: ' "$B.hdr" >"$B.nosubj"
hasnt "no evil address in a header but as the Subject's text" "$B.nosubj" \
    "evil"
hasnt "no mallory" "$B.hdr" "mallory"
hasnt "nor the tester (Tested-by is not asked)" "$B.hdr" "tester"
hasnt "nor in the envelope" "$M/0002.env" "evil"

# the fix: a summary threaded under the two before
git -C "$up" rm -q BROKEN
commit "$up" "drivers: mend it"
check "the mended head" maestrino $C -q run --wait
is "one more message" "$(received)" 3
F=$M/0003.eml
parse "$F"
desc3=$(sql "SELECT describe FROM checkout WHERE id = $(head_id)")
is "a summary of the fix" "$(hdr "$F" Subject)" "[test] fix/master $desc3: 1 fixed"
has "listing it" "$F.body" "Fixed: 1"
is "in reply to the bisection report" "$(hdr "$F" In-Reply-To)" \
    "$(hdr "$B" Message-ID)"
is "its references: the thread's root, then the one it answers" \
    "$(hdr "$F" References)" "$(hdr "$S" Message-ID) $(hdr "$B" Message-ID)"

# the server down: recorded, tried, kept; up again: sent once
smtp_stop
config "$SMTP" 'always: true'
commit "$up" "lib: two" lib/two.c "int two;"
check_rc 1 "a run with the server down exits 1" maestrino $C run --wait
h=$(head_id)
has "the report stage says it will try again" "$TMP/out" \
    "report 4 (summary:$h) not sent, tried again from"
has "naming the server" "$TMP/out" "smtp://127.0.0.1:$port"
# a server that never answered for it: not one of the report's tries
is "the report waits, no try counted" \
    "$(sql "SELECT state || ' ' || attempts FROM report WHERE id = 4")" \
    "pending 0"
smtp_start
check_rc 0 "the server is back: the report stage sends it" \
    maestrino $C report
has "one summary line" "$TMP/out" \
    "maestrino-report: 0 checkouts looked at, 0 summaries, 0 bisection reports, 0 digests; 1 sent, 0 written, 0 to retry, 0 failed"
is "it arrived" "$(received)" 4
check_rc 0 "again: nothing to send" maestrino $C report
is "nothing sent twice" "$(received)" 4
is "it is sent" "$(sql "SELECT state FROM report WHERE id = 4")" sent

# a kill after the record: sent at the next run
commit "$up" "lib: three" lib/three.c "int three;"
MAESTRINO_CRASH_AT=report-recorded maestrino $C -q run --wait \
    >"$TMP/out" 2>&1
is "killed after recording" \
    "$(sql "SELECT state FROM report WHERE key = 'summary:$(head_id)'") $(received)" \
    "pending 4"
check_rc 0 "the next run sends it" maestrino $C report
is "once" "$(received)" 5
# a kill after the server took it: sent again, with the same Message-ID
commit "$up" "lib: four" lib/four.c "int four;"
MAESTRINO_CRASH_AT=report-sent maestrino $C -q run --wait \
    >"$TMP/out" 2>&1
is "killed after sending: the server has it, the row does not know" \
    "$(sql "SELECT state FROM report WHERE key = 'summary:$(head_id)'") $(received)" \
    "pending 6"
check_rc 0 "the next run sends it again" maestrino $C report
is "the one duplicate" "$(received)" 7
parse "$M/0003.eml"
parse "$M/0004.eml"
is "with the same Message-ID, for clients to fold" \
    "$(hdr "$M/0003.eml" Message-ID)" "$(hdr "$M/0004.eml" Message-ID)"
check "the same message" cmp "$M/0003.eml" "$M/0004.eml"

# a 5xx: failed for good, exit 1, a message naming the report and URL
smtp_stop
smtp_start --reject-data-5xx
commit "$up" "lib: five" lib/five.c "int five;"
check_rc 1 "a refused report makes the run exit 1" maestrino $C run --wait
has "the message names the report" "$TMP/out" \
    "maestrino-report: error: report 7 (summary:$(head_id)) refused for good"
has "the server" "$TMP/out" "smtp://127.0.0.1:$port"
has "and its reply" "$TMP/out" "554 5.7.1 message refused by policy"
is "failed" "$(sql "SELECT state FROM report WHERE id = 7")" failed
sql "SELECT error FROM report WHERE id = 7" >"$TMP/err"
has "with the server's reply kept" "$TMP/err" \
    "554 5.7.1 message refused by policy"
check_rc 0 "not tried again" maestrino $C report
is "nothing more arrived" "$(received)" 7
smtp_stop

# without smtp_url: .eml files
config 'always: true'
commit "$up" "lib: six" lib/six.c "int six;"
check_rc 0 "without smtp_url" maestrino $C run --wait
h=$(head_id)
E=$TMP/var/reports/8-summary-$h.eml
check "the report is a file" test -s "$E"
is "written" "$(sql "SELECT state FROM report WHERE id = 8")" written
parse "$E"
is "a message as it would be sent" "$(hdr "$E" Subject)" \
    "[test] fix/master $(sql "SELECT describe FROM checkout WHERE id = $h"): no new regressions"
is "threaded after the last report received, not the refused one" \
    "$(hdr "$E" In-Reply-To)" "$(sql "SELECT message_id FROM report WHERE id = 6")"
check "with LF line ends" sh -c "! grep -q \"$(printf '\r')\" '$E'"

# the first time a known issue shows on a branch it is news: mailed as
# new (a log that quoted a known issue's text would otherwise hide a
# regression); once an earlier head showed it, it is known
printf 'y\n' >"$up/BROKEN"
git -C "$up" add BROKEN
commit "$up" "drivers: break it as y"
check_rc 0 "a head that shows the known issue first" maestrino $C run --wait
E=$TMP/var/reports/$(sql "SELECT id || '-' || replace(key, ':', '-') FROM report ORDER BY id DESC LIMIT 1").eml
parse "$E"
hdr "$E" Subject >"$TMP/subject"
hasnt "is not known the first time on the branch" "$TMP/subject" "known)"
hasnt "nor listed with the known ones" "$E.body" "of known issues (not new)"
has "but with the regressions" "$E.body" "build x86 x86_64 gcc"
git -C "$up" rm -q BROKEN
commit "$up" "drivers: mend it"
check_rc 0 "mended" maestrino $C run --wait

# --dry-run: prints, changes nothing
printf 'y\n' >"$up/BROKEN"
git -C "$up" add BROKEN
commit "$up" "drivers: break it again"
check "a new broken head, without the report stage" sh -c "
    maestrino $C poll && maestrino $C tarball && maestrino $C jobs &&
    maestrino $C submit && maestrino $C collect --wait"
sqlite3 "$TMP/var/state.db" .dump >"$TMP/before.sql"
ls "$TMP/var/reports" >"$TMP/before.ls"
check_rc 0 "report --dry-run" maestrino $C report --dry-run
h=$(head_id)
has "prints the report" "$TMP/out" "=== report summary:$h (fix/master)"
has "with its recipients" "$TMP/out" "To: list@example.org, dev@example.org"
has "and its body" "$TMP/out" "Results of checkout $h:"
has "the regression of a known issue, apart" "$TMP/out" \
    "Regressions of known issues (not new): 1"
has "with the issue's title" "$TMP/out" "    known issue broken-y: The y build error"
has "and its report" "$TMP/out" "    https://lore.example.org/y"
has "not counted as new in the subject" "$TMP/out" \
    ": no new regressions (1 known)"
has "a dry run says so" "$TMP/out" "maestrino-report: dry run: 1 checkouts looked at, 1 summaries"
sqlite3 "$TMP/var/state.db" .dump >"$TMP/after.sql"
check "the database is unchanged" cmp "$TMP/before.sql" "$TMP/after.sql"
check "no file written" sh -c "ls '$TMP/var/reports' | cmp - '$TMP/before.ls'"
check_rc 0 "the report stage for real" maestrino $C report
is "recorded now" "$(sql "SELECT state FROM report WHERE key = 'summary:$h'")" written

# the digest, on its day
day=$(date -u +%A | tr 'A-Z' 'a-z')
week=$(date -u +%G-W%V)
config "digest: $day"
check_rc 0 "the report stage on the digest's day" maestrino $C report
is "one digest" "$(sql "SELECT key || ' ' || state FROM report WHERE kind = 'digest'")" \
    "digest:fix:$week written"
D=$(ls "$TMP/var/reports/"*digest*)
parse "$D"
is "its subject" "$(hdr "$D" Subject)" \
    "[test] fix: weekly digest $week, 1 open regression"
has "the branch and its head" "$D.body" "fix/master (checkout $h): 1 open regression"
has "the build still failing" "$D.body" "  build x86 x86_64 gcc"
has "a known issue's apart" "$D.body" "  of known issues (not new): 1"
has "named" "$D.body" "    known issue broken-y: The y build error"
has "since when" "$D.body" "failing since $(sql "SELECT describe FROM checkout WHERE id = $h") (checkout $h)"
is "digests thread on their own" "$(hdr "$D" In-Reply-To)" ""
check_rc 0 "a second run the same day" maestrino $C report
is "no second digest" "$(sql "SELECT count(*) FROM report WHERE kind = 'digest'")" 1

check_rc 0 "--help" maestrino report --help
has "says what it does" "$TMP/out" "--dry-run"

done_testing
