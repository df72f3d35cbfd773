#!/bin/sh
# buildlogs.sh SRC OUTDIR: the build-*.log files.  SRC is an unpacked,
# unpatched linux-source-6.1 tree used for nothing else: it is configured
# in place (make tinyconfig; make prepare), then each of build-error.patch
# and build-warning.patch is applied, one object is built with make's
# output kept whole, and the patch is reverted.  Done with gcc, then
# (after make mrproper) with clang (make LLVM=1) if clang is installed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$1" && pwd)
mkdir -p "$2"
outdir=$(cd "$2" && pwd)

# one CC PATCH OBJ LOG: make OBJ with PATCH applied, its output in LOG.
one()
{
	patch -s -p1 <"$here/$2"
	# A failing make is what we are here for.
	nice -n 5 make $1 -j2 "$3" >"$outdir/$4" 2>&1 || true
	patch -s -R -p1 <"$here/$2"
}

cd "$src"
for cc in gcc clang; do
	case $cc in
	gcc) flags= ;;
	clang)
		command -v clang >/dev/null || break
		flags=LLVM=1 ;;
	esac
	make $flags mrproper >/dev/null
	make $flags tinyconfig >/dev/null
	nice -n 5 make $flags -j2 prepare >/dev/null 2>&1
	one "$flags" build-error.patch init/main.o build-error-$cc.log
	one "$flags" build-warning.patch init/calibrate.o \
	    build-warning-$cc.log
done
