/*
 * maestrino-kcidb: export new and changed results as KCIDB v5.3 JSON,
 * and submit them when kcidb.url is set.
 */
#include <getopt.h>

#include "kcidb.h"
#include "log.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-kcidb [options]\n"
	"\n"
	"Write every checkout, build and test that is new or changed since the\n"
	"last export, and the culprit of every bisection as an issue with its\n"
	"incidents, as KCIDB v5.3 documents, <kcidb.output>/<UTC time>-<seq>\n"
	"json, each checked against the schema's rules first.  With kcidb.url\n"
	"set, POST each file with the token of kcidb.token_env and follow its\n"
	"submission until it is processed; files not accepted go again next\n"
	"run.\n"
	"\n"
	"      --all         export everything again\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some submissions are to be retried, 2\n"
	"usage, config or database error, or a document that would break the\n"
	"schema (nothing is written then).\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct kcidb_stats ks;
	struct stage st;
	const char *confdir;
	int c, rc, all;

	log_init("maestrino-kcidb");
	confdir = NULL;
	all = 0;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'a')
			all = 1;
		else if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	rc = stage_open(&st, "kcidb", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	memset(&ks, 0, sizeof(ks));
	rc = kcidb_stage(st.cfg, st.db, all, &ks);
	stage_summary(&st, "%zu checkouts, %zu builds, %zu tests, %zu issues, "
	    "%zu incidents in %zu files%s%.0zu%s; %zu submitted, %zu "
	    "processed, %zu to retry", ks.checkouts, ks.builds, ks.tests,
	    ks.issues, ks.incidents, ks.files,
	    ks.skipped ? " (" : "", ks.skipped, ks.skipped ? " left out)" : "",
	    ks.submitted, ks.processed, ks.failed);
	stage_close(&st);
	if (rc != 0)
		return EXIT_FATAL;
	return ks.failed || ks.skipped ? EXIT_ITEMS : EXIT_OK;
}
