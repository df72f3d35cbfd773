/*
 * kcidb.h: the kcidb stage.  What the pipeline learned goes out as KCIDB
 * v5.3 I/O documents, built with jansson: every new or changed checkout,
 * build and test, and the culprit of every bisection as an issue with an
 * incident per build or test it is about, once, in files
 * <kcidb.output>/<UTC time>-<seq>.json, each checked against the
 * schema's rules before it is written, and optionally POSTed to a KCIDB
 * REST endpoint.
 */
#ifndef KCIDB_H
#define KCIDB_H

#include <stddef.h>

struct config;
struct db;
struct json_t;
struct buf;

struct kcidb_stats {
	size_t	checkouts;
	size_t	builds;
	size_t	tests;
	size_t	issues;		/* known, signatures, culprits */
	size_t	incidents;
	size_t	files;
	size_t	submitted;	/* files accepted by the endpoint */
	size_t	processed;
	size_t	failed;		/* submissions to try again */
	size_t	skipped;	/* objects left out against the schema */
};

/*
 * Export what is new or changed (everything with all), then submit the
 * files not yet accepted.  Returns -1 on a database error or when a
 * document breaks the schema (a bug: nothing is written), else 0.
 */
int	 kcidb_stage(const struct config *, struct db *, int all,
	    struct kcidb_stats *);

/* The version of the I/O schema written (and the latest one read). */
#define KCIDB_MAJOR		5
#define KCIDB_MINOR		3

/* A log excerpt holds at most this many code points: its last ones. */
#define KCIDB_EXCERPT_MAX	16384

/*
 * Check a document against the rules of the KCIDB v5.3 schema: known
 * keys only, no null, id and origin patterns, statuses, test paths,
 * hashes, RFC 3339 timestamps, absolute URIs, https repositories, no NUL
 * and log excerpts of at most 16384 code points.  0 if valid; else -1
 * with the first problem in why.
 */
int	 kcidb_validate(struct json_t *doc, struct buf *why);
/*
 * The same for one object of list 'c' (checkouts), 'b' (builds), 't'
 * (tests), 'i' (issues) or 'n' (incidents): the export checks each one,
 * so a bad row is left out alone.
 */
int	 kcidb_validate_object(struct json_t *o, char table, struct buf *why);
/*
 * The same for the document around the objects alone: its keys and its
 * version.
 */
int	 kcidb_validate_top(struct json_t *doc, struct buf *why);

/*
 * A JSON string from bytes that may hold NULs or invalid UTF-8 (from git
 * or a log): NULs are dropped, invalid sequences become U+FFFD.  With
 * tail > 0, only the last tail code points are kept.
 */
struct json_t	*kcidb_string(const char *s, size_t len, size_t tail);

#endif
