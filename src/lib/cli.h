/*
 * Commands for people and scripts: `maestrino checkout`, `results`,
 * `compare`, `retry`, `cancel`, `show`, `log`, `watch`, `bisect`,
 * `issues`.  One table says
 * what each is called, what it takes and what it does; `--help`, the
 * bash completion and the man page are made from it.
 */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

typedef int	 cli_fn(int argc, char **argv, const char *confdir);

struct cli_cmd {
	const char	*name;		/* "checkout" */
	const char	*synopsis;	/* what follows the name */
	const char	*summary;	/* one line for `maestrino --help` */
	/*
	 * Its options for completion, space separated; "=" after one
	 * that takes a value, "@" after the name of one that takes a
	 * file: "--patch=@ --build= --json".
	 */
	const char	*options;
	/* what its words complete to: "tree", "checkout", "job", "" */
	const char	*args;
	cli_fn		*fn;
};

extern const struct cli_cmd	cli_cmds[];

/* The command named name, or NULL. */
const struct cli_cmd	*cli_find(const char *name);

/*
 * The text summary `maestrino results` prints for checkout id (counts
 * by status, then each failure with its log): for `watch` to end with.
 * 0, 1 when there is no such checkout, -1 after a message.
 */
struct config;
struct db;
int	 cli_results_print(const struct config *, struct db *, long long id,
	    FILE *);

cli_fn	cli_checkout;
cli_fn	cli_issues;
cli_fn	cli_results;
cli_fn	cli_compare;
cli_fn	cli_show;
cli_fn	cli_log;
cli_fn	cli_retry;
cli_fn	cli_cancel;
cli_fn	cli_watch;
cli_fn	cli_bisect;
cli_fn	cli_completion;
cli_fn	cli_export;
cli_fn	cli_import;

#endif
