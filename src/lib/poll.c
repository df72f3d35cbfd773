/*
 * poll.c: the poll stage, one tree at a time.
 */
#include <sqlite3.h>

#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "poll.h"
#include "repo.h"
#include "util.h"

/* The commit the database last saw at tree/branch, or NULL. */
static char *
known_head(struct db *db, const char *tree, const char *branch)
{
	sqlite3_stmt *st;
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

static int
upsert_tree(struct db *db, const struct tree_cfg *t, const char *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, "INSERT INTO tree (name, url, last_poll, "
	    "last_error) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
	    "SET url = excluded.url, last_poll = excluded.last_poll, "
	    "last_error = excluded.last_error");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, t->name);
	db_bind_text(st, 2, t->url);
	db_bind_int(st, 3, (long long)time(NULL));
	db_bind_text(st, 4, err);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	return rc;
}

/* Record a tree's error for `maestrino status` and the site. */
static void
note_tree_error(struct db *db, const struct tree_cfg *t, const char *err)
{
	if (db_begin(db) == 0) {
		if (upsert_tree(db, t, err) == 0)
			db_commit(db);
		else
			db_rollback(db);
	}
}

static int
insert_checkout(struct db *db, const struct tree_cfg *t, const char *branch,
    const struct commit_info *ci)
{
	sqlite3_stmt *st;
	long long id;
	time_t now;
	int rc;

	now = time(NULL);
	st = NULL;
	if (db_begin(db) != 0)
		return -1;
	if (upsert_tree(db, t, NULL) != 0)
		goto fail;
	st = db_prepare(db, "UPDATE checkout SET is_tip = 0, gen = gen + 1 "
	    "WHERE tree = ? AND branch = ? AND is_tip = 1");
	if (st == NULL)
		goto fail;
	db_bind_text(st, 1, t->name);
	db_bind_text(st, 2, branch);
	if (db_step(db, st) < 0)
		goto fail;
	db_finalize(st);
	st = db_prepare(db, "INSERT INTO checkout (tree, branch, url, "
	    "commit_hash, describe, version, patchlevel, sublevel, "
	    "extraversion, subject, message, author_name, author_email, "
	    "commit_time, tags, is_tip, created) VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)");
	if (st == NULL)
		goto fail;
	db_bind_text(st, 1, t->name);
	db_bind_text(st, 2, branch);
	db_bind_text(st, 3, t->url);
	db_bind_text(st, 4, ci->oid);
	db_bind_text(st, 5, ci->describe);
	if (ci->version >= 0) {
		db_bind_int(st, 6, ci->version);
		db_bind_int(st, 7, ci->patchlevel);
		db_bind_int(st, 8, ci->sublevel);
	}
	db_bind_text(st, 9, ci->extraversion);
	db_bind_text(st, 10, ci->subject);
	db_bind_text(st, 11, ci->message);
	db_bind_text(st, 12, ci->author_name);
	db_bind_text(st, 13, ci->author_email);
	db_bind_int(st, 14, (long long)ci->time);
	db_bind_text(st, 15, ci->tags);
	db_bind_int(st, 16, (long long)now);
	if (db_step(db, st) < 0)
		goto fail;
	db_finalize(st);
	id = db_last_id(db);
	st = db_prepare(db, "INSERT INTO branch_head (tree, branch, "
	    "commit_hash, checkout_id, updated) VALUES (?, ?, ?, ?, ?) "
	    "ON CONFLICT (tree, branch) DO UPDATE SET commit_hash = "
	    "excluded.commit_hash, checkout_id = excluded.checkout_id, "
	    "updated = excluded.updated");
	if (st == NULL)
		goto fail;
	db_bind_text(st, 1, t->name);
	db_bind_text(st, 2, branch);
	db_bind_text(st, 3, ci->oid);
	db_bind_int(st, 4, id);
	db_bind_int(st, 5, (long long)now);
	if (db_step(db, st) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	rc = db_commit(db);
	if (rc == 0)
		info("%s/%s: new checkout %.12s %s \"%s\"", t->name, branch,
		    ci->oid, ci->describe, ci->subject);
	return rc;
fail:
	db_finalize(st);
	db_rollback(db);
	return -1;
}

/*
 * After the tags moved, refresh the tag list of the tree's current heads
 * (a release is usually tagged on the head that was already polled).
 */
static int
refresh_tags(struct db *db, struct git_repository *repo,
    const struct tree_cfg *t)
{
	sqlite3_stmt *sel, *upd;
	char *tags;
	int rc, r;

	rc = -1;
	sel = db_prepare(db, "SELECT id, commit_hash, tags FROM checkout "
	    "WHERE tree = ? AND is_tip = 1");
	upd = db_prepare(db, "UPDATE checkout SET tags = ?, gen = gen + 1 "
	    "WHERE id = ?");
	if (sel == NULL || upd == NULL)
		goto out;
	db_bind_text(sel, 1, t->name);
	if (db_begin(db) != 0)
		goto out;
	while ((r = db_step(db, sel)) == 1) {
		tags = repo_tags_at(repo, db_col_text(sel, 1));
		if (strcmp(tags, db_col_text(sel, 2)) != 0) {
			sqlite3_reset(upd);
			db_bind_text(upd, 1, tags);
			db_bind_int(upd, 2, db_col_int(sel, 0));
			if (db_step(db, upd) < 0)
				r = -1;
			else
				info("%s: checkout %lld is now tagged %s",
				    t->name, db_col_int(sel, 0), tags);
		}
		free(tags);
		if (r < 0)
			break;
	}
	if (r < 0)
		db_rollback(db);
	else
		rc = db_commit(db);
out:
	db_finalize(sel);
	db_finalize(upd);
	return rc;
}

/* True when the mirror lacks a wanted head or differs in a tag. */
static int
mirror_stale(struct git_repository *repo, const struct remote_refs *refs,
    const char *const *heads, size_t n, int *tags_moved)
{
	size_t i;
	int stale;

	stale = 0;
	*tags_moved = 0;
	for (i = 0; i < n; i++)
		if (heads[i] != NULL && !repo_has_object(repo, heads[i]))
			stale = 1;
	for (i = 0; i < refs->n; i++) {
		if (!str_starts(refs->refs[i].name, "refs/tags/"))
			continue;
		if (!repo_ref_is(repo, refs->refs[i].name, refs->refs[i].oid)) {
			*tags_moved = 1;
			stale = 1;
			break;
		}
	}
	return stale;
}

int
poll_tree(const struct config *cfg, struct db *db, const struct tree_cfg *t,
    struct poll_stats *stats)
{
	struct remote_refs refs = { NULL, 0 };
	struct git_repository *repo;
	struct commit_info ci;
	const char **heads, *token;
	char *mirror, *gitdir, *ref, *known, *what;
	size_t i;
	int failed, rc, tags_moved, fresh;

	stats->trees++;
	failed = 0;
	rc = 0;
	repo = NULL;
	what = xasprintf("tree '%s'", t->name);
	gitdir = config_data_path(cfg, "git");
	ref = xasprintf("%s.git", t->name);
	mirror = fs_join(gitdir, ref);
	free(ref);
	heads = xcalloc(t->nbranches + 1, sizeof(*heads));
	token = config_token(t->token_env, what, "trying");

	if (repo_ls_remote(t->url, token, what, &refs) != 0) {
		note_tree_error(db, t, log_last_error());
		failed = 1;
		goto out;
	}
	for (i = 0; i < t->nbranches; i++) {
		ref = xasprintf("refs/heads/%s", t->branches[i]);
		heads[i] = remote_refs_find(&refs, ref);
		free(ref);
		stats->branches++;
		if (heads[i] == NULL) {
			error("%s: branch '%s' not found at '%s'", what,
			    t->branches[i], t->url);
			failed = 1;
		}
	}

	fresh = !fs_is_dir(mirror);
	tags_moved = 0;
	if (!fresh) {
		repo = repo_open(mirror);
		if (repo == NULL) {
			failed = 1;
			goto out;
		}
		if (!mirror_stale(repo, &refs, heads, t->nbranches,
		    &tags_moved))
			goto record;
		repo_close(repo);
		repo = NULL;
	}
	debug("%s: fetching into %s", what, mirror);
	if (repo_mirror_update(mirror, t->url, token, t->branches,
	    t->nbranches, what) != 0) {
		note_tree_error(db, t, log_last_error());
		failed = 1;
		goto out;
	}
	stats->fetched++;
	crashpoint("poll-fetched");
	repo = repo_open(mirror);
	if (repo == NULL) {
		failed = 1;
		goto out;
	}
record:
	for (i = 0; i < t->nbranches; i++) {
		if (heads[i] == NULL)
			continue;
		known = known_head(db, t->name, t->branches[i]);
		if (known != NULL && strcmp(known, heads[i]) == 0) {
			free(known);
			continue;
		}
		free(known);
		if (repo_commit_info(repo, heads[i], &ci) != 0) {
			failed = 1;
			continue;
		}
		if (insert_checkout(db, t, t->branches[i], &ci) != 0)
			rc = -1;
		else
			stats->new_checkouts++;
		commit_info_release(&ci);
		if (rc != 0)
			goto out;
	}
	if (tags_moved && refresh_tags(db, repo, t) != 0)
		rc = -1;
	if (!failed && rc == 0)
		note_tree_error(db, t, NULL);
	else if (failed)
		note_tree_error(db, t, log_last_error());
out:
	if (failed)
		stats->failed++;
	repo_close(repo);
	remote_refs_release(&refs);
	free(heads);
	free(mirror);
	free(gitdir);
	free(what);
	return rc;
}
