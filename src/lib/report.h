/*
 * report.h: the report stage.  It mails what the pipeline learnt: a
 * summary of each new branch head once it has finished (when it brings
 * new regressions or fixes, or always with settings.email.always), a
 * report of each bisection that found its culprit, and a weekly digest
 * of the regressions still open.  Each message is recorded whole in the
 * report table before it is sent, and marked sent after, so a crash
 * loses nothing; without settings.email.smtp_url the messages are
 * written as .eml files instead.  docs/reports.md says it for people.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

struct config;
struct db;

struct report_stats {
	long	checkouts;	/* branch heads looked at */
	long	summaries;	/* reports recorded, by kind */
	long	bisections;
	long	digests;
	long	sent;		/* taken by the SMTP server */
	long	written;	/* left as .eml files */
	long	retry;		/* to be tried again by a later run */
	long	failed;		/* refused for good */
};

/*
 * Look at what is new, record its reports and send every report that
 * is due.  With dry_run, print each report that would be recorded and
 * name those that would be sent, to stdout, and change nothing.  0 when
 * all went well, 1 when a report could not be made or sent (it is
 * tried again, or it failed for good and says why), -1 after an error
 * message on a database error.
 */
int	 report_stage(const struct config *, struct db *, int dry_run,
	    struct report_stats *);

/*
 * The people a commit message names in the trailers of its last
 * paragraph (Signed-off-by, Reviewed-by, Acked-by, Cc): the addresses
 * that mail_address_from_trailer() takes, each once (compared without
 * case), at most max of them, in order.  The paragraph counts only when
 * at least half of its lines are "Token: value" trailers, as git's own
 * parser wants most of them to be.  A NULL-terminated list, never NULL;
 * free it with report_list_free().
 */
char	**report_trailer_addresses(const char *message, size_t max);
void	 report_list_free(char **);

/*
 * The ISO 8601 week of t (UTC) as "2025-W01" into out (at least 16
 * bytes); the digest's key has it.
 */
void	 report_iso_week(long long t, char *out, size_t len);

#endif
