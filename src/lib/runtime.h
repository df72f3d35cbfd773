/*
 * runtime.h: what a lab (a runtime) does for the submit and collect
 * stages, behind one interface.  Each kind of lab is one file,
 * runtime_<type>.c, that defines its struct runtime_ops, and one line in
 * the table of runtime.c, which alone maps a lab to its kind.  The
 * stages (submit.c, collect.c) go over the jobs and call the operations;
 * the changes of a job's state are job.h's.
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stddef.h>

#include "config.h"

struct buf;
struct collect_stats;
struct db;
struct job_row;
struct lava_outcome;

enum lab_result {
	LAB_DONE,	/* did what was asked */
	LAB_WAIT,	/* not now (queue full, still running): try later */
	LAB_RETRY,	/* a fault on the way (HTTP error, timeout): try later */
	LAB_FAIL,	/* refused for good (bad job, 4xx) */
	LAB_BAD		/* it answered, but not in a way that can be read (no
			 * state, a reply too large, results that do not
			 * parse): counted, and the job ends after a few */
};

/* What a poll found about a finished job, besides its results. */
struct lab_finished {
	char	*log;		/* the whole LAVA log */
	char	*console;	/* serial console lines only */
	long long start_time;
	double	 duration;
	char	*url;		/* the job's page in the lab's web UI */
	int	 finished;	/* it ran: known even when its results are not */
};

void	 lab_finished_release(struct lab_finished *);

/* What prepare makes ready for submit, on this machine. */
#define RUNTIME_ARGS_MAX	12
struct runtime_handover {
	char	*work;		/* the job's work directory, or NULL */
	char	*args[RUNTIME_ARGS_MAX];	/* options of its worker */
	size_t	 nargs;
};

void	 runtime_handover_release(struct runtime_handover *);

/* A lab, as the stages see it. */
struct runtime {
	const struct runtime_ops	*ops;
	const struct lab_cfg		*lab;
	const struct config		*cfg;
	struct db			*db;
};

struct runtime_ops {
	const char	*type;		/* labs.<name>.type */
	/* the key a lab of this type must set ("url"), or NULL */
	const char	*needs;
	int		 builds;	/* runs build jobs, not only tests */
	int		 builds_only;	/* runs no test jobs */
	/*
	 * On this machine: at most labs.<name>.jobs at a time, and what
	 * collect --wait waits for.
	 */
	int		 local;
	/* Not on this machine, but collect --wait waits for its jobs too. */
	int		 waited;

	/*
	 * Before the job is marked submitting: make ready what it needs,
	 * in h (zeroed by the caller, who releases it).  NULL if nothing.
	 * -1 with the reason in err.
	 */
	int		(*prepare)(const struct runtime *, struct job_row *,
			    struct runtime_handover *h, struct buf *err);
	/*
	 * Hand the job over (it is marked submitting): LAB_DONE with
	 * *lab_id (the caller frees), LAB_WAIT (no room: pending again),
	 * LAB_RETRY (it may have got there: stay submitting), LAB_FAIL or
	 * LAB_BAD (with the reason in err).
	 */
	enum lab_result	(*submit)(const struct runtime *, struct job_row *,
			    const struct runtime_handover *h, char **lab_id,
			    struct buf *err);
	/*
	 * A job left submitting by a killed run: LAB_DONE when the lab has
	 * it (*lab_id, and *work if known, the caller frees), LAB_WAIT when
	 * it has not, LAB_RETRY when that cannot be told now.
	 */
	enum lab_result	(*lookup)(const struct runtime *, struct job_row *,
			    char **lab_id, char **work);
	/*
	 * Look at a submitted job.  LAB_WAIT while it runs (*running set
	 * once it started), LAB_DONE when finished, with o and fin filled
	 * in; LAB_FAIL for results that cannot be read, LAB_RETRY when the
	 * lab cannot be asked now, LAB_BAD for an answer that cannot be
	 * read (fin->finished set when it is known to have finished).
	 */
	enum lab_result	(*poll)(const struct runtime *, struct job_row *,
			    int *running, struct lava_outcome *o,
			    struct lab_finished *fin);
	/*
	 * After the results of a polled job's attempt are recorded (the
	 * job may be on its next attempt by now); NULL if nothing.
	 */
	void		(*done)(const struct runtime *, const struct job_row *,
			    long long attempt);
	/*
	 * Instead of poll: collect the job whole (its results and state).
	 * -1 on a database error.
	 */
	int		(*collect)(const struct runtime *, struct job_row *,
			    struct collect_stats *);
	/*
	 * Stop a job the lab has or may have (submitting, submitted or
	 * running; a submitting one may have no lab id yet): LAB_DONE
	 * when it is stopped, gone or was never there, LAB_RETRY when the
	 * lab cannot be told now, LAB_FAIL when it refused (the reason in
	 * err).  NULL: nothing to stop.
	 */
	enum lab_result	(*cancel)(const struct runtime *, struct job_row *,
			    struct buf *err);
};

/*
 * The runtime of the lab named name: 0, or -1 when there is no such lab
 * in the config (no message).
 */
int	 runtime_get(const struct config *, struct db *, const char *name,
	    struct runtime *out);

/*
 * The registry's answers for the config: every type's name (NULL
 * ended), the canonical name of labs.<name>.type ("local" when NULL or
 * unknown, which the config check has refused already), and the key a
 * lab of that type must set, or NULL.
 */
const char *const	*runtime_types(void);
const char	*runtime_type(const char *type);
const char	*runtime_needs(const char *type);
/* Whether the lab named name runs its jobs on this machine. */
int		 runtime_is_local(const struct config *, const char *name);

/*
 * Say what a lookup found of a job a killed run left submitting on a
 * lab that is not this machine: adopted, or submitted again.
 */
void	 runtime_lookup_said(const struct runtime *, const struct job_row *,
	    enum lab_result, const char *lab_id);

extern const struct runtime_ops runtime_local;
extern const struct runtime_ops runtime_lava;
extern const struct runtime_ops runtime_pull;
extern const struct runtime_ops runtime_slurm;

#endif
