/*
 * runtime_pull.c: a pull lab, a directory from which a lab fetches its
 * own work (index.json and the job definitions) and into which it drops
 * results (results/<job>.yaml and .log).
 */
#include <jansson.h>
#include <fcntl.h>

#include "buf.h"
#include "config.h"
#include "fs.h"
#include "job.h"
#include "lava.h"
#include "lavalab.h"
#include "log.h"
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

/* An index entry for job_id, from its definition (ours, in data_dir). */
static json_t *
index_entry(const char *definition, const char *job_id, long long when)
{
	struct buf b = BUF_INIT;
	struct ynode *def;
	json_t *entry;
	const char *dt, *name;
	char *rel;

	def = NULL;
	if (buf_read_file(&b, definition) == 0)
		ynode_parse_string(definition, b.ptr, b.len, &def);
	buf_release(&b);
	dt = ynode_str(def, "device_type");
	name = ynode_str(def, "job_name");
	rel = xasprintf("%s.yaml", job_id);
	entry = json_object();
	json_object_set_new(entry, "id", json_string(job_id));
	json_object_set_new(entry, "definition", json_string(rel));
	json_object_set_new(entry, "device_type", json_string(dt ? dt : ""));
	json_object_set_new(entry, "job_name", json_string(name ? name : ""));
	json_object_set_new(entry, "submitted", json_integer(when));
	json_object_set_new(entry, "results", json_string("results/"));
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
 * Move results/<job_id>.yaml and .log out of the way, into
 * results/collected/ as <job_id>.<tag>.yaml and .log, so a later attempt
 * of the job never reads them again.
 */
static void
move_results(const struct lab_cfg *lab, const char *job_id, const char *tag)
{
	static const char *const exts[] = { "yaml", "log" };
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
		from = xasprintf("%s.%s", job_id, exts[i]);
		to = xasprintf("%s.%s.%s", job_id, tag, exts[i]);
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

enum lab_result
pull_submit(const struct lab_cfg *lab, struct db *db, const char *definition,
    const char *job_id, long long attempt, struct buf *err)
{
	json_t *idx, *jobs, *e;
	char *text, *dt, *name, *file, *rel, tag[32];
	size_t i;
	enum lab_result r;

	if (lab_read_definition(definition, &text, &dt, &name, err) != 0)
		return LAB_FAIL;
	rel = xasprintf("%s.yaml", job_id);
	file = pull_file(lab, rel);
	r = LAB_RETRY;
	if (fs_mkdir_p(lab->path) != 0)
		goto out;
	/* half-written files of ours a killed run left */
	fs_clean_tmp(lab->path);
	/* results an earlier attempt left are not this attempt's */
	snprintf(tag, sizeof(tag), "stale-%lld", attempt);
	move_results(lab, job_id, tag);
	if (fs_write_atomic(file, text, strlen(text), 1) != 0)
		goto out;
	idx = read_index(lab, db);
	jobs = json_object_get(idx, "jobs");
	json_array_foreach(jobs, i, e)
		if (str_eq(json_string_value(json_object_get(e, "id")), job_id))
			break;
	if (i == json_array_size(jobs))
		json_array_append_new(jobs, index_entry(definition, job_id,
		    (long long)time(NULL)));
	r = write_index(lab, idx) == 0 ? LAB_DONE : LAB_RETRY;
	json_decref(idx);
out:
	free(rel);
	free(file);
	free(text);
	free(dt);
	free(name);
	return r;
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
	json_decref(idx);
}

static enum lab_result
dir_submit(const struct runtime *rt, struct job_row *j,
    const struct runtime_handover *h, char **lab_id, struct buf *err)
{
	enum lab_result r;

	(void)h;
	crashpoint("submit-remote-before");
	r = pull_submit(rt->lab, rt->db, j->definition, j->id, j->attempt,
	    err);
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

const struct runtime_ops runtime_pull = {
	.type = "pull",
	.needs = "path",
	.submit = dir_submit,
	.lookup = dir_lookup,
	.poll = dir_poll,
	.done = dir_done,
	.cancel = dir_cancel,
};
