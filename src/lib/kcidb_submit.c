/*
 * kcidb_submit.c: the files of the kcidb stage, POSTed to a KCIDB REST
 * endpoint, then followed by their submission id until processed.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "kcidb.h"
#include "kcidb_submit.h"
#include "log.h"
#include "retry.h"
#include "store_kcidb.h"
#include "util.h"

/* What the status of a submission says once it is over. */
#define STATUS_PROCESSED	"processed"
#define STATUS_FAILED		"failed"

struct submitter {
	const struct config	*cfg;
	struct db		*db;
	struct kcidb_stats	*stats;
	char			*auth;		/* the Authorization header */
	struct buf		*body;		/* a file's bytes */
};

static char *
status_url(const char *submit, const char *id)
{
	const char *slash, *q;
	char *e, *url;
	size_t n;

	/* <base>/submit -> <base>/status?id=... */
	q = strchr(submit, '?');
	n = q ? (size_t)(q - submit) : strlen(submit);
	while (n > 0 && submit[n - 1] == '/')
		n--;
	slash = memrchr(submit, '/', n);
	if (slash != NULL && slash > strstr(submit, "://") + 2)
		n = (size_t)(slash - submit);
	e = http_escape(id);
	url = xasprintf("%.*s/status?id=%s", (int)n, submit, e);
	free(e);
	return url;
}

static char *
bearer(const struct config *cfg)
{
	const char *tok;

	tok = config_token(cfg->kcidb_token_env, "kcidb", "submitting");
	return tok != NULL ? xasprintf("Bearer %s", tok) : NULL;
}

/* When a file that failed attempts times before this one is tried again. */
static long long
next_try(const struct submitter *s, long long attempts)
{
	return (long long)time(NULL) + retry_backoff(s->cfg->retry_delay,
	    attempts + 1);
}

static void
request_init(const struct submitter *s, struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	req->auth = s->auth;
	req->what = "kcidb";
	req->accept = "application/json";
}

/* A reply's JSON body; NULL unless the request went through. */
static json_t *
reply_json(enum http_outcome out, const struct http_response *resp)
{
	json_error_t e;

	return out == HTTP_OK ? json_loadb(resp->body.ptr, resp->body.len, 0,
	    &e) : NULL;
}

/* A file not accepted yet: (re)send it whole. */
static int
post_file(struct submitter *s, const struct kcidb_file *f)
{
	struct http_response resp;
	struct http_request req;
	enum http_outcome out;
	const char *sid;
	json_t *j;
	int rc;

	buf_reset(s->body);
	if (buf_read_file(s->body, f->path) != 0) {
		error("kcidb: cannot read '%s': %s", f->path, strerror(errno));
		s->stats->failed++;
		return 0;
	}
	request_init(s, &req);
	req.method = "POST";
	req.url = s->cfg->kcidb_url;
	req.content_type = "application/json";
	req.body = s->body->ptr;
	req.body_len = s->body->len;
	out = http_do(&req, &resp);
	j = reply_json(out, &resp);
	sid = json_string_value(json_object_get(j, "id"));
	if (sid == NULL)
		sid = json_string_value(json_object_get(j, "submission_id"));
	if (out == HTTP_OK && sid != NULL) {
		rc = store_kcidb_file_update(s->db, f->id, KCIDB_FILE_SUBMITTED,
		    sid, 0, NULL, 1);
		info("kcidb: %s accepted as %s", f->path, sid);
		s->stats->submitted++;
	} else {
		if (out == HTTP_OK)
			error("kcidb: no submission id in the reply for '%s'",
			    f->path);
		rc = store_kcidb_file_update(s->db, f->id, KCIDB_FILE_PENDING,
		    NULL, next_try(s, f->attempts), resp.error ? resp.error :
		    "no submission id", 1);
		s->stats->failed++;
	}
	json_decref(j);
	http_response_release(&resp);
	return rc;
}

/* A file accepted: only ask how it went, never resend it. */
static int
ask_status(struct submitter *s, const struct kcidb_file *f)
{
	struct http_response resp;
	struct http_request req;
	enum http_outcome out;
	const char *status, *id;
	char *url;
	json_t *j;
	int rc;

	id = f->submission_id;
	url = status_url(s->cfg->kcidb_url, id ? id : "");
	request_init(s, &req);
	req.url = url;
	out = http_do(&req, &resp);
	j = reply_json(out, &resp);
	status = json_string_value(json_object_get(j, "status"));
	rc = 0;
	if (status != NULL && strcmp(status, STATUS_PROCESSED) == 0) {
		rc = store_kcidb_file_update(s->db, f->id, KCIDB_FILE_PROCESSED,
		    id, 0, NULL, 0);
		s->stats->processed++;
	} else if (status != NULL && strcmp(status, STATUS_FAILED) == 0) {
		/* refused after all: it goes out again */
		error("kcidb: submission %s of '%s' failed; sending it again",
		    id, f->path);
		rc = store_kcidb_file_update(s->db, f->id, KCIDB_FILE_PENDING,
		    NULL, next_try(s, f->attempts), "processing failed", 0);
		s->stats->failed++;
	} else if (out != HTTP_OK || status == NULL) {
		rc = store_kcidb_file_update(s->db, f->id, KCIDB_FILE_SUBMITTED,
		    id, next_try(s, f->attempts), resp.error ? resp.error :
		    "no status in the reply", 0);
	}
	json_decref(j);
	http_response_release(&resp);
	free(url);
	return rc;
}

int
kcidb_submit(const struct config *cfg, struct db *db,
    struct kcidb_stats *stats)
{
	struct kcidb_file_list files;
	struct buf body = BUF_INIT;
	struct submitter s;
	size_t i;
	int rc;

	if (store_kcidb_files_due(db, (long long)time(NULL), &files) != 0)
		return -1;
	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.db = db;
	s.stats = stats;
	s.auth = bearer(cfg);
	s.body = &body;
	rc = 0;
	for (i = 0; i < files.n && rc == 0; i++) {
		if (strcmp(files.v[i].state, KCIDB_FILE_PENDING) == 0)
			rc = post_file(&s, &files.v[i]);
		else
			rc = ask_status(&s, &files.v[i]);
	}
	buf_release(&body);
	free(s.auth);
	store_kcidb_file_list_free(&files);
	return rc;
}
