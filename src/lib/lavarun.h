/*
 * lavarun.h: the local lab's test jobs: run a LAVA job definition with
 * lava-run from Debian's lava-dispatcher against a generated QEMU device
 * dictionary, with no server.
 */
#ifndef LAVARUN_H
#define LAVARUN_H

struct lavarun {
	const char	*definition;	/* the LAVA job YAML */
	const char	*device;	/* the device dictionary */
	const char	*env;		/* KEY=VALUE lines for lava-run, or NULL */
	const char	*work;		/* work directory */
	const char	*store;		/* where logs are stored */
	const char	*store_url;	/* their URL (ends with '/') */
	const char	*job_id;
};

/*
 * Run the job: lava-run's log goes to <work>/lava.log and, with the
 * console cut out of it, to <store>/; result.json is written last.
 * Returns 0 when the job completed, 2 when it did not.
 */
int	 lavarun_run(const struct lavarun *);

#endif
