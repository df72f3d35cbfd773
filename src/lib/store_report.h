/*
 * store_report.h: the report table, and the marks on checkouts and
 * bisections that say the report stage has looked at them.  Every SQL
 * statement of the report stage is in store_report.c; each function
 * returns -1 after an error message naming what it could not read or
 * write.
 */
#ifndef STORE_REPORT_H
#define STORE_REPORT_H

#include <stddef.h>

struct db;

/* The states of a report. */
#define REPORT_PENDING	"pending"	/* recorded, not yet sent */
#define REPORT_SENT	"sent"		/* the SMTP server took it */
#define REPORT_WRITTEN	"written"	/* left as an .eml file */
#define REPORT_FAILED	"failed"	/* refused for good, or given up */

struct report_row {
	long long	 id;
	char		*kind;		/* summary, bisection, digest */
	char		*key;		/* "summary:12": unique */
	char		*tree;
	char		*branch;	/* "" for a tree's digest */
	char		*message_id;	/* "<...@...>" */
	char		*subject;
	char		*recipients;	/* JSON array of addresses */
	char		*retry_rcpts;	/* those still owed it, or NULL: all */
	char		*message;	/* the whole RFC 5322 text */
	size_t		 message_len;
	char		*state;
	long long	 attempts;
	long long	 next_try;	/* 0: at once */
	char		*error;		/* NULL when none */
	long long	 created;
	long long	 done;		/* 0 until sent, written or failed */
};

/* Free a row's strings (the row itself is the caller's), or a list. */
void	 store_report_release(struct report_row *);
void	 store_report_list_free(struct report_row *, size_t);

/* ---- what is left to report ---- */

/* Branch heads not yet looked at (reported 0), oldest first. */
int	 store_report_unreported_checkouts(struct db *, long long **ids,
	    size_t *n);
/* Bisections that are done and not yet looked at, oldest first. */
int	 store_report_unreported_bisections(struct db *, long long **ids,
	    size_t *n);
/*
 * Without settings.email: mark every branch head and finished
 * bisection looked at, so that turning reports on later does not mail
 * the past.  *n is how many were marked.
 */
int	 store_report_mark_all(struct db *, long long *n);

/* ---- writing; each in the caller's transaction ---- */

/* A checkout or a bisection was looked at (with or without a report). */
int	 store_report_checkout_done(struct db *, long long checkout);
int	 store_report_bisection_done(struct db *, long long bisection);
/*
 * Insert r (kind, key, tree, branch, message_id, subject, recipients,
 * message, created) as pending into r->id: 0, or 1 when a report with
 * its key exists already (nothing is written).
 */
int	 store_report_add(struct db *, struct report_row *r);
/* The server took it, or it was written as a file: state and done time. */
int	 store_report_finish(struct db *, long long id, const char *state,
	    const char *note, long long now);
/*
 * A failure that may pass: the attempts so far, the next try, the
 * recipients still owed it (a JSON array, NULL for all) and the reason.
 */
int	 store_report_retry(struct db *, long long id, long long attempts,
	    long long next_try, const char *retry_rcpts, const char *err);
/* Refused for good: failed, with the reason. */
int	 store_report_fail(struct db *, long long id, const char *err,
	    long long now);

/* ---- reading ---- */

/* Whether a report with key exists: 1 yes, 0 no. */
int	 store_report_exists(struct db *, const char *key);
/*
 * The thread of tree/branch: the message ids of its first report and
 * of its latest (both NULL when it has none; caller frees).  Failed
 * reports, which nobody received, are not part of it.
 */
int	 store_report_thread(struct db *, const char *tree, const char *branch,
	    char **root, char **last);
/* Pending reports due at now (next_try passed), oldest first. */
int	 store_report_due(struct db *, long long now, struct report_row **out,
	    size_t *n);
/* How many reports wait for a later try (pending, not yet due). */
int	 store_report_waiting(struct db *, long long now, long long *n);

#endif
