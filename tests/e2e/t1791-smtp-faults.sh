#!/bin/sh
# Attack/behaviour: the report stage against SMTP servers that are not
# polite.  (1) The server greylists the tree's list (450 on RCPT TO, as
# greylisting does) but takes another To: the report must reach the
# list later, not be marked sent without it.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
port=$(free_port)
trap smtp_stop EXIT

config_dir
settings_add 'retries: 0' 'retry_delay: 0' \
    'email:' '  from: "Maestrino CI <ci@example.org>"' \
    "  smtp_url: smtp://127.0.0.1:$port" '  always: true'
{
	yaml_tree fix "$up" master
	echo '    report_to: [list@example.org, dev@example.org]'
	yaml_x86_build
	printf 'labs:\n  local: {type: local}\n'
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"

smtp_start --tempfail-rcpt list@example.org
check_rc 0 "the first head, list@ greylisted" maestrino $C run --wait
cat "$TMP/out" | grep -i report
is "the server took one message" "$(find "$TMP/mail" -name '*.eml' | wc -l)" 1
is "its envelope: dev@ only" "$(grep '^to' "$M"/0001.env | tr '\n' ' ')" "to dev@example.org "
is "the report is still owed to list@ (not 'sent' for good)" \
    "$(sql "SELECT state FROM report")" "pending"
smtp_stop
smtp_start
check_rc 0 "the greylisting is over: the report stage" maestrino $C report
is "list@ got it at last" "$(cat "$TMP"/mail/*/*.env | grep -c '^to list@example.org')" 1
is "and only list@: dev@ does not get it twice" "$(cat "$M/0001.env" | tr '\n' ' ')" \
    "from ci@example.org to list@example.org "
check "the very same message, Message-ID and all" cmp "$TMP/mail/1/0001.eml" "$M/0001.eml"
is "sent now" "$(sql "SELECT state || ' ' || coalesce(retry_rcpts, 'NULL') FROM report")" "sent NULL"

# hostile_start MODE: tests/e2e/smtp-hostile.py on $port
hostile_start() {
	(cd "$TMP" && exec /usr/bin/python3 "$top/tests/e2e/smtp-hostile.py" \
	    "$port" "$1") >>"$TMP/smtp.log" 2>&1 &
	# shellcheck disable=SC2034 # smtp_stop (lib.sh) stops it
	smtp_pid=$!
	wait_port "$port"
}
smtp_stop
# (2) a setting of the server, not the message: the sender is refused
# (553 to MAIL FROM, as a submission server says of a From it does not
# own).  Fixing the setting must get the reports out: they must not be
# 'failed' for good.
commit "$up" "lib: two" lib/two.c "int two;"
hostile_start mail553
run maestrino $C run --wait
grep 'report' "$TMP/out"
is "the reports of the run, failed?" \
    "$(sql "SELECT state FROM report ORDER BY id DESC LIMIT 1")" "pending"
smtp_stop
smtp_start
check_rc 0 "the sender is allowed now: the report stage" maestrino $C report
is "the report refused for the sender arrives" \
    "$(find "$TMP/mail/2" -name '*.eml' | wc -l | tr -d ' ')" 1
smtp_stop

# (3) the greeting is 554 (RFC 5321: no service now)
commit "$up" "lib: four" lib/four.c "int four;"
hostile_start greet554
run maestrino $C run --wait
grep 'report' "$TMP/out"
is "a 554 greeting leaves the report pending" \
    "$(sql "SELECT state FROM report ORDER BY id DESC LIMIT 1")" "pending"
smtp_stop

# (4) replies with terminal escapes and a long line
commit "$up" "lib: five" lib/five.c "int five;"
hostile_start escapes
run maestrino $C run --wait
hasnt "no escape reaches the terminal" "$TMP/out" "$(printf '\033')"
hasnt "nor the database" "$(sql "SELECT error FROM report ORDER BY id DESC LIMIT 1" >"$TMP/err"; echo "$TMP/err")" "$(printf '\033')"
is "the error kept is bounded" "$(wc -c <"$TMP/err" | tr -d ' ')" "$(wc -c <"$TMP/err" | awk '$1 < 400 {print $1}')"
smtp_stop

# (5) the server takes the message and answers garbage: each run sends
# it again (RFC 5321 6.1: a message without its reply is retried), but
# not without end: 8 tries, then 'failed' with the last error
commit "$up" "lib: six" lib/six.c "int six;"
hostile_start dupe
run maestrino $C run --wait
grep 'report' "$TMP/out"
has "the error says it may have arrived" "$TMP/out" "may deliver it twice"
for i in 1 2 3 4 5 6 7 8 9; do
	run maestrino $C report
done
is "taken by the server how many times (one run, nine report runs)" \
    "$(cat "$TMP/$port.count")" 8
is "its state and attempts" "$(sql "SELECT state || ' ' || attempts FROM report ORDER BY id DESC LIMIT 1")" "failed 8"
sql "SELECT error FROM report ORDER BY id DESC LIMIT 1" >"$TMP/err"
has "its error says why" "$TMP/err" "8 tries, the last: "
has "and that it may have arrived" "$TMP/err" "may deliver it twice"
check_rc 0 "and the next run has nothing to send" maestrino $C report
is "not sent a ninth time" "$(cat "$TMP/$port.count")" 8
smtp_stop

# (6) more report_to addresses than a message has (100): the report is
# made for the first 100, with a warning, not retried by every run
{
	yaml_tree fix "$up" master
	printf '    report_to: ['
	i=1
	while [ $i -le 101 ]; do
		printf '%s' "l$i@example.org"
		[ $i -lt 101 ] && printf ', '
		i=$((i + 1))
	done
	printf ']\n'
	yaml_x86_build
	printf 'labs:\n  local: {type: local}\n'
} >"$TMP/configs/c.yaml"
commit "$up" "lib: seven" lib/seven.c "int seven;"
smtp_start
check_rc 0 "a head with 101 To addresses" maestrino $C run --wait
has "a warning says one is left out" "$TMP/out" \
    "1 To addresses past the 100 a message has: left out"
is "the message went to 100" "$(grep -c '^to ' "$M/0001.env")" 100
is "and it is sent" "$(sql "SELECT state FROM report ORDER BY id DESC LIMIT 1")" sent
smtp_stop
done_testing
