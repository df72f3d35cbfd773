#!/bin/sh
# Issue 12, item 1 again, for what a build can do as the user it runs as:
# forge its result.json, leave a daemon to rewrite what was stored, reach
# the network, make its kernel image a link to a private file, write the
# state database or the config.  In the sandbox (bubblewrap) it can do
# none of it; without one (settings.sandbox: off) its result is not
# taken on its word, its daemons are killed and its links not followed.
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || { echo "1..0 # SKIP bwrap not installed"; exit 0; }
up=$TMP/up
fixture_repo "$up"
printf 'PRIVATE-KEY-MATERIAL\n' >"$TMP/private.txt"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[2], "a").write(self.path + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' \
    "$port" "$TMP/net.log" &
srv=$!
trap 'kill $srv 2>/dev/null; pkill -f "sleep 4242"' EXIT
export NET_PORT="$port" PRIVATE_FILE="$TMP/private.txt" CONFIG_DIR="$TMP/configs"
config_dir
settings_add 'retries: 0' 'build_env: [NET_PORT, PRIVATE_FILE, CONFIG_DIR]'
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo '    fragments: [CONFIG_HOSTILE=y, CONFIG_VANDAL=y]'
} >"$TMP/configs/c.yaml"
cp "$TMP/configs/c.yaml" "$TMP/c.yaml.before"
C="-c $TMP/configs"
sleep 0.5

run maestrino $C run --wait
log=$TMP/var/storage/builds/b1-x86/build.log
is "in the sandbox" "$(sql "SELECT json_extract(misc, '$.sandbox') FROM build")" bwrap
# what the build wrote outside src/ went to an empty tmpfs that is gone
has "the build tried to write its result, the database and the config" \
    "$log" "HOSTILE: "
has "and could not reach the network" "$log" "HOSTILE: no network"
tail -c 7 "$TMP/var/state.db" | grep -q vandal &&
    not_ok "nothing it wrote reached the state database" ||
    ok "nothing it wrote reached the state database"
test ! -s "$TMP/net.log" && ok "the server heard nothing" ||
    not_ok "the server heard nothing" "$(cat "$TMP/net.log")"
cmp -s "$TMP/configs/c.yaml" "$TMP/c.yaml.before" && ok "the config is intact" ||
    not_ok "the config is intact"
is "the database is intact" "$(sqlite3 "$TMP/var/state.db" 'PRAGMA integrity_check')" ok
pgrep -f "sleep 4242" >"$TMP/left"
is "nothing the build started is left running" "$(cat "$TMP/left")" ""
is "an image that is a link is the build's failure" \
    "$(sql "SELECT status || ' ' || json_extract(misc, '$.error_msg') FROM build")" \
    "FAIL arch/x86/boot/bzImage is not a regular file of its own (a link, hard link, FIFO, device or directory); not stored"
grep -rlaF PRIVATE-KEY-MATERIAL "$TMP/var" "$TMP/public" >"$TMP/leak" 2>/dev/null
is "what the link pointed at is nowhere" "$(cat "$TMP/leak")" ""

# without a sandbox
printf '  sandbox: off\n' >>"$TMP/configs/settings.yaml"
sed -i 's/, CONFIG_VANDAL=y//' "$TMP/configs/c.yaml"
commit "$up" "second" NEWS 2
run maestrino $C run --wait
log=$TMP/var/storage/builds/b2-x86/build.log
has "without a sandbox, the build forges a result.json" "$log" \
    "HOSTILE: forged result.json"
has "and reaches the network" "$log" "HOSTILE: reached the network"
is "but its result is the worker's" \
    "$(sql "SELECT status FROM build WHERE id = 2")" FAIL
sql "SELECT json_extract(misc, '$.reproducer') FROM build WHERE id = 2" >"$TMP/repro"
hasnt "the reproducer is never the build's" "$TMP/repro" "127.0.0.1:9"
has "it is made from the job's definition" "$TMP/repro" "curl -fsSL -o source.tar.gz"
sql "SELECT artifacts FROM build WHERE id = 2" >"$TMP/arts"
hasnt "artifacts are what is in storage, not what the build said" \
    "$TMP/arts" "/etc/passwd"
pgrep -f "sleep 4242" >"$TMP/left"
is "its daemon was killed all the same" "$(cat "$TMP/left")" ""
grep -rlaF PRIVATE-KEY-MATERIAL "$TMP/var" "$TMP/public" >"$TMP/leak" 2>/dev/null
is "and its link was not followed" "$(cat "$TMP/leak")" ""
done_testing
