/*
 * maestrino-bisect: start bisections for new regressions and move every
 * active one on by the steps that have finished.
 */
#include <getopt.h>

#include "bisect.h"
#include "log.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-bisect [options]\n"
	"\n"
	"Look at the branch heads of the trees in settings.bisect.trees whose\n"
	"results are in for new regressions (PASS then FAIL, not unstable)\n"
	"and start a bisection for each build config and platform that\n"
	"regressed; at most settings.bisect.max_active run at once.  Move\n"
	"every active bisection on: confirm the good and bad commits, test\n"
	"the commit git bisect would pick next, then verify the culprit and\n"
	"test it reverted on top of bad.  Each step is a checkout that the\n"
	"next run's stages build and test.\n"
	"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some bisection could not be moved on (it\n"
	"is tried again next run), 2 usage, config or database error.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct bisect_stats bs;
	struct stage st;
	const char *confdir;
	int c, rc;

	log_init("maestrino-bisect");
	confdir = NULL;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1)
		if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	rc = stage_open(&st, "bisect", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	memset(&bs, 0, sizeof(bs));
	rc = bisect_stage(st.cfg, st.db, &bs);
	stage_summary(&st, "%ld started, %ld queued, %ld steps made, %ld "
	    "finished, %ld failed", bs.started, bs.queued, bs.steps,
	    bs.finished, bs.failed);
	stage_close(&st);
	if (rc < 0)
		return EXIT_FATAL;
	return rc > 0 ? EXIT_ITEMS : EXIT_OK;
}
