/*
 * submit.c: the submit stage.
 */
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "job.h"
#include "lava.h"
#include "lavalab.h"
#include "local.h"
#include "log.h"
#include "proc.h"
#include "runtime.h"
#include "ynode.h"
#include "util.h"

/*
 * A submission that failed: try again after the backoff, or give up and
 * report the job as never run (MISS).
 */
static int
submit_failed(const struct config *cfg, struct db *db, const struct job *j,
    const char *msg)
{
	sqlite3_stmt *st;
	long long delay;
	int rc;

	if (db_begin(db) != 0)
		return -1;
	if (j->attempt <= cfg->retries) {
		delay = (long long)cfg->retry_delay << (j->attempt < 16 ?
		    j->attempt - 1 : 15);
		st = db_prepare(db, "UPDATE job SET state = 'failed-submit', "
		    "attempt = attempt + 1, next_try = ?, error_code = "
		    "'submit', error_msg = ? WHERE id = ?");
		rc = st == NULL ? -1 : 0;
		if (st != NULL) {
			db_bind_int(st, 1, (long long)time(NULL) + delay);
			db_bind_text(st, 2, msg);
			db_bind_text(st, 3, j->id);
			rc = db_step(db, st) < 0 ? -1 : 0;
		}
		db_finalize(st);
	} else {
		rc = job_finish(db, j->id, "incomplete", "submit", msg);
		if (rc == 0 && strcmp(j->kind, "kbuild") == 0)
			rc = collect_build_final(db, j->id, "MISS", "submit",
			    msg);
	}
	if (rc == 0)
		return db_commit(db);
	db_rollback(db);
	return -1;
}

static int
set_state(struct db *db, const char *id, const char *state,
    const char *rid, const char *work)
{
	if (db_begin(db) != 0)
		return -1;
	if (job_set_state(db, id, state, rid, work) != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

/* Run a script of the project's: <bindir>/../scripts/<name>. */
static int
run_script(const char *name, const char *arg, struct buf *out)
{
	char *dir, *path, *argv[3];
	int rc;

	dir = proc_self_dir();
	path = xasprintf("%s/../scripts/%s", dir, name);
	free(dir);
	argv[0] = path;
	argv[1] = (char *)arg;
	argv[2] = NULL;
	rc = proc_capture(argv, NULL, out);
	if (rc != 0)
		error("'%s %s' failed (exit %d)", path, arg, rc);
	free(path);
	return rc == 0 ? 0 : -1;
}

static int
has_kernel_in_boot(void)
{
	return system("ls /boot/vmlinuz-* >/dev/null 2>&1") == 0;
}

/*
 * What a local LAVA job needs before lava-run: the device dictionary in
 * the work directory, the busybox ramdisk in storage, and a kernel for
 * libguestfs when the job has a test shell and /boot has none.  Adds the
 * worker's options to args.
 */
static int
prepare_lava(const struct config *cfg, const struct job *j, const char *work,
    char **args, size_t *n)
{
	const struct platform_cfg *p;
	const struct ynode *acts;
	struct ynode *dev, *def;
	struct buf b = BUF_INIT;
	const char *url;
	char *path, *ramdisk, *env, *store, cwd[PATH_MAX];
	int rc, needs_overlay;
	size_t i;

	p = j->platform ? config_platform(cfg, j->platform) : NULL;
	if (p == NULL)
		return error("job %s: platform '%s' is no longer in the config",
		    j->id, j->platform ? j->platform : "?");
	if (strcmp(p->boot_method, "qemu") != 0)
		return error("job %s: the local lab boots QEMU platforms only, "
		    "not %s (%s)", j->id, p->name, p->boot_method);
	dev = lava_qemu_device(p->arch, 512);
	if (dev == NULL)
		return error("job %s: no QEMU device for arch %s", j->id,
		    p->arch);
	rc = ynode_emit_buf(dev, &b);
	ynode_free(dev);
	path = fs_join(work, "device.yaml");
	if (rc == 0)
		rc = fs_write_atomic(path, b.ptr, b.len, 0);
	buf_release(&b);
	args[(*n)++] = xstrdup("--lava");
	args[(*n)++] = path;
	if (rc != 0)
		return -1;

	/* the shipped busybox ramdisk, made once */
	if (ynode_parse_file(j->definition, &def) != 0)
		return -1;
	needs_overlay = 0;
	ramdisk = NULL;
	acts = ynode_get(def, "actions");
	for (i = 0; acts != NULL && i < acts->n; i++) {
		const struct ynode *a = acts->items[i];

		if (ynode_get(ynode_get(a, "test"), "definitions") != NULL)
			needs_overlay = 1;
		url = ynode_str(ynode_get(ynode_get(ynode_get(a, "deploy"),
		    "images"), "ramdisk"), "url");
		if (url != NULL && str_starts(url, "file://") &&
		    strstr(url, "/rootfs/busybox-") != NULL)
			ramdisk = xstrdup(url + strlen("file://"));
	}
	ynode_free(def);
	if (ramdisk != NULL && !fs_exists(ramdisk)) {
		info("making the busybox ramdisk %s", ramdisk);
		rc = run_script("make-ramdisk.sh", ramdisk, &b);
		buf_release(&b);
	}
	free(ramdisk);
	if (rc != 0)
		return -1;
	if (needs_overlay && !has_kernel_in_boot()) {
		env = config_data_path(cfg, "guestfs");
		rc = run_script("guestfs-kernel.sh", env, &b);
		buf_release(&b);
		path = fs_join(env, "env");
		free(env);
		args[(*n)++] = xstrdup("--env");
		args[(*n)++] = path;
		if (rc != 0)
			return -1;
	}
	store = xasprintf("%s/tests/%s", cfg->storage_path, j->id);
	args[(*n)++] = xstrdup("--store");
	if (store[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
		args[(*n)++] = fs_join(cwd, store);
	else
		args[(*n)++] = xstrdup(store);
	free(store);
	args[(*n)++] = xstrdup("--store-url");
	args[(*n)++] = xasprintf("%stests/%s/", cfg->storage_url, j->id);
	return 0;
}

static int
submit_local(const struct config *cfg, struct db *db, const struct job *j,
    struct submit_stats *stats)
{
	char *work, pid_text[32], *args[12];
	size_t nargs, i;
	pid_t pid;
	int rc;

	work = local_work_dir(cfg, j->id);
	rc = 0;
	nargs = 0;
	memset(args, 0, sizeof(args));
	/* clear first: nothing of an earlier attempt may remain */
	if (local_prepare(work) != 0 || (strcmp(j->kind, "test") == 0 &&
	    prepare_lava(cfg, j, work, args, &nargs) != 0)) {
		rc = submit_failed(cfg, db, j, log_last_error());
		stats->failed++;
		goto out;
	}
	if (set_state(db, j->id, "submitting", NULL, work) != 0) {
		rc = -1;
		goto out;
	}
	crashpoint("submit-submitting");
	pid = local_start(j->id, j->definition, work, args);
	if (pid < 0) {
		rc = submit_failed(cfg, db, j, log_last_error());
		stats->failed++;
		goto out;
	}
	snprintf(pid_text, sizeof(pid_text), "%ld", (long)pid);
	crashpoint("submit-started");
	if (set_state(db, j->id, "submitted", pid_text, work) != 0) {
		rc = -1;
		goto out;
	}
	info("job %s: started worker %s (attempt %lld)", j->id, pid_text,
	    j->attempt);
	stats->submitted++;
out:
	for (i = 0; i < nargs; i++)
		free(args[i]);
	free(work);
	return rc;
}

static int
submit_remote(const struct config *cfg, struct db *db,
    const struct lab_cfg *lab, const struct job *j, struct submit_stats *stats)
{
	enum lab_result r;
	char *id;

	/* recorded before the request, so a crash leaves a trace */
	if (set_state(db, j->id, "submitting", NULL, NULL) != 0)
		return -1;
	crashpoint("submit-remote-before");
	id = NULL;
	if (lab->type == LAB_PULL) {
		r = pull_submit(lab, db, j->definition, j->id, j->attempt);
		if (r == LAB_DONE)
			id = xstrdup(j->id);
	} else {
		r = lava_submit(lab, j->definition, j->id, &id);
	}
	crashpoint("submit-remote-after");
	switch (r) {
	case LAB_DONE:
		if (set_state(db, j->id, "submitted", id, NULL) != 0) {
			free(id);
			return -1;
		}
		info("job %s: submitted to %s as %s", j->id, lab->name, id);
		stats->submitted++;
		break;
	case LAB_WAIT:
		stats->waiting++;
		free(id);
		return set_state(db, j->id, "pending", NULL, NULL);
	case LAB_RETRY:
		/*
		 * The request may have reached the lab: stay 'submitting', so
		 * the next run looks the job up before submitting it again.
		 */
		stats->failed++;
		break;
	case LAB_FAIL:
	case LAB_BAD:
		stats->failed++;
		free(id);
		return submit_failed(cfg, db, j, log_last_error());
	}
	free(id);
	return 0;
}

/*
 * A job left 'submitting' on a remote lab: the POST may have reached it.
 * Look the job up by its unique name and adopt it; submit it again only
 * when the lab says it has no such job.
 */
static int
reconcile_remote(struct db *db, const struct lab_cfg *lab,
    const struct job *j, struct submit_stats *stats)
{
	enum lab_result r;
	char *id, *path;

	id = NULL;
	if (lab->type == LAB_PULL) {
		path = xasprintf("%s/%s.yaml", lab->path, j->id);
		r = fs_exists(path) ? LAB_DONE : LAB_WAIT;
		free(path);
		if (r == LAB_DONE)
			id = xstrdup(j->id);
	} else {
		r = lava_lookup(lab, j->definition, &id);
	}
	switch (r) {
	case LAB_DONE:
		warning("job %s: found it on lab %s as %s; adopting it", j->id,
		    lab->name, id);
		stats->adopted++;
		r = set_state(db, j->id, "submitted", id, NULL) == 0 ?
		    LAB_DONE : LAB_FAIL;
		break;
	case LAB_WAIT:
		warning("job %s: lab %s does not have it; submitting it again",
		    j->id, lab->name);
		r = set_state(db, j->id, "pending", NULL, NULL) == 0 ?
		    LAB_DONE : LAB_FAIL;
		break;
	default:
		/* cannot tell now: ask again next run, never resubmit blindly */
		stats->failed++;
		r = LAB_DONE;
		break;
	}
	free(id);
	return r == LAB_DONE ? 0 : -1;
}

/*
 * Jobs left in 'submitting' by a killed run: adopt the worker if it
 * started, else make the job pending again.  Never start a second one.
 */
static int
reconcile(const struct config *cfg, struct db *db, struct submit_stats *stats)
{
	static const char *const states[] = { "submitting", NULL };
	const struct lab_cfg *lab;
	struct job *list;
	size_t n, i;
	char pid[32], *work;
	time_t started;
	pid_t wpid;
	enum local_state ls;
	int rc;

	if (job_list(db, states, 0, &list, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		lab = config_lab(cfg, list[i].runtime);
		if (lab == NULL)
			continue;
		if (lab->type != LAB_LOCAL) {
			rc = reconcile_remote(db, lab, &list[i], stats);
			continue;
		}
		work = list[i].work_dir ? xstrdup(list[i].work_dir) :
		    local_work_dir(cfg, list[i].id);
		started = 0;
		wpid = 0;
		ls = local_check(work, &wpid, &started);
		if (ls == LOCAL_LOST) {
			rc = set_state(db, list[i].id, "pending", NULL, NULL);
			warning("job %s: its submission was interrupted before "
			    "the worker started; submitting it again",
			    list[i].id);
		} else {
			snprintf(pid, sizeof(pid), "%ld", (long)wpid);
			rc = set_state(db, list[i].id, "submitted", pid, work);
			stats->adopted++;
			warning("job %s: adopted the worker a killed run "
			    "started", list[i].id);
		}
		free(work);
	}
	job_list_free(list, n);
	return rc;
}

int
submit_stage(const struct config *cfg, struct db *db,
    struct submit_stats *stats)
{
	static const char *const states[] = { "pending", "failed-submit",
	    NULL };
	const struct lab_cfg *lab;
	struct job *list;
	size_t n, i;
	int rc;

	if (reconcile(cfg, db, stats) != 0)
		return -1;
	if (job_list(db, states, 1, &list, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		lab = config_lab(cfg, list[i].runtime);
		if (lab == NULL) {
			error("job %s: lab '%s' is no longer in the config",
			    list[i].id, list[i].runtime);
			stats->failed++;
			continue;
		}
		switch (lab->type) {
		case LAB_LOCAL:
			if (job_busy(db, lab->name) >= lab->jobs) {
				stats->waiting++;
				continue;
			}
			rc = submit_local(cfg, db, &list[i], stats);
			break;
		case LAB_LAVA:
		case LAB_PULL:
			if (strcmp(list[i].kind, "test") != 0) {
				error("job %s: lab '%s' runs test jobs, not "
				    "builds", list[i].id, lab->name);
				stats->failed++;
				break;
			}
			rc = submit_remote(cfg, db, lab, &list[i], stats);
			break;
		}
	}
	job_list_free(list, n);
	return rc;
}
