/*
 * tarball.h: the tarball stage.  A source tarball is read straight from
 * the bare mirror with libgit2 and written with libarchive; its content
 * equals `git -c tar.umask=022 archive --prefix=<name>/ <commit>` and its
 * bytes depend only on the commit and the compression.
 */
#ifndef TARBALL_H
#define TARBALL_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct config;
struct db;
struct git_repository;

struct tarball_result {
	char	sha256[65];	/* hex, as hash_hex() writes it */
	off_t	size;
	size_t	entries;
	int	write_errno;	/* why writing the file failed, or 0 */
};

/*
 * Write the tree of commit (hex) as a tar archive under directory prefix
 * (no trailing '/') to out_path, compressed with "gz", "xz" or "zst", and
 * fill res.  The file is written to a temporary name and renamed into
 * place only when complete.  what names the work in messages; the
 * message of a failure is also in err (may be NULL).
 */
int	 tarball_write(struct git_repository *, const char *commit,
	    const char *prefix, const char *compression, const char *out_path,
	    const char *what, struct tarball_result *res, struct buf *err);

/* The file extension of a compression: ".tar.gz", ".tar.xz", ".tar.zst". */
const char	*tarball_ext(const char *compression);

/*
 * The tarball's base name, without extension:
 * linux-<tree>-<branch>-<describe>, each part through safe_name() ('/'
 * becomes '_', a tag's "$(...)" is escaped, a long describe is cut with
 * a digest).  Caller frees.
 */
char	*tarball_name(const char *tree, const char *branch,
	    const char *describe);

struct tarball_stats {
	size_t	made;
	size_t	kept;
	size_t	failed;
	size_t	uploaded;
	size_t	deferred;	/* left for the next run (budget spent) */
};

/*
 * Make the tarballs of every checkout that needs one: new ones, failed
 * ones due for a retry, and done ones whose file is missing or no longer
 * matches (all of them re-hashed with verify).  Returns -1 only on a
 * database error.
 */
int	 tarball_stage(const struct config *, struct db *, int verify,
	    struct tarball_stats *st);

#endif
