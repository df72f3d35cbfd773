#!/bin/sh
# LAVA job templates: every shipped test plan on every boot method and
# shipped platform renders to a job that LAVA's own schema accepts
# (lava_common.schemas.validate), and template mistakes are errors that
# name template:line:col.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"

config_dir
{
	yaml_tree fix "$up" master
	cat <<EOF2
builds:
  x86:
    arch: x86_64
    targets: [bzImage, modules]
  arm:
    arch: arm64
    fragments: [CONFIG_MODULES=y]
    targets: [Image, modules, dtbs]
labs:
  local:
    type: local
    jobs: 4
platforms:
  qemu-x86_64:
    arch: x86_64
    device_type: qemu
    boot_method: qemu
    context: {arch: amd64, guestfs_interface: virtio}
  pc-grub:
    arch: x86_64
    device_type: x86-pc
    boot_method: grub
  rk3399:
    arch: arm64
    device_type: rk3399-rock-pi-4b
    boot_method: u-boot
    mach: rockchip
    dtb: rockchip/board.dtb
    compatible: ["radxa,rockpi4b", "rockchip,rk3399"]
  chromebook:
    arch: arm64
    device_type: mt8183-kukui-jacuzzi-juniper-sku16
    boot_method: depthcharge
    dtb: vendor/board.dtb
  dragonboard:
    arch: arm64
    device_type: dragonboard-845c
    boot_method: fastboot
    params:
      boot_prompt: 'root@linaro-alip:~#'
tests:
  baseline:
    template: baseline
    platforms: [qemu-x86_64, pc-grub, rk3399, chromebook, dragonboard]
  smoke:
    template: smoke
    platforms: [qemu-x86_64, pc-grub, rk3399, chromebook, dragonboard]
  kselftest:
    template: kselftest
    platforms: [qemu-x86_64, rk3399]
    params:
      collections: "size timers"
      kselftest_url: https://example.org/kselftest.tar.gz
EOF2
} >"$TMP/configs/c.yaml"
C="-c $TMP/configs"
check "the pipeline up to the builds" sh -c "maestrino $C poll && maestrino $C tarball && maestrino $C jobs && maestrino $C submit && maestrino $C collect --wait"
# the arm64 userland stands ready (only x86_64's is made here, for real)
mkdir -p "$TMP/var/storage/rootfs"
: >"$TMP/var/storage/rootfs/busybox-arm64.cpio.gz"
check_rc 0 "test jobs" maestrino $C jobs
has "12 test jobs: 3 plans on 5 boot methods (kselftest on 2)" "$TMP/out" \
    "0 checkouts, 0 build jobs, 12 test jobs, 0 failed"
ls "$TMP"/var/jobs/t*.yaml >"$TMP/defs"
is "12 definitions" "$(wc -l <"$TMP/defs")" 12
# shellcheck disable=SC2046
check "every one passes LAVA's schema" /usr/bin/python3 -c '
import sys, yaml
from lava_common.schemas import validate
for f in sys.argv[1:]:
    try:
        validate(yaml.safe_load(open(f)))
    except Exception as e:
        print(f, e)
        sys.exit(1)
' $(cat "$TMP/defs")

d=$(grep t2-smoke.rk3399 "$TMP/defs")
check "u-boot job has the dtb, modules and kernel type" /usr/bin/python3 -c '
import sys, yaml
j = yaml.safe_load(open(sys.argv[1]))
dep = j["actions"][0]["deploy"]
assert dep["to"] == "tftp", dep
assert dep["kernel"]["type"] == "image", dep
assert dep["dtb"]["url"].endswith("/dtbs/rockchip/board.dtb"), dep
assert dep["modules"]["url"].endswith("/modules.tar.xz"), dep
assert j["priority"] == 50 and isinstance(j["priority"], int)
assert j["timeouts"]["job"]["minutes"] == 20
assert "context" not in j
assert j["device_type"] == "rk3399-rock-pi-4b"
' "$d"
d=$(grep t1-smoke.qemu "$TMP/defs")
check "qemu job: context copied, job name carries the job id" /usr/bin/python3 -c '
import sys, yaml
j = yaml.safe_load(open(sys.argv[1]))
assert j["context"] == {"arch": "amd64", "guestfs_interface": "virtio"}, j["context"]
assert j["job_name"].startswith("test t1-smoke.qemu-x86_64@"), j["job_name"]
k = j["actions"][0]["deploy"]["images"]["kernel"]
assert "console=ttyS0,115200" in k["image_arg"] and "quiet" not in k["image_arg"]
assert k["url"].endswith("/builds/b1-x86/bzImage"), k
' "$d"
d=$(grep t2-kselftest.rk3399 "$TMP/defs")
check "kselftest params in place" grep -q 'for c in size timers; do' "$d"
# the plan's last step, run on a fake run_kselftest.sh printing TAP
ks=$TMP/ks
mkdir -p "$ks"
cat >"$ks/run_kselftest.sh" <<'EOF2'
#!/bin/sh
case $2 in
size) echo "ok 1 selftests: size: get_size" ;;
timers) printf '%s\n' "ok 1 selftests: timers: posix_timers" \
    "not ok 2 selftests: timers: nanosleep # exit=1" \
    "ok 3 selftests: timers: rtcpie # SKIP" "ok 4 selftests: timers: a.b" ;;
esac
EOF2
chmod +x "$ks/run_kselftest.sh"
printf '#!/bin/sh\necho "$1 $3" >>"%s/cases"\n' "$ks" >"$ks/lava-test-case"
chmod +x "$ks/lava-test-case"
/usr/bin/python3 -c '
import sys, yaml
j = yaml.safe_load(open(sys.argv[1]))
d = j["actions"][2]["test"]["definitions"][0]
assert d["name"] == "kselftest", d["name"]
print(d["repository"]["run"]["steps"][-1])' "$d" >"$ks/step"
check "the kselftest TAP parser turns lines into <collection>.<test> cases" sh -c '
cd "$1" && PATH="$1:$PATH" && . "$1/step" && [ "$(cat "$1/cases")" = "size.get_size pass
timers.posix_timers pass
timers.nanosleep fail
timers.rtcpie skip
timers.a_b pass" ] || { cat "$1/cases"; exit 1; }' sh "$ks"
d=$(grep t1-kselftest.qemu "$TMP/defs")
check "a kselftest qemu job appends LAVA's overlay and kselftest to its ramdisk" /usr/bin/python3 -c '
import sys, yaml
j = yaml.safe_load(open(sys.argv[1]))
r = j["actions"][0]["deploy"]["images"]["ramdisk"]
assert r["format"] == "cpio.newc" and r["compression"] == "gz", r
assert r["overlays"] == {"lava": True, "kselftest": {"url": "https://example.org/kselftest.tar.gz", "compression": "gz", "format": "tar", "path": "/opt/kselftest"}}, r
assert r["url"].endswith("/rootfs/busybox-x86_64.cpio.gz"), r
' "$d"
d=$(grep t1-smoke.qemu "$TMP/defs")
check "any other qemu job has LAVA's overlay alone in its ramdisk (no guest disk)" /usr/bin/python3 -c '
import sys, yaml
j = yaml.safe_load(open(sys.argv[1]))
r = j["actions"][0]["deploy"]["images"]["ramdisk"]
assert r["format"] == "cpio.newc" and r["compression"] == "gz", r
assert r["overlays"] == {"lava": True}, r
' "$d"
check "the busybox userland of x86_64 was made in storage" test -s "$TMP/var/storage/rootfs/busybox-x86_64.cpio.gz"

d=$(grep t2-baseline.dragonboard "$TMP/defs")
check "a platform param overrides a built-in" grep -q 'root@linaro-alip' "$d"

# mistakes in templates
mkdir -p "$TMP/configs/templates/test"
cat >"$TMP/configs/templates/test/typo.yaml" <<'EOF2'
actions:
- test:
    timeout:
      minutes: "{{ test_timout }}"
    definitions: []
EOF2
cat >"$TMP/configs/templates/test/broken.yaml" <<'EOF2'
actions:
- test: [unclosed
EOF2
cat >"$TMP/configs/templates/test/inject.yaml" <<'EOF2'
actions:
- test:
    timeout:
      minutes: "{{ test_timeout }}"
    definitions:
    - from: inline
      name: "x {{ evil }}"
      path: inline/x.yaml
      repository: {metadata: {format: Lava-Test Test Definition 1.0, name: x, description: x}, run: {steps: ["echo {{ evil }}"]}}
EOF2
cat >"$TMP/configs/t2.yaml" <<'EOF2'
tests:
  typo:
    template: typo
    platforms: [qemu-x86_64]
  broken:
    template: broken
    platforms: [qemu-x86_64]
  inject:
    template: inject
    platforms: [qemu-x86_64]
    params:
      evil: "a: [b, c]\n- d: {e: f}"
EOF2
sed -i '/^tests:/,$d' "$TMP/configs/c.yaml"
sql "UPDATE build SET tests_made = 0"
check_rc 1 "bad templates fail the jobs stage" maestrino $C jobs
has "an unknown placeholder names template:line:col and suggests" "$TMP/out" \
    "templates/test/typo.yaml:4:16: error: unknown placeholder '{{ test_timout }}' (did you mean '{{ test_timeout }}'?)"
has "a YAML error names template:line:col" "$TMP/out" "templates/test/broken.yaml:3:1: error:"
d="$TMP/var/jobs/t1-inject.qemu-x86_64.yaml"
check "a value cannot inject YAML structure" /usr/bin/python3 -c '
import sys, yaml
j = yaml.safe_load(open(sys.argv[1]))
d = j["actions"][2]["test"]["definitions"][0]
assert d["name"] == "x a: [b, c]\n- d: {e: f}", d["name"]
' "$d"
[ ! -e "$TMP/var/jobs/t1-typo.qemu-x86_64.yaml" ] && ok "no definition for a failed render" ||
    not_ok "a definition was written"
is "the build's good test is made all the same" \
    "$(sql "SELECT id FROM job WHERE id LIKE 't1-%' AND config_name IN ('typo', 'broken', 'inject')")" \
    "t1-inject.qemu-x86_64"
is "the build is left to try the others again" \
    "$(sql "SELECT tests_made FROM build WHERE id = 1")" 0
has "the failing job is named, with the retry" "$TMP/out" \
    "job t1-typo.qemu-x86_64: cannot make it (test typo on qemu-x86_64); it is tried again on the next run"
check_rc 1 "the next run tries them again" maestrino $C jobs
has "and names the template again" "$TMP/out" "templates/test/typo.yaml:4:16: error"

printf 'tests:\n  x:\n    template: nosuch\n    platforms: [qemu-x86_64]\n' >"$TMP/configs/t2.yaml"
check_rc 2 "a missing test plan is a config error" maestrino $C jobs
has "naming file:line:col" "$TMP/out" "t2.yaml:3:15: error: tests.x.template: no test plan 'test/nosuch.yaml'"

done_testing
