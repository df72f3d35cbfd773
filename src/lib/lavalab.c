/*
 * lavalab.c: LAVA servers over REST, and pull labs.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <fcntl.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "http.h"
#include "lava.h"
#include "lavalab.h"
#include "log.h"
#include "ynode.h"
#include "util.h"

/* LAVA logs can be long; results far less so. */
#define LOG_MAX		((size_t)64 << 20)
#define RESULTS_MAX	((size_t)16 << 20)

static char *
base_url(const struct lab_cfg *lab)
{
	size_t n;

	n = strlen(lab->url);
	while (n > 0 && lab->url[n - 1] == '/')
		n--;
	return xstrndup(lab->url, n);
}

static char *
auth(const struct lab_cfg *lab)
{
	const char *tok;
	char *what;

	what = xasprintf("lab %s", lab->name);
	tok = config_token(lab->token_env, what, "talking to it");
	free(what);
	return tok != NULL ? xasprintf("Token %s", tok) : NULL;
}

/* GET or POST url on the lab; the body is in resp. */
static enum http_outcome
request(const struct lab_cfg *lab, const char *method, const char *path,
    const char *body, size_t max, struct http_response *resp)
{
	struct http_request req;
	enum http_outcome out;
	char *url, *base, *a, *what;

	base = base_url(lab);
	url = xasprintf("%s%s", base, path);
	a = auth(lab);
	what = xasprintf("lab %s", lab->name);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.auth = a;
	req.accept = "application/json";
	req.max_body = max;
	req.what = what;
	if (body != NULL) {
		req.body = body;
		req.body_len = strlen(body);
		req.content_type = "application/json";
	}
	out = http_do(&req, resp);
	free(what);
	free(a);
	free(url);
	free(base);
	return out;
}

static json_t *
json_body(const struct lab_cfg *lab, const char *path,
    const struct http_response *resp)
{
	json_error_t e;
	json_t *j;

	j = json_loadb(resp->body.ptr, resp->body.len, 0, &e);
	if (j == NULL || !json_is_object(j)) {
		error("lab %s: %s: not a JSON object: %s", lab->name, path,
		    j ? "wrong type" : e.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static enum lab_result
classify(enum http_outcome out, long status)
{
	if (out == HTTP_OK)
		return LAB_DONE;
	/* a token problem is fixed by the operator, not by giving up */
	if (out == HTTP_RETRY || status == 401 || status == 403)
		return LAB_RETRY;
	return LAB_FAIL;
}

/* GET a count ("count" of a paginated list); -1 on failure. */
static long long
get_count(const struct lab_cfg *lab, const char *path)
{
	struct http_response resp;
	long long n;
	json_t *j;

	n = -1;
	if (request(lab, "GET", path, NULL, 0, &resp) == HTTP_OK) {
		j = json_body(lab, path, &resp);
		if (j != NULL && json_is_integer(json_object_get(j, "count")))
			n = json_integer_value(json_object_get(j, "count"));
		json_decref(j);
	}
	http_response_release(&resp);
	return n;
}

static int
read_definition(const char *path, char **text, char **device_type,
    char **job_name)
{
	struct buf b = BUF_INIT;
	struct ynode *def;
	const char *v;

	if (buf_read_file(&b, path) != 0) {
		buf_release(&b);
		return error("cannot read job definition '%s': %s", path,
		    strerror(errno));
	}
	if (ynode_parse_string(path, b.ptr, b.len, &def) != 0) {
		buf_release(&b);
		return -1;
	}
	v = ynode_str(def, "device_type");
	*device_type = xstrdup(v ? v : "");
	v = ynode_str(def, "job_name");
	*job_name = xstrdup(v ? v : "");
	ynode_free(def);
	*text = buf_detach(&b, NULL);
	return 0;
}

/* Room in the queue of device_type: fewer than max_queue per online device. */
static enum lab_result
queue_room(const struct lab_cfg *lab, const char *device_type)
{
	long long online, queued;
	char *dt, *path;

	if (lab->max_queue <= 0)
		return LAB_DONE;
	dt = http_escape(device_type);
	path = xasprintf("/api/v0.2/devices/?device_type=%s&health=Good"
	    "&limit=1", dt);
	online = get_count(lab, path);
	free(path);
	path = xasprintf("/api/v0.2/jobs/?requested_device_type=%s"
	    "&state=Submitted&limit=1", dt);
	queued = online >= 0 ? get_count(lab, path) : -1;
	free(path);
	free(dt);
	if (online < 0 || queued < 0)
		return LAB_RETRY;
	if (queued >= (long long)lab->max_queue * (online ? online : 1)) {
		debug("lab %s: %s has %lld online, %lld queued: waiting",
		    lab->name, device_type, online, queued);
		return LAB_WAIT;
	}
	return LAB_DONE;
}

enum lab_result
lava_submit(const struct lab_cfg *lab, const char *definition,
    const char *job_id, char **lab_id)
{
	struct http_response resp;
	enum http_outcome out;
	enum lab_result r;
	json_t *body, *j, *ids;
	char *text, *dt, *name, *json;

	*lab_id = NULL;
	if (read_definition(definition, &text, &dt, &name) != 0)
		return LAB_FAIL;
	r = queue_room(lab, dt);
	if (r != LAB_DONE)
		goto out;
	body = json_object();
	json_object_set_new(body, "definition", json_string(text));
	json = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	out = request(lab, "POST", "/api/v0.2/jobs/", json, 0, &resp);
	free(json);
	r = classify(out, resp.status);
	if (r == LAB_DONE) {
		j = json_body(lab, "/api/v0.2/jobs/", &resp);
		ids = json_object_get(j, "job_ids");
		if (json_array_size(ids) > 0 &&
		    json_is_integer(json_array_get(ids, 0)))
			*lab_id = xasprintf("%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_array_get(ids, 0)));
		else {
			error("lab %s: job %s: no job id in the reply to the "
			    "submission", lab->name, job_id);
			r = LAB_RETRY;
		}
		json_decref(j);
	}
	http_response_release(&resp);
out:
	free(text);
	free(dt);
	free(name);
	return r;
}

enum lab_result
lava_lookup(const struct lab_cfg *lab, const char *definition, char **lab_id)
{
	struct http_response resp;
	enum lab_result r;
	json_t *j, *res, *job;
	char *text, *dt, *name, *e, *path;
	size_t i;

	*lab_id = NULL;
	if (read_definition(definition, &text, &dt, &name) != 0)
		return LAB_FAIL;
	e = http_escape(name);
	path = xasprintf("/api/v0.2/jobs/?description=%s&limit=20", e);
	r = classify(request(lab, "GET", path, NULL, 0, &resp), resp.status);
	if (r == LAB_DONE) {
		j = json_body(lab, path, &resp);
		res = json_object_get(j, "results");
		r = j == NULL ? LAB_RETRY : LAB_WAIT;
		json_array_foreach(res, i, job) {
			const char *d = json_string_value(json_object_get(job,
			    "description"));

			if (d == NULL || strcmp(d, name) != 0 ||
			    !json_is_integer(json_object_get(job, "id")))
				continue;
			free(*lab_id);
			*lab_id = xasprintf("%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(job, "id")));
			r = LAB_DONE;
		}
		json_decref(j);
	}
	http_response_release(&resp);
	free(path);
	free(e);
	free(text);
	free(dt);
	free(name);
	return r;
}

/* "2026-11-28T04:29:10.230326Z" as seconds since the epoch; 0 if not. */
static long long
parse_time(const char *s)
{
	struct tm tm;
	char *end;

	if (s == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return 0;
	return (long long)timegm(&tm);
}

void
lab_finished_release(struct lab_finished *f)
{
	free(f->log);
	free(f->console);
	free(f->url);
	memset(f, 0, sizeof(*f));
}

/* A reply about a job that was answered but cannot be used. */
static enum lab_result
bad_reply(const struct lab_cfg *lab, const char *lab_id, const char *what)
{
	error("lab %s: job %s: %s", lab->name, lab_id, what);
	return LAB_BAD;
}

enum lab_result
lava_poll(const struct lab_cfg *lab, const char *lab_id, int *running,
    struct lava_outcome *o, struct lab_finished *fin)
{
	struct http_response resp;
	struct buf console = BUF_INIT;
	enum http_outcome out;
	enum lab_result r;
	const char *state, *health;
	json_t *j;
	char *path, *base;
	long long end;

	*running = 0;
	memset(fin, 0, sizeof(*fin));
	path = xasprintf("/api/v0.2/jobs/%s/", lab_id);
	out = request(lab, "GET", path, NULL, 0, &resp);
	r = classify(out, resp.status);
	if (resp.too_large) {
		http_response_release(&resp);
		free(path);
		return bad_reply(lab, lab_id, "its record is larger than "
		    "the limit");
	}
	j = r == LAB_DONE ? json_body(lab, path, &resp) : NULL;
	http_response_release(&resp);
	free(path);
	if (r != LAB_DONE)
		return r;
	if (j == NULL)
		return bad_reply(lab, lab_id, "its record is not JSON");
	state = json_string_value(json_object_get(j, "state"));
	health = json_string_value(json_object_get(j, "health"));
	if (state == NULL) {
		json_decref(j);
		return bad_reply(lab, lab_id, "no state in its record");
	}
	if (strcmp(state, "Finished") != 0) {
		*running = strcmp(state, "Running") == 0 ||
		    strcmp(state, "Canceling") == 0;
		json_decref(j);
		return LAB_WAIT;
	}
	fin->finished = 1;
	fin->start_time = parse_time(json_string_value(json_object_get(j,
	    "start_time")));
	end = parse_time(json_string_value(json_object_get(j, "end_time")));
	fin->duration = fin->start_time && end >= fin->start_time ?
	    (double)(end - fin->start_time) : 0;
	base = base_url(lab);
	fin->url = xasprintf("%s/scheduler/job/%s", base, lab_id);
	free(base);

	/* the results, as YAML with the suite names */
	path = xasprintf("/api/v0.2/jobs/%s/yaml/", lab_id);
	r = classify(request(lab, "GET", path, NULL, RESULTS_MAX, &resp),
	    resp.status);
	if (resp.too_large) {
		r = bad_reply(lab, lab_id, "its results are larger than the "
		    "limit");
	} else if (r == LAB_DONE) {
		char *b = base_url(lab), *what = xasprintf("%s%s", b, path);

		free(b);
		if (lava_parse_results(resp.body.ptr, resp.body.len, what,
		    o) != 0)
			r = bad_reply(lab, lab_id, "its results cannot be "
			    "parsed");
		free(what);
	}
	http_response_release(&resp);
	free(path);
	if (r == LAB_DONE) {
		/* the server's word on health wins over the job case */
		if (health != NULL && strcmp(health, "Unknown") != 0) {
			free(o->health);
			o->health = xstrdup(health);
		}
		path = xasprintf("/api/v0.2/jobs/%s/logs/", lab_id);
		if (request(lab, "GET", path, NULL, LOG_MAX, &resp) ==
		    HTTP_OK) {
			struct lava_outcome ignore;

			memset(&ignore, 0, sizeof(ignore));
			lava_parse_log(resp.body.ptr, resp.body.len, &ignore,
			    &console);
			lava_outcome_release(&ignore);
			fin->log = buf_detach(&resp.body, NULL);
			fin->console = buf_detach(&console, NULL);
		} else {
			/* results without a log are still results */
			warning("lab %s: job %s: no log", lab->name, lab_id);
		}
		http_response_release(&resp);
		free(path);
	} else {
		lava_outcome_release(o);
	}
	buf_release(&console);
	json_decref(j);
	return r;
}

/* ---- pull labs ---- */

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
static json_t *
rebuild_index(const struct lab_cfg *lab, struct db *db)
{
	sqlite3_stmt *st;
	json_t *idx, *jobs;

	idx = json_object();
	jobs = json_array();
	json_object_set_new(idx, "jobs", jobs);
	if (db == NULL)
		return idx;
	st = db_prepare(db, "SELECT id, definition, coalesce(submitted, "
	    "created) FROM job WHERE runtime = ? AND state IN ('submitting', "
	    "'submitted', 'running') ORDER BY created, id");
	if (st == NULL)
		return idx;
	db_bind_text(st, 1, lab->name);
	while (db_step(db, st) == 1)
		json_array_append_new(jobs, index_entry(db_col_text(st, 1),
		    db_col_text(st, 0), db_col_int(st, 2)));
	db_finalize(st);
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
    const char *job_id, long long attempt)
{
	json_t *idx, *jobs, *e;
	char *text, *dt, *name, *file, *rel, tag[32];
	size_t i;
	enum lab_result r;

	if (read_definition(definition, &text, &dt, &name) != 0)
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
