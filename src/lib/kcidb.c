/*
 * kcidb.c: KCIDB v5.3 documents, their checks, and their submission.
 */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "http.h"
#include "kcidb.h"
#include "log.h"
#include "safe.h"
#include "secret.h"
#include "util.h"

#define EXCERPT_MAX	16384

/*
 * A file holds at most this many objects or (roughly) bytes, so memory
 * does not grow with the database and no submission is too big.
 */
#define CHUNK_OBJECTS	5000
#define CHUNK_BYTES	((size_t)16 << 20)

/* ---- strings ---- */

struct json_t *
kcidb_string(const char *s, size_t len, size_t tail)
{
	const unsigned char *p, *end;
	struct buf b = BUF_INIT;
	size_t n, cps, skip;
	json_t *j;

	p = (const unsigned char *)s;
	end = p + len;
	if (tail == 0) {
		/* the usual case: clean text goes in as it is */
		while (p < end && *p != '\0' && (n = safe_utf8_seq(p,
		    (size_t)(end - p))) > 0)
			p += n;
		if (p == end) {
			j = json_stringn(s, len);
			if (j == NULL)
				die_oom();
			return j;
		}
		p = (const unsigned char *)s;
	}
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
	j = json_stringn(b.ptr, b.len);
	buf_release(&b);
	if (j == NULL)
		die_oom();
	return j;
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL && *s != '\0')
		json_object_set_new(o, key, kcidb_string(s, strlen(s), 0));
}

/* A duration: only a finite number that is not negative. */
static void
set_real(json_t *o, const char *key, double d)
{
	if (isfinite(d) && d >= 0)
		json_object_set_new(o, key, json_real(d));
}

static void
set_time(json_t *o, const char *key, long long t)
{
	char b[40];

	if (t <= 0)
		return;
	time_rfc3339((time_t)t, b, sizeof(b));
	json_object_set_new(o, key, json_string(b));
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

/* ---- the schema's rules ---- */

/*
 * The schema's patterns, checked by hand (regexec cost a second per
 * million tests):
 *   id		^[a-z0-9_]+:
 *   origin	^[a-z0-9_]+$
 *   hash	^[0-9a-f]{40}$
 *   path	^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$
 *   arch	^[a-z0-9_]*$
 *   time	RFC 3339 with a zone
 *   uri	an absolute URI: scheme ":" and no space
 *   compatible	^[^ ]+(,[^ ]+)*$
 */
static int
lower_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int
is_origin(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!lower_word(*s))
			return 0;
	return 1;
}

static int
is_id(const char *s)
{
	const char *colon;

	colon = strchr(s, ':');
	if (colon == NULL || colon == s)
		return 0;
	for (; s < colon; s++)
		if (!lower_word(*s))
			return 0;
	return 1;
}

static int
is_hash(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

static int
is_arch(const char *s)
{
	for (; *s; s++)
		if (!lower_word(*s))
			return 0;
	return 1;
}

static int
is_path(const char *s)
{
	size_t part;

	if (*s == '\0')
		return 1;
	part = 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (part == 0)
				return 0;
			part = 0;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' &&
		    *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		    *s == '-') {
			part++;
		} else {
			return 0;
		}
	}
	return part > 0;
}

static int
digits(const char **p, int n)
{
	for (; n > 0; n--, (*p)++)
		if (**p < '0' || **p > '9')
			return 0;
	return 1;
}

static int
is_time(const char *s)
{
	if (!digits(&s, 4) || *s++ != '-' || !digits(&s, 2) || *s++ != '-' ||
	    !digits(&s, 2) || (*s != 'T' && *s != 't') || !(s++, 1) ||
	    !digits(&s, 2) || *s++ != ':' || !digits(&s, 2) || *s++ != ':' ||
	    !digits(&s, 2))
		return 0;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return 1;
	if (*s != '+' && *s != '-')
		return 0;
	s++;
	return digits(&s, 2) && *s++ == ':' && digits(&s, 2) && *s == '\0';
}

static int
is_uri(const char *s)
{
	const char *p;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (p = s + 1; *p && *p != ':'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '+' || *p == '.' ||
		    *p == '-'))
			return 0;
	return *p == ':' && p[1] != '\0' && strchr(p, ' ') == NULL;
}

static int
is_compatible(const char *s)
{
	if (*s == '\0' || *s == ',' || strchr(s, ' ') != NULL ||
	    s[strlen(s) - 1] == ',' || strstr(s, ",,") != NULL)
		return 0;
	return 1;
}

enum kind {
	K_STR,		/* a string without NUL */
	K_ID,
	K_ORIGIN,
	K_HASH,
	K_TIME,
	K_URI,
	K_HTTPS,
	K_ARCH,
	K_PATH,
	K_STATUS,
	K_EXCERPT,
	K_NUMBER,
	K_BOOL,
	K_STRLIST,
	K_OBJECT,	/* misc: anything but null */
	K_RESOURCES,
	K_ENV,
	K_NUMOBJ,
	K_PATCHHASH,
	K_EMAIL
};

struct prop {
	const char	*name;
	enum kind	 kind;
};

static const struct prop checkout_props[] = {
	{ "_timestamp", K_TIME }, { "patchset_hash", K_PATCHHASH },
	{ "patchset_files", K_RESOURCES }, { "message_id", K_EMAIL },
	{ "id", K_ID }, { "origin", K_ORIGIN }, { "tree_name", K_STR },
	{ "git_repository_url", K_HTTPS }, { "git_commit_hash", K_HASH },
	{ "git_commit_name", K_STR }, { "git_commit_tags", K_STRLIST },
	{ "git_commit_message", K_STR }, { "git_repository_branch", K_STR },
	{ "git_repository_branch_tip", K_BOOL }, { "comment", K_STR },
	{ "start_time", K_TIME }, { "origin_builds_finish_time", K_TIME },
	{ "origin_tests_finish_time", K_TIME }, { "log_url", K_URI },
	{ "log_excerpt", K_EXCERPT }, { "valid", K_BOOL },
	{ "misc", K_OBJECT }, { NULL, K_STR }
};

static const struct prop build_props[] = {
	{ "_timestamp", K_TIME },
	{ "id", K_ID }, { "origin", K_ORIGIN }, { "checkout_id", K_ID },
	{ "comment", K_STR }, { "start_time", K_TIME },
	{ "duration", K_NUMBER }, { "architecture", K_ARCH },
	{ "command", K_STR }, { "compiler", K_STR },
	{ "input_files", K_RESOURCES }, { "output_files", K_RESOURCES },
	{ "config_name", K_STR }, { "config_url", K_URI },
	{ "log_url", K_URI }, { "log_excerpt", K_EXCERPT },
	{ "status", K_STATUS }, { "misc", K_OBJECT }, { NULL, K_STR }
};

static const struct prop test_props[] = {
	{ "_timestamp", K_TIME },
	{ "id", K_ID }, { "origin", K_ORIGIN }, { "build_id", K_ID },
	{ "environment", K_ENV }, { "path", K_PATH }, { "comment", K_STR },
	{ "log_url", K_URI }, { "log_excerpt", K_EXCERPT },
	{ "status", K_STATUS }, { "number", K_NUMOBJ },
	{ "start_time", K_TIME }, { "duration", K_NUMBER },
	{ "input_files", K_RESOURCES }, { "output_files", K_RESOURCES },
	{ "misc", K_OBJECT }, { NULL, K_STR }
};

static int
bad(struct buf *why, const char *where, const char *key, const char *what)
{
	buf_addf(why, "%s: '%s' %s", where, key, what);
	return -1;
}

static int
no_nul(json_t *s)
{
	return memchr(json_string_value(s), '\0', json_string_length(s)) ==
	    NULL;
}

static size_t
codepoints(const char *s, size_t n)
{
	size_t i, c;

	c = 0;
	for (i = 0; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Nulls are nowhere, even inside misc. */
static int
no_null(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_null(v))
		return 0;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
			if (!no_null(x))
				return 0;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (!no_null(x))
				return 0;
	}
	return 1;
}

static int
check_value(json_t *v, enum kind kind, const char *where, const char *key,
    struct buf *why)
{
	static const char *const statuses[] = {
		"FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP", NULL
	};
	const char *s, *k;
	json_t *x;
	size_t i;

	if (json_is_null(v))
		return bad(why, where, key, "is null");
	if (kind == K_NUMBER)
		return json_is_number(v) ? 0 : bad(why, where, key,
		    "is not a number");
	if (kind == K_BOOL)
		return json_is_boolean(v) ? 0 : bad(why, where, key,
		    "is not a boolean");
	if (kind == K_OBJECT)
		return json_is_object(v) && no_null(v) ? 0 : bad(why, where,
		    key, "is not an object without nulls");
	if (kind == K_STRLIST || kind == K_RESOURCES) {
		if (!json_is_array(v))
			return bad(why, where, key, "is not an array");
		json_array_foreach(v, i, x) {
			if (kind == K_STRLIST) {
				if (!json_is_string(x) || !no_nul(x))
					return bad(why, where, key,
					    "holds a bad string");
				continue;
			}
			if (!json_is_object(x) || json_object_size(x) != 2 ||
			    !json_is_string(json_object_get(x, "name")) ||
			    !json_is_string(json_object_get(x, "url")) ||
			    strchr(json_string_value(json_object_get(x,
			    "name")), '/') != NULL ||
			    !is_uri(json_string_value(
			    json_object_get(x, "url"))))
				return bad(why, where, key,
				    "holds a bad resource");
		}
		return 0;
	}
	if (kind == K_ENV) {
		if (!json_is_object(v))
			return bad(why, where, key, "is not an object");
		json_object_foreach(v, k, x) {
			if (strcmp(k, "misc") == 0) {
				if (!json_is_object(x) || !no_null(x))
					return bad(why, where, key,
					    "has a bad misc");
			} else if (strcmp(k, "comment") == 0) {
				if (!json_is_string(x) || !no_nul(x))
					return bad(why, where, key,
					    "has a bad comment");
			} else if (strcmp(k, "compatible") == 0) {
				if (!json_is_array(x))
					return bad(why, where, key,
					    "compatible is not an array");
				for (i = 0; i < json_array_size(x); i++) {
					json_t *c = json_array_get(x, i);

					if (!json_is_string(c) || !no_nul(c) ||
					    !is_compatible(
					    json_string_value(c)))
						return bad(why, where, key,
						    "has a bad compatible");
				}
			} else {
				return bad(why, where, key, "has an unknown "
				    "key");
			}
		}
		return 0;
	}
	if (kind == K_NUMOBJ) {
		if (!json_is_object(v) ||
		    !json_is_number(json_object_get(v, "value")))
			return bad(why, where, key, "needs a numeric value");
		json_object_foreach(v, k, x) {
			if (strcmp(k, "value") == 0)
				continue;
			if (strcmp(k, "unit") == 0 && json_is_string(x) &&
			    no_nul(x))
				continue;
			if (strcmp(k, "prefix") == 0 && json_is_string(x) &&
			    (strcmp(json_string_value(x), "metric") == 0 ||
			    strcmp(json_string_value(x), "binary") == 0))
				continue;
			return bad(why, where, key, "has a bad member");
		}
		return 0;
	}
	if (!json_is_string(v))
		return bad(why, where, key, "is not a string");
	if (!no_nul(v))
		return bad(why, where, key, "holds a NUL");
	s = json_string_value(v);
	switch (kind) {
	case K_ID:
		return is_id(s) ? 0 : bad(why, where, key,
		    "is not <origin>:<id>");
	case K_ORIGIN:
		return is_origin(s) ? 0 : bad(why, where, key,
		    "is not a valid origin");
	case K_HASH:
		return is_hash(s) ? 0 : bad(why, where, key,
		    "is not 40 lowercase hex digits");
	case K_TIME:
		return is_time(s) ? 0 : bad(why, where, key,
		    "is not an RFC 3339 time with a zone");
	case K_URI:
		return is_uri(s) ? 0 : bad(why, where, key,
		    "is not an absolute URI");
	case K_HTTPS:
		return str_starts(s, "https://") && is_uri(s) ? 0 :
		    bad(why, where, key, "is not an https:// URL");
	case K_PATCHHASH:
		return *s == '\0' || (strlen(s) == 64 &&
		    strspn(s, "0123456789abcdef") == 64) ? 0 : bad(why, where,
		    key, "is not empty or 64 lowercase hex digits");
	case K_EMAIL:
		return strchr(s, '@') != NULL && strchr(s, ' ') == NULL ? 0 :
		    bad(why, where, key, "is not an email address");
	case K_ARCH:
		return is_arch(s) ? 0 : bad(why, where, key,
		    "is not a valid architecture");
	case K_PATH:
		return is_path(s) ? 0 : bad(why, where, key,
		    "is not a valid test path");
	case K_STATUS:
		for (i = 0; statuses[i] != NULL; i++)
			if (strcmp(statuses[i], s) == 0)
				return 0;
		return bad(why, where, key, "is not a status");
	case K_EXCERPT:
		return codepoints(s, json_string_length(v)) <= EXCERPT_MAX ?
		    0 : bad(why, where, key, "is longer than 16384 code points");
	default:
		return 0;
	}
}

static int
check_object(json_t *o, const struct prop *props, const char *const *req,
    const char *what, struct buf *why)
{
	const struct prop *p;
	const char *k, *id;
	json_t *v;
	char *where;
	int rc;

	id = json_string_value(json_object_get(o, "id"));
	where = xasprintf("%s %s", what, id ? id : "(no id)");
	rc = 0;
	if (!json_is_object(o))
		rc = bad(why, where, "", "is not an object");
	for (; rc == 0 && *req; req++)
		if (json_object_get(o, *req) == NULL)
			rc = bad(why, where, *req, "is required");
	if (rc == 0) {
		json_object_foreach(o, k, v) {
			for (p = props; p->name != NULL; p++)
				if (strcmp(p->name, k) == 0)
					break;
			if (p->name == NULL)
				rc = bad(why, where, k, "is not in the schema");
			else
				rc = check_value(v, p->kind, where, k, why);
			if (rc != 0)
				break;
		}
	}
	free(where);
	return rc;
}

int
kcidb_validate_object(json_t *o, char table, struct buf *why)
{
	static const char *const creq[] = { "id", "origin", NULL };
	static const char *const breq[] = { "id", "origin", "checkout_id",
	    NULL };
	static const char *const treq[] = { "id", "origin", "build_id", NULL };

	if (table == 'c')
		return check_object(o, checkout_props, creq, "checkout", why);
	if (table == 'b')
		return check_object(o, build_props, breq, "build", why);
	return check_object(o, test_props, treq, "test", why);
}

/* The document around the objects: its keys and its version. */
static int
check_top(json_t *doc, struct buf *why)
{
	const char *k;
	json_t *v, *ver;

	if (!json_is_object(doc)) {
		buf_puts(why, "the document is not an object");
		return -1;
	}
	json_object_foreach(doc, k, v) {
		if (strcmp(k, "version") != 0 && strcmp(k, "checkouts") != 0 &&
		    strcmp(k, "builds") != 0 && strcmp(k, "tests") != 0) {
			buf_addf(why, "unknown top-level key '%s'", k);
			return -1;
		}
		if (strcmp(k, "version") != 0 && !json_is_array(v)) {
			buf_addf(why, "'%s' is not an array", k);
			return -1;
		}
	}
	ver = json_object_get(doc, "version");
	if (!json_is_object(ver) || json_object_size(ver) != 2 ||
	    json_integer_value(json_object_get(ver, "major")) != 5 ||
	    !json_is_integer(json_object_get(ver, "minor")) ||
	    json_integer_value(json_object_get(ver, "minor")) < 0 ||
	    json_integer_value(json_object_get(ver, "minor")) > 3) {
		buf_puts(why, "version is not {major: 5, minor: 0..3}");
		return -1;
	}
	return 0;
}

int
kcidb_validate(json_t *doc, struct buf *why)
{
	json_t *o;
	size_t i;

	if (check_top(doc, why) != 0)
		return -1;
	json_array_foreach(json_object_get(doc, "checkouts"), i, o)
		if (kcidb_validate_object(o, 'c', why) != 0)
			return -1;
	json_array_foreach(json_object_get(doc, "builds"), i, o)
		if (kcidb_validate_object(o, 'b', why) != 0)
			return -1;
	json_array_foreach(json_object_get(doc, "tests"), i, o)
		if (kcidb_validate_object(o, 't', why) != 0)
			return -1;
	return 0;
}

/* ---- export ---- */

/*
 * The export runs on three threads: this one reads changed rows from the
 * database into chunks of plain values (SQLite's connection stays on one
 * thread), two workers turn chunks into documents with jansson, check them
 * and write their files, and this thread records each written file.
 */

#define MAXCOL	24
#define WORKERS	2

struct cell {
	int		 null;
	long long	 i;
	double		 d;
	char		*s;
	size_t		 len;
};

struct row {
	char		table;		/* c, b, t */
	struct cell	c[MAXCOL];
	int		n;
};

struct chunk {
	struct row	*rows;
	size_t		 n;
	size_t		 alloc;
	size_t		 bytes;
	int		 seq;
	long long	 lo[3];
	long long	 hi[3];
	int		 seen[3];
	/* set by the worker */
	int		 rc;
	char		*why;
	size_t		 skipped;	/* objects left out, and why the first */
	char		*skip_why;
	char		*path;
	struct chunk	*next;
};

struct exporter {
	const struct config	*cfg;
	struct db		*db;
	struct kcidb_stats	*stats;
	char			*instance;
	char			 stamp[32];
	int			 seq;
	/* the queues, under lock */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct chunk		*todo;
	struct chunk		*done;
	int			 inflight;
	int			 stop;
	int			 failed;
};

static char *
local_id(const struct exporter *x, const char *local)
{
	return xasprintf("%s:%s.%s", x->cfg->origin, x->instance, local);
}

static const char *
rtext(const struct row *r, int i)
{
	return r->c[i].null ? NULL : r->c[i].s;
}

static long long
rnum(const struct row *r, int i)
{
	return r->c[i].i;
}

static void
row_free(struct row *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->c[i].s);
}

static void
chunk_free(struct chunk *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		row_free(&c->rows[i]);
	free(c->rows);
	free(c->why);
	free(c->skip_why);
	free(c->path);
	free(c);
}

static struct chunk *
chunk_new(void)
{
	return xcalloc(1, sizeof(struct chunk));
}

/* Copy the current row of st into chunk c. */
static void
chunk_add(struct chunk *c, char table, sqlite3_stmt *st)
{
	struct row *r;
	const char *s;
	long long id;
	int i, k;

	xgrow((void **)&c->rows, &c->alloc, c->n + 1, sizeof(*c->rows));
	r = &c->rows[c->n++];
	r->table = table;
	r->n = sqlite3_column_count(st);
	if (r->n > MAXCOL)
		r->n = MAXCOL;
	for (i = 0; i < r->n; i++) {
		struct cell *cl = &r->c[i];

		cl->null = sqlite3_column_type(st, i) == SQLITE_NULL;
		cl->i = sqlite3_column_int64(st, i);
		cl->d = sqlite3_column_double(st, i);
		cl->s = NULL;
		cl->len = 0;
		if (!cl->null && (sqlite3_column_type(st, i) == SQLITE_TEXT ||
		    sqlite3_column_type(st, i) == SQLITE_BLOB)) {
			s = (const char *)sqlite3_column_text(st, i);
			cl->len = (size_t)sqlite3_column_bytes(st, i);
			cl->s = xmalloc(cl->len + 1);
			memcpy(cl->s, s, cl->len);
			cl->s[cl->len] = '\0';
			c->bytes += cl->len;
		}
	}
	c->bytes += 256;
	k = table == 'c' ? 0 : table == 'b' ? 1 : 2;
	id = r->c[0].i;
	if (!c->seen[k] || id < c->lo[k])
		c->lo[k] = id;
	if (!c->seen[k] || id > c->hi[k])
		c->hi[k] = id;
	c->seen[k] = 1;
}

static json_t *
build_checkout(const struct exporter *x, const struct row *r)
{
	json_t *o, *misc, *tags;
	const char *url, *t;
	char *id, *ver, *save, *copy, *tag;

	o = json_object();
	misc = json_object();
	copy = xasprintf("c%lld", rnum(r, 0));
	id = local_id(x, copy);
	free(copy);
	json_object_set_new(o, "id", json_string(id));
	free(id);
	json_object_set_new(o, "origin", json_string(x->cfg->origin));
	set_str(o, "tree_name", rtext(r, 2));
	url = rtext(r, 4);
	if (url != NULL && str_starts(url, "https://"))
		set_str(o, "git_repository_url", url);
	else
		set_str(misc, "git_repository_url", url);
	set_str(o, "git_repository_branch", rtext(r, 3));
	json_object_set_new(o, "git_repository_branch_tip",
	    json_boolean(rnum(r, 13)));
	set_str(o, "git_commit_hash", rtext(r, 5));
	set_str(o, "git_commit_name", rtext(r, 6));
	tags = json_array();
	t = rtext(r, 12);
	copy = xstrdup(t ? t : "");
	for (tag = strtok_r(copy, "\n", &save); tag != NULL;
	    tag = strtok_r(NULL, "\n", &save))
		json_array_append_new(tags, kcidb_string(tag, strlen(tag), 0));
	free(copy);
	json_object_set_new(o, "git_commit_tags", tags);
	if (rtext(r, 11) != NULL)
		json_object_set_new(o, "git_commit_message",
		    kcidb_string(rtext(r, 11), r->c[11].len, 0));
	set_time(o, "start_time", rnum(r, 14));
	set_time(o, "origin_builds_finish_time", rnum(r, 21));
	set_time(o, "origin_tests_finish_time", rnum(r, 22));
	t = rtext(r, 15);
	if (t != NULL && strcmp(t, "pending") != 0)
		json_object_set_new(o, "valid",
		    json_boolean(strcmp(t, "done") == 0));
	if (!r->c[7].null) {
		ver = xasprintf("%lld.%lld.%lld%s", rnum(r, 7), rnum(r, 8),
		    rnum(r, 9), rtext(r, 10) ? rtext(r, 10) : "");
		set_str(misc, "kernel_version", ver);
		free(ver);
	}
	set_str(misc, "tarball_url", rtext(r, 16));
	set_str(misc, "tarball_sha256", rtext(r, 17));
	if (!r->c[18].null)
		json_object_set_new(misc, "tarball_size",
		    json_integer(rnum(r, 18)));
	set_str(misc, "tarball_error", rtext(r, 19));
	set_time(misc, "commit_time", rnum(r, 20));
	if (rtext(r, 23) != NULL)
		json_object_set_new(misc, "subject", kcidb_string(rtext(r, 23),
		    r->c[23].len, 0));
	json_object_set_new(o, "misc", misc);
	return o;
}

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
		json_object_set_new(r, "name", json_string(k));
		json_object_set(r, "url", v);
		json_array_append_new(list, r);
	}
	json_decref(a);
	return list;
}

static json_t *
build_build(const struct exporter *x, const struct row *r)
{
	json_t *o, *misc, *files;
	const char *t;
	char *id, *local;

	o = json_object();
	id = local_id(x, rtext(r, 3) ? rtext(r, 3) : "build");
	json_object_set_new(o, "id", json_string(id));
	free(id);
	json_object_set_new(o, "origin", json_string(x->cfg->origin));
	local = xasprintf("c%lld", rnum(r, 2));
	id = local_id(x, local);
	json_object_set_new(o, "checkout_id", json_string(id));
	free(id);
	free(local);
	set_str(o, "architecture", rtext(r, 4));
	set_str(o, "compiler", rtext(r, 5));
	set_str(o, "config_name", rtext(r, 6));
	set_str(o, "config_url", rtext(r, 7));
	set_str(o, "log_url", rtext(r, 8));
	if (rtext(r, 9) != NULL && r->c[9].len > 0)
		json_object_set_new(o, "log_excerpt", outside_string(
		    rtext(r, 9), r->c[9].len, EXCERPT_MAX));
	set_time(o, "start_time", rnum(r, 10));
	if (!r->c[11].null)
		set_real(o, "duration", r->c[11].d);
	set_str(o, "status", rtext(r, 12));
	files = resources(rtext(r, 13));
	if (json_array_size(files) > 0)
		json_object_set_new(o, "output_files", files);
	else
		json_decref(files);
	misc = misc_from(rtext(r, 14));
	t = json_string_value(json_object_get(misc, "reproducer"));
	if (t != NULL)
		json_object_set_new(o, "command", outside_string(t, strlen(t),
		    0));
	set_str(misc, "build", rtext(r, 15));
	json_object_set_new(o, "misc", misc);
	return o;
}

static json_t *
build_test(const struct exporter *x, const struct row *r)
{
	json_t *o, *env, *emisc, *num, *compat, *clean, *c;
	json_error_t e;
	char *id, *local;
	size_t i;

	o = json_object();
	local = xasprintf("%s.%s", rtext(r, 2) ? rtext(r, 2) : "test",
	    rtext(r, 3) ? rtext(r, 3) : "");
	id = local_id(x, local);
	json_object_set_new(o, "id", json_string(id));
	free(id);
	free(local);
	json_object_set_new(o, "origin", json_string(x->cfg->origin));
	id = local_id(x, rtext(r, 4) ? rtext(r, 4) : "build");
	json_object_set_new(o, "build_id", json_string(id));
	free(id);
	set_str(o, "path", rtext(r, 3));
	env = json_object();
	compat = rtext(r, 6) ? json_loads(rtext(r, 6), 0, &e) : NULL;
	if (json_is_array(compat) && json_array_size(compat) > 0) {
		clean = json_array();
		json_array_foreach(compat, i, c)
			if (json_is_string(c))
				json_array_append(clean, c);
		json_object_set_new(env, "compatible", clean);
	}
	json_decref(compat);
	if (rtext(r, 5) != NULL) {
		emisc = json_object();
		set_str(emisc, "platform", rtext(r, 5));
		json_object_set_new(env, "misc", emisc);
	}
	json_object_set_new(o, "environment", env);
	set_str(o, "status", rtext(r, 7));
	set_time(o, "start_time", rnum(r, 8));
	if (!r->c[9].null)
		set_real(o, "duration", r->c[9].d);
	set_str(o, "log_url", rtext(r, 10));
	if (rtext(r, 11) != NULL && r->c[11].len > 0)
		json_object_set_new(o, "log_excerpt", outside_string(
		    rtext(r, 11), r->c[11].len, EXCERPT_MAX));
	/* a value stored before the border dropped inf and nan is left out */
	if (!r->c[12].null && isfinite(r->c[12].d)) {
		num = json_object();
		json_object_set_new(num, "value", json_real(r->c[12].d));
		set_str(num, "unit", rtext(r, 13));
		json_object_set_new(o, "number", num);
	}
	json_object_set_new(o, "misc", misc_from(rtext(r, 14)));
	return o;
}

/* On a worker: the chunk's document, checked, written to its file. */
static void
process(const struct exporter *x, struct chunk *c)
{
	static const char *const lists[] = { "checkouts", "builds", "tests" };
	struct buf why = BUF_INIT;
	struct afile af;
	json_t *doc, *v, *arr[3];
	char *name;
	size_t i;
	int k;

	doc = json_object();
	v = json_object();
	json_object_set_new(v, "major", json_integer(5));
	json_object_set_new(v, "minor", json_integer(3));
	json_object_set_new(doc, "version", v);
	for (k = 0; k < 3; k++)
		arr[k] = NULL;
	for (i = 0; i < c->n; i++) {
		const struct row *r = &c->rows[i];
		json_t *o;

		k = r->table == 'c' ? 0 : r->table == 'b' ? 1 : 2;
		o = k == 0 ? build_checkout(x, r) : k == 1 ? build_build(x, r) :
		    build_test(x, r);
		/* every string, URLs too, for rows of older releases */
		secret_mask_json(o);
		/* one bad row is left out and said; it never stops the rest */
		buf_reset(&why);
		if (kcidb_validate_object(o, r->table, &why) != 0) {
			if (c->skipped++ == 0)
				c->skip_why = xstrdup(why.ptr);
			json_decref(o);
			continue;
		}
		if (arr[k] == NULL) {
			arr[k] = json_array();
			json_object_set_new(doc, lists[k], arr[k]);
		}
		json_array_append_new(arr[k], o);
	}
	c->rc = 0;
	buf_reset(&why);
	if (check_top(doc, &why) != 0) {
		c->why = xasprintf("BUG: the KCIDB document would break the "
		    "schema (%s); nothing was written", why.ptr);
		c->rc = -1;
		goto out;
	}
	name = xasprintf("%s-%04d.json", x->stamp, c->seq);
	c->path = fs_join(x->cfg->kcidb_output, name);
	free(name);
	/* straight into the file: no copy of the document in memory */
	if (fs_atomic_open_quiet(&af, c->path, 1, &c->why) != 0) {
		c->rc = -1;
		goto out;
	}
	if (json_dumpf(doc, af.fp, JSON_COMPACT | JSON_REAL_PRECISION(9)) != 0) {
		fs_atomic_abort(&af);
		c->why = xasprintf("cannot write KCIDB file '%s'", c->path);
		c->rc = -1;
		goto out;
	}
	if (fs_atomic_commit_quiet(&af, &c->why) != 0)
		c->rc = -1;
out:
	json_decref(doc);
	buf_release(&why);
	/* the rows are not needed any more: free them here, in parallel */
	for (i = 0; i < c->n; i++)
		row_free(&c->rows[i]);
	c->n = 0;
}

/* The highest <seq> of the files "<stamp>-<seq>.json" already in dir. */
static int
last_seq(const char *dir, const char *stamp)
{
	struct dirent *de;
	size_t n;
	long v;
	int max;
	DIR *d;

	max = 0;
	n = strlen(stamp);
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char digits[16];
		size_t len;

		if (strncmp(de->d_name, stamp, n) != 0 || de->d_name[n] != '-' ||
		    !str_ends(de->d_name, ".json"))
			continue;
		len = strlen(de->d_name + n + 1) - strlen(".json");
		if (len == 0 || len >= sizeof(digits))
			continue;
		memcpy(digits, de->d_name + n + 1, len);
		digits[len] = '\0';
		if (parse_long(digits, 0, INT_MAX, &v) == 0 && v > max)
			max = (int)v;
	}
	closedir(d);
	return max;
}

static void *
worker(void *arg)
{
	struct exporter *x = arg;
	struct chunk *c;

	pthread_mutex_lock(&x->lock);
	for (;;) {
		while (x->todo == NULL && !x->stop)
			pthread_cond_wait(&x->cond, &x->lock);
		if (x->todo == NULL && x->stop)
			break;
		c = x->todo;
		x->todo = c->next;
		pthread_mutex_unlock(&x->lock);
		process(x, c);
		pthread_mutex_lock(&x->lock);
		c->next = x->done;
		x->done = c;
		pthread_cond_broadcast(&x->cond);
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

/*
 * The file is written: the database may forget these changes.  Rows are
 * read in id order under the data-dir lock, so every changed row of a
 * table between the first and last id of the file is in it: one UPDATE
 * per table.
 */
static int
record_file(struct exporter *x, struct chunk *c)
{
	static const char *const sql[] = {
		"UPDATE checkout SET exported_gen = gen WHERE id BETWEEN ? AND ? "
		"AND gen > exported_gen",
		"UPDATE build SET exported_gen = gen WHERE id BETWEEN ? AND ? "
		"AND gen > exported_gen",
		"UPDATE test SET exported_gen = gen WHERE id BETWEEN ? AND ? "
		"AND gen > exported_gen",
	};
	sqlite3_stmt *st;
	int rc, k;

	if (c->rc != 0) {
		error("%s", c->why ? c->why : "cannot write a KCIDB file");
		return -1;
	}
	if (c->skipped > 0) {
		warning("%s: %zu object%s left out, against the KCIDB schema "
		    "(the first: %s); the others are exported", c->path,
		    c->skipped, c->skipped == 1 ? "" : "s", c->skip_why);
		x->stats->skipped += c->skipped;
	}
	crashpoint("kcidb-written");
	if (db_begin(x->db) != 0)
		return -1;
	rc = 0;
	for (k = 0; k < 3 && rc == 0; k++) {
		if (!c->seen[k])
			continue;
		st = db_prepare(x->db, sql[k]);
		if (st == NULL) {
			rc = -1;
			break;
		}
		db_bind_int(st, 1, c->lo[k]);
		db_bind_int(st, 2, c->hi[k]);
		rc = db_step(x->db, st) < 0 ? -1 : 0;
		db_finalize(st);
	}
	if (rc == 0 && x->cfg->kcidb_url != NULL) {
		st = db_prepare(x->db, "INSERT OR IGNORE INTO kcidb_file "
		    "(path, created, objects) VALUES (?, ?, ?)");
		rc = st == NULL ? -1 : 0;
		if (st != NULL) {
			db_bind_text(st, 1, c->path);
			db_bind_int(st, 2, (long long)time(NULL));
			db_bind_int(st, 3, (long long)(c->alloc - c->skipped));
			rc = db_step(x->db, st) < 0 ? -1 : 0;
		}
		db_finalize(st);
	}
	if (rc != 0) {
		db_rollback(x->db);
		return -1;
	}
	if (db_commit(x->db) != 0)
		return -1;
	debug("wrote %s", c->path);
	x->stats->files++;
	return 0;
}

/* Record the finished chunks; with wait, wait until none is in flight. */
static int
reap(struct exporter *x, int limit)
{
	struct chunk *c;
	int rc;

	rc = 0;
	pthread_mutex_lock(&x->lock);
	for (;;) {
		while (x->done != NULL) {
			c = x->done;
			x->done = c->next;
			x->inflight--;
			pthread_mutex_unlock(&x->lock);
			if (record_file(x, c) != 0)
				rc = -1;
			chunk_free(c);
			pthread_mutex_lock(&x->lock);
		}
		if (x->inflight <= limit)
			break;
		pthread_cond_wait(&x->cond, &x->lock);
	}
	pthread_mutex_unlock(&x->lock);
	return rc;
}

/* Hand a full chunk to the workers, waiting while too many are out. */
static int
submit_chunk(struct exporter *x, struct chunk *c)
{
	struct chunk **tail;
	int rc;

	if (c->n == 0) {
		chunk_free(c);
		return 0;
	}
	rc = reap(x, WORKERS * 2 - 1);
	c->seq = ++x->seq;
	c->alloc = c->n;	/* the object count, for the file's row */
	pthread_mutex_lock(&x->lock);
	for (tail = &x->todo; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = c;
	x->inflight++;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
	return rc;
}

static const char checkout_sql[] =
	"SELECT id, gen, tree, branch, url, commit_hash, describe, "
	"version, patchlevel, sublevel, extraversion, message, tags, "
	"is_tip, created, tarball_state, tarball_url, tarball_sha256, "
	"tarball_size, tarball_error, commit_time, "
	"(SELECT CASE WHEN COUNT(*) > 0 AND SUM(state != 'done') = 0 "
	"THEN MAX(finished) END FROM job WHERE checkout_id = c.id AND "
	"kind = 'kbuild'), "
	"(SELECT CASE WHEN COUNT(*) > 0 AND SUM(state != 'done') = 0 "
	"THEN MAX(finished) END FROM job WHERE checkout_id = c.id AND "
	"kind = 'test'), subject FROM checkout c %s ORDER BY id";
static const char build_sql[] =
	"SELECT id, gen, checkout_id, job_id, arch, "
	"coalesce(compiler_version, compiler), kconfig, config_url, "
	"log_url, log_excerpt, start_time, duration, status, artifacts, "
	"misc, config_name FROM build %s ORDER BY id";
static const char test_sql[] =
	"SELECT t.id, t.gen, t.job_id, t.path, b.job_id, t.platform, "
	"t.compatible, t.status, t.start_time, t.duration, t.log_url, "
	"t.log_excerpt, t.number_value, t.number_unit, t.misc "
	"FROM test t JOIN build b ON b.id = t.build_id %s ORDER BY t.id";

static int
read_table(struct exporter *x, const char *fmt, const char *where,
    char table, struct chunk **cur)
{
	sqlite3_stmt *st;
	char *sql;
	int r, rc;

	sql = xasprintf(fmt, where);
	st = db_prepare(x->db, sql);
	free(sql);
	if (st == NULL)
		return -1;
	rc = 0;
	r = 0;
	while (rc == 0 && !x->failed && (r = db_step(x->db, st)) == 1) {
		chunk_add(*cur, table, st);
		if (table == 'c')
			x->stats->checkouts++;
		else if (table == 'b')
			x->stats->builds++;
		else
			x->stats->tests++;
		if ((*cur)->n >= CHUNK_OBJECTS || (*cur)->bytes >= CHUNK_BYTES) {
			rc = submit_chunk(x, *cur);
			*cur = chunk_new();
		}
	}
	db_finalize(st);
	return r < 0 ? -1 : rc;
}

static int
export_all(struct exporter *x, int all)
{
	pthread_t th[WORKERS];
	struct chunk *cur;
	int rc, i, n;

	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	/* jansson seeds its hash function on first use: do it here, once */
	json_object_seed(0);
	for (n = 0; n < WORKERS; n++)
		if (pthread_create(&th[n], NULL, worker, x) != 0)
			break;
	if (n == 0) {
		error("cannot start a thread: %s", strerror(errno));
		return -1;
	}
	cur = chunk_new();
	rc = read_table(x, checkout_sql, all ? "" :
	    "WHERE gen > exported_gen", 'c', &cur);
	if (rc == 0)
		rc = read_table(x, build_sql, all ? "" :
		    "WHERE gen > exported_gen", 'b', &cur);
	if (rc == 0)
		rc = read_table(x, test_sql, all ? "" :
		    "WHERE t.gen > t.exported_gen", 't', &cur);
	if (rc == 0)
		rc = submit_chunk(x, cur);
	else
		chunk_free(cur);
	if (reap(x, 0) != 0)
		rc = -1;
	pthread_mutex_lock(&x->lock);
	x->stop = 1;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&x->cond);
	pthread_mutex_destroy(&x->lock);
	return rc;
}

/* ---- submission ---- */

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

static int
file_update(struct db *db, long long id, const char *state, const char *sid,
    long long next, const char *err, int attempted)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db) != 0)
		return -1;
	st = db_prepare(db, "UPDATE kcidb_file SET state = ?, "
	    "submission_id = ?, next_try = ?, error = ?, attempts = "
	    "attempts + ? WHERE id = ?");
	rc = -1;
	if (st != NULL) {
		db_bind_text(st, 1, state);
		db_bind_text(st, 2, sid);
		if (next > 0)
			db_bind_int(st, 3, next);
		db_bind_text(st, 4, err);
		db_bind_int(st, 5, attempted);
		db_bind_int(st, 6, id);
		rc = db_step(db, st) < 0 ? -1 : 0;
	}
	db_finalize(st);
	if (rc == 0)
		return db_commit(db);
	db_rollback(db);
	return -1;
}

static long long
backoff(const struct config *cfg, long long attempts)
{
	long long d;

	d = (long long)cfg->retry_delay << (attempts < 10 ? attempts : 10);
	return (long long)time(NULL) + (d > 86400 ? 86400 : d);
}

static int
submit_files(const struct config *cfg, struct db *db,
    struct kcidb_stats *stats)
{
	struct http_response resp;
	struct http_request req;
	struct buf body = BUF_INIT;
	sqlite3_stmt *st;
	enum http_outcome out;
	json_error_t e;
	json_t *j;
	const char *sid, *status;
	char *path, *state, *url, *auth, *id;
	long long fid, attempts;
	int r, rc;

	st = db_prepare(db, "SELECT id, path, state, submission_id, attempts "
	    "FROM kcidb_file WHERE state != 'processed' AND "
	    "coalesce(next_try, 0) <= ? ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, (long long)time(NULL));
	auth = bearer(cfg);
	rc = 0;
	r = 0;
	while (rc == 0 && (r = db_step(db, st)) == 1) {
		fid = db_col_int(st, 0);
		path = db_col_dup(st, 1);
		state = db_col_dup(st, 2);
		id = db_col_dup(st, 3);
		attempts = db_col_int(st, 4);
		memset(&req, 0, sizeof(req));
		req.auth = auth;
		req.what = "kcidb";
		req.accept = "application/json";
		if (strcmp(state, "pending") == 0) {
			/* not accepted yet: (re)send the whole file */
			buf_reset(&body);
			if (buf_read_file(&body, path) != 0) {
				error("kcidb: cannot read '%s': %s", path,
				    strerror(errno));
				stats->failed++;
				goto next;
			}
			req.method = "POST";
			req.url = cfg->kcidb_url;
			req.content_type = "application/json";
			req.body = body.ptr;
			req.body_len = body.len;
			out = http_do(&req, &resp);
			j = out == HTTP_OK ? json_loadb(resp.body.ptr,
			    resp.body.len, 0, &e) : NULL;
			sid = json_string_value(json_object_get(j, "id"));
			if (sid == NULL)
				sid = json_string_value(json_object_get(j,
				    "submission_id"));
			if (out == HTTP_OK && sid != NULL) {
				rc = file_update(db, fid, "submitted", sid, 0,
				    NULL, 1);
				info("kcidb: %s accepted as %s", path, sid);
				stats->submitted++;
			} else {
				if (out == HTTP_OK)
					error("kcidb: no submission id in the "
					    "reply for '%s'", path);
				rc = file_update(db, fid, "pending", NULL,
				    backoff(cfg, attempts), resp.error ?
				    resp.error : "no submission id", 1);
				stats->failed++;
			}
			json_decref(j);
			http_response_release(&resp);
		} else {
			/* accepted: only ask how it went, never resend */
			url = status_url(cfg->kcidb_url, id ? id : "");
			req.url = url;
			out = http_do(&req, &resp);
			j = out == HTTP_OK ? json_loadb(resp.body.ptr,
			    resp.body.len, 0, &e) : NULL;
			status = json_string_value(json_object_get(j,
			    "status"));
			if (status != NULL && strcmp(status, "processed") == 0) {
				rc = file_update(db, fid, "processed", id, 0,
				    NULL, 0);
				stats->processed++;
			} else if (status != NULL &&
			    strcmp(status, "failed") == 0) {
				/* refused after all: it goes out again */
				error("kcidb: submission %s of '%s' failed; "
				    "sending it again", id, path);
				rc = file_update(db, fid, "pending", NULL,
				    backoff(cfg, attempts), "processing "
				    "failed", 0);
				stats->failed++;
			} else if (out != HTTP_OK || status == NULL) {
				rc = file_update(db, fid, "submitted", id,
				    backoff(cfg, attempts), resp.error ?
				    resp.error : "no status in the reply", 0);
			}
			json_decref(j);
			http_response_release(&resp);
			free(url);
		}
next:
		free(path);
		free(state);
		free(id);
	}
	db_finalize(st);
	buf_release(&body);
	free(auth);
	return r < 0 ? -1 : rc;
}

int
kcidb_stage(const struct config *cfg, struct db *db, int all,
    struct kcidb_stats *stats)
{
	struct exporter x;
	struct tm tm;
	time_t now;
	int rc;

	memset(&x, 0, sizeof(x));
	x.cfg = cfg;
	x.db = db;
	x.stats = stats;
	x.instance = db_instance(db);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(x.stamp, sizeof(x.stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (fs_mkdir_p(cfg->kcidb_output) != 0) {
		free(x.instance);
		return -1;
	}
	fs_clean_tmp(cfg->kcidb_output);
	/* a run in the same second must not write over an earlier file */
	x.seq = last_seq(cfg->kcidb_output, x.stamp);
	rc = export_all(&x, all);
	free(x.instance);
	if (rc == 0 && cfg->kcidb_url != NULL)
		rc = submit_files(cfg, db, stats);
	return rc;
}
