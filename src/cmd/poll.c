/*
 * maestrino-poll: list the heads of every configured tree, update the
 * bare mirrors and record new checkouts.
 */
#include <getopt.h>

#include "config.h"
#include "log.h"
#include "poll.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-poll [options] [TREE...]\n"
	"\n"
	"Poll the configured git trees (all, or the TREEs named): list the\n"
	"remote heads, fetch into the mirror under <data_dir>/git/ when a\n"
	"configured branch head or a tag moved, and record each new head as\n"
	"a checkout.\n"
	"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all trees polled, 1 some trees failed, 2 usage,\n"
	"config or database error.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct poll_stats ps;
	struct stage st;
	const char *confdir;
	size_t i;
	int c, rc, j;

	log_init("maestrino-poll");
	confdir = NULL;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1)
		if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	rc = stage_open(&st, "poll", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	for (j = optind; j < argc; j++) {
		if (config_tree(st.cfg, argv[j]) == NULL) {
			error("no tree named '%s' in '%s'", argv[j],
			    st.cfg->dir);
			stage_close(&st);
			return EXIT_FATAL;
		}
	}
	memset(&ps, 0, sizeof(ps));
	rc = 0;
	for (i = 0; i < st.cfg->ntrees && rc == 0; i++) {
		const struct tree_cfg *t = &st.cfg->trees[i];

		if (optind < argc) {
			for (j = optind; j < argc; j++)
				if (strcmp(argv[j], t->name) == 0)
					break;
			if (j == argc)
				continue;
		}
		rc = poll_tree(st.cfg, st.db, t, &ps);
	}
	stage_summary(&st, "%zu trees, %zu new checkouts, %zu failed",
	    ps.trees, ps.new_checkouts, ps.failed);
	stage_close(&st);
	if (rc != 0)
		return EXIT_FATAL;
	return ps.failed ? EXIT_ITEMS : EXIT_OK;
}
