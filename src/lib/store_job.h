/*
 * store_job.h: the job table.  A job is one row struct wherever it is
 * read; every SQL statement about jobs of the submit and collect stages
 * is in store_job.c.  What the states mean and which changes are allowed
 * is job.h's.
 */
#ifndef STORE_JOB_H
#define STORE_JOB_H

#include <stddef.h>

struct db;
struct sqlite3_stmt;

/* The states of a job, as stored in job.state (see job.h). */
enum job_state {
	JOB_PENDING,		/* waits for its next_try, then submit */
	JOB_SUBMITTING,		/* being handed to its lab */
	JOB_SUBMITTED,		/* in its lab */
	JOB_RUNNING,		/* its lab says it started */
	JOB_DONE,		/* finished: result says how */
	JOB_FAILED_SUBMIT,	/* its submission failed: waits, then submit */
	JOB_NSTATES
};

/* The stored name of a state, and the state of a name (-1 if none). */
const char	*job_state_name(enum job_state);
int		 job_state_parse(const char *, enum job_state *);

/*
 * Every column of a row, for a SELECT in a store file that reads rows
 * with store_job_from(): the columns first, in this order, of the table
 * (or alias) t, a string: STORE_JOB_COLUMNS("j").
 */
#define STORE_JOB_COLUMNS(t)						\
	t ".id, " \
	t ".kind, " \
	t ".runtime, " \
	t ".definition, " \
	t ".state, " \
	t ".runtime_job_id, " \
	t ".work_dir, " \
	t ".config_name, " \
	t ".platform, " \
	t ".checkout_id, " \
	"coalesce(" t ".build_id, 0), " \
	t ".attempt, " \
	"coalesce(" t ".submitted, 0), " \
	"coalesce(" t ".started, 0), " \
	"coalesce(" t ".timeout, 3600), " \
	t ".poll_failures, " \
	t ".result, " \
	t ".error_code, " \
	t ".error_msg, " \
	t ".created, " \
	"coalesce(" t ".finished, 0), " \
	"coalesce(" t ".next_try, 0), " \
	t ".retry_of"

struct job_row {
	char		*id;
	char		*kind;		/* kbuild, test */
	char		*runtime;	/* lab name */
	char		*definition;
	enum job_state	 state;
	char		*runtime_job_id;
	char		*work_dir;
	char		*config_name;
	char		*platform;
	long long	 checkout_id;
	long long	 build_id;
	long long	 attempt;	/* counted from 1 */
	long long	 submitted;
	long long	 started;
	long long	 timeout;	/* seconds */
	long long	 poll_failures;	/* unreadable answers in a row */
	char		*result;	/* pass, fail, skip, incomplete */
	char		*error_code;
	char		*error_msg;
	long long	 created;
	long long	 finished;
	long long	 next_try;
	char		*retry_of;	/* the job a manual retry repeats */
};

/* A row from a statement that selected STORE_JOB_COLUMNS first. */
void	 store_job_from(struct sqlite3_stmt *, struct job_row *out);
void	 store_job_release(struct job_row *);
/* Job id into *out: 0, 1 when there is none, -1 on error. */
int	 store_job_get(struct db *, const char *id, struct job_row *out);

/*
 * The jobs in one of the states of the mask (1 << JOB_...), ordered by
 * creation.  -1 on error.
 */
int	 store_job_list(struct db *, unsigned states, struct job_row **out,
	    size_t *n);
void	 store_job_list_free(struct job_row *, size_t);

/*
 * The rule of a runnable job, as SQL for other store files: waiting to
 * be submitted (pending, or failed-submit), and runnable when its
 * next_try has come by the time bound to ?1.
 */
#define STORE_JOB_WAITING	"state IN ('pending', 'failed-submit')"
#define STORE_JOB_RUNNABLE	"(" STORE_JOB_WAITING \
	" AND coalesce(next_try, 0) <= ?1)"

/*
 * A runnable job: waiting to be submitted (pending, or failed-submit)
 * with its next_try come by now.  The runnable jobs, ordered by
 * creation, and how many there are (labs of any kind).
 */
int	 store_job_list_runnable(struct db *, long long now,
	    struct job_row **out, size_t *n);
int	 store_job_runnable(struct db *, long long now, long long *count);
/* Whether a job in state s with next_try is runnable at now. */
int	 job_runnable(enum job_state s, long long next_try, long long now);

/* The number of jobs of a lab that hold a slot (submitting..running). */
long long	 store_job_busy(struct db *, const char *runtime);
/*
 * The jobs of a lab that hold a slot, for a pull lab's index: each one's
 * id, definition and when it was handed over (or made), in order.
 */
int	 store_job_in_lab(struct db *, const char *runtime,
	    void (*fn)(void *arg, const char *id, const char *definition,
	    long long when), void *arg);

/*
 * The updates of the state machine (job.c calls them; nothing else
 * should).  All set state; the others only what they name.
 */
/* State, and runtime_job_id and work_dir when not NULL; submitted and
 * started as the state says, at now. */
int	 store_job_set_state(struct db *, const char *id, enum job_state,
	    const char *runtime_job_id, const char *work_dir, long long now);
/* Back to pending for another attempt at next_try, the lab's traces
 * cleared. */
int	 store_job_requeue(struct db *, const char *id, long long next_try,
	    const char *code, const char *msg);
/* failed-submit, for another attempt at next_try. */
int	 store_job_submit_failed(struct db *, const char *id,
	    long long next_try, const char *msg);
/* done with result and error, at now; its checkout is exported again. */
int	 store_job_finish(struct db *, const char *id, const char *result,
	    const char *code, const char *msg, long long now);
int	 store_job_set_poll_failures(struct db *, const char *id,
	    long long n);

/*
 * A cancel its lab could not be told of yet: the job keeps its state
 * with error_code JOB_CANCELLING and the reason, for the next run.
 */
#define JOB_CANCELLING	"cancelling"
#define JOB_CANCELLED	"cancelled"

/*
 * Which attempt of a result stands, in SQL, for every reader (site,
 * results, compare, watch): a job's rows stand until a retry of it has
 * finished without being cancelled (STORE_JOB_SUPERSEDED is true of
 * job id id then); a retry's rows stand once it has so finished
 * (STORE_JOB_CURRENT of job row j: not a retry, or such a one).  A
 * result without a job (id NULL) always stands.
 */
#define STORE_JOB_SUPERSEDED(id)	"EXISTS (SELECT 1 FROM job r WHERE " \
	"r.retry_of = " id " AND r.state = 'done' AND coalesce(" \
	"r.error_code, '') != '" JOB_CANCELLED "')"
#define STORE_JOB_CURRENT(j)	"(" j ".retry_of IS NULL OR (" j ".state = " \
	"'done' AND coalesce(" j ".error_code, '') != '" JOB_CANCELLED "'))"
/*
 * A row whose job is id stands: the same rule as one set, made once per
 * query (only jobs that are retries or have one are in it), not two
 * lookups per row: the site reads a million rows this way.
 */
#define STORE_JOB_STANDS(id)	"coalesce(" id ", '') NOT IN (SELECT " \
	"retry_of FROM job WHERE retry_of IS NOT NULL AND state = 'done' " \
	"AND coalesce(error_code, '') != '" JOB_CANCELLED "' UNION ALL " \
	"SELECT id FROM job WHERE retry_of IS NOT NULL AND NOT (state = " \
	"'done' AND coalesce(error_code, '') != '" JOB_CANCELLED "'))"
/* A build row of alias b and a test row of alias t that stand. */
#define STORE_BUILD_STANDS(b)	STORE_JOB_STANDS(b ".job_id")
#define STORE_TEST_STANDS(t)	STORE_JOB_STANDS(t ".job_id")
/*
 * A different question: has job row j been retried already, so that
 * `retry` refuses it and `retry --failed` leaves it out?  Any retry
 * that was not cancelled counts, one pending or running included: a
 * second retry beside it would run the same thing twice.  What stands
 * (above) waits for the retry to finish; this does not.
 */
#define STORE_JOB_RETRIED(j)	"EXISTS (SELECT 1 FROM job r WHERE " \
	"r.retry_of = " j ".id AND coalesce(r.error_code, '') != '" \
	JOB_CANCELLED "')"
/* Mark job id JOB_CANCELLING with the reason msg, unless it is done. */
int	 store_job_mark_cancel(struct db *, const char *id, const char *msg);
/*
 * No more jobs for checkout: its matrix is taken as made and so are
 * the tests of each of its builds, in the caller's transaction.  How
 * many of those were still to be made in *stopped.  -1 on error.
 */
int	 store_job_stop_checkout(struct db *, long long checkout,
	    long long *stopped);

/*
 * The jobs of checkout, ordered by creation; with failed, only the
 * finished ones that failed (result fail or incomplete, or a build or
 * test row FAIL, ERROR or MISS), not cancelled, not retried already
 * (STORE_JOB_RETRIED), and no test of a build that was.  -1 on error.
 */
int	 store_job_of_checkout(struct db *, long long checkout, int failed,
	    struct job_row **out, size_t *n);
/* The newest retry of id that was not cancelled, in *out (caller frees),
 * or NULL: 0, or -1 on error. */
int	 store_job_retried(struct db *, const char *id, char **out);
/*
 * Insert the job new_id, a manual retry of old (a row read from the
 * database), with the definition file def; a build job gets a new build
 * row of its own, misc.retry_of set to retry_link.  Must run in a
 * transaction.
 */
int	 store_job_add_retry(struct db *, const struct job_row *old,
	    const char *new_id, const char *def, const char *retry_link);
/* Whether the job has test rows (*has): 0, or -1 on error. */
int	 store_job_has_tests(struct db *, const char *id, int *has);
/* Whether the test row job/path exists (*has): 0, or -1 on error. */
int	 store_job_has_test(struct db *, const char *id, const char *path,
	    int *has);

#endif
