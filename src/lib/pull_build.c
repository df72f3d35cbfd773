/*
 * pull_build.c: checking and taking in a build's result that an outside
 * executor made (pull_build.h).  The walk goes down by descriptors,
 * never through a link; the copy reopens every file the same way
 * (fs_copy_untrusted()), so what was checked is what is copied.
 */
#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>

#include "buf.h"
#include "fs.h"
#include "kbuild.h"
#include "kbuild_box.h"
#include "log.h"
#include "pull_build.h"
#include "util.h"

/* How deep dtbs/ goes (arch/arm64/boot/dts/<vendor>/ is 1 below it). */
#define DTBS_DEPTH	8
#define DTB_MAX		((size_t)16 << 20)

int
pull_name_ok(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= 128)
			return 0;
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    strchr("._,+-", name[i]) != NULL))
			return 0;
	}
	return 1;
}

/*
 * The bound of a file at the top of a result, 0 when it is not one the
 * worker leaves.
 */
static size_t
top_file_max(const char *name, const char *arch)
{
	static const struct {
		const char	*name;
		size_t		 max;
	} files[] = {
		{ "result.json", PULL_RESULT_MAX },
		{ "metadata.json", PULL_RESULT_MAX },
		{ "build.log", (size_t)256 << 20 },
		{ "config", (size_t)16 << 20 },
		{ "System.map", (size_t)64 << 20 },
		{ "modules.tar.xz", ARTIFACT_MAX },
		{ "kselftest.tar.gz", ARTIFACT_MAX },
	};
	const char *image;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (strcmp(name, files[i].name) == 0)
			return files[i].max;
	image = strrchr(kbuild_image(arch), '/');
	image = image ? image + 1 : kbuild_image(arch);
	return strcmp(name, image) == 0 ? ARTIFACT_MAX : 0;
}

struct take {
	const char	*base;
	const char	*rel;
	const char	*arch;
	const char	*dst;
	size_t		 files;
	size_t		 bytes;
};

/* The file sub of the result, as the messages name it (caller frees). */
static char *
shown(const struct take *t, const char *sub)
{
	char *dir, *p;

	dir = fs_join(t->base, t->rel);
	p = sub != NULL ? fs_join(dir, sub) : xstrdup(dir);
	free(dir);
	return p;
}

static int __attribute__((format(printf, 3, 4)))
refuse(const struct take *t, const char *sub, const char *fmt, ...)
{
	struct buf why = BUF_INIT;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	buf_vaddf(&why, fmt, ap);
	va_end(ap);
	p = shown(t, sub);
	error("'%s' %s; the result is refused", p, why.ptr);
	free(p);
	buf_release(&why);
	return -1;
}

/* Copy the checked file sub of the result into dst. */
static int
copy_one(const struct take *t, const char *sub, size_t max)
{
	enum fs_read r;
	char *rel, *to;

	rel = fs_join(t->rel, sub);
	to = fs_join(t->dst, sub);
	r = fs_mkdir_parent(to) == 0 ? fs_copy_untrusted(t->base, rel, to,
	    max) : FS_READ_ERROR;
	free(rel);
	free(to);
	if (r == FS_READ_OK)
		return 0;
	if (r == FS_READ_ERROR)
		return refuse(t, sub, "cannot be copied: %s", strerror(errno));
	return refuse(t, sub, "%s", fs_read_problem(r));
}

/*
 * Walk the directory fd, which is sub of the result (NULL: its top), at
 * depth (0 the top, 1 dtbs/, ...).
 */
static int
walk(struct take *t, int fd, const char *sub, int depth)
{
	struct dirent *de;
	struct stat st;
	size_t max;
	char *p;
	DIR *d;
	int cfd, rc;

	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return refuse(t, sub, "cannot be read");
	}
	rc = 0;
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = sub ? fs_join(sub, de->d_name) : xstrdup(de->d_name);
		if (!pull_name_ok(de->d_name)) {
			rc = refuse(t, p, "is not a name a build leaves");
		} else if (++t->files > PULL_FILES_MAX) {
			rc = refuse(t, NULL, "holds too many files");
		} else if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0) {
			rc = refuse(t, p, "cannot be read");
		} else if (S_ISLNK(st.st_mode)) {
			rc = refuse(t, p, "is a symbolic link");
		} else if (S_ISDIR(st.st_mode)) {
			if (depth == 0 ? strcmp(de->d_name, "dtbs") != 0 :
			    depth >= DTBS_DEPTH)
				rc = refuse(t, p, "is not a directory a build "
				    "leaves");
			else if ((cfd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC)) < 0)
				rc = refuse(t, p, "cannot be read");
			else
				rc = walk(t, cfd, p, depth + 1);
		} else if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
			rc = refuse(t, p, "%s", fs_read_problem(
			    FS_READ_NOT_FILE));
		} else {
			max = depth == 0 ? top_file_max(de->d_name, t->arch) :
			    str_ends(de->d_name, ".dtb") ? DTB_MAX : 0;
			if (max == 0)
				rc = refuse(t, p, "is not a file a build "
				    "leaves");
			else if ((size_t)st.st_size > max)
				rc = refuse(t, p, "is %lld bytes, more than "
				    "the %zu it may be", (long long)st.st_size,
				    max);
			else if ((t->bytes += (size_t)st.st_size) >
			    PULL_TOTAL_MAX)
				rc = refuse(t, NULL, "holds more than %zu bytes "
				    "in all", PULL_TOTAL_MAX);
			else if (t->dst != NULL)
				rc = copy_one(t, p, max);
		}
		free(p);
	}
	if (rc == 0 && errno != 0)
		rc = refuse(t, sub, "cannot be read");
	closedir(d);
	return rc;
}

/* Open rel below the directory fd, one name at a time, no link followed. */
static int
open_below(const struct take *t, int fd, const char *rel)
{
	struct stat st;
	const char *p, *slash;
	char *name;
	int next;

	for (p = rel; fd >= 0 && *p != '\0'; p = *slash ? slash + 1 : slash) {
		slash = strchr(p, '/');
		if (slash == NULL)
			slash = p + strlen(p);
		name = xstrndup(p, (size_t)(slash - p));
		next = -1;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			st.st_mode = 0;
		if (S_ISDIR(st.st_mode))
			next = openat(fd, name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		free(name);
		close(fd);
		fd = next;
		if (fd < 0)
			return refuse(t, NULL, "%s", S_ISLNK(st.st_mode) ?
			    "is a symbolic link" : st.st_mode == 0 ?
			    "is not there" : "is not a directory");
	}
	return fd;
}

int
pull_build_take(const char *base, const char *rel, const char *arch,
    const char *dst)
{
	struct take t;
	int bfd, fd;

	memset(&t, 0, sizeof(t));
	t.base = base;
	t.rel = rel;
	t.arch = arch ? arch : "";
	/* base is ours; rel is names below it, none of them a link */
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return refuse(&t, NULL, "cannot be read");
	/* all of it checked first: a refused result leaves nothing */
	if ((fd = open_below(&t, bfd, rel)) < 0 || walk(&t, fd, NULL, 0) != 0)
		return -1;
	if (dst == NULL)
		return 0;
	t.dst = dst;
	t.files = 0;
	t.bytes = 0;
	if (fs_remove_tree(dst) != 0 || fs_mkdir_p(dst) != 0)
		return refuse(&t, NULL, "cannot be stored");
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0 || (fd = open_below(&t, bfd, rel)) < 0 ||
	    walk(&t, fd, NULL, 0) != 0) {
		fs_remove_tree(dst);
		return -1;
	}
	return 0;
}
