/*
 * storage.h: the artifacts in storage (storage.path), their one public
 * address (storage.url plus the path below storage.path), and their
 * copy on remote storage (storage.upload_url): one HTTP PUT of each file,
 * with the token of storage.token_env.
 *
 * An upload is recorded in the upload table only once the server took
 * the whole body (a 2xx); a file recorded there with the same size and
 * SHA-256 is never sent again.  A stage hands an artifact's row (the
 * build, the test, the checkout's tarball or patches, a job that names
 * a ramdisk) its URL only after its files are there, so nothing is
 * published at an address that does not exist yet: until then the work
 * stays where it is and a later run tries again.
 */
#ifndef STORAGE_H
#define STORAGE_H

struct buf;
struct config;
struct db;

/* The public URL of rel (a path below storage.path): caller frees. */
char		*storage_url(const struct config *, const char *rel);

/* The path below storage.path of a URL under storage.url, or NULL. */
const char	*storage_rel(const struct config *, const char *url);

enum storage_up {
	STORAGE_ERROR = -1,	/* the database failed (said) */
	STORAGE_SENT,		/* sent now */
	STORAGE_KEPT,		/* sent before, or no upload_url */
	STORAGE_PENDING		/* not there: said, in err; try later */
};

/*
 * Put the file rel (below storage.path) on remote storage unless it is
 * there; what names the work in messages.  err may be NULL.
 */
enum storage_up	 storage_upload(const struct config *, struct db *,
		    const char *rel, const char *what, struct buf *err);

/*
 * The same for what url names under storage.url: a file, or with a
 * trailing '/' every regular file below that directory (symbolic links
 * are not followed).  STORAGE_SENT when any file was sent; at the first
 * file that cannot be, STORAGE_PENDING.  A URL outside storage.url is
 * not ours to send: STORAGE_KEPT.
 */
enum storage_up	 storage_upload_url(const struct config *, struct db *,
		    const char *url, const char *what, struct buf *err);

#endif
