/*
 * cli_checkout.c: `maestrino checkout TREE REF [--patch FILE]...
 * [--build NAME]... [--test NAME]... [--json]` records a checkout on
 * demand; the next run takes it through every stage.
 */
#include <getopt.h>
#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "ondemand.h"
#include "query.h"
#include "stage.h"
#include "store_checkout.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino checkout [options] TREE REF [--patch FILE]...\n"
	"           [--build NAME]... [--test NAME]... [--json]\n"
	"\n"
	"Record a checkout of REF (a branch, a tag, or a full or abbreviated\n"
	"commit id of TREE, fetched when the mirror lacks it), with the\n"
	"patches applied on top in order; the next `maestrino run` builds\n"
	"and tests it.  Prints its id.\n"
	"\n"
	"  --patch FILE      apply FILE (an mbox or git format-patch file,\n"
	"                    of one or more mails); repeatable\n"
	"  --build NAME      build only the builds: entry NAME; repeatable\n"
	"  --test NAME       run only the tests: entry NAME; repeatable\n"
	"  --json            print {\"checkout\": ID}\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 recorded, 1 the tree, REF, a patch or a name was\n"
	"not found or does not apply (nothing recorded), 2 usage, config,\n"
	"database or storage error.\n";

/* Append s to the NULL-terminated list *v of *n. */
static void
push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = (char *)s;
	(*v)[*n] = NULL;
}

/* "checkout 12: mainline v6.1-3-gabc + 2 patches, queued" */
static int
print_text(struct db *db, long long id)
{
	struct checkout_row c;
	json_error_t je;
	json_t *p, *e;
	size_t i, n;

	if (store_checkout_get(db, id, &c) != 0)
		return -1;
	/* what came from the tree is printed as every command prints it */
	printf("checkout %lld: ", id);
	query_put(stdout, c.tree);
	putchar(' ');
	query_put(stdout, c.describe);
	if (c.branch != NULL && c.branch[0] != '\0') {
		fputs(" (", stdout);
		query_put(stdout, c.branch);
		putchar(')');
	}
	n = 0;
	p = c.patches != NULL ? json_loads(c.patches, 0, &je) : NULL;
	json_array_foreach(p, i, e)
		n += json_array_size(json_object_get(e, "subjects"));
	json_decref(p);
	if (n > 0)
		printf(" + %zu patch%s", n, n == 1 ? "" : "es");
	fputs(", queued\n", stdout);
	store_checkout_release(&c);
	return 0;
}

int
cli_checkout(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "patch", required_argument, NULL, 'P' },
		{ "build", required_argument, NULL, 'B' },
		{ "test", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct ondemand_req req;
	struct stage st;
	char **patches, **builds, **tests;
	long long id;
	int c, rc, json;

	memset(&req, 0, sizeof(req));
	patches = builds = tests = NULL;
	json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'P')
			push(&patches, &req.npatches, optarg);
		else if (c == 'B')
			push(&builds, &req.nbuilds, optarg);
		else if (c == 'T')
			push(&tests, &req.ntests, optarg);
		else if (c == 'j')
			json = 1;
		else if ((rc = stage_option(c, optarg, &confdir,
		    usage)) != 0) {
			rc = rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
			goto out;
		}
	}
	if (argc - optind != 2) {
		error("checkout takes a tree and a ref");
		fputs(usage, stderr);
		rc = EXIT_FATAL;
		goto out;
	}
	req.kind = "ondemand";
	req.tree = argv[optind];
	req.ref = argv[optind + 1];
	req.patches = patches;
	req.builds = builds;
	req.tests = tests;
	rc = stage_open(&st, "checkout", confdir);
	if (rc != 0) {
		stage_close(&st);
		if (rc > 0)
			error("checkout: another run holds the data directory; "
			    "nothing recorded, try again when it ends");
		rc = rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
		goto out;
	}
	rc = ondemand_record(st.cfg, st.db, &req, &id);
	if (rc == 0) {
		if (json) {
			json_t *o = json_pack("{sI}", "checkout",
			    (json_int_t)id);

			json_dumpf(o, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(o);
		} else if (print_text(st.db, id) != 0)
			rc = -1;
	}
	stage_close(&st);
	if (rc == 0 && fflush(stdout) != 0)
		rc = -1;
	rc = rc == 0 ? EXIT_OK : rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
out:
	free(patches);
	free(builds);
	free(tests);
	return rc;
}
