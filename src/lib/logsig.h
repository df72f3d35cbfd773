/*
 * logsig.h: failure signatures from logs.  A build log yields compiler
 * errors and warnings; a console log yields kernel panics, Oopses, BUGs,
 * WARNINGs, KASAN and UBSAN reports, lockdep splats, RCU stalls and hung
 * tasks, each with its first call trace, or, for a boot that stopped with
 * no message, the last lines before silence.  Each finding is normalised
 * to a signature (numbers, addresses, pids, timestamps dropped, function
 * names kept) so identical crashes share one.
 */
#ifndef LOGSIG_H
#define LOGSIG_H

#include <stddef.h>

#define LOGSIG_MAX	32	/* findings kept per log */

struct logsig_finding {
	const char	*kind;		/* static: "error", "warning" (build);
					   "panic", "oops", "bug", "warning",
					   "kasan", "ubsan", "lockdep",
					   "rcu-stall", "hung-task", "silence"
					   (console) */
	char		*summary;	/* one line for people, <= 200 bytes UTF-8,
					   e.g. "Kernel panic - not syncing: Attempted
					   to kill init! in do_exit" or
					   "init/main.c:12: error: 'x' undeclared" */
	char		*signature;	/* normalised, stable, <= 512 bytes */
	char		 hash[17];	/* first 16 hex of SHA-256(kind NUL signature) */
	char		*lines;		/* the log lines it came from (first call
					   trace included), <= 64 lines, <= 8 KiB,
					   valid UTF-8, no control chars but \n \t */
	size_t		 line;		/* 1-based line of its first line in the log */
	char		*file;		/* compiler findings: source file, else NULL */
	int		 file_line;	/* and line, 0 if none */
	unsigned	 count;		/* times this signature appeared in the log */
};

struct logsig {
	struct logsig_finding	*v;
	size_t			 n;
	int			 truncated;	/* more than LOGSIG_MAX distinct */
};

/*
 * Both fill the struct logsig (logsig_free() frees it) with findings in
 * the order of their first line in the log; those of one hash are one
 * finding with its count.  Past LOGSIG_MAX distinct findings, truncated
 * is set and a warning (of either kind) gives its place to any other
 * finding, so the first error of a build is the first "error" in v[].
 * log need not end in a NUL, and may hold anything.
 */

/*
 * Findings of a kernel build log (make's output): "error" and "warning"
 * from compilers, assemblers, linkers and modpost; make's first
 * "*** ... Error N" only when no error was found.  0, or -1 on ENOMEM.
 */
int	 logsig_build(const char *log, size_t len, struct logsig *);
/*
 * Findings of a console log.  When failed is set and nothing else was
 * found, a "silence" finding holds the last lines before the log stopped.
 */
int	 logsig_console(const char *log, size_t len, int failed,
	    struct logsig *);
/* Free what the findings hold (NULL is a no-op). */
void	 logsig_free(struct logsig *);

#endif
