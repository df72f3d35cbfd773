/*
 * cli_query.c: `maestrino results` and `maestrino compare`, the site's
 * checkout page and its changes for a terminal or a script.  The JSON
 * of `results` is the site's own twin (site_checkout_doc()); `compare`
 * uses the site's matching and change kinds (site_change.h) between
 * any two checkouts.
 */
#include <getopt.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "query.h"
#include "site.h"
#include "site_change.h"
#include "site_page.h"
#include "stage.h"
#include "store_checkout.h"
#include "store_site.h"
#include "util.h"

/* The flags of the site's JSON twins, so --json is byte for byte theirs. */
#define SITE_JSON	(JSON_COMPACT | JSON_PRESERVE_ORDER | \
			    JSON_REAL_PRECISION(9))
/* Other documents are for people to read as well. */
#define CLI_JSON	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | \
			    JSON_REAL_PRECISION(9))

/*
 * What the site's filter form keeps: a status (any case; "RUNNING" for
 * one without a result yet), an arch, a platform, a test path
 * containing a text.  A build has no platform and no path, so a filter
 * on either leaves builds out, as the form does on a page's changes.
 */
struct filter {
	const char	*status;
	const char	*arch;
	const char	*platform;
	const char	*path;
};

static int
filter_set(const struct filter *f)
{
	return f->status || f->arch || f->platform || f->path;
}

static int
filter_match(const struct filter *f, int build, const char *status,
    const char *arch, const char *platform, const char *path)
{
	if (f->status != NULL && strcasecmp(f->status, status ? status :
	    "RUNNING") != 0)
		return 0;
	if (f->arch != NULL && !str_eq(f->arch, arch))
		return 0;
	if (f->platform != NULL && (build || !str_eq(f->platform, platform)))
		return 0;
	if (f->path != NULL && (build || path == NULL ||
	    strstr(path, f->path) == NULL))
		return 0;
	return 1;
}

static const char *
jget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Keep the entries of the array at key that pass f. */
static void
filter_json(json_t *doc, const char *key, int build, const struct filter *f)
{
	json_t *arr, *keep, *e;
	size_t i;

	arr = json_object_get(doc, key);
	keep = json_array();
	json_array_foreach(arr, i, e)
		if (filter_match(f, build, jget(e, "status"), jget(e, "arch"),
		    jget(e, "platform"), jget(e, "path")))
			json_array_append(keep, e);
	/* replacing a member keeps its place in the document */
	json_object_set_new(doc, key, keep);
}

static int
res_match(const struct filter *f, const struct site_res *r, int build)
{
	return filter_match(f, build, r->status, r->arch, r->platform,
	    r->path);
}

/* The order statuses are counted in; anything else comes after. */
static const char *const statuses[] = {
	"PASS", "FAIL", "ERROR", "MISS", "SKIP", "DONE", NULL
};

static int
is_failure(const char *status)
{
	return str_eq(status, "FAIL") || str_eq(status, "ERROR") ||
	    str_eq(status, "MISS");
}

/* "builds   3   PASS 2  FAIL 1" for the results of l that are what. */
static void
count_line(FILE *fp, const char *label, const struct site_reslist *l,
    int build, const char *what, const struct filter *f)
{
	size_t n[ARRAY_SIZE(statuses) + 1], i, k, total;

	memset(n, 0, sizeof(n));
	total = 0;
	for (i = 0; i < l->n; i++) {
		const struct site_res *r = &l->v[i];

		if (strcmp(site_what(r, build), what) != 0 ||
		    !res_match(f, r, build))
			continue;
		for (k = 0; statuses[k] != NULL; k++)
			if (str_eq(r->status, statuses[k]))
				break;
		n[k]++;
		total++;
	}
	fprintf(fp, "%-8s %5zu", label, total);
	for (k = 0; statuses[k] != NULL; k++)
		if (n[k] > 0)
			fprintf(fp, "   %s %zu", statuses[k], n[k]);
	if (n[k] > 0)
		fprintf(fp, "   RUNNING %zu", n[k]);
	fputc('\n', fp);
}

static void
failure_lines(FILE *fp, const struct site_reslist *l, int build,
    const struct filter *f, size_t *count, struct buf *name)
{
	const struct site_res *r;
	const char *what;
	size_t i;

	for (i = 0; i < l->n; i++) {
		r = &l->v[i];
		if (!is_failure(r->status) || !res_match(f, r, build))
			continue;
		if ((*count)++ == 0)
			fputs("\nfailures:\n", fp);
		what = site_what(r, build);
		fprintf(fp, "  %-5s %-5s ", r->status, what);
		query_put(fp, site_res_name(r, what, name));
		fputs("\n              log: ", fp);
		if (r->log_url != NULL)
			query_put(fp, r->log_url);
		else
			fputs("none recorded", fp);
		fputc('\n', fp);
	}
}

/* The text of `results`: 0, 1 when there is no checkout id, -1. */
static int
print_summary(struct db *db, long long id, const struct filter *f, FILE *fp)
{
	struct site_reslist builds, tests;
	struct checkout_row c;
	struct buf name = BUF_INIT;
	const char *kind;
	size_t nfail;
	int rc;

	memset(&builds, 0, sizeof(builds));
	memset(&tests, 0, sizeof(tests));
	rc = store_site_checkout(db, id, &c);
	if (rc != 0)
		return rc;
	if (store_site_builds(db, id, &builds) != 0 ||
	    store_site_tests(db, id, &tests) != 0) {
		rc = -1;
		goto out;
	}
	kind = store_checkout_kind_label(c.kind);
	fprintf(fp, "checkout %lld: ", id);
	query_put(fp, c.tree);
	fputc('/', fp);
	query_put(fp, c.branch);
	fputc(' ', fp);
	query_put(fp, c.describe);
	if (kind != NULL)
		fprintf(fp, " (%s)", kind);
	fputs("\ncommit   ", fp);
	query_put(fp, c.commit);
	fputs("\nsubject  ", fp);
	query_put(fp, c.subject);
	fputc('\n', fp);
	if (filter_set(f)) {
		fputs("filter  ", fp);
		if (f->status != NULL)
			fputs(" status=", fp), query_put(fp, f->status);
		if (f->arch != NULL)
			fputs(" arch=", fp), query_put(fp, f->arch);
		if (f->platform != NULL)
			fputs(" platform=", fp), query_put(fp, f->platform);
		if (f->path != NULL)
			fputs(" path~", fp), query_put(fp, f->path);
		fputc('\n', fp);
	}
	fputc('\n', fp);
	count_line(fp, "builds", &builds, 1, "build", f);
	count_line(fp, "boots", &tests, 0, "boot", f);
	count_line(fp, "tests", &tests, 0, "test", f);
	nfail = 0;
	failure_lines(fp, &builds, 1, f, &nfail, &name);
	failure_lines(fp, &tests, 0, f, &nfail, &name);
	if (nfail == 0)
		fputs("\nno failures\n", fp);
out:
	buf_release(&name);
	site_reslist_release(&builds);
	site_reslist_release(&tests);
	store_checkout_release(&c);
	return rc;
}

int
cli_results_print(const struct config *cfg, struct db *db, long long id,
    FILE *fp)
{
	struct filter none;

	(void)cfg;
	memset(&none, 0, sizeof(none));
	return print_summary(db, id, &none, fp);
}

static const char results_usage[] =
	"usage: maestrino results [options] [CHECKOUT | --tree TREE "
	"[--branch BRANCH]]\n"
	"\n"
	"Summarise a checkout: its builds, boots and tests by status, then\n"
	"each failure (FAIL, ERROR, MISS) with its log.  Without CHECKOUT,\n"
	"the latest head checkout of the branch; with no tree either, of the\n"
	"only branch there is.\n"
	"\n"
	"  --tree TREE       the latest head checkout of TREE\n"
	"  --branch BRANCH   of this branch of TREE\n"
	"  --status S        only results with status S (PASS, FAIL, ...,\n"
	"                    RUNNING for those without one yet)\n"
	"  --arch A          only results of arch A\n"
	"  --platform P      only tests and boots on platform P\n"
	"  --path TEXT       only tests and boots whose path contains TEXT\n"
	"  --json            print the site's JSON twin of the checkout\n"
	"                    (api/c/ID.json), its builds and tests filtered\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 (failing tests too), 1 no such checkout, tree or\n"
	"branch, 2 usage, config or database error.\n";

/* The checkout `results` is about when none is named: 0, 1, 2. */
static int
latest_of(struct db *db, const char *tree, const char *branch,
    long long *id)
{
	struct query_branches l;
	struct buf names = BUF_INIT;
	size_t i;
	int rc;

	if (query_branches(db, tree, branch, &l) != 0)
		return EXIT_FATAL;
	rc = EXIT_OK;
	if (l.n == 1) {
		*id = l.v[0].latest;
	} else if (tree != NULL && !query_tree_known(db, tree)) {
		error("no tree '%s' in the database", tree);
		rc = EXIT_ITEMS;
	} else if (l.n == 0 && tree != NULL) {
		if (branch != NULL)
			error("no head checkout of %s/%s", tree, branch);
		else
			error("no head checkout of tree '%s'", tree);
		rc = EXIT_ITEMS;
	} else {
		for (i = 0; i < l.n && i < 10; i++)
			buf_addf(&names, "%s%s/%s", i ? ", " : "", l.v[i].tree,
			    l.v[i].branch);
		if (l.n > 10)
			buf_puts(&names, ", ...");
		if (l.n == 0) {
			/* nothing to show is "not found", not a misuse */
			error("results: no head checkout yet; name a "
			    "checkout");
			rc = EXIT_ITEMS;
		} else if (tree != NULL)
			error("results: tree '%s' has %zu branches (%s); "
			    "name one with --branch", tree, l.n, names.ptr);
		else
			error("results: %zu branches (%s); name a checkout "
			    "or --tree and --branch", l.n, names.ptr);
		if (l.n > 0)
			rc = EXIT_FATAL;
	}
	buf_release(&names);
	query_branches_release(&l);
	return rc;
}

static int
results_json(const struct config *cfg, struct db *db, long long id,
    const struct filter *f)
{
	json_t *doc;
	int rc;

	rc = site_checkout_doc(cfg, db, id, &doc);
	if (rc != 0)
		return rc;
	if (filter_set(f)) {
		filter_json(doc, "builds", 1, f);
		filter_json(doc, "tests", 0, f);
	}
	rc = query_print_json(stdout, doc, SITE_JSON);
	json_decref(doc);
	return rc;
}

int
cli_results(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "branch", required_argument, NULL, 'b' },
		{ "status", required_argument, NULL, 's' },
		{ "arch", required_argument, NULL, 'a' },
		{ "platform", required_argument, NULL, 'p' },
		{ "path", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct filter f;
	struct stage st;
	const char *tree, *branch;
	long long id;
	int c, json, rc;

	memset(&f, 0, sizeof(f));
	tree = branch = NULL;
	json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		switch (c) {
		case 't': tree = optarg; break;
		case 'b': branch = optarg; break;
		case 's': f.status = optarg; break;
		case 'a': f.arch = optarg; break;
		case 'p': f.platform = optarg; break;
		case 'P': f.path = optarg; break;
		case 'j': json = 1; break;
		default:
			if ((rc = stage_option(c, optarg, &confdir,
			    results_usage)) != 0)
				return rc == STAGE_OPT_HELP ? EXIT_OK :
				    EXIT_FATAL;
		}
	}
	id = 0;
	if (optind < argc) {
		if (tree != NULL || branch != NULL) {
			error("results: name a checkout or --tree, not both");
			return EXIT_FATAL;
		}
		if (optind + 1 < argc) {
			error("results takes one checkout ('%s' is one too "
			    "many)", argv[optind + 1]);
			return EXIT_FATAL;
		}
		if (query_parse_id("checkout", argv[optind], &id) != 0)
			return EXIT_FATAL;
	} else if (branch != NULL && tree == NULL) {
		error("results: --branch '%s' needs --tree", branch);
		return EXIT_FATAL;
	}
	rc = query_open(&st, "results", confdir);
	if (rc != 0)
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	if (id == 0 && (rc = latest_of(st.db, tree, branch, &id)) != 0) {
		stage_close(&st);
		return rc;
	}
	if (json)
		rc = results_json(st.cfg, st.db, id, &f);
	else
		rc = print_summary(st.db, id, &f, stdout);
	stage_close(&st);
	if (rc == 1)
		error("no checkout %lld", id);
	if (rc == 0 && fflush(stdout) != 0)
		rc = error("cannot write the results: %s", strerror(errno));
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_ITEMS : EXIT_FATAL;
}

/* One side of a comparison. */
struct side {
	struct checkout_row	c;
	struct site_reslist	builds, tests;
	int			loaded;
};

static void
side_release(struct side *s)
{
	if (s->loaded)
		store_checkout_release(&s->c);
	site_reslist_release(&s->builds);
	site_reslist_release(&s->tests);
	memset(s, 0, sizeof(*s));
}

/* 0, 1 when there is no checkout id, -1. */
static int
side_load(struct db *db, long long id, struct side *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = store_site_checkout(db, id, &s->c);
	if (rc != 0)
		return rc;
	s->loaded = 1;
	if (store_site_builds(db, id, &s->builds) != 0 ||
	    store_site_tests(db, id, &s->tests) != 0)
		return -1;
	return 0;
}

/*
 * The changes from a to b as the site finds them from one checkout of
 * a branch to the next: a regression is unstable when b's result flips
 * in its history on b's branch up to b.
 */
static int
changes(struct db *db, const struct side *a, const struct side *b,
    struct site_changelist *cl)
{
	struct site_histlist h;
	struct site_change *ch;
	size_t i;

	site_diff(&b->builds, &a->builds, 1, cl);
	site_diff(&b->tests, &a->tests, 0, cl);
	for (i = 0; i < cl->n; i++) {
		ch = &cl->v[i];
		if (ch->kind != CHANGE_REGRESSION || ch->now == NULL)
			continue;
		if (store_site_history(db, b->c.tree, b->c.branch, ch->now,
		    strcmp(ch->what, "build") == 0, b->c.id, FLAKY_RUNS,
		    &h) != 0)
			return -1;
		site_change_flip(ch, &h);
		site_histlist_release(&h);
	}
	site_changes_sort(cl);
	return 0;
}

/* "new failure" as a JSON key: "new_failure". */
static char *
kind_key(enum site_change_kind k)
{
	char *s, *p;

	s = xstrdup(site_change_name(k));
	for (p = s; *p; p++)
		if (*p == ' ')
			*p = '_';
	return s;
}

static json_t *
change_json(const struct site_change *ch)
{
	const struct site_res *r = ch->now ? ch->now : ch->before;
	int build = strcmp(ch->what, "build") == 0;
	json_t *o;

	o = json_object();
	json_object_set_new(o, "kind", json_string(ch->what));
	json_object_set_new(o, "path", build ? json_null() :
	    site_jstr(r->path));
	json_object_set_new(o, "config", site_jstr(r->config));
	json_object_set_new(o, "arch", site_jstr(r->arch));
	if (build)
		json_object_set_new(o, "compiler", site_jstr(r->compiler));
	json_object_set_new(o, "platform", build ? json_null() :
	    site_jstr(r->platform));
	json_object_set_new(o, "from", site_jstr(ch->before ?
	    ch->before->status : NULL));
	json_object_set_new(o, "to", site_jstr(ch->now ? ch->now->status :
	    NULL));
	json_object_set_new(o, "from_id", ch->before ?
	    json_integer(ch->before->id) : json_null());
	json_object_set_new(o, "to_id", ch->now ? json_integer(ch->now->id) :
	    json_null());
	if (site_change_is_regression(ch->kind))
		json_object_set_new(o, "flip_rate", json_real(ch->flip));
	return o;
}

static int
compare_json(const struct side *a, const struct side *b,
    const struct site_changelist *cl)
{
	json_t *doc, *jc, *arr;
	char *key;
	size_t i;
	int k, rc;

	doc = json_object();
	json_object_set_new(doc, "from", json_integer(a->c.id));
	json_object_set_new(doc, "to", json_integer(b->c.id));
	jc = json_object();
	for (k = 0; k < CHANGE_KINDS; k++) {
		key = kind_key(k);
		arr = json_array();
		for (i = 0; i < cl->n; i++)
			if ((int)cl->v[i].kind == k)
				json_array_append_new(arr,
				    change_json(&cl->v[i]));
		json_object_set_new(jc, key, arr);
		free(key);
	}
	json_object_set_new(doc, "changes", jc);
	rc = query_print_json(stdout, doc, CLI_JSON);
	json_decref(doc);
	return rc;
}

static void
side_text(FILE *fp, const struct side *s)
{
	fprintf(fp, "checkout %lld (", s->c.id);
	query_put(fp, s->c.tree);
	fputc('/', fp);
	query_put(fp, s->c.branch);
	fputc(' ', fp);
	query_put(fp, s->c.describe);
	fputc(')', fp);
}

static void
compare_text(FILE *fp, const struct side *a, const struct side *b,
    const struct site_changelist *cl)
{
	struct buf name = BUF_INIT;
	const struct site_change *ch;
	const struct site_res *r;
	size_t i, n;
	int k;

	fputs("from ", fp);
	side_text(fp, a);
	fputs("\nto   ", fp);
	side_text(fp, b);
	fputc('\n', fp);
	for (k = 0; k < CHANGE_KINDS; k++) {
		for (n = 0, i = 0; i < cl->n; i++)
			n += (int)cl->v[i].kind == k;
		fprintf(fp, "\n%s: %zu\n", site_change_name(k), n);
		for (i = 0; i < cl->n; i++) {
			ch = &cl->v[i];
			if ((int)ch->kind != k)
				continue;
			r = ch->now ? ch->now : ch->before;
			fprintf(fp, "  %-5s ", ch->what);
			query_put(fp, site_res_name(r, ch->what, &name));
			fprintf(fp, "  %s -> %s", ch->before == NULL ? "-" :
			    ch->before->status ? ch->before->status :
			    "RUNNING", ch->now == NULL ? "-" :
			    ch->now->status ? ch->now->status : "RUNNING");
			if (ch->kind == CHANGE_UNSTABLE)
				fprintf(fp, "  (flip rate %.2f)", ch->flip);
			fputc('\n', fp);
		}
	}
	buf_release(&name);
}

static const char compare_usage[] =
	"usage: maestrino compare [options] A B\n"
	"\n"
	"What changed from checkout A to checkout B, with the change kinds\n"
	"of the site's checkout pages: regression, unstable, new failure,\n"
	"fixed, still failing, new pass, appeared, disappeared.  A\n"
	"regression is unstable when its result flips in B's branch.\n"
	"\n"
	"  --json            print {\"from\": A, \"to\": B, \"changes\": {...}}\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 (regressions too), 1 no such checkout, 2 usage,\n"
	"config or database error.\n";

int
cli_compare(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct site_changelist cl;
	struct side a, b;
	struct stage st;
	long long ida, idb;
	int c, json, rc;

	json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if ((rc = stage_option(c, optarg, &confdir,
		    compare_usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (argc - optind != 2) {
		error("compare takes two checkouts, A and B (see maestrino "
		    "compare -h)");
		return EXIT_FATAL;
	}
	if (query_parse_id("checkout", argv[optind], &ida) != 0 ||
	    query_parse_id("checkout", argv[optind + 1], &idb) != 0)
		return EXIT_FATAL;
	rc = query_open(&st, "compare", confdir);
	if (rc != 0)
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	memset(&cl, 0, sizeof(cl));
	memset(&b, 0, sizeof(b));
	rc = side_load(st.db, ida, &a);
	if (rc == 1)
		error("no checkout %lld", ida);
	if (rc == 0) {
		rc = side_load(st.db, idb, &b);
		if (rc == 1)
			error("no checkout %lld", idb);
	}
	if (rc == 0)
		rc = changes(st.db, &a, &b, &cl);
	if (rc == 0) {
		if (json)
			rc = compare_json(&a, &b, &cl);
		else
			compare_text(stdout, &a, &b, &cl);
	}
	if (rc == 0 && fflush(stdout) != 0)
		rc = error("cannot write the comparison: %s",
		    strerror(errno));
	free(cl.v);
	side_release(&a);
	side_release(&b);
	stage_close(&st);
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_ITEMS : EXIT_FATAL;
}
