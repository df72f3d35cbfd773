/*
 * maestrino: the front door.  `maestrino run` runs every stage in order,
 * `maestrino <stage>` runs one, `maestrino status` shows what is pending.
 */
#include <sys/wait.h>
#include <fcntl.h>
#include <getopt.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "stage.h"
#include "status.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino [options] <command> [args]\n"
	"\n"
	"Commands:\n"
	"  run [--wait]       run every stage in order: poll, tarball, jobs,\n"
	"                     submit, collect, kcidb, site\n"
	"  status [--json]    show what is pending at each stage\n"
	"  <stage> [args]     run one stage: poll, tarball, jobs, submit,\n"
	"                     collect, kcidb or site (see maestrino <stage> -h)\n"
	"  help               show this help\n"
	"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all done, 1 some items failed (the rest committed),\n"
	"2 usage, config or database error.\n";

static const char *const stages[] = {
	"poll", "tarball", "jobs", "submit", "collect", "kcidb", "site"
};

/* The order of `maestrino run`: tests follow builds that just passed. */
static const char *const run_order[] = {
	"poll", "tarball", "jobs", "submit", "collect",
	"jobs", "submit", "collect", "kcidb", "site"
};

static char *bindir;

static void
find_bindir(const char *argv0)
{
	char *self, *slash;

	self = realpath("/proc/self/exe", NULL);
	if (self == NULL)
		self = realpath(argv0, NULL);
	if (self == NULL)
		self = xstrdup(argv0);
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	else {
		free(self);
		self = xstrdup(".");
	}
	bindir = self;
}

static char *
stage_path(const char *stage)
{
	return xasprintf("%s/maestrino-%s", bindir, stage);
}

static int
is_stage(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stages); i++)
		if (strcmp(stages[i], name) == 0)
			return 1;
	return 0;
}

static const char *
verbosity_flag(void)
{
	switch (log_level()) {
	case 0:
		return "-q";
	case 2:
		return "-v";
	default:
		return NULL;
	}
}

/* Run one stage executable and return its exit code (2 if it died). */
static int
run_stage(const char *stage, const char *confdir, char *const *extra)
{
	char *argv[16], *path;
	size_t n, i;
	pid_t pid;
	int status;

	path = stage_path(stage);
	n = 0;
	argv[n++] = path;
	argv[n++] = (char *)"-c";
	argv[n++] = (char *)confdir;
	if (verbosity_flag() != NULL)
		argv[n++] = (char *)verbosity_flag();
	for (i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		error("cannot start '%s': %s", path, strerror(errno));
		free(path);
		return EXIT_FATAL;
	}
	if (pid == 0) {
		execv(path, argv);
		fprintf(stderr, "maestrino: cannot run '%s': %s\n", path,
		    strerror(errno));
		_exit(EXIT_FATAL);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			error("cannot wait for '%s': %s", path,
			    strerror(errno));
			free(path);
			return EXIT_FATAL;
		}
	}
	free(path);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	error("stage %s killed by signal %d", stage, WTERMSIG(status));
	return EXIT_FATAL;
}

/* Local jobs that could start now. */
static long long
runnable_local(const struct stage *st)
{
	struct db *db;
	char *path;
	long long n;
	size_t i;

	path = config_data_path(st->cfg, "state.db");
	db = db_open(path, 1);
	free(path);
	if (db == NULL)
		return 0;
	n = 0;
	for (i = 0; i < st->cfg->nlabs; i++) {
		if (st->cfg->labs[i].type != LAB_LOCAL)
			continue;
		n += db_int_text(db, "SELECT COUNT(*) FROM job WHERE "
		    "runtime = ?1 AND state IN ('pending', 'failed-submit') "
		    "AND coalesce(next_try, 0) <= strftime('%s', 'now')",
		    st->cfg->labs[i].name, 0);
	}
	db_close(db);
	return n;
}

static int
cmd_run(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	char buf[32], *path, *extra[2];
	double start;
	size_t i;
	int c, rc, worst, wait_jobs, flags;

	wait_jobs = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'w')
			wait_jobs = 1;
		else if (stage_option(c, optarg, &confdir, usage) != 0)
			return EXIT_FATAL;
	}
	if (optind < argc) {
		error("run takes no arguments ('%s')", argv[optind]);
		return EXIT_FATAL;
	}
	if (stage_open_config(&st, "run", confdir) != 0)
		return EXIT_FATAL;
	if (fs_mkdir_p(st.cfg->data_dir) != 0) {
		stage_close(&st);
		return EXIT_FATAL;
	}
	rc = fs_lock(st.cfg->data_dir, NULL);
	if (rc != 0) {
		if (rc > 0)
			info("another run holds the lock on '%s'; nothing "
			    "to do", st.cfg->data_dir);
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	/* the stages inherit the lock instead of waiting for it */
	flags = fcntl(fs_lock_fd(), F_GETFD);
	fcntl(fs_lock_fd(), F_SETFD, flags & ~FD_CLOEXEC);
	snprintf(buf, sizeof(buf), "%d", fs_lock_fd());
	setenv("MAESTRINO_LOCK_FD", buf, 1);

	start = now_monotonic();
	worst = 0;
	for (i = 0; i < ARRAY_SIZE(run_order); i++) {
		path = stage_path(run_order[i]);
		rc = access(path, X_OK);
		free(path);
		if (rc != 0)
			continue;
		extra[0] = NULL;
		extra[1] = NULL;
		if (wait_jobs && strcmp(run_order[i], "collect") == 0)
			extra[0] = (char *)"--wait";
		rc = run_stage(run_order[i], st.cfg->dir, extra);
		if (rc > worst)
			worst = rc;
		if (rc == EXIT_FATAL && strcmp(run_order[i], "poll") == 0)
			break;
	}
	/*
	 * With --wait, local jobs that waited for a slot (the tests of the
	 * builds that just passed, a second build) run now too, until
	 * nothing more can start.
	 */
	if (wait_jobs && worst < EXIT_FATAL) {
		long long left, before;

		before = -1;
		while ((left = runnable_local(&st)) > 0 && left != before) {
			before = left;
			extra[0] = NULL;
			rc = run_stage("submit", st.cfg->dir, extra);
			worst = rc > worst ? rc : worst;
			extra[0] = (char *)"--wait";
			rc = run_stage("collect", st.cfg->dir, extra);
			worst = rc > worst ? rc : worst;
			extra[0] = NULL;
			rc = run_stage("jobs", st.cfg->dir, extra);
			worst = rc > worst ? rc : worst;
		}
	}
	time_human(now_monotonic() - start, buf, sizeof(buf));
	fprintf(stderr, "maestrino: run finished in %s, exit %d\n", buf, worst);
	stage_close(&st);
	return worst;
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
	struct db *db;
	char *path;
	int c, json, rc;

	json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "j" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (stage_option(c, optarg, &confdir, usage) != 0)
			return EXIT_FATAL;
	}
	if (stage_open_config(&st, "status", confdir) != 0)
		return EXIT_FATAL;
	path = config_data_path(st.cfg, "state.db");
	db = NULL;
	if (fs_exists(path)) {
		db = db_open(path, 1);
		if (db == NULL) {
			free(path);
			stage_close(&st);
			return EXIT_FATAL;
		}
	}
	free(path);
	rc = status_print(st.cfg, db, json, stdout);
	db_close(db);
	stage_close(&st);
	return rc == 0 ? EXIT_OK : EXIT_FATAL;
}

int
main(int argc, char **argv)
{
	const char *confdir, *cmd;
	char *path;
	int i;

	log_init("maestrino");
	find_bindir(argv[0]);
	confdir = STAGE_DEFAULT_CONFIG;
	/* options before the command: -c DIR, -q, -v, -h */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			if (++i == argc) {
				fputs(usage, stderr);
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
			fputs(usage, stdout);
			return EXIT_OK;
		} else {
			error("unknown option '%s'", argv[i]);
			fputs(usage, stderr);
			return EXIT_FATAL;
		}
	}
	if (i == argc) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	cmd = argv[i];
	if (strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - i, argv + i, confdir);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc - i, argv + i, confdir);
	if (!is_stage(cmd)) {
		error("unknown command '%s' (see maestrino --help)", cmd);
		return EXIT_FATAL;
	}
	path = stage_path(cmd);
	if (access(path, X_OK) != 0) {
		error("stage '%s' is not built: %s", cmd, path);
		free(path);
		return EXIT_FATAL;
	}
	{
		char **av = xcalloc((size_t)(argc - i) + 4, sizeof(*av));
		int n = 0, j;

		av[n++] = path;
		av[n++] = (char *)"-c";
		av[n++] = (char *)confdir;
		if (verbosity_flag() != NULL)
			av[n++] = (char *)verbosity_flag();
		for (j = i + 1; j < argc; j++)
			av[n++] = argv[j];
		av[n] = NULL;
		execv(path, av);
		error("cannot run '%s': %s", path, strerror(errno));
		free(av);
	}
	free(path);
	return EXIT_FATAL;
}
