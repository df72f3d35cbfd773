/*
 * store_upload.h: the upload table, one row per file below storage.path
 * that was sent to storage.upload_url or tried: its size and SHA-256,
 * when the server took it (NULL while it has not), and the last error.
 */
#ifndef STORE_UPLOAD_H
#define STORE_UPLOAD_H

#include "hash.h"

struct db;

struct upload_row {
	long long	size;
	char		sha256[HASH_HEX];
	long long	uploaded_at;	/* 0: not on the server */
	long long	attempts;	/* failed ones */
};

/* The row of path into *out: 0, 1 when there is none, -1 on error. */
int	 store_upload_get(struct db *, const char *path,
	    struct upload_row *out);
/* path, of size bytes with sha256, is on the server since when. */
int	 store_upload_done(struct db *, const char *path, long long size,
	    const char *sha256, long long when);
/* path could not be sent (at when, for why): one more failed attempt. */
int	 store_upload_failed(struct db *, const char *path, long long size,
	    const char *sha256, const char *why, long long when);
/* The number of files tried and not on the server, into *n. */
int	 store_upload_pending(struct db *, long long *n);

#endif
