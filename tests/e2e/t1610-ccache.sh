#!/bin/sh
# Issue 16, item 4: builds through ccache, one cache per tree and arch in
# the data dir.  A small tree that really compiles (with -g and absolute
# paths, so a hit across work directories needs CCACHE_BASEDIR and
# CCACHE_NOHASHDIR) is built with settings.ccache: true, then a
# neighbouring commit hits the cache in a work directory of its own; a
# head without settings.ccache builds without it, a bisection step with
# it all the same; without ccache in PATH, one warning and the build
# passes.
. "$(dirname "$0")/lib.sh"

command -v ccache >/dev/null || { echo "1..0 # SKIP ccache not installed"; exit 0; }
up=$TMP/up
mkdir -p "$up/kernel" "$up/lib" "$up/scripts"
cat >"$up/Makefile" <<'EOF'
# A tree that compiles as kbuild does: CC and HOSTCC from the command
# line win over these; -g puts the work directory in the objects.
VERSION = 6
PATCHLEVEL = 1
SUBLEVEL = 0
EXTRAVERSION = -cc
CC = $(CROSS_COMPILE)gcc
HOSTCC = gcc
OBJS = kernel/fork.o kernel/sys.o lib/string.o lib/sort.o

%config:
	@echo CONFIG_CC=y > .config
	@echo "config with CC=$(CC) HOSTCC=$(HOSTCC)"
olddefconfig:
	@true
%.o: %.c
	$(CC) -g -O2 -c -o $@ $(CURDIR)/$<
scripts/mkimage.o: scripts/mkimage.c
	$(HOSTCC) -g -c -o $@ $(CURDIR)/$<
scripts/mkimage: scripts/mkimage.o
	$(HOSTCC) -o $@ $<
bzImage: $(OBJS) scripts/mkimage
	@mkdir -p arch/x86/boot
	scripts/mkimage $(OBJS) >arch/x86/boot/bzImage
	@cp .config System.map
kernelrelease:
	@echo 6.1.0-cc
.PHONY: olddefconfig bzImage kernelrelease
EOF
for f in kernel/fork kernel/sys lib/string lib/sort; do
	n=$(basename $f)
	printf 'int %s_count(int x)\n{\n\treturn x * %d;\n}\n' "$n" ${#n} \
	    >"$up/$f.c"
done
cat >"$up/scripts/mkimage.c" <<'EOF'
#include <stdio.h>

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		printf("image part %s\n", argv[i]);
	return 0;
}
EOF
git init -q "$up"
git -C "$up" add -A
commit "$up" "Linux 6.1-cc"

config_dir
settings_add 'retries: 0' 'ccache: true'
{
	yaml_tree fix "$up" master
	yaml_x86_build
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
# the tree's name and the arch through the one sanitiser (safe_name:
# '_' is "~5F")
cache=$TMP/var/ccache/fix-x86~5F64
# the log without ccache's column padding
squeeze() { tr -s ' ' <"$1" >"$TMP/log"; }

# 1. settings.ccache: true, an empty cache
check_rc 0 "the first build passes" maestrino $C run --wait
squeeze "$TMP/var/storage/builds/b1-x86/build.log"
has "make is told to compile through ccache" "$TMP/log" \
    'CC=ccache gcc HOSTCC=ccache gcc'
has "the tree compiles through it" "$TMP/log" "ccache gcc -g -O2 -c -o kernel/fork.o"
has "host programs too" "$TMP/log" "ccache gcc -g -c -o scripts/mkimage.o"
test -d "$cache" && ok "the cache is <data>/ccache/<tree>-<arch>" ||
    not_ok "the cache is <data>/ccache/<tree>-<arch>" "$(ls -R "$TMP/var/ccache" 2>&1)"
is "objects went into it" \
    "$(CCACHE_DIR=$cache ccache --print-stats | awk '$1 == "cache_miss" { print $2 }')" 5
has "the log ends with ccache's statistics" "$TMP/log" "\$ ccache --show-log-stats"
has "all misses, the first time" "$TMP/log" "Misses: 5 / 5"
is "and the build records them" \
    "$(sql "SELECT json_extract(misc, '$.ccache.hits') || ' ' || json_extract(misc, '$.ccache.misses') FROM build")" \
    "0 5"
if command -v bwrap >/dev/null; then
	is "in the sandbox, the cache was writable" \
	    "$(sql "SELECT json_extract(misc, '$.sandbox') FROM build")" bwrap
fi

# 2. a neighbouring commit, in a work directory of its own
sed -i 's/return x \*/return x +/' "$up/lib/string.c"
git -C "$up" add lib/string.c
commit "$up" "lib: string: add, do not multiply"
check_rc 0 "the next commit builds" maestrino $C run --wait
squeeze "$TMP/var/storage/builds/b2-x86/build.log"
has "it hits the cache for every file it did not touch" "$TMP/log" \
    "Hits: 4 / 5"
has "and misses the one it did" "$TMP/log" "Misses: 1 / 5"
has "the worker says so in its own words" "$TMP/log" \
    "# maestrino: ccache: 4 hits, 1 misses"
is "the build records 4 hits, 1 miss" \
    "$(sql "SELECT json_extract(misc, '$.ccache.hits') || ' ' || json_extract(misc, '$.ccache.misses') FROM build WHERE id = 2")" \
    "4 1"
has "the image is the new commit's" \
    "$TMP/var/storage/builds/b2-x86/build.log" "scripts/mkimage kernel/fork.o"

# 3. settings.ccache off: a head builds without it
sed -i '/ccache: true/d' "$TMP/configs/settings.yaml"
commit "$up" "lib: sort: a change" lib/sort.c 'int sort_count(int x) { return x; }'
check_rc 0 "a head without settings.ccache builds" maestrino $C run --wait
log=$TMP/var/storage/builds/b3-x86/build.log
hasnt "not through ccache" "$log" "ccache"
has "but with gcc" "$log" "gcc -g -O2 -c -o kernel/fork.o"
is "and records no ccache" \
    "$(sql "SELECT json_type(misc, '$.ccache') IS NULL FROM build WHERE id = 3")" 1
grep -q ccache "$TMP/var/jobs/"*b3-x86*.yaml &&
    not_ok "its definition names no cache" ||
    ok "its definition names no cache"

# 4. a bisection step always does
check_rc 0 "a checkout of the commit before" \
    maestrino $C checkout fix "$(git -C "$up" rev-parse HEAD~1)"
co=$(sed -n 's/^checkout \([0-9]*\):.*/\1/p' "$TMP/out")
sql "UPDATE checkout SET kind = 'bisect' WHERE kind = 'ondemand'"
check "a bisection step builds" sh -c "maestrino $C tarball &&
    maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait"
is "the step is a bisection step" \
    "$(sql "SELECT kind FROM checkout WHERE id = $co")" bisect
has "its definition names the tree's cache" "$TMP/var/jobs/b$co-x86.yaml" \
    "ccache: $cache"
squeeze "$TMP/var/storage/builds/b$co-x86/build.log"
has "through ccache" "$TMP/log" 'CC=ccache gcc HOSTCC=ccache gcc'
has "every file it compiles was in the cache" "$TMP/log" "Hits: 5 / 5"

# 5. no ccache in PATH: one warning, and the build passes
mkdir -p "$TMP/nocc"
for d in $(echo "$PATH" | tr ':' ' '); do
	for f in "$d"/*; do
		n=${f##*/}
		[ "$n" = ccache ] || [ -e "$TMP/nocc/$n" ] ||
		    ln -s "$f" "$TMP/nocc/$n" 2>/dev/null
	done
done
printf '  ccache: true\n' >>"$TMP/configs/settings.yaml"
commit "$up" "kernel: sys: a change" kernel/sys.c 'int sys_count(int x) { return -x; }'
PATH=$TMP/nocc check_rc 0 "without ccache installed the build passes" \
    maestrino $C run --wait
co=$(sql "SELECT max(id) FROM checkout")
log=$TMP/var/storage/builds/b$co-x86/build.log
is "it is the new head's build, and it passed" \
    "$(sql "SELECT b.status FROM build b JOIN job j ON j.id = b.job_id WHERE j.checkout_id = $co")" PASS
is "after one warning" "$(grep -c 'ccache is not installed' "$log")" 1
has "that says what to install" "$log" \
    "warning: ccache is not installed (Debian's ccache): building without it"
has "it compiled with gcc alone" "$log" "gcc -g -O2 -c -o kernel/sys.o"
hasnt "and never asked for ccache" "$log" "CC=ccache"
# 6. a commit that plants in the cache what ccache, or an operator's
# `ccache --clear`, would follow or read: a link out of it, a FIFO, a
# config that would break every compile; and a link named as ccache's
# locks are, pointing at a name beside it, which stays
cp "$up/Makefile" "$TMP/Makefile.good"
sed -i 's/^\t@echo CONFIG_CC=y > .config$/&\n\t@rm -rf $(CCACHE_DIR)\/0; ln -s ..\/.. $(CCACHE_DIR)\/0; mkfifo $(CCACHE_DIR)\/fifo; ln -sfn host:1:2 $(CCACHE_DIR)\/stats.lock; echo "prefix_command = \/bin\/false" >$(CCACHE_DIR)\/ccache.conf/' \
    "$up/Makefile"
grep -q 'mkfifo' "$up/Makefile" || not_ok "the hostile Makefile is made"
git -C "$up" add Makefile
commit "$up" "kbuild: plant links in the cache"
check_rc 0 "the commit builds: the config it planted is not read" \
    maestrino $C run --wait
co=$(sql "SELECT max(id) FROM checkout")
squeeze "$TMP/var/storage/builds/b$co-x86/build.log"
is "it built through ccache" "$(sql "SELECT b.status || ' ' || (json_extract(b.misc, '$.ccache.hits') IS NOT NULL) FROM build b JOIN job j ON j.id = b.job_id WHERE j.checkout_id = $co")" "PASS 1"
has "the worker removed what it planted, and says so" "$TMP/log" \
    "# maestrino: ccache: after the build: removed 2 links or special files from the cache that ccache did not make"
test ! -e "$cache/0" && test ! -L "$cache/0" &&
    ok "the link out of the cache is gone" ||
    not_ok "the link out of the cache is gone" "$(ls -la "$cache")"
test ! -e "$cache/fifo" && ok "the FIFO too" || not_ok "the FIFO too"
test ! -e "$cache/ccache.conf" && ok "and the config" || not_ok "and the config"
test -L "$cache/stats.lock" && ok "a lock link of ccache's kind stays" ||
    not_ok "a lock link of ccache's kind stays"
CCACHE_DIR=$cache ccache --clear >/dev/null 2>&1
test -f "$TMP/var/state.db" && test -d "$TMP/var/storage/builds" &&
    ok "an operator's ccache --clear then leaves the data dir alone" ||
    not_ok "an operator's ccache --clear then leaves the data dir alone" \
    "$(ls -la "$TMP/var")"
check_rc 0 "and the state is whole" maestrino $C status

# 7. a cache over twice its max size holds what ccache did not put
# there (ccache keeps itself under it): emptied, said, and the next
# build fills it again
cp "$TMP/Makefile.good" "$up/Makefile"
sed -i 's/^\t@echo CONFIG_CC=y > .config$/&\n\t@head -c 3000000 \/dev\/urandom >$(CCACHE_DIR)\/junk/' \
    "$up/Makefile"
git -C "$up" add Makefile
commit "$up" "kbuild: fill the cache"
settings_add 'build_env: [CCACHE_MAXSIZE]'
CCACHE_MAXSIZE=1M check_rc 0 "a commit that fills the cache builds" \
    maestrino $C run --wait
co=$(sql "SELECT max(id) FROM checkout")
squeeze "$TMP/var/storage/builds/b$co-x86/build.log"
has "the cache is emptied after it, and the log says why" "$TMP/log" \
    "# maestrino: warning: ccache: after the build: it holds 3 MiB, over 2 times its max size: emptied"
test ! -e "$cache/junk" && test -d "$cache" &&
    ok "what it wrote is gone, the cache dir stays" ||
    not_ok "what it wrote is gone, the cache dir stays" "$(ls -la "$cache")"
cp "$TMP/Makefile.good" "$up/Makefile"
git -C "$up" add Makefile
commit "$up" "kbuild: fill it no more"
CCACHE_MAXSIZE=1M check_rc 0 "the next commit builds" maestrino $C run --wait
co=$(sql "SELECT max(id) FROM checkout")
squeeze "$TMP/var/storage/builds/b$co-x86/build.log"
has "from an empty cache" "$TMP/log" "Misses: 5 / 5"
hasnt "which stays under its size" "$TMP/log" "emptied"
done_testing
