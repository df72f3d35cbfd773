/*
 * config.c: load, merge and check the configuration directory.
 */
#include <dirent.h>
#include <fnmatch.h>

#include "buf.h"
#include "config.h"
#include "config_impl.h"
#include "fs.h"
#include "log.h"
#include "proc.h"
#include "secret.h"
#include "ynode.h"
#include "util.h"

static void
find_template_dirs(struct config *cfg)
{
	char *data, *dir, *shipped, *mine;

	cfg->template_dirs = xcalloc(3, sizeof(char *));
	cfg->template_dirs[0] = xasprintf("%s/templates", cfg->dir);
	/* the shipped ones, where the executable finds its own files */
	data = proc_data_dir();
	dir = xasprintf("%s/configs/templates", data);
	free(data);
	shipped = realpath(dir, NULL);
	free(dir);
	if (shipped == NULL)
		return;
	mine = realpath(cfg->template_dirs[0], NULL);
	if (mine == NULL || strcmp(mine, shipped) != 0)
		cfg->template_dirs[1] = shipped;
	else
		free(shipped);
	free(mine);
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
			cfg_bad(c, root, "a config file must be a mapping of "
			    "top-level keys, not a %s", ynode_kind(root));
			continue;
		}
		for (j = 0; j < root->n; j++) {
			const struct ynode *key = root->keys[j];

			for (k = 0; k < cfg->root->n; k++) {
				const struct ynode *prev = cfg->root->keys[k];

				if (strcmp(prev->value, key->value) != 0)
					continue;
				cfg_bad(c, key, "top-level key '%s' is defined "
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
	cfg_check_schema(&c, cfg->root);
	settings = ynode_get(cfg->root, "settings");
	cfg_load_settings(&c, cfg, settings);
	cfg_load_trees(&c, cfg, ynode_get(cfg->root, "trees"));
	cfg_load_builds(&c, cfg, ynode_get(cfg->root, "builds"));
	cfg_load_platforms(&c, cfg, ynode_get(cfg->root, "platforms"));
	cfg_load_labs(&c, cfg, ynode_get(cfg->root, "labs"));
	cfg_load_tests(&c, cfg, ynode_get(cfg->root, "tests"));
	cfg_load_issues(&c, cfg, ynode_get(cfg->root, "issues"));
	find_template_dirs(cfg);
	cfg_check_refs(&c, cfg);
	cfg_check_names(&c, cfg);
	cfg_check_secrets(&c, cfg);
	if (c.errors == 0 && rc == 0)
		return cfg;
	if (c.errors > 1)
		error("%d problems in config directory '%s'", c.errors, dir);
fail:
	config_free(cfg);
	return NULL;
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

const struct issue_cfg *
config_issue(const struct config *cfg, const char *name)
{
	FIND(cfg->issues, cfg->nissues, name);
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

char *
config_commit_url(const struct config *cfg, const char *tree,
    const char *commit)
{
	const struct tree_cfg *t;
	struct buf b = BUF_INIT;
	const char *p, *q;

	t = config_tree(cfg, tree);
	if (t == NULL || t->commit_url == NULL || commit == NULL)
		return NULL;
	for (p = t->commit_url; (q = strstr(p, "{commit}")) != NULL;
	    p = q + strlen("{commit}")) {
		buf_add(&b, p, (size_t)(q - p));
		buf_puts(&b, commit);
	}
	buf_puts(&b, p);
	return buf_detach(&b, NULL);
}
