/*
 * config_schema.c: the keys each part of the configuration takes, as
 * declarative tables, and the check of a parsed tree against them: types,
 * unknown keys (with the likely one), name lengths.
 */
#include "buf.h"
#include "config.h"
#include "config_impl.h"
#include "log.h"
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
	{ "keep_days", F_INT, NULL, 0, 0, 36500 },
	END
};

static const struct field tarball_fields[] = {
	{ "compression", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field bisect_fields[] = {
	{ "trees", F_LIST, NULL, 0, 0, 0 },
	{ "max_active", F_INT, NULL, 0, 1, 1000 },
	{ "max_steps", F_INT, NULL, 0, 1, 1000 },
	{ "repeat", F_INT, NULL, 0, 1, 100 },
	END
};

static const struct field email_fields[] = {
	{ "from", F_STR, NULL, 1, 0, 0 },
	{ "smtp_url", F_STR, NULL, 0, 0, 0 },
	{ "user", F_STR, NULL, 0, 0, 0 },
	{ "token_env", F_STR, NULL, 0, 0, 0 },
	{ "always", F_BOOL, NULL, 0, 0, 0 },
	{ "report_to_authors", F_BOOL, NULL, 0, 0, 0 },
	{ "digest", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field issue_settings_fields[] = {
	{ "stale_days", F_INT, NULL, 0, 1, 3650 },
	END
};

static const struct field settings_fields[] = {
	{ "origin", F_STR, NULL, 0, 0, 0 },
	{ "data_dir", F_STR, NULL, 0, 0, 0 },
	{ "reference", F_STR, NULL, 0, 0, 0 },
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
	{ "bisect", F_MAP, bisect_fields, 0, 0, 0 },
	{ "ccache", F_BOOL, NULL, 0, 0, 0 },
	{ "email", F_MAP, email_fields, 0, 0, 0 },
	{ "issues", F_MAP, issue_settings_fields, 0, 0, 0 },
	END
};

static const struct field tree_fields[] = {
	{ "url", F_STR, NULL, 1, 0, 0 },
	{ "branches", F_LIST, NULL, 1, 0, 0 },
	{ "token_env", F_STR, NULL, 0, 0, 0 },
	{ "commit_url", F_STR, NULL, 0, 0, 0 },
	{ "report_to", F_LIST, NULL, 0, 0, 0 },
	{ "reference", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field match_fields[] = {
	{ "tree", F_STR, NULL, 0, 0, 0 },
	{ "branch", F_STR, NULL, 0, 0, 0 },
	{ "build", F_STR, NULL, 0, 0, 0 },
	{ "arch", F_STR, NULL, 0, 0, 0 },
	{ "platform", F_STR, NULL, 0, 0, 0 },
	{ "path", F_STR, NULL, 0, 0, 0 },
	{ "log", F_STR, NULL, 0, 0, 0 },
	END
};

static const struct field issue_fields[] = {
	{ "title", F_STR, NULL, 1, 0, 0 },
	{ "report_url", F_STR, NULL, 0, 0, 0 },
	{ "culprit", F_STR, NULL, 0, 0, 0 },
	{ "match", F_MAP, match_fields, 1, 0, 0 },
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

static const struct field slurm_fields[] = {
	{ "partition", F_STR, NULL, 0, 0, 0 },
	{ "cpus", F_INT, NULL, 0, 1, 4096 },
	{ "memory", F_STR, NULL, 0, 0, 0 },
	{ "time", F_DURATION, NULL, 0, 0, 0 },
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
	{ "kselftest", F_LIST, NULL, 0, 0, 0 },
	{ "slurm", F_MAP, slurm_fields, 0, 0, 0 },
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
	{ "partition", F_STR, NULL, 0, 0, 0 },
	{ "cpus", F_INT, NULL, 0, 1, 4096 },
	{ "memory", F_STR, NULL, 0, 0, 0 },
	{ "time", F_DURATION, NULL, 0, 0, 0 },
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
	{ "issues", F_ENTRIES, issue_fields, 0, 0, 0 },
	END
};

void
cfg_bad(struct checker *c, const struct ynode *n, const char *fmt, ...)
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
	struct str_closest c = STR_CLOSEST_INIT;

	for (; fields->key != NULL; fields++)
		str_closest_offer(&c, key, fields->key);
	return str_closest_best(&c, strlen(key) / 3 + 2);
}

static void
unknown_key(struct checker *c, const struct ynode *k, const char *where,
    const struct field *fields)
{
	const char *s;

	if (strcmp(k->value, "token") == 0 ||
	    strcmp(k->value, "password") == 0 ||
	    strcmp(k->value, "secret") == 0) {
		cfg_bad(c, k, "'%s' in %s: secrets never live in config; "
		    "name an environment variable with 'token_env'",
		    k->value, where);
		return;
	}
	if (fields == top_fields && (strcmp(k->value, "storage") == 0 ||
	    strcmp(k->value, "kcidb") == 0 || strcmp(k->value, "site") == 0 ||
	    strcmp(k->value, "origin") == 0 ||
	    strcmp(k->value, "data_dir") == 0)) {
		cfg_bad(c, k, "unknown top-level key '%s' (did you mean "
		    "'settings.%s'?)", k->value, k->value);
		return;
	}
	if (*where == '\0')
		where = "the top level";
	s = suggest(k->value, fields);
	if (s != NULL)
		cfg_bad(c, k, "unknown key '%s' in %s (did you mean '%s'?)",
		    k->value, where, s);
	else
		cfg_bad(c, k, "unknown key '%s' in %s", k->value, where);
}

int
cfg_is_bool(const char *s, int *out)
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
long
cfg_parse_duration(const char *s)
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
			cfg_bad(c, v, "%s must be a string, not a %s", where,
			    ynode_kind(v));
		break;
	case F_INT:
		if (v->type != YNODE_SCALAR || !v->plain ||
		    parse_long(v->value, 0, INT_MAX, &n) != 0)
			cfg_bad(c, v, "%s must be a whole number, not %s%s%s",
			    where, v->type == YNODE_SCALAR ? "'" : "a ",
			    v->type == YNODE_SCALAR ? v->value : ynode_kind(v),
			    v->type == YNODE_SCALAR ? "'" : "");
		else if (n < f->min || n > f->max)
			cfg_bad(c, v, "%s must be between %ld and %ld, not %ld",
			    where, f->min, f->max, n);
		break;
	case F_DURATION:
		if (v->type != YNODE_SCALAR ||
		    cfg_parse_duration(v->value) == -1)
			cfg_bad(c, v, "%s must be minutes or a duration such "
			    "as 90s, 15m or 2h", where);
		else if (cfg_parse_duration(v->value) < 0)
			cfg_bad(c, v, "%s '%s' is longer than a week "
			    "(7d = 168h)", where, v->value);
		break;
	case F_BOOL:
		if (v->type != YNODE_SCALAR || !v->plain ||
		    !cfg_is_bool(v->value, &b))
			cfg_bad(c, v, "%s must be true or false", where);
		break;
	case F_LIST:
		if (v->type != YNODE_SEQ) {
			cfg_bad(c, v, "%s must be a list, not a %s", where,
			    ynode_kind(v));
			break;
		}
		for (i = 0; i < v->n; i++)
			if (v->items[i]->type != YNODE_SCALAR ||
			    v->items[i]->null)
				cfg_bad(c, v->items[i], "%s[%zu] must be a "
				    "string, not a %s", where, i,
				    ynode_kind(v->items[i]));
		break;
	case F_MAP:
		check_map(c, v, f->sub, where);
		break;
	case F_ANY:
		if (v->type != YNODE_MAP)
			cfg_bad(c, v, "%s must be a mapping, not a %s", where,
			    ynode_kind(v));
		break;
	case F_ENTRIES:
		if (v->type != YNODE_MAP) {
			cfg_bad(c, v, "%s must be a mapping of named entries, "
			    "not a %s", where, ynode_kind(v));
			break;
		}
		for (i = 0; i < v->n; i++) {
			const struct ynode *k = v->keys[i];
			char *w;

			if (!str_is_name(k->value, "_-"))
				cfg_bad(c, k, "%s name '%s' must match "
				    "^[a-z0-9_-]+$", where, k->value);
			else if (strlen(k->value) > CONFIG_NAME_MAX)
				cfg_bad(c, k, "%s name '%.20s...' is longer "
				    "than %d characters", where, k->value,
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
		cfg_bad(c, map, "%s must be a mapping, not a %s", where,
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
			cfg_bad(c, map, "%s: missing required key '%s'", where,
			    f->key);
}

void
cfg_check_schema(struct checker *c, const struct ynode *root)
{
	check_map(c, root, top_fields, "");
}
