/*
 * t-status.c: the counts of `maestrino status` and the jobs left, with
 * the rule of a runnable job: waiting to be submitted, its retry come.
 */
#include "tap.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "store_status.h"
#include "util.h"

static void
add_job(struct db *db, const char *id, const char *lab, const char *state,
    long long next_try)
{
	if (db_run(db, "INSERT INTO job (id, kind, checkout_id, config_name, "
	    "runtime, definition, state, created, next_try) VALUES "
	    "(?, 'kbuild', 1, 'c', ?, 'd', ?, 1, nullif(?, 0))", "ttti",
	    id, lab, state, next_try) != 0)
		exit(2);
}

static const struct status_lab_jobs *
lab_of(const struct status_lab_jobs *v, size_t n, const char *lab)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (str_eq(v[i].runtime, lab))
			return &v[i];
	return NULL;
}

int
main(void)
{
	static const char *const names[] = { "mainline", "other" };
	struct status_counts c;
	struct status_tree trees[2];
	struct status_checkout *recent;
	struct status_lab_jobs *labs;
	const struct status_lab_jobs *l;
	struct db *db;
	char *dir, *path;
	size_t n;

	log_init("t-status");
	dir = tap_tmpdir();
	path = xasprintf("%s/state.db", dir);
	db = db_open(path, 0);
	if (db == NULL || db_exec(db, "INSERT INTO tree (name, url, "
	    "last_poll, last_error) VALUES ('mainline', 'u', 100, 'gone');"
	    "INSERT INTO checkout (id, tree, branch, url, commit_hash, "
	    "describe, subject, message, commit_time, created, "
	    "tarball_state) VALUES "
	    "(1, 'mainline', 'master', 'u', 'abc', 'v6.1', 's', 'm', 1, 1, "
	    "'done'), (2, 'mainline', 'master', 'u', 'def', 'v6.2', 's', "
	    "'m', 1, 1, 'pending');"
	    "UPDATE checkout SET tarball_url = 'http://t/1', tarball_size = 0 "
	    "WHERE id = 1") != 0)
		return 2;

	add_job(db, "a", "local", "pending", 0);
	add_job(db, "b", "local", "failed-submit", 50);
	add_job(db, "c", "local", "pending", 300);
	add_job(db, "d", "local", "failed-submit", 200);
	add_job(db, "e", "lava", "submitted", 0);
	add_job(db, "f", "lava", "running", 0);
	add_job(db, "g", "lava", "done", 0);
	add_job(db, "h", "lava", "pending", 100);

	ok(store_status_jobs_left(db, 100, &labs, &n) == 0, "jobs left");
	is_int(n, 2, "two labs");
	l = lab_of(labs, n, "local");
	ok(l != NULL, "the local lab");
	if (l != NULL) {
		is_int(l->jobs, 4, "local: four not done");
		is_int(l->pending, 4, "local: four waiting");
		is_int(l->runnable, 2, "local: two due (no retry, or come)");
		is_int(l->running, 0, "local: none running");
		is_int(l->next_retry, 200, "local: the first retry to come");
	}
	l = lab_of(labs, n, "lava");
	ok(l != NULL, "the lava lab");
	if (l != NULL) {
		is_int(l->jobs, 3, "lava: done is not left");
		is_int(l->pending, 1, "lava: one waiting");
		is_int(l->runnable, 1, "lava: a retry due at now is runnable");
		is_int(l->running, 2, "lava: submitted and running");
		is_int(l->next_retry, 0, "lava: no retry to come");
	}
	store_status_jobs_left_free(labs, n);

	store_status_counts(db, &c);
	is_int(c.checkouts, 2, "checkouts");
	is_int(c.trees_failing, 1, "trees failing");
	is_int(c.tarballs_pending, 1, "tarballs pending");
	is_int(c.tarballs_done, 1, "tarballs done");
	is_int(c.jobs_pending, 5, "jobs waiting to be submitted");
	is_int(c.jobs_submitted, 1, "jobs submitted");
	is_int(c.jobs_running, 1, "jobs running");
	is_int(c.jobs_done, 1, "jobs done");
	is_int(c.kcidb_pending, 2, "objects to export");

	ok(store_status_trees(db, names, 2, trees) == 0, "trees");
	ok(trees[0].found && trees[0].polled && trees[0].last_poll == 100,
	    "a polled tree");
	is_str(trees[0].error, "gone", "its error");
	is_int(trees[0].checkouts, 2, "its checkouts");
	ok(!trees[1].found, "a tree never polled has no row");
	store_status_trees_free(trees, 2);

	ok(store_status_recent(db, 10, &recent, &n) == 0, "recent checkouts");
	is_int(n, 2, "both");
	if (n == 2) {
		is_int(recent[0].c.id, 2, "newest first");
		ok(!recent[0].has_size, "no tarball size");
		ok(recent[1].has_size && recent[1].c.tarball_size == 0,
		    "a size of 0 is a size");
		is_str(recent[1].c.tarball_url, "http://t/1", "the url");
	}
	store_status_recent_free(recent, n);
	db_close(db);
	fs_remove_tree(dir);
	free(path);
	free(dir);
	return tap_done();
}
