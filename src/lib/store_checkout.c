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
	c->subject = db_col_dup(st, 10);
	c->message = db_col_dup(st, 11);
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
