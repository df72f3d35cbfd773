/*
 * bisect_start.c: `maestrino bisect start TREE GOOD BAD --build NAME
 * [--test NAME --platform NAME [--path PATH]]`: a bisection by hand,
 * for a developer, through the same machinery as those the bisect stage
 * starts: the next runs confirm, bisect and verify it.
 */
#include <getopt.h>
#include <jansson.h>

#include <git2.h>

#include "bisect.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "query.h"
#include "repo.h"
#include "stage.h"
#include "store_bisect.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino bisect start [options] TREE GOOD BAD --build NAME\n"
	"           [--test NAME --platform NAME [--path PATH]]\n"
	"           [--branch NAME] [--repeat N] [--json]\n"
	"\n"
	"Record a bisection of TREE between GOOD and BAD (branches, tags or\n"
	"commit ids of the tree's mirror) for the builds: entry NAME and,\n"
	"for a test regression, the tests: entry on one platform.  The next\n"
	"runs confirm that GOOD passes and BAD fails, test the commits git\n"
	"bisect picks, and verify the culprit; `maestrino bisect ID` shows\n"
	"where it is.\n"
	"\n"
	"  --build NAME      the builds: entry to build at each step\n"
	"  --test NAME       the tests: entry to run (with --platform)\n"
	"  --platform NAME   the platform it runs on\n"
	"  --path PATH       the test result that regressed (default: any\n"
	"                    failing result of the test)\n"
	"  --branch NAME     the branch it is recorded under (default: none)\n"
	"  --repeat N        run each step's test N times, one failure is\n"
	"                    bad (default: settings.bisect.repeat)\n"
	"  --json            print {\"bisection\": ID}\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 recorded, 1 the tree, a commit or a name is not\n"
	"there, 2 usage, config or database error.\n";

struct start_args {
	const char	*tree, *good, *bad;
	const char	*build, *test, *platform, *path, *branch;
	int		 repeat;
	int		 json;
};

/* Whether the names make a bisection the stages can run: 0, or 1. */
static int
check_names(const struct config *cfg, const struct start_args *a)
{
	const struct build_cfg *b;
	const struct test_cfg *t;
	const struct platform_cfg *p;

	if (config_tree(cfg, a->tree) == NULL)
		return error("bisect start: no tree '%s' in 'trees'", a->tree),
		    1;
	b = config_build(cfg, a->build);
	if (b == NULL)
		return error("bisect start: no build '%s' in 'builds'",
		    a->build), 1;
	if (a->test == NULL)
		return 0;
	t = config_test(cfg, a->test);
	if (t == NULL)
		return error("bisect start: no test '%s' in 'tests'", a->test),
		    1;
	p = config_platform(cfg, a->platform);
	if (p == NULL)
		return error("bisect start: no platform '%s' in 'platforms'",
		    a->platform), 1;
	if (!str_in_list(t->platforms, p->name))
		return error("bisect start: test '%s' does not run on "
		    "platform '%s'", t->name, p->name), 1;
	if (t->builds != NULL && !str_in_list(t->builds, b->name))
		return error("bisect start: test '%s' does not run on build "
		    "'%s'", t->name, b->name), 1;
	if (strcmp(p->arch, b->arch) != 0)
		return error("bisect start: build '%s' is %s and platform "
		    "'%s' is %s", b->name, b->arch, p->name, p->arch), 1;
	return 0;
}

/* Whether commit a is an ancestor of commit d. */
static int
is_ancestor(struct git_repository *repo, const char *a, const char *d)
{
	git_oid ao, dob;
	int r;

	if (git_oid_fromstr(&ao, a) != 0 || git_oid_fromstr(&dob, d) != 0)
		return 0;
	r = git_graph_descendant_of(repo, &dob, &ao);
	git_error_clear();
	return r == 1;
}

/* GOOD and BAD as full ids in the tree's mirror: 0, 1 or -1. */
static int
resolve(const struct config *cfg, const struct start_args *a, char good[41],
    char bad[41])
{
	struct git_repository *repo;
	struct buf err = BUF_INIT;
	char *sub, *path;
	const char *name;
	int r, i;

	sub = xasprintf("git/%s.git", a->tree);
	path = config_data_path(cfg, sub);
	free(sub);
	if (!fs_is_dir(path)) {
		error("bisect start: tree '%s' has no mirror yet (%s): "
		    "run `maestrino poll` first", a->tree, path);
		free(path);
		return 1;
	}
	repo = repo_open(path, &err);
	free(path);
	if (repo == NULL) {
		buf_release(&err);
		return -1;
	}
	r = 0;
	for (i = 0; i < 2 && r == 0; i++) {
		name = i == 0 ? a->good : a->bad;
		/* a mirror's HEAD is no one's checkout; a tag named so is
		 * whoever pushed it */
		if (strcmp(name, "HEAD") == 0) {
			error("bisect start: '%s' is not a commit of tree "
			    "'%s': name its branch (as master) or a commit",
			    name, a->tree);
			r = 1;
			break;
		}
		r = repo_resolve(repo, name, i == 0 ? good : bad, &err);
		if (r == REPO_REF_NONE) {
			error("bisect start: tree '%s' has no branch, tag or "
			    "commit '%s'", a->tree, name);
			r = 1;
		} else if (r < 0)
			r = 1;
		else
			r = 0;
	}
	if (r == 0 && strcmp(good, bad) == 0) {
		error("bisect start: '%s' and '%s' are the same commit %s",
		    a->good, a->bad, good);
		r = 1;
	}
	if (r == 0 && !is_ancestor(repo, good, bad)) {
		error("bisect start: good %s is not an ancestor of bad %s in "
		    "tree '%s'", a->good, a->bad, a->tree);
		r = 1;
	}
	repo_close(repo);
	buf_release(&err);
	return r;
}

int
bisect_start_main(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "build", required_argument, NULL, 'B' },
		{ "test", required_argument, NULL, 'T' },
		{ "platform", required_argument, NULL, 'P' },
		{ "path", required_argument, NULL, 'X' },
		{ "branch", required_argument, NULL, 'R' },
		{ "repeat", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct start_args a;
	struct bisection_row b;
	struct stage st;
	char good[41], bad[41], *end;
	long v;
	int c, rc;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		switch (c) {
		case 'B': a.build = optarg; break;
		case 'T': a.test = optarg; break;
		case 'P': a.platform = optarg; break;
		case 'X': a.path = optarg; break;
		case 'R': a.branch = optarg; break;
		case 'j': a.json = 1; break;
		case 'N':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 100) {
				error("bisect start: --repeat '%s' is not a "
				    "number from 1 to 100", optarg);
				return EXIT_FATAL;
			}
			a.repeat = (int)v;
			break;
		default:
			if ((rc = stage_option(c, optarg, &confdir,
			    usage)) != 0)
				return rc == STAGE_OPT_HELP ? EXIT_OK :
				    EXIT_FATAL;
		}
	}
	if (argc - optind != 3 || a.build == NULL ||
	    (a.test == NULL) != (a.platform == NULL) ||
	    (a.path != NULL && a.test == NULL)) {
		error("bisect start takes a tree, a good and a bad commit, "
		    "--build, and --test with --platform or neither");
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	a.tree = argv[optind];
	a.good = argv[optind + 1];
	a.bad = argv[optind + 2];
	rc = stage_open(&st, "bisect", confdir);
	if (rc != 0) {
		stage_close(&st);
		if (rc > 0)
			error("bisect start: another run holds the data "
			    "directory; nothing recorded, try again when it "
			    "ends");
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	}
	rc = check_names(st.cfg, &a);
	if (rc == 0)
		rc = resolve(st.cfg, &a, good, bad);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	}
	memset(&b, 0, sizeof(b));
	b.tree = (char *)a.tree;
	b.branch = (char *)(a.branch != NULL ? a.branch : "");
	b.build = (char *)a.build;
	b.test = (char *)(a.test != NULL ? a.test : "");
	b.platform = (char *)(a.platform != NULL ? a.platform : "");
	b.path = (char *)(a.path != NULL ? a.path : "");
	b.good = good;
	b.bad = bad;
	b.state = (char *)BISECT_QUEUED;
	b.repeat = a.repeat > 0 ? a.repeat : st.cfg->bisect_repeat;
	b.manual = 1;
	rc = db_end(st.db, db_begin(st.db) != 0 ? -1 :
	    store_bisect_add(st.db, &b));
	if (rc == 0) {
		if (a.json) {
			json_t *o = json_pack("{sI}", "bisection",
			    (json_int_t)b.id);

			query_print_json(stdout, o, 0);
			json_decref(o);
		} else {
			printf("bisection %lld: ", b.id);
			query_put(stdout, a.tree);
			printf(" %.12s..%.12s %s%s%s%s%s, queued; the next "
			    "`maestrino run` starts it\n", good, bad, a.build,
			    a.test ? " " : "", a.test ? a.test : "",
			    a.platform ? " on " : "",
			    a.platform ? a.platform : "");
		}
	}
	stage_close(&st);
	return rc == 0 ? EXIT_OK : EXIT_FATAL;
}
