/*
 * run.h: `maestrino run`, every stage in order, each its own executable
 * (bin/maestrino-<stage>) started and waited for; and `maestrino
 * <stage>`, one of them in this process's place.
 */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>

struct run_opts {
	const char	*confdir;
	int		 wait;		/* --wait */
	double		 budget;	/* --budget minutes, or 0 */
};

/* Parse --budget MINUTES: above 0, at most a week; -1 after a message. */
int	 run_parse_budget(const char *arg, double *minutes);

/*
 * Run every stage in order (the lock held, the budget set, a stop
 * passed on to the running stage) and print the closing line.  Return
 * the exit status of the run; *stop_signal is the signal that stopped
 * it (the caller should die of it), or 0.
 */
int	 run_pipeline(const struct run_opts *, int *stop_signal);

/* Is name one of the stages (poll, tarball, jobs, ... site)? */
int	 run_is_stage(const char *name);
/* The i-th stage in order, or NULL past the last (for completion). */
const char	*run_stage_name(size_t i);

/*
 * Become the executable of stage with -c confdir, the verbosity of
 * this process and args (NULL-terminated).  Returns only after an error
 * message.
 */
void	 run_exec_stage(const char *stage, const char *confdir,
	    char *const *args);

#endif
