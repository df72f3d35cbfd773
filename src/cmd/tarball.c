/*
 * maestrino-tarball: make a reproducible source tarball for every
 * checkout that has none.
 */
#include <getopt.h>

#include "config.h"
#include "log.h"
#include "stage.h"
#include "tarball.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-tarball [options]\n"
	"\n"
	"Make the source tarball of every checkout that has none yet, read\n"
	"straight from the tree's mirror: <storage>/tarballs/\n"
	"linux-<tree>-<branch>-<describe>.tar.gz (or .xz, .zst).  Failed\n"
	"checkouts are tried again with backoff; a tarball whose file went\n"
	"missing or changed is made again while its builds may still need it.\n"
	"\n"
	"      --verify      re-hash every finished tarball, and make again\n"
	"                    any that went missing, whatever its builds\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some checkouts failed, 2 usage, config\n"
	"or database error.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verify", no_argument, NULL, 'V' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct tarball_stats ts;
	struct stage st;
	const char *confdir;
	int c, rc, verify;

	log_init("maestrino-tarball");
	confdir = NULL;
	verify = 0;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'V')
			verify = 1;
		else if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	rc = stage_open(&st, "tarball", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	memset(&ts, 0, sizeof(ts));
	rc = tarball_stage(st.cfg, st.db, verify, &ts);
	if (ts.deferred)
		stage_summary(&st, "%zu made, %zu kept, %zu failed, %zu left "
		    "for the next run (budget spent)%s", ts.made, ts.kept,
		    ts.failed, ts.deferred, ts.uploaded ? ", uploaded" : "");
	else
		stage_summary(&st, "%zu made, %zu kept, %zu failed%s",
		    ts.made, ts.kept, ts.failed, ts.uploaded ? ", uploaded" :
		    "");
	stage_close(&st);
	if (rc != 0)
		return EXIT_FATAL;
	return ts.failed ? EXIT_ITEMS : EXIT_OK;
}
