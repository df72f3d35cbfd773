/*
 * maestrino-report: mail summaries of new branch heads, bisection
 * reports and the weekly digest, and send what is waiting.
 */
#include <getopt.h>

#include "log.h"
#include "report.h"
#include "stage.h"
#include "status.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-report [options]\n"
	"\n"
	"Report what the pipeline learnt, by email (settings.email) to the\n"
	"report_to addresses of each tree: a summary of each new branch head\n"
	"once it has finished, when it brings new regressions or fixes (of\n"
	"every head with settings.email.always); a report of each bisection\n"
	"that found its culprit, also to the culprit's author and the people\n"
	"of its trailers with settings.email.report_to_authors; and on the\n"
	"day settings.email.digest names, a weekly digest of the regressions\n"
	"still open.  Each message is recorded before it is sent, and a\n"
	"message the server could not take is sent again by a later run.\n"
	"Without settings.email.smtp_url, messages are written as .eml files\n"
	"in <data_dir>/reports/ instead.\n"
	"\n"
	"  -n, --dry-run     print the reports that would be recorded and\n"
	"                    name those that would be sent; change nothing\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 done, 1 a report could not be made or sent (it is\n"
	"tried again, or it was refused for good and the message says why),\n"
	"2 usage, config or database error.\n";

/* A dry run reads the database as `status` does: no lock, no change. */
static int
open_dry(struct stage *st, const char *confdir)
{
	if (stage_open_config(st, "report", confdir) != 0)
		return -1;
	return status_open_db(st->cfg, &st->db);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct report_stats rs;
	struct stage st;
	const char *confdir;
	int c, rc, dry;

	log_init("maestrino-report");
	confdir = NULL;
	dry = 0;
	while ((c = getopt_long(argc, argv, "n" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'n')
			dry = 1;
		else if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	rc = dry ? open_dry(&st, confdir) : stage_open(&st, "report", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	memset(&rs, 0, sizeof(rs));
	if (st.db == NULL) {
		/* a dry run before the first run: nothing to look at */
		stage_summary(&st, "no state database yet: nothing to report");
		stage_close(&st);
		return EXIT_OK;
	}
	rc = report_stage(st.cfg, st.db, dry, &rs);
	/* what a dry run printed comes before the summary line */
	if (fflush(stdout) != 0 && rc == 0)
		rc = error("cannot write to stdout: %s", strerror(errno));
	stage_summary(&st, "%s%ld checkouts looked at, %ld summaries, %ld "
	    "bisection reports, %ld digests; %ld sent, %ld written, %ld to "
	    "retry, %ld failed", dry ? "dry run: " : "", rs.checkouts,
	    rs.summaries, rs.bisections, rs.digests, rs.sent, rs.written,
	    rs.retry, rs.failed);
	stage_close(&st);
	if (rc < 0)
		return EXIT_FATAL;
	return rc > 0 ? EXIT_ITEMS : EXIT_OK;
}
