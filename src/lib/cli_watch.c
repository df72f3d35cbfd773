/*
 * cli_watch.c: `maestrino watch CHECKOUT`, runs of the stages until every
 * job of one checkout has finished, a line per job as it finishes; and
 * `maestrino completion bash`, the completion script made from the table
 * of commands.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "proc.h"
#include "query.h"
#include "run.h"
#include "stage.h"
#include "status.h"
#include "store_watch.h"
#include "strset.h"
#include "util.h"

/* Between runs that leave only lab jobs to wait for. */
#define WATCH_INTERVAL		30
/* How often the lock of another run is tried again. */
#define LOCK_POLL		1

/* A signal asked watch to stop; the run it started gets it too. */
static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
	proc_forward(sig);
}

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

/* What print_job() needs: where, and the jobs printed already. */
struct printed {
	FILE		*fp;
	struct strset	*seen;	/* "id#attempt" */
};

/*
 * One line for a finished job, once: its result, what it built or
 * tested, how long it took and, for a job that did not pass, why.
 */
static void
print_job(void *arg, const struct watch_job *w)
{
	struct printed *p = arg;
	FILE *fp = p->fp;
	char key[256], took[32];

	snprintf(key, sizeof(key), "%s#%lld", w->id, w->attempt);
	if (!strset_add(p->seen, key))
		return;
	fprintf(fp, "job %s: %s (%s %s", w->id, w->result,
	    strcmp(w->kind, "kbuild") == 0 ? "build" : "test",
	    w->config_name);
	if (w->platform != NULL)
		fprintf(fp, " on %s", w->platform);
	if (w->arch != NULL)
		fprintf(fp, ", %s", w->arch);
	took[0] = '\0';
	if (w->started > 0 && w->finished >= w->started)
		time_human((double)(w->finished - w->started), took,
		    sizeof(took));
	else if (w->build_duration >= 0)
		time_human(w->build_duration, took, sizeof(took));
	if (took[0] != '\0')
		fprintf(fp, ", %s", took);
	if (w->attempt > 1)
		fprintf(fp, ", attempt %lld", w->attempt);
	if (w->retry_of != NULL)
		fprintf(fp, ", retry of %s", w->retry_of);
	if (strcmp(w->kind, "test") == 0 && w->tests > 0)
		fprintf(fp, "; %lld results, %lld failed", w->tests,
		    w->failed);
	fputc(')', fp);
	if (w->error_code != NULL) {
		fputs(": ", fp);
		query_put(fp, w->error_code);
		if (w->error_msg != NULL) {
			fputs(": ", fp);
			query_put(fp, w->error_msg);
		}
	}
	fputc('\n', fp);
}

/*
 * A line for each job of checkout id that finished since the last call
 * (seen holds "id#attempt" of those printed already).  -1 on a database
 * error.
 */
static int
print_finished(struct db *db, long long id, struct strset *seen, FILE *fp)
{
	struct printed p = { fp, seen };
	int rc;

	rc = store_watch_finished_jobs(db, id, print_job, &p);
	fflush(fp);
	return rc;
}

/* "waiting for 2 of 5 jobs (1 in a lab, 1 pending)" and the like. */
static void
print_waiting(struct db *db, long long id, long interval)
{
	long long all, out, pending;

	(void)store_watch_waiting(db, id, &all, &out, &pending);
	if (out + pending == 0)
		info("checkout %lld: waiting for its tarball or matrix; next "
		    "run in %lds", id, interval);
	else
		info("checkout %lld: waiting for %lld of %lld jobs (%lld in a "
		    "lab, %lld pending); next run in %lds", id, out + pending,
		    all, out, pending, interval);
}

/*
 * Take the data-dir lock for one run and leave it open across exec, as
 * `maestrino run` hands it to its stages; the run finds it through
 * MAESTRINO_LOCK_FD.  The fd, -2 when another process holds it (its pid
 * in *holder, 0 if unknown), or -1 after an error message.  Closing the
 * fd after the run lets a cron run have its turn while watch sleeps.
 */
static int
lock_for_run(const char *dir, long *holder)
{
	char *path, pid[32];
	ssize_t n;
	int fd;

	path = fs_join(dir, "lock");
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		error("cannot open lock '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			error("cannot lock '%s': %s", path, strerror(errno));
			close(fd);
			free(path);
			return -1;
		}
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (parse_long(pid, 1, LONG_MAX, holder) != 0)
			*holder = 0;
		close(fd);
		free(path);
		return -2;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
		warning("cannot write pid to '%s': %s", path, strerror(errno));
	free(path);
	snprintf(pid, sizeof(pid), "%d", fd);
	setenv("MAESTRINO_LOCK_FD", pid, 1);
	return fd;
}

/* Sleep secs, or less when a signal comes. */
static void
nap(long secs)
{
	time_t end;

	end = time(NULL) + secs;
	while (!stop_signal && time(NULL) < end)
		sleep(1);
}

enum run_end {
	RUN_RAN,	/* the stages ran; *code is the run's exit status */
	RUN_FINISHED,	/* another run finished the checkout meanwhile */
	RUN_STOPPED,	/* a signal came */
	RUN_ERROR	/* after a message */
};

/*
 * One `maestrino run --wait` for the checkout, this executable in a
 * child, once the lock is ours: another run (cron's) holding it is
 * waited for, its finished jobs printed meanwhile.
 */
static enum run_end
run_once(const struct config *cfg, struct db *db, long long id,
    struct strset *seen, int *code)
{
	char *dir, *argv[8];
	long holder;
	int fd, status, waited, n, rc;

	waited = 0;
	while ((fd = lock_for_run(cfg->data_dir, &holder)) == -2) {
		if (!waited++)
			info("another run (pid %ld) holds the lock on '%s'; "
			    "waiting for it", holder, cfg->data_dir);
		if (print_finished(db, id, seen, stdout) != 0)
			return RUN_ERROR;
		if ((rc = store_watch_done(db, id)) != 0)
			return rc > 0 ? RUN_FINISHED : RUN_ERROR;
		nap(LOCK_POLL);
		if (stop_signal)
			return RUN_STOPPED;
	}
	if (fd < 0)
		return RUN_ERROR;
	dir = proc_self_dir();
	n = 0;
	argv[n++] = xasprintf("%s/maestrino", dir);
	free(dir);
	argv[n++] = (char *)"-c";
	argv[n++] = cfg->dir;
	/* the stages' own lines only when asked for */
	argv[n++] = log_level() >= 2 ? (char *)"-v" : (char *)"-q";
	argv[n++] = (char *)"run";
	argv[n++] = (char *)"--wait";
	argv[n] = NULL;
	rc = proc_run_fg(argv, &status);
	free(argv[0]);
	close(fd);
	unsetenv("MAESTRINO_LOCK_FD");
	if (rc != 0)
		return RUN_ERROR;
	if (stop_signal)
		return RUN_STOPPED;
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FATAL;
	return RUN_RAN;
}

/*
 * The verdict on a finished checkout: the jobs that did not pass, of
 * those whose results stand (store_watch_verdict()), and a tarball
 * given up on; a checkout where no job ran passes nothing.  Prints the
 * closing line; 0 when nothing failed, 1 otherwise, -1 on a database
 * error.
 */
static int
verdict(struct db *db, long long id, FILE *fp)
{
	long long jobs, bad;
	int tarball;

	if (store_watch_verdict(db, id, &jobs, &bad, &tarball) != 0)
		return -1;
	if (tarball)
		fprintf(fp, "checkout %lld: finished: its tarball failed\n", id);
	else if (jobs == 0)
		fprintf(fp, "checkout %lld: finished: no job ran\n", id);
	else
		fprintf(fp, "checkout %lld: finished: %lld job%s, %lld "
		    "failed\n", id, jobs, jobs == 1 ? "" : "s", bad);
	return tarball || jobs == 0 || bad > 0 ? 1 : 0;
}

/* The usage of watch, its synopsis from the table (caller frees). */
static char *
watch_usage(void)
{
	return xasprintf("usage: maestrino watch %s\n"
	    "\n"
	    "Run the stages, as `maestrino run --wait` does, until every job\n"
	    "of checkout CHECKOUT has finished (the tests of its builds\n"
	    "included), printing one line per job as it finishes, then the\n"
	    "results summary.  When only lab jobs are left, wait SECONDS\n"
	    "between runs; another run holding the lock is waited for.\n"
	    "\n"
	    "  -i, --interval SECONDS  between runs that moved nothing on\n"
	    "                    (default: %d)\n"
	    STAGE_USAGE_COMMON
	    "\n"
	    "Exit status: 0 every build and test passed, 1 something failed\n"
	    "or did not finish, or there is no such checkout, 2 usage, config\n"
	    "or database error.\n", cli_find("watch")->synopsis,
	    WATCH_INTERVAL);
}

int
cli_watch(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct strset seen = STRSET_INIT;
	struct stage st;
	struct db *db;
	enum run_end end;
	char *before, *after, *usage;
	long interval, id;
	int c, rc, code, done, sig, found;

	interval = WATCH_INTERVAL;
	usage = watch_usage();
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:" STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'i') {
			if (parse_long(optarg, 1, 86400, &interval) != 0) {
				error("--interval wants seconds, 1 to 86400 "
				    "('%s')", optarg);
				free(usage);
				return EXIT_FATAL;
			}
		} else if ((rc = stage_option(c, optarg, &confdir, usage))
		    != 0) {
			free(usage);
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		free(usage);
		return EXIT_FATAL;
	}
	free(usage);
	if (parse_long(argv[optind], 1, LONG_MAX, &id) != 0) {
		error("watch: a checkout is a number, not '%s'",
		    argv[optind]);
		return EXIT_FATAL;
	}
	if (stage_open_config(&st, "watch", confdir) != 0)
		return EXIT_FATAL;
	if (stage_check_writable(st.cfg->data_dir) != 0 ||
	    status_open_db(st.cfg, &db) != 0) {
		stage_close(&st);
		return EXIT_FATAL;
	}
	rc = EXIT_FATAL;
	before = after = NULL;
	found = db == NULL ? 0 : store_watch_exists(db, id);
	if (found < 0)
		goto out;
	if (found == 0) {
		error("no checkout %ld in '%s'", id, st.cfg->data_dir);
		rc = EXIT_ITEMS;
		goto out;
	}
	catch_stops();
	while (!stop_signal) {
		if (print_finished(db, id, &seen, stdout) != 0 ||
		    (done = store_watch_done(db, id)) < 0)
			goto out;
		if (done)
			break;
		free(before);
		before = store_watch_mark(db, id);
		code = EXIT_OK;
		end = run_once(st.cfg, db, id, &seen, &code);
		if (end == RUN_ERROR)
			goto out;
		if (end != RUN_RAN)
			continue;
		if (print_finished(db, id, &seen, stdout) != 0 ||
		    (done = store_watch_done(db, id)) < 0)
			goto out;
		if (done)
			break;
		free(after);
		after = store_watch_mark(db, id);
		if (strcmp(before, after) != 0)
			continue;
		/* nothing moved: a run that cannot run is not waited out */
		if (code == EXIT_FATAL) {
			error("watch: the run failed (exit 2) and checkout %ld "
			    "is not finished", id);
			goto out;
		}
		print_waiting(db, id, interval);
		nap(interval);
	}
	if (stop_signal) {
		info("stopped; checkout %ld is not finished", id);
		goto out;
	}
	rc = verdict(db, id, stdout);
	if (rc < 0) {
		rc = EXIT_FATAL;
		goto out;
	}
	fputc('\n', stdout);
	fflush(stdout);
	/* the summary is for people: the verdict stands without it */
	if (cli_results_print(st.cfg, db, id, stdout) != 0)
		warning("cannot print the results of checkout %ld", id);
	if (fflush(stdout) != 0)
		rc = EXIT_FATAL;
out:
	free(before);
	free(after);
	strset_release(&seen);
	db_close(db);
	stage_close(&st);
	sig = stop_signal;
	if (sig != 0) {
		/* die of it, as the one who sent it expects */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return rc;
}

/* ---- completion ---- */

/* The front door's own commands, which the table does not hold. */
static const struct {
	const char	*name;
	const char	*options;
} builtins[] = {
	{ "run", "--wait --budget=" },
	{ "status", "--json" },
	{ "config", "" },
	{ "help", "" },
};

/*
 * A command's options as completion words ("--patch= --json") and the
 * names of those that take a file (" --patch "), from the table's
 * "--patch=@ --json".
 */
static void
split_options(const char *spec, struct buf *words, struct buf *files)
{
	const char *p, *end;
	size_t len;

	buf_reset(words);
	buf_reset(files);
	buf_putc(files, ' ');
	for (p = spec; *p != '\0'; p = end) {
		p += strspn(p, " ");
		end = p + strcspn(p, " ");
		if (end == p)
			break;
		len = (size_t)(end - p);
		if (end[-1] == '@') {
			len--;
			buf_add(files, p, len - 1);	/* without "=" */
			buf_putc(files, ' ');
		}
		if (words->len > 0)
			buf_putc(words, ' ');
		buf_add(words, p, len);
	}
}

/* The case of one command: its options, file options and arguments. */
static void
put_case(FILE *fp, const char *name, const char *options, const char *args)
{
	struct buf words = BUF_INIT, files = BUF_INIT;

	split_options(options, &words, &files);
	fprintf(fp, "\t%s)\n\t\topts='%s'\n\t\tfiles='%s'\n\t\targs='%s' ;;\n",
	    name, words.ptr, files.ptr, args);
	buf_release(&words);
	buf_release(&files);
}

static const char completion_head[] =
	"# bash completion for maestrino(1), made by `maestrino completion\n"
	"# bash` from its table of commands.  Load it with\n"
	"#   source <(maestrino completion bash)\n"
	"# or install it as share/bash-completion/completions/maestrino.\n"
	"\n"
	"_maestrino()\n"
	"{\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= opt= i w\n"
	"\tlocal opts= files=' ' args=\n"
	"\tlocal common='-c --config= -q --quiet -v --verbose -h --help'\n"
	"\tCOMPREPLY=()\n"
	"\t(( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\t# the command: the first word that is not an option\n"
	"\tfor (( i = 1; i < COMP_CWORD; i++ )); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tcase $w in\n"
	"\t\t-c|--config) (( i++ )) ;;\n"
	"\t\t-*|=) ;;\n"
	"\t\t*) [[ ${COMP_WORDS[i-1]} == = ]] || { cmd=$w; break; } ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\t# \"--opt=\" is split at \"=\" (COMP_WORDBREAKS)\n"
	"\tif [[ $cur == = ]]; then\n"
	"\t\topt=$prev cur=\n"
	"\telif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then\n"
	"\t\topt=${COMP_WORDS[COMP_CWORD-2]}\n"
	"\telif [[ $prev == -* ]]; then\n"
	"\t\topt=$prev\n"
	"\tfi\n"
	"\tif [[ $opt == -c || $opt == --config ]]; then\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ -z $cmd ]]; then\n"
	"\t\tif [[ $cur == -* ]]; then\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$common\" -- "
	"\"$cur\")\n"
	"\t\telse\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$_maestrino_commands\" "
	"-- \"$cur\")\n"
	"\t\tfi\n"
	"\t\t[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace "
	"2>/dev/null\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tcase $cmd in\n";

static const char completion_tail[] =
	"\tesac\n"
	"\t# the value of an option that takes one\n"
	"\tif [[ -n $opt && \" $opts \" == *\" $opt= \"* ]]; then\n"
	"\t\tif [[ $files == *\" $opt \"* ]]; then\n"
	"\t\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
	"\t\tfi\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ $cur == -* ]]; then\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts $common\" -- "
	"\"$cur\")\n"
	"\t\t[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] &&\n"
	"\t\t    compopt -o nospace 2>/dev/null\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tcase $args in\n"
	"\tshell) mapfile -t COMPREPLY < <(compgen -W 'bash' -- \"$cur\") ;;\n"
	"\tobject) [[ $prev == \"$cmd\" ]] &&\n"
	"\t    mapfile -t COMPREPLY < <(compgen -W 'build test job' -- "
	"\"$cur\") ;;\n"
	"\tesac\n"
	"}\n"
	"complete -F _maestrino maestrino\n";

static void
print_completion(FILE *fp)
{
	const struct cli_cmd *c;
	const char *s;
	size_t i;

	fputs(completion_head, fp);
	for (i = 0; i < ARRAY_SIZE(builtins); i++)
		put_case(fp, builtins[i].name, builtins[i].options, "");
	/* a stage that is also a command (bisect) is the command's */
	for (i = 0; (s = run_stage_name(i)) != NULL; i++)
		if (cli_find(s) == NULL)
			put_case(fp, s, "", "");
	for (c = cli_cmds; c->name != NULL; c++)
		put_case(fp, c->name, c->options, c->args);
	fputs(completion_tail, fp);
	/* the command words, for the first one */
	fputs("_maestrino_commands='", fp);
	for (i = 0; i < ARRAY_SIZE(builtins); i++)
		fprintf(fp, "%s%s", i ? " " : "", builtins[i].name);
	for (i = 0; (s = run_stage_name(i)) != NULL; i++)
		if (cli_find(s) == NULL)
			fprintf(fp, " %s", s);
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(fp, " %s", c->name);
	fputs("'\n", fp);
}

static const char completion_usage[] =
	"usage: maestrino completion bash\n"
	"\n"
	"Print the bash completion script of maestrino, made from its table\n"
	"of commands: source <(maestrino completion bash)\n"
	"\n"
	STAGE_USAGE_COMMON;

int
cli_completion(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1)
		if ((rc = stage_option(c, optarg, &confdir, completion_usage))
		    != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	if (optind + 1 != argc || strcmp(argv[optind], "bash") != 0) {
		error("completion: only 'bash' is known (%s)",
		    optind < argc ? argv[optind] : "no shell named");
		return EXIT_FATAL;
	}
	print_completion(stdout);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FATAL;
}
