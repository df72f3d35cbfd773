/*
 * poll.c: the poll stage, one tree at a time.
 */
#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "poll.h"
#include "repo.h"
#include "store_checkout.h"
#include "util.h"

/* The message a failure left in err, or NULL. */
static const char *
err_text(const struct buf *err)
{
	return err->len > 0 ? err->ptr : NULL;
}

/* Record a tree's error (NULL: none) for `maestrino status` and the site. */
static void
note_tree_error(struct db *db, const struct tree_cfg *t, const char *err)
{
	if (db_begin(db) == 0)
		db_end(db, store_tree_note(db, t->name, t->url,
		    (long long)time(NULL), err));
}

static int
insert_checkout(struct db *db, const struct tree_cfg *t, const char *branch,
    const struct commit_info *ci)
{
	struct checkout_row c;
	long long id;
	time_t now;

	now = time(NULL);
	/* borrowed strings: the row is not released */
	memset(&c, 0, sizeof(c));
	c.tree = t->name;
	c.branch = (char *)branch;
	c.url = t->url;
	c.commit = (char *)ci->oid;
	c.describe = ci->describe;
	c.version = ci->version;
	c.patchlevel = ci->patchlevel;
	c.sublevel = ci->sublevel;
	c.extraversion = ci->extraversion;
	c.subject = ci->subject;
	c.message = ci->message;
	c.author_name = ci->author_name;
	c.author_email = ci->author_email;
	c.commit_time = (long long)ci->time;
	c.tags = ci->tags;
	c.created = (long long)now;
	if (db_begin(db) != 0)
		return -1;
	if (store_tree_note(db, t->name, t->url, (long long)now, NULL) != 0 ||
	    store_checkout_add(db, &c, &id) != 0) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db) != 0)
		return -1;
	info("%s/%s: new checkout %.12s %s \"%s\"", t->name, branch,
	    ci->oid, ci->describe, ci->subject);
	return 0;
}

/*
 * After the tags moved, refresh the tag list of the tree's current heads
 * (a release is usually tagged on the head that was already polled).
 */
static int
refresh_tags(struct db *db, struct git_repository *repo,
    const struct tree_cfg *t)
{
	struct checkout_list tips;
	struct checkout_row *c;
	char *tags;
	size_t i;
	int rc;

	if (db_begin(db) != 0)
		return -1;
	if (store_checkout_tips(db, t->name, &tips) != 0) {
		db_rollback(db);
		return -1;
	}
	rc = 0;
	for (i = 0; i < tips.n && rc == 0; i++) {
		c = &tips.v[i];
		tags = repo_tags_at(repo, c->commit);
		if (strcmp(tags, c->tags) != 0) {
			if (store_checkout_set_tags(db, c->id, tags) != 0)
				rc = -1;
			else
				info("%s: checkout %lld is now tagged %s",
				    t->name, c->id, tags);
		}
		free(tags);
	}
	store_checkout_list_free(&tips);
	return db_end(db, rc);
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
	struct buf err = BUF_INIT;
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

	if (repo_ls_remote(t->url, token, what, &refs, &err) != 0) {
		note_tree_error(db, t, err_text(&err));
		failed = 1;
		goto out;
	}
	for (i = 0; i < t->nbranches; i++) {
		ref = xasprintf("refs/heads/%s", t->branches[i]);
		heads[i] = remote_refs_find(&refs, ref);
		free(ref);
		stats->branches++;
		if (heads[i] == NULL) {
			error_to(&err, "%s: branch '%s' not found at '%s'",
			    what, t->branches[i], t->url);
			failed = 1;
		}
	}

	fresh = !fs_is_dir(mirror);
	tags_moved = 0;
	if (!fresh) {
		repo = repo_open(mirror, &err);
		if (repo == NULL) {
			note_tree_error(db, t, err_text(&err));
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
	    t->nbranches, t->reference, t->reference_at, what, &err) != 0) {
		note_tree_error(db, t, err_text(&err));
		failed = 1;
		goto out;
	}
	stats->fetched++;
	crashpoint("poll-fetched");
	repo = repo_open(mirror, &err);
	if (repo == NULL) {
		failed = 1;
		goto out;
	}
record:
	for (i = 0; i < t->nbranches; i++) {
		if (heads[i] == NULL)
			continue;
		known = store_branch_head(db, t->name, t->branches[i]);
		if (known != NULL && strcmp(known, heads[i]) == 0) {
			free(known);
			continue;
		}
		free(known);
		if (repo_commit_info(repo, heads[i], &ci, &err) != 0) {
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
		note_tree_error(db, t, err_text(&err));
out:
	if (failed)
		stats->failed++;
	repo_close(repo);
	remote_refs_release(&refs);
	free(heads);
	free(mirror);
	free(gitdir);
	free(what);
	buf_release(&err);
	return rc;
}
