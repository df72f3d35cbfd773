/*
 * maestrino-collect: turn finished jobs into build and test rows.
 */
#include <getopt.h>

#include "log.h"
#include "collect.h"
#include "stage.h"
#include "triage.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-collect [options]\n"
	"\n"
	"Look at every submitted job: record the results of finished ones\n"
	"as build and test rows, retry incomplete ones with backoff (up to\n"
	"settings.retries), mark dead workers incomplete (worker_lost) and\n"
	"kill jobs past their timeout.  Then triage: read the logs of new\n"
	"results for failure signatures and match failures against the\n"
	"known issues of the config (a changed rule is applied again to\n"
	"every result recorded).\n"
	"\n"
	"      --wait        keep collecting until no job on this machine is\n"
	"                    running\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some jobs ended incomplete, 2 usage,\n"
	"config or database error.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct collect_stats cs;
	struct triage_stats ts;
	struct stage st;
	const char *confdir;
	int c, rc, wait_jobs;

	log_init("maestrino-collect");
	confdir = NULL;
	wait_jobs = 0;
	while ((c = getopt_long(argc, argv, "w" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'w')
			wait_jobs = 1;
		else if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	rc = stage_open(&st, "collect", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	memset(&cs, 0, sizeof(cs));
	rc = collect_stage(st.cfg, st.db, wait_jobs, &cs);
	/* what was collected is kept even when the triage fails */
	if (triage_run(st.cfg, st.db, &ts) != 0)
		rc = -1;
	if (cs.upload_pending)
		stage_summary(&st, "%zu finished, %zu running, %zu retried, "
		    "%zu failed, %zu waiting for uploads", cs.finished,
		    cs.running, cs.retried, cs.failed, cs.upload_pending);
	else
		stage_summary(&st, "%zu finished, %zu running, %zu retried, "
		    "%zu failed", cs.finished, cs.running, cs.retried,
		    cs.failed);
	stage_close(&st);
	if (rc != 0)
		return EXIT_FATAL;
	return cs.failed || cs.upload_pending ? EXIT_ITEMS : EXIT_OK;
}
