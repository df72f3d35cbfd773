/*
 * jobs.c: making job definitions and job rows.
 */
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "jobs.h"
#include "kbuild.h"
#include "log.h"
#include "ynode.h"
#include "util.h"

struct co_row {
	long long	 id;
	char		*tree;
	char		*branch;
	char		*commit;
	char		*describe;
	char		*url;
	char		*sha256;
	int		 v, p, s;
};

char *
jobs_kbuild_id(long long checkout_id, const char *build)
{
	return xasprintf("b%lld-%s", checkout_id, build);
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
insert_kbuild(struct db *db, const struct config *cfg, const char *id,
    const struct build_cfg *b, const struct co_row *co, const char *defpath,
    int *made)
{
	sqlite3_stmt *st;
	char *kconfig;
	int rc;

	*made = 0;
	st = db_prepare(db, "INSERT OR IGNORE INTO job (id, kind, checkout_id, "
	    "config_name, runtime, definition, created, timeout) "
	    "VALUES (?, 'kbuild', ?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_int(st, 2, co->id);
	db_bind_text(st, 3, b->name);
	db_bind_text(st, 4, b->runtime);
	db_bind_text(st, 5, defpath);
	db_bind_int(st, 6, (long long)time(NULL));
	db_bind_int(st, 7, (long long)b->timeout);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	if (rc != 0 || db_changes(db) == 0)
		return rc;
	*made = 1;
	kconfig = kbuild_kconfig_name(b);
	st = db_prepare(db, "INSERT INTO build (checkout_id, job_id, "
	    "config_name, arch, compiler, kconfig, misc) VALUES (?, ?, ?, ?, "
	    "?, ?, json_object('runtime', ?, 'build', ?))");
	if (st != NULL) {
		db_bind_int(st, 1, co->id);
		db_bind_text(st, 2, id);
		db_bind_text(st, 3, b->name);
		db_bind_text(st, 4, b->arch);
		db_bind_text(st, 5, b->compiler);
		db_bind_text(st, 6, kconfig);
		db_bind_text(st, 7, b->runtime);
		db_bind_text(st, 8, b->name);
		rc = db_step(db, st) < 0 ? -1 : 0;
	} else {
		rc = -1;
	}
	db_finalize(st);
	free(kconfig);
	(void)cfg;
	return rc;
}

static int
checkout_jobs(const struct config *cfg, struct db *db, const struct co_row *co,
    struct jobs_stats *stats)
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
	kc.tarball_url = co->url;
	kc.tarball_sha256 = co->sha256;
	ok = 1;
	/* the files first: a kill leaves a file without a row, never the
	 * other way round */
	for (i = 0; i < n; i++) {
		const struct build_cfg *b = &cfg->builds[i];

		if (!config_rules_match(&b->rules, co->tree, co->branch, co->v,
		    co->p, co->s, NULL))
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
		rc = insert_kbuild(db, cfg, ids[i], &cfg->builds[i], co,
		    paths[i], &made);
		if (made) {
			stats->builds++;
			info("%s/%s %s: job %s", co->tree, co->branch,
			    co->describe, ids[i]);
		}
	}
	if (rc == 0) {
		sqlite3_stmt *st;

		st = db_prepare(db, "UPDATE checkout SET jobs_made = 1 "
		    "WHERE id = ?");
		if (st == NULL)
			rc = -1;
		else {
			db_bind_int(st, 1, co->id);
			rc = db_step(db, st) < 0 ? -1 : 0;
		}
		db_finalize(st);
	}
	if (rc == 0)
		rc = db_commit(db);
	else
		db_rollback(db);
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

int
jobs_stage(const struct config *cfg, struct db *db, long long only,
    struct jobs_stats *stats)
{
	struct co_row *rows, *r;
	sqlite3_stmt *st;
	size_t n, alloc, i;
	int rc, step;

	st = db_prepare(db, "SELECT id, tree, branch, commit_hash, describe, "
	    "tarball_url, tarball_sha256, coalesce(version, -1), "
	    "coalesce(patchlevel, -1), coalesce(sublevel, -1) FROM checkout "
	    "WHERE tarball_state = 'done' AND (jobs_made = 0 OR id = ?) "
	    "ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, only);
	rows = NULL;
	n = alloc = 0;
	while ((step = db_step(db, st)) == 1) {
		if (only > 0 && db_col_int(st, 0) != only)
			continue;
		xgrow((void **)&rows, &alloc, n + 1, sizeof(*rows));
		r = &rows[n++];
		r->id = db_col_int(st, 0);
		r->tree = db_col_dup(st, 1);
		r->branch = db_col_dup(st, 2);
		r->commit = db_col_dup(st, 3);
		r->describe = db_col_dup(st, 4);
		r->url = db_col_dup(st, 5);
		r->sha256 = db_col_dup(st, 6);
		r->v = (int)db_col_int(st, 7);
		r->p = (int)db_col_int(st, 8);
		r->s = (int)db_col_int(st, 9);
	}
	db_finalize(st);
	rc = step < 0 ? -1 : 0;
	for (i = 0; i < n && rc == 0; i++)
		rc = checkout_jobs(cfg, db, &rows[i], stats);
	for (i = 0; i < n; i++) {
		r = &rows[i];
		free(r->tree);
		free(r->branch);
		free(r->commit);
		free(r->describe);
		free(r->url);
		free(r->sha256);
	}
	free(rows);
	return rc;
}
