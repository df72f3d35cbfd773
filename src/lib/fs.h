/*
 * fs.h: files and directories.  Every output file is written to a
 * temporary file in the same directory and renamed into place, so a
 * reader never sees half a file.
 */
#ifndef FS_H
#define FS_H

#include <stdio.h>
#include <stddef.h>

struct buf;

/* Create dir and its parents (mode 0755); error() on failure. */
int	 fs_mkdir_p(const char *dir);
/* Create the parent directories of path. */
int	 fs_mkdir_parent(const char *path);
/* True when path exists (any type). */
int	 fs_exists(const char *path);
/* True when path is a directory. */
int	 fs_is_dir(const char *path);
/* Join a and b with one '/'; b absolute wins.  Caller frees. */
char	*fs_join(const char *a, const char *b);
/* path made absolute against the working directory.  Caller frees. */
char	*fs_absolute(const char *path);
/* Remove path and everything below it; a missing path is no error. */
int	 fs_remove_tree(const char *path);

/*
 * An output file being written: fs_atomic_open() creates "<path>.tmp-*"
 * in the same directory, fs_atomic_commit() flushes, optionally fsyncs
 * and renames it over path, fs_atomic_abort() removes it.
 */
struct afile {
	FILE	*fp;
	char	*path;
	char	*tmp;
	int	 sync;
};

int	 fs_atomic_open(struct afile *af, const char *path, int sync);
int	 fs_atomic_commit(struct afile *af);
/*
 * The same, printing nothing: a problem is described in *why (malloc'd),
 * for threads that must not print.
 */
int	 fs_atomic_open_quiet(struct afile *af, const char *path, int sync,
	    char **why);
int	 fs_atomic_commit_quiet(struct afile *af, char **why);
void	 fs_atomic_abort(struct afile *af);
/* Write data to path atomically. */
int	 fs_write_atomic(const char *path, const void *data, size_t len,
	    int sync);
/*
 * Write data to path atomically only if the file does not already hold
 * exactly these bytes.  Return 1 if written, 0 if unchanged, -1 on error.
 */
int	 fs_write_if_changed(const char *path, const void *data, size_t len);
/* Copy src to dst atomically (dst's directory is created). */
int	 fs_copy_file(const char *src, const char *dst);
/* Remove leftover "*.tmp-*" files in dir (after a crash). */
void	 fs_clean_tmp(const char *dir);
/* The same in dir and every directory below it. */
void	 fs_clean_tmp_tree(const char *dir);

/*
 * Reading a file that someone outside made (a lab's results, what a
 * build left in its work directory).  rel is opened below the trusted
 * directory base one component at a time, never through a symbolic
 * link, and the file must be a regular one of its own (a FIFO would
 * block, a device never end, a hard link could be any file of ours).  At most max bytes are read: with tail, the last
 * max bytes of a longer file; without, a longer file is FS_READ_TOO_BIG.
 */
enum fs_read {
	FS_READ_OK,
	FS_READ_MISSING,	/* no such file */
	FS_READ_NOT_FILE,	/* a link, FIFO, device, socket or directory */
	FS_READ_TOO_BIG,	/* larger than max (without tail) */
	FS_READ_ERROR		/* errno says why */
};
enum fs_read	 fs_read_untrusted(const char *base, const char *rel,
		    size_t max, int tail, struct buf *out);
/*
 * Copy rel below base to dst (atomically), read as fs_read_untrusted()
 * reads; at most max bytes.
 */
enum fs_read	 fs_copy_untrusted(const char *base, const char *rel,
		    const char *dst, size_t max);
/* "is a FIFO", "is larger than 16777216 bytes", ...: for messages. */
const char	*fs_read_problem(enum fs_read);
/*
 * Rename rel below base to rel + suffix, whatever it is, without
 * following a link in its path; -1 with errno set on failure.
 */
int	 fs_set_aside(const char *base, const char *rel, const char *suffix);

/*
 * The data-dir lock: an exclusive flock on "<dir>/lock".  Return 0 when
 * taken, 1 when another process holds it (its pid in *holder, if known),
 * -1 on error.  A lock fd inherited through MAESTRINO_LOCK_FD from the
 * `maestrino run` that holds it counts as taken.  The lock is dropped at
 * exit.
 */
int	 fs_lock(const char *dir, long *holder);
/* The fd of the held lock, or -1. */
int	 fs_lock_fd(void);

#endif
