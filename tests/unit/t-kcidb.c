/*
 * t-kcidb.c: the KCIDB schema's rules in C agree with the official
 * schema on the example documents (valid ones pass, each invalid one
 * fails), issues and incidents are checked field by field as v5.3
 * defines them, hostile strings are made valid, and a test made again
 * in place from the one before is the same as one made anew.
 */
#include <jansson.h>
#include <dirent.h>

#include "tap.h"
#include "buf.h"
#include "kcidb.h"
#include "kcidb_doc.h"
#include "log.h"
#include "secret.h"
#include "store_kcidb.h"
#include "util.h"

#define DATA	"tests/data/kcidb/examples/"
/* The invalid examples there are: fewer means they went missing. */
#define INVALID_EXAMPLES	15

static void
check_file(const char *path, int valid)
{
	struct buf why = BUF_INIT;
	json_error_t e;
	json_t *doc;
	char msg[256];
	int rc;

	doc = json_load_file(path, JSON_ALLOW_NUL, &e);
	snprintf(msg, sizeof(msg), "%s %s", path, valid ? "passes" : "fails");
	if (doc == NULL) {
		/* not even JSON: as good as invalid */
		ok(!valid, msg);
		return;
	}
	rc = kcidb_validate(doc, &why);
	ok(valid ? rc == 0 : rc != 0, msg);
	if (valid && rc != 0)
		printf("#   %s\n", why.ptr);
	json_decref(doc);
	buf_release(&why);
}

/* Whether the object in JSON text passes as a member of list table. */
static int
object_passes(char table, const char *text)
{
	struct buf why = BUF_INIT;
	json_error_t e;
	json_t *o;
	int rc;

	o = json_loads(text, JSON_ALLOW_NUL, &e);
	if (o == NULL) {
		printf("#   bad test JSON: %s\n", e.text);
		return -1;
	}
	rc = kcidb_validate_object(o, table, &why);
	json_decref(o);
	buf_release(&why);
	return rc == 0;
}

#define ISSUE	"\"id\": \"o:i\", \"origin\": \"o\", \"version\": 1"
#define INCIDENT "\"id\": \"o:n\", \"origin\": \"o\", \"issue_id\": " \
	"\"o:i\", \"issue_version\": 1"

static void
test_issues(void)
{
	static const struct {
		char		 table;
		const char	*text;
		int		 valid;
		const char	*what;
	} cases[] = {
		{ 'i', "{" ISSUE "}", 1, "issue: id, origin, version" },
		{ 'i', "{" ISSUE ", \"report_url\": "
		  "\"https://x.org/b/1.html\", \"report_subject\": "
		  "\"0123456789ab (\\\"x\\\")\", "
		  "\"culprit\": {\"code\": true, \"tool\": false, "
		  "\"harness\": false}, \"comment\": \"c\", \"categories\": "
		  "[\"build.error\", \"\"], \"misc\": {\"a\": [1]}, "
		  "\"_timestamp\": \"2025-04-07T08:20:00+00:00\"}", 1,
		  "issue: every field" },
		{ 'i', "{\"id\": \"o:i\", \"origin\": \"o\"}", 0,
		  "issue: version is required" },
		{ 'i', "{\"id\": \"o:i\", \"version\": 1}", 0,
		  "issue: origin is required" },
		{ 'i', "{\"origin\": \"o\", \"version\": 1}", 0,
		  "issue: id is required" },
		{ 'i', "{\"id\": \"o:i\", \"origin\": \"o\", \"version\": -1}",
		  0, "issue: version below 0" },
		{ 'i', "{\"id\": \"o:i\", \"origin\": \"o\", \"version\": 1.5}",
		  0, "issue: version not an integer" },
		{ 'i', "{\"id\": \"o:i\", \"origin\": \"o\", \"version\": "
		  "\"1\"}", 0, "issue: version a string" },
		{ 'i', "{\"id\": \"i\", \"origin\": \"o\", \"version\": 1}", 0,
		  "issue: id without origin" },
		{ 'i', "{" ISSUE ", \"culprit\": {\"code\": 1}}", 0,
		  "issue: culprit member not a boolean" },
		{ 'i', "{" ISSUE ", \"culprit\": {\"code\": true, \"kernel\": "
		  "true}}", 0, "issue: culprit with an unknown key" },
		{ 'i', "{" ISSUE ", \"culprit\": true}", 0,
		  "issue: culprit not an object" },
		{ 'i', "{" ISSUE ", \"report_url\": \"bisect/1.html\"}", 0,
		  "issue: report_url not absolute" },
		{ 'i', "{" ISSUE ", \"report_subject\": \"a\\u0000b\"}", 0,
		  "issue: NUL in report_subject" },
		{ 'i', "{" ISSUE ", \"categories\": [\"a..b\"]}", 0,
		  "issue: a category is a path" },
		{ 'i', "{" ISSUE ", \"categories\": \"a\"}", 0,
		  "issue: categories is an array" },
		{ 'i', "{" ISSUE ", \"misc\": {\"a\": null}}", 0,
		  "issue: null in misc" },
		{ 'i', "{" ISSUE ", \"present\": true}", 0,
		  "issue: an incident's key" },
		{ 'n', "{" INCIDENT "}", 1,
		  "incident: id, origin, issue_id, issue_version" },
		{ 'n', "{" INCIDENT ", \"build_id\": \"o:b\", "
		  "\"present\": true, \"comment\": \"c\", \"misc\": {}}", 1,
		  "incident: a build's" },
		{ 'n', "{" INCIDENT ", \"test_id\": \"o:t\", "
		  "\"present\": false}", 1, "incident: a test's" },
		{ 'n', "{\"id\": \"o:n\", \"origin\": \"o\", \"issue_id\": "
		  "\"o:i\"}", 0, "incident: issue_version is required" },
		{ 'n', "{\"id\": \"o:n\", \"origin\": \"o\", "
		  "\"issue_version\": 1}", 0,
		  "incident: issue_id is required" },
		{ 'n', "{" INCIDENT ", \"build_id\": \"b\"}", 0,
		  "incident: build_id without origin" },
		{ 'n', "{" INCIDENT ", \"test_id\": \"T:t\"}", 0,
		  "incident: test_id origin in capitals" },
		{ 'n', "{\"id\": \"o:n\", \"origin\": \"o\", \"issue_id\": "
		  "\"o:i\", \"issue_version\": -2}", 0,
		  "incident: issue_version below 0" },
		{ 'n', "{" INCIDENT ", \"present\": \"yes\"}", 0,
		  "incident: present not a boolean" },
		{ 'n', "{" INCIDENT ", \"version\": 1}", 0,
		  "incident: an issue's key" },
	};
	struct buf why = BUF_INIT;
	json_t *doc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ok(object_passes(cases[i].table, cases[i].text) ==
		    cases[i].valid, cases[i].what);
	doc = json_loads("{\"version\": {\"major\": 5, \"minor\": 3}, "
	    "\"issues\": [{" ISSUE "}], \"incidents\": [{" INCIDENT
	    ", \"present\": 1}]}", 0, NULL);
	ok(kcidb_validate(doc, &why) != 0,
	    "a document's incidents are checked");
	json_decref(doc);
	buf_release(&why);
}

static void
test_strings(void)
{
	json_t *s;
	char big[30001];
	size_t i;

	s = kcidb_string("a\0b", 3, 0);
	is_str(json_string_value(s), "ab", "NUL dropped");
	json_decref(s);
	s = kcidb_string("caf\xc3\xa9 \xff\xfe!", 9, 0);
	is_str(json_string_value(s), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd!",
	    "invalid UTF-8 replaced, valid kept");
	json_decref(s);
	s = kcidb_string("\xed\xa0\x80x", 4, 0);
	is_str(json_string_value(s), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx",
	    "a surrogate is invalid");
	json_decref(s);
	/* 10000 two-byte characters, then 9999 'a' and a 'Z' */
	for (i = 0; i < 20000; i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	memset(big + 20000, 'a', 9999);
	big[29999] = 'Z';
	big[30000] = '\0';
	s = kcidb_string(big, strlen(big), 16384);
	ok(json_string_length(s) == 6384 * 2 + 10000, "tail: 16384 code points");
	ok(json_string_value(s)[json_string_length(s) - 1] == 'Z',
	    "tail: the end is kept");
	ok((json_string_value(s)[0] & 0xc0) != 0x80,
	    "tail: starts on a character");
	json_decref(s);
}

/*
 * Tests of every shape in turn, some twice, some with the same misc and
 * environment as the one before, some with an id jansson refuses: each
 * made with the memo (reused in place when it can be) is the same, byte
 * for byte, as one made anew; and so with a secret to mask, which
 * masking changes in place in the misc and environment the tests share.
 */
static void
test_memo(void)
{
	static const struct {
		const char	*job, *path, *status, *url, *excerpt, *unit;
		const char	*misc, *platform, *compatible;
		long long	 start;
		int		 dur, num;
	} rows[] = {
		{ "t1", "boot", "PASS", "https://x.org/l", NULL, NULL,
		  "{\"lab\":\"a\"}", "qemu", NULL, 1735689600, 1, 0 },
		{ "t1", "smoke.a", "FAIL", "https://x.org/m", NULL, NULL,
		  "{\"lab\":\"a\"}", "qemu", NULL, 1735689601, 1, 0 },
		{ "t2", "smoke.b", "PASS", "https://x.org/m", NULL, "s",
		  "{\"lab\":\"b\",\"n\":null}", "qemu", NULL, 1735689601, 1,
		  1 },
		{ "t2", "smoke.c", "PASS", "https://x.org/m", NULL, "ms",
		  "{\"lab\":\"b\",\"n\":null}", "board",
		  "[\"acme,board\"]", 1735689601, 1, 1 },
		{ "t2", "smoke.d", "PASS", "https://x.org/m", NULL, "",
		  NULL, "board", "[\"acme,board\"]", 0, 0, 1 },
		{ "t3", "", NULL, NULL, "log \377 tail", NULL, "[1]", NULL,
		  NULL, 0, 0, 0 },
		{ "t3", "x", NULL, NULL, "other log", NULL, "[1]", NULL, NULL,
		  0, 0, 0 },
		{ "t\377", "x", NULL, NULL, "other log", NULL, "[1]", NULL,
		  NULL, 0, 0, 0 },
		{ "t4", "x", NULL, NULL, "third log", NULL, "[1]", NULL, NULL,
		  0, 0, 0 },
		{ "t4", "y", "PASS", "https://x.org/l", NULL, NULL,
		  "{\"lab\":\"a\"}", "qemu", NULL, 1735689600, 1, 0 },
		/* a secret in every string, masked on shared members too */
		{ "t5", "a.s3cr3tvalue", "PASS", "https://x.org/s3cr3tvalue",
		  "log s3cr3tvalue", "s3cr3tvalue",
		  "{\"k\":\"s3cr3tvalue\",\"d\":{\"k\":\"s3cr3tvalue\"}}",
		  "s3cr3tvalue", "[\"s3cr3tvalue\"]", 1735689600, 1, 1 },
		{ "t5", "b.s3cr3tvalue", "PASS", "https://x.org/s3cr3tvalue",
		  "log s3cr3tvalue 2", "s3cr3tvalue",
		  "{\"k\":\"s3cr3tvalue\",\"d\":{\"k\":\"s3cr3tvalue\"}}",
		  "s3cr3tvalue", "[\"s3cr3tvalue\"]", 1735689600, 1, 1 },
		{ "t5", "c", "PASS", "https://x.org/s3cr3tvalue", NULL, NULL,
		  "{\"k\":\"s3cr3tvalue\",\"d\":{\"k\":\"s3cr3tvalue\"}}",
		  "s3cr3tvalue", "[\"s3cr3tvalue\"]", 1735689600, 1, 0 },
	};
	struct kcidb_ids ids = { "test", "inst", NULL };
	struct kcidb_memo memo;
	struct kcidb_row row;
	json_t *a, *b, *held;
	char *ta, *tb, msg[80];
	size_t i, pass;

	memset(&memo, 0, sizeof(memo));
	held = NULL;
	for (pass = 0; pass < 4; pass++) {
		/* the last two passes with a secret to mask */
		if (pass == 2)
			secret_add("s3cr3tvalue");
		for (i = 0; i < ARRAY_SIZE(rows); i++) {
			memset(&row, 0, sizeof(row));
			row.table = KCIDB_TESTS;
			row.u.t.build_job_id = (char *)"b1";
			row.u.t.row.job_id = (char *)rows[i].job;
			row.u.t.row.path = (char *)rows[i].path;
			row.u.t.row.status = (char *)rows[i].status;
			row.u.t.row.log_url = (char *)rows[i].url;
			row.u.t.row.log_excerpt = (char *)rows[i].excerpt;
			row.u.t.row.log_excerpt_len = rows[i].excerpt != NULL ?
			    strlen(rows[i].excerpt) : 0;
			row.u.t.row.number_unit = (char *)rows[i].unit;
			row.u.t.row.misc = (char *)rows[i].misc;
			row.u.t.row.platform = (char *)rows[i].platform;
			row.u.t.row.compatible = (char *)rows[i].compatible;
			row.u.t.row.start_time = rows[i].start;
			row.u.t.row.has_duration = rows[i].dur;
			row.u.t.row.duration = 1.5 + (double)i;
			row.u.t.row.has_number = rows[i].num;
			row.u.t.row.number_value = (double)i / 3;
			a = kcidb_doc_object(&ids, NULL, &row);
			b = kcidb_doc_object(&ids, &memo, &row);
			ta = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(9));
			tb = json_dumps(b, JSON_COMPACT | JSON_REAL_PRECISION(9));
			snprintf(msg, sizeof(msg), "test %zu (pass %zu): made "
			    "again, the same as made anew", i, pass);
			ok(ta != NULL && tb != NULL && strcmp(ta, tb) == 0,
			    msg);
			if (ta == NULL || tb == NULL || strcmp(ta, tb) != 0)
				printf("#   anew:  %s\n#   again: %s\n",
				    ta ? ta : "(null)", tb ? tb : "(null)");
			if (pass >= 2) {
				snprintf(msg, sizeof(msg), "test %zu (pass %zu): "
				    "the secret is masked", i, pass);
				ok(tb != NULL && strstr(tb, "s3cr3t") == NULL,
				    msg);
			}
			free(ta);
			free(tb);
			json_decref(a);
			/* on odd passes, one is still held: not reused */
			json_decref(held);
			held = pass % 2 == 1 && i % 2 == 0 ? b : NULL;
			if (held == NULL)
				json_decref(b);
		}
	}
	json_decref(held);
	kcidb_memo_release(&memo);
}

int
main(void)
{
	struct dirent *de;
	DIR *d;
	char *p;
	int n;

	log_init("t-kcidb");
	check_file(DATA "v5.3-minimal.json", 1);
	check_file(DATA "v5.3-typical.json", 1);
	check_file(DATA "v5.3-issue-incident.json", 1);
	n = 0;
	d = opendir(DATA "invalid");
	ok(d != NULL, "the invalid examples can be read");
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (!str_ends(de->d_name, ".json"))
			continue;
		p = xasprintf(DATA "invalid/%s", de->d_name);
		check_file(p, 0);
		free(p);
		n++;
	}
	if (d != NULL)
		closedir(d);
	ok(n >= INVALID_EXAMPLES, "every invalid example was checked");
	if (n < INVALID_EXAMPLES)
		printf("#   %d of %d\n", n, INVALID_EXAMPLES);
	test_issues();
	test_strings();
	test_memo();
	return tap_done();
}
