/*
 * store_report.c: the report table and the reported marks
 * (store_report.h).
 */
#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "store_report.h"
#include "util.h"

#define REPORT_COLS \
	"id, kind, key, tree, branch, message_id, subject, recipients, " \
	"message, state, attempts, coalesce(next_try, 0), error, created, " \
	"coalesce(done, 0), retry_rcpts"

void
store_report_release(struct report_row *r)
{
	if (r == NULL)
		return;
	free(r->kind);
	free(r->key);
	free(r->tree);
	free(r->branch);
	free(r->message_id);
	free(r->subject);
	free(r->recipients);
	free(r->retry_rcpts);
	free(r->message);
	free(r->state);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

void
store_report_list_free(struct report_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_report_release(&v[i]);
	free(v);
}

static void
report_from(struct sqlite3_stmt *st, struct report_row *r)
{
	r->id = db_col_int(st, 0);
	r->kind = db_col_dup(st, 1);
	r->key = db_col_dup(st, 2);
	r->tree = db_col_dup(st, 3);
	r->branch = db_col_dup(st, 4);
	r->message_id = db_col_dup(st, 5);
	r->subject = db_col_dup(st, 6);
	r->recipients = db_col_dup(st, 7);
	r->message = db_col_dup_len(st, 8, &r->message_len);
	r->state = db_col_dup(st, 9);
	r->attempts = db_col_int(st, 10);
	r->next_try = db_col_int(st, 11);
	r->error = db_col_dup(st, 12);
	r->created = db_col_int(st, 13);
	r->done = db_col_int(st, 14);
	r->retry_rcpts = db_col_dup(st, 15);
}

int
store_report_unreported_checkouts(struct db *db, long long **ids, size_t *n)
{
	return db_ids(db, "SELECT id FROM checkout WHERE reported = 0 AND "
	    "kind = 'head' ORDER BY id", ids, n);
}

int
store_report_unreported_bisections(struct db *db, long long **ids,
    size_t *n)
{
	return db_ids(db, "SELECT id FROM bisection WHERE reported = 0 AND "
	    "state = 'done' ORDER BY id", ids, n);
}

int
store_report_mark_all(struct db *db, long long *n)
{
	int rc;

	*n = 0;
	if (db_begin(db) != 0)
		return -1;
	rc = db_run(db, "UPDATE checkout SET reported = 1 WHERE reported = 0 "
	    "AND kind = 'head'", "");
	if (rc == 0)
		*n += db_changes(db);
	if (rc == 0)
		rc = db_run(db, "UPDATE bisection SET reported = 1 WHERE "
		    "reported = 0 AND state = 'done'", "");
	if (rc == 0)
		*n += db_changes(db);
	return db_end(db, rc);
}

int
store_report_checkout_done(struct db *db, long long checkout)
{
	return db_run(db, "UPDATE checkout SET reported = 1 WHERE id = ?",
	    "i", checkout);
}

int
store_report_bisection_done(struct db *db, long long bisection)
{
	return db_run(db, "UPDATE bisection SET reported = 1 WHERE id = ?",
	    "i", bisection);
}

int
store_report_add(struct db *db, struct report_row *r)
{
	int rc;

	rc = db_run(db, "INSERT INTO report (kind, key, tree, branch, "
	    "message_id, subject, recipients, message, state, created) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) "
	    "ON CONFLICT (key) DO NOTHING", "tttttttti", r->kind, r->key,
	    r->tree, r->branch, r->message_id, r->subject, r->recipients,
	    r->message, r->created);
	if (rc != 0)
		return -1;
	if (db_changes(db) == 0)
		return 1;
	r->id = db_last_id(db);
	return 0;
}

int
store_report_finish(struct db *db, long long id, const char *state,
    const char *note, long long now)
{
	return db_run(db, "UPDATE report SET state = ?, error = ?, "
	    "next_try = NULL, retry_rcpts = NULL, done = ? WHERE id = ?",
	    "ttii", state, note, now, id);
}

int
store_report_retry(struct db *db, long long id, long long attempts,
    long long next_try, const char *retry_rcpts, const char *err)
{
	return db_run(db, "UPDATE report SET attempts = ?, next_try = ?, "
	    "retry_rcpts = ?, error = ? WHERE id = ?", "iitti", attempts,
	    next_try, retry_rcpts, err, id);
}

int
store_report_fail(struct db *db, long long id, const char *err,
    long long now)
{
	return db_run(db, "UPDATE report SET state = 'failed', attempts = "
	    "attempts + 1, next_try = NULL, error = ?, done = ? WHERE id = ?",
	    "tii", err, now, id);
}

int
store_report_exists(struct db *db, const char *key)
{
	long long v;
	int r;

	r = db_run_int(db, &v, "SELECT 1 FROM report WHERE key = ?", "t",
	    key);
	return r < 0 ? -1 : r == 0;
}

/* The message id of the first row of a thread query, or NULL. */
static int
thread_end(struct db *db, const char *sql, const char *tree,
    const char *branch, char **out)
{
	struct sqlite3_stmt *st;
	int r;

	*out = NULL;
	st = db_prepare(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	r = db_step(db, st);
	if (r == 1)
		*out = db_col_dup(st, 0);
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

int
store_report_thread(struct db *db, const char *tree, const char *branch,
    char **root, char **last)
{
	*root = *last = NULL;
	if (thread_end(db, "SELECT message_id FROM report WHERE tree = ? AND "
	    "branch = ? AND state != 'failed' ORDER BY id LIMIT 1", tree,
	    branch, root) != 0)
		return -1;
	if (thread_end(db, "SELECT message_id FROM report WHERE tree = ? AND "
	    "branch = ? AND state != 'failed' ORDER BY id DESC LIMIT 1", tree,
	    branch, last) != 0) {
		free(*root);
		*root = NULL;
		return -1;
	}
	return 0;
}

int
store_report_due(struct db *db, long long now, struct report_row **out,
    size_t *n)
{
	struct sqlite3_stmt *st;
	size_t alloc;
	int r;

	*out = NULL;
	*n = alloc = 0;
	st = db_prepare(db, "SELECT " REPORT_COLS " FROM report WHERE "
	    "state = 'pending' AND coalesce(next_try, 0) <= ? ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, now);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		memset(&(*out)[*n], 0, sizeof(**out));
		report_from(st, &(*out)[(*n)++]);
	}
	db_finalize(st);
	if (r < 0) {
		store_report_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return error("cannot read the pending reports");
	}
	return 0;
}

int
store_report_waiting(struct db *db, long long now, long long *n)
{
	return db_run_int(db, n, "SELECT count(*) FROM report WHERE state = "
	    "'pending' AND coalesce(next_try, 0) > ?", "i", now) < 0 ? -1 : 0;
}
