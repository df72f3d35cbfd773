/*
 * collect.c: the collect stage: every submitted job is looked at through
 * its lab; finished ones become test rows here (build rows are the local
 * runtime's), those that did not finish are retried.
 */
#include <jansson.h>
#include <openssl/evp.h>

#include "buf.h"
#include "collect.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "job.h"
#include "kcidb_doc.h"
#include "lava.h"
#include "log.h"
#include "runtime.h"
#include "safe.h"
#include "secret.h"
#include "storage.h"
#include "store_build.h"
#include "store_test.h"
#include "strset.h"
#include "util.h"

char *
collect_outside(const char *s, size_t max, int tail)
{
	char *masked, *clean;

	if (s == NULL)
		return NULL;
	masked = secret_mask(s);
	clean = tail ? safe_utf8_tail(masked, strlen(masked), max) :
	    safe_utf8(masked, strlen(masked), max);
	free(masked);
	return clean;
}

/* Keep the last n code points of the UTF-8 string s, in place. */
static void
last_codepoints(char *s, size_t n)
{
	size_t len, i, cps;

	len = strlen(s);
	cps = 0;
	for (i = len; i > 0; i--) {
		if (((unsigned char)s[i - 1] & 0xc0) != 0x80 && ++cps == n) {
			memmove(s, s + i - 1, len - (i - 1) + 1);
			return;
		}
	}
}

char *
collect_excerpt(const char *log)
{
	char *clean;

	clean = collect_outside(log, COLLECT_EXCERPT_READ, 1);
	if (clean != NULL)
		last_codepoints(clean, COLLECT_EXCERPT_MAX);
	return clean;
}

static const char *
kcidb_status(const char *lava_result)
{
	if (strcmp(lava_result, "pass") == 0)
		return "PASS";
	if (strcmp(lava_result, "fail") == 0)
		return "FAIL";
	if (strcmp(lava_result, "skip") == 0)
		return "SKIP";
	return "ERROR";
}

/*
 * The KCIDB id of the test path of the attempt j repeats, or NULL when
 * j is no retry or that attempt had no such result: misc.retry_of, as
 * KCIDB v5.3 has no field that links a retry (docs/design.md).
 */
static char *
retry_link(const struct config *cfg, struct db *db, const struct job_row *j,
    const char *path)
{
	char *instance, *id;
	int has;

	if (j->retry_of == NULL || store_job_has_test(db, j->retry_of, path,
	    &has) != 0 || !has)
		return NULL;
	instance = db_instance(db);
	id = kcidb_local_id(cfg->origin, instance, j->retry_of, path);
	free(instance);
	return id;
}

static int
upsert_test(const struct config *cfg, struct db *db, const struct job_row *j,
    const char *path, const char *status, const struct lava_case *c,
    const char *compatible, const struct lava_info *li, const char *etype,
    const char *emsg)
{
	struct test_row t;
	json_t *misc;
	char *misc_text, *link;
	int rc;

	misc = json_object();
	json_object_set_new(misc, "platform", json_string(j->platform));
	json_object_set_new(misc, "test", json_string(j->config_name));
	json_object_set_new(misc, "lab", json_string(j->runtime));
	json_object_set_new(misc, "attempt", json_integer(j->attempt));
	if (li->lab_job_id != NULL)
		json_object_set_new(misc, "lab_job_id",
		    json_string(li->lab_job_id));
	if (li->lab_job_url != NULL)
		json_object_set_new(misc, "lab_job_url",
		    json_string(li->lab_job_url));
	if (li->full_log_url != NULL)
		json_object_set_new(misc, "lava_log_url",
		    json_string(li->full_log_url));
	if (etype != NULL)
		json_object_set_new(misc, "error_type", json_string(etype));
	if (emsg != NULL)
		json_object_set_new(misc, "error_msg", json_string(emsg));
	link = retry_link(cfg, db, j, path);
	if (link != NULL)
		json_object_set_new(misc, "retry_of", json_string(link));
	free(link);
	misc_text = json_dumps(misc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(misc);
	memset(&t, 0, sizeof(t));
	t.build_id = j->build_id;
	t.job_id = j->id;
	t.path = (char *)path;
	t.platform = j->platform;
	t.compatible = (char *)compatible;
	t.status = (char *)status;
	t.start_time = li->start_time;
	t.duration = li->duration;
	t.has_duration = 1;
	t.log_url = (char *)li->log_url;
	t.log_excerpt = (char *)li->excerpt;
	if (c != NULL && c->has_measurement) {
		t.has_number = 1;
		t.number_value = c->measurement;
		t.number_unit = c->unit;
	}
	t.misc = misc_text;
	rc = store_test_upsert(db, &t);
	free(misc_text);
	return rc;
}

static char *
compatible_json(const struct config *cfg, const char *platform)
{
	const struct platform_cfg *p;
	char *const *c;
	json_t *a;
	char *s;

	p = platform ? config_platform(cfg, platform) : NULL;
	if (p == NULL || p->compatible == NULL)
		return NULL;
	a = json_array();
	for (c = p->compatible; *c; c++)
		json_array_append_new(a, json_string(*c));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

int
collect_boot_error(const struct runtime *rt, struct job_row *j,
    const char *code, const char *msg, const char *excerpt)
{
	struct lava_info li;
	char *compat;
	int rc;

	memset(&li, 0, sizeof(li));
	li.start_time = j->started;
	li.excerpt = excerpt;
	compat = compatible_json(rt->cfg, j->platform);
	rc = upsert_test(rt->cfg, rt->db, j, "boot", "ERROR", NULL, compat,
	    &li, code, msg);
	free(compat);
	return rc;
}

static void
mask_in_place(char **s)
{
	char *m;

	if (*s == NULL)
		return;
	m = secret_mask(*s);
	free(*s);
	*s = m;
}

/* What a lab said, masked, and what was dropped at the border, said. */
static void
clean_outcome(const struct job_row *j, struct lava_outcome *o)
{
	size_t i;

	mask_in_place(&o->error_type);
	mask_in_place(&o->error_msg);
	for (i = 0; i < o->n; i++) {
		mask_in_place(&o->cases[i].suite);
		mask_in_place(&o->cases[i].name);
		mask_in_place(&o->cases[i].error_type);
		mask_in_place(&o->cases[i].error_msg);
		mask_in_place(&o->cases[i].unit);
	}
	if (o->dropped > 0)
		warning("job %s: the lab reported more than %d results; %zu "
		    "dropped", j->id, LAVA_MAX_CASES, o->dropped);
	if (o->bad_numbers > 0)
		warning("job %s: %zu measurement%s not a finite number; "
		    "recorded without it", j->id, o->bad_numbers,
		    o->bad_numbers == 1 ? " is" : "s are");
	o->dropped = o->bad_numbers = 0;
}

/*
 * Two results whose names differ only in what a KCIDB path cannot hold
 * ("net/ping.v4" and "net/ping v4") became one path: the later one gets
 * "-h" and 8 hex digits of the SHA-256 of its suite and name, so no
 * result takes another's place.  Takes path; returns the new one.
 */
static char *
distinct_path(char *path, const struct lava_case *c, struct strset *paths,
    size_t *clashes)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn;
	char *what, *p;
	int salt;

	(*clashes)++;
	for (salt = 0;; salt++) {
		what = xasprintf("%d/%s/%s", salt, c->suite, c->name);
		if (EVP_Digest(what, strlen(what), d, &dn, EVP_sha256(),
		    NULL) != 1)
			die_oom();
		free(what);
		p = xasprintf("%s-h%02x%02x%02x%02x", path, d[0], d[1], d[2],
		    d[3]);
		if (strset_add(paths, p)) {
			free(path);
			return p;
		}
		free(p);
	}
}

/*
 * Record a finished LAVA job: the boot and the test cases, or a retry.
 * Maps the outcome as KernelCI's Maestro does (lava_judge()).
 */
void
collect_lava_rows(const struct lava_outcome *o, enum lava_verdict v,
    const char *boot, const char *prefix, struct lava_row **rows, size_t *n,
    size_t *clashes)
{
	struct strset paths = STRSET_INIT;
	struct lava_row *list;
	char *path;
	size_t i;

	*clashes = 0;
	list = xcalloc(o->n + 1, sizeof(*list));
	list[0].path = xstrdup("boot");
	list[0].status = boot != NULL ? boot : v == LAVA_DONE ? "PASS" :
	    "ERROR";
	list[0].error_type = v == LAVA_DONE ? NULL : o->error_type;
	list[0].error_msg = v == LAVA_DONE ? NULL : o->error_msg;
	*n = 1;
	strset_add(&paths, "boot");
	for (i = 0; i < o->n; i++) {
		const struct lava_case *c = &o->cases[i];

		if (strcmp(c->suite, "lava") == 0)
			continue;
		path = lava_test_path(prefix, c->suite, c->name);
		if (!strset_add(&paths, path))
			path = distinct_path(path, c, &paths, clashes);
		list[*n].path = path;
		list[*n].status = kcidb_status(c->result);
		list[*n].c = c;
		(*n)++;
	}
	strset_release(&paths);
	*rows = list;
}

void
collect_lava_rows_free(struct lava_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].path);
	free(rows);
}

int
collect_lava(const struct runtime *rt, struct job_row *j,
    struct lava_outcome *o, const struct lava_info *li,
    struct collect_stats *stats)
{
	const struct config *cfg = rt->cfg;
	struct db *db = rt->db;
	const struct test_cfg *t;
	struct lava_row *rows;
	const char *boot, *result;
	enum lava_verdict v;
	char *compat, msg[256];
	size_t i, n, clashes;
	int r;

	clean_outcome(j, o);
	v = lava_judge(o, &boot);
	snprintf(msg, sizeof(msg), "%s: %s", o->error_type ? o->error_type :
	    "Infrastructure", o->error_msg ? o->error_msg : "incomplete");
	if (db_begin(db) != 0)
		return -1;
	if (v == LAVA_INCOMPLETE) {
		r = job_retry(cfg, db, j, o->error_type ? o->error_type :
		    "incomplete", o->error_msg ? o->error_msg : "");
		if (r != 0) {
			if (r > 0) {
				stats->retried++;
				return db_commit(db);
			}
			db_rollback(db);
			return -1;
		}
	}
	result = v == LAVA_DONE ? "pass" : v == LAVA_BOOT_FAILED ? "fail" :
	    "incomplete";
	r = job_finish(db, j, result, v == LAVA_DONE ? NULL :
	    o->error_type, v == LAVA_DONE ? NULL : o->error_msg);
	compat = compatible_json(cfg, j->platform);
	t = config_test(cfg, j->config_name);
	collect_lava_rows(o, v, boot, t ? t->kcidb_path : NULL, &rows, &n,
	    &clashes);
	boot = rows[0].status;
	for (i = 0; i < n && r == 0; i++)
		r = upsert_test(cfg, db, j, rows[i].path, rows[i].status,
		    rows[i].c, compat, li, rows[i].error_type,
		    rows[i].error_msg);
	if (clashes > 0)
		warning("job %s: %zu result name%s became a path another "
		    "result has; each got a suffix of its own", j->id,
		    clashes, clashes == 1 ? "" : "s");
	free(compat);
	collect_lava_rows_free(rows, n);
	if (r != 0) {
		db_rollback(db);
		return -1;
	}
	crashpoint("collect-test-recorded");
	r = db_commit(db);
	if (r == 0) {
		if (v == LAVA_DONE)
			info("job %s: complete, boot %s, %zu results", j->id,
			    boot, o->n);
		else if (v == LAVA_BOOT_FAILED)
			warning("job %s: boot failed (%s)", j->id, msg);
		else
			error("job %s: incomplete after %lld attempts: %s",
			    j->id, j->attempt, msg);
		if (v == LAVA_INCOMPLETE)
			stats->failed++;
		else
			stats->finished++;
	}
	return r;
}

/*
 * Keep a remote job's logs in storage, masked; fill in their URLs and
 * the excerpt (*excerpt, the caller frees).
 */
static void
store_logs(const struct config *cfg, const struct job_row *j,
    struct lab_finished *fin, struct lava_info *li, char **urls,
    char **excerpt)
{
	char **text[2] = { &fin->log, &fin->console };
	const char *names[2] = { "lava.log", "console.log" };
	char *rel, *path, *m;
	size_t i;

	urls[0] = urls[1] = NULL;
	*excerpt = NULL;
	for (i = 0; i < 2; i++) {
		if (*text[i] == NULL)
			continue;
		m = secret_mask(*text[i]);
		free(*text[i]);
		*text[i] = m;
		rel = xasprintf("tests/%s/%s", j->id, names[i]);
		path = fs_join(cfg->storage_path, rel);
		if (fs_write_atomic(path, m, strlen(m), 0) == 0)
			urls[i] = storage_url(cfg, rel);
		free(path);
		free(rel);
	}
	if (fin->console != NULL)
		*excerpt = collect_excerpt(fin->console);
	li->full_log_url = urls[0];
	li->log_url = urls[1];
	li->excerpt = *excerpt;
}

int
collect_upload(const struct config *cfg, struct db *db,
    const struct job_row *j, const char *const *urls, size_t n,
    struct collect_stats *stats)
{
	enum storage_up r;
	char *what;
	size_t i;
	int rc;

	if (cfg->storage_upload_url == NULL)
		return 0;
	what = xasprintf("job %s", j->id);
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		if (urls[i] == NULL)
			continue;
		r = storage_upload_url(cfg, db, urls[i], what, NULL);
		if (r == STORAGE_ERROR)
			rc = -1;
		else if (r == STORAGE_PENDING)
			rc = 1;
	}
	if (rc > 0) {
		warning("job %s: finished, but not all of its artifacts are "
		    "uploaded; it is collected when they are", j->id);
		stats->upload_pending++;
	}
	free(what);
	return rc;
}

/* A job that waited in a lab's queue for a day never ran: MISS. */
#define QUEUE_TIMEOUT	(24LL * 3600)

/*
 * A test job that ends without results: its boot is status (MISS when it
 * never ran, ERROR when it ran and nothing can be known of it).
 */
static int
final_boot(const struct runtime *rt, struct job_row *j, const char *status,
    const char *code, const char *msg, struct collect_stats *stats)
{
	struct db *db = rt->db;
	struct lava_info li;
	char *compat;
	int rc;

	memset(&li, 0, sizeof(li));
	li.start_time = j->started;
	if (db_begin(db) != 0)
		return -1;
	rc = job_finish(db, j, "incomplete", code, msg);
	compat = compatible_json(rt->cfg, j->platform);
	if (rc == 0)
		rc = upsert_test(rt->cfg, db, j, "boot", status, NULL, compat,
		    &li, code, msg);
	free(compat);
	if (rc != 0) {
		db_rollback(db);
		return -1;
	}
	error("job %s: %s: %s", j->id, msg, status);
	stats->failed++;
	return db_commit(db);
}

/*
 * The lab answered about the job with something that cannot be read.
 * Ask again next run, a few times; then the job ends: ERROR when the lab
 * said it finished, MISS when not even its record could be read.
 */
static int
bad_answer(const struct runtime *rt, struct job_row *j,
    const struct lab_finished *fin, struct collect_stats *stats)
{
	const struct lab_cfg *lab = rt->lab;
	long long n, limit;
	char msg[160];

	n = j->poll_failures + 1;
	limit = rt->cfg->retries + 1 > 3 ? rt->cfg->retries + 1 : 3;
	if (n < limit) {
		warning("job %s: lab %s's answer cannot be read (%lld of %lld); "
		    "trying again next run", j->id, lab->name, n, limit);
		stats->running++;
		return job_poll_failures(rt->db, j, n);
	}
	snprintf(msg, sizeof(msg), "lab %s answered %lld times in a row with "
	    "something that cannot be read; giving up", lab->name, n);
	return final_boot(rt, j, fin->finished ? "ERROR" : "MISS",
	    "lab_unreadable", msg, stats);
}

/* A job of a lab that is polled (runtime_ops.poll). */
int
collect_polled(const struct runtime *rt, struct job_row *j,
    struct collect_stats *stats)
{
	struct lava_outcome o;
	struct lab_finished fin;
	struct lava_info li;
	enum lab_result r;
	char *urls[2], *excerpt;
	long long attempt;
	int running, rc;

	memset(&o, 0, sizeof(o));
	memset(&li, 0, sizeof(li));
	running = 0;
	r = rt->ops->poll(rt, j, &running, &o, &fin);
	rc = 0;
	switch (r) {
	case LAB_WAIT:
		if (!running && j->submitted > 0 &&
		    time(NULL) > j->submitted + QUEUE_TIMEOUT) {
			rc = final_boot(rt, j, "MISS", "queue_timeout",
			    "never started within a day", stats);
			break;
		}
		stats->running++;
		if (j->poll_failures > 0)
			rc = job_poll_failures(rt->db, j, 0);
		if (rc == 0 && running && j->state == JOB_SUBMITTED)
			rc = job_running(rt->db, j);
		break;
	case LAB_RETRY:
		/*
		 * Nothing is lost: look again next run.  But a lab that has
		 * not answered for a day past the job's own timeout will not
		 * tell: the job ends.
		 */
		if (j->submitted > 0 && time(NULL) > j->submitted +
		    j->timeout + QUEUE_TIMEOUT) {
			rc = final_boot(rt, j, "ERROR", "lab_unreachable",
			    "the lab could not be asked about it for a day "
			    "past its timeout", stats);
			break;
		}
		warning("job %s: cannot read its state from lab %s now; "
		    "trying again next run", j->id, rt->lab->name);
		stats->running++;
		break;
	case LAB_BAD:
		rc = bad_answer(rt, j, &fin, stats);
		lab_finished_release(&fin);
		break;
	case LAB_FAIL:
		/* unreadable results: run it again */
		lava_outcome_release(&o);
		o.health = xstrdup("Incomplete");
		o.error_type = xstrdup("Infrastructure");
		o.error_msg = xstrdup("the lab's results could not be read");
		/* fall through */
	case LAB_DONE:
		li.start_time = fin.start_time ? fin.start_time : j->started;
		li.duration = fin.duration;
		li.lab_job_id = j->runtime_job_id;
		li.lab_job_url = fin.url;
		store_logs(rt->cfg, j, &fin, &li, urls, &excerpt);
		attempt = j->attempt;
		rc = collect_upload(rt->cfg, rt->db, j,
		    (const char *const *)urls, 2, stats);
		if (rc == 0)
			rc = collect_lava(rt, j, &o, &li, stats);
		else if (rc > 0) {
			/* the lab keeps the job: asked again next run */
			free(urls[0]);
			free(urls[1]);
			free(excerpt);
			lab_finished_release(&fin);
			rc = 0;
			break;
		}
		free(urls[0]);
		free(urls[1]);
		free(excerpt);
		if (rc == 0 && rt->ops->done != NULL)
			rt->ops->done(rt, j, attempt);
		lab_finished_release(&fin);
		break;
	}
	lava_outcome_release(&o);
	return rc;
}

int
collect_entry_gone(const struct config *cfg, const struct job_row *j,
    char *why, size_t len)
{
	int build;

	build = strcmp(j->kind, "kbuild") == 0;
	if (build ? config_build(cfg, j->config_name) != NULL :
	    config_test(cfg, j->config_name) != NULL)
		return 0;
	if (why != NULL)
		snprintf(why, len, "%s '%s' is no longer in the config",
		    build ? "build" : "test", j->config_name);
	return 1;
}

int
collect_cancel(const struct config *cfg, struct db *db,
    const struct runtime *rt, struct job_row *j, const char *why,
    struct buf *err)
{
	struct lava_info li;
	char *compat;
	int rc, has;

	if (rt != NULL && rt->ops->cancel != NULL &&
	    (j->state == JOB_SUBMITTING || j->state == JOB_SUBMITTED ||
	    j->state == JOB_RUNNING)) {
		/*
		 * The request is kept before the lab is told: a run killed
		 * after the lab stopped the job must not take it for a job
		 * that died and retry it; the next run ends the cancel.
		 */
		if (!job_cancel_asked(j)) {
			if (db_begin(db) != 0 || db_end(db,
			    store_job_mark_cancel(db, j->id, why)) != 0)
				return -1;
			free(j->error_code);
			j->error_code = xstrdup(JOB_CANCELLING);
		}
		rc = rt->ops->cancel(rt, j, err) == LAB_DONE;
		crashpoint("cancel-lab-told");
		if (!rc)
			return 1;	/* the next run asks the lab again */
	}
	if (db_begin(db) != 0)
		return -1;
	rc = job_finish(db, j, "incomplete", JOB_CANCELLED, why);
	if (rc == 0 && strcmp(j->kind, "kbuild") == 0) {
		rc = store_build_final(db, j->id, "MISS", JOB_CANCELLED, why);
	} else if (rc == 0) {
		rc = store_job_has_tests(db, j->id, &has);
		if (rc == 0 && !has) {
			memset(&li, 0, sizeof(li));
			li.start_time = j->started;
			compat = compatible_json(cfg, j->platform);
			rc = upsert_test(cfg, db, j, "boot", "MISS", NULL,
			    compat, &li, JOB_CANCELLED, why);
			free(compat);
		}
	}
	if (db_end(db, rc) != 0)
		return -1;
	free(j->error_code);
	j->error_code = xstrdup(JOB_CANCELLED);
	return 0;
}

int
collect_cancel_pending(const struct config *cfg, struct db *db,
    struct job_row *j)
{
	struct buf err = BUF_INIT;
	struct runtime rt, *rtp;
	char why[320];
	int rc, gone;

	gone = collect_entry_gone(cfg, j, why, sizeof(why));
	if (!gone)
		snprintf(why, sizeof(why), "%s", j->error_msg ? j->error_msg :
		    "cancelled by request");
	rtp = runtime_get(cfg, db, j->runtime, &rt) == 0 ? &rt : NULL;
	log_catch(&err);
	rc = collect_cancel(cfg, db, rtp, j, why, &err);
	log_uncatch(&err, "the lab refused");
	if (rc == 0 && gone)
		warning("job %s: %s: cancelled", j->id, why);
	else if (rc == 0)
		info("job %s: cancelled, as was asked (%s)", j->id, why);
	else if (rc > 0)
		warning("job %s: cannot cancel it yet (%s); trying again next "
		    "run", j->id, err.ptr);
	buf_release(&err);
	return rc;
}

static int
collect_once(const struct config *cfg, struct db *db,
    struct collect_stats *stats, size_t *local_running)
{
	struct runtime rt;
	struct job_row *list;
	size_t n, i;
	int rc;

	*local_running = 0;
	if (store_job_list(db, 1U << JOB_SUBMITTED | 1U << JOB_RUNNING, &list,
	    &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		size_t before = stats->running;

		if (runtime_get(cfg, db, list[i].runtime, &rt) != 0) {
			warning("job %s: lab '%s' is no longer in the config",
			    list[i].id, list[i].runtime);
			continue;
		}
		if (job_cancel_asked(&list[i]) ||
		    collect_entry_gone(cfg, &list[i], NULL, 0)) {
			rc = collect_cancel_pending(cfg, db, &list[i]);
			if (rc != 1)
				continue;
			/* the lab cannot be told: its results are taken */
			rc = 0;
		}
		if (!rt.ops->local && budget_spent()) {
			/* a slow lab must not hold the run past its budget */
			stats->running++;
			continue;
		}
		if (rt.ops->collect != NULL)
			rc = rt.ops->collect(&rt, &list[i], stats);
		else
			rc = collect_polled(&rt, &list[i], stats);
		if (rt.ops->local || rt.ops->waited)
			*local_running += stats->running - before;
	}
	store_job_list_free(list, n);
	return rc;
}

int
collect_stage(const struct config *cfg, struct db *db, int wait,
    struct collect_stats *stats)
{
	struct timespec ts;
	struct collect_stats round;
	long pause_ms = 250;
	size_t running;
	double t0;
	char took[32];

	t0 = now_monotonic();
	progress_start("waiting for local jobs", 0);
	for (;;) {
		memset(&round, 0, sizeof(round));
		if (collect_once(cfg, db, &round, &running) != 0) {
			progress_end();
			return -1;
		}
		stats->finished += round.finished;
		stats->retried += round.retried;
		stats->failed += round.failed;
		stats->running = round.running;
		stats->upload_pending = round.upload_pending;
		if (!wait || running == 0)
			break;
		/* the jobs go on; the next run collects them */
		if (budget_spent()) {
			info("budget spent: %zu local job%s left running for "
			    "the next run", running, running == 1 ? "" : "s");
			break;
		}
		time_human(now_monotonic() - t0, took, sizeof(took));
		progress_update(running, took);
		/* short jobs are seen at once, long ones every 2 s */
		ts.tv_sec = pause_ms / 1000;
		ts.tv_nsec = (pause_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		if (pause_ms < 2000)
			pause_ms *= 2;
	}
	progress_end();
	return 0;
}
