/*
 * maestrino: the front door.  `maestrino run` runs every stage in order,
 * `maestrino <stage>` runs one, `maestrino status` shows what is pending.
 */
#include <sys/wait.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>

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
	"  run [--wait] [--budget MINUTES]\n"
	"                     run every stage in order: poll, tarball, jobs,\n"
	"                     submit, collect, then jobs, submit and collect\n"
	"                     again for the tests of new builds, kcidb, site;\n"
	"                     --wait waits for the jobs of this machine;\n"
	"                     --budget starts no new work after MINUTES (default:\n"
	"                     settings.budget), but still collects, reports\n"
	"                     and renders\n"
	"  status [--json]    show what is pending at each stage\n"
	"  config KEY         print one setting with defaults applied:\n"
	"                     data_dir, origin, budget, storage.path,\n"
	"                     storage.url, kcidb.output or site.path\n"
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

/* A signal asked `maestrino run` to stop; the running stage gets it too. */
static volatile sig_atomic_t stop_signal;
static volatile pid_t stage_pid;

static void
on_stop(int sig)
{
	stop_signal = sig;
	if (stage_pid > 0)
		kill(stage_pid, sig);
}

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
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execv(path, argv);
		fprintf(stderr, "maestrino: cannot run '%s': %s\n", path,
		    strerror(errno));
		_exit(EXIT_FATAL);
	}
	stage_pid = pid;
	/* a signal that came just before the stage started */
	if (stop_signal)
		kill(pid, stop_signal);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			error("cannot wait for '%s': %s", path,
			    strerror(errno));
			stage_pid = 0;
			free(path);
			return EXIT_FATAL;
		}
	}
	stage_pid = 0;
	free(path);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (!stop_signal || WTERMSIG(status) != stop_signal)
		error("stage %s killed by signal %d", stage, WTERMSIG(status));
	return EXIT_FATAL;
}

/* What is left of the jobs (status.h), from the database as it is now. */
static void
count_left(const struct stage *st, struct jobs_left *l)
{
	struct db *db;
	char *path;

	memset(l, 0, sizeof(*l));
	path = config_data_path(st->cfg, "state.db");
	db = fs_exists(path) ? db_open(path, 1) : NULL;
	free(path);
	if (db == NULL)
		return;
	status_jobs_left(st->cfg, db, l);
	db_close(db);
}

/* Without a budget, --wait waits for a retry due within this long. */
#define RETRY_WAIT_MAX	3600

/*
 * Sleep until a local job's retry is due, if it comes within the budget
 * (an hour without one); 0 after sleeping, -1 when it will not be waited
 * for or a signal came.
 */
static int
wait_for_retry(long long at)
{
	const char *v;
	long deadline;
	time_t now;

	now = time(NULL);
	v = getenv("MAESTRINO_DEADLINE");
	if (v != NULL && parse_long(v, 1, LONG_MAX, &deadline) == 0) {
		if (at >= deadline)
			return -1;
	} else if (at > (long long)now + RETRY_WAIT_MAX) {
		return -1;
	}
	info("waiting %llds for a retry of this machine's jobs",
	    at - (long long)now);
	while (!stop_signal && time(NULL) < (time_t)at)
		sleep(1);
	return stop_signal ? -1 : 0;
}

/* Stages that start new work, skipped once the budget is spent. */
static int
starts_work(const char *stage)
{
	return strcmp(stage, "poll") == 0 || strcmp(stage, "tarball") == 0 ||
	    strcmp(stage, "jobs") == 0 || strcmp(stage, "submit") == 0;
}

struct tally {
	int		 worst;
	unsigned	 ran, skipped, failed;
	struct buf	 failures;	/* "tarball exit 1, kcidb exit 2" */
};

static void
tally_stage(struct tally *t, const char *stage, int rc)
{
	t->ran++;
	if (rc > t->worst)
		t->worst = rc;
	if (rc == EXIT_OK)
		return;
	t->failed++;
	if (t->failures.len > 0)
		buf_puts(&t->failures, ", ");
	buf_addf(&t->failures, "%s exit %d", stage, rc);
}

/*
 * Run one stage of `maestrino run` unless the budget says otherwise, and
 * count it.  Returns its exit code, 0 when skipped.
 */
static int
run_one(struct tally *t, struct buf *skipped, const char *stage,
    const struct stage *st, int wait_jobs)
{
	char hook[32], *path, *extra[2];
	int rc;

	path = stage_path(stage);
	rc = access(path, X_OK);
	free(path);
	if (rc != 0 || stop_signal)
		return EXIT_OK;
	/* a test hook at every stage boundary: "run-jobs:2" */
	snprintf(hook, sizeof(hook), "run-%s", stage);
	crashpoint(hook);
	extra[0] = NULL;
	extra[1] = NULL;
	/* out of budget: report what is known, start nothing new */
	if (budget_spent() && starts_work(stage)) {
		if (t->skipped == 0)
			info("budget spent: starting no new work");
		if (strstr(skipped->ptr, stage) == NULL)
			buf_addf(skipped, "%s%s", skipped->len ? ", " : "",
			    stage);
		t->skipped++;
		return EXIT_OK;
	}
	if (wait_jobs && strcmp(stage, "collect") == 0 && !budget_spent())
		extra[0] = (char *)"--wait";
	rc = run_stage(stage, st->cfg->dir, extra);
	tally_stage(t, stage, rc);
	return rc;
}

/* "HH:MM:SS" of t, UTC, in a static buffer. */
static const char *
clock_utc(time_t t)
{
	static char out[16];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, sizeof(out), "%H:%M:%S", &tm) == 0)
		return "?";
	return out;
}

/* Parse --budget MINUTES: a number of minutes above 0, at most a week. */
static int
parse_budget(const char *arg, double *minutes)
{
	char *end;
	double min;

	errno = 0;
	min = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(min > 0) ||
	    min > 7 * 24 * 60)
		return error("--budget wants minutes, a number above 0 and at "
		    "most 10080 ('%s')", arg);
	*minutes = min;
	return 0;
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
	struct stage st;
	struct tally t;
	struct jobs_left left;
	struct buf skipped = BUF_INIT;
	struct sigaction sa;
	char buf[32];
	const char *stage;
	time_t deadline, t0;
	double start, budget;
	size_t i;
	int c, rc, wait_jobs, flags;

	t0 = time(NULL);
	wait_jobs = 0;
	budget = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "wb:" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'w')
			wait_jobs = 1;
		else if (c == 'b') {
			if (parse_budget(optarg, &budget) != 0)
				return EXIT_FATAL;
		} else if (stage_option(c, optarg, &confdir, usage) != 0)
			return EXIT_FATAL;
	}
	if (optind < argc) {
		error("run takes no arguments ('%s')", argv[optind]);
		return EXIT_FATAL;
	}
	start = now_monotonic();
	if (stage_open_config(&st, "run", confdir) != 0)
		return EXIT_FATAL;
	if (stage_check_writable(st.cfg->data_dir) != 0) {
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
	snprintf(buf, sizeof(buf), "%ld", (long)getpid());
	setenv("MAESTRINO_RUN_PID", buf, 1);
	/* the budget counts from the start, lock wait included */
	if (budget == 0)
		budget = st.cfg->budget;
	if (budget > 0) {
		deadline = t0 + (time_t)(budget * 60 + 0.5);
		snprintf(buf, sizeof(buf), "%lld", (long long)deadline);
		setenv("MAESTRINO_DEADLINE", buf, 1);
		info("budget: %g min; no new work after %s UTC", budget,
		    clock_utc(deadline));
	} else {
		unsetenv("MAESTRINO_DEADLINE");
	}

	/* a stop is passed on to the stage, which is waited for */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	memset(&t, 0, sizeof(t));
	buf_init(&t.failures, 0);
	for (i = 0; i < ARRAY_SIZE(run_order) && !stop_signal; i++) {
		stage = run_order[i];
		/*
		 * With --wait, before reporting: the jobs that waited for a
		 * slot and the tests of the builds that just passed run now
		 * too, until nothing more can start.
		 */
		if (wait_jobs && strcmp(stage, "kcidb") == 0 &&
		    t.worst < EXIT_FATAL) {
			long long before;

			before = -1;
			while (!stop_signal) {
				run_one(&t, &skipped, "jobs", &st, 0);
				count_left(&st, &left);
				if (left.runnable == 0 && left.next_retry > 0 &&
				    !budget_spent() &&
				    wait_for_retry(left.next_retry) == 0) {
					/* a retry came due: take it */
					before = -1;
					continue;
				}
				if (left.runnable == 0 ||
				    left.runnable == before || budget_spent())
					break;
				before = left.runnable;
				run_one(&t, &skipped, "submit", &st, 0);
				run_one(&t, &skipped, "collect", &st, 1);
			}
		}
		rc = run_one(&t, &skipped, stage, &st, wait_jobs);
		if (rc == EXIT_FATAL && strcmp(stage, "poll") == 0)
			break;
	}
	count_left(&st, &left);
	/* --wait promised this machine's jobs: not done is not all done */
	if (wait_jobs && left.local > 0 && t.worst < EXIT_ITEMS)
		t.worst = EXIT_ITEMS;
	if (stop_signal && t.worst < EXIT_FATAL)
		t.worst = EXIT_FATAL;
	time_human(now_monotonic() - start, buf, sizeof(buf));
	fprintf(stderr, "maestrino: run %s in %s: %u stages, %s%s%s%s; "
	    "jobs left: %lld pending, %lld to retry, %lld running%s; "
	    "exit %d\n", stop_signal ? "stopped by a signal" : "finished",
	    buf, t.ran, t.failed ? "failed: " : "none failed",
	    t.failed ? t.failures.ptr : "", t.skipped ? "; skipped for the "
	    "budget: " : "", t.skipped ? skipped.ptr : "",
	    left.pending - left.retrying, left.retrying, left.running,
	    wait_jobs && left.local > 0 ? " (this machine's not all done)" :
	    "", t.worst);
	buf_release(&t.failures);
	buf_release(&skipped);
	stage_close(&st);
	if (stop_signal) {
		/* die of it, as the one who sent it expects */
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return t.worst;
}

/*
 * `maestrino config KEY`: one setting as the stages see it, defaults
 * applied, for scripts such as scripts/cron.sh.
 */
static const char config_keys[] = "data_dir, origin, budget, storage.path, "
    "storage.url, kcidb.output, site.path";

static int
cmd_config(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	const char *key, *v;
	char num[32];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1)
		if (stage_option(c, optarg, &confdir, usage) != 0)
			return EXIT_FATAL;
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
	if (strcmp(cmd, "config") == 0)
		return cmd_config(argc - i, argv + i, confdir);
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
