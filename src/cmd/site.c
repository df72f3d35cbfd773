/*
 * maestrino-site: render the database as a static site.
 */
#include <getopt.h>

#include "log.h"
#include "proc.h"
#include "site.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-site [options]\n"
	"\n"
	"Render the state database as a static site under site.path, ready\n"
	"for GitHub Pages or any web server: every tree and branch, checkout,\n"
	"build, test history and platform, open regressions, Atom feeds and\n"
	"SVG badges, each page with a JSON twin under api/.  Only pages that\n"
	"depend on what changed are rendered; a page whose bytes did not\n"
	"change is not rewritten.\n"
	"\n"
	"      --all         render every page\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 done, 2 usage, config or database error.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct site_stats ss;
	struct stage st;
	const char *confdir;
	char *dir, *assets;
	int c, rc, all;

	log_init("maestrino-site");
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
	rc = stage_open(&st, "site", confdir);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	dir = proc_data_dir();
	assets = xasprintf("%s/site", dir);
	free(dir);
	memset(&ss, 0, sizeof(ss));
	rc = site_render(st.cfg, st.db, assets, all, &ss);
	stage_summary(&st, "%zu checkouts rendered, %zu pages, %zu written",
	    ss.checkouts, ss.pages, ss.written);
	free(assets);
	stage_close(&st);
	return rc != 0 ? EXIT_FATAL : EXIT_OK;
}
