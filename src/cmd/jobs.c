/*
 * maestrino-jobs: make the job definitions of new checkouts and of
 * builds that passed.
 */
#include <getopt.h>

#include "jobs.h"
#include "log.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-jobs [options]\n"
	"\n"
	"Make one kbuild job for each checkout with a tarball and each\n"
	"matching 'builds' entry, and one test job for each passed build and\n"
	"each matching 'tests' entry and platform.  Definitions go to\n"
	"<data_dir>/jobs/<job-id>.yaml; job ids are stable, so running it\n"
	"again never makes a job twice.\n"
	"\n"
	"      --checkout N  make the jobs of checkout N again (after a\n"
	"                    config change); existing jobs are kept\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some jobs could not be made, 2 usage,\n"
	"config or database error.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "checkout", required_argument, NULL, 'C' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct jobs_stats js;
	struct stage st;
	const char *confdir;
	long only;
	int c, rc;

	log_init("maestrino-jobs");
	confdir = NULL;
	only = 0;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'C') {
			if (parse_long(optarg, 1, LONG_MAX, &only) != 0) {
				error("--checkout takes a checkout id, not "
				    "'%s'", optarg);
				return EXIT_FATAL;
			}
		} else if ((rc = stage_option(c, optarg, &confdir,
		    usage)) != 0) {
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
		}
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	rc = stage_open(&st, "jobs", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	memset(&js, 0, sizeof(js));
	rc = jobs_stage(st.cfg, st.db, only, &js);
	stage_summary(&st, "%zu checkouts, %zu build jobs, %zu test jobs, "
	    "%zu failed", js.checkouts, js.builds, js.tests, js.failed);
	stage_close(&st);
	if (rc != 0)
		return EXIT_FATAL;
	return js.failed ? EXIT_ITEMS : EXIT_OK;
}
