#!/bin/sh
# Test job generation and LAVA result parsing.
# 1. 10,000 job definitions (100 passed builds x 20 platforms x 5 tests)
#    rendered and written by maestrino-jobs, against the same 10,000 jobs
#    rendered with Jinja2 and written by Python (how LAVA and KernelCI
#    template jobs), in the same run.  Target: more than 5,000 jobs/s.
# 2. 10,000 LAVA result sets of 50 cases parsed by lava_parse_results()
#    against PyYAML's C loader on the same text.
. "$(dirname "$0")/lib.sh"

mkdir -p "$BTMP/c"
printf 'settings:\n  data_dir: %s/var\n' "$BTMP" >"$BTMP/c/settings.yaml"
{
	echo "trees:"
	echo "  t: {url: /nonexistent, branches: [master]}"
	echo "builds:"
	echo "  x86: {arch: x86_64}"
	echo "platforms:"
	for p in $(seq 1 20); do
		echo "  qemu-$p: {arch: x86_64, device_type: qemu, boot_method: qemu, context: {arch: amd64}}"
	done
	echo "tests:"
	for t in 1 2 3 4 5; do
		plan=$(echo "baseline smoke baseline smoke baseline" | cut -d' ' -f$t)
		printf '  test%d: {template: %s, platforms: [' "$t" "$plan"
		seq -s, -f 'qemu-%g' 1 20 | tr -d '\n'
		echo ']}'
	done
} >"$BTMP/c/c.yaml"
maestrino-jobs -q -c "$BTMP/c" 2>/dev/null
sqlite3 "$BTMP/var/state.db" <<'EOF2'
INSERT INTO tree (name, url) VALUES ('t', '/nonexistent');
INSERT INTO checkout (tree, branch, url, commit_hash, describe, subject,
  message, commit_time, created, tarball_state, jobs_made)
  VALUES ('t', 'master', '/nonexistent', '0123456789012345678901234567890123456789',
  'v6.1', 's', 'm', 0, 0, 'done', 1);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
INSERT INTO build (checkout_id, job_id, config_name, arch, status, artifacts)
  SELECT 1, 'b' || i, 'x86', 'x86_64', 'PASS',
  json_object('kernel', 'file:///storage/builds/b' || i || '/bzImage') FROM n;
EOF2
# the busybox userland the jobs name is made once per storage, as a run
# with an earlier job finds it: not timed
"$top/scripts/make-ramdisk.sh" -a x86_64 \
    "$BTMP/var/storage/rootfs/busybox-x86_64.cpio.gz" 2>/dev/null || exit 1
measure maestrino-jobs -q -c "$BTMP/c" || exit 1
made=$(ls "$BTMP"/var/jobs | wc -l)
ours=$secs
ours_mb=$peak_mb
rate=$(awk -v n="$made" -v s="$ours" 'BEGIN { printf "%d", n / s }')

# the anchor: the same smoke job as a Jinja2 template, 10,000 times
cat >"$BTMP/anchor.py" <<'EOF2'
import os, sys, jinja2, yaml
tpl = jinja2.Template(open(sys.argv[1]).read())
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
for b in range(100):
    for p in range(20):
        for t in range(5):
            text = tpl.render(job_name="t%d-test%d-qemu-%d" % (b, t, p),
                kernel_url="file:///storage/builds/b%d/bzImage" % b,
                ramdisk_url="file:///storage/rootfs/busybox.cpio.gz")
            yaml.safe_load(text)  # a well-formed job, as ours always is
            open(os.path.join(out, "t%d-%d-%d.yaml" % (b, t, p)), "w").write(text)
EOF2
cat >"$BTMP/job.jinja2" <<'EOF2'
device_type: qemu
job_name: {{ job_name }}
priority: 50
visibility: public
timeouts: {job: {minutes: 20}, action: {minutes: 15}, connection: {minutes: 2}}
context: {arch: amd64}
actions:
- deploy:
    to: tmpfs
    images:
      kernel: {image_arg: '-kernel {kernel} -append "console=ttyS0,115200"', url: '{{ kernel_url }}'}
      ramdisk: {image_arg: '-initrd {ramdisk}', url: '{{ ramdisk_url }}'}
- boot: {method: qemu, media: tmpfs, prompts: ['lava-guest:~# '], timeout: {minutes: 5}}
- test:
    timeout: {minutes: 15}
    definitions:
    - from: inline
      name: smoke
      path: inline/smoke.yaml
      repository:
        metadata: {format: Lava-Test Test Definition 1.0, name: smoke}
        run:
          steps:
          - lava-test-case uname --shell uname -a
          - lava-test-case proc-version --shell test -r /proc/version
EOF2
measure /usr/bin/python3 "$BTMP/anchor.py" "$BTMP/job.jinja2" "$BTMP/anchor" || exit 1
report "jobs: $made LAVA definitions ($rate jobs/s)" "$ours" s \
    "Jinja2 + PyYAML, same jobs" "$secs" "> 5000 jobs/s"
printf '%-44s %9s MB\n' "jobs: peak memory" "$ours_mb"

make -s -C "$top" build/bench/parse-results >/dev/null
# shellcheck disable=SC2046
set -- $("$top/build/bench/parse-results" 10000 "$BTMP/sample.yaml")
cases=$1
ours=$2
t0=$(now)
/usr/bin/python3 -c '
import sys, yaml
t = open(sys.argv[1]).read()
for i in range(int(sys.argv[2])):
    yaml.load(t, Loader=yaml.CSafeLoader)' "$BTMP/sample.yaml" 10000
t1=$(now)
anchor=$(elapsed "$t0" "$t1")
rate=$(awk -v n="$cases" -v s="$ours" 'BEGIN { printf "%d", n / s }')
report "results: 10,000 sets x 51 cases ($rate cases/s)" "$ours" s \
    "PyYAML CSafeLoader, same text" "$anchor"
