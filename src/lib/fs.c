/*
 * fs.c: directories, atomic files and the data-dir lock.
 */
#include <sys/file.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>

#include "buf.h"
#include "fs.h"
#include "log.h"
#include "util.h"

static int lock_fd = -1;

int
fs_mkdir_p(const char *dir)
{
	char *p, *s;
	int rc;

	rc = 0;
	p = xstrdup(dir);
	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (s[-1] != '/') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST)
				rc = error("cannot create directory '%s': %s",
				    p, strerror(errno));
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	if (rc == 0 && !fs_is_dir(dir))
		rc = error("'%s' exists and is not a directory", dir);
	free(p);
	return rc;
}

int
fs_mkdir_parent(const char *path)
{
	char *p, *slash;
	int rc;

	p = xstrdup(path);
	slash = strrchr(p, '/');
	rc = 0;
	if (slash != NULL && slash != p) {
		*slash = '\0';
		/* the common case, with one system call */
		if (!fs_is_dir(p))
			rc = fs_mkdir_p(p);
	}
	free(p);
	return rc;
}

int
fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
fs_join(const char *a, const char *b)
{
	size_t n;

	if (b[0] == '/' || a[0] == '\0')
		return xstrdup(b);
	n = strlen(a);
	if (a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

char *
fs_absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
		return fs_join(cwd, path);
	return xstrdup(path);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

int
fs_remove_tree(const char *path)
{
	if (!fs_exists(path))
		return 0;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return error("cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

/* Does the umask take bits from 0644?  Then files need an fchmod. */
static int
umask_restrictive(void)
{
	static int known = -1;
	mode_t m;

	if (known < 0) {
		m = umask(022);
		umask(m);
		known = (m & 0644) != 0;
	}
	return known;
}

/* Create "<path>.tmp-XXXXXX", mode 0644 whatever the umask. */
static int
create_tmp(char **tmp, const char *path)
{
	static unsigned long seq;
	unsigned long r;
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		r = (unsigned long)getpid() * 2654435761UL ^
		    __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED) ^
		    (unsigned long)now_monotonic() * 1000003UL;
		free(*tmp);
		*tmp = xasprintf("%s.tmp-%06lx", path, r & 0xffffff);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd >= 0 && umask_restrictive() && fchmod(fd, 0644) != 0) {
		close(fd);
		unlink(*tmp);
		return -1;
	}
	return fd;
}

int
fs_atomic_open_quiet(struct afile *af, const char *path, int sync, char **why)
{
	int fd, e;

	af->fp = NULL;
	af->path = xstrdup(path);
	af->tmp = NULL;
	af->sync = sync;
	fd = create_tmp(&af->tmp, path);
	if (fd < 0 && errno == ENOENT) {
		char *dir = xstrdup(path), *slash = strrchr(dir, '/');

		if (slash != NULL && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0755);
		}
		free(dir);
		fd = create_tmp(&af->tmp, path);
	}
	if (fd < 0) {
		e = errno;
		*why = xasprintf("cannot create '%s': %s", af->tmp,
		    strerror(e));
		goto fail;
	}
	af->fp = fdopen(fd, "w");
	if (af->fp == NULL) {
		e = errno;
		*why = xasprintf("cannot open '%s': %s", af->tmp,
		    strerror(e));
		close(fd);
		unlink(af->tmp);
		goto fail;
	}
	return 0;
fail:
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	errno = e;	/* the caller may want to know why */
	return -1;
}

int
fs_atomic_open(struct afile *af, const char *path, int sync)
{
	char *why;

	why = NULL;
	if (fs_mkdir_parent(path) != 0)
		return -1;
	if (fs_atomic_open_quiet(af, path, sync, &why) != 0) {
		int e = errno;

		error("%s", why);
		free(why);
		errno = e;
		return -1;
	}
	return 0;
}

int
fs_atomic_commit_quiet(struct afile *af, char **why)
{
	int rc, e;

	rc = 0;
	e = 0;
	if (fflush(af->fp) != 0 || ferror(af->fp)) {
		rc = -1;
		e = errno;
	} else if (af->sync && fsync(fileno(af->fp)) != 0) {
		rc = -1;
		e = errno;
	}
	if (fclose(af->fp) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	af->fp = NULL;
	if (rc != 0)
		*why = xasprintf("cannot write '%s': %s", af->path,
		    strerror(e ? e : EIO));
	if (rc == 0 && rename(af->tmp, af->path) != 0) {
		e = errno;
		*why = xasprintf("cannot rename '%s' to '%s': %s", af->tmp,
		    af->path, strerror(e));
		rc = -1;
	}
	if (rc != 0)
		unlink(af->tmp);
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	/* the caller may want to know why */
	if (rc != 0)
		errno = e ? e : EIO;
	return rc;
}

int
fs_atomic_commit(struct afile *af)
{
	char *why;
	int rc;

	why = NULL;
	rc = fs_atomic_commit_quiet(af, &why);
	if (rc != 0) {
		int e = errno;

		error("%s", why);
		free(why);
		errno = e;
	}
	return rc;
}

void
fs_atomic_abort(struct afile *af)
{
	if (af->fp != NULL)
		fclose(af->fp);
	if (af->tmp != NULL)
		unlink(af->tmp);
	free(af->path);
	free(af->tmp);
	af->fp = NULL;
	af->path = af->tmp = NULL;
}

int
fs_write_atomic(const char *path, const void *data, size_t len, int sync)
{
	struct afile af;

	if (fs_atomic_open(&af, path, sync) != 0)
		return -1;
	if (len > 0 && fwrite(data, 1, len, af.fp) != len) {
		error("cannot write '%s': %s", path, strerror(errno));
		fs_atomic_abort(&af);
		return -1;
	}
	return fs_atomic_commit(&af);
}

int
fs_write_if_changed(const char *path, const void *data, size_t len)
{
	struct buf old = BUF_INIT;
	struct stat st;
	int same;

	/* compare only with a file of the same size */
	same = stat(path, &st) == 0 && (size_t)st.st_size == len &&
	    buf_read_file(&old, path) == 0 && old.len == len &&
	    memcmp(old.ptr, data, len) == 0;
	buf_release(&old);
	if (same)
		return 0;
	if (fs_write_atomic(path, data, len, 0) != 0)
		return -1;
	return 1;
}

int
fs_copy_file(const char *src, const char *dst)
{
	char b[1 << 16];
	struct afile af;
	size_t n;
	FILE *in;

	in = fopen(src, "rb");
	if (in == NULL)
		return error("cannot read '%s': %s", src, strerror(errno));
	if (fs_atomic_open(&af, dst, 0) != 0) {
		fclose(in);
		return -1;
	}
	while ((n = fread(b, 1, sizeof(b), in)) > 0) {
		if (fwrite(b, 1, n, af.fp) != n)
			break;
	}
	if (ferror(in) || ferror(af.fp)) {
		error("cannot copy '%s' to '%s': %s", src, dst,
		    strerror(errno));
		fclose(in);
		fs_atomic_abort(&af);
		return -1;
	}
	fclose(in);
	return fs_atomic_commit(&af);
}

void
fs_clean_tmp(const char *dir)
{
	struct dirent *de;
	DIR *d;
	char *p;

	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".tmp-") == NULL)
			continue;
		p = fs_join(dir, de->d_name);
		if (unlink(p) == 0)
			debug("removed leftover '%s'", p);
		free(p);
	}
	closedir(d);
}

static int
clean_one(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	(void)sb;
	if (type == FTW_F && strstr(path + ftw->base, ".tmp-") != NULL &&
	    unlink(path) == 0)
		debug("removed leftover '%s'", path);
	return 0;
}

void
fs_clean_tmp_tree(const char *dir)
{
	(void)nftw(dir, clean_one, 16, FTW_PHYS);
}

static int
inherited_lock(const char *path)
{
	struct stat a, b;
	const char *v;
	long fd;

	v = getenv("MAESTRINO_LOCK_FD");
	if (v == NULL || parse_long(v, 0, INT_MAX, &fd) != 0)
		return -1;
	if (fstat((int)fd, &a) != 0 || stat(path, &b) != 0)
		return -1;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return -1;
	/* The same open file description: flock converts, never blocks. */
	if (flock((int)fd, LOCK_EX | LOCK_NB) != 0)
		return -1;
	return (int)fd;
}

int
fs_lock(const char *dir, long *holder)
{
	char *path, pid[32];
	ssize_t n;
	int fd, rc;

	if (lock_fd >= 0)
		return 0;
	path = fs_join(dir, "lock");
	rc = -1;
	fd = inherited_lock(path);
	if (fd >= 0) {
		lock_fd = fd;
		rc = 0;
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		error("cannot open lock '%s': %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			error("cannot lock '%s': %s", path, strerror(errno));
			close(fd);
			goto out;
		}
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (holder != NULL && parse_long(pid, 1, LONG_MAX, holder) != 0)
			*holder = 0;
		close(fd);
		rc = 1;
		goto out;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
		warning("cannot write pid to '%s': %s", path, strerror(errno));
	lock_fd = fd;
	rc = 0;
out:
	free(path);
	return rc;
}

int
fs_lock_fd(void)
{
	return lock_fd;
}

/*
 * Open the directory holding the last component of rel below base, with
 * no link followed below base; *leaf points at that component.
 */
static int
open_parent(const char *base, const char *rel, const char **leaf)
{
	const char *p, *slash;
	char *part;
	int dfd, next;

	dfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	for (p = rel; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		if (slash == p)
			continue;
		part = xstrndup(p, (size_t)(slash - p));
		next = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		free(part);
		close(dfd);
		if (next < 0)
			return -1;
		dfd = next;
	}
	*leaf = p;
	return dfd;
}

/*
 * Open rel below base as fs_read_untrusted() reads it: the fd in *fdp
 * and its size in *size, or what is wrong with it.
 */
static enum fs_read
open_untrusted(const char *base, const char *rel, int *fdp, size_t *size)
{
	const char *leaf;
	struct stat st;
	int dfd, fd, saved;

	dfd = open_parent(base, rel, &leaf);
	if (dfd < 0)
		return errno == ENOENT ? FS_READ_MISSING : errno == ELOOP ||
		    errno == ENOTDIR ? FS_READ_NOT_FILE : FS_READ_ERROR;
	fd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	saved = errno;
	close(dfd);
	if (fd < 0) {
		errno = saved;
		return errno == ENOENT ? FS_READ_MISSING : errno == ELOOP ||
		    errno == ENXIO ? FS_READ_NOT_FILE : FS_READ_ERROR;
	}
	if (fstat(fd, &st) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return FS_READ_ERROR;
	}
	/* a hard link could be any file of ours: only a file of its own */
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		close(fd);
		return FS_READ_NOT_FILE;
	}
	*fdp = fd;
	*size = (size_t)st.st_size;
	return FS_READ_OK;
}

enum fs_read
fs_read_untrusted(const char *base, const char *rel, size_t max, int tail,
    struct buf *out)
{
	enum fs_read r;
	char tmp[65536];
	size_t want, size;
	ssize_t n;
	off_t off;
	int fd, saved;

	r = open_untrusted(base, rel, &fd, &size);
	if (r != FS_READ_OK)
		return r;
	if (size > max && !tail) {
		close(fd);
		return FS_READ_TOO_BIG;
	}
	off = tail && size > max ? (off_t)(size - max) : 0;
	if (off > 0 && lseek(fd, off, SEEK_SET) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return FS_READ_ERROR;
	}
	/* it may still grow: never read more than max */
	while (out->len < max) {
		want = max - out->len < sizeof(tmp) ? max - out->len :
		    sizeof(tmp);
		n = read(fd, tmp, want);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return FS_READ_ERROR;
		}
		buf_add(out, tmp, (size_t)n);
	}
	close(fd);
	return FS_READ_OK;
}

const char *
fs_read_problem(enum fs_read r)
{
	switch (r) {
	case FS_READ_OK:
		return "was read";
	case FS_READ_MISSING:
		return "does not exist";
	case FS_READ_NOT_FILE:
		return "is not a regular file of its own (a link, hard link, "
		    "FIFO, device or directory)";
	case FS_READ_TOO_BIG:
		return "is larger than the limit";
	case FS_READ_ERROR:
		break;
	}
	return strerror(errno);
}

int
fs_set_aside(const char *base, const char *rel, const char *suffix)
{
	const char *leaf;
	char *to;
	int dfd, rc, saved;

	dfd = open_parent(base, rel, &leaf);
	if (dfd < 0)
		return -1;
	to = xasprintf("%s%s", leaf, suffix);
	rc = renameat(dfd, leaf, dfd, to);
	saved = errno;
	free(to);
	close(dfd);
	errno = saved;
	return rc;
}

enum fs_read
fs_copy_untrusted(const char *base, const char *rel, const char *dst,
    size_t max)
{
	struct afile af;
	enum fs_read r;
	char tmp[65536];
	size_t size, total;
	ssize_t n;
	int fd, saved;

	r = open_untrusted(base, rel, &fd, &size);
	if (r != FS_READ_OK)
		return r;
	if (size > max) {
		close(fd);
		return FS_READ_TOO_BIG;
	}
	if (fs_mkdir_parent(dst) != 0 || fs_atomic_open(&af, dst, 0) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return FS_READ_ERROR;
	}
	total = 0;
	r = FS_READ_OK;
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (total += (size_t)n) > max ||
		    fwrite(tmp, 1, (size_t)n, af.fp) != (size_t)n) {
			r = n >= 0 && total > max ? FS_READ_TOO_BIG :
			    FS_READ_ERROR;
			break;
		}
	}
	saved = errno;
	close(fd);
	if (r != FS_READ_OK) {
		fs_atomic_abort(&af);
		errno = saved;
		return r;
	}
	return fs_atomic_commit(&af) == 0 ? FS_READ_OK : FS_READ_ERROR;
}
