/*
 * t-lava.c: LAVA results and logs (real replies of a LAVA 2023.01 server,
 * in tests/data/lava/) to boot and test results, as *.yaml -> *.expected
 * pairs; test paths; the QEMU device dictionary.
 */
#include "tap.h"
#include "buf.h"
#include "lava.h"
#include "log.h"
#include "ynode.h"
#include "util.h"

#define DATA	"tests/data/lava/"

static const char *
verdict_name(enum lava_verdict v)
{
	return v == LAVA_DONE ? "done" : v == LAVA_BOOT_FAILED ?
	    "boot-failed" : "incomplete";
}

/* The mapping as text: what collect records. */
static char *
summarise(const struct lava_outcome *o)
{
	struct buf b = BUF_INIT;
	const char *boot;
	enum lava_verdict v;
	size_t i;
	char *path;

	v = lava_judge(o, &boot);
	buf_addf(&b, "health %s\n", o->health);
	if (o->error_type)
		buf_addf(&b, "error %s: %.60s\n", o->error_type, o->error_msg);
	buf_addf(&b, "verdict %s\n", verdict_name(v));
	buf_addf(&b, "boot %s\n", boot ? boot : "-");
	for (i = 0; i < o->n; i++) {
		if (strcmp(o->cases[i].suite, "lava") == 0)
			continue;
		path = lava_test_path(NULL, o->cases[i].suite, o->cases[i].name);
		buf_addf(&b, "%s %s", path, o->cases[i].result);
		if (o->cases[i].has_measurement)
			buf_addf(&b, " %g %s", o->cases[i].measurement,
			    o->cases[i].unit ? o->cases[i].unit : "");
		buf_putc(&b, '\n');
		free(path);
	}
	return buf_detach(&b, NULL);
}

static void
pair(const char *name, int is_log)
{
	struct buf in = BUF_INIT, want = BUF_INIT, console = BUF_INIT;
	struct lava_outcome o;
	char *p, *got, msg[128];
	int rc;

	memset(&o, 0, sizeof(o));
	p = xasprintf(DATA "%s.yaml", name);
	if (buf_read_file(&in, p) != 0) {
		snprintf(msg, sizeof(msg), "%s readable", p);
		ok(0, msg);
		free(p);
		return;
	}
	free(p);
	p = xasprintf(DATA "%s.expected", name);
	buf_read_file(&want, p);
	free(p);
	rc = is_log ? lava_parse_log(in.ptr, in.len, &o, &console) :
	    lava_parse_results(in.ptr, in.len, name, &o);
	snprintf(msg, sizeof(msg), "%s parses", name);
	ok(rc == 0, msg);
	got = summarise(&o);
	snprintf(msg, sizeof(msg), "%s maps as expected", name);
	is_str(got, want.ptr, msg);
	if (is_log) {
		snprintf(msg, sizeof(msg), "%s: console cut out", name);
		ok(console.len > 0 ? strstr(console.ptr, "\"lvl\"") == NULL :
		    1, msg);
	}
	free(got);
	lava_outcome_release(&o);
	buf_release(&in);
	buf_release(&want);
	buf_release(&console);
}

static void
test_paths(void)
{
	char *p;

	p = lava_test_path(NULL, "0_smoke", "boot-time");
	is_str(p, "smoke.boot-time", "index prefix dropped");
	free(p);
	p = lava_test_path(NULL, "12_kselftest-timers", "a/b c:d");
	is_str(p, "kselftest-timers.a_b_c_d", "odd characters replaced");
	free(p);
	p = lava_test_path(NULL, "1_kselftest", "timers.nanosleep");
	is_str(p, "kselftest.timers.nanosleep", "a dot in a case is a level");
	free(p);
	p = lava_test_path(NULL, "1_kselftest", "size..get size.");
	is_str(p, "kselftest.size._.get_size._", "an empty level is '_'");
	free(p);
	p = lava_test_path("ltp.syscalls", "0_ltp", "open01");
	is_str(p, "ltp.syscalls.open01", "kcidb_path prefix keeps its levels");
	free(p);
	p = lava_test_path(NULL, "3_", "x");
	is_str(p, "3_.x", "a suite that is only an index stays");
	free(p);
}

/* The device of arch: its command, and options among its options. */
static void
device_of(const char *arch, int mem, const char *cmd, const char *opt,
    const char *memopt)
{
	const struct ynode *q, *o, *archs;
	struct ynode *d;
	size_t i;
	int has_opt = 0, has_mem = 0, has_arch = 0;

	d = lava_qemu_device(arch, mem);
	ok(d != NULL, arch);
	if (d == NULL)
		return;
	q = ynode_get(ynode_get(ynode_get(ynode_get(ynode_get(d, "actions"),
	    "boot"), "methods"), "qemu"), "parameters");
	is_str(ynode_str(q, "command"), cmd, "its qemu command");
	o = ynode_get(q, "options");
	for (i = 0; o != NULL && i < o->n; i++) {
		has_opt |= strcmp(o->items[i]->value, opt) == 0;
		has_mem |= strcmp(o->items[i]->value, memopt) == 0;
	}
	ok(has_opt, opt);
	ok(has_mem, memopt);
	archs = ynode_get(d, "available_architectures");
	for (i = 0; archs != NULL && i < archs->n; i++)
		has_arch |= strcmp(archs->items[i]->value, arch) == 0;
	ok(has_arch, "its own name is a context arch it takes");
	ynode_free(d);
}

static void
test_device(void)
{
	struct buf b = BUF_INIT;
	struct ynode *d, *back;

	d = lava_qemu_device("x86_64", 512);
	ok(d != NULL, "a QEMU device for x86_64");
	ok(ynode_emit_buf(d, &b) == 0, "emits");
	ok(ynode_parse_string("dev", b.ptr, b.len, &back) == 0, "reparses");
	is_str(ynode_str(ynode_get(ynode_get(ynode_get(ynode_get(ynode_get(
	    back, "actions"), "boot"), "methods"), "qemu"), "parameters"),
	    "command"), "qemu-system-x86_64", "its qemu command");
	ok(strstr(b.ptr, "enable-kvm") == NULL, "no KVM");
	ok(lava_qemu_device("sparc", 512) == NULL, "no device for an odd arch");
	ynode_free(d);
	ynode_free(back);
	buf_release(&b);
	device_of("arm64", 1024, "qemu-system-aarch64",
	    "-machine virt -cpu cortex-a57", "-m 1024");
	device_of("riscv", 512, "qemu-system-riscv64", "-machine virt",
	    "-m 512");
}

int
main(void)
{
	log_init("t-lava");
	pair("complete-results", 0);
	pair("incomplete-results", 0);
	pair("complete-log", 1);
	pair("incomplete-log", 1);
	pair("bootfail-results", 0);
	test_paths();
	test_device();
	return tap_done();
}
