/*
 * local.h: the local runtime.  A job runs as a detached worker process
 * (bin/maestrino-worker) in <data_dir>/work/<job-id>/, which holds its
 * log, worker.pid and, written last, result.json.
 */
#ifndef LOCAL_H
#define LOCAL_H

#include <sys/types.h>

struct buf;
struct collect_stats;
struct config;
struct job_row;
struct runtime;

enum local_state {
	LOCAL_RUNNING,	/* the worker is alive */
	LOCAL_DONE,	/* result.json is there */
	LOCAL_LOST	/* no worker and no result */
};

/* The work directory of a job (absolute; caller frees). */
char	*local_work_dir(const struct config *, const char *job_id);

/*
 * Clear the work directory of a job, before an attempt is started (so
 * nothing of an earlier attempt can be mistaken for this one's).
 */
int	 local_prepare(const char *work);

/*
 * Start the worker for the definition def in work, with the options
 * extra (NULL-terminated, or NULL).  Return its pid, or -1 after an
 * error message, which is also put in err.
 */
pid_t	 local_start(const char *job_id, const char *def, const char *work,
	    char *const *extra, struct buf *err);

/*
 * Where is the job in work, whose worker was *pid (0 if unknown: then it
 * is read from worker.pid and stored in *pid)?  *started is set from
 * worker.pid when known.
 */
enum local_state local_check(const char *work, pid_t *pid, time_t *started);

/* Kill the worker's whole session (it and every process it started). */
void	 local_kill(pid_t pid);

/*
 * Read a file of the work directory, which the build could have changed:
 * a regular file only, no link followed, NULs dropped, at most max bytes
 * (with tail, the last max bytes).  Caller frees; NULL if absent or not
 * a regular file, with a warning in that case.
 */
char	*local_read(const char *work, const char *name, size_t max, int tail);

/*
 * For a runtime whose worker (bin/maestrino-worker) ran elsewhere but
 * left its work directory as a local one does (the slurm runtime):
 * collect the result.json of a finished kbuild job, or end an attempt
 * that did not finish (error code and message), retried as the local
 * runtime retries.  The work directory goes after, unless keep_work.
 * -1 on a database error.
 */
int	 local_collect_build(const struct runtime *, struct job_row *,
	    const char *work, struct collect_stats *);
int	 local_incomplete(const struct runtime *, struct job_row *,
	    const char *work, const char *code, const char *msg,
	    struct collect_stats *);

#endif
