/*
 * runtime_local.c: the local lab: each job a detached worker on this
 * machine (local.h), a build with the kbuild worker or a test with
 * lava-run; its result.json becomes build rows here, its LAVA log test
 * rows through collect_lava().
 */
#include <jansson.h>
#include <math.h>

#include "buf.h"
#include "collect.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "job.h"
#include "kbuild.h"
#include "lava.h"
#include "local.h"
#include "log.h"
#include "proc.h"
#include "runtime.h"
#include "secret.h"
#include "store_build.h"
#include "userland.h"
#include "ynode.h"
#include "util.h"

/* A worker's result.json, and the longest string kept from it. */
#define RESULT_MAX	((size_t)1 << 20)
#define FIELD_MAX	65536
/* A LAVA log of the local lab. */
#define LOG_MAX		((size_t)64 << 20)

/* ---- submit ---- */

static int
has_kernel_in_boot(void)
{
	return system("ls /boot/vmlinuz-* >/dev/null 2>&1") == 0;
}

/*
 * What the ramdisk of a job's deploy asks for: a userland of ours in
 * storage (its kind and arch, caller frees; NULL when none), whether
 * LAVA puts its test overlay into it, and whether it appends more
 * (kselftest) than that.
 */
static void
job_ramdisk(const struct config *cfg, const struct ynode *def,
    char **rootfs, char **arch, int *overlaid, int *more)
{
	const struct ynode *acts, *rd, *ov;
	size_t i;

	acts = ynode_get(def, "actions");
	for (i = 0; acts != NULL && i < acts->n; i++) {
		rd = ynode_get(ynode_get(ynode_get(acts->items[i], "deploy"),
		    "images"), "ramdisk");
		ov = ynode_get(rd, "overlays");
		if (ynode_get(ov, "lava") != NULL)
			*overlaid = 1;
		if (ov != NULL && ov->n > (ynode_get(ov, "lava") ? 1u : 0u))
			*more = 1;
		if (*rootfs == NULL && str_starts(cfg->storage_url, "file://"))
			userland_of_url(cfg, ynode_str(rd, "url"), rootfs,
			    arch);
	}
}

/*
 * What a local LAVA job needs before lava-run: the device dictionary in
 * the work directory (more memory for a Debian userland or kselftest),
 * the job's ramdisk in storage (the jobs stage makes it; this is the
 * fallback for a file removed since), and a kernel for libguestfs when
 * the job has a test shell on a disk of its own and /boot has none.
 * Adds the worker's options to args.
 */
static int
prepare_lava(const struct config *cfg, const struct job_row *j,
    const char *work, char **args, size_t *n, struct buf *err)
{
	const struct platform_cfg *p;
	const struct ynode *acts;
	struct ynode *dev, *def;
	struct buf b = BUF_INIT;
	char *path, *rootfs, *arch, *env, *store;
	const char *eargs[2];
	int rc, needs_overlay, overlaid, more;
	size_t i;

	p = j->platform ? config_platform(cfg, j->platform) : NULL;
	if (p == NULL)
		return error_to(err, "job %s: platform '%s' is no longer "
		    "in the config",
		    j->id, j->platform ? j->platform : "?");
	if (strcmp(p->boot_method, "qemu") != 0)
		return error_to(err, "job %s: the local lab boots QEMU "
		    "platforms only, not %s (%s)", j->id, p->name,
		    p->boot_method);
	log_catch(err);
	rc = ynode_parse_file(j->definition, &def);
	log_uncatch(err, "cannot read the job");
	if (rc != 0)
		return -1;
	needs_overlay = overlaid = more = 0;
	acts = ynode_get(def, "actions");
	for (i = 0; acts != NULL && i < acts->n; i++)
		if (ynode_get(ynode_get(acts->items[i], "test"),
		    "definitions") != NULL)
			needs_overlay = 1;
	rootfs = arch = NULL;
	job_ramdisk(cfg, def, &rootfs, &arch, &overlaid, &more);
	ynode_free(def);
	/* a Debian userland or kselftest unpacked in RAM needs more */
	dev = lava_qemu_device(p->arch, more || (rootfs != NULL &&
	    strcmp(rootfs, "debian") == 0) ? 1024 : 512);
	if (dev == NULL) {
		free(rootfs);
		free(arch);
		return error_to(err, "job %s: no QEMU device for arch %s",
		    j->id, p->arch);
	}
	rc = ynode_emit_buf(dev, &b);
	ynode_free(dev);
	path = fs_join(work, "device.yaml");
	log_catch(err);
	if (rc == 0)
		rc = fs_write_atomic(path, b.ptr, b.len, 0);
	log_uncatch(err, "cannot write the device");
	buf_release(&b);
	args[(*n)++] = xstrdup("--lava");
	args[(*n)++] = path;
	/* made by the jobs stage; again if it was removed since */
	if (rc == 0 && rootfs != NULL)
		rc = userland_make(cfg, rootfs, arch, err);
	free(rootfs);
	free(arch);
	if (rc != 0)
		return -1;
	if (needs_overlay && !overlaid && !has_kernel_in_boot()) {
		env = config_data_path(cfg, "guestfs");
		eargs[0] = env;
		eargs[1] = NULL;
		rc = proc_run_script("guestfs-kernel.sh", eargs, err);
		path = fs_join(env, "env");
		free(env);
		args[(*n)++] = xstrdup("--env");
		args[(*n)++] = path;
		if (rc != 0)
			return -1;
	}
	store = xasprintf("%s/tests/%s", cfg->storage_path, j->id);
	args[(*n)++] = xstrdup("--store");
	args[(*n)++] = fs_absolute(store);
	free(store);
	args[(*n)++] = xstrdup("--store-url");
	args[(*n)++] = xasprintf("%stests/%s/", cfg->storage_url, j->id);
	return 0;
}

/*
 * Clear the work directory (nothing of an earlier attempt may remain)
 * and, for a test, make ready what lava-run needs.
 */
static int
local_prep(const struct runtime *rt, struct job_row *j,
    struct runtime_handover *h, struct buf *err)
{
	int rc;

	h->work = local_work_dir(rt->cfg, j->id);
	log_catch(err);
	rc = local_prepare(h->work);
	log_uncatch(err, "cannot make the work directory");
	if (rc != 0)
		return -1;
	if (strcmp(j->kind, "test") == 0)
		return prepare_lava(rt->cfg, j, h->work, h->args, &h->nargs,
		    err);
	return 0;
}

static enum lab_result
local_submit(const struct runtime *rt, struct job_row *j,
    const struct runtime_handover *h, char **lab_id, struct buf *err)
{
	char *args[RUNTIME_ARGS_MAX + 1];
	pid_t pid;

	(void)rt;
	crashpoint("submit-submitting");
	memcpy(args, h->args, h->nargs * sizeof(args[0]));
	args[h->nargs] = NULL;
	pid = local_start(j->id, j->definition, h->work, args, err);
	if (pid < 0)
		return LAB_FAIL;
	*lab_id = xasprintf("%ld", (long)pid);
	crashpoint("submit-started");
	info("job %s: started worker %s (attempt %lld)", j->id, *lab_id,
	    j->attempt);
	return LAB_DONE;
}

/*
 * A job a killed run left submitting: adopt its worker if it started,
 * else submit it again.  Never start a second one.
 */
static enum lab_result
local_lookup(const struct runtime *rt, struct job_row *j, char **lab_id,
    char **work)
{
	enum local_state ls;
	time_t started;
	pid_t wpid;

	*work = j->work_dir ? xstrdup(j->work_dir) :
	    local_work_dir(rt->cfg, j->id);
	started = 0;
	wpid = 0;
	ls = local_check(*work, &wpid, &started);
	if (ls == LOCAL_LOST) {
		warning("job %s: its submission was interrupted before the "
		    "worker started; submitting it again", j->id);
		return LAB_WAIT;
	}
	*lab_id = xasprintf("%ld", (long)wpid);
	warning("job %s: adopted the worker a killed run started", j->id);
	return LAB_DONE;
}

/* ---- collect ---- */

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
		clean = collect_outside(json_string_value(v), FIELD_MAX, 0);
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
		key = collect_outside(k, 256, 0);
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
stored_artifacts(const struct config *cfg, const struct job_row *j,
    const char *arch)
{
	static const char *const build_files[][2] = {
		{ "kernel", NULL }, { "modules", "modules.tar.xz" },
		{ "config", "config" }, { "System.map", "System.map" },
		{ "log", "build.log" }, { "metadata", "metadata.json" },
		{ "dtbs", "dtbs/" }, { "kselftest", "kselftest.tar.gz" },
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
clean_result(const struct config *cfg, const struct job_row *j, json_t *res)
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

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
update_build(struct db *db, const struct job_row *j, json_t *res,
    const char *status, const char *excerpt)
{
	struct build_row b;
	json_t *misc, *arts;
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
	json_object_set(misc, "ccache", json_object_get(res, "ccache"));
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
	memset(&b, 0, sizeof(b));
	b.job_id = j->id;
	b.status = (char *)status;
	b.start_time = (long long)json_integer_value(json_object_get(res,
	    "start_time"));
	b.duration = json_number_value(json_object_get(res, "duration"));
	b.has_duration = 1;
	b.compiler_version = (char *)jstr(res, "compiler");
	b.config_url = (char *)jstr(arts, "config");
	b.log_url = (char *)jstr(arts, "log");
	b.log_excerpt = (char *)excerpt;
	b.artifacts = arts_text;
	b.misc = misc_text;
	rc = store_build_record(db, &b);
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

/*
 * An attempt that did not finish: retry it, or make it final (ERROR),
 * at once when another attempt would not help.
 */
static int
incomplete(const struct runtime *rt, struct job_row *j, json_t *res,
    const char *code, const char *msg, const char *excerpt,
    struct collect_stats *stats)
{
	const struct config *cfg = rt->cfg;
	struct db *db = rt->db;
	int r;

	if (db_begin(db) != 0)
		return -1;
	r = job_retry(cfg, db, j, code, msg);
	if (r == 0) {
		r = job_finish(db, j, "incomplete", code, msg);
		if (strcmp(j->kind, "test") == 0) {
			if (r == 0)
				r = collect_boot_error(rt, j, code, msg,
				    excerpt);
		} else {
			if (r == 0 && res != NULL)
				r = update_build(db, j, res, "ERROR", excerpt);
			if (r == 0)
				r = store_build_final(db, j->id, "ERROR",
				    code, msg);
		}
		if (r == 0) {
			error("job %s: incomplete after %lld attempt%s%s: "
			    "%s: %s", j->id, j->attempt, j->attempt == 1 ?
			    "" : "s", job_retry_helps(code) ? "" : " (not retried)",
			    code, msg);
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

/*
 * The end of a log of the work directory, fit to store: its last
 * EXCERPT_MAX code points, as KCIDB takes them.  NULL if none.
 */
static char *
read_excerpt(const char *work, const char *name)
{
	char *raw, *clean;

	raw = local_read(work, name, COLLECT_EXCERPT_READ, 1);
	clean = collect_excerpt(raw);
	free(raw);
	return clean;
}

static int
collect_kbuild(const struct runtime *rt, struct job_row *j, const char *work,
    struct collect_stats *stats)
{
	const struct config *cfg = rt->cfg;
	struct db *db = rt->db;
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
		rc = incomplete(rt, j, NULL, "result", "result.json is "
		    "unreadable", excerpt, stats);
		goto out;
	}
	result = jstr(res, "status");
	if (strcmp(result, "incomplete") == 0) {
		rc = incomplete(rt, j, res, jstr(res, "error_code") ?
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
	if (job_finish(db, j, strcmp(result, "pass") == 0 ? "pass" :
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

static int
collect_local_test(const struct runtime *rt, struct job_row *j,
    const char *work, struct collect_stats *stats)
{
	const struct config *cfg = rt->cfg;
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
	rc = collect_lava(rt, j, &o, &li, stats);
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
local_collect(const struct runtime *rt, struct job_row *j,
    struct collect_stats *stats)
{
	const struct config *cfg = rt->cfg;
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
			rc = collect_local_test(rt, j, work, stats);
		else
			rc = collect_kbuild(rt, j, work, stats);
		break;
	case LOCAL_RUNNING:
		/* the worker enforces its timeout; this is the backstop */
		if (j->timeout > 0 && started > 0 &&
		    time(NULL) > started + j->timeout + 120) {
			local_kill(pid);
			snprintf(msg, sizeof(msg), "killed after its timeout "
			    "of %llds", j->timeout);
			excerpt = read_excerpt(work, "build.log");
			rc = incomplete(rt, j, NULL, "timeout", msg, excerpt,
			    stats);
			free(excerpt);
			if (rc == 0)
				cleanup(cfg, work);
			break;
		}
		stats->running++;
		if (j->state == JOB_SUBMITTED)
			rc = job_running(rt->db, j);
		break;
	case LOCAL_LOST:
		/* whatever the dead worker started goes too */
		if (ours)
			local_kill(pid);
		excerpt = read_excerpt(work, "build.log");
		rc = incomplete(rt, j, NULL, "worker_lost", "the worker "
		    "died without writing a result", excerpt, stats);
		free(excerpt);
		if (rc == 0)
			cleanup(cfg, work);
		break;
	}
	free(work);
	return rc;
}

/*
 * Stop the worker and everything it started (its session), wait for it
 * to go, and clear its work directory.
 */
static enum lab_result
local_cancel(const struct runtime *rt, struct job_row *j, struct buf *err)
{
	struct timespec ts = { 0, 50 * 1000000L };
	enum local_state ls;
	time_t started;
	pid_t pid;
	long v;
	char *work;
	int i, ours;

	work = j->work_dir ? xstrdup(j->work_dir) : local_work_dir(rt->cfg,
	    j->id);
	pid = 0;
	if (j->runtime_job_id != NULL &&
	    parse_long(j->runtime_job_id, 0, INT_MAX, &v) == 0)
		pid = (pid_t)v;
	ours = pid > 0;
	started = (time_t)j->started;
	ls = local_check(work, &pid, &started);
	if (ls == LOCAL_RUNNING || (ls == LOCAL_LOST && ours))
		local_kill(pid);
	for (i = 0; ls == LOCAL_RUNNING && i < 100 &&
	    proc_alive(pid, "maestrino-worker"); i++)
		nanosleep(&ts, NULL);
	if (ls == LOCAL_RUNNING && proc_alive(pid, "maestrino-worker")) {
		error_to(err, "job %s: worker %ld is still alive after "
		    "SIGKILL", j->id, (long)pid);
		free(work);
		return LAB_RETRY;
	}
	if (ls == LOCAL_RUNNING)
		debug("job %s: stopped worker %ld", j->id, (long)pid);
	cleanup(rt->cfg, work);
	free(work);
	return LAB_DONE;
}

/* ---- for runtimes whose workers keep the same work directory ---- */

int
local_collect_build(const struct runtime *rt, struct job_row *j,
    const char *work, struct collect_stats *stats)
{
	return collect_kbuild(rt, j, work, stats);
}

int
local_incomplete(const struct runtime *rt, struct job_row *j,
    const char *work, const char *code, const char *msg,
    struct collect_stats *stats)
{
	char *excerpt;
	int rc;

	excerpt = read_excerpt(work, "build.log");
	rc = incomplete(rt, j, NULL, code, msg, excerpt, stats);
	free(excerpt);
	if (rc == 0)
		cleanup(rt->cfg, work);
	return rc;
}

const struct runtime_ops runtime_local = {
	.type = "local",
	.builds = 1,
	.local = 1,
	.prepare = local_prep,
	.submit = local_submit,
	.lookup = local_lookup,
	.collect = local_collect,
	.cancel = local_cancel,
};
