/*
 * tarball.c: source tarballs from bare mirrors, and the tarball stage.
 */
#include <archive.h>
#include <archive_entry.h>
#include <git2.h>
#include <fcntl.h>
#include <locale.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "hash.h"
#include "log.h"
#include "pgz.h"
#include "repo.h"
#include "retry.h"
#include "safe.h"
#include "storage.h"
#include "store_checkout.h"
#include "tarball.h"
#include "util.h"

/* What the archive writer needs while walking the tree. */
struct walk {
	git_repository		*repo;
	struct archive		*ar;
	struct archive_entry	*entry;
	const char		*prefix;
	const char		*what;
	time_t			 mtime;
	int			 check_attrs;
	git_attr_options	 attr_opts;
	size_t			 done;
	size_t			 total;
	int			 failed;
	struct buf		 path;
	struct buf		*err;	/* why it failed */
};

/*
 * The output side: the temporary file and the running hash, behind the
 * parallel gzip writer for gz.
 */
struct sink {
	FILE		*fp;
	struct hash	*md;
	struct pgz	*gz;
	off_t		 size;
	int		 err;
};

/* libdeflate's level for gz: its default, smaller and faster than zlib's 6 */
#define GZ_LEVEL	6
/*
 * At most this many gz threads: each holds about 4 MiB of blocks, and
 * the reading cannot feed more.  The bytes are the same for any number.
 */
#define GZ_THREADS	16

static const char *
git_msg(void)
{
	const git_error *e;

	e = git_error_last();
	return e != NULL && e->message != NULL ? e->message : "unknown error";
}

const char *
tarball_ext(const char *compression)
{
	if (strcmp(compression, "xz") == 0)
		return ".tar.xz";
	if (strcmp(compression, "zst") == 0)
		return ".tar.zst";
	return ".tar.gz";
}

char *
tarball_name(const char *tree, const char *branch, const char *describe)
{
	char *t, *b, *d, *name;

	/* each part through the one sanitiser; config_load() refuses trees
	 * and branches whose parts would run into each other */
	/* short enough that the name and a temporary suffix fit NAME_MAX */
	t = safe_name(tree, 60);
	b = safe_name(branch, 60);
	d = safe_name(describe, 80);
	name = xasprintf("linux-%s-%s-%s", t, b, d);
	free(t);
	free(b);
	free(d);
	return name;
}

/* Bytes for the file, hashed on the way. */
static int
sink_file(void *data, const void *p, size_t n)
{
	struct sink *s = data;

	if (fwrite(p, 1, n, s->fp) != n) {
		s->err = errno ? errno : EIO;
		errno = s->err;
		return -1;
	}
	hash_add(s->md, p, n);
	s->size += (off_t)n;
	return 0;
}

static la_ssize_t
sink_write(struct archive *a, void *data, const void *p, size_t n)
{
	struct sink *s = data;
	int rc;

	if (s->gz != NULL)
		rc = pgz_write(s->gz, p, n);
	else
		rc = sink_file(s, p, n);
	if (rc != 0) {
		s->err = errno ? errno : EIO;
		archive_set_error(a, s->err, "%s", strerror(s->err));
		return -1;
	}
	return (la_ssize_t)n;
}

static int
nproc(void)
{
	long n;

	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/*
 * The codec's output must not depend on the machine: gz is compressed
 * here in blocks whose bytes do not depend on the number of threads
 * (pgz.h), and zstd and xz give the same bytes for any number of
 * threads once they run in multi-threaded mode, so at least two
 * threads are always asked for.
 */
static int
set_filter(struct archive *a, struct sink *sink, const char *compression,
    const char *what, struct buf *err)
{
	char opts[128];
	int threads, rc;

	threads = nproc() < 2 ? 2 : nproc();
	if (strcmp(compression, "gz") == 0) {
		sink->gz = pgz_new(nproc() < GZ_THREADS ? nproc() :
		    GZ_THREADS, GZ_LEVEL, sink_file, sink);
		if (sink->gz == NULL)
			return error_to(err, "%s: cannot start the gzip "
			    "threads: %s", what, strerror(errno));
		/*
		 * Unblocked, so that file contents go from libgit2's blob
		 * straight to a gzip block, with no copy in between.
		 */
		archive_write_set_bytes_per_block(a, 0);
		return 0;
	}
	if (strcmp(compression, "xz") == 0) {
		rc = archive_write_add_filter_xz(a);
		snprintf(opts, sizeof(opts), "xz:compression-level=6,"
		    "xz:threads=%d", threads);
	} else if (strcmp(compression, "zst") == 0) {
		rc = archive_write_add_filter_zstd(a);
		snprintf(opts, sizeof(opts), "zstd:compression-level=3,"
		    "zstd:threads=%d", threads);
	} else {
		return error_to(err, "%s: unknown compression '%s'", what,
		    compression);
	}
	if (rc != ARCHIVE_OK)
		return error_to(err, "%s: cannot set up %s compression: %s",
		    what, compression, archive_error_string(a));
	/* whole blocks to the file, the last one not padded: zstd refuses
	 * trailing zeros */
	archive_write_set_bytes_per_block(a, 1 << 20);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_set_options(a, opts) != ARCHIVE_OK)
		return error_to(err, "%s: cannot set '%s': %s", what, opts,
		    archive_error_string(a));
	return 0;
}

/*
 * Is any attribute that changes git archive's output set anywhere?
 * Counts the entries on the way, for progress.
 */
struct prescan {
	git_repository	*repo;
	size_t		 entries;
	int		 export_ignore;
	int		 export_subst;
};

static int
prescan_cb(const char *root, const git_tree_entry *e, void *data)
{
	struct prescan *ps = data;
	git_blob *blob;
	const char *p;

	(void)root;
	ps->entries++;
	if (strcmp(git_tree_entry_name(e), ".gitattributes") != 0 ||
	    git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (git_blob_lookup(&blob, ps->repo, git_tree_entry_id(e)) != 0)
		return 0;
	p = git_blob_rawcontent(blob);
	if (memmem(p, (size_t)git_blob_rawsize(blob), "export-ignore", 13))
		ps->export_ignore = 1;
	if (memmem(p, (size_t)git_blob_rawsize(blob), "export-subst", 12))
		ps->export_subst = 1;
	git_blob_free(blob);
	return 0;
}

static int
ignored(struct walk *w, const char *relpath)
{
	const char *val;

	if (!w->check_attrs)
		return 0;
	if (git_attr_get_ext(&val, w->repo, &w->attr_opts, relpath,
	    "export-ignore") != 0) {
		git_error_clear();
		return 0;
	}
	return GIT_ATTR_IS_TRUE(val);
}

static int
put_header(struct walk *w, const char *path, mode_t type, mode_t perm,
    la_int64_t size, const char *link)
{
	archive_entry_clear(w->entry);
	/* git paths are bytes, nearly always UTF-8: keep them as they are */
	if (!archive_entry_update_pathname_utf8(w->entry, path))
		archive_entry_copy_pathname(w->entry, path);
	archive_entry_set_filetype(w->entry, type);
	archive_entry_set_perm(w->entry, perm);
	archive_entry_set_size(w->entry, size);
	archive_entry_set_mtime(w->entry, w->mtime, 0);
	archive_entry_set_uid(w->entry, 0);
	archive_entry_set_gid(w->entry, 0);
	archive_entry_set_uname(w->entry, "root");
	archive_entry_set_gname(w->entry, "root");
	if (link != NULL && !archive_entry_update_symlink_utf8(w->entry, link))
		archive_entry_copy_symlink(w->entry, link);
	if (archive_write_header(w->ar, w->entry) != ARCHIVE_OK) {
		return error_to(w->err, "%s: cannot write '%s': %s", w->what,
		    path, archive_error_string(w->ar));
	}
	return 0;
}

static int
walk_cb(const char *root, const git_tree_entry *e, void *data)
{
	struct walk *w = data;
	git_filemode_t mode;
	git_blob *blob;
	const char *name, *rel;
	la_int64_t size;
	char *link;
	int rc;

	name = git_tree_entry_name(e);
	mode = git_tree_entry_filemode(e);
	buf_reset(&w->path);
	buf_addf(&w->path, "%s/%s%s", w->prefix, root, name);
	rel = w->path.ptr + strlen(w->prefix) + 1;
	w->done++;
	if (ignored(w, rel))
		return mode == GIT_FILEMODE_TREE ? 1 : 0;
	switch (mode) {
	case GIT_FILEMODE_TREE:
	case GIT_FILEMODE_COMMIT:
		/* a submodule is an empty directory, as in git archive */
		buf_putc(&w->path, '/');
		rc = put_header(w, w->path.ptr, AE_IFDIR, 0755, 0, NULL);
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
	case GIT_FILEMODE_LINK:
		if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(e))
		    != 0) {
			error_to(w->err, "%s: cannot read '%s' (%s): %s",
			    w->what, rel,
			    git_oid_tostr_s(git_tree_entry_id(e)), git_msg());
			rc = -1;
			break;
		}
		size = (la_int64_t)git_blob_rawsize(blob);
		if (mode == GIT_FILEMODE_LINK) {
			link = xstrndup(git_blob_rawcontent(blob),
			    (size_t)size);
			rc = put_header(w, w->path.ptr, AE_IFLNK, 0777, 0, link);
			free(link);
		} else {
			rc = put_header(w, w->path.ptr, AE_IFREG,
			    mode == GIT_FILEMODE_BLOB ? 0644 : 0755, size,
			    NULL);
			if (rc == 0 && size > 0 && archive_write_data(w->ar,
			    git_blob_rawcontent(blob), (size_t)size) != size) {
				error_to(w->err, "%s: cannot write '%s': %s",
				    w->what, rel, archive_error_string(w->ar));
				rc = -1;
			}
		}
		git_blob_free(blob);
		break;
	default:
		rc = 0;
		break;
	}
	progress_update(w->done, NULL);
	if (rc != 0) {
		w->failed = 1;
		return -1;
	}
	return 0;
}

int
tarball_write(struct git_repository *repo, const char *commit_hex,
    const char *prefix, const char *compression, const char *out_path,
    const char *what, struct tarball_result *res, struct buf *err)
{
	struct prescan ps;
	struct sink sink;
	struct walk w;
	struct afile af;
	git_commit *commit;
	git_tree *tree;
	git_oid oid;
	char *top, *why;
	int rc, opened, e;

	rc = -1;
	opened = 0;
	commit = NULL;
	tree = NULL;
	memset(&w, 0, sizeof(w));
	memset(&sink, 0, sizeof(sink));
	buf_init(&w.path, 0);
	w.err = err;
	af.fp = NULL;
	why = NULL;
	if (git_oid_fromstr(&oid, commit_hex) != 0 ||
	    git_commit_lookup(&commit, repo, &oid) != 0 ||
	    git_commit_tree(&tree, commit) != 0) {
		error_to(err, "%s: cannot read commit %s: %s", what,
		    commit_hex, git_msg());
		goto out;
	}
	memset(&ps, 0, sizeof(ps));
	ps.repo = repo;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, prescan_cb, &ps) != 0) {
		error_to(err, "%s: cannot read the tree of %s: %s", what,
		    commit_hex, git_msg());
		goto out;
	}
	if (ps.export_subst)
		warning("%s: export-subst is not applied; those files are "
		    "archived as committed", what);

	w.repo = repo;
	w.prefix = prefix;
	w.what = what;
	w.mtime = (time_t)git_commit_time(commit);
	w.total = ps.entries;
	w.check_attrs = ps.export_ignore;
	memset(&w.attr_opts, 0, sizeof(w.attr_opts));
	w.attr_opts.version = GIT_ATTR_OPTIONS_VERSION;
	w.attr_opts.flags = GIT_ATTR_CHECK_NO_SYSTEM |
	    GIT_ATTR_CHECK_INCLUDE_COMMIT | GIT_ATTR_CHECK_INDEX_ONLY;
	git_oid_cpy(&w.attr_opts.attr_commit_id, &oid);

	if (fs_mkdir_parent(out_path) != 0) {
		/* fs.c printed why */
		res->write_errno = errno;
		if (err != NULL) {
			buf_reset(err);
			buf_addf(err, "cannot create the directory of '%s'",
			    out_path);
		}
		goto out;
	}
	if (fs_atomic_open_quiet(&af, out_path, 1, &why) != 0) {
		res->write_errno = e = errno;
		error_to(err, "%s", why);
		errno = e;
		goto out;
	}
	opened = 1;
	sink.fp = af.fp;
	sink.md = hash_new();

	w.ar = archive_write_new();
	w.entry = archive_entry_new();
	if (w.ar == NULL || w.entry == NULL)
		die_oom();
	if (archive_write_set_format_pax_restricted(w.ar) != ARCHIVE_OK ||
	    set_filter(w.ar, &sink, compression, what, err) != 0)
		goto out;
	if (archive_write_open2(w.ar, &sink, NULL, sink_write, NULL, NULL)
	    != ARCHIVE_OK) {
		error_to(err, "%s: cannot start '%s': %s", what, out_path,
		    archive_error_string(w.ar));
		goto out;
	}
	progress_start(what, w.total);
	top = xasprintf("%s/", prefix);
	rc = put_header(&w, top, AE_IFDIR, 0755, 0, NULL);
	free(top);
	if (rc == 0 && git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w)
	    != 0) {
		if (!w.failed)
			error_to(err, "%s: cannot walk the tree of %s: %s",
			    what, commit_hex, git_msg());
		rc = -1;
	}
	progress_end();
	if (archive_write_close(w.ar) != ARCHIVE_OK && rc == 0) {
		error_to(err, "%s: cannot finish '%s': %s", what, out_path,
		    archive_error_string(w.ar));
		rc = -1;
	}
	if (rc == 0 && sink.gz != NULL && pgz_close(sink.gz) != 0) {
		error_to(err, "%s: cannot write '%s': %s", what, out_path,
		    strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		goto out;
	rc = -1;
	crashpoint("tarball-before-rename");
	if (fs_atomic_commit_quiet(&af, &why) != 0) {
		res->write_errno = errno;
		error_to(err, "%s", why);
		opened = 0;
		goto out;
	}
	opened = 0;
	hash_hex(sink.md, res->sha256);
	sink.md = NULL;
	res->size = sink.size;
	res->entries = w.done + 1;
	rc = 0;
out:
	if (sink.err != 0)
		res->write_errno = sink.err;
	if (w.ar != NULL)
		archive_write_free(w.ar);
	pgz_free(sink.gz);
	archive_entry_free(w.entry);
	if (opened)
		fs_atomic_abort(&af);
	hash_free(sink.md);
	buf_release(&w.path);
	git_tree_free(tree);
	git_commit_free(commit);
	free(why);
	return rc;
}

/*
 * Is a finished tarball still what the database says?  Size and mtime
 * are checked every run; the content is hashed when they differ or when
 * verify asks for it.
 */
static int
still_good(const struct config *cfg, const struct checkout_row *p,
    int verify)
{
	struct stat st;
	char hex[HASH_HEX], *full;
	int good;

	if (p->tarball_path == NULL || p->tarball_sha256 == NULL)
		return 0;
	full = fs_join(cfg->storage_path, p->tarball_path);
	good = 0;
	if (stat(full, &st) == 0 && st.st_size == p->tarball_size) {
		if (!verify && (long long)st.st_mtime == p->tarball_mtime)
			good = 1;
		else if (hash_file(full, hex) == 0 &&
		    strcmp(hex, p->tarball_sha256) == 0)
			good = 1;
	}
	if (!good)
		warning("checkout %lld: tarball '%s' is missing or does not "
		    "match its sha256; making it again", p->id, full);
	free(full);
	return good;
}

static int
record_done(struct db *db, const struct checkout_row *p, const char *path,
    const char *url, const struct tarball_result *res, long long mtime)
{
	if (db_begin(db) != 0)
		return -1;
	return db_end(db, store_checkout_tarball_done(db, p->id, path, url,
	    (long long)res->size, res->sha256, mtime));
}

/* Record a failure; count it as an attempt when the checkout is to blame. */
static int
record_failed(struct db *db, const struct checkout_row *p, const char *err,
    long long next, int attempt)
{
	if (db_begin(db) != 0)
		return -1;
	return db_end(db, store_checkout_tarball_failed(db, p->id, err, next,
	    attempt));
}

/* A full, read-only or broken disk under storage.path. */
static int
storage_fault(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EROFS || e == EIO ||
	    e == EFBIG;
}

static int
make_one(const struct config *cfg, struct db *db,
    const struct checkout_row *p, struct tarball_stats *stats)
{
	struct buf err = BUF_INIT;
	struct git_repository *repo;
	struct tarball_result res;
	struct stat st;
	char *name, *rel, *file, *mirror, *url, *what, *sub;
	long long next;
	int rc;

	repo = NULL;
	url = NULL;
	rc = 0;
	if (p->kind != NULL && strcmp(p->kind, "head") != 0) {
		/*
		 * Not a branch head: another checkout may have the same
		 * commit and describe, and patches change the content, so
		 * the name takes the kind and the id.
		 */
		char *d = xasprintf("%s-%s%lld", p->describe, p->kind, p->id);

		name = tarball_name(p->tree, p->branch[0] != '\0' ?
		    p->branch : p->kind, d);
		free(d);
	} else
		name = tarball_name(p->tree, p->branch, p->describe);
	rel = xasprintf("tarballs/%s%s", name, tarball_ext(cfg->compression));
	/*
	 * A tag moved to another commit describes both the same way: the
	 * second gets its commit in its name, so no file is shared.
	 */
	if (store_checkout_tarball_taken(db, rel, p->commit)) {
		char *n2 = xasprintf("%s-g%.12s", name, p->commit);

		free(name);
		name = n2;
		free(rel);
		rel = xasprintf("tarballs/%s%s", name,
		    tarball_ext(cfg->compression));
	}
	file = fs_join(cfg->storage_path, rel);
	sub = xasprintf("git/%s.git", p->tree);
	mirror = config_data_path(cfg, sub);
	what = xasprintf("checkout %lld (%s/%s %s)", p->id, p->tree,
	    p->branch, p->describe);
	memset(&res, 0, sizeof(res));
	if (!fs_is_dir(mirror)) {
		error_to(&err, "%s: no mirror at '%s' (run poll first)", what,
		    mirror);
		goto failed;
	}
	repo = repo_open(mirror, &err);
	if (repo == NULL ||
	    tarball_write(repo, p->source_commit != NULL ?
	    p->source_commit : p->commit, name, cfg->compression, file, what,
	    &res, &err) != 0)
		goto failed;
	switch (storage_upload(cfg, db, rel, what, &err)) {
	case STORAGE_ERROR:
		rc = -1;
		goto out;
	case STORAGE_PENDING:
		/* the server's fault, not the checkout's: next run */
		stats->failed++;
		if (record_failed(db, p, err.ptr, (long long)time(NULL),
		    0) != 0)
			rc = -1;
		goto out;
	case STORAGE_SENT:
		stats->uploaded++;
		break;
	case STORAGE_KEPT:
		break;
	}
	url = storage_url(cfg, rel);
	crashpoint("tarball-written");
	if (stat(file, &st) != 0) {
		error_to(&err, "%s: '%s' vanished: %s", what, file,
		    strerror(errno));
		goto failed;
	}
	if (record_done(db, p, rel, url, &res, (long long)st.st_mtime) != 0) {
		rc = -1;
		goto out;
	}
	info("%s: %s, %lld bytes, sha256 %.16s...", what, url,
	    (long long)res.size, res.sha256);
	stats->made++;
	goto out;
failed:
	stats->failed++;
	if (storage_fault(res.write_errno)) {
		/* this machine's fault, not the checkout's: retry next run */
		if (record_failed(db, p, err.len > 0 ? err.ptr :
		    strerror(res.write_errno), (long long)time(NULL), 0) != 0)
			rc = -1;
		goto out;
	}
	/* this failure is the checkout's attempts + 1st */
	next = (long long)time(NULL) + retry_backoff(cfg->retry_delay,
	    p->tarball_attempts + 1);
	if (p->tarball_attempts >= cfg->retries)
		next = 0;	/* given up: only --retry-failed tries again */
	if (record_failed(db, p, err.len > 0 ? err.ptr : "unknown error",
	    next, 1) != 0)
		rc = -1;
out:
	repo_close(repo);
	free(url);
	free(what);
	free(mirror);
	free(sub);
	free(file);
	free(rel);
	free(name);
	buf_release(&err);
	return rc;
}

int
tarball_stage(const struct config *cfg, struct db *db, int verify,
    struct tarball_stats *stats)
{
	struct checkout_list list;
	struct checkout_row *p;
	size_t i;
	char *dir;
	int rc;

	repo_init();
	/* libarchive converts names through the locale: make it UTF-8 */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");
	/* blobs are read once: caching them would only cost memory */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB,
	    (size_t)0);
	/* small pack windows, so that old ones can be unmapped */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)16 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)64 << 20);
	dir = fs_join(cfg->storage_path, "tarballs");
	if (fs_mkdir_p(dir) != 0) {
		free(dir);
		return -1;
	}
	fs_clean_tmp(dir);
	free(dir);

	/*
	 * A tarball that was made is looked at again (and made again if it
	 * is gone) only while builds may still fetch it from this machine,
	 * so that a runner whose storage does not outlive the run does not
	 * remake every tarball ever made; --verify looks at them all.
	 */
	if (store_checkout_tarball_todo(db, (long long)time(NULL), verify,
	    cfg->storage_upload_url == NULL, &list) != 0)
		return -1;
	/*
	 * Every object was hashed when its pack was fetched and indexed;
	 * hashing each blob again as it is read (libgit2's SHA-1 with
	 * collision detection) was a fifth of the processor time.  git
	 * archive does not either.  Turned back on after the loop.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	rc = 0;
	for (i = 0; i < list.n && rc == 0; i++) {
		p = &list.v[i];
		if (strcmp(p->tarball_state, "done") == 0 &&
		    still_good(cfg, p, verify)) {
			stats->kept++;
			continue;
		}
		/* the run's budget is spent: the next run makes the rest */
		if (budget_spent()) {
			stats->deferred++;
			continue;
		}
		rc = make_one(cfg, db, p, stats);
	}
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
	store_checkout_list_free(&list);
	return rc;
}
