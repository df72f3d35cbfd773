/*
 * collect.c: the collect stage: finished jobs become build rows.
 */
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "job.h"
#include "kbuild.h"
#include "lava.h"
#include "lavalab.h"
#include "local.h"
#include "log.h"
#include "runtime.h"
#include "safe.h"
#include "secret.h"
#include "strset.h"
#include "ynode.h"
#include "util.h"

/* The KCIDB log excerpt: the last 16384 code points of the log. */
#define EXCERPT_MAX	16384
/* Enough bytes of a log to hold that many code points. */
#define EXCERPT_READ	((size_t)4 * EXCERPT_MAX)
/* A worker's result.json, and the longest string kept from it. */
#define RESULT_MAX	((size_t)1 << 20)
#define FIELD_MAX	65536
/* A LAVA log of the local lab. */
#define LOG_MAX		((size_t)64 << 20)

/*
 * Text from outside (a log, a lab, a worker's result) as it may be
 * stored: secrets masked, valid UTF-8, at most max bytes (the last ones
 * with tail).  NULL stays NULL.  Caller frees.
 */
static char *
outside(const char *s, size_t max, int tail)
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

/*
 * Every string in v (keys too), masked and bounded, and every number
 * that is not finite dropped; a JSON value from outside made fit to
 * store.  Returns a new value (v is not changed).
 */
static json_t *
clean_json(json_t *v, int depth)
{
	const char *k;
	json_t *out, *e;
	char *clean, *key;
	size_t i;

	if (json_is_string(v)) {
		clean = outside(json_string_value(v), FIELD_MAX, 0);
		out = json_string(clean);
		free(clean);
		return out;
	}
	if (json_is_real(v) && !isfinite(json_real_value(v)))
		return json_null();
	if (depth > 16 || !(json_is_object(v) || json_is_array(v)))
		return depth > 16 ? json_null() : json_incref(v);
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, e) {
			json_array_append_new(out, clean_json(e, depth + 1));
		}
		return out;
	}
	out = json_object();
	json_object_foreach(v, k, e) {
		key = outside(k, 256, 0);
		json_object_set_new(out, key, clean_json(e, depth + 1));
		free(key);
	}
	return out;
}

/*
 * The artifacts of a job, from what is in its storage (never from what
 * its result says: the build could have written that): each known name
 * that is a regular file (dtbs/ a directory), with its URL.
 */
static json_t *
stored_artifacts(const struct config *cfg, const struct job *j,
    const char *arch)
{
	static const char *const build_files[][2] = {
		{ "kernel", NULL }, { "modules", "modules.tar.xz" },
		{ "config", "config" }, { "System.map", "System.map" },
		{ "log", "build.log" }, { "metadata", "metadata.json" },
		{ "dtbs", "dtbs/" },
	};
	static const char *const test_files[][2] = {
		{ "log", "lava.log" }, { "console", "console.log" },
	};
	const char *const (*files)[2];
	const char *name;
	struct stat st;
	json_t *arts;
	char *dir, *path, *url;
	size_t i, n;
	int test;

	test = strcmp(j->kind, "test") == 0;
	files = test ? test_files : build_files;
	n = test ? ARRAY_SIZE(test_files) : ARRAY_SIZE(build_files);
	dir = xasprintf("%s/%s/%s", cfg->storage_path, test ? "tests" :
	    "builds", j->id);
	arts = json_object();
	for (i = 0; i < n; i++) {
		name = files[i][1];
		if (name == NULL) {
			name = strrchr(kbuild_image(arch ? arch : ""), '/');
			name = name ? name + 1 : kbuild_image(arch ? arch : "");
		}
		path = fs_join(dir, name);
		if (lstat(path, &st) == 0 && (str_ends(name, "/") ?
		    S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))) {
			url = xasprintf("%s%s/%s/%s", cfg->storage_url, test ?
			    "tests" : "builds", j->id, name);
			json_object_set_new(arts, files[i][0],
			    json_string(url));
			free(url);
		}
		free(path);
	}
	free(dir);
	return arts;
}

/*
 * A worker's result.json, made fit to store: every string masked and
 * bounded, every number that is not one dropped, and what it could lie
 * about made again from what Maestrino knows: the artifacts from the
 * job's storage, the reproducer from the job's definition.
 */
static json_t *
clean_result(const struct config *cfg, const struct job *j, json_t *res)
{
	struct ynode *def;
	json_t *out;
	const char *arch;
	char *repro;

	out = clean_json(res, 0);
	if (!json_is_object(out)) {
		json_decref(out);
		return NULL;
	}
	json_object_del(out, "reproducer");
	def = NULL;
	arch = NULL;
	if (strcmp(j->kind, "kbuild") == 0 && j->definition != NULL) {
		log_mute();
		if (ynode_parse_file(j->definition, &def) == 0) {
			arch = ynode_str(ynode_get(def, "build"), "arch");
			repro = kbuild_reproducer(def);
			if (repro != NULL)
				json_object_set_new(out, "reproducer",
				    json_string(repro));
			free(repro);
		}
		log_unmute();
	}
	json_object_set_new(out, "artifacts", stored_artifacts(cfg, j, arch));
	ynode_free(def);
	return out;
}

int
collect_build_final(struct db *db, const char *job_id, const char *status,
    const char *code, const char *msg)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, "UPDATE build SET status = ?, misc = json_patch("
	    "coalesce(misc, '{}'), json_object('error_code', ?, "
	    "'error_msg', ?)), gen = gen + 1 WHERE job_id = ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, status);
	db_bind_text(st, 2, code);
	db_bind_text(st, 3, msg);
	db_bind_text(st, 4, job_id);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	return rc;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
update_build(struct db *db, const struct job *j, json_t *res,
    const char *status, const char *excerpt)
{
	json_t *misc, *arts;
	sqlite3_stmt *st;
	char *misc_text, *arts_text;
	int rc;

	arts = json_object_get(res, "artifacts");
	misc = json_object();
	json_object_set(misc, "warnings", json_object_get(res, "warnings"));
	json_object_set(misc, "reproducer", json_object_get(res,
	    "reproducer"));
	json_object_set(misc, "kernel_release", json_object_get(res,
	    "kernel_release"));
	json_object_set(misc, "phases", json_object_get(res, "phases"));
	json_object_set(misc, "exit_code", json_object_get(res, "exit_code"));
	json_object_set(misc, "sandbox", json_object_get(res, "sandbox"));
	json_object_set(misc, "error_code", json_object_get(res,
	    "error_code"));
	json_object_set(misc, "error_msg", json_object_get(res, "error_msg"));
	json_object_set_new(misc, "attempt", json_integer(j->attempt));
	json_object_set_new(misc, "runtime", json_string(j->runtime));
	json_object_set(misc, "kernel_url", json_object_get(arts, "kernel"));
	json_object_set(misc, "modules_url", json_object_get(arts, "modules"));
	misc_text = json_dumps(misc, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(6));
	arts_text = arts ? json_dumps(arts, JSON_COMPACT | JSON_SORT_KEYS) :
	    NULL;
	st = db_prepare(db, "UPDATE build SET status = ?, start_time = ?, "
	    "duration = ?, compiler_version = ?, config_url = ?, log_url = ?, "
	    "log_excerpt = ?, artifacts = ?, misc = json_patch(coalesce(misc, "
	    "'{}'), ?), gen = gen + 1 WHERE job_id = ?");
	rc = -1;
	if (st != NULL) {
		db_bind_text(st, 1, status);
		db_bind_int(st, 2, (long long)json_integer_value(
		    json_object_get(res, "start_time")));
		db_bind_double(st, 3, json_number_value(
		    json_object_get(res, "duration")));
		db_bind_text(st, 4, jstr(res, "compiler"));
		db_bind_text(st, 5, jstr(arts, "config"));
		db_bind_text(st, 6, jstr(arts, "log"));
		db_bind_text(st, 7, excerpt);
		db_bind_text(st, 8, arts_text);
		db_bind_text(st, 9, misc_text);
		db_bind_text(st, 10, j->id);
		rc = db_step(db, st) < 0 ? -1 : 0;
	}
	db_finalize(st);
	free(misc_text);
	free(arts_text);
	json_decref(misc);
	return rc;
}

static void
cleanup(const struct config *cfg, const char *work)
{
	if (!cfg->keep_work && work != NULL)
		fs_remove_tree(work);
}

static int final_test_error(const struct config *, struct db *,
    const struct job *, const char *, const char *, const char *);

/* An attempt that did not finish: retry it, or make it final (ERROR). */
static int
incomplete(const struct config *cfg, struct db *db, const struct job *j,
    json_t *res, const char *code, const char *msg, const char *excerpt,
    struct collect_stats *stats)
{
	int r;

	if (db_begin(db) != 0)
		return -1;
	r = job_retry(cfg, db, j, code, msg);
	if (r == 0) {
		r = job_finish(db, j->id, "incomplete", code, msg);
		if (strcmp(j->kind, "test") == 0) {
			if (r == 0)
				r = final_test_error(cfg, db, j, code, msg,
				    excerpt);
		} else {
			if (r == 0 && res != NULL)
				r = update_build(db, j, res, "ERROR", excerpt);
			if (r == 0)
				r = collect_build_final(db, j->id, "ERROR",
				    code, msg);
		}
		if (r == 0) {
			error("job %s: incomplete after %lld attempts: %s: %s",
			    j->id, j->attempt, code, msg);
			stats->failed++;
		}
	} else if (r > 0) {
		stats->retried++;
		r = 0;
	}
	if (r != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
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

/*
 * The end of a log of the work directory, fit to store: its last
 * EXCERPT_MAX code points, as KCIDB takes them.  NULL if none.
 */
static char *
read_excerpt(const char *work, const char *name)
{
	char *raw, *clean;

	raw = local_read(work, name, EXCERPT_READ, 1);
	clean = outside(raw, EXCERPT_READ, 1);
	if (clean != NULL)
		last_codepoints(clean, EXCERPT_MAX);
	free(raw);
	return clean;
}

static int
collect_kbuild(const struct config *cfg, struct db *db, const struct job *j,
    const char *work, struct collect_stats *stats)
{
	json_error_t jerr;
	json_t *res, *raw;
	char *text, *excerpt;
	const char *status, *result;
	int rc;

	text = local_read(work, "result.json", RESULT_MAX, 0);
	raw = text ? json_loads(text, 0, &jerr) : NULL;
	res = json_is_object(raw) ? clean_result(cfg, j, raw) : NULL;
	json_decref(raw);
	excerpt = read_excerpt(work, "build.log");
	if (res == NULL || jstr(res, "status") == NULL) {
		rc = incomplete(cfg, db, j, NULL, "result", "result.json is "
		    "unreadable", excerpt, stats);
		goto out;
	}
	result = jstr(res, "status");
	if (strcmp(result, "incomplete") == 0) {
		rc = incomplete(cfg, db, j, res, jstr(res, "error_code") ?
		    jstr(res, "error_code") : "infrastructure",
		    jstr(res, "error_msg") ? jstr(res, "error_msg") : "",
		    excerpt, stats);
		goto out;
	}
	status = strcmp(result, "pass") == 0 ? "PASS" : "FAIL";
	if (db_begin(db) != 0) {
		rc = -1;
		goto out;
	}
	if (job_finish(db, j->id, strcmp(result, "pass") == 0 ? "pass" :
	    "fail", jstr(res, "error_code"), jstr(res, "error_msg")) != 0 ||
	    update_build(db, j, res, status, excerpt) != 0) {
		db_rollback(db);
		rc = -1;
		goto out;
	}
	crashpoint("collect-build-recorded");
	rc = db_commit(db);
	if (rc == 0) {
		info("job %s: %s in %.0fs", j->id, status,
		    json_number_value(json_object_get(res, "duration")));
		stats->finished++;
	}
out:
	if (rc == 0)
		cleanup(cfg, work);
	json_decref(res);
	free(text);
	free(excerpt);
	return rc;
}

/* What a lab tells about a finished LAVA job, besides its results. */
struct lava_info {
	long long	 start_time;
	double		 duration;
	const char	*log_url;	/* the console log */
	const char	*full_log_url;
	const char	*excerpt;	/* fit to store: outside() */
	const char	*lab_job_id;
	const char	*lab_job_url;
};

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

static int
upsert_test(struct db *db, const struct job *j, const char *path,
    const char *status, const struct lava_case *c, const char *compatible,
    const struct lava_info *li, const char *etype, const char *emsg)
{
	sqlite3_stmt *st;
	json_t *misc;
	char *misc_text;
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
	misc_text = json_dumps(misc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(misc);
	st = db_prepare(db, "INSERT INTO test (build_id, job_id, path, "
	    "platform, compatible, status, start_time, duration, log_url, "
	    "log_excerpt, number_value, number_unit, misc) VALUES (?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, path) DO "
	    "UPDATE SET status = excluded.status, start_time = "
	    "excluded.start_time, duration = excluded.duration, log_url = "
	    "excluded.log_url, log_excerpt = excluded.log_excerpt, "
	    "number_value = excluded.number_value, number_unit = "
	    "excluded.number_unit, misc = excluded.misc, gen = gen + 1");
	rc = -1;
	if (st != NULL) {
		db_bind_int(st, 1, j->build_id);
		db_bind_text(st, 2, j->id);
		db_bind_text(st, 3, path);
		db_bind_text(st, 4, j->platform);
		db_bind_text(st, 5, compatible);
		db_bind_text(st, 6, status);
		db_bind_int(st, 7, li->start_time);
		db_bind_double(st, 8, li->duration);
		db_bind_text(st, 9, li->log_url);
		db_bind_text(st, 10, li->excerpt);
		if (c != NULL && c->has_measurement) {
			db_bind_double(st, 11, c->measurement);
			db_bind_text(st, 12, c->unit);
		}
		db_bind_text(st, 13, misc_text);
		rc = db_step(db, st) < 0 ? -1 : 0;
	}
	db_finalize(st);
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

/* A test job that never finished: its boot is ERROR. */
static int
final_test_error(const struct config *cfg, struct db *db, const struct job *j,
    const char *code, const char *msg, const char *excerpt)
{
	struct lava_info li;
	char *compat;
	int rc;

	memset(&li, 0, sizeof(li));
	li.start_time = j->started;
	li.excerpt = excerpt;
	compat = compatible_json(cfg, j->platform);
	rc = upsert_test(db, j, "boot", "ERROR", NULL, compat, &li, code, msg);
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
clean_outcome(const struct job *j, struct lava_outcome *o)
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
static int
record_lava(const struct config *cfg, struct db *db, const struct job *j,
    struct lava_outcome *o, const struct lava_info *li,
    struct collect_stats *stats)
{
	struct strset paths = STRSET_INIT;
	const struct test_cfg *t;
	const char *boot, *result;
	enum lava_verdict v;
	char *path, *compat, msg[256];
	size_t i, clashes;
	int r;

	clashes = 0;
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
	r = job_finish(db, j->id, result, v == LAVA_DONE ? NULL :
	    o->error_type, v == LAVA_DONE ? NULL : o->error_msg);
	compat = compatible_json(cfg, j->platform);
	if (boot == NULL)
		boot = v == LAVA_DONE ? "PASS" : "ERROR";
	if (r == 0)
		r = upsert_test(db, j, "boot", boot, NULL, compat, li,
		    v == LAVA_DONE ? NULL : o->error_type,
		    v == LAVA_DONE ? NULL : o->error_msg);
	t = config_test(cfg, j->config_name);
	strset_add(&paths, "boot");
	for (i = 0; i < o->n && r == 0; i++) {
		const struct lava_case *c = &o->cases[i];

		if (strcmp(c->suite, "lava") == 0)
			continue;
		path = lava_test_path(t ? t->kcidb_path : NULL, c->suite,
		    c->name);
		if (!strset_add(&paths, path))
			path = distinct_path(path, c, &paths, &clashes);
		r = upsert_test(db, j, path, kcidb_status(c->result), c,
		    compat, li, NULL, NULL);
		free(path);
	}
	if (clashes > 0)
		warning("job %s: %zu result name%s became a path another "
		    "result has; each got a suffix of its own", j->id,
		    clashes, clashes == 1 ? "" : "s");
	strset_release(&paths);
	free(compat);
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

static int
collect_local_test(const struct config *cfg, struct db *db,
    const struct job *j, const char *work, struct collect_stats *stats)
{
	struct lava_outcome o;
	struct lava_info li;
	json_error_t jerr;
	json_t *res, *raw, *arts;
	char *text, *log, *console, *store;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&li, 0, sizeof(li));
	text = local_read(work, "result.json", RESULT_MAX, 0);
	raw = text ? json_loads(text, 0, &jerr) : NULL;
	res = json_is_object(raw) ? clean_result(cfg, j, raw) : NULL;
	json_decref(raw);
	log = local_read(work, "lava.log", LOG_MAX, 1);
	if (log != NULL)
		lava_parse_log(log, strlen(log), &o, NULL);
	else
		lava_parse_log("", 0, &o, NULL);
	if (res != NULL && json_string_value(json_object_get(res,
	    "error_msg")) != NULL && (o.health == NULL ||
	    strcmp(o.health, "Complete") != 0)) {
		free(o.error_msg);
		o.error_msg = xstrdup(json_string_value(json_object_get(res,
		    "error_msg")));
	}
	arts = json_object_get(res, "artifacts");
	li.start_time = json_integer_value(json_object_get(res, "start_time"));
	li.duration = json_number_value(json_object_get(res, "duration"));
	li.log_url = json_string_value(json_object_get(arts, "console"));
	li.full_log_url = json_string_value(json_object_get(arts, "log"));
	/* the console the worker stored, from where we know it is */
	store = xasprintf("%s/tests/%s", cfg->storage_path, j->id);
	console = li.log_url != NULL ? read_excerpt(store, "console.log") :
	    NULL;
	free(store);
	li.excerpt = console;
	rc = record_lava(cfg, db, j, &o, &li, stats);
	if (rc == 0)
		cleanup(cfg, work);
	lava_outcome_release(&o);
	json_decref(res);
	free(text);
	free(log);
	free(console);
	return rc;
}

static int
set_running(struct db *db, const char *id)
{
	if (db_begin(db) != 0)
		return -1;
	if (job_set_state(db, id, "running", NULL, NULL) != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

/*
 * Keep a remote job's logs in storage, masked; fill in their URLs and
 * the excerpt (*excerpt, the caller frees).
 */
static void
store_logs(const struct config *cfg, const struct job *j,
    struct lab_finished *fin, struct lava_info *li, char **urls,
    char **excerpt)
{
	char *dir, *path, *m;

	urls[0] = urls[1] = NULL;
	*excerpt = NULL;
	dir = xasprintf("%s/tests/%s", cfg->storage_path, j->id);
	if (fin->log != NULL) {
		m = secret_mask(fin->log);
		free(fin->log);
		fin->log = m;
		path = fs_join(dir, "lava.log");
		if (fs_write_atomic(path, fin->log, strlen(fin->log), 0) == 0)
			urls[0] = xasprintf("%stests/%s/lava.log",
			    cfg->storage_url, j->id);
		free(path);
	}
	if (fin->console != NULL) {
		m = secret_mask(fin->console);
		free(fin->console);
		fin->console = m;
		path = fs_join(dir, "console.log");
		if (fs_write_atomic(path, fin->console, strlen(fin->console),
		    0) == 0)
			urls[1] = xasprintf("%stests/%s/console.log",
			    cfg->storage_url, j->id);
		free(path);
		*excerpt = outside(fin->console, EXCERPT_READ, 1);
		last_codepoints(*excerpt, EXCERPT_MAX);
	}
	free(dir);
	li->full_log_url = urls[0];
	li->log_url = urls[1];
	li->excerpt = *excerpt;
}

/* A job that waited in a lab's queue for a day never ran: MISS. */
#define QUEUE_TIMEOUT	(24LL * 3600)

/*
 * A test job that ends without results: its boot is status (MISS when it
 * never ran, ERROR when it ran and nothing can be known of it).
 */
static int
final_boot(const struct config *cfg, struct db *db, const struct job *j,
    const char *status, const char *code, const char *msg,
    struct collect_stats *stats)
{
	struct lava_info li;
	char *compat;
	int rc;

	memset(&li, 0, sizeof(li));
	li.start_time = j->started;
	if (db_begin(db) != 0)
		return -1;
	rc = job_finish(db, j->id, "incomplete", code, msg);
	compat = compatible_json(cfg, j->platform);
	if (rc == 0)
		rc = upsert_test(db, j, "boot", status, NULL, compat, &li,
		    code, msg);
	free(compat);
	if (rc != 0) {
		db_rollback(db);
		return -1;
	}
	error("job %s: %s: %s", j->id, msg, status);
	stats->failed++;
	return db_commit(db);
}

static int
set_poll_failures(struct db *db, const struct job *j, long long n)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, "UPDATE job SET poll_failures = ? WHERE id = ?");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, n);
	db_bind_text(st, 2, j->id);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	return rc;
}

/*
 * The lab answered about the job with something that cannot be read.
 * Ask again next run, a few times; then the job ends: ERROR when the lab
 * said it finished, MISS when not even its record could be read.
 */
static int
bad_answer(const struct config *cfg, struct db *db, const struct lab_cfg *lab,
    const struct job *j, const struct lab_finished *fin,
    struct collect_stats *stats)
{
	long long n, limit;
	char msg[160];

	n = j->poll_failures + 1;
	limit = cfg->retries + 1 > 3 ? cfg->retries + 1 : 3;
	if (n < limit) {
		warning("job %s: lab %s's answer cannot be read (%lld of %lld); "
		    "trying again next run", j->id, lab->name, n, limit);
		stats->running++;
		return set_poll_failures(db, j, n);
	}
	snprintf(msg, sizeof(msg), "lab %s answered %lld times in a row with "
	    "something that cannot be read; giving up", lab->name, n);
	return final_boot(cfg, db, j, fin->finished ? "ERROR" : "MISS",
	    "lab_unreadable", msg, stats);
}

static int
collect_remote(const struct config *cfg, struct db *db,
    const struct lab_cfg *lab, const struct job *j,
    struct collect_stats *stats)
{
	struct lava_outcome o;
	struct lab_finished fin;
	struct lava_info li;
	enum lab_result r;
	char *urls[2], *excerpt;
	int running, rc;

	memset(&o, 0, sizeof(o));
	memset(&li, 0, sizeof(li));
	running = 0;
	if (lab->type == LAB_PULL)
		r = pull_poll(lab, j->id, &o, &fin);
	else
		r = lava_poll(lab, j->runtime_job_id ? j->runtime_job_id : "",
		    &running, &o, &fin);
	rc = 0;
	switch (r) {
	case LAB_WAIT:
		if (!running && j->submitted > 0 &&
		    time(NULL) > j->submitted + QUEUE_TIMEOUT) {
			rc = final_boot(cfg, db, j, "MISS", "queue_timeout",
			    "never started within a day", stats);
			break;
		}
		stats->running++;
		if (j->poll_failures > 0)
			rc = set_poll_failures(db, j, 0);
		if (rc == 0 && running && strcmp(j->state, "submitted") == 0)
			rc = set_running(db, j->id);
		break;
	case LAB_RETRY:
		/*
		 * Nothing is lost: look again next run.  But a lab that has
		 * not answered for a day past the job's own timeout will not
		 * tell: the job ends.
		 */
		if (j->submitted > 0 && time(NULL) > j->submitted +
		    j->timeout + QUEUE_TIMEOUT) {
			rc = final_boot(cfg, db, j, "ERROR", "lab_unreachable",
			    "the lab could not be asked about it for a day "
			    "past its timeout", stats);
			break;
		}
		warning("job %s: cannot read its state from lab %s now; "
		    "trying again next run", j->id, lab->name);
		stats->running++;
		break;
	case LAB_BAD:
		rc = bad_answer(cfg, db, lab, j, &fin, stats);
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
		store_logs(cfg, j, &fin, &li, urls, &excerpt);
		rc = record_lava(cfg, db, j, &o, &li, stats);
		free(urls[0]);
		free(urls[1]);
		free(excerpt);
		if (rc == 0 && lab->type == LAB_PULL)
			pull_done(lab, db, j->id, j->attempt);
		lab_finished_release(&fin);
		break;
	}
	lava_outcome_release(&o);
	return rc;
}

static int
collect_local(const struct config *cfg, struct db *db, const struct job *j,
    struct collect_stats *stats)
{
	enum local_state ls;
	time_t started;
	pid_t pid;
	long v;
	char *work, *excerpt, msg[128];
	int rc, ours;

	work = j->work_dir ? xstrdup(j->work_dir) : local_work_dir(cfg, j->id);
	pid = 0;
	if (j->runtime_job_id != NULL &&
	    parse_long(j->runtime_job_id, 0, INT_MAX, &v) == 0)
		pid = (pid_t)v;
	/* only a pid we recorded is ours to kill: worker.pid is the build's */
	ours = pid > 0;
	started = (time_t)j->started;
	ls = local_check(work, &pid, &started);
	rc = 0;
	switch (ls) {
	case LOCAL_DONE:
		if (strcmp(j->kind, "test") == 0)
			rc = collect_local_test(cfg, db, j, work, stats);
		else
			rc = collect_kbuild(cfg, db, j, work, stats);
		break;
	case LOCAL_RUNNING:
		/* the worker enforces its timeout; this is the backstop */
		if (j->timeout > 0 && started > 0 &&
		    time(NULL) > started + j->timeout + 120) {
			local_kill(pid);
			snprintf(msg, sizeof(msg), "killed after its timeout "
			    "of %llds", j->timeout);
			excerpt = read_excerpt(work, "build.log");
			rc = incomplete(cfg, db, j, NULL, "timeout", msg,
			    excerpt, stats);
			free(excerpt);
			if (rc == 0)
				cleanup(cfg, work);
			break;
		}
		stats->running++;
		if (strcmp(j->state, "submitted") == 0)
			rc = set_running(db, j->id);
		break;
	case LOCAL_LOST:
		/* whatever the dead worker started goes too */
		if (ours)
			local_kill(pid);
		excerpt = read_excerpt(work, "build.log");
		rc = incomplete(cfg, db, j, NULL, "worker_lost", "the worker "
		    "died without writing a result", excerpt, stats);
		free(excerpt);
		if (rc == 0)
			cleanup(cfg, work);
		break;
	}
	free(work);
	return rc;
}

static int
collect_once(const struct config *cfg, struct db *db,
    struct collect_stats *stats, size_t *local_running)
{
	static const char *const states[] = { "submitted", "running", NULL };
	const struct lab_cfg *lab;
	struct job *list;
	size_t n, i;
	int rc;

	*local_running = 0;
	if (job_list(db, states, 0, &list, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		size_t before = stats->running;

		lab = config_lab(cfg, list[i].runtime);
		if (lab == NULL) {
			warning("job %s: lab '%s' is no longer in the config",
			    list[i].id, list[i].runtime);
			continue;
		}
		if (lab->type == LAB_LOCAL) {
			rc = collect_local(cfg, db, &list[i], stats);
			*local_running += stats->running - before;
		} else if (budget_spent()) {
			/* a slow lab must not hold the run past its budget */
			stats->running++;
		} else {
			rc = collect_remote(cfg, db, lab, &list[i], stats);
		}
	}
	job_list_free(list, n);
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
