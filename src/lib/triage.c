/*
 * triage.c: issues and incidents brought up to date (triage.h).
 *
 * A result is one build or test as the rules see it.  Its log is the
 * build's log, or the console of the test's job, read from storage
 * (or, when that file is gone, the excerpt kept in the database).  The
 * findings of a test job hang on its boot result, or on its first.
 */
#include <fnmatch.h>
#include <regex.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "logsig.h"
#include "query.h"
#include "strset.h"
#include "triage.h"
#include "util.h"

/* The end of a log that is read: more than any console, most builds. */
#define TRIAGE_LOG_MAX	((size_t)64 << 20)
/*
 * What a rule's log regex looks at: each line (a CR ends one too) up to
 * its first MATCH_LINE bytes, in the last MATCH_TAIL bytes of the console
 * (or build log) and of the lab's log.  glibc's regexec can take the
 * square of a line's length ("usb .*timeout" on a line of "usb usb ..."),
 * and the log is the tree's or the kernel's to write: so bounded, such a
 * log costs a rule about a second at worst, where a kernel message is
 * rarely longer than 200 bytes.
 */
#define MATCH_LINE	512
#define MATCH_TAIL	((size_t)4 << 20)
/* Results read per query; each job is committed on its own. */
#define TRIAGE_BATCH	256

struct result {
	const char	*kind;		/* "build" or "test" */
	long long	 ref;
	long long	 gen;
	char		*tree;
	char		*branch;
	char		*build;
	char		*arch;
	char		*platform;	/* tests only */
	char		*path;
	char		*status;
	char		*log_url;
	char		*lava_url;	/* tests: the lab's own log, or NULL */
	char		*excerpt;
	long long	 seen;
	int		 triaged;	/* before: it may have incidents */
};

/* A result's log: its console (or build log), then the lab's log. */
struct text {
	char	*s;		/* NULL when there is none */
	size_t	 len;
	size_t	 console;	/* the bytes of the first part */
};

static void
result_release(struct result *r)
{
	free(r->tree);
	free(r->branch);
	free(r->build);
	free(r->arch);
	free(r->platform);
	free(r->path);
	free(r->status);
	free(r->log_url);
	free(r->lava_url);
	free(r->excerpt);
}

static int
failing(const struct result *r)
{
	return r->status != NULL && (strcmp(r->status, "FAIL") == 0 ||
	    strcmp(r->status, "ERROR") == 0);
}

/*
 * Add the file in storage that url names to b (appended: at most
 * TRIAGE_LOG_MAX bytes in all with what b holds); 0, or -1 if none.
 */
static int
add_file(const struct config *cfg, const struct result *r, const char *url,
    struct buf *b)
{
	enum fs_read fr;
	size_t had;
	char *rel;

	had = b->len;
	rel = query_storage_rel(cfg, url);
	fr = rel != NULL ? fs_read_untrusted(cfg->storage_path, rel,
	    had + TRIAGE_LOG_MAX, 1, b) : FS_READ_MISSING;
	if (fr != FS_READ_OK && fr != FS_READ_MISSING)
		warning("%s %lld: cannot read its log %s/%s: %s", r->kind,
		    r->ref, cfg->storage_path, rel, fr == FS_READ_ERROR ?
		    strerror(errno) : fs_read_problem(fr));
	free(rel);
	if (fr != FS_READ_OK)
		buf_setlen(b, had);
	return fr == FS_READ_OK ? 0 : -1;
}

/*
 * The log of a result, NUL-free so a regex sees all of it: the file in
 * storage its URL names (else its excerpt), and after it, for a test,
 * the lab's own log, where a harness says what went wrong.
 */
static void
read_log(const struct config *cfg, const struct result *r, struct text *t)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (add_file(cfg, r, r->log_url, &b) != 0 && r->excerpt != NULL)
		buf_puts(&b, r->excerpt);
	t->console = b.len;
	if (r->lava_url != NULL) {
		buf_putc(&b, '\n');
		if (add_file(cfg, r, r->lava_url, &b) != 0)
			buf_setlen(&b, t->console);
	}
	t->s = NULL;
	t->len = 0;
	if (b.len == 0) {
		buf_release(&b);
		return;
	}
	t->s = buf_detach(&b, &t->len);
	for (i = 0; i < t->len; i++)
		if (t->s[i] == '\0')
			t->s[i] = ' ';
}

/* A key of a rule: NULL holds for anything, a pattern needs a value. */
static int
key_holds(const char *pattern, const char *value)
{
	if (pattern == NULL)
		return 1;
	return value != NULL && fnmatch(pattern, value, 0) == 0;
}

/* Whether re matches a line of s (n bytes), as MATCH_LINE says. */
static int
lines_match(const regex_t *re, const char *s, size_t n)
{
	char line[MATCH_LINE + 1];
	const char *p, *end, *eol;
	size_t len;

	p = n > MATCH_TAIL ? s + n - MATCH_TAIL : s;
	end = s + n;
	for (; p < end; p = eol + 1) {
		for (eol = p; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
		len = (size_t)(eol - p) < MATCH_LINE ? (size_t)(eol - p) :
		    MATCH_LINE;
		memcpy(line, p, len);
		line[len] = '\0';
		if (regexec(re, line, 0, NULL, 0) == 0)
			return 1;
	}
	return 0;
}

static int
rule_holds(const struct issue_cfg *x, const struct result *r,
    const struct text *log)
{
	if (!failing(r) || !key_holds(x->tree, r->tree) ||
	    !key_holds(x->branch, r->branch) ||
	    !key_holds(x->build, r->build) || !key_holds(x->arch, r->arch) ||
	    !key_holds(x->platform, r->platform) ||
	    !key_holds(x->path, r->path))
		return 0;
	if (x->log_re == NULL)
		return 1;
	return log != NULL && log->s != NULL &&
	    (lines_match(x->log_re, log->s, log->console) ||
	    lines_match(x->log_re, log->s + log->console,
	    log->len - log->console));
}

/* The rule's keys but log: whether reading the log can matter. */
static int
rule_may_hold(const struct issue_cfg *x, const struct result *r)
{
	return failing(r) && key_holds(x->tree, r->tree) &&
	    key_holds(x->branch, r->branch) &&
	    key_holds(x->build, r->build) && key_holds(x->arch, r->arch) &&
	    key_holds(x->platform, r->platform) &&
	    key_holds(x->path, r->path);
}

/*
 * Record that r shows issue id at its current version: a new incident,
 * or one not present (or of an older version) made present again.
 * *changed counts it when anything changed.
 */
static int
incident_add(struct db *db, const char *id, const struct result *r,
    size_t *changed)
{
	if (db_run(db, "INSERT INTO incident (issue_id, kind, ref, "
	    "issue_version, present, seen) SELECT id, ?, ?, version, 1, ? "
	    "FROM issue WHERE id = ? ON CONFLICT (issue_id, kind, ref) DO "
	    "UPDATE SET present = 1, issue_version = excluded.issue_version, "
	    "seen = excluded.seen, gen = gen + 1 WHERE present = 0 OR "
	    "issue_version <> excluded.issue_version", "tiit", r->kind, r->ref,
	    r->seen, id) != 0)
		return -1;
	*changed += (size_t)db_changes(db);
	return 0;
}

/* Incidents of r not among ids (a JSON array) are no longer present. */
static int
incidents_keep(struct db *db, const struct result *r, const char *ids,
    size_t *changed)
{
	if (db_run(db, "UPDATE incident SET present = 0, gen = gen + 1 "
	    "WHERE kind = ? AND ref = ? AND present AND issue_id NOT IN "
	    "(SELECT value FROM json_each(?))", "tit", r->kind, r->ref,
	    ids) != 0)
		return -1;
	*changed += (size_t)db_changes(db);
	return 0;
}

/*
 * The findings of a log, replacing those r had: each one's signature
 * issue is made when new, and its id added to ids.
 */
static int
findings_store(struct db *db, const struct result *r, const struct logsig *ls,
    json_t *ids, struct triage_stats *stats)
{
	const struct logsig_finding *f;
	char id[32];
	size_t i;

	if (db_run(db, "DELETE FROM finding WHERE kind = ? AND ref = ?", "ti",
	    r->kind, r->ref) != 0)
		return -1;
	for (i = 0; i < ls->n; i++) {
		f = &ls->v[i];
		snprintf(id, sizeof(id), "sig-%s", f->hash);
		if (db_run(db, "INSERT INTO issue (id, kind, title, culprit, "
		    "finding_kind, signature, created) VALUES (?, "
		    "'signature', ?, 'code', ?, ?, ?) ON CONFLICT (id) DO "
		    "NOTHING", "tttti", id, f->summary, f->kind, f->signature,
		    (long long)time(NULL)) != 0)
			return -1;
		stats->signatures += (size_t)db_changes(db);
		if (db_run(db, "INSERT INTO finding (kind, ref, n, type, "
		    "summary, issue_id, lines, line, file, file_line, count) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "tiittttitii",
		    r->kind, r->ref, (long long)i, f->kind, f->summary, id,
		    f->lines, (long long)f->line, f->file,
		    (long long)f->file_line, (long long)f->count) != 0)
			return -1;
		json_array_append_new(ids, json_string(id));
	}
	stats->findings += ls->n;
	return 0;
}

/*
 * Bring r's incidents to what it shows: the signatures in ids (findings
 * already stored) and every known issue whose rule holds.
 */
static int
incidents_set(const struct config *cfg, struct db *db,
    const struct result *r, const struct text *log, json_t *ids,
    struct triage_stats *stats)
{
	char *text;
	size_t i;
	int rc;

	for (i = 0; i < cfg->nissues; i++)
		if (rule_holds(&cfg->issues[i], r, log))
			json_array_append_new(ids,
			    json_string(cfg->issues[i].name));
	for (i = 0; i < json_array_size(ids); i++)
		if (incident_add(db, json_string_value(json_array_get(ids, i)),
		    r, &stats->incidents) != 0)
			return -1;
	/* a result never triaged has no incident to take back */
	if (!r->triaged)
		return 0;
	text = json_dumps(ids, JSON_COMPACT);
	rc = incidents_keep(db, r, text, &stats->incidents);
	free(text);
	return rc;
}

/* ---- the config's rules ---- */

/* A rule new or changed: every failing result triaged so far, again. */
static int
rule_apply(const struct config *cfg, struct db *db,
    const struct issue_cfg *x, int changed_rule, struct triage_stats *stats)
{
	struct sqlite3_stmt *st;
	struct result r;
	struct text log;
	size_t matched, changed;
	int rc, step;

	/*
	 * Every incident is of the new version; those the rule still
	 * matches are made present again below.
	 */
	if (db_run(db, "UPDATE incident SET present = 0, issue_version = "
	    "(SELECT version FROM issue WHERE id = ?1), gen = gen + 1 "
	    "WHERE issue_id = ?1 AND (present OR issue_version <> (SELECT "
	    "version FROM issue WHERE id = ?1))", "t", x->name) != 0)
		return -1;
	stats->incidents += (size_t)db_changes(db);
	st = db_prepare(db, "SELECT 'build', b.id, c.tree, c.branch, "
	    "b.config_name, b.arch, NULL, NULL, b.status, b.log_url, "
	    "b.log_excerpt, coalesce(b.start_time, c.created, 0), NULL "
	    "FROM build b JOIN checkout c ON c.id = b.checkout_id "
	    "WHERE b.status IN ('FAIL', 'ERROR') AND b.triage_gen = b.gen "
	    "UNION ALL "
	    "SELECT 'test', t.id, c.tree, c.branch, b.config_name, b.arch, "
	    "t.platform, t.path, t.status, t.log_url, t.log_excerpt, "
	    "coalesce(t.start_time, b.start_time, c.created, 0), "
	    "json_extract(t.misc, '$.lava_log_url') "
	    "FROM test t JOIN build b ON b.id = t.build_id "
	    "JOIN checkout c ON c.id = b.checkout_id "
	    "WHERE t.status IN ('FAIL', 'ERROR') AND t.triage_gen = t.gen");
	if (st == NULL)
		return -1;
	matched = changed = 0;
	rc = 0;
	while (rc == 0 && (step = db_step(db, st)) == 1) {
		memset(&r, 0, sizeof(r));
		r.kind = db_col_text(st, 0)[0] == 'b' ? "build" : "test";
		r.ref = db_col_int(st, 1);
		r.tree = db_col_dup(st, 2);
		r.branch = db_col_dup(st, 3);
		r.build = db_col_dup(st, 4);
		r.arch = db_col_dup(st, 5);
		r.platform = db_col_dup(st, 6);
		r.path = db_col_dup(st, 7);
		r.status = db_col_dup(st, 8);
		r.log_url = db_col_dup(st, 9);
		r.excerpt = db_col_dup(st, 10);
		r.seen = db_col_int(st, 11);
		r.lava_url = db_col_dup(st, 12);
		if (rule_may_hold(x, &r)) {
			memset(&log, 0, sizeof(log));
			if (x->log_re != NULL)
				read_log(cfg, &r, &log);
			if (rule_holds(x, &r, &log)) {
				rc = incident_add(db, x->name, &r, &changed);
				matched++;
			}
			free(log.s);
		}
		result_release(&r);
	}
	db_finalize(st);
	if (rc != 0 || step < 0)
		return -1;
	if (changed_rule || matched > 0)
		info("issue %s: rule %s, applied to the failing results "
		    "recorded: %zu match%s", x->name, changed_rule ?
		    "changed" : "added", matched, matched == 1 ? "" : "es");
	return 0;
}

/* The config's issue x in the issue table, and applied when it changed. */
static int
rule_sync(const struct config *cfg, struct db *db, const struct issue_cfg *x,
    struct triage_stats *stats)
{
	long long same;
	int r, fresh;

	r = db_run_int(db, &same, "SELECT rule_hash = ? AND active FROM "
	    "issue WHERE id = ?", "tt", x->hash, x->name);
	if (r < 0)
		return -1;
	if (r == 0 && same)
		return 0;
	if (db_begin(db) != 0)
		return -1;
	fresh = r == 1;
	if (fresh)
		r = db_run(db, "INSERT INTO issue (id, kind, title, "
		    "report_url, culprit, rule_hash, created) VALUES (?, "
		    "'known', ?, ?, ?, ?, ?)", "ttttti", x->name, x->title,
		    x->report_url, x->culprit, x->hash,
		    (long long)time(NULL));
	else
		r = db_run(db, "UPDATE issue SET title = ?, report_url = ?, "
		    "culprit = ?, rule_hash = ?, version = version + 1, "
		    "active = 1, gen = gen + 1 WHERE id = ?", "ttttt",
		    x->title, x->report_url, x->culprit, x->hash, x->name);
	if (r != 0 || rule_apply(cfg, db, x, !fresh, stats) != 0) {
		db_rollback(db);
		return -1;
	}
	stats->rules++;
	return db_commit(db);
}

/* Known issues the config no longer has: their incidents go. */
static int
rules_gone(const struct config *cfg, struct db *db, struct triage_stats *stats)
{
	json_t *names;
	char *text;
	size_t i;
	int rc;

	names = json_array();
	for (i = 0; i < cfg->nissues; i++)
		json_array_append_new(names, json_string(cfg->issues[i].name));
	text = json_dumps(names, JSON_COMPACT);
	json_decref(names);
	if (db_begin(db) != 0) {
		free(text);
		return -1;
	}
	/* withdrawn is a change of the issue: a new version */
	rc = db_run(db, "UPDATE issue SET active = 0, version = version + 1, "
	    "gen = gen + 1 WHERE kind = 'known' AND active AND id NOT IN "
	    "(SELECT value FROM json_each(?))", "t", text);
	if (rc == 0)
		stats->rules += (size_t)db_changes(db);
	if (rc == 0)
		rc = db_run(db, "UPDATE incident AS n SET present = 0, "
		    "issue_version = i.version, gen = n.gen + 1 FROM issue i "
		    "WHERE i.id = n.issue_id AND i.kind = 'known' AND NOT "
		    "i.active AND (n.present OR n.issue_version <> i.version)",
		    "");
	if (rc == 0)
		stats->incidents += (size_t)db_changes(db);
	free(text);
	return db_end(db, rc);
}

/* ---- new results ---- */

#define RESULT_COLS(t) \
	"c.tree, c.branch, b.config_name, b.arch, " t ".status, " \
	t ".log_url, " t ".log_excerpt, coalesce(" t ".start_time, " \
	"c.created, 0), " t ".gen, " t ".triage_gen > 0"

static void
result_fill(struct sqlite3_stmt *st, int col, struct result *r)
{
	r->tree = db_col_dup(st, col);
	r->branch = db_col_dup(st, col + 1);
	r->build = db_col_dup(st, col + 2);
	r->arch = db_col_dup(st, col + 3);
	r->status = db_col_dup(st, col + 4);
	r->log_url = db_col_dup(st, col + 5);
	r->excerpt = db_col_dup(st, col + 6);
	r->seen = db_col_int(st, col + 7);
	r->gen = db_col_int(st, col + 8);
	r->triaged = (int)db_col_int(st, col + 9);
}

/* One build: its log's findings, its incidents, in one transaction. */
static int
triage_build(const struct config *cfg, struct db *db, struct result *r,
    struct triage_stats *stats)
{
	struct logsig ls;
	struct text log;
	json_t *ids;
	int rc;

	memset(&ls, 0, sizeof(ls));
	memset(&log, 0, sizeof(log));
	if (r->status != NULL)
		read_log(cfg, r, &log);
	if (log.s != NULL && logsig_build(log.s, log.console, &ls) != 0)
		die_oom();
	ids = json_array();
	if (db_begin(db) != 0) {
		rc = -1;
		goto out;
	}
	rc = findings_store(db, r, &ls, ids, stats);
	if (rc == 0)
		rc = incidents_set(cfg, db, r, &log, ids, stats);
	if (rc == 0)
		rc = db_run(db, "UPDATE build SET triage_gen = ? WHERE id = ?",
		    "ii", r->gen, r->ref);
	rc = db_end(db, rc);
	stats->results++;
out:
	json_decref(ids);
	logsig_free(&ls);
	free(log.s);
	return rc;
}

static int
triage_builds(const struct config *cfg, struct db *db,
    struct triage_stats *stats)
{
	struct sqlite3_stmt *st;
	struct result *v;
	size_t n, i;
	int rc, step;

	v = xcalloc(TRIAGE_BATCH, sizeof(*v));
	do {
		st = db_prepare(db, "SELECT b.id, " RESULT_COLS("b") " FROM "
		    "build b JOIN checkout c ON c.id = b.checkout_id WHERE "
		    "b.gen > b.triage_gen ORDER BY b.id LIMIT ?");
		if (st == NULL) {
			free(v);
			return -1;
		}
		db_bind_int(st, 1, TRIAGE_BATCH);
		n = 0;
		while ((step = db_step(db, st)) == 1) {
			memset(&v[n], 0, sizeof(v[n]));
			v[n].kind = "build";
			v[n].ref = db_col_int(st, 0);
			result_fill(st, 1, &v[n]);
			n++;
		}
		db_finalize(st);
		rc = step < 0 ? -1 : 0;
		for (i = 0; i < n; i++) {
			if (rc == 0)
				rc = triage_build(cfg, db, &v[i], stats);
			result_release(&v[i]);
		}
	} while (rc == 0 && n == TRIAGE_BATCH);
	free(v);
	return rc;
}

/*
 * The tests of one job (job NULL: the one test id), its boot first:
 * the findings of its console hang on that first one.
 */
static int
triage_job(const struct config *cfg, struct db *db, const char *job,
    long long id, struct triage_stats *stats)
{
	struct sqlite3_stmt *st;
	struct result *v;
	struct logsig ls;
	struct text log;
	json_t *ids;
	size_t n, alloc, i;
	int rc, step;

	/* two queries: one that could do both would use no index */
	if (job != NULL) {
		st = db_prepare(db, "SELECT t.id, t.platform, t.path, "
		    "json_extract(t.misc, '$.lava_log_url'), "
		    RESULT_COLS("t") " FROM test t JOIN build b ON "
		    "b.id = t.build_id JOIN checkout c ON c.id = b.checkout_id "
		    "WHERE t.job_id = ? ORDER BY t.path <> 'boot', t.id");
		if (st != NULL)
			db_bind_text(st, 1, job);
	} else {
		st = db_prepare(db, "SELECT t.id, t.platform, t.path, "
		    "json_extract(t.misc, '$.lava_log_url'), "
		    RESULT_COLS("t") " FROM test t JOIN build b ON "
		    "b.id = t.build_id JOIN checkout c ON c.id = b.checkout_id "
		    "WHERE t.id = ?");
		if (st != NULL)
			db_bind_int(st, 1, id);
	}
	if (st == NULL)
		return -1;
	v = NULL;
	n = alloc = 0;
	while ((step = db_step(db, st)) == 1) {
		xgrow((void **)&v, &alloc, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].kind = "test";
		v[n].ref = db_col_int(st, 0);
		v[n].platform = db_col_dup(st, 1);
		v[n].path = db_col_dup(st, 2);
		v[n].lava_url = db_col_dup(st, 3);
		result_fill(st, 4, &v[n]);
		n++;
	}
	db_finalize(st);
	memset(&ls, 0, sizeof(ls));
	memset(&log, 0, sizeof(log));
	rc = step < 0 ? -1 : 0;
	if (rc == 0 && n > 0 && v[0].status != NULL) {
		read_log(cfg, &v[0], &log);
		if (log.s != NULL && logsig_console(log.s, log.console,
		    failing(&v[0]), &ls) != 0)
			die_oom();
	}
	if (rc == 0 && n > 0 && (rc = db_begin(db)) == 0) {
		for (i = 0; rc == 0 && i < n; i++) {
			ids = json_array();
			if (i == 0)
				rc = findings_store(db, &v[i], &ls, ids, stats);
			if (rc == 0)
				rc = incidents_set(cfg, db, &v[i], &log, ids,
				    stats);
			json_decref(ids);
		}
		/* under the data-dir lock: no gen changed since it was read */
		if (rc == 0)
			rc = job != NULL ? db_run(db, "UPDATE test SET "
			    "triage_gen = gen WHERE job_id = ?", "t", job) :
			    db_run(db, "UPDATE test SET triage_gen = gen "
			    "WHERE id = ?", "i", id);
		rc = db_end(db, rc);
		stats->results += n;
	}
	for (i = 0; i < n; i++)
		result_release(&v[i]);
	free(v);
	logsig_free(&ls);
	free(log.s);
	return rc;
}

static int
triage_tests(const struct config *cfg, struct db *db,
    struct triage_stats *stats)
{
	struct strset done = STRSET_INIT;
	struct sqlite3_stmt *st;
	char **jobs;
	long long *ids;
	size_t n, i;
	int rc, step;

	jobs = xcalloc(TRIAGE_BATCH, sizeof(*jobs));
	ids = xcalloc(TRIAGE_BATCH, sizeof(*ids));
	do {
		/*
		 * The next tests to look at, by id; each job is triaged
		 * whole, so its other tests drop out of the next batch.
		 */
		st = db_prepare(db, "SELECT job_id, id FROM test WHERE "
		    "gen > triage_gen ORDER BY id LIMIT ?");
		if (st == NULL) {
			rc = -1;
			break;
		}
		db_bind_int(st, 1, TRIAGE_BATCH);
		n = 0;
		while ((step = db_step(db, st)) == 1) {
			jobs[n] = db_col_dup(st, 0);
			ids[n] = db_col_int(st, 1);
			n++;
		}
		db_finalize(st);
		rc = step < 0 ? -1 : 0;
		/* each job once, though its tests and another's interleave */
		for (i = 0; i < n && rc == 0; i++)
			if (jobs[i] == NULL || strset_add(&done, jobs[i]))
				rc = triage_job(cfg, db, jobs[i], ids[i],
				    stats);
		for (i = 0; i < n; i++)
			free(jobs[i]);
		strset_release(&done);
	} while (rc == 0 && n == TRIAGE_BATCH);
	free(jobs);
	free(ids);
	return rc;
}

int
triage_run(const struct config *cfg, struct db *db, struct triage_stats *stats)
{
	size_t i;

	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < cfg->nissues; i++)
		if (rule_sync(cfg, db, &cfg->issues[i], stats) != 0)
			return -1;
	if (rules_gone(cfg, db, stats) != 0 ||
	    triage_builds(cfg, db, stats) != 0 ||
	    triage_tests(cfg, db, stats) != 0)
		return -1;
	if (stats->results > 0 || stats->rules > 0)
		info("triage: %zu result%s, %zu finding%s, %zu new "
		    "signature%s, %zu incident%s changed", stats->results,
		    stats->results == 1 ? "" : "s", stats->findings,
		    stats->findings == 1 ? "" : "s", stats->signatures,
		    stats->signatures == 1 ? "" : "s", stats->incidents,
		    stats->incidents == 1 ? "" : "s");
	return 0;
}
