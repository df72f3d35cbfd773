#!/bin/sh
# A bisection step's kernel build through ccache, against a clean one:
# the default x86_64 build (tinyconfig + qemu-boot) of the demo kernel
# with settings.ccache: true, first its head with an empty cache, then
# a next commit touching three files that tinyconfig compiles, in a
# fresh work directory with the warm cache, both through the local
# runtime as every build runs.  The figure is the config and build
# phases (make's time); the whole job's times follow.
. "$(dirname "$0")/lib.sh"

demo="$top/var/demo/linux.git"
"$top/scripts/demo-tree.sh" "$demo" 2>/dev/null || exit 2
command -v ccache >/dev/null || { echo "bench: ccache not installed (scripts/deps.sh run)" >&2; exit 2; }
repo=$BTMP/linux.git
git clone -q --bare "$demo" "$repo" || exit 2
mkdir -p "$BTMP/c"
cp -r "$top/configs/fragments" "$top/configs/labs.yaml" "$BTMP/c/"
# the default x86_64 build alone, with time to spare on a busy machine
sed -e '/^  arm64-tinyconfig:/,$d' -e 's/^    timeout: .*/    timeout: 3h/' \
    "$top/configs/builds.yaml" >"$BTMP/c/builds.yaml"
printf 'settings:\n  data_dir: %s/var\n  retries: 0\n  ccache: true\ntrees:\n  demo:\n    url: %s\n    branches: [master]\n' \
    "$BTMP" "$repo" >"$BTMP/c/settings.yaml"
C="-c $BTMP/c"

# build: the next checkout's build, timed from submit to collected
build() {
	maestrino $C poll -q && maestrino $C tarball -q &&
	    maestrino $C jobs -q || return 1
	_t0=$(now)
	maestrino $C submit -q && maestrino $C collect -q --wait || return 1
	_t1=$(now)
	job=$(elapsed "$_t0" "$_t1")
	q="SELECT status, json_extract(misc, '$.phases.config') +
	    json_extract(misc, '$.phases.build'),
	    json_extract(misc, '$.ccache.hits'),
	    json_extract(misc, '$.ccache.misses')
	    FROM build ORDER BY id DESC LIMIT 1"
	# shellcheck disable=SC2046
	set -- $(sqlite3 -separator ' ' "$BTMP/var/state.db" "$q")
	[ "${1:-}" = PASS ] || { echo "bench: the build did not pass" >&2; return 1; }
	make=$(printf '%.1f' "$2")
	hits=$3
	misses=$4
}

build || exit 1
clean_job=$job
clean_make=$make
clean_misses=$misses

# the step: three files that tinyconfig compiles, each with a change
# that makes code (a comment would hit in ccache's preprocessor mode)
export GIT_DIR="$repo" GIT_INDEX_FILE="$BTMP/index"
export GIT_AUTHOR_NAME="Maestrino Bench" GIT_AUTHOR_EMAIL="bench@maestrino.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
git read-tree master || exit 2
for f in kernel/fork.c kernel/sys.c lib/string.c; do
	n=$(echo "$f" | tr '/.' '__')
	{ git show "master:$f"; printf '\nint bench_%s = 1;\n' "$n"; } >"$BTMP/f"
	blob=$(git hash-object -w "$BTMP/f") &&
	    git update-index --cacheinfo "100644,$blob,$f" || exit 2
done
tree=$(git write-tree) &&
    c=$(echo "bench: a step touching three files" | git commit-tree "$tree" -p master) &&
    git update-ref refs/heads/master "$c" || exit 2
unset GIT_DIR GIT_INDEX_FILE

build || exit 1
report "step build (make) with the warm cache" "$make" s \
    "clean build, empty cache" "$clean_make" "< 0.4"
report "step job, submit to collected" "$job" s \
    "clean job" "$clean_job"
echo "  ccache: clean $clean_misses misses; step $hits hits, $misses misses"
