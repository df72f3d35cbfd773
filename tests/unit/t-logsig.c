/*
 * t-logsig.c: failure signatures.  Every tests/data/logsig/NAME.log (real
 * logs, see the README there; debian-sysrq-crash-again.log is an earlier
 * run of debian-sysrq-crash.log, demo-kasan-again.log one of demo-kasan.log
 * from the demo kernel's first build) against NAME.expect; then
 * normalisation,
 * merging, the bounds on hostile logs, silence, and the build parser on
 * gcc, clang, ld and modpost output.
 *
 * NAME.expect: a first line "# logsig build", "# logsig console" or
 * "# logsig console failed" (how the log is read), then one line per
 * finding: kind, line, count, summary and signature, separated by tabs,
 * and "truncated" when there were too many.  `t-logsig --print MODE FILE`
 * prints that for a log (MODE: build, console or console-failed), with
 * --lines the lines of each finding too.
 */
#include <glob.h>

#include "tap.h"
#include "buf.h"
#include "hash.h"
#include "logsig.h"
#include "safe.h"
#include "util.h"

#define DATA	"tests/data/logsig/"

/* The findings as NAME.expect has them. */
static char *
findings_text(const struct logsig *ls, const char *mode, int with_lines)
{
	struct buf b = BUF_INIT;
	const struct logsig_finding *f;
	size_t i;

	buf_addf(&b, "# logsig %s\n", mode);
	for (i = 0; i < ls->n; i++) {
		f = &ls->v[i];
		buf_addf(&b, "%s\t%zu\t%u\t%s\t%s\n", f->kind, f->line, f->count,
		    f->summary, f->signature);
		if (with_lines)
			buf_addf(&b, "----\n%s\n----\n", f->lines);
	}
	if (ls->truncated)
		buf_puts(&b, "truncated\n");
	return buf_detach(&b, NULL);
}

static int
run(const char *mode, const char *log, size_t len, struct logsig *ls)
{
	if (strcmp(mode, "build") == 0)
		return logsig_build(log, len, ls);
	if (strcmp(mode, "console") == 0)
		return logsig_console(log, len, 0, ls);
	return logsig_console(log, len, 1, ls);
}

/* True when s has no control character but those in allowed. */
static int
no_controls(const char *s, const char *allowed)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 || *p == 0x7f) && strchr(allowed, *p) == NULL)
			return 0;
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	return 1;
}

/* The promises of logsig.h, for every finding of every test. */
static int
bounded(const struct logsig *ls)
{
	const struct logsig_finding *f;
	unsigned char d[HASH_LEN];
	struct buf h = BUF_INIT;
	char hex[17];
	size_t i, nl;
	const char *p;
	int good, k;

	good = ls->n <= LOGSIG_MAX;
	for (i = 0; i < ls->n; i++) {
		f = &ls->v[i];
		good &= strlen(f->summary) <= 200 && strlen(f->signature) <=
		    512 && strlen(f->lines) <= 8192;
		good &= safe_utf8_valid(f->summary, strlen(f->summary)) &&
		    safe_utf8_valid(f->signature, strlen(f->signature)) &&
		    safe_utf8_valid(f->lines, strlen(f->lines));
		good &= no_controls(f->summary, "") &&
		    no_controls(f->signature, "") &&
		    no_controls(f->lines, "\n\t");
		for (nl = 0, p = f->lines; *p != '\0'; p++)
			nl += *p == '\n';
		good &= nl < 64 && f->count >= 1;
		buf_reset(&h);
		buf_puts(&h, f->kind);
		buf_add(&h, "", 1);
		buf_puts(&h, f->signature);
		hash_bytes(h.ptr, h.len, d);
		for (k = 0; k < 8; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		good &= strcmp(hex, f->hash) == 0;
		if (!good) {
			printf("# finding %zu out of bounds: %s\n", i,
			    f->summary);
			break;
		}
	}
	buf_release(&h);
	return good;
}

/* One real log against its NAME.expect. */
static void
data_case(const char *path)
{
	struct buf log = BUF_INIT, want = BUF_INIT;
	struct logsig ls;
	char *exp, *got, mode[32], msg[256];
	size_t k;

	k = strlen(path) - 4;
	exp = xasprintf("%.*s.expect", (int)k, path);
	if (buf_read_file(&log, path) != 0 || buf_read_file(&want, exp) != 0 ||
	    sscanf(want.ptr, "# logsig %31[a-z -]", mode) != 1) {
		snprintf(msg, sizeof(msg), "%s and its .expect readable", path);
		ok(0, msg);
		goto out;
	}
	k = strcspn(mode, "\n");
	mode[k] = '\0';
	if (strcmp(mode, "console failed") == 0)
		snprintf(mode, sizeof(mode), "console-failed");
	run(mode, log.ptr, log.len, &ls);
	got = findings_text(&ls, strcmp(mode, "console-failed") == 0 ?
	    "console failed" : mode, 0);
	snprintf(msg, sizeof(msg), "%s: findings as expected", path);
	is_str(got, want.ptr, msg);
	snprintf(msg, sizeof(msg), "%s: bounded", path);
	ok(bounded(&ls), msg);
	free(got);
	logsig_free(&ls);
out:
	free(exp);
	buf_release(&log);
	buf_release(&want);
}

/* The hash of the first finding of a console log in DATA. */
static void
first_hash(const char *name, char hash[17])
{
	struct buf log = BUF_INIT;
	struct logsig ls;
	char *p;

	p = xasprintf(DATA "%s", name);
	hash[0] = '\0';
	if (buf_read_file(&log, p) == 0) {
		logsig_console(log.ptr, log.len, 1, &ls);
		if (ls.n > 0)
			memcpy(hash, ls.v[0].hash, 17);
		logsig_free(&ls);
	}
	free(p);
	buf_release(&log);
}

static void
test_data(void)
{
	char a[17], b[17];
	glob_t g;
	size_t i;

	if (glob(DATA "*.log", 0, NULL, &g) != 0) {
		ok(0, "logs in " DATA);
		return;
	}
	for (i = 0; i < g.gl_pathc; i++)
		data_case(g.gl_pathv[i]);
	globfree(&g);
	/* two boots: other addresses, times, KASLR offset and interleaving */
	first_hash("debian-sysrq-crash.log", a);
	first_hash("debian-sysrq-crash-again.log", b);
	ok(a[0] != '\0' && strcmp(a, b) == 0,
	    "the same crash on two boots: one hash");
	/* two builds of the demo kernel; one has lines inside its trace */
	first_hash("demo-kasan.log", a);
	first_hash("demo-kasan-again.log", b);
	ok(a[0] != '\0' && strcmp(a, b) == 0,
	    "the same KASAN report from two builds: one hash");
}

/* The findings of a console log given as a string. */
static void
console(const char *log, int failed, struct logsig *ls)
{
	logsig_console(log, strlen(log), failed, ls);
}

static const char panic_vfs[] =
"[    2.102937] VFS: Cannot open root device \"sda1\" or unknown-block(0,0): error -6\n"
"[    2.103483] Please append a correct \"root=\" boot option; here are the available partitions:\n"
"[    2.104118] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n"
"[    2.104687] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-18-amd64 #1  Debian 6.1.76-1\n"
"[    2.105266] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
"[    2.105975] Call Trace:\n"
"[    2.106180]  <TASK>\n"
"[    2.106357]  dump_stack_lvl+0x44/0x5c\n"
"[    2.106663]  panic+0x118/0x2ed\n"
"[    2.106919]  mount_block_root+0x1d3/0x1e6\n"
"[    2.107245]  prepare_namespace+0x136/0x165\n"
"[    2.107570]  kernel_init_freeable+0x25c/0x286\n"
"[    2.107921]  ? rest_init+0xd0/0xd0\n"
"[    2.108196]  kernel_init+0x16/0x130\n"
"[    2.108480]  ret_from_fork+0x22/0x30\n"
"[    2.108771]  </TASK>\n"
"[    2.109052] Kernel Offset: 0x2a00000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n"
"[    2.110062] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---\n";

/* The same panic on another boot: other times, CPU, pid, offsets. */
static const char panic_vfs_again[] =
"<0>[   12.5] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(8,1)\r\n"
"<4>[   12.6] CPU: 3 PID: 17 Comm: swapper/3 Tainted: G        W          6.1.0-20-amd64 #1\r\n"
"<4>[   12.6] Call Trace:\r\n"
"<4>[   12.6]  <TASK>\r\n"
"<4>[   12.6]  dump_stack_lvl+0x48/0x60\r\n"
"<4>[   12.6]  panic+0x11c/0x2f0\r\n"
"<4>[   12.6]  mount_block_root+0x1d3/0x1e6\r\n"
"<4>[   12.6]  prepare_namespace+0x13a/0x170\r\n"
"<4>[   12.6]  kernel_init_freeable+0x260/0x290\r\n"
"<4>[   12.6]  ? __pfx_kernel_init+0x10/0x10\r\n"
"<4>[   12.6]  kernel_init+0x1a/0x130\r\n"
"<4>[   12.6]  ret_from_fork+0x2c/0x50\r\n"
"<4>[   12.6]  </TASK>\r\n";

static const char warn_x86[] =
"[    1.512120] ------------[ cut here ]------------\n"
"[    1.512345] WARNING: CPU: 1 PID: 1 at drivers/demo/demo.c:42 demo_init+0x15/0x30 [demo]\n"
"[    1.512399] Modules linked in: demo(+)\n"
"[    1.512500] CPU: 1 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
"[    1.512600] RIP: 0010:demo_init+0x15/0x30 [demo]\n"
"[    1.512601] Code: 48 c7 c7 00 00 00 00 e8 00 00 00 00 <0f> 0b 31 c0 c3\n"
"[    1.512602] RSP: 0018:ffffc90000013e58 EFLAGS: 00010246\n"
"[    1.512603] RAX: 0000000000000000 RBX: ffffffffc0201000 RCX: 0000000000000000\n"
"[    1.512700] Call Trace:\n"
"[    1.512701]  <TASK>\n"
"[    1.512702]  ? __warn+0x7d/0xc0\n"
"[    1.512703]  ? demo_init+0x15/0x30 [demo]\n"
"[    1.512704]  ? report_bug+0xe2/0x150\n"
"[    1.512705]  ? handle_bug+0x41/0x70\n"
"[    1.512706]  do_one_initcall+0x56/0x230\n"
"[    1.512707]  do_init_module+0x4a/0x200\n"
"[    1.512708]  __do_sys_finit_module+0xac/0x120\n"
"[    1.512709]  do_syscall_64+0x58/0xc0\n"
"[    1.512710]  entry_SYSCALL_64_after_hwframe+0x64/0xce\n"
"[    1.512711]  </TASK>\n"
"[    1.512712] ---[ end trace 0000000000000000 ]---\n";

static void
test_normalise(void)
{
	struct logsig a, b, c;
	struct buf other = BUF_INIT;
	const char *at;

	console(panic_vfs, 1, &a);
	console(panic_vfs_again, 1, &b);
	is_int(a.n, 1, "a panic");
	is_str(a.n ? a.v[0].kind : NULL, "panic", "of kind panic");
	is_int(a.n ? a.v[0].line : 0, 3, "on its line");
	is_str(a.n ? a.v[0].summary : NULL, "Kernel panic - not syncing: VFS: "
	    "Unable to mount root fs on unknown-block(0,0) in mount_block_root",
	    "summary: the message and the first function");
	is_str(a.n ? a.v[0].signature : NULL, "panic: Kernel panic - not "
	    "syncing: VFS: Unable to mount root fs on unknown-block(N,N) | "
	    "mount_block_root, prepare_namespace, kernel_init_freeable, "
	    "kernel_init", "signature: numbers out, functions in");
	contains(a.n ? a.v[0].lines : NULL, "ret_from_fork+0x22/0x30",
	    "lines: the call trace");
	ok(a.n && strstr(a.v[0].lines, "Kernel Offset") == NULL,
	    "lines: up to the end of the trace");
	ok(a.n == 1 && b.n == 1 && strcmp(a.v[0].hash, b.v[0].hash) == 0,
	    "times, pids, CPUs, offsets and noise do not change the hash");
	/* another function on the way: another signature */
	buf_puts(&other, panic_vfs);
	at = strstr(other.ptr, "prepare_namespace");
	memcpy(other.ptr + (at - other.ptr), "prepare_nomespace", 17);
	console(other.ptr, 1, &c);
	ok(c.n == 1 && a.n == 1 && strcmp(a.v[0].hash, c.v[0].hash) != 0,
	    "another function, another hash");
	ok(bounded(&a) && bounded(&b) && bounded(&c), "bounded");
	logsig_free(&a);
	logsig_free(&b);
	logsig_free(&c);

	/* a file named from the build directory, or from the tree */
	console("UBSAN: shift-out-of-bounds in /tmp/b/src/lib/demo.c:92:8\n",
	    0, &a);
	console("UBSAN: shift-out-of-bounds in ../lib/demo.c:90:8\n", 0, &b);
	is_str(a.n ? a.v[0].signature : NULL, "ubsan: UBSAN: "
	    "shift-out-of-bounds in lib/demo.c:N:N", "the path as the tree's");
	ok(a.n && b.n && strcmp(a.v[0].hash, b.v[0].hash) == 0,
	    "wherever it was built");
	logsig_free(&a);
	logsig_free(&b);
	buf_release(&other);
}

static void
test_warning(void)
{
	struct logsig ls;
	struct buf log = BUF_INIT;

	console(warn_x86, 0, &ls);
	is_int(ls.n, 1, "a WARNING");
	is_str(ls.n ? ls.v[0].kind : NULL, "warning", "of kind warning");
	is_int(ls.n ? ls.v[0].line : 0, 2, "from its WARNING line");
	is_str(ls.n ? ls.v[0].summary : NULL, "WARNING at drivers/demo/demo.c:42 "
	    "in demo_init", "summary: WARNING at file:line in function");
	is_str(ls.n ? ls.v[0].signature : NULL, "warning: WARNING at "
	    "drivers/demo/demo.c in demo_init | demo_init [demo], "
	    "do_one_initcall, do_init_module, __do_sys_finit_module",
	    "signature: no line, \"? \" frames and entry code dropped");
	contains(ls.n ? ls.v[0].lines : NULL, "RIP: 0010:demo_init",
	    "lines: the RIP line kept");
	ok(ls.n && str_ends(ls.v[0].lines, "]  </TASK>"),
	    "lines: up to the end of the trace");
	logsig_free(&ls);

	/* three times, from other tasks: one finding counted thrice */
	buf_puts(&log, "[    0.1] booting\n");
	buf_puts(&log, warn_x86);
	buf_puts(&log, "[    3.0] WARNING: CPU: 0 PID: 77 at drivers/demo/"
	    "demo.c:42 demo_init+0x15/0x30 [demo]\n[    3.1] Call Trace:\n"
	    "[    3.1]  <TASK>\n[    3.1]  do_one_initcall+0x56/0x230\n"
	    "[    3.1]  do_init_module+0x4a/0x200\n"
	    "[    3.1]  __do_sys_finit_module+0xac/0x120\n"
	    "[    3.1]  </TASK>\n");
	/* the new format of 6.18 */
	buf_puts(&log, "[    4.0] WARNING: drivers/demo/demo.c:42 at demo_init+"
	    "0x15/0x30 [demo], CPU#1: modprobe/90\n[    4.1] Call trace:\n"
	    "[    4.1]  demo_init+0x15/0x30 [demo]\n"
	    "[    4.1]  do_one_initcall+0x56/0x230\n"
	    "[    4.1]  do_init_module+0x4a/0x200\n"
	    "[    4.1]  __do_sys_finit_module+0xac/0x120\n");
	console(log.ptr, 0, &ls);
	is_int(ls.n, 1, "the same WARNING merged");
	is_int(ls.n ? ls.v[0].count : 0, 3, "and counted");
	is_int(ls.n ? ls.v[0].line : 0, 3, "its first occurrence kept");
	logsig_free(&ls);
	buf_release(&log);
}

/* kind and summary of the first finding of a console log */
struct splat {
	const char	*log;
	const char	*kind;
	const char	*summary;
	const char	*signature;	/* or NULL */
};

static const struct splat splats[] = {
	{ "[    5.1] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	  "[    5.1] #PF: supervisor read access in kernel mode\n"
	  "[    5.1] #PF: error_code(0x0000) - not-present page\n"
	  "[    5.1] PGD 0 P4D 0 \n"
	  "[    5.1] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	  "[    5.1] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[    5.1] RIP: 0010:demo_oops+0x9/0x20\n"
	  "[    5.1] Code: 00 00 00 00 <48> 8b 40 08 c3\n"
	  "[    5.1] RSP: 0000:ffffc90000013e68 EFLAGS: 00010246\n"
	  "[    5.1] Call Trace:\n"
	  "[    5.1]  <TASK>\n"
	  "[    5.1]  ? __die+0x23/0x70\n"
	  "[    5.1]  ? page_fault_oops+0x171/0x4e0\n"
	  "[    5.1]  ? exc_page_fault+0x7f/0x180\n"
	  "[    5.1]  ? asm_exc_page_fault+0x26/0x30\n"
	  "[    5.1]  ? demo_oops+0x9/0x20\n"
	  "[    5.1]  do_one_initcall+0x41/0x200\n"
	  "[    5.1]  kernel_init_freeable+0x1ee/0x24b\n"
	  "[    5.1]  kernel_init+0x16/0x120\n"
	  "[    5.1]  ret_from_fork+0x22/0x30\n"
	  "[    5.1]  </TASK>\n"
	  "[    5.1] Modules linked in:\n"
	  "[    5.1] CR2: 0000000000000008\n"
	  "[    5.1] ---[ end trace 0000000000000000 ]---\n"
	  "[    5.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009\n"
	  "[    5.1] Kernel Offset: disabled\n"
	  "[    5.1] ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009 ]---\n",
	  "oops", "BUG: kernel NULL pointer dereference, address: "
	  "0000000000000008 in demo_oops",
	  "oops: BUG: kernel NULL pointer dereference, address: N | "
	  "demo_oops, do_one_initcall, kernel_init_freeable, kernel_init" },
	{ "[   10.2] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000\n"
	  "[   10.2] Mem abort info:\n"
	  "[   10.2]   ESR = 0x0000000096000005\n"
	  "[   10.2] Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP\n"
	  "[   10.2] Modules linked in:\n"
	  "[   10.2] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[   10.2] pstate: 60000005 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
	  "[   10.2] pc : demo_oops+0x8/0x18\n"
	  "[   10.2] lr : do_one_initcall+0x60/0x1e0\n"
	  "[   10.2] sp : ffff80000802bd70\n"
	  "[   10.2] x29: ffff80000802bd70 x28: 0000000000000000 x27: 0000000000000000\n"
	  "[   10.2] Call trace:\n"
	  "[   10.2]  demo_oops+0x8/0x18\n"
	  "[   10.2]  do_one_initcall+0x60/0x1e0\n"
	  "[   10.2]  kernel_init_freeable+0x20c/0x278\n"
	  "[   10.2]  kernel_init+0x2c/0x138\n"
	  "[   10.2]  ret_from_fork+0x10/0x20\n"
	  "[   10.2] Code: d503233f d2800000 d65f03c0 d2800000 (b9400000) \n"
	  "[   10.2] ---[ end trace 0000000000000000 ]---\n",
	  "oops", "Unable to handle kernel NULL pointer dereference at "
	  "virtual address 0000000000000000 in demo_oops", NULL },
	{ "[    3.3] ------------[ cut here ]------------\n"
	  "[    3.3] kernel BUG at drivers/demo/demo.c:77!\n"
	  "[    3.3] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
	  "[    3.3] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[    3.3] RIP: 0010:demo_bug+0x5/0x10\n"
	  "[    3.3] Call Trace:\n"
	  "[    3.3]  <TASK>\n"
	  "[    3.3]  do_one_initcall+0x41/0x200\n"
	  "[    3.3]  </TASK>\n",
	  "bug", "kernel BUG at drivers/demo/demo.c:77 in demo_bug",
	  "bug: kernel BUG at drivers/demo/demo.c:N! | demo_bug, "
	  "do_one_initcall" },
	{ "[    9.9] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580\n"
	  "[    9.9] in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: swapper/0\n"
	  "[    9.9] Call Trace:\n"
	  "[    9.9]  <TASK>\n"
	  "[    9.9]  dump_stack_lvl+0x44/0x5c\n"
	  "[    9.9]  __might_resched.cold+0xd2/0xe6\n"
	  "[    9.9]  mutex_lock+0x1a/0x40\n"
	  "[    9.9]  demo_sleep+0x20/0x40\n"
	  "[    9.9]  </TASK>\n",
	  "bug", "BUG: sleeping function called from invalid context at "
	  "kernel/locking/mutex.c:580 in demo_sleep", NULL },
	{ "[   30.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]\n"
	  "[   30.0] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[   30.0] RIP: 0010:demo_spin+0x10/0x20\n"
	  "[   30.0] Call Trace:\n"
	  "[   30.0]  <IRQ>\n"
	  "[   30.0]  watchdog_timer_fn+0x1c0/0x220\n"
	  "[   30.0]  __hrtimer_run_queues+0x112/0x2b0\n"
	  "[   30.0]  </IRQ>\n"
	  "[   30.0]  <TASK>\n"
	  "[   30.0]  demo_spin+0x10/0x20\n"
	  "[   30.0]  do_one_initcall+0x41/0x200\n"
	  "[   30.0]  </TASK>\n",
	  "bug", "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! "
	  "[swapper/0:1] in demo_spin",
	  "bug: watchdog: BUG: soft lockup - CPU#N stuck for Ns! | "
	  "demo_spin, do_one_initcall" },
	{ "[    4.0] ==================================================================\n"
	  "[    4.0] BUG: KASAN: slab-out-of-bounds in demo_kasan+0x5c/0x90\n"
	  "[    4.0] Write of size 1 at addr ffff888003a1c07b by task swapper/0/1\n"
	  "[    4.0] \n"
	  "[    4.0] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[    4.0] Call Trace:\n"
	  "[    4.0]  <TASK>\n"
	  "[    4.0]  dump_stack_lvl+0x49/0x63\n"
	  "[    4.0]  print_report+0x171/0x486\n"
	  "[    4.0]  kasan_report+0xb1/0x130\n"
	  "[    4.0]  demo_kasan+0x5c/0x90\n"
	  "[    4.0]  do_one_initcall+0x41/0x200\n"
	  "[    4.0]  </TASK>\n"
	  "[    4.0] \n"
	  "[    4.0] Allocated by task 1:\n"
	  "[    4.0]  kasan_save_stack+0x22/0x50\n",
	  "kasan", "BUG: KASAN: slab-out-of-bounds in demo_kasan",
	  "kasan: BUG: KASAN: slab-out-of-bounds in demo_kasan | "
	  "demo_kasan, do_one_initcall" },
	{ "[    4.0] ================================================================================\n"
	  "[    4.0] UBSAN: array-index-out-of-bounds in drivers/demo/demo.c:91:14\n"
	  "[    4.0] index 5 is out of range for type 'int [4]'\n"
	  "[    4.0] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[    4.0] Call Trace:\n"
	  "[    4.0]  <TASK>\n"
	  "[    4.0]  dump_stack_lvl+0x44/0x5c\n"
	  "[    4.0]  __ubsan_handle_out_of_bounds.cold+0x44/0x49\n"
	  "[    4.0]  demo_ubsan+0x2d/0x40\n"
	  "[    4.0]  </TASK>\n",
	  "ubsan", "UBSAN: array-index-out-of-bounds in drivers/demo/demo.c:"
	  "91:14 in demo_ubsan",
	  "ubsan: UBSAN: array-index-out-of-bounds in drivers/demo/demo.c:N:N"
	  " | demo_ubsan" },
	{ "[    6.0] \n"
	  "[    6.0] ======================================================\n"
	  "[    6.0] WARNING: possible circular locking dependency detected\n"
	  "[    6.0] 6.1.0 #1 Not tainted\n"
	  "[    6.0] ------------------------------------------------------\n"
	  "[    6.0] swapper/0/1 is trying to acquire lock:\n"
	  "[    6.0] ffffffffc0203010 (demo_b){+.+.}-{3:3}, at: demo_lock+0x30/0x60\n"
	  "[    6.0] \n"
	  "[    6.0] stack backtrace:\n"
	  "[    6.0] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[    6.0] Call Trace:\n"
	  "[    6.0]  <TASK>\n"
	  "[    6.0]  dump_stack_lvl+0x5b/0x77\n"
	  "[    6.0]  check_noncircular+0xfe/0x110\n"
	  "[    6.0]  __lock_acquire+0x1231/0x1f20\n"
	  "[    6.0]  lock_acquire+0xc4/0x2e0\n"
	  "[    6.0]  __mutex_lock+0x8f/0x8a0\n"
	  "[    6.0]  demo_lock+0x30/0x60\n"
	  "[    6.0]  </TASK>\n",
	  "lockdep", "WARNING: possible circular locking dependency detected "
	  "in demo_lock", NULL },
	{ "[    7.0] =============================\n"
	  "[    7.0] WARNING: suspicious RCU usage\n"
	  "[    7.0] 6.1.0 #1 Not tainted\n"
	  "[    7.0] -----------------------------\n",
	  "lockdep", "WARNING: suspicious RCU usage", NULL },
	{ "[   60.0] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	  "[   60.0] rcu: \t0-....: (5250 ticks this GP) idle=c5c/1/0x4000000000000000\n"
	  "[   60.0] \t(t=5251 jiffies g=-1119 q=74 ncpus=1)\n"
	  "[   60.0] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	  "[   60.0] RIP: 0010:demo_stall+0x10/0x20\n"
	  "[   60.0] Call Trace:\n"
	  "[   60.0]  <IRQ>\n"
	  "[   60.0]  rcu_sched_clock_irq+0x4f3/0xd30\n"
	  "[   60.0]  update_process_times+0x5b/0x90\n"
	  "[   60.0]  </IRQ>\n"
	  "[   60.0]  <TASK>\n"
	  "[   60.0]  demo_stall+0x10/0x20\n"
	  "[   60.0]  </TASK>\n",
	  "rcu-stall", "rcu: INFO: rcu_preempt self-detected stall on CPU in "
	  "demo_stall",
	  "rcu-stall: rcu: INFO: rcu_preempt self-detected stall on CPU | "
	  "demo_stall" },
	{ "[  242.0] INFO: task kworker/0:1:23 blocked for more than 120 seconds.\n"
	  "[  242.0]       Not tainted 6.1.0 #1\n"
	  "[  242.0] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	  "[  242.0] task:kworker/0:1     state:D stack:0     pid:23    ppid:2      flags:0x00004000\n"
	  "[  242.0] Call Trace:\n"
	  "[  242.0]  <TASK>\n"
	  "[  242.0]  __schedule+0x350/0x9f0\n"
	  "[  242.0]  schedule+0x5d/0xe0\n"
	  "[  242.0]  demo_wait+0x3e/0x60\n"
	  "[  242.0]  process_one_work+0x1c7/0x380\n"
	  "[  242.0]  </TASK>\n",
	  "hung-task", "INFO: task kworker/0:1:23 blocked for more than 120 "
	  "seconds in demo_wait",
	  "hung-task: INFO: task kworker/N:N:N blocked for more than N "
	  "seconds. | demo_wait" },
	{ "[    1.0] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
	  "[    1.0] KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]\n"
	  "[    1.0] RIP: 0010:demo_gpf+0x1c/0x40\n",
	  "oops", "general protection fault, probably for non-canonical "
	  "address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI in "
	  "demo_gpf",
	  "oops: general protection fault, probably for non-canonical address "
	  "N: N | demo_gpf" },
};

static void
test_kinds(void)
{
	struct logsig ls;
	char msg[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(splats); i++) {
		console(splats[i].log, 1, &ls);
		snprintf(msg, sizeof(msg), "%s: found", splats[i].kind);
		ok(ls.n >= 1, msg);
		snprintf(msg, sizeof(msg), "%s: its kind", splats[i].kind);
		is_str(ls.n ? ls.v[0].kind : NULL, splats[i].kind, msg);
		snprintf(msg, sizeof(msg), "%s: its summary", splats[i].kind);
		is_str(ls.n ? ls.v[0].summary : NULL, splats[i].summary, msg);
		if (splats[i].signature != NULL) {
			snprintf(msg, sizeof(msg), "%s: its signature",
			    splats[i].kind);
			is_str(ls.n ? ls.v[0].signature : NULL,
			    splats[i].signature, msg);
		}
		ok(bounded(&ls), "bounded");
		logsig_free(&ls);
	}
	/* the oops and the panic it led to: two findings, Oops: not a third */
	console(splats[0].log, 1, &ls);
	is_int(ls.n, 2, "an oops and its panic");
	is_str(ls.n == 2 ? ls.v[1].kind : NULL, "panic", "the panic second");
	is_str(ls.n == 2 ? ls.v[1].summary : NULL, "Kernel panic - not "
	    "syncing: Attempted to kill init! exitcode=0x00000009",
	    "a panic without a trace names no function");
	is_int(ls.n == 2 ? ls.v[1].line : 0, 25, "on its line");
	logsig_free(&ls);
}

static void
test_interleave(void)
{
	struct logsig ls;

	/* four lines of another context between "<TASK>" and the frames */
	console("[    5.9] BUG: KASAN: slab-out-of-bounds in demo+0x3d/0x4d\n"
	    "[    5.9] Call Trace:\n"
	    "[    5.9]  <TASK>\n"
	    "[    5.9] Unstable clock detected, switching default tracing clock to \"global\"\n"
	    "[    5.9] If you want to keep using the local clock, then add:\n"
	    "[    5.9]   \"trace_clock=local\"\n"
	    "[    5.9] on the kernel command line\n"
	    "[    5.9]  kasan_report+0x9c/0xbb\n"
	    "[    5.9]  demo+0x3d/0x4d\n"
	    "[    5.9]  demo_thread+0x2/0x5\n"
	    "[    5.9]  </TASK>\n", 0, &ls);
	is_str(ls.n ? ls.v[0].signature : NULL, "kasan: BUG: KASAN: "
	    "slab-out-of-bounds in demo | demo, demo_thread",
	    "the trace goes on after other lines");
	contains(ls.n ? ls.v[0].lines : NULL, "trace_clock=local",
	    "and they are kept with it");
	logsig_free(&ls);

	/* a trace without "</TASK>" that ends in other lines */
	console("[   10.2] Kernel panic - not syncing: Oops: Fatal exception\n"
	    "[   10.2] Call trace:\n"
	    "[   10.2]  demo_oops+0x8/0x18\n"
	    "[   10.2]  do_one_initcall+0x60/0x1e0\n"
	    "[   10.2] SMP: stopping secondary CPUs\n"
	    "[   10.2] Kernel Offset: disabled\n"
	    "[   10.2] CPU features: 0x000,00000000,0000420b\n"
	    "[   10.2] Memory Limit: none\n"
	    "[   10.2] a\n[   10.2] b\n[   10.2] c\n[   10.2] d\n[   10.2] e\n"
	    "[   10.2]  f+0x1/0x2\n", 0, &ls);
	is_str(ls.n ? ls.v[0].signature : NULL, "panic: Kernel panic - not "
	    "syncing: Oops: Fatal exception | demo_oops, do_one_initcall",
	    "more than 8 other lines end the trace");
	ok(ls.n && str_ends(ls.v[0].lines, "do_one_initcall+0x60/0x1e0"),
	    "and are not kept with it");
	logsig_free(&ls);
}

/* n copies of s */
static void
repeat(struct buf *b, const char *s, size_t n)
{
	while (n-- > 0)
		buf_puts(b, s);
}

static const char nuls[] = "\0\0\0\n\0Kernel panic\0\n"
    "[ 1.0] Kernel panic - not syncing: x\0y\n";

static void
test_bounds(void)
{
	struct buf log = BUF_INIT;
	struct logsig ls;
	size_t i;

	/* a 1 MB headline, of invalid UTF-8, NULs, escapes and controls */
	buf_puts(&log, "[    1.0] Kernel panic - not syncing: \x1b[31mred\x1b[0m "
	    "\xff\xfe bad \xc3\x28 \xe2\x80\xae rtl \x07\x08 \xc2\x85 ");
	repeat(&log, "\xf0\x9f\x92\xa5 0x1234 \x80", 1 << 16);
	buf_add(&log, "\0\0\0", 3);
	buf_puts(&log, "\n[    1.1] Call Trace:\n");
	/* a trace of 100k frames */
	repeat(&log, "[    1.1]  deep_recursion+0x10/0x20\n", 100000);
	console(log.ptr, 1, &ls);
	is_int(ls.n, 1, "a 1 MB panic line: one finding");
	ok(bounded(&ls), "bounded and clean");
	ok(ls.n && strstr(ls.v[0].summary, "red") != NULL &&
	    strstr(ls.v[0].summary, "[31m") == NULL, "escapes dropped");
	ok(ls.n && strstr(ls.v[0].summary, "\xe2\x80\xae") == NULL,
	    "text direction overrides dropped");
	contains(ls.n ? ls.v[0].summary : NULL, "\xef\xbf\xbd bad",
	    "invalid bytes replaced");
	logsig_free(&ls);

	/* a long headline cut for its signature inside a character */
	buf_reset(&log);
	buf_puts(&log, "BUG: KASAN: 27");
	repeat(&log, "\xff", 100);
	buf_putc(&log, '+');
	repeat(&log, "\xff", 100);
	console(log.ptr, 0, &ls);
	ok(ls.n == 1 && bounded(&ls), "a signature cut at a character");
	logsig_free(&ls);

	/* tabs where a summary takes its words as they are */
	console("WARNING: CPU: 0 PID: 1 at a\tb.c:1 f+0x1/0x2\n", 0, &ls);
	is_str(ls.n ? ls.v[0].summary : NULL, "WARNING at a b.c:1 in f",
	    "a tab in a WARNING's file");
	logsig_free(&ls);
	logsig_build("x\ty.c:1:1: error: z\n", 19, &ls);
	is_str(ls.n ? ls.v[0].summary : NULL, "x y.c:1: error: z",
	    "a tab in a build location");
	ok(bounded(&ls), "bounded");
	logsig_free(&ls);

	/* 100k fake traces, and 100k headlines that each have one */
	buf_reset(&log);
	repeat(&log, "Call Trace:\n ? x+0x1/0x2\n", 100000);
	console(log.ptr, 0, &ls);
	is_int(ls.n, 0, "traces without a headline: nothing");
	logsig_free(&ls);
	buf_reset(&log);
	for (i = 0; i < 100000; i++)
		buf_addf(&log, "[ %zu.0] WARNING: CPU: 0 PID: %zu at a.c:1 "
		    "f%zu+0x1/0x2\nCall Trace:\n g+0x1/0x2\n h+0x1/0x2\n", i,
		    i, i % 1000);
	console(log.ptr, 0, &ls);
	is_int(ls.n, LOGSIG_MAX, "at most LOGSIG_MAX findings");
	ok(ls.truncated, "truncated said");
	ok(bounded(&ls), "bounded");
	is_int(ls.n ? ls.v[0].count : 0, 100, "each counted");
	logsig_free(&ls);

	/* a panic after too many warnings is still found */
	buf_puts(&log, panic_vfs);
	console(log.ptr, 0, &ls);
	is_str(ls.n ? ls.v[ls.n - 1].kind : NULL, "panic",
	    "the panic takes the place of the last warning");
	is_int(ls.n, LOGSIG_MAX, "still LOGSIG_MAX findings");
	logsig_free(&ls);

	/* NULs where lines are */
	buf_reset(&log);
	buf_add(&log, nuls, sizeof(nuls) - 1);
	logsig_console(log.ptr, log.len, 1, &ls);
	is_int(ls.n, 1, "NULs: the panic after them");
	is_str(ls.n ? ls.v[0].summary : NULL,
	    "Kernel panic - not syncing: xy", "NULs dropped");
	logsig_free(&ls);

	/* a carriage return inside a line, colours, printk levels */
	console("Loading 50%\r[    1.0] Kernel panic - not syncing: one\n"
	    "\x1b[0m<0>[    2.0] Kernel panic - not syncing: two\r\r\n"
	    "\x1b[1;31mKernel panic - not syncing: three\x1b[0m\n", 1, &ls);
	is_int(ls.n, 3, "a headline after a carriage return, escapes, levels");
	is_str(ls.n == 3 ? ls.v[0].summary : NULL,
	    "Kernel panic - not syncing: one", "the piece after the CR");
	is_int(ls.n == 3 ? ls.v[0].line : 0, 1, "on the line it is on");
	is_str(ls.n == 3 ? ls.v[2].summary : NULL,
	    "Kernel panic - not syncing: three", "escapes out of the text");
	logsig_free(&ls);

	/* no log at all */
	logsig_console("", 0, 0, &ls);
	is_int(ls.n, 0, "an empty log: nothing");
	logsig_free(&ls);
	logsig_build("", 0, &ls);
	is_int(ls.n, 0, "an empty build log: nothing");
	logsig_free(&ls);
	buf_release(&log);
}

static void
test_silence(void)
{
	struct buf log = BUF_INIT;
	struct logsig ls;
	int i;

	for (i = 1; i <= 30; i++)
		buf_addf(&log, "[ %d.0] line %d\r\n", i, i);
	buf_puts(&log, "\n\n[   31.0] Run /init as init process\r\n\n");
	console(log.ptr, 0, &ls);
	is_int(ls.n, 0, "a log that passed: no silence");
	logsig_free(&ls);
	console(log.ptr, 1, &ls);
	is_int(ls.n, 1, "a boot that stopped: silence");
	is_str(ls.n ? ls.v[0].kind : NULL, "silence", "of kind silence");
	is_str(ls.n ? ls.v[0].summary : NULL,
	    "boot stopped after: Run /init as init process", "its summary");
	is_str(ls.n ? ls.v[0].signature : NULL,
	    "silence: Run /init as init process", "its signature");
	is_int(ls.n ? ls.v[0].line : 0, 22, "from the 10th line before");
	is_str(ls.n ? ls.v[0].lines : NULL, "[ 22.0] line 22\n[ 23.0] line 23\n"
	    "[ 24.0] line 24\n[ 25.0] line 25\n[ 26.0] line 26\n"
	    "[ 27.0] line 27\n[ 28.0] line 28\n[ 29.0] line 29\n"
	    "[ 30.0] line 30\n[   31.0] Run /init as init process",
	    "the last 10 lines that are not empty");
	ok(bounded(&ls), "bounded");
	logsig_free(&ls);
	console(panic_vfs, 1, &ls);
	ok(ls.n == 1 && strcmp(ls.v[0].kind, "panic") == 0,
	    "no silence when something was found");
	logsig_free(&ls);
	console("[    1.0] loading\n[    2.0] Loading 10%\rLoading 99%\r\n"
	    "\r\n   \n", 1, &ls);
	is_str(ls.n ? ls.v[0].summary : NULL, "boot stopped after: Loading 99%",
	    "silence after what a carriage return left");
	is_str(ls.n ? ls.v[0].lines : NULL, "[    1.0] loading\nLoading 99%",
	    "its lines");
	logsig_free(&ls);
	console("\n\n", 1, &ls);
	is_str(ls.n ? ls.v[0].summary : NULL, "no console output",
	    "no output at all");
	logsig_free(&ls);
	buf_release(&log);
}

static void
build(const char *log, struct logsig *ls)
{
	logsig_build(log, strlen(log), ls);
}

static void
test_build(void)
{
	struct logsig ls;
	struct buf log = BUF_INIT;
	size_t i;

	/* gcc 12 */
	build("  CC      init/main.o\n"
	    "init/main.c: In function 'start_kernel':\n"
	    "init/main.c:960:13: warning: unused variable 'demo' [-Wunused-variable]\n"
	    "  960 |         int demo;\n"
	    "      |             ^~~~\n"
	    "  CC      init/version.o\n"
	    "../init/do_mounts.c:12:9: error: 'undeclared_thing' undeclared (first use in this function)\n"
	    "   12 |         undeclared_thing = 1;\n"
	    "      |         ^~~~~~~~~~~~~~~~\n"
	    "../init/do_mounts.c:12:9: note: each undeclared identifier is reported only once for each function it appears in\n"
	    "make[3]: *** [scripts/Makefile.build:250: init/do_mounts.o] Error 1\n"
	    "make[2]: *** [scripts/Makefile.build:500: init] Error 2\n", &ls);
	is_int(ls.n, 2, "gcc: a warning and an error");
	is_str(ls.n > 0 ? ls.v[0].kind : NULL, "warning", "the warning first");
	is_str(ls.n > 0 ? ls.v[0].summary : NULL, "init/main.c:960: warning: "
	    "unused variable 'demo' [-Wunused-variable]", "its summary");
	is_str(ls.n > 0 ? ls.v[0].file : NULL, "init/main.c", "its file");
	is_int(ls.n > 0 ? ls.v[0].file_line : 0, 960, "its line in the file");
	is_int(ls.n > 0 ? ls.v[0].line : 0, 3, "its line in the log");
	is_str(ls.n > 0 ? ls.v[0].lines : NULL, "init/main.c:960:13: warning: "
	    "unused variable 'demo' [-Wunused-variable]\n  960 |         int "
	    "demo;\n      |             ^~~~", "its lines: not kbuild's next");
	is_str(ls.n > 1 ? ls.v[1].summary : NULL, "../init/do_mounts.c:12: "
	    "error: 'undeclared_thing' undeclared (first use in this "
	    "function)", "the error's summary, the file as printed");
	is_str(ls.n > 1 ? ls.v[1].signature : NULL, "init/do_mounts.c: error: "
	    "'undeclared_thing' undeclared (first use in this function)",
	    "its signature: no line, no ../");
	contains(ls.n > 1 ? ls.v[1].lines : NULL, "note: each undeclared",
	    "notes kept with it");
	logsig_free(&ls);

	/* clang 16, in colour */
	build("\x1b[1mdrivers/demo/demo.c:14:2: \x1b[0m\x1b[0;1;31merror: "
	    "\x1b[0m\x1b[1muse of undeclared identifier 'nope'\x1b[0m\n"
	    "        nope = 1;\n"
	    "        ^\n"
	    "drivers/demo/demo.c:20:6: warning: variable 'x' set but not used [-Wunused-but-set-variable]\n"
	    "        int x = 0;\n"
	    "            ^\n"
	    "1 warning and 1 error generated.\n"
	    "clang: error: unsupported option '-mfoo'\n", &ls);
	is_int(ls.n, 3, "clang: two errors and a warning");
	is_str(ls.n > 0 ? ls.v[0].summary : NULL, "drivers/demo/demo.c:14: "
	    "error: use of undeclared identifier 'nope'", "colours dropped");
	is_str(ls.n > 2 ? ls.v[2].summary : NULL,
	    "clang: error: unsupported option '-mfoo'", "a driver error");
	ok(bounded(&ls), "bounded");
	logsig_free(&ls);

	/* the same error on a shifted line, and fatal errors */
	build("a.c:10:5: error: 'x' undeclared\n"
	    "a.c:20:5: error: 'x' undeclared\n"
	    "b.c:3:10: fatal error: demo.h: No such file or directory\n"
	    "    3 | #include <demo.h>\n", &ls);
	is_int(ls.n, 2, "the same error on another line: merged");
	is_int(ls.n > 0 ? ls.v[0].count : 0, 2, "and counted");
	is_str(ls.n > 1 ? ls.v[1].summary : NULL, "b.c:3: fatal error: "
	    "demo.h: No such file or directory", "a fatal error");
	is_str(ls.n > 1 ? ls.v[1].kind : NULL, "error", "is an error");
	logsig_free(&ls);

	/* the linker and modpost */
	build("  LD      vmlinux.o\n"
	    "ld: vmlinux.o: in function `demo_init':\n"
	    "demo.c:(.init.text+0x1d): undefined reference to `demo_missing'\n"
	    "ld: drivers/b.o:(.bss+0x0): multiple definition of `demo_dup'; drivers/a.o:(.bss+0x0): first defined here\n"
	    "ERROR: modpost: \"demo_sym\" [drivers/demo/demo.ko] undefined!\n"
	    "WARNING: modpost: vmlinux: section mismatch in reference: demo_a (section: .text) -> demo_b (section: .init.text)\n", &ls);
	is_int(ls.n, 4, "ld and modpost: four findings");
	is_str(ls.n > 0 ? ls.v[0].summary : NULL, "demo.c:(.init.text+0x1d): "
	    "undefined reference to `demo_missing'", "undefined reference");
	is_str(ls.n > 0 ? ls.v[0].signature : NULL, "demo.c:(.init.text+N): "
	    "undefined reference to `demo_missing'", "its signature");
	is_str(ls.n > 1 ? ls.v[1].signature : NULL, "drivers/b.o:(.bss+N): "
	    "multiple definition of `demo_dup'; drivers/a.o:(.bss+N): first "
	    "defined here", "multiple definition, without ld's name");
	is_str(ls.n > 2 ? ls.v[2].summary : NULL, "ERROR: modpost: \"demo_sym\""
	    " [drivers/demo/demo.ko] undefined!", "modpost error");
	is_str(ls.n > 2 ? ls.v[2].kind : NULL, "error", "is an error");
	is_str(ls.n > 3 ? ls.v[3].kind : NULL, "warning",
	    "modpost warning is a warning");
	logsig_free(&ls);

	/* lld and the assembler */
	build("ld.lld: error: undefined symbol: demo_missing\n"
	    ">>> referenced by demo.c:12 (drivers/demo/demo.c:12)\n"
	    ">>>               drivers/demo/demo.o:(demo_init) in archive vmlinux.a\n"
	    "/tmp/ccX1b2c3.s:42: Error: no such instruction: `demo %eax'\n",
	    &ls);
	is_int(ls.n, 2, "lld and as: two errors");
	is_str(ls.n > 0 ? ls.v[0].summary : NULL, "ld.lld: error: undefined "
	    "symbol: demo_missing", "lld's error");
	contains(ls.n > 0 ? ls.v[0].lines : NULL, ">>>               drivers/"
	    "demo/demo.o", "with where it is referenced");
	is_str(ls.n > 1 ? ls.v[1].summary : NULL, "/tmp/ccX1b2c3.s:42: Error: "
	    "no such instruction: `demo %eax'", "the assembler's error");
	logsig_free(&ls);

	/* make's error only when nothing else says what failed */
	build("make[1]: warning: jobserver unavailable: using -j1.\n"
	    "init/main.c:1:1: warning: demo [-Wdemo]\n"
	    "make[2]: *** [scripts/Makefile.build:250: init/main.o] Killed\n"
	    "make[1]: *** [Makefile:1990: init] Error 2\n"
	    "arch/x86/a.c:2:2: warning: later [-Wdemo]\n", &ls);
	is_int(ls.n, 3, "make's first error when no other");
	is_str(ls.n > 1 ? ls.v[1].summary : NULL, "make[2]: *** "
	    "[scripts/Makefile.build:250: init/main.o] Killed",
	    "in log order");
	is_str(ls.n > 1 ? ls.v[1].kind : NULL, "error", "as an error");
	is_str(ls.n > 0 ? ls.v[0].summary : NULL, "init/main.c:1: warning: "
	    "demo [-Wdemo]", "make's own warning is not one");
	logsig_free(&ls);

	/* the first error survives many warnings */
	for (i = 0; i < 50; i++)
		buf_addf(&log, "w%zu.c:1:1: warning: demo [-Wdemo]\n", i);
	buf_puts(&log, "e.c:5:1: error: the first error\n");
	buf_puts(&log, "e.c:6:1: error: the second error\n");
	build(log.ptr, &ls);
	is_int(ls.n, LOGSIG_MAX, "LOGSIG_MAX findings");
	ok(ls.truncated, "truncated");
	for (i = 0; i < ls.n && strcmp(ls.v[i].kind, "error") != 0; i++)
		;
	is_str(i < ls.n ? ls.v[i].summary : NULL, "e.c:5: error: the first "
	    "error", "the first error is the first error in v[]");
	logsig_free(&ls);
	buf_release(&log);
}

static int
print(const char *mode, const char *path, int with_lines)
{
	struct buf log = BUF_INIT;
	struct logsig ls;
	char *s;

	if (buf_read_file(&log, path) != 0) {
		perror(path);
		return 2;
	}
	run(mode, log.ptr, log.len, &ls);
	s = findings_text(&ls, strcmp(mode, "console-failed") == 0 ?
	    "console failed" : mode, with_lines);
	fputs(s, stdout);
	free(s);
	logsig_free(&ls);
	buf_release(&log);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "--print") == 0)
		return print(argv[2], argv[3], argc > 4 &&
		    strcmp(argv[4], "--lines") == 0);
	test_data();
	test_normalise();
	test_warning();
	test_kinds();
	test_interleave();
	test_bounds();
	test_silence();
	test_build();
	return tap_done();
}
