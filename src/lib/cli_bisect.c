/*
 * cli_bisect.c: `maestrino bisect` lists the bisections, `bisect ID`
 * shows one, `bisect start` starts one by hand and `bisect run` runs
 * the bisect stage alone.  What is shown is the site's document of a
 * bisection (site_bisect_doc()), so --json is the site's twin.
 */
#include <getopt.h>

#include <jansson.h>

#include "bisect.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "query.h"
#include "run.h"
#include "safe.h"
#include "secret.h"
#include "site.h"
#include "stage.h"
#include "util.h"

#define SITE_JSON	(JSON_COMPACT | JSON_PRESERVE_ORDER | \
			    JSON_REAL_PRECISION(9))
#define SHORT_ID	12

/* A string member of o, or NULL. */
static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long
num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Text from outside, made safe for a terminal, into b. */
static void
visible(struct buf *b, const char *s)
{
	char *m;

	m = secret_mask(s != NULL ? s : "-");
	safe_visible(b, m);
	free(m);
}

/* What was bisected: "build x86" or "boot on qemu (x86)". */
static void
what(struct buf *b, const json_t *o)
{
	if (str(o, "path") == NULL && str(o, "test") == NULL) {
		buf_puts(b, "build ");
		visible(b, str(o, "build"));
		return;
	}
	/* without a path, the whole test plan */
	visible(b, str(o, "path") != NULL ? str(o, "path") : str(o, "test"));
	buf_puts(b, " on ");
	visible(b, str(o, "platform"));
	buf_puts(b, " (");
	visible(b, str(o, "build"));
	buf_puts(b, ")");
}

static size_t
steps_done(const json_t *o)
{
	const json_t *s;
	size_t i, n;

	n = 0;
	json_array_foreach(json_object_get(o, "steps"), i, s) {
		n += str(s, "result") != NULL;
	}
	return n;
}

/* One line of the list. */
static void
list_line(FILE *fp, const json_t *o)
{
	struct buf tb = BUF_INIT, w = BUF_INIT;

	visible(&tb, str(o, "tree"));
	if (str(o, "branch") != NULL) {
		buf_puts(&tb, "/");
		visible(&tb, str(o, "branch"));
	}
	what(&w, o);
	fprintf(fp, "%-5lld %-17s %5zu  %-20s %-28s ", num(o, "id"),
	    str(o, "status"), steps_done(o), tb.ptr, w.ptr);
	if (str(o, "culprit") != NULL) {
		fprintf(fp, "%.*s", SHORT_ID, str(o, "culprit"));
		if (str(o, "culprit_subject") != NULL) {
			fputc(' ', fp);
			query_put(fp, str(o, "culprit_subject"));
		}
	} else {
		fputs("-", fp);
	}
	fputc('\n', fp);
	buf_release(&tb);
	buf_release(&w);
}

static void
field(FILE *fp, const char *name, const char *v)
{
	fprintf(fp, "%-12s ", name);
	query_put(fp, v);
	fputc('\n', fp);
}

/* Good or bad: the commit and the checkout it was found in. */
static void
end_field(FILE *fp, const char *name, const json_t *o, const char *ck)
{
	fprintf(fp, "%-12s ", name);
	query_put(fp, str(o, name));
	if (num(o, ck) > 0)
		fprintf(fp, " (checkout %lld)", num(o, ck));
	fputc('\n', fp);
}

/* One bisection for people. */
static void
show(FILE *fp, const json_t *o)
{
	const json_t *s, *checks, *r;
	struct buf b = BUF_INIT;
	size_t i;

	fprintf(fp, "bisection %lld: %s\n", num(o, "id"), str(o, "status"));
	visible(&b, str(o, "tree"));
	if (str(o, "branch") != NULL) {
		buf_puts(&b, "/");
		visible(&b, str(o, "branch"));
	}
	fprintf(fp, "%-12s %s\n", "tree", b.ptr);
	buf_reset(&b);
	what(&b, o);
	fprintf(fp, "%-12s %s\n", "what", b.ptr);
	if (str(o, "test") != NULL)
		field(fp, "test", str(o, "test"));
	end_field(fp, "good", o, "good_checkout");
	end_field(fp, "bad", o, "bad_checkout");
	if (json_array_size(json_object_get(o, "results")) > 0) {
		fprintf(fp, "%-12s", "regressed");
		json_array_foreach(json_object_get(o, "results"), i, r) {
			fprintf(fp, " %s %lld", str(r, "kind"), num(r, "id"));
		}
		fputc('\n', fp);
	}
	field(fp, "state", str(o, "state"));
	field(fp, "outcome", str(o, "outcome"));
	field(fp, "reason", str(o, "reason"));
	field(fp, "culprit", str(o, "culprit"));
	if (str(o, "culprit") != NULL) {
		field(fp, "subject", str(o, "culprit_subject"));
		field(fp, "author", str(o, "culprit_author"));
		field(fp, "link", str(o, "culprit_url"));
	}
	checks = json_object_get(o, "checks");
	fprintf(fp, "%-12s confirm %s, verify %s, revert %s\n", "checks",
	    str(checks, "confirm") ? str(checks, "confirm") : "-",
	    str(checks, "verify") ? str(checks, "verify") : "-",
	    str(checks, "revert") ? str(checks, "revert") : "-");
	field(fp, "started", str(o, "created"));
	field(fp, "finished", str(o, "finished"));
	if (json_array_size(json_object_get(o, "steps")) == 0) {
		fputs("steps:       none yet\n", fp);
		buf_release(&b);
		return;
	}
	fprintf(fp, "steps:\n  %3s  %-14s  %-12s  %-7s  %8s  %5s  %s\n",
	    "n", "role", "commit", "result", "checkout", "left", "subject");
	json_array_foreach(json_object_get(o, "steps"), i, s) {
		fprintf(fp, "  %3lld  %-14s  %.*s  %-7s  ", num(s, "n"),
		    str(s, "role"), SHORT_ID, str(s, "commit"),
		    str(s, "result") ? str(s, "result") : "running");
		if (num(s, "checkout") > 0)
			fprintf(fp, "%8lld  ", num(s, "checkout"));
		else
			fprintf(fp, "%8s  ", "-");
		if (num(s, "left") > 0)
			fprintf(fp, "%5lld  ", num(s, "left"));
		else
			fprintf(fp, "%5s  ", "-");
		query_put(fp, str(s, "subject") ? str(s, "subject") : "");
		fputc('\n', fp);
	}
	buf_release(&b);
}

static const char bisect_usage[] =
	"usage: maestrino bisect [options] [ID]\n"
	"       maestrino bisect start TREE GOOD BAD --build NAME "
	"[--test NAME --platform NAME]\n"
	"       maestrino bisect run [stage options]\n"
	"\n"
	"List the bisections, newest first: id, status (the outcome once\n"
	"done, else where it is), steps done, tree/branch, what is bisected\n"
	"and the culprit.  With ID, show one: good and bad, the results that\n"
	"regressed, the outcome and its reason, the culprit's subject, author\n"
	"and link, the checks and every step.  `start` starts one by hand;\n"
	"`run` runs the bisect stage alone.\n"
	"\n"
	"  --tree TREE       only the bisections of TREE\n"
	"  --json            print {\"bisections\": [...]}, each as the site's\n"
	"                    api/bisect/<id>.json\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0, 1 no such bisection or tree, 2 usage, config or\n"
	"database error.\n";

static int
print(const struct stage *st, const char *tree, long long id, int json)
{
	json_t *doc, *arr, *o;
	size_t i;
	int rc;

	if (id > 0) {
		rc = site_bisect_doc(st->cfg, st->db, id, &o);
		if (rc == 1)
			error("no bisection %lld", id);
		if (rc != 0)
			return rc;
		doc = json_pack("{s:[o]}", "bisections", o);
	} else if (site_bisect_list_doc(st->cfg, st->db, tree, &doc) != 0) {
		return -1;
	}
	arr = json_object_get(doc, "bisections");
	rc = 0;
	if (json) {
		rc = query_print_json(stdout, doc, SITE_JSON);
	} else if (id > 0) {
		show(stdout, json_array_get(arr, 0));
	} else if (json_array_size(arr) == 0) {
		info("no bisections%s%s", tree ? " of tree " : "",
		    tree ? tree : "");
	} else {
		printf("%-5s %-17s %5s  %-20s %-28s %s\n", "id", "status",
		    "steps", "tree", "what", "culprit");
		json_array_foreach(arr, i, o) {
			list_line(stdout, o);
		}
	}
	json_decref(doc);
	return rc;
}

int
cli_bisect(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	const char *tree;
	long long id;
	int c, json, rc;

	if (argc > 1 && strcmp(argv[1], "start") == 0)
		return bisect_start_main(argc - 1, argv + 1, confdir);
	if (argc > 1 && strcmp(argv[1], "run") == 0) {
		run_exec_stage("bisect", confdir, argv + 2);
		return EXIT_FATAL;
	}
	json = 0;
	tree = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:j" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 't')
			tree = optarg;
		else if ((rc = stage_option(c, optarg, &confdir,
		    bisect_usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (argc - optind > 1) {
		error("bisect takes at most one bisection id (see maestrino "
		    "bisect -h)");
		return EXIT_FATAL;
	}
	id = 0;
	if (optind < argc) {
		if (tree != NULL) {
			error("bisect: --tree lists bisections; it goes with "
			    "no id ('%s')", argv[optind]);
			return EXIT_FATAL;
		}
		if (query_parse_id("bisection", argv[optind], &id) != 0)
			return EXIT_FATAL;
	}
	rc = query_open(&st, "bisect", confdir);
	if (rc != 0)
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	if (tree != NULL && query_tree_known(st.db, tree) == 0 &&
	    config_tree(st.cfg, tree) == NULL) {
		error("unknown tree '%s'", tree);
		rc = 1;
	}
	if (rc == 0)
		rc = print(&st, tree, id, json);
	stage_close(&st);
	if (rc == 0 && fflush(stdout) != 0)
		rc = error("cannot write the bisections: %s", strerror(errno));
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_ITEMS : EXIT_FATAL;
}
