/*
 * status.c: counts per stage, as text or JSON (built with jansson).
 */
#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "safe.h"
#include "secret.h"
#include "status.h"
#include "util.h"

static json_int_t
count(struct db *db, const char *sql)
{
	return db != NULL ? (json_int_t)db_int(db, sql, 0) : 0;
}

static json_t *
tree_list(const struct config *cfg, struct db *db)
{
	sqlite3_stmt *st;
	json_t *arr, *o;
	size_t i;

	arr = json_array();
	st = db ? db_prepare(db, "SELECT last_poll, last_error, "
	    "(SELECT COUNT(*) FROM checkout c WHERE c.tree = t.name) "
	    "FROM tree t WHERE name = ?") : NULL;
	for (i = 0; i < cfg->ntrees; i++) {
		o = json_object();
		json_object_set_new(o, "name", json_string(cfg->trees[i].name));
		json_object_set_new(o, "url", json_string(cfg->trees[i].url));
		if (st != NULL) {
			sqlite3_reset(st);
			db_bind_text(st, 1, cfg->trees[i].name);
			if (db_step(db, st) == 1) {
				if (!db_col_is_null(st, 0))
					json_object_set_new(o, "last_poll",
					    json_integer(db_col_int(st, 0)));
				if (!db_col_is_null(st, 1))
					json_object_set_new(o, "error",
					    json_string(db_col_text(st, 1)));
				json_object_set_new(o, "checkouts",
				    json_integer(db_col_int(st, 2)));
			}
		}
		json_array_append_new(arr, o);
	}
	db_finalize(st);
	return arr;
}

static json_t *
recent_checkouts(struct db *db)
{
	static const char *keys[] = {
		"tree", "branch", "commit", "describe", "tarball_state",
		"tarball_url", "tarball_size", "tarball_sha256", "tarball_error"
	};
	sqlite3_stmt *st;
	json_t *arr, *o;
	size_t i;

	arr = json_array();
	if (db == NULL)
		return arr;
	st = db_prepare(db, "SELECT tree, branch, commit_hash, describe, "
	    "tarball_state, tarball_url, tarball_size, tarball_sha256, "
	    "tarball_error, id FROM checkout ORDER BY id DESC LIMIT 10");
	while (st != NULL && db_step(db, st) == 1) {
		o = json_object();
		json_object_set_new(o, "id", json_integer(db_col_int(st, 9)));
		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			if (db_col_is_null(st, (int)i))
				continue;
			if (strcmp(keys[i], "tarball_size") == 0)
				json_object_set_new(o, keys[i],
				    json_integer(db_col_int(st, (int)i)));
			else
				json_object_set_new(o, keys[i],
				    json_string(db_col_text(st, (int)i)));
		}
		json_array_append_new(arr, o);
	}
	db_finalize(st);
	return arr;
}

static json_t *
build_status(const struct config *cfg, struct db *db)
{
	json_t *o, *jobs;

	o = json_object();
	json_object_set_new(o, "trees", json_integer((json_int_t)cfg->ntrees));
	json_object_set_new(o, "checkouts",
	    json_integer(count(db, "SELECT COUNT(*) FROM checkout")));
	json_object_set_new(o, "trees_failing", json_integer(count(db,
	    "SELECT COUNT(*) FROM tree WHERE last_error IS NOT NULL")));
	json_object_set_new(o, "tarballs_pending", json_integer(count(db,
	    "SELECT COUNT(*) FROM checkout WHERE tarball_state = 'pending'")));
	json_object_set_new(o, "tarballs_done", json_integer(count(db,
	    "SELECT COUNT(*) FROM checkout WHERE tarball_state = 'done'")));
	json_object_set_new(o, "tarballs_failed", json_integer(count(db,
	    "SELECT COUNT(*) FROM checkout WHERE tarball_state = 'failed'")));
	jobs = json_object();
	json_object_set_new(jobs, "pending", json_integer(count(db,
	    "SELECT COUNT(*) FROM job WHERE state IN ('pending', "
	    "'failed-submit')")));
	json_object_set_new(jobs, "submitted", json_integer(count(db,
	    "SELECT COUNT(*) FROM job WHERE state IN ('submitting', "
	    "'submitted')")));
	json_object_set_new(jobs, "running", json_integer(count(db,
	    "SELECT COUNT(*) FROM job WHERE state = 'running'")));
	json_object_set_new(jobs, "done", json_integer(count(db,
	    "SELECT COUNT(*) FROM job WHERE state = 'done'")));
	json_object_set_new(o, "jobs", jobs);
	json_object_set_new(o, "builds",
	    json_integer(count(db, "SELECT COUNT(*) FROM build")));
	json_object_set_new(o, "tests",
	    json_integer(count(db, "SELECT COUNT(*) FROM test")));
	json_object_set_new(o, "kcidb_pending", json_integer(count(db,
	    "SELECT (SELECT COUNT(*) FROM checkout WHERE gen > exported_gen)"
	    " + (SELECT COUNT(*) FROM build WHERE gen > exported_gen)"
	    " + (SELECT COUNT(*) FROM test WHERE gen > exported_gen)")));
	json_object_set_new(o, "kcidb_files_unsent", json_integer(count(db,
	    "SELECT COUNT(*) FROM kcidb_file WHERE state != 'processed'")));
	json_object_set_new(o, "tree_list", tree_list(cfg, db));
	json_object_set_new(o, "recent_checkouts", recent_checkouts(db));
	return o;
}

static json_int_t
geti(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Outside text on a terminal: secrets masked, controls shown. */
static void
put_outside(FILE *fp, const char *s)
{
	struct buf b = BUF_INIT;
	char *m;

	if (s == NULL)
		s = "?";
	m = secret_mask(s);
	safe_visible(&b, m);
	fputs(b.ptr, fp);
	buf_release(&b);
	free(m);
}

static void
print_text(json_t *s, FILE *fp)
{
	json_t *jobs, *v;
	size_t i;

	jobs = json_object_get(s, "jobs");
	fprintf(fp, "poll      %" JSON_INTEGER_FORMAT " trees, %"
	    JSON_INTEGER_FORMAT " failing, %" JSON_INTEGER_FORMAT
	    " checkouts known\n", geti(s, "trees"), geti(s, "trees_failing"),
	    geti(s, "checkouts"));
	fprintf(fp, "tarball   %" JSON_INTEGER_FORMAT " pending, %"
	    JSON_INTEGER_FORMAT " done, %" JSON_INTEGER_FORMAT " failed\n",
	    geti(s, "tarballs_pending"), geti(s, "tarballs_done"),
	    geti(s, "tarballs_failed"));
	fprintf(fp, "jobs      %" JSON_INTEGER_FORMAT " pending, %"
	    JSON_INTEGER_FORMAT " submitted, %" JSON_INTEGER_FORMAT
	    " running, %" JSON_INTEGER_FORMAT " done\n",
	    geti(jobs, "pending"), geti(jobs, "submitted"),
	    geti(jobs, "running"), geti(jobs, "done"));
	fprintf(fp, "results   %" JSON_INTEGER_FORMAT " builds, %"
	    JSON_INTEGER_FORMAT " tests\n", geti(s, "builds"),
	    geti(s, "tests"));
	fprintf(fp, "kcidb     %" JSON_INTEGER_FORMAT " objects to export, %"
	    JSON_INTEGER_FORMAT " files not yet processed by KCIDB\n",
	    geti(s, "kcidb_pending"), geti(s, "kcidb_files_unsent"));
	json_array_foreach(json_object_get(s, "tree_list"), i, v) {
		json_t *e = json_object_get(v, "error");

		if (e != NULL) {
			fprintf(fp, "tree %s: ",
			    json_string_value(json_object_get(v, "name")));
			put_outside(fp, json_string_value(e));
			fputc('\n', fp);
		}
	}
	if (json_array_size(json_object_get(s, "recent_checkouts")) > 0)
		fprintf(fp, "\nrecent checkouts:\n");
	json_array_foreach(json_object_get(s, "recent_checkouts"), i, v) {
		const char *url, *sha, *err;

		fprintf(fp, "  %" JSON_INTEGER_FORMAT " %s/%s %.12s ",
		    geti(v, "id"),
		    json_string_value(json_object_get(v, "tree")),
		    json_string_value(json_object_get(v, "branch")),
		    json_string_value(json_object_get(v, "commit")));
		put_outside(fp, json_string_value(json_object_get(v,
		    "describe")));
		fprintf(fp, "  tarball %s",
		    json_string_value(json_object_get(v, "tarball_state")));
		url = json_string_value(json_object_get(v, "tarball_url"));
		sha = json_string_value(json_object_get(v, "tarball_sha256"));
		err = json_string_value(json_object_get(v, "tarball_error"));
		if (url != NULL)
			fprintf(fp, "\n      %s\n      %" JSON_INTEGER_FORMAT
			    " bytes, sha256 %s", url,
			    geti(v, "tarball_size"), sha ? sha : "?");
		if (err != NULL) {
			fputs("\n      error: ", fp);
			put_outside(fp, err);
		}
		fputc('\n', fp);
	}
}

int
status_print(const struct config *cfg, struct db *db, int as_json, FILE *fp)
{
	json_t *s;
	char *text;

	s = build_status(cfg, db);
	if (as_json) {
		text = json_dumps(s, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (text == NULL) {
			json_decref(s);
			return error("cannot encode status");
		}
		fprintf(fp, "%s\n", text);
		free(text);
	} else {
		print_text(s, fp);
	}
	json_decref(s);
	return ferror(fp) ? -1 : 0;
}

/* Is name a lab of type local? */
static int
is_local_lab(const struct config *cfg, const char *name)
{
	const struct lab_cfg *l;

	l = name ? config_lab(cfg, name) : NULL;
	return l != NULL && l->type == LAB_LOCAL;
}

int
status_jobs_left(const struct config *cfg, struct db *db,
    struct jobs_left *l)
{
	sqlite3_stmt *q;
	long long now, next;
	const char *state;
	int local, r;

	memset(l, 0, sizeof(*l));
	now = (long long)time(NULL);
	q = db_prepare(db, "SELECT state, runtime, coalesce(next_try, 0) "
	    "FROM job WHERE state != 'done'");
	if (q == NULL)
		return -1;
	while ((r = db_step(db, q)) == 1) {
		state = db_col_text(q, 0);
		next = db_col_int(q, 2);
		local = is_local_lab(cfg, db_col_text(q, 1));
		if (strcmp(state, "pending") == 0 ||
		    strcmp(state, "failed-submit") == 0) {
			l->pending++;
			if (next <= now)
				l->runnable++;
			else
				l->retrying++;
			if (next > now && local && (l->next_retry == 0 ||
			    next < l->next_retry))
				l->next_retry = next;
		} else {
			l->running++;
		}
		if (local)
			l->local++;
	}
	db_finalize(q);
	return r < 0 ? -1 : 0;
}
