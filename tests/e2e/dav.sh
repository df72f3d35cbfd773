# shellcheck shell=sh
# dav.sh: a WebDAV server for the storage tests and bench, sourced after
# lib.sh (or bench/lib.sh): Debian's nginx and its DAV module on
# 127.0.0.1 only, with a config of its own under $DAV.
#   dav_start MODE  start it on $dav_port (from free_port) in MODE:
#                   ok (PUT needs "Bearer $DAV_TOKEN", GET serves it all)
#                   or 503 (every request under /dav/ answers 503, its
#                   body echoing the Authorization header)
#   dav_stop        stop it (SIGQUIT, waited for)
#   dav_kill        SIGKILL to the master and its workers, at once
#   dav_puts        the PUTs it logged: "STATUS URI" per line
# Files land in $DAV/www/dav/; request bodies are buffered in $DAV/body.
DAV=${DAV:-$TMP/dav}
dav_pid=
dav_port=
DAV_NGINX=${DAV_NGINX:-/usr/sbin/nginx}

dav_conf() {
	mkdir -p "$DAV/www/dav" "$DAV/body" "$DAV/logs"
	if [ "$1" = 503 ]; then
		# (the reply echoes the token, as a hostile server could)
		_loc='return 503 "unavailable for $http_authorization";'
	else
		_loc="set \$put \"\";
			if (\$request_method = PUT) {
				set \$put P;
			}
			if (\$http_authorization != \"Bearer $DAV_TOKEN\") {
				set \$put \"\${put}A\";
			}
			if (\$put = PA) {
				return 401;
			}
			dav_methods PUT DELETE MKCOL;
			create_full_put_path on;
			dav_access user:rw group:r all:r;"
	fi
	_user=
	[ "$(id -u)" -eq 0 ] && _user='user root;'
	cat >"$DAV/nginx.conf" <<EOC
$_user
daemon off;
worker_processes 1;
pid $DAV/nginx.pid;
error_log $DAV/logs/error.log;
events { worker_connections 64; }
http {
	log_format puts '\$request_method \$status \$uri';
	access_log $DAV/logs/access.log puts;
	client_body_temp_path $DAV/body;
	client_max_body_size 0;
	proxy_temp_path $DAV/body;
	fastcgi_temp_path $DAV/body;
	uwsgi_temp_path $DAV/body;
	scgi_temp_path $DAV/body;
	server {
		listen 127.0.0.1:$dav_port;
		root $DAV/www;
		location /dav/ {
			$_loc
		}
	}
}
EOC
}

dav_start() {
	[ -n "$dav_port" ] || dav_port=$(free_port)
	dav_conf "$1"
	"$DAV_NGINX" -e "$DAV/logs/error.log" -p "$DAV" -c "$DAV/nginx.conf" \
	    >>"$DAV/logs/stderr" 2>&1 &
	dav_pid=$!
	wait_port "$dav_port"
}

dav_stop() {
	if [ -n "$dav_pid" ]; then
		kill -QUIT "$dav_pid" 2>/dev/null
		wait "$dav_pid" 2>/dev/null
	fi
	dav_pid=
}

dav_kill() {
	if [ -n "$dav_pid" ]; then
		for _p in $(pgrep -P "$dav_pid"); do
			kill -KILL "$_p" 2>/dev/null
		done
		kill -KILL "$dav_pid" 2>/dev/null
		wait "$dav_pid" 2>/dev/null
	fi
	dav_pid=
}

dav_puts() {
	awk '$1 == "PUT" { print $2, $3 }' "$DAV/logs/access.log" 2>/dev/null
}
