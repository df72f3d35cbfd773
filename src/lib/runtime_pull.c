/*
 * runtime_pull.c: a pull lab, a directory from which a lab fetches its
 * own work (index.json and the job definitions) and into which it drops
 * results (results/<job>.yaml and .log).  Builds too: an outside
 * executor (a GitHub Actions matrix) runs maestrino-worker on the
 * definition, with the tarball carried in tarballs/, and drops the
 * worker's result directory as results/<job>/ (pull_build.h).
 */
#include <jansson.h>
#include <dirent.h>
#include <fcntl.h>

#include "buf.h"
#include "collect.h"
#include "config.h"
#include "fs.h"
#include "job.h"
#include "lava.h"
#include "lavalab.h"
#include "local.h"
#include "log.h"
#include "pull_build.h"
#include "runtime.h"
#include "store_job.h"
#include "ynode.h"
#include "util.h"

#define LOG_MAX		LAB_LOG_MAX
#define RESULTS_MAX	LAB_RESULTS_MAX

/*
 * The directory is the lab's to write: nothing in it is followed or
 * trusted.  Files are read with fs_read_untrusted() (regular files, no
 * link, bounded), and what cannot be read is renamed aside.
 */
#define INDEX_MAX	((size_t)2 << 20)

static char *
pull_file(const struct lab_cfg *lab, const char *name)
{
	return fs_join(lab->path, name);
}

int
pull_index_parse(const char *text, size_t len, const char *what,
    json_t **out)
{
	json_error_t e;
	json_t *idx, *jobs, *j;
	size_t i;

	*out = NULL;
	idx = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (idx == NULL)
		return error("%s:%d:%d: %s", what, e.line, e.column, e.text);
	jobs = json_object_get(idx, "jobs");
	if (!json_is_object(idx) || !json_is_array(jobs)) {
		json_decref(idx);
		return error("%s: not an object with a list 'jobs'", what);
	}
	json_array_foreach(jobs, i, j) {
		if (!json_is_object(j) ||
		    !json_is_string(json_object_get(j, "id"))) {
			json_decref(idx);
			return error("%s: jobs[%zu] has no string 'id'", what,
			    i);
		}
	}
	*out = idx;
	return 0;
}

/*
 * The tarball a build job of the lab carries in its tarballs/ (a name,
 * caller frees, and where it is here in *local if not NULL): the one of
 * the definition def when it is on this machine only (a file:// URL);
 * NULL when the executor fetches it by its URL.
 */
static char *
carried_tarball(const struct ynode *def, const char **local)
{
	const struct ynode *t;
	const char *url, *path, *name;

	t = ynode_get(def, "tarball");
	url = ynode_str(t, "url");
	path = ynode_str(t, "path");
	if (url == NULL || !str_starts(url, "file://"))
		return NULL;
	if (path == NULL)
		path = url + strlen("file://");
	name = strrchr(path, '/');
	name = name ? name + 1 : path;
	if (!pull_name_ok(name))
		return NULL;
	if (local != NULL)
		*local = path;
	return xstrdup(name);
}

/* Whether def is a build's definition (kind: kbuild). */
static int
is_build(const struct ynode *def)
{
	return str_eq(ynode_str(def, "kind"), "kbuild");
}

json_t *
pull_matrix_entry(const char *definition, const char *job_id)
{
	const struct ynode *bd;
	struct ynode *def;
	json_t *e;
	char *tb;
	int rc;

	log_mute();
	rc = ynode_parse_file(definition, &def);
	log_unmute();
	if (rc != 0 || !is_build(def)) {
		ynode_free(def);
		return NULL;
	}
	bd = ynode_get(def, "build");
	tb = carried_tarball(def, NULL);
	e = json_pack("{s:s, s:s+, s:s+, s:s, s:s, s:s, s:s}",
	    "job", job_id,
	    "definition", job_id, ".yaml",
	    "tarball", tb ? "tarballs/" : "", tb ? tb : "",
	    "build", ynode_str(bd, "name") ? ynode_str(bd, "name") : "",
	    "arch", ynode_str(bd, "arch") ? ynode_str(bd, "arch") : "",
	    "compiler", ynode_str(bd, "compiler") ?
	    ynode_str(bd, "compiler") : "",
	    "cross_compile", ynode_str(bd, "cross_compile") ?
	    ynode_str(bd, "cross_compile") : "");
	free(tb);
	ynode_free(def);
	return e;
}

/* An index entry for job_id, from its definition (ours, in data_dir). */
static json_t *
index_entry(const char *definition, const char *job_id, long long when)
{
	struct buf b = BUF_INIT;
	struct ynode *def;
	json_t *entry;
	const char *dt, *name;
	char *rel, *tb;

	def = NULL;
	if (buf_read_file(&b, definition) == 0)
		ynode_parse_string(definition, b.ptr, b.len, &def);
	buf_release(&b);
	rel = xasprintf("%s.yaml", job_id);
	entry = json_object();
	json_object_set_new(entry, "id", json_string(job_id));
	json_object_set_new(entry, "definition", json_string(rel));
	if (is_build(def)) {
		const struct ynode *bd = ynode_get(def, "build");

		json_object_set_new(entry, "kind", json_string("kbuild"));
		name = ynode_str(bd, "name");
		json_object_set_new(entry, "build", json_string(name ? name :
		    ""));
		name = ynode_str(bd, "arch");
		json_object_set_new(entry, "arch", json_string(name ? name :
		    ""));
		tb = carried_tarball(def, NULL);
		if (tb != NULL)
			json_object_set_new(entry, "tarball",
			    json_pack("s+", "tarballs/", tb));
		free(tb);
		free(rel);
		rel = xasprintf("results/%s/", job_id);
		json_object_set_new(entry, "submitted", json_integer(when));
		json_object_set_new(entry, "results", json_string(rel));
	} else {
		dt = ynode_str(def, "device_type");
		name = ynode_str(def, "job_name");
		json_object_set_new(entry, "device_type", json_string(dt ? dt :
		    ""));
		json_object_set_new(entry, "job_name", json_string(name ?
		    name : ""));
		json_object_set_new(entry, "submitted", json_integer(when));
		json_object_set_new(entry, "results", json_string("results/"));
	}
	free(rel);
	ynode_free(def);
	return entry;
}

/*
 * The index as the database knows it: every job of this lab handed over
 * and not yet collected.
 */
static void
add_entry(void *jobs, const char *id, const char *definition, long long when)
{
	json_array_append_new(jobs, index_entry(definition, id, when));
}

static json_t *
rebuild_index(const struct lab_cfg *lab, struct db *db)
{
	json_t *idx, *jobs;

	idx = json_object();
	jobs = json_array();
	json_object_set_new(idx, "jobs", jobs);
	if (db != NULL)
		store_job_in_lab(db, lab->name, add_entry, jobs);
	return idx;
}

static int write_index(const struct lab_cfg *, json_t *);

/*
 * The lab's index.json.  One that cannot be read is set aside and made
 * again from the database, never from nothing: the jobs it listed stay
 * listed.
 */
static json_t *
read_index(const struct lab_cfg *lab, struct db *db)
{
	struct buf b = BUF_INIT;
	enum fs_read r;
	json_t *idx;
	char *path, aside[48];

	path = pull_file(lab, "index.json");
	r = fs_read_untrusted(lab->path, "index.json", INDEX_MAX, 0, &b);
	idx = NULL;
	if (r == FS_READ_OK) {
		if (pull_index_parse(b.ptr, b.len, path, &idx) != 0)
			r = FS_READ_ERROR;
	} else if (r != FS_READ_MISSING) {
		error("lab %s: '%s' %s", lab->name, path, fs_read_problem(r));
	}
	if (idx == NULL && r != FS_READ_MISSING) {
		snprintf(aside, sizeof(aside), ".bad-%lld",
		    (long long)time(NULL));
		if (fs_set_aside(lab->path, "index.json", aside) == 0)
			warning("lab %s: set '%s' aside as '%s%s'; made it "
			    "again from the database", lab->name, path, path,
			    aside);
		idx = rebuild_index(lab, db);
		if (write_index(lab, idx) != 0)
			error("lab %s: cannot write '%s'", lab->name, path);
	}
	if (idx == NULL) {
		idx = json_object();
		json_object_set_new(idx, "jobs", json_array());
	}
	buf_release(&b);
	free(path);
	return idx;
}

static int
write_index(const struct lab_cfg *lab, json_t *idx)
{
	char *path, *text;
	int rc;

	path = pull_file(lab, "index.json");
	text = json_dumps(idx, JSON_INDENT(2) | JSON_SORT_KEYS);
	rc = text != NULL && fs_write_atomic(path, text, strlen(text), 1) == 0
	    ? 0 : -1;
	free(text);
	free(path);
	return rc;
}

/*
 * Move results/<job_id>.yaml and .log (a build's: the directory
 * results/<job_id>) out of the way, into results/collected/ as
 * <job_id>.<tag>.yaml and .log (<job_id>.<tag>), so a later attempt of
 * the job never reads them again.
 */
static void
move_results(const struct lab_cfg *lab, const char *job_id, const char *tag)
{
	static const char *const exts[] = { "yaml", "log", "" };
	char *dir, *from, *to, *rel;
	int rfd, cfd;
	size_t i;

	dir = pull_file(lab, "results");
	rfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(dir);
	if (rfd < 0)
		return;
	if (mkdirat(rfd, "collected", 0755) != 0 && errno != EEXIST) {
		close(rfd);
		return;
	}
	cfd = openat(rfd, "collected", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	for (i = 0; cfd >= 0 && i < ARRAY_SIZE(exts); i++) {
		from = xasprintf("%s%s%s", job_id, *exts[i] ? "." : "",
		    exts[i]);
		to = xasprintf("%s.%s%s%s", job_id, tag, *exts[i] ? "." : "",
		    exts[i]);
		if (renameat(rfd, from, cfd, to) != 0 && errno != ENOENT) {
			rel = xasprintf("results/%s", from);
			warning("lab %s: cannot move '%s' aside: %s",
			    lab->name, rel, strerror(errno));
			free(rel);
		}
		free(from);
		free(to);
	}
	if (cfd >= 0)
		close(cfd);
	close(rfd);
}

/*
 * The tarball of a build's definition into the lab's tarballs/, unless
 * it is there: a hard link to the one in storage, or a copy.  0 also
 * when the definition carries none.  A tarball that is not on this
 * machine (a runner that did not make it) is an error when strict, and
 * else left for `maestrino export` to carry once the tarball stage made
 * it again.
 */
static int
put_tarball(const struct lab_cfg *lab, const char *storage,
    const char *definition, int strict)
{
	struct ynode *def;
	struct stat st;
	const char *path, *bad;
	char *name, *dir, *dst, *alt;
	int rc;

	log_mute();
	rc = ynode_parse_file(definition, &def);
	log_unmute();
	if (rc != 0)
		return 0;	/* read again, and said, by whoever runs it */
	path = NULL;
	name = is_build(def) ? carried_tarball(def, &path) : NULL;
	rc = 0;
	if (name != NULL) {
		dir = pull_file(lab, "tarballs");
		dst = fs_join(dir, name);
		/*
		 * Made on another machine (a runner before this one), the
		 * definition names that machine's storage: this one's has
		 * it under the same name (the worker checks its sha256).
		 */
		alt = xasprintf("%s/tarballs/%s", storage, name);
		if (!fs_exists(path) && fs_exists(alt))
			path = alt;
		/* the lab's side may plant a link there, to put it elsewhere */
		bad = lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode) ? dir :
		    lstat(dst, &st) == 0 && !S_ISREG(st.st_mode) ? dst : NULL;
		if (bad != NULL) {
			error("lab %s: '%s' is a link or not of its kind; the "
			    "tarball is not put there", lab->name, bad);
			rc = -1;
		} else if (fs_exists(dst)) {
			/* carried already */
		} else if (!fs_exists(path) && !strict) {
			warning("lab %s: the tarball '%s' is not on this "
			    "machine; `maestrino export %s` carries it once "
			    "the tarball stage has made it again", lab->name,
			    name, lab->name);
		} else if (fs_mkdir_p(dir) != 0 || (link(path, dst) != 0 &&
		    fs_copy_file(path, dst) != 0)) {
			error("lab %s: cannot put the tarball '%s' into '%s'",
			    lab->name, name, dir);
			rc = -1;
		}
		free(alt);
		free(dir);
		free(dst);
	}
	free(name);
	ynode_free(def);
	return rc;
}

/*
 * Put the job into the lab: its definition (and a build's tarball),
 * listed in the index.
 */
static enum lab_result
put_job(const struct lab_cfg *lab, struct db *db, const char *storage,
    const char *definition, const char *job_id, const char *text, int strict)
{
	json_t *idx, *jobs, *e;
	char *file, *rel;
	long long when;
	size_t i;
	enum lab_result r;

	rel = xasprintf("%s.yaml", job_id);
	file = pull_file(lab, rel);
	r = LAB_RETRY;
	if (put_tarball(lab, storage, definition, strict) != 0 ||
	    fs_write_atomic(file, text, strlen(text), 1) != 0)
		goto out;
	idx = read_index(lab, db);
	jobs = json_object_get(idx, "jobs");
	when = (long long)time(NULL);
	e = NULL;
	json_array_foreach(jobs, i, e)
		if (str_eq(json_string_value(json_object_get(e, "id")), job_id))
			break;
	/* listed already: made again, as handed over then */
	if (i < json_array_size(jobs) &&
	    json_is_integer(json_object_get(e, "submitted")))
		when = json_integer_value(json_object_get(e, "submitted"));
	e = index_entry(definition, job_id, when);
	if (i < json_array_size(jobs))
		json_array_set_new(jobs, i, e);
	else
		json_array_append_new(jobs, e);
	r = write_index(lab, idx) == 0 ? LAB_DONE : LAB_RETRY;
	json_decref(idx);
out:
	free(rel);
	free(file);
	return r;
}

enum lab_result
pull_submit(const struct lab_cfg *lab, struct db *db, const char *storage,
    const char *definition, const char *job_id, long long attempt,
    struct buf *err)
{
	char *text, *dt, *name, tag[32];
	enum lab_result r;

	if (lab_read_definition(definition, &text, &dt, &name, err) != 0)
		return LAB_FAIL;
	r = LAB_RETRY;
	if (fs_mkdir_p(lab->path) != 0)
		goto out;
	/* half-written files of ours a killed run left */
	fs_clean_tmp(lab->path);
	/* results an earlier attempt left are not this attempt's */
	snprintf(tag, sizeof(tag), "stale-%lld", attempt);
	move_results(lab, job_id, tag);
	r = put_job(lab, db, storage, definition, job_id, text, 0);
out:
	free(text);
	free(dt);
	free(name);
	return r;
}

int
pull_export(const struct lab_cfg *lab, struct db *db, const char *storage,
    const char *definition, const char *job_id)
{
	struct buf b = BUF_INIT;
	int rc;

	rc = buf_read_file(&b, definition) == 0 && fs_mkdir_p(lab->path) == 0 &&
	    put_job(lab, db, storage, definition, job_id, b.ptr, 1) ==
	    LAB_DONE ? 0 : -1;
	if (rc != 0)
		error("lab %s: cannot export job %s ('%s')", lab->name, job_id,
		    definition);
	buf_release(&b);
	return rc;
}

/* Set a file of the lab aside as <rel>.bad, saying why. */
static void
set_aside(const struct lab_cfg *lab, const char *rel, const char *why)
{
	char *path;

	path = pull_file(lab, rel);
	error("lab %s: '%s' %s", lab->name, path, why);
	if (fs_set_aside(lab->path, rel, ".bad") == 0)
		warning("lab %s: set '%s' aside as '%s.bad'", lab->name, path,
		    path);
	else if (errno != ENOENT)
		warning("lab %s: cannot set '%s' aside: %s", lab->name, path,
		    strerror(errno));
	free(path);
}

enum lab_result
pull_poll(const struct lab_cfg *lab, const char *job_id,
    struct lava_outcome *o, struct lab_finished *fin)
{
	struct buf b = BUF_INIT, console = BUF_INIT;
	enum fs_read fr;
	enum lab_result r;
	char *rel, *path;

	memset(fin, 0, sizeof(*fin));
	rel = xasprintf("results/%s.yaml", job_id);
	path = pull_file(lab, rel);
	fr = fs_read_untrusted(lab->path, rel, RESULTS_MAX, 0, &b);
	r = LAB_DONE;
	if (fr == FS_READ_MISSING) {
		r = LAB_WAIT;
	} else if (fr == FS_READ_ERROR) {
		warning("lab %s: cannot read '%s': %s", lab->name, path,
		    strerror(errno));
		r = LAB_RETRY;
	} else if (fr != FS_READ_OK) {
		set_aside(lab, rel, fs_read_problem(fr));
		r = LAB_FAIL;
	} else if (lava_parse_results(b.ptr, b.len, path, o) != 0 ||
	    o->n == 0) {
		set_aside(lab, rel, o->n == 0 && b.len > 0 ? "holds no "
		    "results" : "cannot be parsed");
		lava_outcome_release(o);
		r = LAB_FAIL;
	} else {
		/* when it started is the lab's secret: the job's own is used */
		free(rel);
		rel = xasprintf("results/%s.log", job_id);
		buf_reset(&b);
		fr = fs_read_untrusted(lab->path, rel, LOG_MAX, 1, &b);
		if (fr == FS_READ_OK) {
			struct lava_outcome ignore;

			memset(&ignore, 0, sizeof(ignore));
			lava_parse_log(b.ptr, b.len, &ignore, &console);
			lava_outcome_release(&ignore);
			fin->log = buf_detach(&b, NULL);
			fin->console = buf_detach(&console, NULL);
		} else if (fr != FS_READ_MISSING && fr != FS_READ_ERROR) {
			/* results without their log are still results */
			set_aside(lab, rel, fs_read_problem(fr));
		}
	}
	buf_release(&b);
	buf_release(&console);
	free(path);
	free(rel);
	return r;
}

/*
 * Remove the tarballs that no job of the index carries any more (their
 * names from outside, checked; a name not listed is never followed).
 */
static void
prune_tarballs(const struct lab_cfg *lab, json_t *jobs)
{
	struct dirent *de;
	json_t *e;
	const char *tb;
	char *dir;
	size_t i;
	DIR *d;
	int fd, used;

	dir = pull_file(lab, "tarballs");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL && fd >= 0)
		close(fd);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (!pull_name_ok(de->d_name))
			continue;
		used = 0;
		json_array_foreach(jobs, i, e) {
			tb = json_string_value(json_object_get(e, "tarball"));
			if (tb != NULL && str_starts(tb, "tarballs/") &&
			    strcmp(tb + strlen("tarballs/"), de->d_name) == 0)
				used = 1;
		}
		if (!used && unlinkat(dirfd(d), de->d_name, 0) == 0)
			debug("lab %s: removed tarballs/%s, which no job "
			    "carries now", lab->name, de->d_name);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
}

void
pull_done(const struct lab_cfg *lab, struct db *db, const char *job_id,
    long long attempt)
{
	json_t *idx, *jobs, *e;
	char tag[32];
	size_t i;

	snprintf(tag, sizeof(tag), "%lld", attempt);
	move_results(lab, job_id, tag);
	idx = read_index(lab, db);
	jobs = json_object_get(idx, "jobs");
	json_array_foreach(jobs, i, e) {
		if (str_eq(json_string_value(json_object_get(e, "id")),
		    job_id)) {
			json_array_remove(jobs, i);
			write_index(lab, idx);
			break;
		}
	}
	prune_tarballs(lab, jobs);
	json_decref(idx);
}

static enum lab_result
dir_submit(const struct runtime *rt, struct job_row *j,
    const struct runtime_handover *h, char **lab_id, struct buf *err)
{
	enum lab_result r;

	(void)h;
	crashpoint("submit-remote-before");
	r = pull_submit(rt->lab, rt->db, rt->cfg->storage_path, j->definition,
	    j->id, j->attempt, err);
	crashpoint("submit-remote-after");
	if (r == LAB_DONE) {
		*lab_id = xstrdup(j->id);
		info("job %s: submitted to %s as %s", j->id, rt->lab->name,
		    *lab_id);
	}
	return r;
}

/* A job left submitting: the lab has it when its definition is there. */
static enum lab_result
dir_lookup(const struct runtime *rt, struct job_row *j, char **lab_id,
    char **work)
{
	enum lab_result r;
	char *path;

	*work = NULL;
	path = xasprintf("%s/%s.yaml", rt->lab->path, j->id);
	r = fs_exists(path) ? LAB_DONE : LAB_WAIT;
	free(path);
	if (r == LAB_DONE)
		*lab_id = xstrdup(j->id);
	runtime_lookup_said(rt, j, r, *lab_id);
	return r;
}

static enum lab_result
dir_poll(const struct runtime *rt, struct job_row *j, int *running,
    struct lava_outcome *o, struct lab_finished *fin)
{
	*running = 0;
	return pull_poll(rt->lab, j->id, o, fin);
}

static void
dir_done(const struct runtime *rt, const struct job_row *j,
    long long attempt)
{
	pull_done(rt->lab, rt->db, j->id, attempt);
}

/*
 * A job cancelled: it leaves the index and its definition goes, so the
 * lab does not fetch it; results it may have dropped are moved aside.
 */
static enum lab_result
dir_cancel(const struct runtime *rt, struct job_row *j, struct buf *err)
{
	const struct lab_cfg *lab = rt->lab;
	json_t *idx, *jobs, *e;
	enum lab_result r;
	char *rel, *path;
	size_t i;

	r = LAB_DONE;
	idx = read_index(lab, rt->db);
	jobs = json_object_get(idx, "jobs");
	json_array_foreach(jobs, i, e) {
		if (str_eq(json_string_value(json_object_get(e, "id")),
		    j->id)) {
			json_array_remove(jobs, i);
			if (write_index(lab, idx) != 0) {
				path = pull_file(lab, "index.json");
				error_to(err, "lab %s: cannot write '%s'",
				    lab->name, path);
				free(path);
				r = LAB_RETRY;
			}
			break;
		}
	}
	json_decref(idx);
	if (r != LAB_DONE)
		return r;
	rel = xasprintf("%s.yaml", j->id);
	path = pull_file(lab, rel);
	if (unlink(path) != 0 && errno != ENOENT)
		warning("lab %s: cannot remove '%s': %s", lab->name, path,
		    strerror(errno));
	free(path);
	free(rel);
	move_results(lab, j->id, JOB_CANCELLED);
	debug("job %s: removed from lab %s's index", j->id, lab->name);
	return LAB_DONE;
}

/*
 * A build's result: results/<job>/, what `maestrino-worker --store`
 * made, checked whole and copied into the job's storage; then recorded
 * as a local build's.  A result that is refused is set aside as
 * results/<job>.bad and the attempt is incomplete.
 */
static int
collect_build(const struct runtime *rt, struct job_row *j,
    struct collect_stats *stats)
{
	const struct lab_cfg *lab = rt->lab;
	struct buf err = BUF_INIT;
	struct ynode *def;
	struct stat st;
	long long attempt;
	char *rel, *path, *store, *work, *from, *to;
	const char *arch;
	int rc, r;
	size_t i;

	rel = xasprintf("results/%s", j->id);
	path = pull_file(lab, rel);
	work = local_work_dir(rt->cfg, j->id);
	store = NULL;
	def = NULL;
	rc = 0;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT && j->submitted > 0 && time(NULL) >
		    j->submitted + j->timeout + 24LL * 3600)
			rc = local_incomplete(rt, j, work, "worker_lost", "no "
			    "result came back within a day past its timeout",
			    stats);
		else
			stats->running++;
		goto out;
	}
	log_mute();
	ynode_parse_file(j->definition, &def);
	log_unmute();
	arch = ynode_str(ynode_get(def, "build"), "arch");
	store = xasprintf("%s/builds/%s", rt->cfg->storage_path, j->id);
	attempt = j->attempt;
	log_catch(&err);
	r = local_prepare(work) == 0 ? pull_build_take(lab->path, rel, arch,
	    store) : -1;
	log_uncatch(&err, "cannot be taken");
	for (i = 0; r == 0 && i < 2; i++) {
		/* checked now, and ours: where collect reads them */
		from = fs_join(store, i == 0 ? "result.json" : "build.log");
		to = fs_join(work, i == 0 ? "result.json" : "build.log");
		if (fs_exists(from) && fs_copy_file(from, to) != 0)
			r = -1;
		free(from);
		free(to);
	}
	if (r == 0) {
		info("job %s: took its result from '%s'", j->id, path);
		rc = local_collect_build(rt, j, work, stats);
	} else {
		if (fs_set_aside(lab->path, rel, ".bad") == 0)
			warning("lab %s: set '%s' aside as '%s.bad'",
			    lab->name, path, path);
		rc = local_incomplete(rt, j, work, "result", err.ptr, stats);
	}
	if (rc == 0)
		pull_done(lab, rt->db, j->id, attempt);
out:
	buf_release(&err);
	ynode_free(def);
	free(rel);
	free(path);
	free(store);
	free(work);
	return rc;
}

static int
dir_collect(const struct runtime *rt, struct job_row *j,
    struct collect_stats *stats)
{
	if (strcmp(j->kind, "kbuild") == 0)
		return collect_build(rt, j, stats);
	return collect_polled(rt, j, stats);
}

const struct runtime_ops runtime_pull = {
	.type = "pull",
	.needs = "path",
	.builds = 1,
	.submit = dir_submit,
	.lookup = dir_lookup,
	.poll = dir_poll,
	.done = dir_done,
	.collect = dir_collect,
	.cancel = dir_cancel,
};
