/*
 * config.c: load, merge and check the configuration directory.
 */
#include <dirent.h>
#include <fnmatch.h>

#include "buf.h"
#include "config.h"
#include "fs.h"
#include "log.h"
#include "runtime.h"
#include "safe.h"
#include "secret.h"
#include "ynode.h"
#include "util.h"

enum ftype {
	F_STR,		/* a scalar */
	F_INT,		/* a plain integer scalar */
	F_BOOL,		/* true or false */
	F_DURATION,	/* minutes, or a number with s, m or h */
	F_LIST,		/* a list of scalars */
	F_MAP,		/* a mapping with the keys of sub */
	F_ENTRIES,	/* named entries, each a mapping with keys of sub */
	F_ANY		/* a free-form mapping */
};

struct field {
	const char		*key;
	enum ftype		 type;
	const struct field	*sub;
	int			 required;
	long			 min, max;	/* F_INT */
};

#define END	{ NULL, F_STR, NULL, 0, 0, 0 }

static const struct field storage_fields[] = {
	{ "path", F_STR, NULL, 0, 0, 0 },
	{ "url", F_STR, NULL, 0, 0, 0 },
	{ "upload_url", F_STR, NULL, 0, 0, 0 },
	{ "token_env", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field kcidb_fields[] = {
	{ "output", F_STR, NULL, 0, 0, 0 },
	{ "url", F_STR, NULL, 0, 0, 0 },
	{ "token_env", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field site_fields[] = {
	{ "path", F_STR, NULL, 0, 0, 0 },
	{ "base_url", F_STR, NULL, 0, 0, 0 },
	{ "title", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field tarball_fields[] = {
	{ "compression", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field settings_fields[] = {
	{ "origin", F_STR, NULL, 0, 0, 0 },
	{ "data_dir", F_STR, NULL, 0, 0, 0 },
	{ "retries", F_INT, NULL, 0, 0, 100 },
	{ "retry_delay", F_INT, NULL, 0, 0, 7L * 24 * 3600 },
	{ "http_timeout", F_INT, NULL, 0, 1, 3600 },
	{ "budget", F_INT, NULL, 0, 0, 7L * 24 * 60 },
	{ "keep_work", F_BOOL, NULL, 0, 0, 0 },
	{ "build_env", F_LIST, NULL, 0, 0, 0 },
	{ "sandbox", F_STR, NULL, 0, 0, 0 },
	{ "tarball", F_MAP, tarball_fields, 0, 0, 0 },
	{ "storage", F_MAP, storage_fields, 0, 0, 0 },
	{ "kcidb", F_MAP, kcidb_fields, 0, 0, 0 },
	{ "site", F_MAP, site_fields, 0, 0, 0 },
	END
};

static const struct field tree_fields[] = {
	{ "url", F_STR, NULL, 1, 0, 0 },
	{ "branches", F_LIST, NULL, 1, 0, 0 },
	{ "token_env", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field rules_fields[] = {
	{ "trees", F_LIST, NULL, 0, 0, 0 },
	{ "branches", F_LIST, NULL, 0, 0, 0 },
	{ "arch", F_LIST, NULL, 0, 0, 0 },
	{ "min_version", F_STR, NULL, 0, 0, 0 },
	{ "max_version", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field build_fields[] = {
	{ "rules", F_MAP, rules_fields, 0, 0, 0 },
	{ "arch", F_STR, NULL, 1, 0, 0 },
	{ "compiler", F_STR, NULL, 0, 0, 0 },
	{ "cross_compile", F_STR, NULL, 0, 0, 0 },
	{ "defconfig", F_STR, NULL, 0, 0, 0 },
	{ "fragments", F_LIST, NULL, 0, 0, 0 },
	{ "targets", F_LIST, NULL, 0, 0, 0 },
	{ "runtime", F_STR, NULL, 0, 0, 0 },
	{ "timeout", F_DURATION, NULL, 0, 0, 0 },
	END
};

static const struct field platform_fields[] = {
	{ "arch", F_STR, NULL, 1, 0, 0 },
	{ "device_type", F_STR, NULL, 1, 0, 0 },
	{ "boot_method", F_STR, NULL, 1, 0, 0 },
	{ "mach", F_STR, NULL, 0, 0, 0 },
	{ "dtb", F_STR, NULL, 0, 0, 0 },
	{ "compatible", F_LIST, NULL, 0, 0, 0 },
	{ "context", F_ANY, NULL, 0, 0, 0 },
	{ "params", F_ANY, NULL, 0, 0, 0 },
	END
};

static const struct field lab_fields[] = {
	{ "type", F_STR, NULL, 1, 0, 0 },
	{ "url", F_STR, NULL, 0, 0, 0 },
	{ "token_env", F_STR, NULL, 0, 0, 0 },
	{ "path", F_STR, NULL, 0, 0, 0 },
	{ "max_queue", F_INT, NULL, 0, 0, 100000 },
	{ "priority", F_STR, NULL, 0, 0, 0 },
	{ "jobs", F_INT, NULL, 0, 1, 1024 },
	END
};

static const struct field test_fields[] = {
	{ "template", F_STR, NULL, 1, 0, 0 },
	{ "builds", F_LIST, NULL, 0, 0, 0 },
	{ "platforms", F_LIST, NULL, 1, 0, 0 },
	{ "lab", F_STR, NULL, 0, 0, 0 },
	{ "kcidb_path", F_STR, NULL, 0, 0, 0 },
	{ "timeout", F_DURATION, NULL, 0, 0, 0 },
	{ "params", F_ANY, NULL, 0, 0, 0 },
	{ "rules", F_MAP, rules_fields, 0, 0, 0 },
	END
};

static const struct field top_fields[] = {
	{ "settings", F_MAP, settings_fields, 0, 0, 0 },
	{ "trees", F_ENTRIES, tree_fields, 0, 0, 0 },
	{ "builds", F_ENTRIES, build_fields, 0, 0, 0 },
	{ "platforms", F_ENTRIES, platform_fields, 0, 0, 0 },
	{ "labs", F_ENTRIES, lab_fields, 0, 0, 0 },
	{ "tests", F_ENTRIES, test_fields, 0, 0, 0 },
	END
};

struct checker {
	int	errors;
};

static void
bad(struct checker *c, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bad(struct checker *c, const struct ynode *n, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	error_at(n->file, n->line, n->col, "%s", b.ptr);
	buf_release(&b);
	c->errors++;
}

static const char *
suggest(const char *key, const struct field *fields)
{
	const char *best;
	size_t d, bestd, limit;

	best = NULL;
	bestd = SIZE_MAX;
	limit = strlen(key) / 3 + 2;
	for (; fields->key != NULL; fields++) {
		d = str_distance(key, fields->key);
		if (d < bestd) {
			bestd = d;
			best = fields->key;
		}
	}
	return bestd <= limit ? best : NULL;
}

static void
unknown_key(struct checker *c, const struct ynode *k, const char *where,
    const struct field *fields)
{
	const char *s;

	if (strcmp(k->value, "token") == 0 ||
	    strcmp(k->value, "password") == 0 ||
	    strcmp(k->value, "secret") == 0) {
		bad(c, k, "'%s' in %s: secrets never live in config; "
		    "name an environment variable with 'token_env'",
		    k->value, where);
		return;
	}
	if (fields == top_fields && (strcmp(k->value, "storage") == 0 ||
	    strcmp(k->value, "kcidb") == 0 || strcmp(k->value, "site") == 0 ||
	    strcmp(k->value, "origin") == 0 ||
	    strcmp(k->value, "data_dir") == 0)) {
		bad(c, k, "unknown top-level key '%s' (did you mean "
		    "'settings.%s'?)", k->value, k->value);
		return;
	}
	if (*where == '\0')
		where = "the top level";
	s = suggest(k->value, fields);
	if (s != NULL)
		bad(c, k, "unknown key '%s' in %s (did you mean '%s'?)",
		    k->value, where, s);
	else
		bad(c, k, "unknown key '%s' in %s", k->value, where);
}

static int
is_bool(const char *s, int *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "on") == 0) {
		*out = 1;
		return 1;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "off") == 0) {
		*out = 0;
		return 1;
	}
	return 0;
}

static void check_map(struct checker *, const struct ynode *,
    const struct field *, const char *);

/* The longest duration a key takes: a week, as --budget. */
#define DURATION_MAX	(7L * 24 * 3600)

/*
 * "90" (minutes), "90s", "15m", "2h" as seconds; -1 if malformed, -2 if
 * longer than DURATION_MAX.
 */
static long
parse_duration(const char *s)
{
	char *num;
	size_t n;
	long v, unit;

	n = strlen(s);
	unit = 60;
	if (n > 1 && strchr("smh", s[n - 1]) != NULL) {
		unit = s[n - 1] == 's' ? 1 : s[n - 1] == 'm' ? 60 : 3600;
		n--;
	}
	num = xstrndup(s, n);
	if (parse_long(num, 1, LONG_MAX, &v) != 0)
		v = -1;
	free(num);
	if (v < 0)
		return -1;
	return v > DURATION_MAX / unit ? -2 : v * unit;
}

static void
check_value(struct checker *c, const struct ynode *v, const struct field *f,
    const char *where)
{
	long n;
	size_t i;
	int b;

	switch (f->type) {
	case F_STR:
		if (v->type != YNODE_SCALAR || v->null)
			bad(c, v, "%s must be a string, not a %s", where,
			    ynode_kind(v));
		break;
	case F_INT:
		if (v->type != YNODE_SCALAR || !v->plain ||
		    parse_long(v->value, 0, INT_MAX, &n) != 0)
			bad(c, v, "%s must be a whole number, not %s%s%s",
			    where, v->type == YNODE_SCALAR ? "'" : "a ",
			    v->type == YNODE_SCALAR ? v->value : ynode_kind(v),
			    v->type == YNODE_SCALAR ? "'" : "");
		else if (n < f->min || n > f->max)
			bad(c, v, "%s must be between %ld and %ld, not %ld",
			    where, f->min, f->max, n);
		break;
	case F_DURATION:
		if (v->type != YNODE_SCALAR || parse_duration(v->value) == -1)
			bad(c, v, "%s must be minutes or a duration such as "
			    "90s, 15m or 2h", where);
		else if (parse_duration(v->value) < 0)
			bad(c, v, "%s '%s' is longer than a week (7d = 168h)",
			    where, v->value);
		break;
	case F_BOOL:
		if (v->type != YNODE_SCALAR || !v->plain ||
		    !is_bool(v->value, &b))
			bad(c, v, "%s must be true or false", where);
		break;
	case F_LIST:
		if (v->type != YNODE_SEQ) {
			bad(c, v, "%s must be a list, not a %s", where,
			    ynode_kind(v));
			break;
		}
		for (i = 0; i < v->n; i++)
			if (v->items[i]->type != YNODE_SCALAR ||
			    v->items[i]->null)
				bad(c, v->items[i], "%s[%zu] must be a string, "
				    "not a %s", where, i,
				    ynode_kind(v->items[i]));
		break;
	case F_MAP:
		check_map(c, v, f->sub, where);
		break;
	case F_ANY:
		if (v->type != YNODE_MAP)
			bad(c, v, "%s must be a mapping, not a %s", where,
			    ynode_kind(v));
		break;
	case F_ENTRIES:
		if (v->type != YNODE_MAP) {
			bad(c, v, "%s must be a mapping of named entries, "
			    "not a %s", where, ynode_kind(v));
			break;
		}
		for (i = 0; i < v->n; i++) {
			const struct ynode *k = v->keys[i];
			char *w;

			if (!str_is_name(k->value, "_-"))
				bad(c, k, "%s name '%s' must match "
				    "^[a-z0-9_-]+$", where, k->value);
			else if (strlen(k->value) > CONFIG_NAME_MAX)
				bad(c, k, "%s name '%.20s...' is longer than "
				    "%d characters", where, k->value,
				    CONFIG_NAME_MAX);
			w = xasprintf("%s.%s", where, k->value);
			check_map(c, v->items[i], f->sub, w);
			free(w);
		}
		break;
	}
}

static void
check_map(struct checker *c, const struct ynode *map,
    const struct field *fields, const char *where)
{
	const struct field *f;
	size_t i;
	char *w;

	if (map->type != YNODE_MAP) {
		bad(c, map, "%s must be a mapping, not a %s", where,
		    ynode_kind(map));
		return;
	}
	for (i = 0; i < map->n; i++) {
		for (f = fields; f->key != NULL; f++)
			if (strcmp(f->key, map->keys[i]->value) == 0)
				break;
		if (f->key == NULL) {
			unknown_key(c, map->keys[i], where, fields);
			continue;
		}
		w = *where ? xasprintf("%s.%s", where, f->key) :
		    xstrdup(f->key);
		check_value(c, map->items[i], f, w);
		free(w);
	}
	for (f = fields; f->key != NULL; f++)
		if (f->required && ynode_get(map, f->key) == NULL)
			bad(c, map, "%s: missing required key '%s'", where,
			    f->key);
}

/* Accessors on checked nodes. */

static char *
get_str(const struct ynode *map, const char *key, const char *def)
{
	const char *s;

	s = ynode_str(map, key);
	if (s == NULL)
		return def ? xstrdup(def) : NULL;
	return xstrdup(s);
}

static int
get_int(const struct ynode *map, const char *key, int def)
{
	const char *s;
	long n;

	s = ynode_str(map, key);
	if (s == NULL || parse_long(s, 0, INT_MAX, &n) != 0)
		return def;
	return (int)n;
}

static int
get_duration(const struct ynode *map, const char *key, int def)
{
	const char *s;
	long v;

	s = ynode_str(map, key);
	if (s == NULL || (v = parse_duration(s)) < 0)
		return def;
	return (int)v;
}

static int
get_bool(const struct ynode *map, const char *key, int def)
{
	const char *s;
	int b;

	s = ynode_str(map, key);
	if (s == NULL || !is_bool(s, &b))
		return def;
	return b;
}

static char **
get_list(const struct ynode *map, const char *key, size_t *count)
{
	const struct ynode *v;
	char **list;
	size_t i;

	v = ynode_get(map, key);
	if (count != NULL)
		*count = 0;
	if (v == NULL || v->type != YNODE_SEQ)
		return NULL;
	list = xcalloc(v->n + 1, sizeof(*list));
	for (i = 0; i < v->n; i++)
		list[i] = xstrdup(v->items[i]->value ? v->items[i]->value : "");
	if (count != NULL)
		*count = v->n;
	return list;
}

static void
free_list(char **list)
{
	char **p;

	if (list == NULL)
		return;
	for (p = list; *p; p++)
		free(*p);
	free(list);
}

static const struct ynode *
get_any(const struct ynode *map, const char *key)
{
	const struct ynode *v;

	v = ynode_get(map, key);
	return v != NULL && v->type == YNODE_MAP ? v : NULL;
}

static int
env_name_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

static void
check_token_env(struct checker *c, const struct ynode *map)
{
	const struct ynode *v;

	v = ynode_get(map, "token_env");
	/* the value is not shown: it may be the token itself */
	if (v != NULL && v->type == YNODE_SCALAR && !env_name_ok(v->value))
		bad(c, v, "token_env must name an environment variable "
		    "(^[A-Z_][A-Z0-9_]*$), never hold the secret itself; "
		    "its value is not shown");
}

static void
check_enum(struct checker *c, const struct ynode *map, const char *key,
    const char *const *allowed, const char *where)
{
	const struct ynode *v;
	struct buf b = BUF_INIT;
	size_t i;

	v = ynode_get(map, key);
	if (v == NULL || v->type != YNODE_SCALAR)
		return;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(allowed[i], v->value) == 0)
			return;
	for (i = 0; allowed[i] != NULL; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", allowed[i]);
	bad(c, v, "%s.%s '%s' is not one of: %s", where, key, v->value, b.ptr);
	buf_release(&b);
}

static int
version_ok(const char *s)
{
	int dots;

	dots = 0;
	if (!(*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (++dots > 2 || !(s[1] >= '0' && s[1] <= '9'))
				return 0;
		} else if (!(*s >= '0' && *s <= '9')) {
			return 0;
		}
	}
	return 1;
}

static void
load_rules(struct checker *c, const struct ynode *map, struct rules *r)
{
	const struct ynode *v;
	static const char *keys[] = { "min_version", "max_version" };
	size_t i;

	memset(r, 0, sizeof(*r));
	if (map == NULL)
		return;
	r->trees = get_list(map, "trees", NULL);
	r->branches = get_list(map, "branches", NULL);
	r->arches = get_list(map, "arch", NULL);
	r->min_version = get_str(map, "min_version", NULL);
	r->max_version = get_str(map, "max_version", NULL);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		v = ynode_get(map, keys[i]);
		if (v != NULL && v->type == YNODE_SCALAR &&
		    !version_ok(v->value))
			bad(c, v, "%s '%s' must look like 6, 6.1 or 6.1.12",
			    keys[i], v->value);
	}
}

static void
free_rules(struct rules *r)
{
	free_list(r->trees);
	free_list(r->branches);
	free_list(r->arches);
	free(r->min_version);
	free(r->max_version);
}

/* A file:// URL for a local directory, ending in '/'. */
static char *
file_url(const char *path)
{
	char *abs, *url;

	abs = realpath(path, NULL);
	if (abs == NULL) {
		char cwd[PATH_MAX];

		if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
			abs = fs_join(cwd, path);
		else
			abs = xstrdup(path);
	}
	url = xasprintf("file://%s%s", abs, str_ends(abs, "/") ? "" : "/");
	free(abs);
	return url;
}

static void
load_settings(struct checker *c, struct config *cfg, const struct ynode *s)
{
	static const char *const compressions[] = { "gz", "xz", "zst", NULL };
	static const char *const sandboxes[] = { "auto", "require", "off",
	    NULL };
	const struct ynode *storage, *kcidb, *site, *tarball, *v;
	char *url;
	size_t i;

	storage = ynode_get(s, "storage");
	kcidb = ynode_get(s, "kcidb");
	site = ynode_get(s, "site");
	tarball = ynode_get(s, "tarball");

	cfg->origin = get_str(s, "origin", "maestrino");
	v = ynode_get(s, "origin");
	if (v != NULL && v->type == YNODE_SCALAR &&
	    !str_is_name(v->value, "_"))
		bad(c, v, "settings.origin '%s' must match ^[a-z0-9_]+$ "
		    "(a KCIDB origin)", v->value);
	cfg->data_dir = get_str(s, "data_dir", "var");
	cfg->retries = get_int(s, "retries", 3);
	cfg->retry_delay = get_int(s, "retry_delay", 60);
	cfg->http_timeout = get_int(s, "http_timeout", 120);
	cfg->budget = get_int(s, "budget", 0);
	cfg->keep_work = get_bool(s, "keep_work", 0);
	cfg->sandbox = get_str(s, "sandbox", "auto");
	check_enum(c, s, "sandbox", sandboxes, "settings");
	cfg->build_env = get_list(s, "build_env", NULL);
	v = ynode_get(s, "build_env");
	for (i = 0; cfg->build_env != NULL && cfg->build_env[i] != NULL; i++)
		if (!env_name_ok(cfg->build_env[i]))
			bad(c, v->items[i], "settings.build_env: '%s' is not an "
			    "environment variable name (^[A-Z_][A-Z0-9_]*$)",
			    cfg->build_env[i]);
	cfg->compression = get_str(tarball, "compression", "gz");
	check_enum(c, tarball, "compression", compressions,
	    "settings.tarball");

	cfg->storage_path = get_str(storage, "path", NULL);
	if (cfg->storage_path == NULL)
		cfg->storage_path = fs_join(cfg->data_dir, "storage");
	url = get_str(storage, "url", NULL);
	if (url == NULL)
		url = file_url(cfg->storage_path);
	else if (!str_ends(url, "/")) {
		char *u = xasprintf("%s/", url);

		free(url);
		url = u;
	}
	cfg->storage_url = url;
	cfg->storage_upload_url = get_str(storage, "upload_url", NULL);
	cfg->storage_token_env = get_str(storage, "token_env", NULL);
	check_token_env(c, storage);

	cfg->kcidb_output = get_str(kcidb, "output", NULL);
	if (cfg->kcidb_output == NULL)
		cfg->kcidb_output = fs_join(cfg->data_dir, "kcidb");
	cfg->kcidb_url = get_str(kcidb, "url", NULL);
	cfg->kcidb_token_env = get_str(kcidb, "token_env", NULL);
	check_token_env(c, kcidb);

	cfg->site_path = get_str(site, "path", "public");
	cfg->site_base_url = get_str(site, "base_url", NULL);
	if (cfg->site_base_url != NULL && !str_ends(cfg->site_base_url, "/")) {
		/* links are made by appending a page's path */
		url = xasprintf("%s/", cfg->site_base_url);
		free(cfg->site_base_url);
		cfg->site_base_url = url;
	}
	cfg->site_title = get_str(site, "title", "Maestrino");
}

static int
refname_ok(const char *b)
{
	/* git's rules for a branch name, the ones that matter here */
	if (*b == '\0' || *b == '/' || *b == '-' || str_ends(b, "/") ||
	    str_ends(b, ".lock") || str_ends(b, ".") || strstr(b, "..") ||
	    strstr(b, "//") || strstr(b, "@{") || strstr(b, "/."))
		return 0;
	for (; *b; b++)
		if ((unsigned char)*b < 0x20 || strchr(" ~^:?*[\\\177", *b))
			return 0;
	return 1;
}

static void
load_trees(struct checker *c, struct config *cfg, const struct ynode *m)
{
	struct tree_cfg *t;
	const struct ynode *e, *bl;
	size_t i, j;

	/* not a mapping of entries: check_map() has said so */
	if (m == NULL || m->type != YNODE_MAP)
		return;
	cfg->trees = xcalloc(m->n, sizeof(*cfg->trees));
	for (i = 0; i < m->n; i++) {
		e = m->items[i];
		t = &cfg->trees[cfg->ntrees++];
		t->name = xstrdup(m->keys[i]->value);
		t->url = get_str(e, "url", "");
		t->branches = get_list(e, "branches", &t->nbranches);
		t->token_env = get_str(e, "token_env", NULL);
		check_token_env(c, e);
		bl = ynode_get(e, "branches");
		if (bl != NULL && bl->type == YNODE_SEQ && bl->n == 0)
			bad(c, bl, "trees.%s.branches is empty", t->name);
		for (j = 0; j < t->nbranches; j++)
			if (!refname_ok(t->branches[j]))
				bad(c, bl->items[j], "trees.%s: '%s' is not a "
				    "valid branch name", t->name,
				    t->branches[j]);
		if (t->url[0] == '\0' && ynode_get(e, "url") != NULL)
			bad(c, ynode_get(e, "url"), "trees.%s.url is empty",
			    t->name);
	}
}

static void
load_builds(struct checker *c, struct config *cfg, const struct ynode *m)
{
	static const char *const compilers[] = { "gcc", "clang", NULL };
	struct build_cfg *b;
	const struct ynode *e, *v;
	size_t i;

	/* not a mapping of entries: check_map() has said so */
	if (m == NULL || m->type != YNODE_MAP)
		return;
	cfg->builds = xcalloc(m->n, sizeof(*cfg->builds));
	for (i = 0; i < m->n; i++) {
		e = m->items[i];
		b = &cfg->builds[cfg->nbuilds++];
		b->name = xstrdup(m->keys[i]->value);
		b->node = e;
		load_rules(c, ynode_get(e, "rules"), &b->rules);
		b->arch = get_str(e, "arch", "");
		v = ynode_get(e, "arch");
		if (v != NULL && v->type == YNODE_SCALAR &&
		    !str_is_name(v->value, "_"))
			bad(c, v, "builds.%s.arch '%s' must match ^[a-z0-9_]+$",
			    b->name, v->value);
		b->compiler = get_str(e, "compiler", "gcc");
		check_enum(c, e, "compiler", compilers, "builds");
		b->cross_compile = get_str(e, "cross_compile", NULL);
		b->defconfig = get_str(e, "defconfig", "defconfig");
		b->fragments = get_list(e, "fragments", NULL);
		b->targets = get_list(e, "targets", NULL);
		b->runtime = get_str(e, "runtime", "local");
		b->timeout = get_duration(e, "timeout", 3600);
	}
}

static void
load_platforms(struct checker *c, struct config *cfg, const struct ynode *m)
{
	static const char *const methods[] = {
		"qemu", "u-boot", "grub", "depthcharge", "fastboot", NULL
	};
	struct platform_cfg *p;
	const struct ynode *e;
	size_t i;

	/* not a mapping of entries: check_map() has said so */
	if (m == NULL || m->type != YNODE_MAP)
		return;
	cfg->platforms = xcalloc(m->n, sizeof(*cfg->platforms));
	for (i = 0; i < m->n; i++) {
		e = m->items[i];
		p = &cfg->platforms[cfg->nplatforms++];
		p->name = xstrdup(m->keys[i]->value);
		p->arch = get_str(e, "arch", "");
		p->device_type = get_str(e, "device_type", "");
		p->boot_method = get_str(e, "boot_method", "");
		check_enum(c, e, "boot_method", methods, "platforms");
		p->mach = get_str(e, "mach", NULL);
		p->dtb = get_str(e, "dtb", NULL);
		p->compatible = get_list(e, "compatible", NULL);
		p->context = get_any(e, "context");
		p->params = get_any(e, "params");
	}
}

static void
load_labs(struct checker *c, struct config *cfg, const struct ynode *m)
{
	static const char *const types[] = { "local", "lava", "pull", NULL };
	struct lab_cfg *l;
	const struct ynode *e, *v;
	const char *type;
	size_t i, n;
	long pr;

	n = m != NULL && m->type == YNODE_MAP ? m->n : 0;
	cfg->labs = xcalloc(n + 1, sizeof(*cfg->labs));
	for (i = 0; i < n; i++) {
		e = m->items[i];
		l = &cfg->labs[cfg->nlabs++];
		l->name = xstrdup(m->keys[i]->value);
		check_enum(c, e, "type", types, "labs");
		type = ynode_str(e, "type");
		l->type = runtime_lab_type(type);
		l->url = get_str(e, "url", NULL);
		l->token_env = get_str(e, "token_env", NULL);
		check_token_env(c, e);
		l->path = get_str(e, "path", NULL);
		l->max_queue = get_int(e, "max_queue", 0);
		l->priority = get_str(e, "priority", "50");
		v = ynode_get(e, "priority");
		if (v != NULL && v->type == YNODE_SCALAR &&
		    strcmp(v->value, "low") != 0 &&
		    strcmp(v->value, "medium") != 0 &&
		    strcmp(v->value, "high") != 0 &&
		    parse_long(v->value, 0, 100, &pr) != 0)
			bad(c, v, "labs.%s.priority '%s' must be 0-100, low, "
			    "medium or high", l->name, v->value);
		l->jobs = get_int(e, "jobs", 1);
		if (l->jobs < 1)
			l->jobs = 1;
		if (l->type == LAB_LAVA && l->url == NULL)
			bad(c, e, "labs.%s: a lava lab needs 'url'", l->name);
		if (l->type == LAB_PULL && l->path == NULL)
			bad(c, e, "labs.%s: a pull lab needs 'path'", l->name);
	}
	if (config_lab(cfg, "local") == NULL) {
		/* the embedded default runtime always exists */
		l = &cfg->labs[cfg->nlabs++];
		l->name = xstrdup("local");
		l->type = LAB_LOCAL;
		l->priority = xstrdup("50");
		l->jobs = 1;
	}
}

static void
load_tests(struct checker *c, struct config *cfg, const struct ynode *m)
{
	struct test_cfg *t;
	const struct ynode *e;
	size_t i;

	/* not a mapping of entries: check_map() has said so */
	if (m == NULL || m->type != YNODE_MAP)
		return;
	cfg->tests = xcalloc(m->n, sizeof(*cfg->tests));
	for (i = 0; i < m->n; i++) {
		e = m->items[i];
		t = &cfg->tests[cfg->ntests++];
		t->name = xstrdup(m->keys[i]->value);
		t->node = e;
		t->template = get_str(e, "template", "");
		t->builds = get_list(e, "builds", NULL);
		t->platforms = get_list(e, "platforms", NULL);
		t->lab = get_str(e, "lab", "local");
		t->kcidb_path = get_str(e, "kcidb_path", NULL);
		t->timeout = get_duration(e, "timeout", 900);
		t->params = get_any(e, "params");
		load_rules(c, ynode_get(e, "rules"), &t->rules);
	}
}

/* The node of list item `item` under key in map, for messages. */
static const struct ynode *
list_item_node(const struct ynode *map, const char *key, const char *item)
{
	const struct ynode *v;
	size_t i;

	v = ynode_get(map, key);
	if (v == NULL)
		return map;
	for (i = 0; i < v->n; i++)
		if (v->items[i]->value && strcmp(v->items[i]->value, item) == 0)
			return v->items[i];
	return v;
}

static void
find_template_dirs(struct config *cfg)
{
	char self[PATH_MAX], *dir, *slash, *shipped;
	ssize_t n;

	cfg->template_dirs = xcalloc(3, sizeof(char *));
	cfg->template_dirs[0] = xasprintf("%s/templates", cfg->dir);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			dir = xasprintf("%s/../configs/templates", self);
			shipped = realpath(dir, NULL);
			free(dir);
			if (shipped != NULL) {
				char *mine = realpath(cfg->template_dirs[0],
				    NULL);

				if (mine == NULL || strcmp(mine, shipped) != 0)
					cfg->template_dirs[1] = shipped;
				else
					free(shipped);
				free(mine);
			}
		}
	}
}

char *const *
config_template_dirs(const struct config *cfg)
{
	return cfg->template_dirs;
}

char *
config_template_path(const struct config *cfg, const char *rel)
{
	char *const *d;
	char *p;

	for (d = config_template_dirs(cfg); *d; d++) {
		p = fs_join(*d, rel);
		if (fs_exists(p))
			return p;
		free(p);
	}
	return NULL;
}

char *
config_fragment_path(const struct config *cfg, const char *name)
{
	char *p, *q;

	p = xasprintf("%s/fragments/%s", cfg->dir, name);
	if (fs_exists(p) || str_ends(name, ".config"))
		return p;
	q = xasprintf("%s.config", p);
	free(p);
	return q;
}

static void
check_refs(struct checker *c, struct config *cfg)
{
	const struct ynode *v;
	char **p, *path, *rel;
	size_t i;

	for (i = 0; i < cfg->nbuilds; i++) {
		const struct build_cfg *b = &cfg->builds[i];

		for (p = b->fragments; p && *p; p++) {
			if (str_starts(*p, "CONFIG_")) {
				if (strchr(*p, '=') == NULL)
					bad(c, list_item_node(b->node,
					    "fragments", *p), "builds.%s: "
					    "inline fragment '%s' needs "
					    "'=': CONFIG_X=y", b->name, *p);
				continue;
			}
			path = config_fragment_path(cfg, *p);
			if (!fs_exists(path))
				bad(c, list_item_node(b->node, "fragments", *p),
				    "builds.%s: no fragment '%s' (looked for "
				    "'%s')", b->name, *p, path);
			free(path);
		}

		if (config_lab(cfg, b->runtime) == NULL) {
			v = ynode_get(b->node, "runtime");
			bad(c, v ? v : b->node, "builds.%s.runtime '%s' is "
			    "not a lab in 'labs'", b->name, b->runtime);
		}
	}
	for (i = 0; i < cfg->ntests; i++) {
		const struct test_cfg *t = &cfg->tests[i];

		path = xasprintf("test/%s.yaml", t->template);
		rel = path;
		path = config_template_path(cfg, rel);
		if (*t->template && path == NULL) {
			v = ynode_get(t->node, "template");
			bad(c, v ? v : t->node, "tests.%s.template: no test "
			    "plan '%s' in %s/templates or the shipped ones",
			    t->name, rel, cfg->dir);
		}
		free(rel);
		free(path);
		if (config_lab(cfg, t->lab) == NULL) {
			v = ynode_get(t->node, "lab");
			bad(c, v ? v : t->node, "tests.%s.lab '%s' is not a "
			    "lab in 'labs'", t->name, t->lab);
		}
		for (p = t->builds; p && *p; p++)
			if (config_build(cfg, *p) == NULL)
				bad(c, list_item_node(t->node, "builds", *p),
				    "tests.%s: build '%s' is not in 'builds'",
				    t->name, *p);
		for (p = t->platforms; p && *p; p++)
			if (config_platform(cfg, *p) == NULL)
				bad(c, list_item_node(t->node, "platforms",
				    *p), "tests.%s: platform '%s' is not in "
				    "'platforms'", t->name, *p);
	}
}

/* The token_env names of the config, NULL-terminated; caller frees. */
static const char **
token_envs(const struct config *cfg)
{
	const char **list;
	size_t n, i;

	list = xcalloc(cfg->ntrees + cfg->nlabs + 3, sizeof(*list));
	n = 0;
	for (i = 0; i < cfg->ntrees; i++)
		if (cfg->trees[i].token_env != NULL)
			list[n++] = cfg->trees[i].token_env;
	for (i = 0; i < cfg->nlabs; i++)
		if (cfg->labs[i].token_env != NULL)
			list[n++] = cfg->labs[i].token_env;
	if (cfg->storage_token_env != NULL)
		list[n++] = cfg->storage_token_env;
	if (cfg->kcidb_token_env != NULL)
		list[n++] = cfg->kcidb_token_env;
	list[n] = NULL;
	return list;
}

/*
 * Every variable a token_env names holds a secret: no build or lab
 * process sees it, and its value is masked everywhere.  settings.build_env
 * may not hand one to the builds.
 */
static void
check_secrets(struct checker *c, struct config *cfg)
{
	const struct ynode *v;
	const char **envs;
	size_t i, j;

	envs = token_envs(cfg);
	v = ynode_get(ynode_get(cfg->root, "settings"), "build_env");
	for (i = 0; cfg->build_env != NULL && cfg->build_env[i]; i++)
		for (j = 0; envs[j] != NULL; j++)
			if (strcmp(cfg->build_env[i], envs[j]) == 0)
				bad(c, v->items[i], "settings.build_env: '%s' "
				    "holds a secret (a token_env names it); "
				    "builds never see one", envs[j]);
	for (j = 0; envs[j] != NULL; j++)
		if (!secret_add_env(envs[j]))
			warning("the value of %s is too short to be masked "
			    "(under 4 characters); it may be printed",
			    envs[j]);
	for (i = 0; cfg->build_env != NULL && cfg->build_env[i]; i++)
		secret_env_pass(cfg->build_env[i]);
	free(envs);
}

/*
 * Names the site and storage derive from config names must not collide:
 * a tree or platform may not be called like a page the site has, and
 * no tree and branch may give a tarball name that starts another's
 * (linux-<tree>-<branch>-<describe>: tree "a" with branch "b-c" and tree
 * "a-b" with branch "c" would share every name).
 */
/* The start of a tree and branch's tarball names. */
struct tprefix {
	char	*prefix;
	size_t	 tree, branch;
};

/* By prefix, then in config order, so messages come out the same way. */
static int
cmp_tprefix(const void *a, const void *b)
{
	const struct tprefix *x = a, *y = b;
	int r;

	r = strcmp(x->prefix, y->prefix);
	if (r != 0)
		return r;
	if (x->tree != y->tree)
		return x->tree < y->tree ? -1 : 1;
	return x->branch < y->branch ? -1 : x->branch > y->branch;
}

static void
check_names(struct checker *c, struct config *cfg)
{
	static const char *const reserved[] = { "index", "regressions", NULL };
	const struct ynode *trees, *plats;
	struct tprefix *pre;
	size_t i, j, k, n;
	char *t, *b;

	trees = ynode_get(cfg->root, "trees");
	plats = ynode_get(cfg->root, "platforms");
	for (k = 0; reserved[k] != NULL; k++) {
		for (i = 0; i < cfg->ntrees; i++)
			if (strcmp(cfg->trees[i].name, reserved[k]) == 0)
				bad(c, trees->keys[i], "trees: '%s' is a "
				    "reserved name (a page of the site)",
				    reserved[k]);
		for (i = 0; i < cfg->nplatforms; i++)
			if (strcmp(cfg->platforms[i].name, reserved[k]) == 0)
				bad(c, plats->keys[i], "platforms: '%s' is a "
				    "reserved name (a page of the site)",
				    reserved[k]);
	}
	n = 0;
	for (i = 0; i < cfg->ntrees; i++)
		n += cfg->trees[i].nbranches;
	pre = xcalloc(n + 1, sizeof(*pre));
	n = 0;
	for (i = 0; i < cfg->ntrees; i++) {
		for (j = 0; j < cfg->trees[i].nbranches; j++) {
			t = safe_name(cfg->trees[i].name, SAFE_NAME_MAX);
			b = safe_name(cfg->trees[i].branches[j],
			    SAFE_NAME_MAX);
			pre[n].prefix = xasprintf("linux-%s-%s-", t, b);
			pre[n].tree = i;
			pre[n].branch = j;
			n++;
			free(t);
			free(b);
		}
	}
	/*
	 * Sorted, a prefix comes right before the names it starts (all
	 * between start with it too): neighbours are all to compare.
	 */
	if (n > 1)
		qsort(pre, n, sizeof(*pre), cmp_tprefix);
	for (i = 0; i + 1 < n; i++) {
		const struct tree_cfg *a, *o;

		j = i + 1;
		if (!str_starts(pre[j].prefix, pre[i].prefix))
			continue;
		a = &cfg->trees[pre[i].tree];
		o = &cfg->trees[pre[j].tree];
		bad(c, ynode_get(trees->items[pre[j].tree], "branches"),
		    "trees.%s branch '%s' and trees.%s branch '%s' would share "
		    "tarball names (%s...); rename one", a->name,
		    a->branches[pre[i].branch], o->name,
		    o->branches[pre[j].branch], pre[i].prefix);
	}
	for (i = 0; i < n; i++)
		free(pre[i].prefix);
	free(pre);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every *.yaml of dir, sorted, and merge them by top-level key. */
static int
read_dir(struct checker *c, struct config *cfg)
{
	struct dirent *de;
	char **names;
	size_t n, alloc, i, j, k;
	DIR *d;
	int rc;

	d = opendir(cfg->dir);
	if (d == NULL)
		return error("cannot open config directory '%s': %s",
		    cfg->dir, strerror(errno));
	names = NULL;
	n = alloc = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !str_ends(de->d_name, ".yaml"))
			continue;
		xgrow((void **)&names, &alloc, n + 1, sizeof(*names));
		names[n++] = fs_join(cfg->dir, de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	rc = 0;
	cfg->files = xcalloc(n + 1, sizeof(*cfg->files));
	cfg->root = ynode_map();
	for (i = 0; i < n; i++) {
		struct ynode *root;

		if (ynode_parse_file(names[i], &root) != 0) {
			c->errors++;
			rc = -1;
			continue;
		}
		cfg->files[cfg->nfiles++] = root;
		if (root->type != YNODE_MAP) {
			bad(c, root, "a config file must be a mapping of "
			    "top-level keys, not a %s", ynode_kind(root));
			continue;
		}
		for (j = 0; j < root->n; j++) {
			const struct ynode *key = root->keys[j];

			for (k = 0; k < cfg->root->n; k++) {
				const struct ynode *prev = cfg->root->keys[k];

				if (strcmp(prev->value, key->value) != 0)
					continue;
				bad(c, key, "top-level key '%s' is defined "
				    "twice: here and at %s:%d:%d", key->value,
				    prev->file, prev->line, prev->col);
				break;
			}
			if (k < cfg->root->n)
				continue;
			ynode_add(cfg->root, ynode_copy(key),
			    ynode_copy(root->items[j]));
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (n == 0 && rc == 0)
		rc = error("no *.yaml files in config directory '%s'",
		    cfg->dir);
	return rc;
}

struct config *
config_load(const char *dir)
{
	struct checker c;
	struct config *cfg;
	const struct ynode *settings;
	int rc;

	memset(&c, 0, sizeof(c));
	cfg = xcalloc(1, sizeof(*cfg));
	cfg->dir = xstrdup(dir);
	rc = read_dir(&c, cfg);
	if (rc != 0 && cfg->nfiles == 0 && c.errors == 0)
		goto fail;
	check_map(&c, cfg->root, top_fields, "");
	settings = ynode_get(cfg->root, "settings");
	load_settings(&c, cfg, settings);
	load_trees(&c, cfg, ynode_get(cfg->root, "trees"));
	load_builds(&c, cfg, ynode_get(cfg->root, "builds"));
	load_platforms(&c, cfg, ynode_get(cfg->root, "platforms"));
	load_labs(&c, cfg, ynode_get(cfg->root, "labs"));
	load_tests(&c, cfg, ynode_get(cfg->root, "tests"));
	find_template_dirs(cfg);
	check_refs(&c, cfg);
	check_names(&c, cfg);
	check_secrets(&c, cfg);
	if (c.errors == 0 && rc == 0)
		return cfg;
	if (c.errors > 1)
		error("%d problems in config directory '%s'", c.errors, dir);
fail:
	config_free(cfg);
	return NULL;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->ntrees; i++) {
		free(cfg->trees[i].name);
		free(cfg->trees[i].url);
		free_list(cfg->trees[i].branches);
		free(cfg->trees[i].token_env);
	}
	free(cfg->trees);
	for (i = 0; i < cfg->nbuilds; i++) {
		struct build_cfg *b = &cfg->builds[i];

		free(b->name);
		free_rules(&b->rules);
		free(b->arch);
		free(b->compiler);
		free(b->cross_compile);
		free(b->defconfig);
		free_list(b->fragments);
		free_list(b->targets);
		free(b->runtime);
	}
	free(cfg->builds);
	for (i = 0; i < cfg->nplatforms; i++) {
		struct platform_cfg *p = &cfg->platforms[i];

		free(p->name);
		free(p->arch);
		free(p->device_type);
		free(p->boot_method);
		free(p->mach);
		free(p->dtb);
		free_list(p->compatible);
	}
	free(cfg->platforms);
	for (i = 0; i < cfg->nlabs; i++) {
		struct lab_cfg *l = &cfg->labs[i];

		free(l->name);
		free(l->url);
		free(l->token_env);
		free(l->path);
		free(l->priority);
	}
	free(cfg->labs);
	for (i = 0; i < cfg->ntests; i++) {
		struct test_cfg *t = &cfg->tests[i];

		free(t->name);
		free(t->template);
		free_list(t->builds);
		free_list(t->platforms);
		free(t->lab);
		free(t->kcidb_path);
		free_rules(&t->rules);
	}
	free(cfg->tests);
	free(cfg->dir);
	free(cfg->origin);
	free(cfg->data_dir);
	free(cfg->compression);
	free(cfg->storage_path);
	free(cfg->storage_url);
	free(cfg->storage_upload_url);
	free(cfg->storage_token_env);
	free(cfg->kcidb_output);
	free(cfg->kcidb_url);
	free(cfg->kcidb_token_env);
	free(cfg->site_path);
	free(cfg->site_base_url);
	free(cfg->site_title);
	free_list(cfg->build_env);
	free(cfg->sandbox);
	ynode_free(cfg->root);
	for (i = 0; i < cfg->nfiles; i++)
		ynode_free(cfg->files[i]);
	free(cfg->files);
	if (cfg->template_dirs != NULL) {
		free(cfg->template_dirs[0]);
		free(cfg->template_dirs[1]);
		free(cfg->template_dirs);
	}
	free(cfg);
}

#define FIND(arr, n, name) do {					\
	size_t i_;						\
	for (i_ = 0; i_ < (n); i_++)				\
		if (strcmp((arr)[i_].name, (name)) == 0)	\
			return &(arr)[i_];			\
	return NULL;						\
} while (0)

const struct tree_cfg *
config_tree(const struct config *cfg, const char *name)
{
	FIND(cfg->trees, cfg->ntrees, name);
}

const struct build_cfg *
config_build(const struct config *cfg, const char *name)
{
	FIND(cfg->builds, cfg->nbuilds, name);
}

const struct platform_cfg *
config_platform(const struct config *cfg, const char *name)
{
	FIND(cfg->platforms, cfg->nplatforms, name);
}

const struct lab_cfg *
config_lab(const struct config *cfg, const char *name)
{
	FIND(cfg->labs, cfg->nlabs, name);
}

const struct test_cfg *
config_test(const struct config *cfg, const char *name)
{
	FIND(cfg->tests, cfg->ntests, name);
}

const char *
config_token(const char *env, const char *what, const char *doing)
{
	const char *tok;

	if (env == NULL)
		return NULL;
	tok = getenv(env);
	if (tok == NULL || *tok == '\0') {
		warning("%s: %s is not set; %s without a token", what, env,
		    doing);
		return NULL;
	}
	secret_add(tok);
	return tok;
}

char *
config_data_path(const struct config *cfg, const char *sub)
{
	return fs_join(cfg->data_dir, sub);
}

int
config_version_cmp(int v, int p, int s, const char *bound)
{
	long b[3] = { 0, 0, 0 };
	int have[3] = { v, p, s };
	const char *q;
	char *end;
	int i, n;

	q = bound;
	for (n = 0; n < 3 && *q; n++) {
		b[n] = strtol(q, &end, 10);
		if (end == q)
			return 0;
		q = *end == '.' ? end + 1 : end;
		if (*end != '.' && *end != '\0')
			return 0;
	}
	for (i = 0; i < n; i++)
		if (have[i] != b[i])
			return have[i] < b[i] ? -1 : 1;
	return 0;
}

static int
match_any(char *const *patterns, const char *s)
{
	if (patterns == NULL)
		return 1;
	if (s == NULL)
		return 0;
	for (; *patterns; patterns++)
		if (fnmatch(*patterns, s, 0) == 0)
			return 1;
	return 0;
}

int
config_rules_match(const struct rules *r, const char *tree,
    const char *branch, int v, int p, int s, const char *arch)
{
	if (!match_any(r->trees, tree) || !match_any(r->branches, branch))
		return 0;
	if (arch != NULL && !match_any(r->arches, arch))
		return 0;
	if (r->min_version && config_version_cmp(v, p, s, r->min_version) < 0)
		return 0;
	if (r->max_version && config_version_cmp(v, p, s, r->max_version) > 0)
		return 0;
	return 1;
}
