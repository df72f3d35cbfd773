/*
 * kcidb_doc.c: KCIDB objects from rows: ids, cleaned strings, fields.
 */
#include <jansson.h>
#include <math.h>

#include "buf.h"
#include "config.h"
#include "kcidb.h"
#include "kcidb_doc.h"
#include "safe.h"
#include "secret.h"
#include "store_kcidb.h"
#include "util.h"

/* ---- strings ---- */

/* Text that is valid UTF-8 without NUL, as jansson would check it. */
static int
clean(const char *s, size_t len)
{
	const unsigned char *p, *end;
	size_t n;

	p = (const unsigned char *)s;
	end = p + len;
	while (p < end && *p != '\0' && (n = safe_utf8_seq(p,
	    (size_t)(end - p))) > 0)
		p += n;
	return p == end;
}

struct json_t *
kcidb_string(const char *s, size_t len, size_t tail)
{
	const unsigned char *p, *end;
	struct buf b = BUF_INIT;
	size_t n, cps, skip;
	json_t *j;

	/* the usual case: clean text goes in as it is, not checked again */
	if (tail == 0 && clean(s, len)) {
		j = json_stringn_nocheck(s, len);
		if (j == NULL)
			die_oom();
		return j;
	}
	p = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		if (*p == '\0') {
			p++;
			continue;
		}
		n = safe_utf8_seq(p, (size_t)(end - p));
		if (n == 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		buf_add(&b, p, n);
		p += n;
	}
	if (tail > 0) {
		/* count code points, then skip to the last tail of them */
		cps = 0;
		for (n = 0; n < b.len; n++)
			if ((b.ptr[n] & 0xc0) != 0x80)
				cps++;
		skip = cps > tail ? cps - tail : 0;
		for (n = 0; n < b.len && skip > 0; n++)
			if ((b.ptr[n + 1] & 0xc0) != 0x80)
				skip--;
		if (n > 0) {
			memmove(b.ptr, b.ptr + n, b.len - n);
			buf_setlen(&b, b.len - n);
		}
	}
	j = json_stringn_nocheck(b.ptr, b.len);
	buf_release(&b);
	if (j == NULL)
		die_oom();
	return j;
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL && *s != '\0')
		json_object_set_new_nocheck(o, key, kcidb_string(s, strlen(s), 0));
}

/* A duration: only a finite number that is not negative. */
static void
set_real(json_t *o, const char *key, double d)
{
	if (isfinite(d) && d >= 0)
		json_object_set_new_nocheck(o, key, json_real(d));
}

/*
 * A time: most rows of an export share a few, so each thread keeps the
 * last one it wrote.
 */
static const char *
time_text(long long t)
{
	static _Thread_local long long last;
	static _Thread_local char b[40];

	if (t != last || b[0] == '\0') {
		time_rfc3339((time_t)t, b, sizeof(b));
		last = t;
	}
	return b;
}

static void
set_time(json_t *o, const char *key, long long t)
{
	if (t <= 0)
		return;
	json_object_set_new_nocheck(o, key, json_string_nocheck(time_text(t)));
}

/*
 * Text that came from a log or a lab: rows stored before their border
 * masked secrets are masked here too, on their way out.
 */
static json_t *
outside_string(const char *s, size_t len, size_t tail)
{
	json_t *j;
	char *copy, *m;
	size_t i, n;

	if (secret_count() == 0)
		return kcidb_string(s, len, tail);
	/* NULs (kept by rows of old releases) would hide what follows */
	copy = xmalloc(len + 1);
	for (i = n = 0; i < len; i++)
		if (s[i] != '\0')
			copy[n++] = s[i];
	copy[n] = '\0';
	m = secret_mask(copy);
	j = kcidb_string(m, strlen(m), tail);
	free(m);
	free(copy);
	return j;
}

/* Copy a misc JSON column, dropping nulls (the schema has none). */
static json_t *
misc_from(const char *text)
{
	json_error_t e;
	json_t *m, *v, *tmp;
	const char *k;

	m = text ? json_loads(text, 0, &e) : NULL;
	if (!json_is_object(m)) {
		json_decref(m);
		m = json_object();
	}
	json_object_foreach_safe(m, tmp, k, v)
		if (json_is_null(v))
			json_object_del(m, k);
	/* at any depth: rows of older releases were masked at the top only */
	secret_mask_json(m);
	return m;
}

/* Artifacts {"name": "url"} as a list of resources. */
static json_t *
resources(const char *artifacts)
{
	json_error_t e;
	json_t *a, *list, *r, *v;
	const char *k;

	a = artifacts ? json_loads(artifacts, 0, &e) : NULL;
	list = json_array();
	json_object_foreach(a, k, v) {
		if (!json_is_string(v) || strchr(k, '/') != NULL)
			continue;
		r = json_object();
		json_object_set_new_nocheck(r, "name", json_string(k));
		json_object_set(r, "url", v);
		json_array_append_new(list, r);
	}
	json_decref(a);
	return list;
}

/* Put n bytes of s at p: the byte after them. */
static char *
put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* Made by hand, not with a format: three for each test exported. */
char *
kcidb_local_id(const char *origin, const char *instance, const char *local,
    const char *path)
{
	size_t no, ni, nl, np;
	char *id, *p;

	no = strlen(origin);
	ni = strlen(instance);
	nl = strlen(local);
	np = path != NULL ? strlen(path) + 1 : 0;
	id = xmalloc(no + ni + nl + np + 3);
	p = put(id, origin, no);
	*p++ = ':';
	p = put(p, instance, ni);
	*p++ = '.';
	p = put(p, local, nl);
	if (path != NULL) {
		*p++ = '.';
		p = put(p, path, np - 1);
	}
	*p = '\0';
	return id;
}

/* The id of local (and path, for a test) at key of o. */
static void
set_test_id(json_t *o, const char *key, const struct kcidb_ids *ids,
    const char *local, const char *path)
{
	char *id;

	id = kcidb_local_id(ids->origin, ids->instance, local, path);
	json_object_set_new_nocheck(o, key, json_string(id));
	free(id);
}

static void
set_id(json_t *o, const char *key, const struct kcidb_ids *ids,
    const char *local)
{
	set_test_id(o, key, ids, local, NULL);
}

char *
kcidb_build_id(const struct kcidb_ids *ids, const char *job_id)
{
	return kcidb_local_id(ids->origin, ids->instance, job_id != NULL ?
	    job_id : "build", NULL);
}

char *
kcidb_test_id(const struct kcidb_ids *ids, const char *job_id,
    const char *path)
{
	return kcidb_local_id(ids->origin, ids->instance, job_id != NULL ?
	    job_id : "test", path != NULL ? path : "");
}

static void
set_new(json_t *o, const char *key, char *s)
{
	json_object_set_new_nocheck(o, key, json_string(s));
	free(s);
}

/* A checkout's local id: c<id>. */
static void
set_checkout_id(json_t *o, const char *key, const struct kcidb_ids *ids,
    long long checkout)
{
	char *local;

	local = xasprintf("c%lld", checkout);
	set_id(o, key, ids, local);
	free(local);
}

/* Tags, one a line, as a list. */
static json_t *
tag_list(const char *tags)
{
	json_t *list;
	char *copy, *save, *tag;

	list = json_array();
	copy = xstrdup(tags ? tags : "");
	for (tag = strtok_r(copy, "\n", &save); tag != NULL;
	    tag = strtok_r(NULL, "\n", &save))
		json_array_append_new(list, kcidb_string(tag, strlen(tag), 0));
	free(copy);
	return list;
}

/* The patches column as KCIDB's patchset_files: [{name, url}]. */
static json_t *
patchset_files(const char *patches)
{
	json_error_t e;
	json_t *a, *list, *v, *r, *name, *url;
	size_t i;

	a = patches != NULL ? json_loads(patches, 0, &e) : NULL;
	list = json_array();
	json_array_foreach(a, i, v) {
		name = json_object_get(v, "name");
		url = json_object_get(v, "url");
		if (!json_is_string(name) || !json_is_string(url))
			continue;
		r = json_object();
		json_object_set(r, "name", name);
		json_object_set(r, "url", url);
		json_array_append_new(list, r);
	}
	json_decref(a);
	return list;
}

static json_t *
checkout_object(const struct kcidb_ids *ids, const struct kcidb_checkout *x)
{
	const struct checkout_row *r = &x->row;
	json_t *o, *misc;
	char *ver;

	o = json_object();
	misc = json_object();
	set_checkout_id(o, "id", ids, r->id);
	json_object_set_new_nocheck(o, "origin", json_string(ids->origin));
	set_str(o, "tree_name", r->tree);
	if (r->url != NULL && str_starts(r->url, "https://"))
		set_str(o, "git_repository_url", r->url);
	else
		set_str(misc, "git_repository_url", r->url);
	set_str(o, "git_repository_branch", r->branch);
	json_object_set_new_nocheck(o, "git_repository_branch_tip",
	    json_boolean(r->is_tip));
	set_str(o, "git_commit_hash", r->commit);
	set_str(o, "git_commit_name", r->describe);
	json_object_set_new_nocheck(o, "git_commit_tags", tag_list(r->tags));
	if (r->message != NULL)
		json_object_set_new_nocheck(o, "git_commit_message",
		    kcidb_string(r->message, r->message_len, 0));
	set_time(o, "start_time", r->created);
	set_time(o, "origin_builds_finish_time", x->builds_finish);
	set_time(o, "origin_tests_finish_time", x->tests_finish);
	if (r->tarball_state != NULL && strcmp(r->tarball_state,
	    "pending") != 0)
		json_object_set_new_nocheck(o, "valid",
		    json_boolean(strcmp(r->tarball_state, "done") == 0));
	if (r->version >= 0) {
		ver = xasprintf("%d.%d.%d%s", r->version, r->patchlevel,
		    r->sublevel, r->extraversion ? r->extraversion : "");
		set_str(misc, "kernel_version", ver);
		free(ver);
	}
	set_str(misc, "tarball_url", r->tarball_url);
	set_str(misc, "tarball_sha256", r->tarball_sha256);
	if (x->has_tarball_size)
		json_object_set_new_nocheck(misc, "tarball_size",
		    json_integer(r->tarball_size));
	set_str(misc, "tarball_error", r->tarball_error);
	set_time(misc, "commit_time", r->commit_time);
	if (r->kind != NULL && strcmp(r->kind, "head") != 0) {
		/* git_commit_hash is the base; the patches go on top */
		json_object_set_new_nocheck(o, "patchset_files",
		    patchset_files(r->patches));
		json_object_set_new_nocheck(o, "patchset_hash", json_string(
		    r->patchset_hash != NULL ? r->patchset_hash : ""));
		set_str(misc, "kind", r->kind);
		set_str(misc, "ref", r->ref);
		set_str(misc, "patched_commit", r->source_commit);
	}
	if (r->subject != NULL)
		json_object_set_new_nocheck(misc, "subject", kcidb_string(r->subject,
		    r->subject_len, 0));
	json_object_set_new_nocheck(o, "misc", misc);
	return o;
}

static json_t *
build_object(const struct kcidb_ids *ids, const struct kcidb_build *kb)
{
	const struct build_row *r = &kb->row;
	json_t *o, *misc, *files;
	const char *t;

	o = json_object();
	set_new(o, "id", kcidb_build_id(ids, r->job_id));
	json_object_set_new_nocheck(o, "origin", json_string(ids->origin));
	set_checkout_id(o, "checkout_id", ids, r->checkout_id);
	set_str(o, "architecture", r->arch);
	set_str(o, "compiler", r->compiler_version != NULL ?
	    r->compiler_version : r->compiler);
	/* the config as it was made: defconfig+fragments */
	set_str(o, "config_name", r->kconfig);
	set_str(o, "config_url", r->config_url);
	set_str(o, "log_url", r->log_url);
	if (r->log_excerpt != NULL && r->log_excerpt_len > 0)
		json_object_set_new_nocheck(o, "log_excerpt", outside_string(
		    r->log_excerpt, r->log_excerpt_len, KCIDB_EXCERPT_MAX));
	set_time(o, "start_time", r->start_time);
	if (r->has_duration)
		set_real(o, "duration", r->duration);
	set_str(o, "status", r->status);
	files = resources(r->artifacts);
	if (json_array_size(files) > 0)
		json_object_set_new_nocheck(o, "output_files", files);
	else
		json_decref(files);
	misc = misc_from(r->misc);
	t = json_string_value(json_object_get(misc, "reproducer"));
	if (t != NULL)
		json_object_set_new_nocheck(o, "command", outside_string(t, strlen(t),
		    0));
	set_str(misc, "build", r->config_name);
	json_object_set_new_nocheck(o, "misc", misc);
	/* the first error its log showed, as the build's summary */
	if (kb->summary != NULL)
		json_object_set_new_nocheck(o, "comment", outside_string(kb->summary,
		    strlen(kb->summary), 0));
	return o;
}

/* The environment: the platform's compatible strings and name. */
static json_t *
environment(const struct test_row *r)
{
	json_t *env, *emisc, *compat, *clean, *c;
	json_error_t e;
	size_t i;

	env = json_object();
	compat = r->compatible ? json_loads(r->compatible, 0, &e) : NULL;
	if (json_is_array(compat) && json_array_size(compat) > 0) {
		clean = json_array();
		json_array_foreach(compat, i, c) {
			if (json_is_string(c))
				json_array_append(clean, c);
		}
		json_object_set_new_nocheck(env, "compatible", clean);
	}
	json_decref(compat);
	if (r->platform != NULL) {
		emisc = json_object();
		set_str(emisc, "platform", r->platform);
		json_object_set_new_nocheck(env, "misc", emisc);
	}
	return env;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * The misc and the environment of a test, shared with the test before
 * when their columns are the same (most are): parsing misc was a
 * twentieth of the export.  They are not changed once made (masking, on
 * every object, is the same again on them).
 */
static json_t *
test_misc(struct kcidb_memo *m, const char *text)
{
	if (m == NULL)
		return misc_from(text);
	if (m->misc == NULL || !str_eq(m->misc_text, text)) {
		json_decref(m->misc);
		free(m->misc_text);
		m->misc = misc_from(text);
		m->misc_text = dup_or_null(text);
	}
	return json_incref(m->misc);
}

static json_t *
test_environment(struct kcidb_memo *m, const struct test_row *r)
{
	if (m == NULL)
		return environment(r);
	if (m->env == NULL || !str_eq(m->compatible, r->compatible) ||
	    !str_eq(m->platform, r->platform)) {
		json_decref(m->env);
		free(m->compatible);
		free(m->platform);
		m->env = environment(r);
		m->compatible = dup_or_null(r->compatible);
		m->platform = dup_or_null(r->platform);
	}
	return json_incref(m->env);
}

void
kcidb_memo_release(struct kcidb_memo *m)
{
	json_decref(m->test);
	json_decref(m->misc);
	json_decref(m->env);
	free(m->misc_text);
	free(m->compatible);
	free(m->platform);
	memset(m, 0, sizeof(*m));
}

static json_t *
test_object(const struct kcidb_ids *ids, struct kcidb_memo *m,
    const struct kcidb_test *x)
{
	const struct test_row *r = &x->row;
	json_t *o, *num;

	o = json_object();
	set_new(o, "id", kcidb_test_id(ids, r->job_id, r->path));
	json_object_set_new_nocheck(o, "origin", json_string(ids->origin));
	set_new(o, "build_id", kcidb_build_id(ids, x->build_job_id));
	set_str(o, "path", r->path);
	json_object_set_new_nocheck(o, "environment", test_environment(m, r));
	set_str(o, "status", r->status);
	set_time(o, "start_time", r->start_time);
	if (r->has_duration)
		set_real(o, "duration", r->duration);
	set_str(o, "log_url", r->log_url);
	if (r->log_excerpt != NULL && r->log_excerpt_len > 0)
		json_object_set_new_nocheck(o, "log_excerpt", outside_string(
		    r->log_excerpt, r->log_excerpt_len, KCIDB_EXCERPT_MAX));
	/* a value stored before the border dropped inf and nan is left out */
	if (r->has_number && isfinite(r->number_value)) {
		num = json_object();
		json_object_set_new_nocheck(num, "value", json_real(r->number_value));
		set_str(num, "unit", r->number_unit);
		json_object_set_new_nocheck(o, "number", num);
	}
	json_object_set_new_nocheck(o, "misc", test_misc(m, r->misc));
	return o;
}

/*
 * Tests made again in place.  test_object() makes a test's keys from
 * which of its columns are set: its shape.  A test of the same shape as
 * the one before gets that object back with its values put in the same
 * strings and numbers, which saves making and freeing some fifty
 * allocations (a fifth of the work on each test).  The bytes written
 * are the same: the same keys in the same order, and the values set as
 * test_object() sets them.
 */
enum {
	S_PATH		= 1 << 0,
	S_STATUS	= 1 << 1,
	S_START		= 1 << 2,
	S_DURATION	= 1 << 3,
	S_LOG_URL	= 1 << 4,
	S_EXCERPT	= 1 << 5,
	S_NUMBER	= 1 << 6,
	S_UNIT		= 1 << 7
};

static int
set(const char *s)
{
	return s != NULL && *s != '\0';
}

static unsigned
test_shape(const struct test_row *r)
{
	unsigned shape;

	shape = 0;
	if (set(r->path))
		shape |= S_PATH;
	if (set(r->status))
		shape |= S_STATUS;
	if (r->start_time > 0)
		shape |= S_START;
	if (r->has_duration && isfinite(r->duration) && r->duration >= 0)
		shape |= S_DURATION;
	if (set(r->log_url))
		shape |= S_LOG_URL;
	if (r->log_excerpt != NULL && r->log_excerpt_len > 0)
		shape |= S_EXCERPT;
	if (r->has_number && isfinite(r->number_value)) {
		shape |= S_NUMBER;
		if (set(r->number_unit))
			shape |= S_UNIT;
	}
	return shape;
}

/* The values of the test in the memo, in the order test_object() sets them. */
enum {
	V_ID, V_BUILD_ID, V_PATH, V_ENV, V_STATUS, V_START, V_DURATION,
	V_LOG_URL, V_EXCERPT, V_VALUE, V_UNIT, V_MISC, V_COUNT
};
_Static_assert(V_COUNT == sizeof(((struct kcidb_memo *)0)->values) /
    sizeof(json_t *), "kcidb_memo.values holds a test's values");

/* String v, made j's text (j is freed); -1 if there is none. */
static int
refill(json_t *v, json_t *j)
{
	int rc;

	rc = -1;
	if (json_is_string(v) && j != NULL)
		rc = json_string_setn_nocheck(v, json_string_value(j),
		    json_string_length(j));
	json_decref(j);
	return rc;
}

/* An id put in place, checked as json_string() checks it. */
static int
refill_id(json_t *v, char *id)
{
	int rc;

	rc = json_is_string(v) ? json_string_set(v, id) : -1;
	free(id);
	return rc;
}

/* As set_str() makes it: clean text put in as it is. */
static int
refill_str(json_t *v, const char *s)
{
	size_t len;

	len = strlen(s);
	if (json_is_string(v) && clean(s, len))
		return json_string_setn_nocheck(v, s, len);
	return refill(v, kcidb_string(s, len, 0));
}

/* Member i of o, key, now v (the memo's): put in when it is another. */
static int
refill_member(struct kcidb_memo *m, json_t *o, int i, const char *key,
    json_t *v)
{
	if (m->values[i] == v) {
		json_decref(v);
		return 0;
	}
	m->values[i] = v;
	return json_object_set_new_nocheck(o, key, v);
}

static int
test_refill(const struct kcidb_ids *ids, struct kcidb_memo *m,
    const struct kcidb_test *x, json_t *o)
{
	const struct test_row *r = &x->row;
	unsigned shape = m->test_shape;
	json_t **v = m->values;

	if (refill_id(v[V_ID], kcidb_test_id(ids, r->job_id, r->path)) !=
	    0 || refill_id(v[V_BUILD_ID], kcidb_build_id(ids,
	    x->build_job_id)) != 0)
		return -1;
	if ((shape & S_PATH) && refill_str(v[V_PATH], r->path) != 0)
		return -1;
	if (refill_member(m, o, V_ENV, "environment",
	    test_environment(m, r)) != 0)
		return -1;
	if ((shape & S_STATUS) && refill_str(v[V_STATUS], r->status) != 0)
		return -1;
	if ((shape & S_START) && r->start_time != m->start) {
		if (refill(v[V_START], json_string_nocheck(
		    time_text(r->start_time))) != 0)
			return -1;
		m->start = r->start_time;
	}
	if ((shape & S_DURATION) && json_real_set(v[V_DURATION],
	    r->duration) != 0)
		return -1;
	if ((shape & S_LOG_URL) && refill_str(v[V_LOG_URL], r->log_url) != 0)
		return -1;
	if ((shape & S_EXCERPT) && refill(v[V_EXCERPT], outside_string(
	    r->log_excerpt, r->log_excerpt_len, KCIDB_EXCERPT_MAX)) != 0)
		return -1;
	if ((shape & S_NUMBER) && json_real_set(v[V_VALUE],
	    r->number_value) != 0)
		return -1;
	if ((shape & S_UNIT) && refill_str(v[V_UNIT], r->number_unit) != 0)
		return -1;
	return refill_member(m, o, V_MISC, "misc", test_misc(m, r->misc));
}

/* A new test in the memo, and where its values are. */
static void
test_keep(struct kcidb_memo *m, json_t *o, unsigned shape, long long start)
{
	static const char *const keys[V_COUNT] = {
		"id", "build_id", "path", "environment", "status",
		"start_time", "duration", "log_url", "log_excerpt", NULL,
		NULL, "misc"
	};
	json_t *num;
	int i;

	json_decref(m->test);
	m->test = o;
	m->test_shape = shape;
	m->start = start;
	for (i = 0; i < V_COUNT; i++)
		m->values[i] = keys[i] != NULL ? json_object_get(o, keys[i]) :
		    NULL;
	num = json_object_get(o, "number");
	m->values[V_VALUE] = json_object_get(num, "value");
	m->values[V_UNIT] = json_object_get(num, "unit");
}

/* A test: the one before made again when it can be, else a new one. */
static json_t *
test_again(const struct kcidb_ids *ids, struct kcidb_memo *m,
    const struct kcidb_test *x)
{
	unsigned shape;

	if (m == NULL)
		return test_object(ids, NULL, x);
	shape = test_shape(&x->row);
	/* only when nothing else holds it: it was written and let go */
	if (m->test != NULL && m->test_shape == shape &&
	    m->test->refcount == 1 && test_refill(ids, m, x, m->test) == 0)
		return json_incref(m->test);
	test_keep(m, test_object(ids, m, x), shape, x->row.start_time);
	return json_incref(m->test);
}

/* ---- a bisection's culprit: an issue and its incidents ---- */

/*
 * Text from outside on one line: control characters (C0, DEL, C1, the
 * line and paragraph separators) become spaces, after NULs are dropped
 * and invalid UTF-8 is replaced.  Caller frees.
 */
static char *
one_line(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;
	json_t *j;

	j = kcidb_string(s, n, 0);
	for (p = (const unsigned char *)json_string_value(j); *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			buf_putc(&b, ' ');
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf_putc(&b, ' ');
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 ||
		    p[2] == 0xa9)) {
			buf_putc(&b, ' ');
			p += 2;
		} else {
			buf_putc(&b, (char)*p);
		}
	}
	json_decref(j);
	buf_rtrim(&b);
	return buf_detach(&b, NULL);
}

/* A commit as a Fixes: trailer names it: 0123456789ab ("subject"). */
static char *
commit_name(const struct kcidb_bisection *x)
{
	char *subject, *name;

	if (x->subject == NULL)
		return xasprintf("%.12s", x->row.culprit);
	subject = one_line(x->subject, x->subject_len);
	if (*subject == '\0')
		name = xasprintf("%.12s", x->row.culprit);
	else
		name = xasprintf("%.12s (\"%s\")", x->row.culprit, subject);
	free(subject);
	return name;
}

/* What regressed: "build x86" or "test smoke boot on board, build x86". */
static char *
regression_name(const struct bisection_row *r)
{
	if (r->test == NULL || *r->test == '\0')
		return xasprintf("build %s", r->build);
	return xasprintf("test %s %s on %s, build %s", r->test,
	    r->path != NULL && *r->path != '\0' ? r->path : "(all)",
	    r->platform, r->build);
}

/* The checks reached: "confirm pass, verify pass, revert fail". */
static char *
checks_text(const struct bisection_row *r)
{
	const char *names[] = { "confirm", "verify", "revert" };
	const char *vals[] = { r->confirm, r->verify, r->revert };
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (vals[i] == NULL)
			continue;
		buf_addf(&b, "%s%s %s", b.len > 0 ? ", " : "", names[i],
		    vals[i]);
	}
	if (b.len == 0)
		buf_puts(&b, "none");
	return buf_detach(&b, NULL);
}

static json_t *
checks_object(const struct bisection_row *r)
{
	json_t *o;

	o = json_object();
	set_str(o, "confirm", r->confirm);
	set_str(o, "verify", r->verify);
	set_str(o, "revert", r->revert);
	return o;
}

static json_t *
issue_misc(const struct kcidb_ids *ids, const struct kcidb_bisection *x)
{
	const struct bisection_row *r = &x->row;
	json_t *m;
	char *link;

	m = json_object();
	json_object_set_new_nocheck(m, "bisection", json_integer(r->id));
	set_str(m, "tree", r->tree);
	set_str(m, "branch", r->branch);
	set_str(m, "build", r->build);
	set_str(m, "test", r->test);
	set_str(m, "platform", r->platform);
	set_str(m, "path", r->path);
	set_str(m, "good", r->good);
	set_str(m, "bad", r->bad);
	set_str(m, "culprit", r->culprit);
	set_str(m, "outcome", r->outcome);
	set_str(m, "reason", r->reason);
	json_object_set_new_nocheck(m, "checks", checks_object(r));
	link = ids->cfg != NULL ? config_commit_url(ids->cfg, r->tree,
	    r->culprit) : NULL;
	set_str(m, "commit_url", link);
	free(link);
	if (r->manual)
		json_object_set_new_nocheck(m, "manual", json_true());
	return m;
}

static json_t *
incident_object(const struct kcidb_ids *ids, const struct kcidb_bisection *x,
    const char *issue_id, const struct kcidb_bisect_result *res)
{
	json_t *o, *misc;
	char *local, *what;
	int build;

	build = strcmp(res->kind, "build") == 0;
	o = json_object();
	local = xasprintf("bisect-%lld-%s-%lld", x->row.id, res->kind,
	    res->ref);
	set_new(o, "id", kcidb_local_id(ids->origin, ids->instance, local,
	    NULL));
	free(local);
	json_object_set_new_nocheck(o, "origin", json_string(ids->origin));
	json_object_set_new_nocheck(o, "issue_id", json_string(issue_id));
	json_object_set_new_nocheck(o, "issue_version",
	    json_integer(KCIDB_ISSUE_VERSION));
	if (build)
		set_new(o, "build_id", kcidb_build_id(ids, res->job_id));
	else
		set_new(o, "test_id", kcidb_test_id(ids, res->job_id,
		    res->path));
	json_object_set_new_nocheck(o, "present", json_true());
	what = xasprintf("regressed in %s/%s at %.12s; first bad commit "
	    "%.12s (bisection %lld)", x->row.tree, x->row.branch, x->row.bad,
	    x->row.culprit, x->row.id);
	set_new(o, "comment", what);
	misc = json_object();
	json_object_set_new_nocheck(misc, "bisection", json_integer(x->row.id));
	json_object_set_new_nocheck(o, "misc", misc);
	return o;
}

json_t *
kcidb_doc_issue(const struct kcidb_ids *ids, const struct kcidb_row *row,
    json_t *incidents)
{
	const struct kcidb_bisection *x = &row->u.x;
	const struct bisection_row *r = &x->row;
	json_t *o, *culprit, *inc;
	char *local, *id, *name, *what, *checks;
	size_t i;

	o = json_object();
	local = xasprintf("bisect-%lld", r->id);
	id = kcidb_local_id(ids->origin, ids->instance, local, NULL);
	free(local);
	json_object_set_new_nocheck(o, "id", json_string(id));
	json_object_set_new_nocheck(o, "version", json_integer(KCIDB_ISSUE_VERSION));
	json_object_set_new_nocheck(o, "origin", json_string(ids->origin));
	name = commit_name(x);
	json_object_set_new_nocheck(o, "report_subject", json_string(name));
	if (ids->cfg != NULL && ids->cfg->site_base_url != NULL)
		set_new(o, "report_url", xasprintf("%sbisect/%lld.html",
		    ids->cfg->site_base_url, r->id));
	culprit = json_object();
	json_object_set_new_nocheck(culprit, "code", json_true());
	json_object_set_new_nocheck(culprit, "tool", json_false());
	json_object_set_new_nocheck(culprit, "harness", json_false());
	json_object_set_new_nocheck(o, "culprit", culprit);
	what = regression_name(r);
	checks = checks_text(r);
	set_new(o, "comment", xasprintf("bisected %s/%s %s: first bad commit "
	    "%s; checks: %s", r->tree, r->branch, what, name, checks));
	free(what);
	free(checks);
	free(name);
	json_object_set_new_nocheck(o, "misc", issue_misc(ids, x));
	secret_mask_json(o);
	for (i = 0; i < x->nresults; i++) {
		inc = incident_object(ids, x, id, &x->results[i]);
		secret_mask_json(inc);
		json_array_append_new(incidents, inc);
	}
	free(id);
	return o;
}

/* ---- known issues and log signatures, and their incidents ---- */

/* The local id of an issue: "issue-<name>" for a known one, "sig-..." */
static char *
issue_local(const char *kind, const char *id)
{
	return strcmp(kind, "known") == 0 ? xasprintf("issue-%s", id) :
	    xstrdup(id);
}

static json_t *
issue_object(const struct kcidb_ids *ids, const struct kcidb_issue *x)
{
	json_t *o, *culprit, *misc;
	char *local;

	o = json_object();
	local = issue_local(x->kind, x->id);
	set_new(o, "id", kcidb_local_id(ids->origin, ids->instance, local,
	    NULL));
	free(local);
	json_object_set_new_nocheck(o, "version", json_integer(x->version));
	json_object_set_new_nocheck(o, "origin", json_string(ids->origin));
	set_new(o, "report_subject", one_line(x->title, strlen(x->title)));
	if (x->report_url != NULL)
		set_str(o, "report_url", x->report_url);
	else if (ids->cfg != NULL && ids->cfg->site_base_url != NULL)
		set_new(o, "report_url", xasprintf("%sissues/%s.html",
		    ids->cfg->site_base_url, x->id));
	culprit = json_object();
	json_object_set_new_nocheck(culprit, "code", json_boolean(strcmp(x->culprit,
	    "code") == 0));
	json_object_set_new_nocheck(culprit, "tool", json_boolean(strcmp(x->culprit,
	    "tool") == 0));
	json_object_set_new_nocheck(culprit, "harness",
	    json_boolean(strcmp(x->culprit, "harness") == 0));
	json_object_set_new_nocheck(o, "culprit", culprit);
	misc = json_object();
	set_str(misc, "kind", x->kind);
	set_str(misc, "name", x->id);
	if (x->finding_kind != NULL)
		set_str(misc, "finding", x->finding_kind);
	if (x->signature != NULL)
		json_object_set_new_nocheck(misc, "signature", outside_string(
		    x->signature, strlen(x->signature), 0));
	if (!x->active)
		json_object_set_new_nocheck(misc, "withdrawn", json_true());
	json_object_set_new_nocheck(o, "misc", misc);
	if (strcmp(x->kind, "signature") == 0)
		set_new(o, "comment", xasprintf("log signature (%s), found "
		    "by Maestrino's triage", x->finding_kind != NULL ?
		    x->finding_kind : "?"));
	return o;
}

/* NULL for an incident whose build or test has no KCIDB id. */
static json_t *
incident_of_issue(const struct kcidb_ids *ids, const struct kcidb_incident *n)
{
	json_t *o;
	char *local, *id;

	if (n->job_id == NULL)
		return NULL;
	o = json_object();
	local = issue_local(n->issue_kind, n->issue_id);
	id = xasprintf("%s-%s-%lld", local, n->kind, n->ref);
	set_new(o, "id", kcidb_local_id(ids->origin, ids->instance, id,
	    NULL));
	free(id);
	set_new(o, "issue_id", kcidb_local_id(ids->origin, ids->instance,
	    local, NULL));
	free(local);
	json_object_set_new_nocheck(o, "origin", json_string(ids->origin));
	json_object_set_new_nocheck(o, "issue_version",
	    json_integer(n->issue_version));
	if (strcmp(n->kind, "build") == 0)
		set_new(o, "build_id", kcidb_build_id(ids, n->job_id));
	else
		set_new(o, "test_id", kcidb_test_id(ids, n->job_id, n->path));
	json_object_set_new_nocheck(o, "present", json_boolean(n->present));
	return o;
}

size_t
kcidb_doc_objects(const struct kcidb_row *r)
{
	if (r->table == KCIDB_INCIDENTS && r->u.n.job_id == NULL)
		return 0;
	return r->table == KCIDB_BISECTIONS ? 1 + r->u.x.nresults : 1;
}

json_t *
kcidb_doc_object(const struct kcidb_ids *ids, struct kcidb_memo *m,
    const struct kcidb_row *r)
{
	json_t *o;

	switch (r->table) {
	case KCIDB_CHECKOUTS:
		o = checkout_object(ids, &r->u.c);
		break;
	case KCIDB_BUILDS:
		o = build_object(ids, &r->u.b);
		break;
	case KCIDB_ISSUES:
		o = issue_object(ids, &r->u.i);
		break;
	case KCIDB_INCIDENTS:
		o = incident_of_issue(ids, &r->u.n);
		if (o == NULL)
			return NULL;
		break;
	default:
		o = test_again(ids, m, &r->u.t);
		break;
	}
	/* every string, URLs too, for rows of older releases */
	secret_mask_json(o);
	return o;
}

static size_t
len(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* The texts the object is made of, and a little for the rest. */
size_t
kcidb_doc_bytes(const struct kcidb_row *row)
{
	const struct checkout_row *c;
	const struct bisection_row *x;
	const struct build_row *b;
	const struct test_row *t;
	size_t i, n;

	n = 256;
	switch (row->table) {
	case KCIDB_CHECKOUTS:
		c = &row->u.c.row;
		n += len(c->tree) + len(c->branch) + len(c->url) +
		    len(c->commit) + len(c->describe) + len(c->extraversion) +
		    row->u.c.row.message_len + len(c->tags) +
		    len(c->tarball_state) + len(c->tarball_url) +
		    len(c->tarball_sha256) + len(c->tarball_error) +
		    row->u.c.row.subject_len + len(c->patches) +
		    len(c->patchset_hash) + len(c->ref) +
		    len(c->source_commit);
		break;
	case KCIDB_BISECTIONS:
		x = &row->u.x.row;
		n += 512 + len(x->tree) + len(x->branch) + len(x->build) +
		    len(x->test) + len(x->platform) + len(x->path) +
		    len(x->good) + len(x->bad) + len(x->culprit) +
		    len(x->reason) + 2 * row->u.x.subject_len;
		for (i = 0; i < row->u.x.nresults; i++)
			n += 256 + len(row->u.x.results[i].job_id) +
			    len(row->u.x.results[i].path);
		break;
	case KCIDB_ISSUES:
		n += len(row->u.i.id) + 2 * len(row->u.i.title) +
		    len(row->u.i.report_url) + len(row->u.i.signature);
		break;
	case KCIDB_INCIDENTS:
		n += 2 * len(row->u.n.issue_id) + len(row->u.n.job_id) +
		    len(row->u.n.path);
		break;
	case KCIDB_BUILDS:
		b = &row->u.b.row;
		n += len(row->u.b.summary) + len(b->job_id) + len(b->arch) + len(b->compiler_version ?
		    b->compiler_version : b->compiler) + len(b->kconfig) +
		    len(b->config_url) + len(b->log_url) +
		    b->log_excerpt_len + len(b->status) +
		    len(b->artifacts) + len(b->misc) + len(b->config_name);
		break;
	default:
		t = &row->u.t.row;
		n += len(t->job_id) + len(t->path) +
		    len(row->u.t.build_job_id) + len(t->platform) +
		    len(t->compatible) + len(t->status) + len(t->log_url) +
		    row->u.t.row.log_excerpt_len + len(t->number_unit) +
		    len(t->misc);
		break;
	}
	return n;
}
