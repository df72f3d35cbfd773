/*
 * cli_issues.c: `maestrino issues` lists the known issues of the config
 * and the log signatures found, each with its incidents (the results
 * that show it), first and last seen, and a flag on one that has not
 * been seen for settings.issues.stale_days: maybe fixed.  `issues ID`
 * shows one with its incidents.
 */
#include <getopt.h>

#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "query.h"
#include "site_page.h"
#include "stage.h"
#include "store_issue.h"
#include "util.h"

#define ISSUES_JSON	(JSON_INDENT(2) | JSON_PRESERVE_ORDER)
/* Incidents an issue shows at most; the site has them all. */
#define SHOW_INCIDENTS	50

/* Seen once, and not for stale_days: perhaps the code was fixed. */
static int
maybe_fixed(const struct config *cfg, const struct issue_row *x, time_t now)
{
	return x->incidents > 0 && x->last_seen > 0 &&
	    now - x->last_seen > (long long)cfg->issue_stale_days * 86400;
}

static json_t *
issue_json(const struct config *cfg, const struct issue_row *x, time_t now)
{
	json_t *o;

	o = json_object();
	json_object_set_new(o, "id", json_string(x->id));
	json_object_set_new(o, "kind", json_string(x->kind));
	json_object_set_new(o, "title", site_jstr(x->title));
	json_object_set_new(o, "report_url", site_jstr(x->report_url));
	json_object_set_new(o, "culprit", site_jstr(x->culprit));
	json_object_set_new(o, "finding", site_jstr(x->finding_kind));
	json_object_set_new(o, "version", json_integer(x->version));
	json_object_set_new(o, "active", json_boolean(x->active));
	json_object_set_new(o, "incidents", json_integer(x->incidents));
	json_object_set_new(o, "checkouts", json_integer(x->checkouts));
	json_object_set_new(o, "platforms", json_integer(x->platforms));
	json_object_set_new(o, "trees", json_integer(x->trees));
	json_object_set_new(o, "first_seen", site_jtime(x->first_seen));
	json_object_set_new(o, "last_seen", site_jtime(x->last_seen));
	json_object_set_new(o, "maybe_fixed",
	    json_boolean(maybe_fixed(cfg, x, now)));
	return o;
}

static json_t *
incident_json(const struct incident_row *r)
{
	json_t *o;

	o = json_object();
	json_object_set_new(o, "kind", json_string(r->kind));
	json_object_set_new(o, "id", json_integer(r->ref));
	json_object_set_new(o, "checkout", json_integer(r->checkout_id));
	json_object_set_new(o, "tree", site_jstr(r->tree));
	json_object_set_new(o, "branch", site_jstr(r->branch));
	json_object_set_new(o, "describe", site_jstr(r->describe));
	json_object_set_new(o, "build", site_jstr(r->build));
	json_object_set_new(o, "arch", site_jstr(r->arch));
	json_object_set_new(o, "platform", site_jstr(r->platform));
	json_object_set_new(o, "path", site_jstr(r->path));
	json_object_set_new(o, "status", site_jstr(r->status));
	json_object_set_new(o, "seen", site_jtime(r->seen));
	json_object_set_new(o, "present", json_boolean(r->present));
	json_object_set_new(o, "issue_version", json_integer(r->version));
	return o;
}

/* "2026-11-30" of a time, or "-". */
static const char *
day(long long t, char *s, size_t n)
{
	if (t <= 0)
		return "-";
	time_rfc3339((time_t)t, s, n);
	s[10] = '\0';
	return s;
}

static void
list_line(FILE *fp, const struct config *cfg, const struct issue_row *x,
    time_t now)
{
	char first[32], last[32];

	fprintf(fp, "%-24s %-13s %9lld  %-10s  %-10s  ", x->id,
	    strcmp(x->kind, "known") == 0 ? "known" : x->finding_kind,
	    x->incidents, day(x->first_seen, first, sizeof(first)),
	    day(x->last_seen, last, sizeof(last)));
	query_put(fp, x->title);
	if (!x->active)
		fputs(" (no longer in the config)", fp);
	else if (maybe_fixed(cfg, x, now))
		fprintf(fp, " (maybe fixed: not seen for %d days)",
		    cfg->issue_stale_days);
	fputc('\n', fp);
}

static void
field(FILE *fp, const char *name, const char *v)
{
	fprintf(fp, "%-12s ", name);
	query_put(fp, v != NULL ? v : "-");
	fputc('\n', fp);
}

static void
show(FILE *fp, const struct config *cfg, const struct issue_row *x,
    const struct incident_row *inc, size_t n, time_t now)
{
	char first[32], last[32];
	size_t i;

	fprintf(fp, "issue %s (%s, version %lld)%s\n", x->id, x->kind,
	    x->version, x->active ? "" : ": no longer in the config");
	field(fp, "title", x->title);
	field(fp, "report", x->report_url);
	field(fp, "culprit", x->culprit);
	if (x->signature != NULL) {
		field(fp, "finding", x->finding_kind);
		field(fp, "signature", x->signature);
	}
	fprintf(fp, "%-12s %lld in %lld checkout%s, %lld platform%s, %lld "
	    "tree%s\n", "incidents", x->incidents, x->checkouts,
	    x->checkouts == 1 ? "" : "s", x->platforms,
	    x->platforms == 1 ? "" : "s", x->trees, x->trees == 1 ? "" : "s");
	fprintf(fp, "%-12s %s\n%-12s %s%s\n", "first seen",
	    day(x->first_seen, first, sizeof(first)), "last seen",
	    day(x->last_seen, last, sizeof(last)), maybe_fixed(cfg, x, now) ?
	    " (maybe fixed)" : "");
	if (n == 0)
		return;
	fprintf(fp, "incidents:\n  %-5s %8s  %-8s  %-24s  %-28s %s\n", "kind",
	    "id", "checkout", "tree/branch", "what", "status");
	for (i = 0; i < n; i++) {
		struct buf tb = BUF_INIT, w = BUF_INIT;

		buf_addf(&tb, "%s/%s", inc[i].tree, inc[i].branch);
		buf_puts(&w, inc[i].build);
		if (inc[i].path != NULL)
			buf_addf(&w, " %s on %s", inc[i].path,
			    inc[i].platform ? inc[i].platform : "-");
		fprintf(fp, "  %-5s %8lld  %8lld  ", inc[i].kind, inc[i].ref,
		    inc[i].checkout_id);
		query_put(fp, tb.ptr);
		fprintf(fp, "%*s", tb.len < 24 ? (int)(24 - tb.len) + 2 : 2,
		    "");
		query_put(fp, w.ptr);
		fprintf(fp, "%*s", w.len < 28 ? (int)(28 - w.len) + 1 : 1, "");
		fprintf(fp, "%s%s\n", inc[i].status ? inc[i].status : "-",
		    inc[i].present ? "" : " (no longer matched)");
		buf_release(&tb);
		buf_release(&w);
	}
	if ((long long)n < x->incidents)
		fprintf(fp, "  ... and %lld more\n", x->incidents -
		    (long long)n);
}

static int
print_one(const struct stage *st, const char *id, int json, time_t now)
{
	struct incident_row *inc;
	struct issue_row x;
	json_t *o, *arr;
	size_t n, i;
	int rc;

	rc = store_issue_get(st->db, id, &x);
	if (rc == 1)
		error("no issue '%s' (see maestrino issues)", id);
	if (rc != 0)
		return rc;
	if (store_incidents(st->db, id, json ? 0 : SHOW_INCIDENTS, &inc,
	    &n) != 0) {
		store_issue_release(&x);
		return -1;
	}
	if (json) {
		o = issue_json(st->cfg, &x, now);
		json_object_set_new(o, "signature", site_jstr(x.signature));
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, incident_json(&inc[i]));
		json_object_set_new(o, "incident_list", arr);
		rc = query_print_json(stdout, o, ISSUES_JSON);
		json_decref(o);
	} else {
		show(stdout, st->cfg, &x, inc, n, now);
	}
	store_incidents_free(inc, n);
	store_issue_release(&x);
	return rc;
}

static int
print_list(const struct stage *st, int all, int json, time_t now)
{
	struct issue_row *v;
	json_t *doc, *arr;
	size_t n, i;
	int rc;

	if (store_issues(st->db, all, &v, &n) != 0)
		return -1;
	rc = 0;
	if (json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, issue_json(st->cfg, &v[i],
			    now));
		doc = json_pack("{s:o}", "issues", arr);
		rc = query_print_json(stdout, doc, ISSUES_JSON);
		json_decref(doc);
	} else if (n == 0) {
		info("no issues: no known issue in the config, no failure "
		    "signature in the logs");
	} else {
		printf("%-24s %-13s %9s  %-10s  %-10s  %s\n", "issue", "kind",
		    "incidents", "first", "last", "title");
		for (i = 0; i < n; i++)
			list_line(stdout, st->cfg, &v[i], now);
	}
	store_issues_free(v, n);
	return rc;
}

static const char issues_usage[] =
	"usage: maestrino issues [options] [ID]\n"
	"\n"
	"List the issues, last seen first: the known issues of the config\n"
	"(kind 'known') and the failure signatures found in logs (kind the\n"
	"finding's: panic, oops, warning, error, ...), with how many results\n"
	"show each, when it was first and last seen, and '(maybe fixed)'\n"
	"once it has not been seen for settings.issues.stale_days.  With ID,\n"
	"show one and the results that show it.\n"
	"\n"
	"  --all             also the signatures no result shows any more and\n"
	"                    the known issues the config dropped\n"
	"  --json            print {\"issues\": [...]}, or the one issue with\n"
	"                    its \"incident_list\"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0, 1 no such issue, 2 usage, config or database "
	"error.\n";

int
cli_issues(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	time_t now;
	int c, json, all, rc;

	json = all = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "aj" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'a')
			all = 1;
		else if ((rc = stage_option(c, optarg, &confdir,
		    issues_usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (argc - optind > 1) {
		error("issues takes at most one issue id (see maestrino "
		    "issues -h)");
		return EXIT_FATAL;
	}
	rc = query_open(&st, "issues", confdir);
	if (rc != 0)
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	now = time(NULL);
	if (optind < argc)
		rc = print_one(&st, argv[optind], json, now);
	else
		rc = print_list(&st, all, json, now);
	stage_close(&st);
	if (rc == 0 && fflush(stdout) != 0)
		rc = error("cannot write the issues: %s", strerror(errno));
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_ITEMS : EXIT_FATAL;
}
