/*
 * kbuild_pack.c: a directory a build installed into (modroot/,
 * kselftest/) packed into one archive, reproducibly: sorted, owned by
 * root, every entry's mtime the tree's (the commit time the tarball gave
 * src/Makefile), modes 0755 or 0644 by the owner's execute bit, links
 * kept as links and never followed, no gzip timestamp.
 */
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <ftw.h>

#include "buf.h"
#include "fs.h"
#include "kbuild_box.h"
#include "util.h"

/*
 * What the tree may install, at most: entries, and bytes of files in
 * all (each file is also at most ARTIFACT_MAX).
 */
#define PACK_ENTRIES_MAX	100000
#define PACK_BYTES_MAX		ARTIFACT_MAX

struct packer {
	struct archive		*ar;
	struct archive_entry	*e;
	size_t			 prefix;
	char			**paths;
	size_t			 n, alloc;
	size_t			 bytes;
};

static struct packer *the_packer;

static int
collect_path(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	struct packer *p = the_packer;

	(void)st;
	(void)ftw;
	if (flag != FTW_F && flag != FTW_D && flag != FTW_SL)
		return 0;
	if (strlen(path) <= p->prefix)
		return 0;
	if (p->n == PACK_ENTRIES_MAX)
		return 1;
	xgrow((void **)&p->paths, &p->alloc, p->n + 1, sizeof(*p->paths));
	p->paths[p->n++] = xstrdup(path);
	return 0;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One path below the packed root as an entry; -1 with the reason in err. */
static int
pack_entry(struct packer *p, const char *path, time_t mtime, struct buf *data,
    struct buf *err)
{
	struct stat st;
	char tgt[PATH_MAX];
	ssize_t n;

	if (lstat(path, &st) != 0)
		return 0;
	archive_entry_clear(p->e);
	archive_entry_copy_pathname(p->e, path + p->prefix);
	archive_entry_set_mtime(p->e, mtime, 0);
	archive_entry_set_uid(p->e, 0);
	archive_entry_set_gid(p->e, 0);
	archive_entry_set_uname(p->e, "root");
	archive_entry_set_gname(p->e, "root");
	buf_reset(data);
	if (S_ISDIR(st.st_mode)) {
		archive_entry_set_filetype(p->e, AE_IFDIR);
		archive_entry_set_perm(p->e, 0755);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlink(path, tgt, sizeof(tgt) - 1);
		tgt[n > 0 ? n : 0] = '\0';
		archive_entry_set_filetype(p->e, AE_IFLNK);
		archive_entry_set_perm(p->e, 0777);
		archive_entry_copy_symlink(p->e, tgt);
	} else {
		if (fs_read_untrusted(".", path, ARTIFACT_MAX, 0, data) !=
		    FS_READ_OK) {
			buf_addf(err, "cannot read '%s': it is not a regular "
			    "file of its own, or too large", path);
			return -1;
		}
		archive_entry_set_filetype(p->e, AE_IFREG);
		archive_entry_set_perm(p->e, st.st_mode & S_IXUSR ? 0755 :
		    0644);
		archive_entry_set_size(p->e, (la_int64_t)data->len);
		p->bytes += data->len;
		if (p->bytes > PACK_BYTES_MAX) {
			buf_addf(err, "more than %zu MiB of files", (size_t)
			    PACK_BYTES_MAX >> 20);
			return -1;
		}
	}
	if (archive_write_header(p->ar, p->e) != ARCHIVE_OK ||
	    (data->len && archive_write_data(p->ar, data->ptr, data->len) !=
	    (la_ssize_t)data->len)) {
		buf_addf(err, "cannot pack '%s': %s", path,
		    archive_error_string(p->ar));
		return -1;
	}
	return 0;
}

int
kbox_pack(const char *root, const char *out, time_t mtime,
    enum pack_filter filter, struct buf *err)
{
	struct packer p;
	struct afile af;
	struct buf data = BUF_INIT;
	char *why;
	size_t i;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(&af, 0, sizeof(af));
	p.prefix = strlen(root) + 1;
	the_packer = &p;
	rc = nftw(root, collect_path, 16, FTW_PHYS);
	if (rc != 0) {
		if (rc > 0)
			buf_addf(err, "more than %d entries", PACK_ENTRIES_MAX);
		else
			buf_addf(err, "cannot list '%s'", root);
		for (i = 0; i < p.n; i++)
			free(p.paths[i]);
		free(p.paths);
		return -1;
	}
	if (p.n > 1)
		qsort(p.paths, p.n, sizeof(*p.paths), cmp_paths);
	why = NULL;
	rc = fs_atomic_open_quiet(&af, out, 0, &why);
	if (rc != 0) {
		buf_puts(err, why);
		free(why);
	}
	p.ar = archive_write_new();
	p.e = archive_entry_new();
	archive_write_set_format_pax_restricted(p.ar);
	if (filter == PACK_XZ) {
		archive_write_add_filter_xz(p.ar);
		archive_write_set_options(p.ar, "xz:threads=2");
	} else {
		archive_write_add_filter_gzip(p.ar);
		archive_write_set_options(p.ar, "gzip:!timestamp");
	}
	archive_write_set_bytes_in_last_block(p.ar, 1);
	if (rc == 0 && archive_write_open_FILE(p.ar, af.fp) != ARCHIVE_OK) {
		buf_addf(err, "cannot write '%s': %s", out,
		    archive_error_string(p.ar));
		rc = -1;
	}
	for (i = 0; i < p.n && rc == 0; i++)
		rc = pack_entry(&p, p.paths[i], mtime, &data, err);
	if (archive_write_close(p.ar) != ARCHIVE_OK && rc == 0) {
		buf_addf(err, "cannot finish '%s': %s", out,
		    archive_error_string(p.ar));
		rc = -1;
	}
	archive_write_free(p.ar);
	archive_entry_free(p.e);
	for (i = 0; i < p.n; i++)
		free(p.paths[i]);
	free(p.paths);
	buf_release(&data);
	if (rc != 0) {
		fs_atomic_abort(&af);
		return -1;
	}
	if (fs_atomic_commit_quiet(&af, &why) != 0) {
		buf_puts(err, why);
		free(why);
		return -1;
	}
	return 0;
}
