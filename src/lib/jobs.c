/*
 * jobs.c: making job definitions and job rows.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "jobs.h"
#include "kbuild.h"
#include "lava.h"
#include "log.h"
#include "proc.h"
#include "storage.h"
#include "store_plan.h"
#include "strset.h"
#include "template.h"
#include "userland.h"
#include "ynode.h"
#include "util.h"

char *
jobs_kbuild_id(long long checkout_id, const char *build)
{
	return xasprintf("b%lld-%s", checkout_id, build);
}

char *
jobs_test_id(long long build_id, const char *test, const char *platform)
{
	/* '.' is in no config name: test and platform cannot run together */
	return xasprintf("t%lld-%s.%s", build_id, test, platform);
}

/*
 * A checkout made on demand or by bisection may restrict the matrix to
 * named entries (a JSON array; NULL: no restriction).  1 when name is
 * named, 0 when not, -1 when there is no restriction.
 */
static int
named_in(const char *list, const char *name)
{
	json_error_t e;
	json_t *a, *v;
	size_t i;
	int found;

	if (list == NULL)
		return -1;
	a = json_loads(list, 0, &e);
	found = 0;
	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v),
		    name) == 0)
			found = 1;
	json_decref(a);
	return found;
}

/*
 * Rules r, but without its tree and branch filters when the entry was
 * named (named is 1): whoever asked for it by name wants it run.
 */
static struct rules
rules_for(const struct rules *r, int named)
{
	struct rules x = *r;

	if (named == 1)
		x.trees = x.branches = NULL;
	return x;
}

static int
write_definition(const char *path, const struct ynode *def, const char *id)
{
	struct buf b = BUF_INIT;
	int rc;

	rc = ynode_emit_buf(def, &b);
	if (rc == 0 && fs_write_if_changed(path, b.ptr, b.len) < 0)
		rc = -1;
	if (rc != 0)
		error("job %s: cannot write its definition '%s'", id, path);
	buf_release(&b);
	return rc;
}

/* Insert the job and its build row unless the job exists. */
static int
insert_kbuild(struct db *db, const char *id, const struct build_cfg *b,
    const struct checkout_row *co, const char *defpath, int *made)
{
	struct plan_job j;
	char *kconfig;
	int rc;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.checkout_id = co->id;
	j.config_name = b->name;
	j.runtime = b->runtime;
	j.definition = defpath;
	j.timeout = (long long)b->timeout;
	kconfig = kbuild_kconfig_name(b);
	rc = store_plan_add_kbuild(db, &j, b->arch, b->compiler, kconfig,
	    made);
	free(kconfig);
	return rc;
}

static int
checkout_jobs(const struct config *cfg, struct db *db,
    const struct checkout_row *co, struct jobs_stats *stats)
{
	struct kbuild_checkout kc;
	struct ynode **defs;
	char **ids, **paths, *dir;
	size_t i, n;
	int rc, made, ok;

	n = cfg->nbuilds;
	defs = xcalloc(n + 1, sizeof(*defs));
	ids = xcalloc(n + 1, sizeof(*ids));
	paths = xcalloc(n + 1, sizeof(*paths));
	dir = config_data_path(cfg, "jobs");
	kc.id = co->id;
	kc.tree = co->tree;
	kc.branch = co->branch;
	kc.commit = co->commit;
	kc.describe = co->describe;
	kc.tarball_url = co->tarball_url;
	kc.tarball_sha256 = co->tarball_sha256;
	kc.kind = co->kind;
	ok = 1;
	/* the files first: a kill leaves a file without a row, never the
	 * other way round */
	for (i = 0; i < n; i++) {
		const struct build_cfg *b = &cfg->builds[i];
		int named = named_in(co->only_builds, b->name);
		struct rules r = rules_for(&b->rules, named);

		if (named == 0 || !config_rules_match(&r, co->tree,
		    co->branch, co->version, co->patchlevel, co->sublevel,
		    NULL))
			continue;
		ids[i] = jobs_kbuild_id(co->id, b->name);
		defs[i] = kbuild_definition(cfg, ids[i], b, &kc);
		if (defs[i] == NULL) {
			ok = 0;
			continue;
		}
		paths[i] = xasprintf("%s/%s.yaml", dir, ids[i]);
		if (fs_mkdir_p(dir) != 0 ||
		    write_definition(paths[i], defs[i], ids[i]) != 0)
			ok = 0;
	}
	crashpoint("jobs-written");
	rc = 0;
	if (!ok) {
		stats->failed++;
		goto out;
	}
	if (db_begin(db) != 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (paths[i] == NULL)
			continue;
		rc = insert_kbuild(db, ids[i], &cfg->builds[i], co, paths[i],
		    &made);
		if (made) {
			stats->builds++;
			info("%s/%s %s: job %s", co->tree, co->branch,
			    co->describe, ids[i]);
		}
	}
	if (rc == 0)
		rc = store_plan_checkout_done(db, co->id);
	rc = db_end(db, rc);
	stats->checkouts++;
out:
	for (i = 0; i < n; i++) {
		ynode_free(defs[i]);
		free(ids[i]);
		free(paths[i]);
	}
	free(defs);
	free(ids);
	free(paths);
	free(dir);
	return rc;
}

static void
set_int(struct ynode *m, const char *k, long long v)
{
	ynode_set(m, k, ynode_int(v));
}

static const char *
kernel_type(const char *arch)
{
	return strcmp(arch, "arm") == 0 ? "zimage" : "image";
}

/* The serial console: QEMU virt's 16550 on riscv, a PL011 on arm. */
static const char *
console_of(const char *arch)
{
	return strcmp(arch, "arm64") == 0 || strcmp(arch, "arm") == 0 ?
	    "ttyAMA0" : "ttyS0";
}

/* Copy a free-form params mapping over the built-in values. */
static void
merge_params(struct ynode *params, const struct ynode *extra)
{
	size_t i;

	for (i = 0; extra != NULL && i < extra->n; i++)
		ynode_set(params, extra->keys[i]->value,
		    ynode_copy(extra->items[i]));
}

/*
 * The placeholders of a test job (docs/templates.md lists them); the
 * platform's params, then the test's, override the built-in values.
 */
static struct ynode *
test_params(const struct config *cfg, const char *instance,
    const struct plan_build *pb, const struct test_cfg *t,
    const struct platform_cfg *p, const struct lab_cfg *lab, const char *id,
    char **rootfs)
{
	const struct checkout_row *co = &pb->co;
	const struct build_row *b = &pb->b;
	struct ynode *m;
	json_t *arts;
	json_error_t jerr;
	const char *kernel, *modules, *dtbs, *kselftest, *name;
	char *s;
	long pr;
	int minutes;

	arts = b->artifacts ? json_loads(b->artifacts, 0, &jerr) : NULL;
	kernel = json_string_value(json_object_get(arts, "kernel"));
	modules = json_string_value(json_object_get(arts, "modules"));
	dtbs = json_string_value(json_object_get(arts, "dtbs"));
	kselftest = json_string_value(json_object_get(arts, "kselftest"));
	m = ynode_map();
	ynode_set_str(m, "job_id", id);
	s = xasprintf("%s %s@%s: %s/%s %s %s on %s", cfg->origin, id, instance,
	    co->tree, co->branch, co->describe, t->name, p->name);
	if (strlen(s) > 200)
		s[200] = '\0';
	ynode_set_str(m, "job_name", s);
	free(s);
	if (parse_long(lab->priority, 0, 100, &pr) == 0)
		set_int(m, "priority", pr);
	else
		ynode_set_str(m, "priority", lab->priority);
	ynode_set_str(m, "device_type", p->device_type);
	ynode_set_str(m, "arch", p->arch);
	ynode_set_str(m, "lava_arch", lava_arch(p->arch));
	if (p->context != NULL)
		ynode_set(m, "context", ynode_copy(p->context));
	if (kernel != NULL) {
		ynode_set_str(m, "kernel_url", kernel);
		ynode_set_str(m, "boot_image_url", kernel);
	}
	ynode_set_str(m, "kernel_type", kernel_type(p->arch));
	if (modules != NULL)
		ynode_set_str(m, "modules_url", modules);
	if (dtbs != NULL && p->dtb != NULL) {
		s = xasprintf("%s%s", dtbs, p->dtb);
		ynode_set_str(m, "dtb_url", s);
		free(s);
	}
	minutes = (t->timeout + 59) / 60;
	set_int(m, "job_timeout", minutes + 5);
	set_int(m, "action_timeout", minutes < 5 ? 5 : minutes);
	set_int(m, "boot_timeout", 5);
	set_int(m, "test_timeout", minutes);
	set_int(m, "connection_timeout", 2);
	ynode_set_str(m, "boot_prompt", "lava-guest:~# ");
	ynode_set_str(m, "console", console_of(p->arch));
	ynode_set_str(m, "kernel_args", "");
	ynode_set_str(m, "origin", cfg->origin);
	ynode_set_str(m, "tree", co->tree);
	ynode_set_str(m, "branch", co->branch);
	ynode_set_str(m, "describe", co->describe);
	ynode_set_str(m, "commit", co->commit);
	if (pb->kernel_release != NULL)
		ynode_set_str(m, "kernel_release", pb->kernel_release);
	ynode_set_str(m, "build", b->config_name);
	ynode_set_str(m, "platform", p->name);
	ynode_set_str(m, "test", t->name);
	if (p->mach != NULL)
		ynode_set_str(m, "mach", p->mach);
	merge_params(m, p->params);
	merge_params(m, t->params);
	/* the userland: a file of ours in storage unless one is named */
	*rootfs = NULL;
	name = ynode_str(m, "rootfs");
	if (name == NULL) {
		name = "busybox";
		ynode_set_str(m, "rootfs", name);
	}
	if (ynode_get(m, "ramdisk_url") == NULL) {
		*rootfs = xstrdup(name);
		s = userland_url(cfg, name, p->arch);
		ynode_set_str(m, "ramdisk_url", s);
		free(s);
	}
	/* kselftest travels in the ramdisk: LAVA appends it (qemu.yaml) */
	if (kselftest != NULL && ynode_get(m, "collections") != NULL &&
	    ynode_get(m, "kselftest_url") == NULL)
		ynode_set_str(m, "kselftest_url", kselftest);
	/*
	 * LAVA appends its test overlay to a ramdisk of this form instead
	 * of making a disk image with libguestfs at every job start (20 to
	 * 70 s under TCG); a platform or test with a ramdisk of another
	 * form says so in its params
	 */
	if (ynode_get(m, "ramdisk_format") == NULL)
		ynode_set_str(m, "ramdisk_format", "cpio.newc");
	if (ynode_get(m, "ramdisk_compression") == NULL)
		ynode_set_str(m, "ramdisk_compression", "gz");
	json_decref(arts);
	return m;
}

static int
insert_test_job(struct db *db, const char *id, const struct build_row *b,
    const struct test_cfg *t, const struct platform_cfg *p,
    const char *defpath, int *made)
{
	struct plan_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.checkout_id = b->checkout_id;
	j.build_id = b->id;
	j.config_name = t->name;
	j.platform = p->name;
	j.runtime = t->lab;
	j.definition = defpath;
	/* the job's own timeout, its boot and a margin */
	j.timeout = (long long)t->timeout + 600;
	return store_plan_add_test(db, &j, made);
}

/* What the test jobs of one run share. */
struct tests_ctx {
	const struct config	*cfg;
	struct db		*db;
	struct templates	*tpl;
	const char		*instance;
	struct jobs_stats	*stats;
	struct strset		 made;		/* userland files there */
	struct strset		 failed;	/* ... that could not be made */
};

/* One test job to insert: its id, definition file, test and platform. */
struct test_todo {
	char			*id;
	char			*path;
	const struct test_cfg	*t;
	const struct platform_cfg *p;
};

/* True when some scalar of n is s. */
static int
has_scalar(const struct ynode *n, const char *s)
{
	size_t i;

	if (n->type == YNODE_SCALAR)
		return n->value != NULL && strcmp(n->value, s) == 0;
	for (i = 0; i < n->n; i++)
		if (has_scalar(n->items[i], s))
			return 1;
	return 0;
}

/*
 * The userland a job names (def holds url) in storage, made at most once
 * per run: a file made or refused before is not looked at again.
 */
static int
ensure_rootfs(struct tests_ctx *x, const char *rootfs, const char *arch,
    const struct ynode *def, const char *url, const char *id)
{
	struct buf err = BUF_INIT;
	enum storage_up up;
	char *key;
	int rc;

	key = xasprintf("%s-%s", rootfs, arch);
	rc = 0;
	if (strset_has(&x->failed, key)) {
		error("job %s: not made: its ramdisk rootfs/%s.cpio.gz could "
		    "not be made (see above)", id, key);
		rc = -1;
	} else if (!strset_has(&x->made, key) && has_scalar(def, url)) {
		/* (fastboot names no ramdisk) */
		rc = userland_make(x->cfg, rootfs, arch, &err);
		/* a lab fetches it from storage.url: there before the job */
		if (rc == 0 && (up = storage_upload_url(x->cfg, x->db, url,
		    id, &err)) != STORAGE_SENT && up != STORAGE_KEPT)
			rc = -1;
		if (rc != 0) {
			error("job %s: not made: no ramdisk rootfs/%s.cpio.gz",
			    id, key);
			strset_add(&x->failed, key);
		} else {
			strset_add(&x->made, key);
		}
	}
	free(key);
	buf_release(&err);
	return rc;
}

/* Render and write the definition of one test job; 0, or -1. */
static int
make_test_job(struct tests_ctx *x, const struct plan_build *pb,
    const struct lab_cfg *lab, struct test_todo *td, const char *dir)
{
	struct ynode *params, *def;
	char *rootfs;
	int rc;

	params = test_params(x->cfg, x->instance, pb, td->t, td->p, lab,
	    td->id, &rootfs);
	def = templates_render(x->tpl, td->t->template, td->p->boot_method,
	    params);
	rc = def != NULL ? 0 : -1;
	/* our ramdisk before a job that names it */
	if (rc == 0 && rootfs != NULL)
		rc = ensure_rootfs(x, rootfs, td->p->arch, def,
		    ynode_str(params, "ramdisk_url"), td->id);
	ynode_free(params);
	if (rc == 0 && (fs_mkdir_p(dir) != 0 ||
	    write_definition(td->path, def, td->id) != 0))
		rc = -1;
	if (rc != 0)
		error("job %s: cannot make it (test %s on %s); it is tried "
		    "again on the next run", td->id, td->t->name, td->p->name);
	free(rootfs);
	ynode_free(def);
	return rc;
}

/*
 * Make the job of test t on platform p, the k-th time it runs (a
 * bisection step may run a test several times), and add it to *todo:
 * 0, or -1 when it could not be made (counted, and said).
 */
static int
add_todo(struct tests_ctx *x, const struct plan_build *pb,
    const struct lab_cfg *lab, const struct test_cfg *t,
    const struct platform_cfg *p, int k, const char *dir,
    struct test_todo **todo, size_t *n, size_t *alloc)
{
	struct test_todo *td;
	char *id;

	xgrow((void **)todo, alloc, *n + 1, sizeof(**todo));
	td = &(*todo)[*n];
	td->t = t;
	td->p = p;
	td->id = jobs_test_id(pb->b.id, t->name, p->name);
	if (k > 1) {
		/* '.' is in no config name: still one job per id */
		id = xasprintf("%s.%d", td->id, k);
		free(td->id);
		td->id = id;
	}
	td->path = xasprintf("%s/%s.yaml", dir, td->id);
	if (make_test_job(x, pb, lab, td, dir) != 0) {
		x->stats->failed++;
		free(td->id);
		free(td->path);
		return -1;
	}
	(*n)++;
	return 0;
}

/*
 * The test jobs of a build.  A job that cannot be made is left out and
 * the build is not marked done, so it is tried again next run; the
 * others are made all the same.
 */
static int
build_tests(struct tests_ctx *x, const struct plan_build *pb)
{
	const struct config *cfg = x->cfg;
	const struct checkout_row *co = &pb->co;
	const struct build_row *b = &pb->b;
	struct test_todo *todo;
	char *dir, **pl;
	size_t n, alloc, i, j;
	int rc, failed, made = 0, k, repeat;

	repeat = co->test_repeat > 1 ? co->test_repeat : 1;
	todo = NULL;
	n = alloc = 0;
	failed = 0;
	dir = config_data_path(cfg, "jobs");
	for (i = 0; i < cfg->ntests; i++) {
		const struct test_cfg *t = &cfg->tests[i];
		const struct lab_cfg *lab = config_lab(cfg, t->lab);
		int named = named_in(co->only_tests, t->name);
		struct rules r = rules_for(&t->rules, named);

		/* no builds named: every build */
		if (named == 0 || (t->builds != NULL &&
		    !str_in_list(t->builds, b->config_name)) ||
		    !config_rules_match(&r, co->tree, co->branch,
		    co->version, co->patchlevel, co->sublevel, b->arch) ||
		    lab == NULL)
			continue;
		for (pl = t->platforms; pl && *pl; pl++) {
			const struct platform_cfg *p;

			p = config_platform(cfg, *pl);
			if (p == NULL || strcmp(p->arch, b->arch) != 0 ||
			    named_in(co->only_platforms, p->name) == 0)
				continue;
			for (k = 1; k <= repeat; k++)
				if (add_todo(x, pb, lab, t, p, k, dir, &todo,
				    &n, &alloc) != 0)
					failed = 1;
		}
	}
	rc = 0;
	if (n == 0 && failed)
		goto out;
	if (db_begin(x->db) != 0) {
		rc = -1;
		goto out;
	}
	for (j = 0; j < n && rc == 0; j++) {
		rc = insert_test_job(x->db, todo[j].id, b, todo[j].t, todo[j].p,
		    todo[j].path, &made);
		if (made) {
			x->stats->tests++;
			info("%s/%s %s: job %s", co->tree, co->branch,
			    co->describe, todo[j].id);
		}
	}
	if (rc == 0 && !failed)
		rc = store_plan_build_done(x->db, b->id);
	rc = db_end(x->db, rc);
out:
	for (j = 0; j < n; j++) {
		free(todo[j].id);
		free(todo[j].path);
	}
	free(todo);
	free(dir);
	return rc;
}

static int
tests_stage(const struct config *cfg, struct db *db, struct jobs_stats *stats)
{
	struct tests_ctx x;
	struct plan_build *rows;
	char *instance;
	size_t n, i;
	int rc;

	if (cfg->ntests == 0)
		return 0;
	memset(&x, 0, sizeof(x));
	rc = store_plan_builds(db, &rows, &n);
	instance = db_instance(db);
	x.cfg = cfg;
	x.db = db;
	x.instance = instance;
	x.stats = stats;
	x.tpl = templates_open(config_template_dirs(cfg));
	for (i = 0; i < n && rc == 0; i++)
		rc = build_tests(&x, &rows[i]);
	templates_close(x.tpl);
	strset_release(&x.made);
	strset_release(&x.failed);
	free(instance);
	store_plan_builds_free(rows, n);
	return rc;
}

int
jobs_stage(const struct config *cfg, struct db *db, long long only,
    struct jobs_stats *stats)
{
	struct checkout_list cos;
	size_t i;
	int rc;
	char *dir;

	/* half-written definitions a killed run left (we hold the lock) */
	dir = config_data_path(cfg, "jobs");
	fs_clean_tmp(dir);
	free(dir);
	rc = store_plan_checkouts(db, only, &cos);
	for (i = 0; i < cos.n && rc == 0; i++)
		rc = checkout_jobs(cfg, db, &cos.v[i], stats);
	if (rc == 0)
		rc = tests_stage(cfg, db, stats);
	store_checkout_list_free(&cos);
	return rc;
}
