/*
 * store_checkout.c: checkouts, trees and branch heads.
 */
#include <sqlite3.h>

#include "db.h"
#include "store_checkout.h"
#include "util.h"

/* Every column, in the order row_from() reads them. */
void
store_checkout_from(struct sqlite3_stmt *st, struct checkout_row *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_col_int(st, 0);
	c->tree = db_col_dup(st, 1);
	c->branch = db_col_dup(st, 2);
	c->url = db_col_dup(st, 3);
	c->commit = db_col_dup(st, 4);
	c->describe = db_col_dup(st, 5);
	c->version = (int)db_col_int(st, 6);
	c->patchlevel = (int)db_col_int(st, 7);
	c->sublevel = (int)db_col_int(st, 8);
	c->extraversion = db_col_dup(st, 9);
	c->subject = db_col_dup_len(st, 10, &c->subject_len);
	c->message = db_col_dup_len(st, 11, &c->message_len);
	c->author_name = db_col_dup(st, 12);
	c->author_email = db_col_dup(st, 13);
	c->commit_time = db_col_int(st, 14);
	c->tags = db_col_dup(st, 15);
	c->is_tip = (int)db_col_int(st, 16);
	c->created = db_col_int(st, 17);
	c->tarball_state = db_col_dup(st, 18);
	c->tarball_path = db_col_dup(st, 19);
	c->tarball_url = db_col_dup(st, 20);
	c->tarball_size = db_col_int(st, 21);
	c->tarball_sha256 = db_col_dup(st, 22);
	c->tarball_error = db_col_dup(st, 23);
	c->tarball_attempts = db_col_int(st, 24);
	c->tarball_next = db_col_int(st, 25);
	c->tarball_mtime = db_col_int(st, 26);
	c->jobs_made = (int)db_col_int(st, 27);
	c->gen = db_col_int(st, 28);
	c->exported_gen = db_col_int(st, 29);
	c->site_gen = db_col_int(st, 30);
	c->kind = db_col_dup(st, 31);
	c->ref = db_col_dup(st, 32);
	c->patchset_hash = db_col_dup(st, 33);
	c->patches = db_col_dup(st, 34);
	c->source_commit = db_col_dup(st, 35);
	c->only_builds = db_col_dup(st, 36);
	c->only_tests = db_col_dup(st, 37);
	c->only_platforms = db_col_dup(st, 38);
	c->test_repeat = (int)db_col_int(st, 39);
}

void
store_checkout_release(struct checkout_row *c)
{
	free(c->tree);
	free(c->branch);
	free(c->url);
	free(c->commit);
	free(c->describe);
	free(c->extraversion);
	free(c->subject);
	free(c->message);
	free(c->author_name);
	free(c->author_email);
	free(c->tags);
	free(c->tarball_state);
	free(c->tarball_path);
	free(c->tarball_url);
	free(c->tarball_sha256);
	free(c->tarball_error);
	free(c->kind);
	free(c->ref);
	free(c->patchset_hash);
	free(c->patches);
	free(c->source_commit);
	free(c->only_builds);
	free(c->only_tests);
	free(c->only_platforms);
	memset(c, 0, sizeof(*c));
}

void
store_checkout_list_free(struct checkout_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		store_checkout_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
store_checkout_get(struct db *db, long long id, struct checkout_row *out)
{
	static const char sql[] = "SELECT " STORE_CHECKOUT_COLUMNS("checkout")
	    " FROM checkout WHERE id = ?";
	struct sqlite3_stmt *st;
	int r;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		store_checkout_from(st, out);
	db_done(st);
	return r == 1 ? 0 : r == 0 ? 1 : -1;
}

int
store_tree_note(struct db *db, const char *name, const char *url,
    long long now, const char *err)
{
	return db_run(db, "INSERT INTO tree (name, url, last_poll, "
	    "last_error) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
	    "SET url = excluded.url, last_poll = excluded.last_poll, "
	    "last_error = excluded.last_error", "ttit", name, url, now, err);
}

int
store_tree_ensure(struct db *db, const char *name, const char *url)
{
	return db_run(db, "INSERT INTO tree (name, url) VALUES (?, ?) "
	    "ON CONFLICT (name) DO NOTHING", "tt", name, url);
}

char *
store_branch_head(struct db *db, const char *tree, const char *branch)
{
	struct sqlite3_stmt *st;
	char *v;

	v = NULL;
	st = db_prepare(db, "SELECT commit_hash FROM branch_head "
	    "WHERE tree = ? AND branch = ?");
	if (st == NULL)
		return NULL;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	if (db_step(db, st) == 1)
		v = db_col_dup(st, 0);
	db_finalize(st);
	return v;
}

int
store_checkout_add(struct db *db, const struct checkout_row *c,
    long long *id)
{
	if (db_run(db, "UPDATE checkout SET is_tip = 0, gen = gen + 1 "
	    "WHERE tree = ? AND branch = ? AND is_tip = 1", "tt", c->tree,
	    c->branch) != 0)
		return -1;
	/* the version is all unknown (NULL) or all known */
	if (db_run(db, "INSERT INTO checkout (tree, branch, url, "
	    "commit_hash, describe, version, patchlevel, sublevel, "
	    "extraversion, subject, message, author_name, author_email, "
	    "commit_time, tags, is_tip, created) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "CASE WHEN ?6 >= 0 THEN ?6 END, CASE WHEN ?6 >= 0 THEN ?7 END, "
	    "CASE WHEN ?6 >= 0 THEN ?8 END, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "1, ?16)", "tttttiiitttttiti", c->tree, c->branch, c->url,
	    c->commit, c->describe, (long long)c->version,
	    (long long)c->patchlevel, (long long)c->sublevel, c->extraversion,
	    c->subject, c->message, c->author_name, c->author_email,
	    c->commit_time, c->tags, c->created) != 0)
		return -1;
	*id = db_last_id(db);
	return db_run(db, "INSERT INTO branch_head (tree, branch, "
	    "commit_hash, checkout_id, updated) VALUES (?, ?, ?, ?, ?) "
	    "ON CONFLICT (tree, branch) DO UPDATE SET commit_hash = "
	    "excluded.commit_hash, checkout_id = excluded.checkout_id, "
	    "updated = excluded.updated", "tttii", c->tree, c->branch,
	    c->commit, *id, c->created);
}

int
store_checkout_add_ondemand(struct db *db, const struct checkout_row *c,
    long long *id)
{
	if (db_run(db, "INSERT INTO checkout (tree, branch, url, "
	    "commit_hash, describe, version, patchlevel, sublevel, "
	    "extraversion, subject, message, author_name, author_email, "
	    "commit_time, tags, is_tip, created, kind, ref, patchset_hash, "
	    "patches, source_commit, only_builds, only_tests, "
	    "only_platforms) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "CASE WHEN ?6 >= 0 THEN ?6 END, CASE WHEN ?6 >= 0 THEN ?7 END, "
	    "CASE WHEN ?6 >= 0 THEN ?8 END, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "0, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
	    "tttttiiitttttititttttttt", c->tree, c->branch, c->url,
	    c->commit, c->describe, (long long)c->version,
	    (long long)c->patchlevel, (long long)c->sublevel, c->extraversion,
	    c->subject, c->message, c->author_name, c->author_email,
	    c->commit_time, c->tags, c->created, c->kind, c->ref,
	    c->patchset_hash, c->patches, c->source_commit, c->only_builds,
	    c->only_tests, c->only_platforms) != 0)
		return -1;
	*id = db_last_id(db);
	return 0;
}

/* Rows of a query selecting STORE_CHECKOUT_COLUMNS first, into out. */
static int
load_list(struct db *db, struct sqlite3_stmt *st, struct checkout_list *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&out->v, &out->alloc, out->n + 1,
		    sizeof(*out->v));
		store_checkout_from(st, &out->v[out->n++]);
	}
	db_finalize(st);
	if (r < 0) {
		store_checkout_list_free(out);
		return -1;
	}
	return 0;
}

int
store_checkout_tips(struct db *db, const char *tree,
    struct checkout_list *out)
{
	struct sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	st = db_prepare(db, "SELECT " STORE_CHECKOUT_COLUMNS("checkout")
	    " FROM checkout WHERE tree = ? AND is_tip = 1");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	return load_list(db, st, out);
}

int
store_checkout_set_tags(struct db *db, long long id, const char *tags)
{
	return db_run(db, "UPDATE checkout SET tags = ?, gen = gen + 1 "
	    "WHERE id = ?", "ti", tags, id);
}

int
store_checkout_tarball_todo(struct db *db, long long now, int verify,
    int local, struct checkout_list *out)
{
	struct sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	st = db_prepare(db, "SELECT " STORE_CHECKOUT_COLUMNS("c")
	    " FROM checkout c WHERE tarball_state = 'pending' OR "
	    "(tarball_state = 'failed' AND tarball_next IS NOT NULL AND "
	    "tarball_next <= ?1) OR (tarball_state = 'done' AND (?2 OR (?3 "
	    "AND (jobs_made = 0 OR EXISTS (SELECT 1 FROM job j WHERE "
	    "j.checkout_id = c.id AND j.kind = 'kbuild' AND "
	    "j.state != 'done'))))) ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, verify);
	db_bind_int(st, 3, local);
	return load_list(db, st, out);
}

int
store_checkout_tarball_taken(struct db *db, const char *path,
    const char *commit)
{
	long long n;

	n = 0;
	if (db_run_int(db, &n, "SELECT count(*) FROM checkout WHERE "
	    "tarball_path = ?1 AND commit_hash != ?2", "tt", path,
	    commit) != 0)
		return 0;
	return n > 0;
}

int
store_checkout_tarball_done(struct db *db, long long id, const char *path,
    const char *url, long long size, const char *sha256, long long mtime)
{
	return db_run(db, "UPDATE checkout SET tarball_state = 'done', "
	    "tarball_path = ?1, tarball_url = ?2, tarball_size = ?3, "
	    "tarball_sha256 = ?4, tarball_mtime = ?5, tarball_error = NULL, "
	    "tarball_next = NULL, gen = gen + 1 WHERE id = ?6", "ttitii",
	    path, url, size, sha256, mtime, id);
}

int
store_checkout_tarball_failed(struct db *db, long long id, const char *err,
    long long next, int attempt)
{
	return db_run(db, attempt ? "UPDATE checkout SET tarball_state = "
	    "'failed', tarball_error = ?1, tarball_next = ?2, "
	    "tarball_attempts = tarball_attempts + 1, gen = gen + 1 WHERE "
	    "id = ?3" : "UPDATE checkout SET tarball_state = 'failed', "
	    "tarball_error = ?1, tarball_next = ?2, gen = gen + 1 WHERE "
	    "id = ?3", "tii", err, next, id);
}

const char *
store_checkout_kind_label(const char *kind)
{
	if (kind == NULL || strcmp(kind, "head") == 0)
		return NULL;
	return strcmp(kind, "ondemand") == 0 ? "on demand" :
	    strcmp(kind, "bisect") == 0 ? "bisection step" : kind;
}
