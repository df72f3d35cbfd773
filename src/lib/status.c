/*
 * status.c: counts per stage, as text or JSON (built with jansson).
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "runtime.h"
#include "safe.h"
#include "secret.h"
#include "status.h"
#include "store_status.h"
#include "util.h"

static json_t *
tree_list(const struct config *cfg, struct db *db)
{
	struct status_tree *rows;
	const char **names;
	json_t *arr, *o;
	size_t i;
	int have;

	arr = json_array();
	names = xcalloc(cfg->ntrees + 1, sizeof(*names));
	rows = xcalloc(cfg->ntrees + 1, sizeof(*rows));
	for (i = 0; i < cfg->ntrees; i++)
		names[i] = cfg->trees[i].name;
	have = db != NULL &&
	    store_status_trees(db, names, cfg->ntrees, rows) == 0;
	for (i = 0; i < cfg->ntrees; i++) {
		o = json_object();
		json_object_set_new(o, "name", json_string(cfg->trees[i].name));
		json_object_set_new(o, "url", json_string(cfg->trees[i].url));
		if (have && rows[i].found) {
			if (rows[i].polled)
				json_object_set_new(o, "last_poll",
				    json_integer(rows[i].last_poll));
			if (rows[i].error != NULL)
				json_object_set_new(o, "error",
				    json_string(rows[i].error));
			json_object_set_new(o, "checkouts",
			    json_integer(rows[i].checkouts));
		}
		json_array_append_new(arr, o);
	}
	if (have)
		store_status_trees_free(rows, cfg->ntrees);
	free(rows);
	free(names);
	return arr;
}

/* Set key to s unless it is NULL. */
static void
set_text(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

static json_t *
recent_checkouts(struct db *db)
{
	struct status_checkout *rows;
	const struct checkout_row *c;
	json_t *arr, *o;
	size_t i, n;

	arr = json_array();
	if (db == NULL)
		return arr;
	(void)store_status_recent(db, 10, &rows, &n);
	for (i = 0; i < n; i++) {
		c = &rows[i].c;
		o = json_object();
		json_object_set_new(o, "id", json_integer(c->id));
		set_text(o, "tree", c->tree);
		set_text(o, "branch", c->branch);
		set_text(o, "kind", c->kind);
		set_text(o, "commit", c->commit);
		set_text(o, "describe", c->describe);
		set_text(o, "tarball_state", c->tarball_state);
		set_text(o, "tarball_url", c->tarball_url);
		if (rows[i].has_size)
			json_object_set_new(o, "tarball_size",
			    json_integer(c->tarball_size));
		set_text(o, "tarball_sha256", c->tarball_sha256);
		set_text(o, "tarball_error", c->tarball_error);
		json_array_append_new(arr, o);
	}
	store_status_recent_free(rows, n);
	return arr;
}

static json_t *
build_status(const struct config *cfg, struct db *db)
{
	struct status_counts n;
	json_t *o, *jobs;

	memset(&n, 0, sizeof(n));
	if (db != NULL)
		store_status_counts(db, &n);
	o = json_object();
	json_object_set_new(o, "trees", json_integer((json_int_t)cfg->ntrees));
	json_object_set_new(o, "checkouts", json_integer(n.checkouts));
	json_object_set_new(o, "trees_failing",
	    json_integer(n.trees_failing));
	json_object_set_new(o, "tarballs_pending",
	    json_integer(n.tarballs_pending));
	json_object_set_new(o, "tarballs_done",
	    json_integer(n.tarballs_done));
	json_object_set_new(o, "tarballs_failed",
	    json_integer(n.tarballs_failed));
	jobs = json_object();
	json_object_set_new(jobs, "pending", json_integer(n.jobs_pending));
	json_object_set_new(jobs, "submitted",
	    json_integer(n.jobs_submitted));
	json_object_set_new(jobs, "running", json_integer(n.jobs_running));
	json_object_set_new(jobs, "done", json_integer(n.jobs_done));
	json_object_set_new(o, "jobs", jobs);
	json_object_set_new(o, "builds", json_integer(n.builds));
	json_object_set_new(o, "tests", json_integer(n.tests));
	json_object_set_new(o, "kcidb_pending",
	    json_integer(n.kcidb_pending));
	json_object_set_new(o, "kcidb_files_unsent",
	    json_integer(n.kcidb_files_unsent));
	json_object_set_new(o, "bisections", json_pack("{sIsIsI}",
	    "queued", (json_int_t)n.bisect_queued, "active",
	    (json_int_t)n.bisect_active, "done", (json_int_t)n.bisect_done));
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
	v = json_object_get(s, "bisections");
	fprintf(fp, "bisect    %" JSON_INTEGER_FORMAT " queued, %"
	    JSON_INTEGER_FORMAT " active, %" JSON_INTEGER_FORMAT " done\n",
	    geti(v, "queued"), geti(v, "active"), geti(v, "done"));
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
		const char *url, *sha, *err, *kind, *branch;

		kind = json_string_value(json_object_get(v, "kind"));
		fprintf(fp, "  %" JSON_INTEGER_FORMAT " %s", geti(v, "id"),
		    json_string_value(json_object_get(v, "tree")));
		branch = json_string_value(json_object_get(v, "branch"));
		if (branch != NULL && *branch != '\0') {
			fputc('/', fp);
			put_outside(fp, branch);
		}
		if ((kind = store_checkout_kind_label(kind)) != NULL)
			fprintf(fp, " (%s)", kind);
		fprintf(fp, " %.12s ",
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

int
status_jobs_left(const struct config *cfg, struct db *db,
    struct jobs_left *l)
{
	struct status_lab_jobs *labs, *lab;
	size_t i, n;

	memset(l, 0, sizeof(*l));
	if (store_status_jobs_left(db, (long long)time(NULL), &labs, &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		lab = &labs[i];
		l->pending += lab->pending;
		l->runnable += lab->runnable;
		l->retrying += lab->pending - lab->runnable;
		l->running += lab->running;
		if (!runtime_is_local(cfg, lab->runtime))
			continue;
		l->local += lab->jobs;
		if (lab->next_retry > 0 && (l->next_retry == 0 ||
		    lab->next_retry < l->next_retry))
			l->next_retry = lab->next_retry;
	}
	store_status_jobs_left_free(labs, n);
	return 0;
}

int
status_open_db(const struct config *cfg, struct db **db)
{
	char *path;
	int rc;

	*db = NULL;
	rc = 0;
	path = config_data_path(cfg, "state.db");
	if (fs_exists(path) && (*db = db_open(path, 1)) == NULL)
		rc = -1;
	free(path);
	return rc;
}

int
status_show(const struct config *cfg, int json, FILE *fp)
{
	struct db *db;
	int rc;

	if (status_open_db(cfg, &db) != 0)
		return -1;
	rc = status_print(cfg, db, json, fp);
	db_close(db);
	return rc;
}
