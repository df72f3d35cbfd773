/*
 * config_load.c: the sections of a checked configuration turned into the
 * structs of config.h (settings, trees, builds, platforms, labs, tests),
 * with the checks of values that only a section knows; and their release.
 */
#include <regex.h>

#include "buf.h"
#include "config.h"
#include "config_impl.h"
#include "fs.h"
#include "hash.h"
#include "kbuild.h"
#include "mail.h"
#include "runtime.h"
#include "ynode.h"
#include "util.h"

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
	if (s == NULL || (v = cfg_parse_duration(s)) < 0)
		return def;
	return (int)v;
}

static int
get_bool(const struct ynode *map, const char *key, int def)
{
	const char *s;
	int b;

	s = ynode_str(map, key);
	if (s == NULL || !cfg_is_bool(s, &b))
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
		cfg_bad(c, v, "token_env must name an environment variable "
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
	cfg_bad(c, v, "%s.%s '%s' is not one of: %s", where, key, v->value,
	    b.ptr);
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
			cfg_bad(c, v, "%s '%s' must look like 6, 6.1 or 6.1.12",
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
	if (abs == NULL)
		abs = fs_absolute(path);
	url = xasprintf("file://%s%s", abs, str_ends(abs, "/") ? "" : "/");
	free(abs);
	return url;
}

static void
check_addresses(struct checker *c, const struct ynode *list,
    const char *where)
{
	size_t i;

	if (list == NULL || list->type != YNODE_SEQ)
		return;
	for (i = 0; i < list->n; i++)
		if (list->items[i]->type == YNODE_SCALAR &&
		    !list->items[i]->null && !mail_address_ok(list->items[i]->value))
			cfg_bad(c, list->items[i], "%s: '%s' is not a plain "
			    "email address (name@example.org)", where,
			    list->items[i]->value);
}

/* settings.email: who reports come from and how they are sent. */
static void
load_email(struct checker *c, struct config *cfg, const struct ynode *e)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday", NULL };
	const struct ynode *v;
	char *digest, *addr;
	int i;

	cfg->digest_day = -1;
	if (e == NULL || e->type != YNODE_MAP)
		return;
	cfg->email_from = get_str(e, "from", NULL);
	/* "Name <addr>" or addr, as a From: header takes it */
	addr = cfg->email_from != NULL ?
	    mail_address_from_trailer(cfg->email_from) : NULL;
	if (cfg->email_from != NULL && addr == NULL)
		cfg_bad(c, ynode_get(e, "from"), "settings.email.from '%s' "
		    "must be an address, or a name and an address in <>",
		    cfg->email_from);
	free(addr);
	cfg->smtp_url = get_str(e, "smtp_url", NULL);
	v = ynode_get(e, "smtp_url");
	if (cfg->smtp_url != NULL && !str_starts(cfg->smtp_url, "smtp://") &&
	    !str_starts(cfg->smtp_url, "smtps://"))
		cfg_bad(c, v, "settings.email.smtp_url '%s' must start with "
		    "smtp:// or smtps://", cfg->smtp_url);
	cfg->smtp_user = get_str(e, "user", NULL);
	cfg->smtp_token_env = get_str(e, "token_env", NULL);
	check_token_env(c, e);
	if (cfg->smtp_user != NULL && cfg->smtp_token_env == NULL)
		cfg_bad(c, ynode_get(e, "user"), "settings.email.user needs "
		    "token_env, the environment variable that holds the "
		    "password");
	cfg->report_always = get_bool(e, "always", 0);
	cfg->report_to_authors = get_bool(e, "report_to_authors", 0);
	digest = get_str(e, "digest", NULL);
	if (digest != NULL && strcmp(digest, "off") != 0) {
		for (i = 0; days[i] != NULL; i++)
			if (strcmp(days[i], digest) == 0)
				cfg->digest_day = i;
		if (cfg->digest_day < 0)
			cfg_bad(c, ynode_get(e, "digest"), "settings.email."
			    "digest '%s' must be a day of the week (monday, "
			    "...) or off", digest);
	}
	free(digest);
}

/*
 * A reference clone is a local path, not a URL; a tree may give "" to
 * borrow from none despite settings.reference.
 */
static void
check_reference(struct checker *c, const struct ynode *v, const char *key,
    int allow_empty)
{
	if (v == NULL || v->type != YNODE_SCALAR || v->value == NULL)
		return;
	if (v->value[0] == '\0' && !allow_empty)
		cfg_bad(c, v, "%s is empty", key);
	else if (strstr(v->value, "://") != NULL)
		cfg_bad(c, v, "%s '%s' must be the path of a clone on this "
		    "machine, not a URL", key, v->value);
}

void
cfg_load_settings(struct checker *c, struct config *cfg, const struct ynode *s)
{
	static const char *const compressions[] = { "gz", "xz", "zst", NULL };
	static const char *const sandboxes[] = { "auto", "require", "off",
	    NULL };
	const struct ynode *storage, *kcidb, *site, *tarball, *bisect, *v;
	char *url;
	size_t i;

	storage = ynode_get(s, "storage");
	kcidb = ynode_get(s, "kcidb");
	site = ynode_get(s, "site");
	tarball = ynode_get(s, "tarball");
	bisect = ynode_get(s, "bisect");

	cfg->origin = get_str(s, "origin", "maestrino");
	v = ynode_get(s, "origin");
	if (v != NULL && v->type == YNODE_SCALAR &&
	    !str_is_name(v->value, "_"))
		cfg_bad(c, v, "settings.origin '%s' must match ^[a-z0-9_]+$ "
		    "(a KCIDB origin)", v->value);
	cfg->data_dir = get_str(s, "data_dir", "var");
	cfg->reference = get_str(s, "reference", NULL);
	check_reference(c, ynode_get(s, "reference"), "settings.reference", 0);
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
			cfg_bad(c, v->items[i], "settings.build_env: '%s' is "
			    "not an environment variable name "
			    "(^[A-Z_][A-Z0-9_]*$)", cfg->build_env[i]);
	cfg->compression = get_str(tarball, "compression", "gz");
	check_enum(c, tarball, "compression", compressions,
	    "settings.tarball");

	cfg->storage_path = get_str(storage, "path", NULL);
	if (cfg->storage_path == NULL)
		cfg->storage_path = fs_join(cfg->data_dir, "storage");
	cfg->storage_upload_url = get_str(storage, "upload_url", NULL);
	url = get_str(storage, "url", NULL);
	/* what is uploaded is published where it went, unless told */
	if (url == NULL && cfg->storage_upload_url != NULL)
		url = xstrdup(cfg->storage_upload_url);
	if (url == NULL)
		url = file_url(cfg->storage_path);
	else if (!str_ends(url, "/")) {
		char *u = xasprintf("%s/", url);

		free(url);
		url = u;
	}
	cfg->storage_url = url;
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
	cfg->site_keep_days = get_int(site, "keep_days", 0);

	cfg->bisect_trees = get_list(bisect, "trees", NULL);
	cfg->bisect_max_active = get_int(bisect, "max_active", 2);
	cfg->bisect_max_steps = get_int(bisect, "max_steps", 30);
	cfg->bisect_repeat = get_int(bisect, "repeat", 1);
	cfg->ccache = get_bool(s, "ccache", 0);
	load_email(c, cfg, ynode_get(s, "email"));
	cfg->issue_stale_days = get_int(ynode_get(s, "issues"), "stale_days",
	    30);
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

void
cfg_load_trees(struct checker *c, struct config *cfg, const struct ynode *m)
{
	struct tree_cfg *t;
	const struct ynode *e, *bl, *r, *defref;
	size_t i, j;
	char *w;

	/* not a mapping of entries: check_map() has said so */
	if (m == NULL || m->type != YNODE_MAP)
		return;
	cfg->trees = xcalloc(m->n, sizeof(*cfg->trees));
	defref = ynode_get(ynode_get(cfg->root, "settings"), "reference");
	for (i = 0; i < m->n; i++) {
		e = m->items[i];
		t = &cfg->trees[cfg->ntrees++];
		t->name = xstrdup(m->keys[i]->value);
		t->url = get_str(e, "url", "");
		t->branches = get_list(e, "branches", &t->nbranches);
		t->token_env = get_str(e, "token_env", NULL);
		check_token_env(c, e);
		t->commit_url = get_str(e, "commit_url", NULL);
		t->report_to = get_list(e, "report_to", NULL);
		w = xasprintf("trees.%s.report_to", t->name);
		check_addresses(c, ynode_get(e, "report_to"), w);
		free(w);
		r = ynode_get(e, "reference");
		w = xasprintf("trees.%s.reference", t->name);
		check_reference(c, r, w, 1);
		free(w);
		if (r == NULL)
			r = defref;
		if (r != NULL && r->type == YNODE_SCALAR && r->value != NULL &&
		    r->value[0] != '\0') {
			t->reference = xstrdup(r->value);
			t->reference_at = xasprintf("%s:%d:%d", r->file,
			    r->line, r->col);
		}
		if (t->commit_url != NULL && strstr(t->commit_url,
		    "{commit}") == NULL)
			cfg_bad(c, ynode_get(e, "commit_url"), "trees.%s."
			    "commit_url needs '{commit}', which stands for "
			    "the commit's id", t->name);
		bl = ynode_get(e, "branches");
		if (bl != NULL && bl->type == YNODE_SEQ && bl->n == 0)
			cfg_bad(c, bl, "trees.%s.branches is empty", t->name);
		for (j = 0; bl != NULL && j < t->nbranches; j++)
			if (!refname_ok(t->branches[j]))
				cfg_bad(c, bl->items[j], "trees.%s: '%s' is "
				    "not a valid branch name", t->name,
				    t->branches[j]);
		if (t->url[0] == '\0' && ynode_get(e, "url") != NULL)
			cfg_bad(c, ynode_get(e, "url"), "trees.%s.url is empty",
			    t->name);
	}
}

/* A build's arch: one the kbuild arch table knows, by the kernel's name. */
static void
check_arch(struct checker *c, const char *build, const struct ynode *v)
{
	const char *hint;
	char *list;

	if (v == NULL || v->type != YNODE_SCALAR || v->null ||
	    kbuild_arch_known(v->value))
		return;
	hint = kbuild_arch_hint(v->value);
	list = kbuild_arch_list();
	if (hint != NULL)
		cfg_bad(c, v, "builds.%s.arch '%s' is not an architecture "
		    "the builds know (did you mean '%s'? use the kernel's "
		    "ARCH names: %s)", build, v->value, hint, list);
	else
		cfg_bad(c, v, "builds.%s.arch '%s' is not an architecture "
		    "the builds know (one of: %s)", build, v->value, list);
	free(list);
}

/* kselftest: a non-empty list of collection names ("size", "timers"). */
static void
check_kselftest(struct checker *c, const char *build, const struct ynode *v)
{
	size_t i;

	/* not a list, or an item not a string: check_map() has said so */
	if (v == NULL || v->type != YNODE_SEQ)
		return;
	if (v->n == 0)
		cfg_bad(c, v, "builds.%s.kselftest is empty: name the "
		    "collections to install, e.g. [size, timers], or drop "
		    "the key", build);
	for (i = 0; i < v->n; i++)
		if (v->items[i]->type == YNODE_SCALAR && !v->items[i]->null &&
		    !str_is_name(v->items[i]->value, "_-"))
			cfg_bad(c, v->items[i], "builds.%s.kselftest: "
			    "collection '%s' must match ^[a-z0-9_-]+$", build,
			    v->items[i]->value);
}

/*
 * What a build asks of a batch system, from the keys partition, cpus,
 * memory and time of map: a partition name Slurm takes, memory as a
 * number with an optional K, M, G or T.
 */
static void
load_batch(struct checker *c, const struct ynode *map, const char *where,
    struct batch_req *r)
{
	const struct ynode *v;
	size_t n;

	r->partition = get_str(map, "partition", NULL);
	r->cpus = get_int(map, "cpus", 0);
	r->memory = get_str(map, "memory", NULL);
	r->time = get_duration(map, "time", 0);
	v = ynode_get(map, "partition");
	if (r->partition != NULL && (*r->partition == '\0' ||
	    r->partition[strspn(r->partition, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-")] != '\0'))
		cfg_bad(c, v, "%s.partition '%s' must match "
		    "^[A-Za-z0-9_.-]+$", where, r->partition);
	v = ynode_get(map, "memory");
	n = r->memory != NULL ? strspn(r->memory, "0123456789") : 0;
	if (r->memory != NULL && (n == 0 || n > 12 ||
	    (r->memory[n] != '\0' && (strchr("KMGT", r->memory[n]) == NULL ||
	    r->memory[n + 1] != '\0'))))
		cfg_bad(c, v, "%s.memory '%s' must be a number of megabytes, "
		    "or one with K, M, G or T: 4096, 4G", where, r->memory);
}

void
cfg_load_builds(struct checker *c, struct config *cfg, const struct ynode *m)
{
	static const char *const compilers[] = { "gcc", "clang", NULL };
	struct build_cfg *b;
	const struct ynode *e;
	char *where;
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
		check_arch(c, b->name, ynode_get(e, "arch"));
		b->compiler = get_str(e, "compiler", "gcc");
		check_enum(c, e, "compiler", compilers, "builds");
		b->cross_compile = get_str(e, "cross_compile", NULL);
		b->defconfig = get_str(e, "defconfig", "defconfig");
		b->fragments = get_list(e, "fragments", NULL);
		b->targets = get_list(e, "targets", NULL);
		b->runtime = get_str(e, "runtime", "local");
		b->timeout = get_duration(e, "timeout", 3600);
		b->kselftest = get_list(e, "kselftest", NULL);
		check_kselftest(c, b->name, ynode_get(e, "kselftest"));
		where = xasprintf("builds.%s.slurm", b->name);
		load_batch(c, ynode_get(e, "slurm"), where, &b->slurm);
		free(where);
	}
}

void
cfg_load_platforms(struct checker *c, struct config *cfg, const struct ynode *m)
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

void
cfg_load_labs(struct checker *c, struct config *cfg, const struct ynode *m)
{
	struct lab_cfg *l;
	const struct ynode *e, *v;
	const char *type, *need;
	char *where;
	size_t i, n;
	long pr;

	n = m != NULL && m->type == YNODE_MAP ? m->n : 0;
	cfg->labs = xcalloc(n + 1, sizeof(*cfg->labs));
	for (i = 0; i < n; i++) {
		e = m->items[i];
		l = &cfg->labs[cfg->nlabs++];
		l->name = xstrdup(m->keys[i]->value);
		check_enum(c, e, "type", runtime_types(), "labs");
		type = ynode_str(e, "type");
		l->type = runtime_type(type);
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
			cfg_bad(c, v, "labs.%s.priority '%s' must be 0-100, "
			    "low, medium or high", l->name, v->value);
		l->jobs = get_int(e, "jobs", 1);
		if (l->jobs < 1)
			l->jobs = 1;
		where = xasprintf("labs.%s", l->name);
		load_batch(c, e, where, &l->slurm);
		free(where);
		need = runtime_needs(l->type);
		if (need != NULL && ynode_str(e, need) == NULL)
			cfg_bad(c, e, "labs.%s: a %s lab needs '%s'",
			    l->name, l->type, need);
	}
	if (config_lab(cfg, "local") == NULL) {
		/* the embedded default runtime always exists */
		l = &cfg->labs[cfg->nlabs++];
		l->name = xstrdup("local");
		l->type = runtime_type(NULL);
		l->priority = xstrdup("50");
		l->jobs = 1;
	}
}

void
cfg_load_tests(struct checker *c, struct config *cfg, const struct ynode *m)
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

/* The digest of what an issue's rule says, which names its version. */
static void
issue_hash(struct issue_cfg *x)
{
	const char *parts[] = { x->title, x->report_url, x->culprit, x->tree,
	    x->branch, x->build, x->arch, x->platform, x->path, x->log };
	unsigned char d[HASH_LEN];
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		/* a key not given differs from one given empty */
		buf_addf(&b, "%c", parts[i] != NULL ? '+' : '-');
		if (parts[i] != NULL)
			buf_add(&b, parts[i], strlen(parts[i]) + 1);
	}
	hash_bytes(b.ptr, b.len, d);
	for (i = 0; i < 8; i++)
		snprintf(x->hash + 2 * i, 3, "%02x", d[i]);
	buf_release(&b);
}

void
cfg_load_issues(struct checker *c, struct config *cfg, const struct ynode *m)
{
	static const char *const culprits[] = { "code", "tool", "harness",
	    NULL };
	struct issue_cfg *x;
	const struct ynode *e, *match;
	char msg[256];
	size_t i;
	int rc;

	/* not a mapping of entries: check_map() has said so */
	if (m == NULL || m->type != YNODE_MAP)
		return;
	cfg->issues = xcalloc(m->n, sizeof(*cfg->issues));
	for (i = 0; i < m->n; i++) {
		e = m->items[i];
		x = &cfg->issues[cfg->nissues++];
		x->name = xstrdup(m->keys[i]->value);
		x->node = e;
		if (str_starts(x->name, "sig-"))
			cfg_bad(c, m->keys[i], "issues.%s: names starting "
			    "with 'sig-' are those of log signatures; choose "
			    "another", x->name);
		else if (strcmp(x->name, "index") == 0)
			cfg_bad(c, m->keys[i], "issues.index: 'index' is the "
			    "site's list of issues (issues/index.html); choose "
			    "another name");
		x->title = get_str(e, "title", "");
		x->report_url = get_str(e, "report_url", NULL);
		if (x->report_url != NULL &&
		    !str_starts(x->report_url, "https://") &&
		    !str_starts(x->report_url, "http://"))
			cfg_bad(c, ynode_get(e, "report_url"), "issues.%s."
			    "report_url '%s' must be an http:// or https:// "
			    "URL", x->name, x->report_url);
		x->culprit = get_str(e, "culprit", "code");
		check_enum(c, e, "culprit", culprits, "issues");
		match = ynode_get(e, "match");
		x->tree = get_str(match, "tree", NULL);
		x->branch = get_str(match, "branch", NULL);
		x->build = get_str(match, "build", NULL);
		x->arch = get_str(match, "arch", NULL);
		x->platform = get_str(match, "platform", NULL);
		x->path = get_str(match, "path", NULL);
		x->log = get_str(match, "log", NULL);
		if (match != NULL && match->type == YNODE_MAP && match->n == 0)
			cfg_bad(c, match, "issues.%s.match is empty: it would "
			    "match every failure; give at least one of tree, "
			    "branch, build, arch, platform, path, log",
			    x->name);
		if (x->log != NULL) {
			x->log_re = xcalloc(1, sizeof(regex_t));
			rc = regcomp(x->log_re, x->log, REG_EXTENDED |
			    REG_NOSUB | REG_NEWLINE);
			if (rc != 0) {
				regerror(rc, x->log_re, msg, sizeof(msg));
				cfg_bad(c, ynode_get(match, "log"), "issues.%s."
				    "match.log is not a valid extended "
				    "regular expression: %s", x->name, msg);
				free(x->log_re);
				x->log_re = NULL;
			}
		}
		issue_hash(x);
	}
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
		free(cfg->trees[i].commit_url);
		free_list(cfg->trees[i].report_to);
		free(cfg->trees[i].reference);
		free(cfg->trees[i].reference_at);
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
		free(b->slurm.partition);
		free(b->slurm.memory);
		free_list(b->kselftest);
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
		free(l->slurm.partition);
		free(l->slurm.memory);
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
	for (i = 0; i < cfg->nissues; i++) {
		struct issue_cfg *x = &cfg->issues[i];

		free(x->name);
		free(x->title);
		free(x->report_url);
		free(x->culprit);
		free(x->tree);
		free(x->branch);
		free(x->build);
		free(x->arch);
		free(x->platform);
		free(x->path);
		free(x->log);
		if (x->log_re != NULL)
			regfree(x->log_re);
		free(x->log_re);
	}
	free(cfg->issues);
	free(cfg->email_from);
	free(cfg->smtp_url);
	free(cfg->smtp_user);
	free(cfg->smtp_token_env);
	free(cfg->dir);
	free(cfg->origin);
	free(cfg->data_dir);
	free(cfg->reference);
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
	free_list(cfg->bisect_trees);
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
