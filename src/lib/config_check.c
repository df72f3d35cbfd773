/*
 * config_check.c: the checks across sections of a loaded configuration:
 * references between them, secrets and the names derived from config
 * names.
 */
#include "buf.h"
#include "config.h"
#include "config_impl.h"
#include "fs.h"
#include "log.h"
#include "runtime.h"
#include "safe.h"
#include "secret.h"
#include "userland.h"
#include "ynode.h"
#include "util.h"

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

/*
 * A build's runtime: a lab of a type that runs builds (a lava lab only
 * boots what was built elsewhere).
 */
static void
check_runtime(struct checker *c, const struct config *cfg,
    const struct build_cfg *b)
{
	const struct ynode *v;
	struct runtime rt, other;
	struct buf can = BUF_INIT;
	size_t i;

	v = ynode_get(b->node, "runtime");
	if (v == NULL)
		v = b->node;
	if (runtime_get(cfg, NULL, b->runtime, &rt) != 0) {
		cfg_bad(c, v, "builds.%s.runtime '%s' is not a lab in 'labs'",
		    b->name, b->runtime);
		return;
	}
	if (rt.ops->builds)
		return;
	for (i = 0; i < cfg->nlabs; i++)
		if (runtime_get(cfg, NULL, cfg->labs[i].name, &other) == 0 &&
		    other.ops->builds)
			buf_addf(&can, "%s'%s' (%s)", can.len ? ", " : "",
			    cfg->labs[i].name, cfg->labs[i].type);
	cfg_bad(c, v, "builds.%s.runtime '%s' is a %s lab, which cannot run "
	    "builds (it only runs tests); labs that can build: %s", b->name,
	    b->runtime, rt.lab->type, can.len ? can.ptr : "none");
	buf_release(&can);
}

/* Does test t run on build b: named by the test, or on one of its arches. */
static int
test_uses_build(const struct config *cfg, const struct test_cfg *t,
    const struct build_cfg *b)
{
	const struct platform_cfg *p;
	char **q;

	if (t->builds != NULL)
		return str_in_list(t->builds, b->name);
	for (q = t->platforms; q && *q; q++)
		if ((p = config_platform(cfg, *q)) != NULL &&
		    strcmp(p->arch, b->arch) == 0)
			return 1;
	return 0;
}

/*
 * A test's kselftest collections (params.collections, a space-separated
 * list) must each be installed by every build it runs on, or its jobs
 * could never be made; unless the test gives its own kselftest_url.
 */
static void
check_collections(struct checker *c, const struct config *cfg,
    const struct test_cfg *t)
{
	const struct ynode *v;
	char *list, *word, *save;
	size_t i;

	v = ynode_get(t->params, "collections");
	/* a test that names its own tarball needs nothing of the builds */
	if (v == NULL || ynode_get(t->params, "kselftest_url") != NULL)
		return;
	if (v->type != YNODE_SCALAR || v->value == NULL) {
		cfg_bad(c, v, "tests.%s.params.collections: a space-separated "
		    "list of kselftest collections", t->name);
		return;
	}
	for (i = 0; i < cfg->nbuilds; i++) {
		const struct build_cfg *b = &cfg->builds[i];

		if (!test_uses_build(cfg, t, b))
			continue;
		list = xstrdup(v->value);
		for (word = strtok_r(list, " \t", &save); word != NULL;
		    word = strtok_r(NULL, " \t", &save)) {
			if (str_in_list(b->kselftest, word))
				continue;
			cfg_bad(c, v, "tests.%s: build '%s' does not install "
			    "the kselftest collection '%s' (add it to "
			    "builds.%s.kselftest)", t->name, b->name, word,
			    b->name);
			break;
		}
		free(list);
	}
}

/* A test's userland (params.rootfs): one we make, unless it has its own. */
static void
check_rootfs(struct checker *c, const struct test_cfg *t)
{
	const struct ynode *v;

	v = ynode_get(t->params, "rootfs");
	if (v == NULL || ynode_get(t->params, "ramdisk_url") != NULL)
		return;
	if (v->type != YNODE_SCALAR || v->value == NULL ||
	    !userland_known(v->value))
		cfg_bad(c, v, "tests.%s.params.rootfs: busybox or debian (or "
		    "give the test its own ramdisk_url)", t->name);
}

void
cfg_check_refs(struct checker *c, struct config *cfg)
{
	struct runtime rt;
	const struct ynode *v;
	char **p, *path, *rel;
	size_t i;

	for (i = 0; i < cfg->nbuilds; i++) {
		const struct build_cfg *b = &cfg->builds[i];

		for (p = b->fragments; p && *p; p++) {
			if (str_starts(*p, "CONFIG_")) {
				if (strchr(*p, '=') == NULL)
					cfg_bad(c, list_item_node(b->node,
					    "fragments", *p), "builds.%s: "
					    "inline fragment '%s' needs "
					    "'=': CONFIG_X=y", b->name, *p);
				continue;
			}
			path = config_fragment_path(cfg, *p);
			if (!fs_exists(path))
				cfg_bad(c, list_item_node(b->node,
				    "fragments", *p), "builds.%s: no fragment "
				    "'%s' (looked for '%s')", b->name, *p,
				    path);
			free(path);
		}

		check_runtime(c, cfg, b);
	}
	for (i = 0; i < cfg->ntests; i++) {
		const struct test_cfg *t = &cfg->tests[i];

		path = xasprintf("test/%s.yaml", t->template);
		rel = path;
		path = config_template_path(cfg, rel);
		if (*t->template && path == NULL) {
			v = ynode_get(t->node, "template");
			cfg_bad(c, v ? v : t->node, "tests.%s.template: no "
			    "test plan '%s' in %s/templates or the shipped "
			    "ones", t->name, rel, cfg->dir);
		}
		free(rel);
		free(path);
		if (config_lab(cfg, t->lab) == NULL) {
			v = ynode_get(t->node, "lab");
			cfg_bad(c, v ? v : t->node, "tests.%s.lab '%s' is not "
			    "a lab in 'labs'", t->name, t->lab);
		} else if (runtime_get(cfg, NULL, t->lab, &rt) == 0 &&
		    rt.ops->builds_only) {
			v = ynode_get(t->node, "lab");
			cfg_bad(c, v ? v : t->node, "tests.%s.lab '%s' is a %s "
			    "lab, which runs builds only; name a lab that "
			    "runs tests", t->name, t->lab, rt.lab->type);
		}
		for (p = t->builds; p && *p; p++)
			if (config_build(cfg, *p) == NULL)
				cfg_bad(c, list_item_node(t->node, "builds",
				    *p), "tests.%s: build '%s' is not in "
				    "'builds'", t->name, *p);
		for (p = t->platforms; p && *p; p++)
			if (config_platform(cfg, *p) == NULL)
				cfg_bad(c, list_item_node(t->node, "platforms",
				    *p), "tests.%s: platform '%s' is not in "
				    "'platforms'", t->name, *p);
		check_collections(c, cfg, t);
		check_rootfs(c, t);
	}
	for (p = cfg->bisect_trees; p && *p; p++)
		if (config_tree(cfg, *p) == NULL)
			cfg_bad(c, list_item_node(ynode_get(ynode_get(cfg->root,
			    "settings"), "bisect"), "trees", *p),
			    "settings.bisect: tree '%s' is not in 'trees'", *p);
}

/* The token_env names of the config, NULL-terminated; caller frees. */
static const char **
token_envs(const struct config *cfg)
{
	const char **list;
	size_t n, i;

	list = xcalloc(cfg->ntrees + cfg->nlabs + 4, sizeof(*list));
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
	if (cfg->smtp_token_env != NULL)
		list[n++] = cfg->smtp_token_env;
	list[n] = NULL;
	return list;
}

/*
 * Every variable a token_env names holds a secret: no build or lab
 * process sees it, and its value is masked everywhere.  settings.build_env
 * may not hand one to the builds.
 */
void
cfg_check_secrets(struct checker *c, struct config *cfg)
{
	const struct ynode *v;
	const char **envs;
	size_t i, j;

	envs = token_envs(cfg);
	v = ynode_get(ynode_get(cfg->root, "settings"), "build_env");
	for (i = 0; cfg->build_env != NULL && cfg->build_env[i]; i++)
		for (j = 0; envs[j] != NULL; j++)
			if (strcmp(cfg->build_env[i], envs[j]) == 0)
				cfg_bad(c, v->items[i], "settings.build_env: "
				    "'%s' holds a secret (a token_env names "
				    "it); builds never see one", envs[j]);
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

void
cfg_check_names(struct checker *c, struct config *cfg)
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
				cfg_bad(c, trees->keys[i], "trees: '%s' is a "
				    "reserved name (a page of the site)",
				    reserved[k]);
		for (i = 0; i < cfg->nplatforms; i++)
			if (strcmp(cfg->platforms[i].name, reserved[k]) == 0)
				cfg_bad(c, plats->keys[i], "platforms: '%s' "
				    "is a reserved name (a page of the site)",
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
		cfg_bad(c, ynode_get(trees->items[pre[j].tree], "branches"),
		    "trees.%s branch '%s' and trees.%s branch '%s' would share "
		    "tarball names (%s...); rename one", a->name,
		    a->branches[pre[i].branch], o->name,
		    o->branches[pre[j].branch], pre[i].prefix);
	}
	for (i = 0; i < n; i++)
		free(pre[i].prefix);
	free(pre);
}
