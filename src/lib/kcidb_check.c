/*
 * kcidb_check.c: the rules of the KCIDB v5.3 schema, checked by hand.
 */
#include <jansson.h>

#include "buf.h"
#include "kcidb.h"
#include "util.h"


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
	K_EMAIL,
	K_VERSION,	/* an integer, not negative */
	K_PATHLIST,	/* issue categories: test paths */
	K_CULPRIT	/* {code, tool, harness}: booleans */
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

/* Builds and tests: in the order the export makes their keys (see below). */
static const struct prop build_props[] = {
	{ "id", K_ID }, { "origin", K_ORIGIN }, { "checkout_id", K_ID },
	{ "architecture", K_ARCH }, { "compiler", K_STR },
	{ "config_name", K_STR }, { "config_url", K_URI },
	{ "log_url", K_URI }, { "log_excerpt", K_EXCERPT },
	{ "start_time", K_TIME }, { "duration", K_NUMBER },
	{ "status", K_STATUS }, { "output_files", K_RESOURCES },
	{ "command", K_STR }, { "misc", K_OBJECT }, { "comment", K_STR },
	{ "input_files", K_RESOURCES }, { "_timestamp", K_TIME },
	{ NULL, K_STR }
};

static const struct prop test_props[] = {
	{ "id", K_ID }, { "origin", K_ORIGIN }, { "build_id", K_ID },
	{ "path", K_PATH }, { "environment", K_ENV }, { "status", K_STATUS },
	{ "start_time", K_TIME }, { "duration", K_NUMBER },
	{ "log_url", K_URI }, { "log_excerpt", K_EXCERPT },
	{ "number", K_NUMOBJ }, { "misc", K_OBJECT }, { "comment", K_STR },
	{ "input_files", K_RESOURCES }, { "output_files", K_RESOURCES },
	{ "_timestamp", K_TIME }, { NULL, K_STR }
};

static const struct prop issue_props[] = {
	{ "_timestamp", K_TIME },
	{ "id", K_ID }, { "version", K_VERSION }, { "origin", K_ORIGIN },
	{ "categories", K_PATHLIST }, { "report_url", K_URI },
	{ "report_subject", K_STR }, { "culprit", K_CULPRIT },
	{ "comment", K_STR }, { "misc", K_OBJECT }, { NULL, K_STR }
};

static const struct prop incident_props[] = {
	{ "_timestamp", K_TIME },
	{ "id", K_ID }, { "origin", K_ORIGIN }, { "issue_id", K_ID },
	{ "issue_version", K_VERSION }, { "build_id", K_ID },
	{ "test_id", K_ID }, { "present", K_BOOL }, { "comment", K_STR },
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
	if (kind == K_VERSION)
		return json_is_integer(v) && json_integer_value(v) >= 0 ? 0 :
		    bad(why, where, key, "is not an integer of 0 or more");
	if (kind == K_CULPRIT) {
		if (!json_is_object(v))
			return bad(why, where, key, "is not an object");
		json_object_foreach(v, k, x) {
			if (strcmp(k, "code") != 0 && strcmp(k, "tool") != 0 &&
			    strcmp(k, "harness") != 0)
				return bad(why, where, key, "has an unknown "
				    "key");
			if (!json_is_boolean(x))
				return bad(why, where, key, "has a member "
				    "that is not a boolean");
		}
		return 0;
	}
	if (kind == K_PATHLIST) {
		if (!json_is_array(v))
			return bad(why, where, key, "is not an array");
		json_array_foreach(v, i, x)
			if (!json_is_string(x) || !no_nul(x) ||
			    !is_path(json_string_value(x)))
				return bad(why, where, key,
				    "holds a bad category path");
		return 0;
	}
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
		return codepoints(s, json_string_length(v)) <=
		    KCIDB_EXCERPT_MAX ? 0 : bad(why, where, key,
		    "is longer than 16384 code points");
	default:
		return 0;
	}
}

/*
 * The property named k of props, looked for from from to the end, then
 * from the start: an object's keys mostly come in the order of props.
 */
static const struct prop *
find_prop(const struct prop *props, const struct prop *from, const char *k)
{
	const struct prop *p;

	for (p = from; p->name != NULL; p++)
		if (strcmp(p->name, k) == 0)
			return p;
	for (p = props; p < from; p++)
		if (strcmp(p->name, k) == 0)
			return p;
	return NULL;
}

/*
 * Each problem is said as "<where>: '<key>' <what>"; where (the object's
 * kind and id) is put in front only when there is a problem: most
 * objects are good, and making it for each was a tenth of the export.
 */
static int
check_object(json_t *o, const struct prop *props, const char *const *req,
    const char *what, struct buf *why)
{
	const struct prop *p, *from;
	const char *k, *id;
	struct buf said = BUF_INIT;
	char *where;
	json_t *v;
	int rc;

	rc = 0;
	if (!json_is_object(o))
		rc = bad(&said, "", "", "is not an object");
	for (; rc == 0 && *req; req++)
		if (json_object_get(o, *req) == NULL)
			rc = bad(&said, "", *req, "is required");
	if (rc == 0) {
		/* each key is looked for from the one after the last found */
		from = props;
		json_object_foreach(o, k, v) {
			p = find_prop(props, from, k);
			if (p == NULL) {
				rc = bad(&said, "", k, "is not in the schema");
				break;
			}
			rc = check_value(v, p->kind, "", k, &said);
			if (rc != 0)
				break;
			from = p + 1;
		}
	}
	if (rc != 0) {
		id = json_string_value(json_object_get(o, "id"));
		where = xasprintf("%s %s", what, id ? id : "(no id)");
		buf_addf(why, "%s%s", where, said.ptr);
		free(where);
	}
	buf_release(&said);
	return rc;
}

int
kcidb_validate_object(json_t *o, char table, struct buf *why)
{
	static const char *const creq[] = { "id", "origin", NULL };
	static const char *const breq[] = { "id", "origin", "checkout_id",
	    NULL };
	static const char *const treq[] = { "id", "origin", "build_id", NULL };
	static const char *const ireq[] = { "id", "version", "origin", NULL };
	static const char *const nreq[] = { "id", "origin", "issue_id",
	    "issue_version", NULL };

	switch (table) {
	case 'c':
		return check_object(o, checkout_props, creq, "checkout", why);
	case 'b':
		return check_object(o, build_props, breq, "build", why);
	case 'i':
		return check_object(o, issue_props, ireq, "issue", why);
	case 'n':
		return check_object(o, incident_props, nreq, "incident", why);
	default:
		return check_object(o, test_props, treq, "test", why);
	}
}

int
kcidb_validate_top(json_t *doc, struct buf *why)
{
	const char *k;
	json_t *v, *ver;

	if (!json_is_object(doc)) {
		buf_puts(why, "the document is not an object");
		return -1;
	}
	json_object_foreach(doc, k, v) {
		if (strcmp(k, "version") != 0 && strcmp(k, "checkouts") != 0 &&
		    strcmp(k, "builds") != 0 && strcmp(k, "tests") != 0 &&
		    strcmp(k, "issues") != 0 && strcmp(k, "incidents") != 0) {
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
	    json_integer_value(json_object_get(ver, "major")) != KCIDB_MAJOR ||
	    !json_is_integer(json_object_get(ver, "minor")) ||
	    json_integer_value(json_object_get(ver, "minor")) < 0 ||
	    json_integer_value(json_object_get(ver, "minor")) > KCIDB_MINOR) {
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

	if (kcidb_validate_top(doc, why) != 0)
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
	json_array_foreach(json_object_get(doc, "issues"), i, o)
		if (kcidb_validate_object(o, 'i', why) != 0)
			return -1;
	json_array_foreach(json_object_get(doc, "incidents"), i, o)
		if (kcidb_validate_object(o, 'n', why) != 0)
			return -1;
	return 0;
}
