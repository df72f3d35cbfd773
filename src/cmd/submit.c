/*
 * maestrino-submit: hand pending jobs to their runtime.
 */
#include <getopt.h>

#include "log.h"
#include "submit.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-submit [options]\n"
	"\n"
	"Hand every pending job to its lab: start a detached worker for the\n"
	"local runtime (at most labs.<name>.jobs at a time), POST to a LAVA\n"
	"server, or write into a pull lab's directory.  A job is marked\n"
	"'submitting' before and 'submitted' after, so a killed run never\n"
	"submits it twice.\n"
	"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some submissions failed (they are\n"
	"retried with backoff), 2 usage, config or database error.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct submit_stats ss;
	struct stage st;
	const char *confdir;
	int c, rc;

	log_init("maestrino-submit");
	confdir = NULL;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1)
		if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	rc = stage_open(&st, "submit", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	memset(&ss, 0, sizeof(ss));
	rc = submit_stage(st.cfg, st.db, &ss);
	if (ss.cancelled > 0)
		stage_summary(&st, "%zu submitted, %zu waiting for a slot, "
		    "%zu adopted, %zu failed, %zu cancelled", ss.submitted,
		    ss.waiting, ss.adopted, ss.failed, ss.cancelled);
	else
		stage_summary(&st, "%zu submitted, %zu waiting for a slot, "
		    "%zu adopted, %zu failed", ss.submitted, ss.waiting,
		    ss.adopted, ss.failed);
	stage_close(&st);
	if (rc != 0)
		return EXIT_FATAL;
	return ss.failed ? EXIT_ITEMS : EXIT_OK;
}
