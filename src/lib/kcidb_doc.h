/*
 * kcidb_doc.h: KCIDB objects from the rows of the state database, for
 * the export.
 */
#ifndef KCIDB_DOC_H
#define KCIDB_DOC_H

#include <stddef.h>

struct config;
struct json_t;
struct kcidb_row;

/*
 * What every id is made of: <origin>:<instance>.<local id>; and the
 * config, for the links of an issue (NULL: none).
 */
struct kcidb_ids {
	const char		*origin;
	const char		*instance;
	const struct config	*cfg;
};

/*
 * The KCIDB id of a local id (a job's, or c<n> for a checkout):
 * <origin>:<instance>.<local>, and .<path> after it for a test's when
 * path is not NULL.  Caller frees.
 */
char		*kcidb_local_id(const char *origin, const char *instance,
		    const char *local, const char *path);

/* The KCIDB id of a build, and of a test, from their job id and path. */
char		*kcidb_build_id(const struct kcidb_ids *, const char *job_id);
char		*kcidb_test_id(const struct kcidb_ids *, const char *job_id,
		    const char *path);

/*
 * What a thread keeps from one test object to the next: its misc and
 * environment, which the next test often has too, and the object itself,
 * made again in place for a test with the same keys (all zero at first;
 * freed by kcidb_memo_release).
 */
struct kcidb_memo {
	char		*misc_text;
	struct json_t	*misc;
	char		*compatible;
	char		*platform;
	struct json_t	*env;
	struct json_t	*test;
	unsigned	 test_shape;
	long long	 start;		/* its start_time */
	struct json_t	*values[12];	/* its values, held by it */
};
void		 kcidb_memo_release(struct kcidb_memo *);

/*
 * The object of a checkout, build, test, issue or incident row (NULL
 * for an incident whose result has no KCIDB id), its strings masked
 * (rows of older releases were stored before their border masked
 * secrets), not yet checked against the schema.  With a memo (or NULL),
 * a test may share members with the test made before.
 */
struct json_t	*kcidb_doc_object(const struct kcidb_ids *,
		    struct kcidb_memo *, const struct kcidb_row *);

/*
 * The issue of a bisection row with a culprit (its id
 * <origin>:<instance>.bisect-<id>), and into incidents (an array) one
 * incident per build or test it is about, masked, not yet checked.
 */
struct json_t	*kcidb_doc_issue(const struct kcidb_ids *,
		    const struct kcidb_row *, struct json_t *incidents);

/* The version of every issue exported: see docs/kcidb.md. */
#define KCIDB_ISSUE_VERSION	1

/* How many objects a row makes. */
size_t		 kcidb_doc_objects(const struct kcidb_row *);

/* Roughly what a row weighs in its file, to bound a file's size. */
size_t		 kcidb_doc_bytes(const struct kcidb_row *);

#endif
