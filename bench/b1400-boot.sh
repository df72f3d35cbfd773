#!/bin/sh
# Boot: the time the local lab takes to bring a kernel to its login
# prompt under QEMU TCG, per arch (x86_64, arm64, riscv), against
# qemu-system-* started by hand with the same kernel, the same initramfs
# and the same options.  Target: job start to prompt < 1.3 x by hand.
#
# The job is the real one: a config with one tree, a build per arch, the
# QEMU platforms and the `baseline` test on the local lab; passed build
# rows whose kernel is a small tinyconfig kernel (configs/fragments/
# qemu-boot.config); `maestrino jobs` writes the definitions and makes
# storage/rootfs/busybox-<arch>.cpio.gz; `maestrino submit` writes the
# device dictionary and runs each job once (a warm-up, kept with
# keep_work) and `maestrino collect --wait` collects it.  Then, three
# times per arch, lava-run runs with that device dictionary and that
# definition, and the LAVA log's timestamps give:
#   (a) lava-run started -> the prompt `lava-guest:~# ` matched,
#   (b) LAVA's boot action (the qemu command started) -> the same prompt,
# against (c) the qemu command of the LAVA log, run by hand with the
# cached kernel and the storage ramdisk,
# from exec to the prompt on its console.  Medians of 3.  The job carries
# LAVA's test overlay in its ramdisk (`overlays: {lava: true}`), so the
# initramfs does not wait for a disk; by hand, the same initramfs gets an
# empty /lava-0 appended (a second cpio), so it does not wait either.
#
# Kernels are cached in ${MAESTRINO_CACHE:-var/cache}/kernels/<arch>/;
# one missing is built once from Debian's linux-source tarball (5 to 15
# minutes per arch on 2 cores).  The busybox initramfs is cached by
# scripts/make-ramdisk.sh in the same place.  B1400_ARCHES picks arches,
# B1400_RUNS the number of runs (default 3).
. "$(dirname "$0")/lib.sh"

cache=${MAESTRINO_CACHE:-$top/var/cache}
arches=${B1400_ARCHES:-x86_64 arm64 riscv}
runs=${B1400_RUNS:-3}
# B1400_KEEP=1 keeps the run directory (its path is printed)
if [ -n "${B1400_KEEP:-}" ]; then
	trap - EXIT
	echo "b1400-boot: keeping $BTMP" >&2
fi

die() {
	echo "b1400-boot: $*" >&2
	exit 1
}

need() {
	command -v "$1" >/dev/null 2>&1 ||
	    die "$1 not found: $2 (scripts/deps.sh installs it)"
}

need lava-run "install Debian's lava-dispatcher"
need sqlite3 "install sqlite3"
need maestrino "run make first"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 not found"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || die "python3-yaml not found"
for a in $arches; do
	case $a in
	x86_64) need qemu-system-x86_64 "install qemu-system-x86" ;;
	arm64) need qemu-system-aarch64 "install qemu-system-arm" ;;
	riscv) need qemu-system-riscv64 "install qemu-system-misc" ;;
	*) die "unknown arch '$a' (x86_64, arm64 or riscv)" ;;
	esac
done

# kernel ARCH: the cached kernel's path; builds it once when missing
kernel() {
	case $1 in
	x86_64) _img=bzImage _src=arch/x86/boot/bzImage _mk= ;;
	arm64) _img=Image _src=arch/arm64/boot/Image
		_mk=CROSS_COMPILE=aarch64-linux-gnu- ;;
	riscv) _img=Image _src=arch/riscv/boot/Image _mk=LLVM=1 ;;
	esac
	_dir=$cache/kernels/$1
	if [ ! -f "$_dir/$_img" ]; then
		build_kernel "$1" "$_dir" "$_img" "$_src" "$_mk" >&2 || return 1
	fi
	echo "$_dir/$_img"
}

# build_kernel ARCH DIR IMAGE SRC MAKEARG: tinyconfig + qemu-boot.config
build_kernel() {
	case $1 in
	arm64) need aarch64-linux-gnu-gcc "install gcc-aarch64-linux-gnu" ;;
	riscv) need clang "install clang"; need ld.lld "install lld" ;;
	*) need gcc "install gcc" ;;
	esac
	need make "install make"
	need bc "install bc"
	need flex "install flex"
	need bison "install bison"
	# shellcheck disable=SC2012
	_tar=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$_tar" ] || die "no kernel for $1 in $2 and no " \
	    "/usr/src/linux-source-*.tar.xz to build one (install linux-source)"
	_k=$BTMP/kernel-$1
	echo "b1400-boot: building the $1 kernel once from $_tar (5-15 min)"
	mkdir -p "$_k"
	tar -xJf "$_tar" -C "$_k" --strip-components=1 || return 1
	echo "b1400-boot: $1: tinyconfig + configs/fragments/qemu-boot.config"
	# shellcheck disable=SC2086
	{ make -s -C "$_k" ARCH="$1" $5 tinyconfig &&
	    (cd "$_k" && scripts/kconfig/merge_config.sh -m .config \
	    "$top/configs/fragments/qemu-boot.config") &&
	    make -s -C "$_k" ARCH="$1" $5 olddefconfig; } >"$_k.log" 2>&1 ||
	    { tail -n 20 "$_k.log"; die "$1: configuring the kernel failed"; }
	echo "b1400-boot: $1: make -j$(nproc) $3"
	# shellcheck disable=SC2086
	make -s -C "$_k" ARCH="$1" $5 -j"$(nproc)" "$3" >>"$_k.log" 2>&1 ||
	    { tail -n 20 "$_k.log"; die "$1: building the kernel failed"; }
	mkdir -p "$2"
	cp "$_k/.config" "$2/config"
	cp "$_k/$4" "$2/$3.tmp" && mv "$2/$3.tmp" "$2/$3"
	rm -rf "$_k"
	echo "b1400-boot: $1: cached $2/$3"
}

mkdir -p "$BTMP/c" "$BTMP/runs"

platform() {
	case $1 in
	x86_64) echo qemu-x86_64 ;;
	arm64) echo qemu-arm64 ;;
	riscv) echo qemu-riscv64 ;;
	esac
}

cat >"$BTMP/c/c.yaml" <<EOF2
settings:
  data_dir: $BTMP/var
  keep_work: true
  storage: {path: $BTMP/var/storage, url: "file://$BTMP/var/storage/"}
  kcidb: {output: $BTMP/var/kcidb}
  site: {path: $BTMP/public}
trees:
  t: {url: /nonexistent, branches: [master]}
builds:
  b-x86_64: {arch: x86_64}
  b-arm64: {arch: arm64}
  b-riscv: {arch: riscv}
platforms:
  qemu-x86_64: {arch: x86_64, device_type: qemu, boot_method: qemu, context: {arch: amd64}}
  qemu-arm64: {arch: arm64, device_type: qemu, boot_method: qemu, context: {arch: arm64, machine: virt, cpu: cortex-a57}}
  qemu-riscv64: {arch: riscv, device_type: qemu, boot_method: qemu, context: {arch: riscv64, machine: virt}}
labs:
  local: {type: local, jobs: 1}
tests:
  baseline: {template: baseline, platforms: [qemu-x86_64, qemu-arm64, qemu-riscv64], lab: local, timeout: 10}
EOF2
C="-q -c $BTMP/c"
# shellcheck disable=SC2086
maestrino $C jobs >/dev/null 2>&1
[ -f "$BTMP/var/state.db" ] || die "maestrino jobs made no database"
sqlite3 "$BTMP/var/state.db" <<'EOF2' || die "cannot insert the checkout"
INSERT INTO tree (name, url) VALUES ('t', '/nonexistent');
INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state, jobs_made)
  VALUES ('t', 'master', '/nonexistent', '0123456789012345678901234567890123456789',
  'v6.1', 's', 'm', 0, 0, 'done', 1);
EOF2
for a in $arches; do
	k=$(kernel "$a") || exit 1
	sqlite3 "$BTMP/var/state.db" "INSERT INTO build (checkout_id, job_id,
	    config_name, arch, status, artifacts) VALUES (1, 'b-$a', 'b-$a',
	    '$a', 'PASS', json_object('kernel', 'file://$k'))" ||
	    die "cannot insert the $a build"
done
# the initramfs the jobs stage would make, made here first: the stage
# runs scripts with a clean environment, without MAESTRINO_CACHE
mkdir -p "$BTMP/var/storage/rootfs"
for a in $arches; do
	echo "b1400-boot: $a: busybox initramfs (cached)" >&2
	MAESTRINO_CACHE=$cache "$top/scripts/make-ramdisk.sh" -a "$a" \
	    "$BTMP/var/storage/rootfs/busybox-$a.cpio.gz" 2>"$BTMP/ramdisk.out" ||
	    { tail -n 5 "$BTMP/ramdisk.out" >&2; die "$a: no initramfs"; }
done
echo "b1400-boot: writing the jobs" >&2
# shellcheck disable=SC2086
maestrino $C jobs >"$BTMP/jobs.out" 2>&1 ||
    { tail -n 5 "$BTMP/jobs.out" >&2; die "maestrino jobs failed"; }
echo "b1400-boot: running each job once through the local lab" >&2
t0=$(now)
# shellcheck disable=SC2086
for _ in 1 2 3; do
	maestrino $C submit >>"$BTMP/lab.out" 2>&1
	maestrino $C collect --wait >>"$BTMP/lab.out" 2>&1
done
t1=$(now)
printf '%-44s %9s s\n' "boot: $(echo "$arches" | wc -w) jobs via submit + collect" \
    "$(elapsed "$t0" "$t1")"

# the helper: `lava ID DEVICE DEF OUT` runs lava-run, `qemu LOG KERNEL
# RAMDISK` the boot command of LAVA's LOG by hand; each prints figures
cat >"$BTMP/boot.py" <<'EOF2'
import calendar, json, os, pty, select, shlex, subprocess, sys, time
PROMPT = "lava-guest:~# "

def stamp(dt):
    d, frac = (dt.split(".") + ["0"])[:2]
    return calendar.timegm(time.strptime(d, "%Y-%m-%dT%H:%M:%S")) + \
        float("0." + frac)

def entries(path):
    for line in open(path, errors="replace"):
        line = line.strip()
        if line.startswith("- "):
            line = line[2:]
        try:
            e = json.loads(line)
        except ValueError:
            try:
                import yaml
                e = yaml.safe_load(line)
            except Exception:
                continue
        if isinstance(e, dict) and "dt" in e:
            yield stamp(str(e["dt"])), e.get("lvl"), e.get("msg")

def lava(job_id, device, definition, out):
    log = out + ".log"
    t0 = time.time()
    with open(log, "w") as f:
        rc = subprocess.call(["lava-run", "--job-id", job_id,
            "--output-dir", out, "--device", device, definition],
            stdout=f, stderr=subprocess.STDOUT)
    marks = {}
    for t, lvl, msg in entries(log):
        if not isinstance(msg, str):
            continue
        for key, pat in (("validate", "start: 0 validate"),
                ("deploy", "start: 1 "), ("deployed", "end: 1 "),
                ("overlay", "start: 1.2 apply-overlay-guest"),
                ("overlaid", "end: 1.2 apply-overlay-guest"),
                ("boot", "Boot command: ")):
            if msg.startswith(pat) and key not in marks:
                marks[key] = t
                if key == "boot":
                    marks["cmd"] = msg[len(pat):]
        if "prompt" not in marks and PROMPT.strip() in msg and \
                (lvl == "target" or msg.startswith("Matched prompt")):
            marks["prompt"] = t
    if "prompt" not in marks or "boot" not in marks:
        sys.exit("b1400-boot: %s: no prompt in %s (lava-run exit %d)" %
            (job_id, log, rc))
    r = lambda a, b: "%.3f" % (marks[b] - (t0 if a == 0 else marks[a]))
    print("job %s boot %s startup %s deploy %s overlay %s" % (
        r(0, "prompt"), r("boot", "prompt"), r(0, "validate"),
        r("deploy", "deployed"),
        r("overlay", "overlaid") if "overlaid" in marks else "0"))
    open(out + ".cmd", "w").write(marks["cmd"])

def with_lava_dir(ramdisk):
    """The initramfs with an empty /lava-0 appended, as LAVA's overlay
    makes it: the kernel unpacks concatenated cpio archives in turn."""
    out = ramdisk + ".lava"
    if not os.path.exists(out):
        d = out + ".d"
        os.makedirs(os.path.join(d, "lava-0"), exist_ok=True)
        cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"],
            input=b"lava-0\n", cwd=d, stdout=subprocess.PIPE,
            check=True).stdout
        gz = subprocess.run(["gzip", "-9n"], input=cpio,
            stdout=subprocess.PIPE, check=True).stdout
        with open(out, "wb") as f:
            f.write(open(ramdisk, "rb").read() + gz)
    return out

def qemu(cmdfile, kernel, ramdisk):
    argv = shlex.split(open(cmdfile).read())
    ramdisk = with_lava_dir(ramdisk)
    out = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "-kernel":
            out += [a, kernel]; i += 2; continue
        if a == "-initrd":
            out += [a, ramdisk]; i += 2; continue
        out.append(a); i += 1
    # on a terminal, as LAVA runs it (a pipe makes the boot slower)
    master, slave = pty.openpty()
    t0 = time.time()
    p = subprocess.Popen(out, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        left = t0 + 600 - time.time()
        if left <= 0 or not select.select([master], [], [], left)[0]:
            p.kill()
            sys.exit("b1400-boot: qemu by hand: no prompt in 600 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            sys.exit("b1400-boot: qemu by hand exited before the prompt: "
                + seen[-300:].decode(errors="replace"))
        seen += chunk
        if PROMPT.encode() in seen:
            t = time.time() - t0
            break
    p.kill()
    p.wait()
    print("%.3f" % t)

if sys.argv[1] == "lava":
    lava(*sys.argv[2:6])
else:
    qemu(*sys.argv[2:5])
EOF2

# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field N FILE: the median of field N of FILE's lines
field() {
	awk -v n="$1" '{ print $n }' "$2" | median
}

rc=0
for a in $arches; do
	p=$(platform "$a")
	def=$(ls "$BTMP"/var/jobs/*".$p.yaml" 2>/dev/null | head -n 1)
	id=$(basename "$def" .yaml)
	dev=$BTMP/var/work/$id/device.yaml
	if [ -z "$def" ] || [ ! -f "$dev" ]; then
		echo "b1400-boot: $a: no job definition or device dictionary" \
		    "in $BTMP/var (see below)" >&2
		tail -n 5 "$BTMP/lab.out" >&2
		rc=1
		continue
	fi
	k=$(kernel "$a")
	rd=$BTMP/var/storage/rootfs/busybox-$a.cpio.gz
	: >"$BTMP/runs/$a.lava"
	: >"$BTMP/runs/$a.qemu"
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		o=$BTMP/runs/$a-$i
		/usr/bin/python3 "$BTMP/boot.py" lava "bench$$-$a-$i" "$dev" \
		    "$def" "$o" >>"$BTMP/runs/$a.lava" || { rc=1; break; }
		/usr/bin/python3 "$BTMP/boot.py" qemu "$o.cmd" "$k" "$rd" \
		    >>"$BTMP/runs/$a.qemu" || { rc=1; break; }
	done
	[ -s "$BTMP/runs/$a.qemu" ] || continue
	hand=$(median <"$BTMP/runs/$a.qemu")
	report "boot $a: job start to prompt" "$(field 2 "$BTMP/runs/$a.lava")" \
	    s "qemu by hand" "$hand" "< 1.3"
	report "boot $a: boot action to prompt" "$(field 4 "$BTMP/runs/$a.lava")" \
	    s "qemu by hand" "$hand"
	printf '%-44s %9s s   (lava-run start-up %s, deploy %s, of it a guest disk %s)\n' \
	    "boot $a: job start to boot action" \
	    "$(awk '{ printf "%.3f\n", $2 - $4 }' "$BTMP/runs/$a.lava" | median)" \
	    "$(field 6 "$BTMP/runs/$a.lava")" "$(field 8 "$BTMP/runs/$a.lava")" \
	    "$(field 10 "$BTMP/runs/$a.lava")"
done
exit $rc
