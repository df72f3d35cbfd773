/*
 * report_impl.h: what the files of the report stage share (report.c
 * records and sends, report_summary.c, report_bisect.c and
 * report_digest.c write the three kinds, report_text.c holds the text
 * helpers).  Not for other modules: report.h is the stage's interface.
 */
#ifndef REPORT_IMPL_H
#define REPORT_IMPL_H

#include <stddef.h>

#include "buf.h"

struct config;
struct db;
struct report_stats;
struct site_res;

#define REPORT_LIST_MAX		50	/* results listed in one section */
#define REPORT_LOG_LINES	5	/* lines of a finding shown */
#define REPORT_LINE_MAX		300	/* bytes of one line from outside */
#define REPORT_CC_MAX		20	/* people from a commit's trailers */

/* One run of the stage. */
struct report_ctx {
	const struct config	*cfg;
	struct db		*db;
	int			 dry_run;
	long long		 now;
	char			*from_addr;	/* settings.email.from's address */
	char			*instance;	/* the database's, for ids */
	struct report_stats	*stats;
	int			 failed;	/* a report could not be made */
};

/* A report being written, before it becomes a message. */
struct report_draft {
	const char	*kind;		/* summary, bisection, digest */
	char		*key;		/* "summary:12" */
	const char	*tree;
	const char	*branch;	/* "" for a tree's digest */
	char *const	*to;		/* the tree's report_to (borrowed) */
	char		**cc;		/* NULL-terminated, or NULL; owned */
	struct buf	 subject;
	struct buf	 body;
	/* what the report stands for, marked looked at with it */
	long long	 checkout;	/* or 0 */
	long long	 bisection;	/* or 0 */
};

/* An empty draft of kind for tree and branch (borrowed, not copied). */
void	 report_draft_init(struct report_draft *, const char *kind,
	    const char *tree, const char *branch);
/* Free what the draft owns: its key, cc, subject and body. */
void	 report_draft_release(struct report_draft *);

/*
 * Record the draft (or print it, on a dry run): its message made by
 * mail_format(), with its Message-ID and its place in the thread of its
 * tree and branch; in the same transaction, the checkout or bisection
 * it stands for marked looked at.  To and Cc addresses that mail cannot
 * go to, and those past MAIL_RCPT_MAX (To first), are left out with a
 * warning.  0; 1 when no message could be made of it all the same
 * (after an error message: it is recorded failed with why, and what it
 * stands for marked, so that no run tries it again); or -1 after an
 * error message.
 */
int	 report_record(struct report_ctx *, struct report_draft *);
/* Mark a checkout or bisection looked at, without a report. */
int	 report_mark(struct report_ctx *, long long checkout,
	    long long bisection);

/* The three kinds: 0, or -1 after an error message. */
int	 report_summary(struct report_ctx *, long long checkout);
int	 report_bisection(struct report_ctx *, long long bisection);
int	 report_digest(struct report_ctx *);

/* ---- text (report_text.c) ---- */

/*
 * Text from outside (a subject, a log line, a describe, a path) onto
 * b as one line: secrets masked, controls shown as \n, \x1b and the
 * like, at most REPORT_LINE_MAX bytes of it.
 */
void	 report_text(struct buf *b, const char *s);
/*
 * A log excerpt: at most REPORT_LOG_LINES of its lines, each as
 * report_text() makes it, after prefix.
 */
void	 report_lines(struct buf *b, const char *prefix, const char *s);
/*
 * A result as the site names it, after what it is: "build x86 x86_64
 * gcc", "test kselftest.timers on qemu (x86 x86_64)", "boot on qemu
 * (x86 x86_64)" (a boot's name says boot already).
 */
void	 report_result(struct buf *b, const struct site_res *r,
	    const char *what);
/* The site's URL of page rel, or NULL when the site has no base_url. */
char	*report_url(const struct report_ctx *, const char *rel);
/* "<url>" on a line of its own after indent, when the site has one. */
void	 report_link_line(const struct report_ctx *, struct buf *b,
	    const char *indent, const char *rel);
/* The closing lines of every report. */
void	 report_signature(const struct report_ctx *, struct buf *b);

#endif
