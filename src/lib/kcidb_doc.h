/*
 * kcidb_doc.h: KCIDB objects from the rows of the state database, for
 * the export.
 */
#ifndef KCIDB_DOC_H
#define KCIDB_DOC_H

#include <stddef.h>

struct json_t;
struct kcidb_row;

/* What every id is made of: <origin>:<instance>.<local id>. */
struct kcidb_ids {
	const char	*origin;
	const char	*instance;
};

/*
 * The KCIDB id of a local id (a job's, or c<n> for a checkout):
 * <origin>:<instance>.<local>, and .<path> after it for a test's when
 * path is not NULL.  Caller frees.
 */
char		*kcidb_local_id(const char *origin, const char *instance,
		    const char *local, const char *path);

/*
 * The object of a row, its strings masked (rows of older releases were
 * stored before their border masked secrets), not yet checked against
 * the schema.
 */
struct json_t	*kcidb_doc_object(const struct kcidb_ids *,
		    const struct kcidb_row *);

/* Roughly what a row weighs in its file, to bound a file's size. */
size_t		 kcidb_doc_bytes(const struct kcidb_row *);

#endif
