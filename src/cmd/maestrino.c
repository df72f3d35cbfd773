/*
 * maestrino: the front door.  `maestrino run` runs every stage in order,
 * `maestrino <stage>` runs one, `maestrino status` shows what is pending.
 */
#include <getopt.h>
#include <signal.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "run.h"
#include "stage.h"
#include "status.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino [options] <command> [args]\n"
	"\n"
	"Commands:\n"
	"  run [--wait] [--budget MINUTES]\n"
	"                     run every stage in order: poll, tarball, jobs,\n"
	"                     submit, collect, then jobs, submit and collect\n"
	"                     again for the tests of new builds, bisect,\n"
	"                     kcidb, site, report;\n"
	"                     --wait waits for the jobs of this machine;\n"
	"                     --budget starts no new work after MINUTES (default:\n"
	"                     settings.budget), but still collects, reports\n"
	"                     and renders\n"
	"  status [--json]    show what is pending at each stage\n"
	"  config KEY         print one setting with defaults applied:\n"
	"                     data_dir, origin, budget, storage.path,\n"
	"                     storage.url, kcidb.output, site.path or\n"
	"                     labs.<name>.path\n"
	"  <stage> [args]     run one stage: poll, tarball, jobs, submit,\n"
	"                     collect, kcidb, site or report (see\n"
	"                     maestrino <stage> -h)\n"
	"  help               show this help\n";

static const char usage_tail[] =
	"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some items failed (the rest committed)\n"
	"or something asked for failed or was not found, 2 usage, config or\n"
	"database error.\n";

/* The whole help: the stages' commands, then those of the table. */
static void
print_usage(FILE *fp)
{
	const struct cli_cmd *c;

	fputs(usage, fp);
	fputs("\nCommands for people and scripts (maestrino COMMAND -h):\n",
	    fp);
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(fp, "  %-18s %s\n", c->name, c->summary);
	fputs(usage_tail, fp);
}

static int
cmd_run(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "budget", required_argument, NULL, 'b' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct run_opts o;
	int c, rc, sig;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "wb:" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'w')
			o.wait = 1;
		else if (c == 'b') {
			if (run_parse_budget(optarg, &o.budget) != 0)
				return EXIT_FATAL;
		} else if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (optind < argc) {
		error("run takes no arguments ('%s')", argv[optind]);
		return EXIT_FATAL;
	}
	o.confdir = confdir;
	rc = run_pipeline(&o, &sig);
	if (sig != 0) {
		/* die of it, as the one who sent it expects */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return rc;
}

/*
 * `maestrino config KEY`: one setting as the stages see it, defaults
 * applied, for scripts such as scripts/cron.sh.
 */
static const char config_keys[] = "data_dir, origin, budget, storage.path, "
    "storage.url, kcidb.output, site.path, labs.<name>.path";

static int
cmd_config(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	const struct lab_cfg *lab;
	struct stage st;
	const char *key, *v;
	char num[32], *name;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1)
		if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	if (optind + 1 != argc) {
		error("config takes one key: %s", config_keys);
		return EXIT_FATAL;
	}
	key = argv[optind];
	if (stage_open_config(&st, "config", confdir) != 0)
		return EXIT_FATAL;
	snprintf(num, sizeof(num), "%d", st.cfg->budget);
	v = strcmp(key, "data_dir") == 0 ? st.cfg->data_dir :
	    strcmp(key, "origin") == 0 ? st.cfg->origin :
	    strcmp(key, "budget") == 0 ? num :
	    strcmp(key, "storage.path") == 0 ? st.cfg->storage_path :
	    strcmp(key, "storage.url") == 0 ? st.cfg->storage_url :
	    strcmp(key, "kcidb.output") == 0 ? st.cfg->kcidb_output :
	    strcmp(key, "site.path") == 0 ? st.cfg->site_path : NULL;
	if (v == NULL && str_starts(key, "labs.") && str_ends(key, ".path") &&
	    strlen(key) > strlen("labs..path")) {
		name = xstrndup(key + strlen("labs."), strlen(key) -
		    strlen("labs..path"));
		lab = config_lab(st.cfg, name);
		v = lab != NULL ? lab->path : NULL;
		if (v == NULL)
			error("config: '%s': no lab '%s' with a path", key,
			    name);
		free(name);
		if (v == NULL) {
			stage_close(&st);
			return EXIT_FATAL;
		}
	}
	if (v == NULL) {
		error("config: unknown key '%s' (%s)", key, config_keys);
		stage_close(&st);
		return EXIT_FATAL;
	}
	printf("%s\n", v);
	stage_close(&st);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FATAL;
}

static int
cmd_status(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	int c, json, rc;

	json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "j" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if ((rc = stage_option(c, optarg, &confdir, usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (stage_open_config(&st, "status", confdir) != 0)
		return EXIT_FATAL;
	rc = status_show(st.cfg, json, stdout);
	stage_close(&st);
	return rc == 0 ? EXIT_OK : EXIT_FATAL;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *c;
	const char *confdir, *cmd;
	int i;

	log_init("maestrino");
	confdir = STAGE_DEFAULT_CONFIG;
	/* options before the command: -c DIR, -q, -v, -h */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			if (++i == argc) {
				print_usage(stderr);
				return EXIT_FATAL;
			}
			confdir = argv[i];
		} else if (str_starts(argv[i], "--config=")) {
			confdir = argv[i] + strlen("--config=");
		} else if (strcmp(argv[i], "-q") == 0 ||
		    strcmp(argv[i], "--quiet") == 0) {
			log_set_level(0);
		} else if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0) {
			log_set_level(2);
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			print_usage(stdout);
			return EXIT_OK;
		} else {
			error("unknown option '%s'", argv[i]);
			print_usage(stderr);
			return EXIT_FATAL;
		}
	}
	if (i == argc) {
		print_usage(stderr);
		return EXIT_FATAL;
	}
	cmd = argv[i];
	if (strcmp(cmd, "help") == 0) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - i, argv + i, confdir);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc - i, argv + i, confdir);
	if (strcmp(cmd, "config") == 0)
		return cmd_config(argc - i, argv + i, confdir);
	if ((c = cli_find(cmd)) != NULL)
		return c->fn(argc - i, argv + i, confdir);
	if (!run_is_stage(cmd)) {
		error("unknown command '%s' (see maestrino --help)", cmd);
		return EXIT_FATAL;
	}
	run_exec_stage(cmd, confdir, argv + i + 1);
	return EXIT_FATAL;
}
