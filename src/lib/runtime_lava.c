/*
 * runtime_lava.c: a LAVA server, over its REST API (v0.2) with libcurl:
 * jobs are POSTed, looked up by name after a crash and polled for their
 * state, results and log.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "job.h"
#include "lava.h"
#include "lavalab.h"
#include "log.h"
#include "runtime.h"
#include "ynode.h"
#include "util.h"

#define LOG_MAX		LAB_LOG_MAX
#define RESULTS_MAX	LAB_RESULTS_MAX

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

int
lab_read_definition(const char *path, char **text, char **device_type,
    char **job_name, struct buf *err)
{
	struct buf b = BUF_INIT;
	struct ynode *def;
	const char *v;
	int rc;

	if (buf_read_file(&b, path) != 0) {
		buf_release(&b);
		error_to(err, "cannot read job definition '%s': %s",
		    path, strerror(errno));
		return -1;
	}
	log_catch(err);
	rc = ynode_parse_string(path, b.ptr, b.len, &def);
	log_uncatch(err, "cannot parse the job definition");
	if (rc != 0) {
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
    const char *job_id, char **lab_id, struct buf *err)
{
	struct http_response resp;
	enum http_outcome out;
	enum lab_result r;
	json_t *body, *j, *ids;
	char *text, *dt, *name, *json;

	*lab_id = NULL;
	if (lab_read_definition(definition, &text, &dt, &name, err) != 0)
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
	if (r == LAB_FAIL)
		error_keep(err, "lab %s: %s", lab->name,
		    resp.error ? resp.error : "refused");
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
	if (lab_read_definition(definition, &text, &dt, &name, NULL) != 0)
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

static enum lab_result
rest_submit(const struct runtime *rt, struct job_row *j,
    const struct runtime_handover *h, char **lab_id, struct buf *err)
{
	enum lab_result r;

	(void)h;
	crashpoint("submit-remote-before");
	r = lava_submit(rt->lab, j->definition, j->id, lab_id, err);
	crashpoint("submit-remote-after");
	if (r == LAB_DONE)
		info("job %s: submitted to %s as %s", j->id, rt->lab->name,
		    *lab_id);
	return r;
}

/*
 * A job left submitting: the POST may have reached the lab.  Look it up
 * by its unique name; submit it again only when the lab has no such
 * job.
 */
static enum lab_result
rest_lookup(const struct runtime *rt, struct job_row *j, char **lab_id,
    char **work)
{
	enum lab_result r;

	*work = NULL;
	r = lava_lookup(rt->lab, j->definition, lab_id);
	runtime_lookup_said(rt, j, r, *lab_id);
	return r;
}

static enum lab_result
rest_poll(const struct runtime *rt, struct job_row *j, int *running,
    struct lava_outcome *o, struct lab_finished *fin)
{
	return lava_poll(rt->lab, j->runtime_job_id ? j->runtime_job_id :
	    "", running, o, fin);
}

/*
 * Cancel the job on the server: POST /api/v0.2/jobs/<id>/cancel/, or
 * GET where the server answers 405 (lava-server before 2024 takes a
 * GET).  The server itself says nothing of a job that finished already.
 */
static enum lab_result
lava_cancel(const struct lab_cfg *lab, const char *lab_id, struct buf *err)
{
	struct http_response resp;
	enum http_outcome out;
	enum lab_result r;
	char *path;

	path = xasprintf("/api/v0.2/jobs/%s/cancel/", lab_id);
	out = request(lab, "POST", path, "{}", 0, &resp);
	if (out != HTTP_OK && resp.status == 405) {
		http_response_release(&resp);
		out = request(lab, "GET", path, NULL, 0, &resp);
	}
	r = classify(out, resp.status);
	if (r != LAB_DONE)
		error_to(err, "lab %s: cannot cancel job %s: %s", lab->name,
		    lab_id, resp.error ? resp.error : "refused");
	http_response_release(&resp);
	free(path);
	return r;
}

static enum lab_result
rest_cancel(const struct runtime *rt, struct job_row *j, struct buf *err)
{
	enum lab_result r;
	char *id;

	id = j->runtime_job_id ? xstrdup(j->runtime_job_id) : NULL;
	if (id == NULL) {
		/* left submitting: the POST may have reached the server */
		r = lava_lookup(rt->lab, j->definition, &id);
		if (r == LAB_WAIT)
			return LAB_DONE;
		if (r != LAB_DONE) {
			error_to(err, "lab %s: cannot tell whether it has job "
			    "%s", rt->lab->name, j->id);
			free(id);
			return LAB_RETRY;
		}
	}
	r = lava_cancel(rt->lab, id, err);
	if (r == LAB_DONE)
		debug("job %s: cancelled on lab %s as %s", j->id,
		    rt->lab->name, id);
	free(id);
	return r;
}

const struct runtime_ops runtime_lava = {
	.type = "lava",
	.needs = "url",
	.submit = rest_submit,
	.lookup = rest_lookup,
	.poll = rest_poll,
	.cancel = rest_cancel,
};
