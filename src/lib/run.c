/*
 * run.c: `maestrino run`: poll, tarball, jobs, submit, collect, then
 * jobs, submit and collect again for the tests of new builds, bisect,
 * kcidb, site and report, each stage a child process; and one stage on
 * its own.
 */
#include <fcntl.h>
#include <signal.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "proc.h"
#include "run.h"
#include "stage.h"
#include "status.h"
#include "util.h"

static const char *const stages[] = {
	"poll", "tarball", "jobs", "submit", "collect", "bisect", "kcidb",
	"site", "report"
};

/* The order of `maestrino run`: tests follow builds that just passed. */
static const char *const run_order[] = {
	"poll", "tarball", "jobs", "submit", "collect",
	"jobs", "submit", "collect", "bisect", "kcidb", "site", "report"
};

/* With --wait, at most this many rounds of bisection steps in a run. */
#define BISECT_ROUNDS_MAX	64

/* Without a budget, --wait waits for a retry due within this long. */
#define RETRY_WAIT_MAX	3600

/* A signal asked `maestrino run` to stop; the running stage gets it too. */
static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
	proc_forward(sig);
}

int
run_is_stage(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stages); i++)
		if (strcmp(stages[i], name) == 0)
			return 1;
	return 0;
}

const char *
run_stage_name(size_t i)
{
	return i < ARRAY_SIZE(stages) ? stages[i] : NULL;
}

/* The executable of a stage, beside this one's (caller frees). */
static char *
stage_path(const char *stage)
{
	char *dir, *path;

	dir = proc_self_dir();
	path = xasprintf("%s/maestrino-%s", dir, stage);
	free(dir);
	return path;
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

/*
 * The command line of a stage: its path, -c confdir, the verbosity and
 * args (NULL-terminated, may be NULL).  Free argv[0] and the array.
 */
static char **
stage_argv(const char *stage, const char *confdir, char *const *args)
{
	char **argv;
	size_t n, i;

	for (n = 0; args != NULL && args[n] != NULL; n++)
		;
	argv = xcalloc(n + 5, sizeof(*argv));
	n = 0;
	argv[n++] = stage_path(stage);
	argv[n++] = (char *)"-c";
	argv[n++] = (char *)confdir;
	if (verbosity_flag() != NULL)
		argv[n++] = (char *)verbosity_flag();
	for (i = 0; args != NULL && args[i] != NULL; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return argv;
}

static void
argv_free(char **argv)
{
	free(argv[0]);
	free(argv);
}

void
run_exec_stage(const char *stage, const char *confdir, char *const *args)
{
	char **argv;

	argv = stage_argv(stage, confdir, args);
	if (access(argv[0], X_OK) != 0)
		error("stage '%s' is not built: %s", stage, argv[0]);
	else
		(void)proc_exec(argv);
	argv_free(argv);
}

/* Run one stage executable and return its exit code (2 if it died). */
static int
run_stage(const char *stage, const char *confdir, char *const *extra)
{
	char **argv;
	int status, rc;

	argv = stage_argv(stage, confdir, extra);
	rc = proc_run_fg(argv, &status);
	argv_free(argv);
	if (rc != 0)
		return EXIT_FATAL;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (!stop_signal || WTERMSIG(status) != stop_signal)
		error("stage %s killed by signal %d", stage, WTERMSIG(status));
	return EXIT_FATAL;
}

/*
 * What is left of the jobs (status.h), from the database as it is now,
 * and, when made is not NULL, how many jobs there are (0 without one).
 */
static void
count_left(const struct config *cfg, struct jobs_left *l, long long *made)
{
	struct db *db;

	memset(l, 0, sizeof(*l));
	if (made != NULL)
		*made = 0;
	if (status_open_db(cfg, &db) != 0 || db == NULL)
		return;
	status_jobs_left(cfg, db, l);
	if (made != NULL)
		*made = db_int(db, "SELECT count(*) FROM job", 0);
	db_close(db);
}

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

/* What the stages of a run did, for its closing line. */
struct tally {
	const char	*confdir;
	int		 worst;
	unsigned	 ran, skipped, failed;
	struct buf	 failures;	/* "tarball exit 1, kcidb exit 2" */
	struct buf	 skips;		/* "poll, tarball" */
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
run_one(struct tally *t, const char *stage, int wait_jobs)
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
		if (strstr(t->skips.ptr, stage) == NULL)
			buf_addf(&t->skips, "%s%s", t->skips.len ? ", " : "",
			    stage);
		t->skipped++;
		return EXIT_OK;
	}
	if (wait_jobs && strcmp(stage, "collect") == 0 && !budget_spent())
		extra[0] = (char *)"--wait";
	rc = run_stage(stage, t->confdir, extra);
	tally_stage(t, stage, rc);
	return rc;
}

/*
 * With --wait, before reporting: the jobs that waited for a slot and
 * the tests of the builds that just passed run now too, until nothing
 * more can start.
 */
static void
run_until_idle(struct tally *t, const struct config *cfg)
{
	struct jobs_left left;
	long long before, made, made_before;

	before = made_before = -1;
	while (!stop_signal) {
		run_one(t, "jobs", 0);
		count_left(cfg, &left, &made);
		if (left.runnable == 0 && left.next_retry > 0 &&
		    !budget_spent() && wait_for_retry(left.next_retry) == 0) {
			/* a retry came due: take it */
			before = made_before = -1;
			continue;
		}
		/*
		 * Idle when nothing can start, or the last round changed
		 * nothing: a job that finished and the test job it made
		 * leave as many runnable as before, yet are progress.
		 */
		if (left.runnable == 0 || (left.runnable == before &&
		    made == made_before) || budget_spent())
			break;
		before = left.runnable;
		made_before = made;
		run_one(t, "submit", 0);
		run_one(t, "collect", 1);
	}
}

/* The bisection steps recorded so far (0 without a database). */
static long long
bisect_steps(const struct config *cfg)
{
	struct db *db;
	long long n;

	if (status_open_db(cfg, &db) != 0 || db == NULL)
		return 0;
	n = db_int(db, "SELECT count(*) FROM bisection_step", 0);
	db_close(db);
	return n;
}

/*
 * With --wait, the bisect stage, then, while it makes new steps that
 * this machine can build and test, those steps at once: a bisection
 * whose steps all run here ends in one run.  Steps waiting for a lab
 * stop it, as does the budget.
 */
static void
bisect_rounds(struct tally *t, const struct config *cfg)
{
	long long before;
	int round;

	for (round = 0; round < BISECT_ROUNDS_MAX && !stop_signal; round++) {
		before = bisect_steps(cfg);
		run_one(t, "bisect", 0);
		if (bisect_steps(cfg) <= before || budget_spent() ||
		    t->worst >= EXIT_FATAL)
			break;
		run_one(t, "tarball", 0);
		run_until_idle(t, cfg);
	}
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

int
run_parse_budget(const char *arg, double *minutes)
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

/*
 * Take the data-dir lock for the whole run and hand it down to the
 * stages; 0, 1 when another run holds it (after a message), -1 after an
 * error.
 */
static int
take_lock(const struct config *cfg)
{
	char num[32];
	int rc, flags;

	rc = fs_lock(cfg->data_dir, NULL);
	if (rc != 0) {
		if (rc > 0)
			info("another run holds the lock on '%s'; nothing "
			    "to do", cfg->data_dir);
		return rc > 0 ? 1 : -1;
	}
	/* the stages inherit the lock instead of waiting for it */
	flags = fcntl(fs_lock_fd(), F_GETFD);
	fcntl(fs_lock_fd(), F_SETFD, flags & ~FD_CLOEXEC);
	snprintf(num, sizeof(num), "%d", fs_lock_fd());
	setenv("MAESTRINO_LOCK_FD", num, 1);
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	setenv("MAESTRINO_RUN_PID", num, 1);
	return 0;
}

/* Tell the stages when the budget, counted from t0, is spent. */
static void
set_deadline(double budget, time_t t0)
{
	char num[32];
	time_t deadline;

	if (budget > 0) {
		deadline = t0 + (time_t)(budget * 60 + 0.5);
		snprintf(num, sizeof(num), "%lld", (long long)deadline);
		setenv("MAESTRINO_DEADLINE", num, 1);
		info("budget: %g min; no new work after %s UTC", budget,
		    clock_utc(deadline));
	} else {
		unsetenv("MAESTRINO_DEADLINE");
	}
}

/* A stop is passed on to the stage, which is waited for. */
static void
catch_stops(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The closing line of a run, on stderr. */
static void
print_closing(const struct tally *t, const struct jobs_left *left,
    int wait_jobs, double secs)
{
	char took[32];

	time_human(secs, took, sizeof(took));
	fprintf(stderr, "%s: run %s in %s: %u stages, %s%s%s%s; "
	    "jobs left: %lld pending, %lld to retry, %lld running%s; "
	    "exit %d\n", log_prog(),
	    stop_signal ? "stopped by a signal" : "finished",
	    took, t->ran, t->failed ? "failed: " : "none failed",
	    t->failed ? t->failures.ptr : "", t->skipped ? "; skipped for "
	    "the budget: " : "", t->skipped ? t->skips.ptr : "",
	    left->pending - left->retrying, left->retrying, left->running,
	    wait_jobs && left->local > 0 ? " (this machine's not all done)" :
	    "", t->worst);
}

int
run_pipeline(const struct run_opts *o, int *sig)
{
	struct stage st;
	struct tally t;
	struct jobs_left left;
	const char *stage;
	time_t t0;
	double start, budget;
	size_t i;
	int rc;

	*sig = 0;
	t0 = time(NULL);
	start = now_monotonic();
	if (stage_open_config(&st, "run", o->confdir) != 0)
		return EXIT_FATAL;
	if (stage_check_writable(st.cfg->data_dir) != 0) {
		stage_close(&st);
		return EXIT_FATAL;
	}
	rc = take_lock(st.cfg);
	if (rc != 0) {
		stage_close(&st);
		return rc > 0 ? EXIT_OK : EXIT_FATAL;
	}
	/* the budget counts from the start, lock wait included */
	budget = o->budget > 0 ? o->budget : st.cfg->budget;
	set_deadline(budget, t0);
	catch_stops();
	memset(&t, 0, sizeof(t));
	t.confdir = st.cfg->dir;
	buf_init(&t.failures, 0);
	buf_init(&t.skips, 0);
	for (i = 0; i < ARRAY_SIZE(run_order) && !stop_signal; i++) {
		stage = run_order[i];
		if (o->wait && strcmp(stage, "bisect") == 0 &&
		    t.worst < EXIT_FATAL) {
			run_until_idle(&t, st.cfg);
			bisect_rounds(&t, st.cfg);
			continue;
		}
		rc = run_one(&t, stage, o->wait);
		if (rc == EXIT_FATAL && strcmp(stage, "poll") == 0)
			break;
	}
	count_left(st.cfg, &left, NULL);
	/* --wait promised this machine's jobs: not done is not all done */
	if (o->wait && left.local > 0 && t.worst < EXIT_ITEMS)
		t.worst = EXIT_ITEMS;
	if (stop_signal && t.worst < EXIT_FATAL)
		t.worst = EXIT_FATAL;
	print_closing(&t, &left, o->wait, now_monotonic() - start);
	buf_release(&t.failures);
	buf_release(&t.skips);
	stage_close(&st);
	*sig = stop_signal;
	return t.worst;
}
