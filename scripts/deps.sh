#!/bin/sh
# deps.sh [GROUP...]: install the Debian or Ubuntu packages that Maestrino
# needs and that are missing.  Groups:
#   build   compiler and the libraries (what `make` needs)
#   run     what `make run` needs: xz and zstd, kernel build tools,
#           Debian's linux-source, busybox, QEMU and lava-dispatcher;
#           the arm64 and riscv64 cross compilers with their C
#           libraries (only recommended by the compilers, and recommends
#           are not installed), clang/lld/llvm, QEMU
#           for arm64 and riscv64, mmdebstrap and dpkg-dev for the
#           userlands of scripts/make-ramdisk.sh and make-rootfs.sh,
#           rsync for kselftest's install, fakechroot and fakeroot
#           for mmdebstrap as a user other than root, ccache for
#           bisection steps' builds (and settings.ccache)
#   test    what `make check` needs: run, plus git, the KCIDB schema
#           validator, an HTML5 checker, LAVA's server, Chromium,
#           clang with libFuzzer's runtime for the fuzz targets,
#           qemu-user-static to run foreign binaries, nginx (its
#           DAV module) as the storage tests' WebDAV server, Slurm
#           with munge for the slurm runtime's tests, and pigz for the
#           tarball bench's shell-pipeline anchor
# On Debian, run and test also add the arm64 architecture to dpkg
# (multiarch), for busybox-static:arm64.  Quiet when nothing is missing.
# Works on Debian 12 and Ubuntu 24.04, as root or with sudo.
set -eu

build="gcc make pkg-config libgit2-dev libyaml-dev libsqlite3-dev
	libarchive-dev libcurl4-openssl-dev libjansson-dev libssl-dev
	libdeflate-dev"
run="git xz-utils zstd bc flex bison libelf-dev libssl-dev cpio kmod
	busybox-static qemu-system-x86 lava-dispatcher lava-common
	python3-yaml sqlite3 ca-certificates time bubblewrap
	gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu libc6-dev-arm64-cross
	libc6-dev-riscv64-cross clang lld llvm
	qemu-system-arm qemu-system-misc mmdebstrap debian-archive-keyring
	dpkg-dev binutils bzip2 rsync fakechroot fakeroot
	util-linux ccache"
test="$run python3-jsonschema python3-rfc3987 python3-html5lib curl jq
	chromium procps psmisc time clang libclang-rt-dev qemu-user-static
	groff-base man-db python3-aiosmtpd openssl nginx slurm-wlm munge pigz"

# Debian names the kernel source package after its version; Ubuntu has
# one linux-source package.
kernel_source() {
	if apt-cache show linux-source-6.1 >/dev/null 2>&1; then
		echo linux-source-6.1
	else
		echo linux-source
	fi
}

[ $# -gt 0 ] || set -- build
want=""
for g in "$@"; do
	case $g in
	build) want="$want $build" ;;
	run) want="$want $build $run" ;;
	test) want="$want $build $test" ;;
	*) echo "deps.sh: unknown group '$g' (build, run, test)" >&2; exit 2 ;;
	esac
done

# Node.js may come from elsewhere (nodesource); only ask Debian for it when
# there is none, since Debian's npm conflicts with other builds of node.
case " $* " in *" test "*)
	command -v npm >/dev/null 2>&1 || want="$want nodejs npm" ;;
esac

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in *" installed") ;; *) missing="$missing $p" ;; esac
done
# linux-source: any installed version will do
case " $* " in *" run "*|*" test "*)
	if ! ls /usr/src/linux-source-*.tar.* >/dev/null 2>&1; then
		need_ksrc=1
	fi ;;
esac

# arm64 packages (busybox-static:arm64) through multiarch, on Debian
# only: Ubuntu keeps arm64 on another mirror (ports.ubuntu.com), which
# its sources do not name, so adding the architecture there would break
# apt-get update
case " $* " in *" run "*|*" test "*)
	if [ "$(. /etc/os-release 2>/dev/null && echo "${ID:-}")" = debian ] &&
	    ! dpkg --print-foreign-architectures | grep -qx arm64; then
		need_arm64=1
	fi ;;
esac

if [ -z "$missing" ] && [ -z "${need_ksrc:-}" ] && [ -z "${need_arm64:-}" ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps.sh: need root or sudo to install:$missing${need_arm64:+ (and add the arm64 architecture)}" >&2
		exit 2
	fi
fi

echo "deps.sh: installing:$missing${need_ksrc:+ linux-source}" >&2
export DEBIAN_FRONTEND=noninteractive
# Packages must not try to start services (there may be no init system).
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod +x /usr/sbin/policy-rc.d
fi
if [ -n "${need_arm64:-}" ]; then
	echo "deps.sh: adding the arm64 architecture to dpkg" >&2
	$sudo dpkg --add-architecture arm64
fi
$sudo apt-get update -q >/dev/null
if [ -n "${need_ksrc:-}" ]; then
	missing="$missing $(kernel_source)"
fi
# shellcheck disable=SC2086
[ -z "${missing# }" ] ||
    $sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "deps.sh: done" >&2
