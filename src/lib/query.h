/*
 * query.h: what `maestrino results`, `compare`, `show` and `log` read
 * from the database besides what the site reads (store_site.h) and the
 * rows of store_build.h, store_test.h and store_job.h.  Every SQL
 * statement of these commands is in query_store.c; each function
 * returns -1 after an error message naming what it could not read.
 */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

struct db;

/* A branch with head checkouts, and its latest. */
struct query_branch {
	char		*tree;
	char		*branch;
	long long	 latest;
};

struct query_branches {
	struct query_branch	*v;
	size_t			 n;
	size_t			 alloc;
};

/*
 * The branches with head checkouts (kind 'head'), of tree when it is
 * not NULL and of branch too when that is not NULL, by tree and
 * branch, each with its latest head checkout.
 */
int	 query_branches(struct db *, const char *tree, const char *branch,
	    struct query_branches *);
void	 query_branches_release(struct query_branches *);
/* 1 when tree is configured or was polled, 0 when not. */
int	 query_tree_known(struct db *, const char *tree);
/* The build job made (*id 0 for none): 0, -1. */
int	 query_job_build(struct db *, const char *job, long long *id);
/*
 * The logs of test job: its LAVA log (the whole log, as the lab wrote
 * it) and its console, from its first result; each NULL when none.
 */
int	 query_job_test_logs(struct db *, const char *job, char **lava,
	    char **console);

#endif

/* What the commands share (query_cli.c). */
struct config;
struct stage;

/*
 * Load the config from confdir and open the state database read-only,
 * taking no lock (a run may go on beside).  0; 1 when there is no
 * database yet (after a message naming it); -1 after an error message.
 */
int	 query_open(struct stage *, const char *name, const char *confdir);
/* Text from outside for people: secrets masked, controls shown. */
void	 query_put(FILE *, const char *s);
/* Print a JSON document and a newline; 0, -1 after a message. */
int	 query_print_json(FILE *, json_t *, size_t flags);
/*
 * The path below storage.path of a file url names, when url is under
 * storage.url (percent escapes decoded, a query or fragment dropped):
 * NULL when it is not, or when it names no plain path below it (empty,
 * absolute, a ".." component, a NUL).  Caller frees.
 */
char	*query_storage_rel(const struct config *, const char *url);
/* A checkout id from an argument: 0, -1 after a message (usage). */
int	 query_parse_id(const char *what, const char *arg, long long *id);
