/*
 * store_issue.h: the issue, incident and finding tables, as the site,
 * the reports, KCIDB and the CLI read them.  The triage (triage.c)
 * writes them.  Each function returns -1 after an error message.
 */
#ifndef STORE_ISSUE_H
#define STORE_ISSUE_H

#include <stddef.h>

struct db;

/* What a log said: one finding of a build or a test job's log. */
struct finding_row {
	int		 n;		/* 0, 1, ... in log order */
	char		*type;		/* logsig kind: "error", "panic", ... */
	char		*summary;	/* one line */
	char		*issue_id;	/* its signature issue, "sig-..." */
	char		*lines;		/* the log lines it came from */
	long long	 line;		/* 1-based, in the log */
	char		*file;		/* compiler findings, else NULL */
	long long	 file_line;
	long long	 count;		/* times seen in that log */
};

struct issue_row {
	char		*id;		/* config id, or "sig-<hash>" */
	char		*kind;		/* "known" or "signature" */
	char		*title;
	char		*report_url;	/* NULL if none */
	char		*culprit;	/* code, tool, harness */
	char		*finding_kind;	/* signatures: the logsig kind */
	char		*signature;	/* signatures: the normalised text */
	long long	 version;
	int		 active;	/* known: still in the config */
	long long	 created;
	/* over present incidents (0 when none) */
	long long	 incidents;
	long long	 first_seen;	/* unix times */
	long long	 last_seen;
	long long	 checkouts;
	long long	 platforms;
	long long	 trees;
	long long	 gen;
};

/* An incident with where it happened, for an issue's page. */
struct incident_row {
	char		*kind;		/* "build" or "test" */
	long long	 ref;
	long long	 checkout_id;
	char		*tree;
	char		*branch;
	char		*describe;
	char		*commit;
	char		*build;		/* config name */
	char		*arch;
	char		*platform;	/* tests, else NULL */
	char		*path;		/* tests, else NULL */
	char		*status;
	long long	 seen;
	long long	 version;
	int		 present;
};

/* The findings of a build or a test (kind "build" or "test"), in order. */
int	 store_findings(struct db *, const char *kind, long long ref,
	    struct finding_row **, size_t *);
/*
 * The findings of a test's job: those of the test they hang on (its
 * boot result, or the first), which may not be ref itself.
 */
int	 store_test_findings(struct db *, long long test_id,
	    struct finding_row **, size_t *);
void	 store_findings_free(struct finding_row *, size_t);

/*
 * Every issue, with its counts: known ones still in the config and
 * signatures, or with all set also known issues the config dropped.
 * Ordered by last seen, newest first.
 */
int	 store_issues(struct db *, int all, struct issue_row **, size_t *);
/* One issue by id; 1 when there is none. */
int	 store_issue_get(struct db *, const char *id, struct issue_row *);
/*
 * The issues a build or test shows (present incidents of active
 * issues): known ones first, then signatures.
 */
int	 store_result_issues(struct db *, const char *kind, long long ref,
	    struct issue_row **, size_t *);
/*
 * Whether issue id was shown (a present incident) by a result of a
 * branch head of tree/branch older than checkout before: into *seen.
 */
int	 store_issue_seen_before(struct db *, const char *id, const char *tree,
	    const char *branch, long long before, int *seen);
/* The incidents of an issue, newest first, at most limit (0: all). */
int	 store_incidents(struct db *, const char *issue_id, size_t limit,
	    struct incident_row **, size_t *);
void	 store_issue_release(struct issue_row *);
void	 store_issues_free(struct issue_row *, size_t);
void	 store_incidents_free(struct incident_row *, size_t);

#endif
