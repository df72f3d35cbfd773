/*
 * t-collect.c: LAVA results and logs (tests/data/lava/) to the test rows
 * collect records, through the same conversion (collect_lava_rows()),
 * as *.yaml -> *.rows.expected pairs: one line per row, its path, KCIDB
 * status, number and unit, and the boot's error.
 */
#include "tap.h"
#include "buf.h"
#include "collect.h"
#include "lava.h"
#include "log.h"
#include "util.h"

#define DATA	"tests/data/lava/"

static char *
rows_text(const struct lava_outcome *o, const char *prefix)
{
	struct buf b = BUF_INIT;
	struct lava_row *rows;
	const char *boot;
	enum lava_verdict v;
	size_t i, n, clashes;

	v = lava_judge(o, &boot);
	collect_lava_rows(o, v, boot, prefix, &rows, &n, &clashes);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s\t%s", rows[i].path, rows[i].status);
		if (rows[i].c != NULL && rows[i].c->has_measurement)
			buf_addf(&b, "\t%g\t%s", rows[i].c->measurement,
			    rows[i].c->unit ? rows[i].c->unit : "");
		else
			buf_puts(&b, "\t-\t-");
		if (rows[i].error_type != NULL || rows[i].error_msg != NULL)
			buf_addf(&b, "\t%s: %.60s", rows[i].error_type ?
			    rows[i].error_type : "-", rows[i].error_msg ?
			    rows[i].error_msg : "-");
		buf_putc(&b, '\n');
	}
	if (clashes > 0)
		buf_addf(&b, "clashes %zu\n", clashes);
	collect_lava_rows_free(rows, n);
	return buf_detach(&b, NULL);
}

static void
pair(const char *name, int is_log)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	struct lava_outcome o;
	char *p, *got, msg[128];
	int rc;

	memset(&o, 0, sizeof(o));
	p = xasprintf(DATA "%s.yaml", name);
	rc = buf_read_file(&in, p);
	free(p);
	p = xasprintf(DATA "%s.rows.expected", name);
	if (rc != 0 || buf_read_file(&want, p) != 0) {
		snprintf(msg, sizeof(msg), "%s and %s readable", name, p);
		ok(0, msg);
		free(p);
		buf_release(&in);
		return;
	}
	free(p);
	rc = is_log ? lava_parse_log(in.ptr, in.len, &o, NULL) :
	    lava_parse_results(in.ptr, in.len, name, &o);
	snprintf(msg, sizeof(msg), "%s parses", name);
	ok(rc == 0, msg);
	got = rows_text(&o, NULL);
	snprintf(msg, sizeof(msg), "%s: the rows as expected", name);
	is_str(got, want.ptr, msg);
	free(got);
	lava_outcome_release(&o);
	buf_release(&in);
	buf_release(&want);
}

/* Names that become one path get a suffix each; a prefix keeps levels. */
static void
test_clash(void)
{
	static const char results[] =
	    "- {suite: lava, name: job, result: pass}\n"
	    "- {suite: lava, name: login-action, result: pass}\n"
	    "- {suite: 0_net, name: ping:v4, result: pass}\n"
	    "- {suite: 0_net, name: ping v4, result: fail}\n"
	    "- {suite: 0_net, name: rtt, result: pass, measurement: '1.5',"
	    " unit: ms}\n";
	struct lava_outcome o;
	char *got;

	memset(&o, 0, sizeof(o));
	ok(lava_parse_results(results, sizeof(results) - 1, "clash", &o) ==
	    0, "made-up results parse");
	got = rows_text(&o, "net.suite");
	contains(got, "boot\t", "the boot first");
	contains(got, "net.suite.ping_v4\tPASS", "the first keeps its path");
	contains(got, "net.suite.ping_v4-h", "the second gets a suffix");
	contains(got, "\tFAIL", "with its own status");
	contains(got, "net.suite.rtt\tPASS\t1.5\tms", "a measurement kept");
	contains(got, "clashes 1", "the clash counted");
	free(got);
	lava_outcome_release(&o);
}

int
main(void)
{
	log_init("t-collect");
	pair("complete-results", 0);
	pair("incomplete-results", 0);
	pair("bootfail-results", 0);
	pair("kselftest-results", 0);
	pair("complete-log", 1);
	pair("incomplete-log", 1);
	test_clash();
	return tap_done();
}
