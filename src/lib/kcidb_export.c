/*
 * kcidb_export.c: the kcidb stage.  Changed rows go out as KCIDB files
 * (a bisection with a culprit as an issue and its incidents), then the
 * files go to the endpoint.
 */
#include <dirent.h>
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "kcidb.h"
#include "kcidb_doc.h"
#include "kcidb_submit.h"
#include "log.h"
#include "pool.h"
#include "store_kcidb.h"
#include "util.h"

/*
 * A file holds at most this many objects or (roughly) bytes, so memory
 * does not grow with the database and no submission is too big.
 */
#define CHUNK_OBJECTS	5000
#define CHUNK_BYTES	((size_t)16 << 20)

/*
 * The export runs on three threads: this one reads changed rows from the
 * database into chunks (SQLite's connection stays on one thread), a pool
 * of two workers turns chunks into documents with jansson, checks them
 * and writes their files, and this thread records each written file.
 * At most twice as many chunks as workers are out at a time.
 */
#define WORKERS		2
#define MAX_OUT		(WORKERS * 2)

struct chunk {
	struct kcidb_row	*rows;
	size_t			 n;
	size_t			 alloc;
	size_t			 bytes;
	int			 seq;
	struct kcidb_span	 span;
	/* set by the worker */
	int			 rc;
	char			*why;
	size_t			 objects;	/* the objects its rows make */
	size_t			 skipped;	/* left out, and why the first */
	char			*skip_why;
	char			*path;
};

struct exporter {
	const struct config	*cfg;
	struct db		*db;
	struct kcidb_stats	*stats;
	struct kcidb_ids	 ids;
	char			 stamp[32];
	int			 seq;
	struct pool		*pool;
};

/*
 * The lists of a document, in order, with their letters for
 * kcidb_validate_object(): a table's rows make the list of the same
 * index, and bisections make issues and incidents.
 */
enum list {
	L_CHECKOUTS,
	L_BUILDS,
	L_TESTS,
	L_ISSUES,
	L_INCIDENTS,
	LISTS
};
static const char list_letter[LISTS] = { 'c', 'b', 't', 'i', 'n' };
static const char *const list_name[LISTS] = {
	"checkouts", "builds", "tests", "issues", "incidents"
};

/* The list each table's rows go to (bisections make two: see below). */
static const enum list table_list[KCIDB_TABLES] = {
	L_CHECKOUTS, L_BUILDS, L_TESTS, L_ISSUES, L_ISSUES, L_INCIDENTS
};

static void
chunk_free_rows(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		store_kcidb_row_release(&c->rows[i]);
	c->n = 0;
}

static void
chunk_free(struct chunk *c)
{
	if (c == NULL)
		return;
	chunk_free_rows(c);
	free(c->rows);
	free(c->why);
	free(c->skip_why);
	free(c->path);
	free(c);
}

static struct chunk *
chunk_new(void)
{
	return xcalloc(1, sizeof(struct chunk));
}

/* Take row into chunk c. */
static void
chunk_add(struct chunk *c, const struct kcidb_row *row)
{
	struct kcidb_span *s = &c->span;
	long long id;
	int k;

	xgrow((void **)&c->rows, &c->alloc, c->n + 1, sizeof(*c->rows));
	c->rows[c->n++] = *row;
	c->bytes += kcidb_doc_bytes(row);
	c->objects += kcidb_doc_objects(row);
	k = row->table;
	id = store_kcidb_row_id(row);
	if (!s->seen[k] || id < s->lo[k])
		s->lo[k] = id;
	if (!s->seen[k] || id > s->hi[k])
		s->hi[k] = id;
	s->seen[k] = 1;
	s->n[k]++;
}

/*
 * A file is written as it is made, one object at a time: each object is
 * built, checked against the schema's rules and encoded by jansson into
 * the text of its list, then freed, so no tree of the whole document is
 * ever held.  The file is then
 *
 *	{"version":{...},"checkouts":[o,o,...],"builds":[...],...}
 *
 * where the version object, the list names and every object are
 * jansson's encoding (the same flags json_dumpf used on the whole
 * document, so the bytes are the same), and only the punctuation between
 * them ('{', ':', '[', ',', ']', '}') is put by hand.  The lists come in
 * the order of enum list, which is the order a document built whole had
 * them in (rows are read table by table, and an issue comes before its
 * incidents).
 */
#define DUMP_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(9))
/* Room made for an object before it is encoded (most fit). */
#define ENCODE_ROOM	4096

/* The texts of a document's lists, on a worker. */
struct lists {
	struct buf	 text[LISTS];
	size_t		 n[LISTS];	/* objects in each */
	struct buf	 why;
	struct kcidb_memo memo;
};

static int
append(const char *p, size_t n, void *arg)
{
	buf_add(arg, p, n);
	return 0;
}

/*
 * Append jansson's encoding of o to b: straight into b's room, which is
 * made bigger and the encoding done again when it did not fit.
 */
static void
encode(struct buf *b, json_t *o)
{
	size_t room, n;

	buf_grow(b, ENCODE_ROOM);
	for (;;) {
		room = b->alloc - b->len - 1;
		n = json_dumpb(o, b->ptr + b->len, room, DUMP_FLAGS);
		if (n == 0)
			die_oom();
		if (n <= room)
			break;
		buf_grow(b, n);
	}
	b->len += n;
	b->ptr[b->len] = '\0';
}

/*
 * Encode object o into list k when it passes the schema's rules; one
 * bad object is left out and said, it never stops the rest.  o is
 * freed.  1 if it went in.
 */
static int
put_object(struct chunk *c, struct lists *l, enum list k, json_t *o)
{
	int rc;

	buf_reset(&l->why);
	rc = 0;
	if (kcidb_validate_object(o, list_letter[k], &l->why) != 0) {
		if (c->skipped++ == 0)
			c->skip_why = xstrdup(l->why.ptr);
	} else {
		if (l->n[k]++ > 0)
			buf_putc(&l->text[k], ',');
		encode(&l->text[k], o);
		rc = 1;
	}
	json_decref(o);
	return rc;
}

/* The objects of a chunk's rows, each checked, in the texts of l. */
static void
chunk_lists(const struct exporter *x, struct chunk *c, struct lists *l)
{
	json_t *inc, *o;
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		const struct kcidb_row *r = &c->rows[i];

		if (r->table != KCIDB_BISECTIONS) {
			o = kcidb_doc_object(&x->ids, &l->memo, r);
			if (o != NULL)
				put_object(c, l, table_list[r->table], o);
			continue;
		}
		inc = json_array();
		if (put_object(c, l, L_ISSUES, kcidb_doc_issue(&x->ids, r,
		    inc))) {
			for (j = 0; j < json_array_size(inc); j++)
				put_object(c, l, L_INCIDENTS,
				    json_incref(json_array_get(inc, j)));
		} else {
			/* incidents of an issue left out would point nowhere */
			c->skipped += json_array_size(inc);
		}
		json_decref(inc);
	}
}

/* A key of the document, encoded, and ':'. */
static void
encode_key(struct buf *top, const char *name)
{
	json_t *key;

	key = json_string(name);
	if (key == NULL || json_dump_callback(key, append, top, DUMP_FLAGS |
	    JSON_ENCODE_ANY) != 0)
		die_oom();
	json_decref(key);
	buf_putc(top, ':');
}

/*
 * The document around the lists: the version and an empty array per
 * list that has objects, checked; its pieces encoded into top: the
 * version's key and object, and each list's key.
 */
static int
frame(const struct lists *l, struct buf *top, size_t *at, struct buf *why)
{
	json_t *doc, *v;
	int k, rc;

	doc = json_object();
	v = json_object();
	json_object_set_new(v, "major", json_integer(KCIDB_MAJOR));
	json_object_set_new(v, "minor", json_integer(KCIDB_MINOR));
	json_object_set_new(doc, "version", v);
	for (k = 0; k < LISTS; k++)
		if (l->n[k] > 0)
			json_object_set_new(doc, list_name[k], json_array());
	rc = kcidb_validate_top(doc, why);
	if (rc == 0) {
		buf_putc(top, '{');
		encode_key(top, "version");
		if (json_dump_callback(v, append, top, DUMP_FLAGS) != 0)
			die_oom();
		for (k = 0; k < LISTS; k++) {
			if (l->n[k] > 0) {
				buf_putc(top, ',');
				encode_key(top, list_name[k]);
				buf_putc(top, '[');
			}
			at[k] = top->len;
		}
	}
	json_decref(doc);
	return rc;
}

/* The file: the frame with each list's text spliced in, then '}'. */
static int
write_lists(FILE *fp, const struct lists *l, const struct buf *top,
    const size_t *at)
{
	size_t from;
	int k;

	from = 0;
	for (k = 0; k < LISTS; k++) {
		if (l->n[k] == 0)
			continue;
		if (fwrite(top->ptr + from, 1, at[k] - from, fp) !=
		    at[k] - from || fwrite(l->text[k].ptr, 1, l->text[k].len,
		    fp) != l->text[k].len || fputc(']', fp) == EOF)
			return -1;
		from = at[k];
	}
	if (fwrite(top->ptr + from, 1, top->len - from, fp) !=
	    top->len - from || fputc('}', fp) == EOF)
		return -1;
	return 0;
}

/* On a worker: the chunk's document, checked, written to its file. */
static int
process(void *ctx, void *item)
{
	const struct exporter *x = ctx;
	struct chunk *c = item;
	struct buf why = BUF_INIT, top = BUF_INIT;
	struct lists l;
	struct afile af;
	size_t at[LISTS];
	char *name;
	int k, e;

	for (k = 0; k < LISTS; k++) {
		buf_init(&l.text[k], 0);
		l.n[k] = 0;
	}
	buf_init(&l.why, 0);
	memset(&l.memo, 0, sizeof(l.memo));
	chunk_lists(x, c, &l);
	c->rc = -1;
	if (frame(&l, &top, at, &why) != 0) {
		c->why = xasprintf("BUG: the KCIDB document would break the "
		    "schema (%s); nothing was written", why.ptr);
		goto out;
	}
	name = xasprintf("%s-%04d.json", x->stamp, c->seq);
	c->path = fs_join(x->cfg->kcidb_output, name);
	free(name);
	if (fs_atomic_open_quiet(&af, c->path, 1, &c->why) != 0)
		goto out;
	if (write_lists(af.fp, &l, &top, at) != 0) {
		e = errno;
		/* no half file: the temporary one goes */
		fs_atomic_abort(&af);
		c->why = xasprintf("cannot write KCIDB file '%s': %s", c->path,
		    strerror(e));
		goto out;
	}
	if (fs_atomic_commit_quiet(&af, &c->why) == 0)
		c->rc = 0;
out:
	for (k = 0; k < LISTS; k++)
		buf_release(&l.text[k]);
	buf_release(&l.why);
	kcidb_memo_release(&l.memo);
	buf_release(&top);
	buf_release(&why);
	/* the rows are not needed any more: free them here, in parallel */
	chunk_free_rows(c);
	/* a chunk that failed is said by the thread that records it */
	return 0;
}

/* A worker's context: the exporter, only read. */
static void *
worker_open(void *arg, size_t thread)
{
	(void)thread;
	return arg;
}

static const struct pool_ops export_ops = {
	worker_open, NULL, process
};

/* The highest <seq> of the files "<stamp>-<seq>.json" already in dir. */
static int
last_seq(const char *dir, const char *stamp)
{
	struct dirent *de;
	size_t n;
	long v;
	int max;
	DIR *d;

	max = 0;
	n = strlen(stamp);
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char digits[16];
		size_t len;

		if (strncmp(de->d_name, stamp, n) != 0 || de->d_name[n] != '-' ||
		    !str_ends(de->d_name, ".json"))
			continue;
		len = strlen(de->d_name + n + 1) - strlen(".json");
		if (len == 0 || len >= sizeof(digits))
			continue;
		memcpy(digits, de->d_name + n + 1, len);
		digits[len] = '\0';
		if (parse_long(digits, 0, INT_MAX, &v) == 0 && v > max)
			max = (int)v;
	}
	closedir(d);
	return max;
}

/*
 * The file is written: the database may forget these changes.  Rows are
 * read in id order under the data-dir lock, so every changed row of a
 * table between the first and last id of the file is in it.
 */
static int
record_file(struct exporter *x, struct chunk *c)
{
	if (c->rc != 0) {
		error("%s", c->why ? c->why : "cannot write a KCIDB file");
		return -1;
	}
	if (c->skipped > 0) {
		warning("%s: %zu object%s left out, against the KCIDB schema "
		    "(the first: %s); the others are exported", c->path,
		    c->skipped, c->skipped == 1 ? "" : "s", c->skip_why);
		x->stats->skipped += c->skipped;
	}
	crashpoint("kcidb-written");
	if (store_kcidb_exported(x->db, &c->span, x->cfg->kcidb_url != NULL ?
	    c->path : NULL, (long long)(c->objects - c->skipped)) != 0)
		return -1;
	debug("wrote %s", c->path);
	x->stats->files++;
	return 0;
}

/* Record the finished chunks, waiting while more than limit are out. */
static int
reap(struct exporter *x, size_t limit)
{
	struct chunk *c;
	int rc;

	rc = 0;
	while ((c = pool_take(x->pool, pool_pending(x->pool) > limit)) !=
	    NULL) {
		if (record_file(x, c) != 0)
			rc = -1;
		chunk_free(c);
	}
	return rc;
}

/* Hand a full chunk to the workers, waiting while too many are out. */
static int
put_chunk(struct exporter *x, struct chunk *c)
{
	int rc;

	if (c->n == 0) {
		chunk_free(c);
		return 0;
	}
	rc = reap(x, MAX_OUT - 1);
	c->seq = ++x->seq;
	if (pool_put(x->pool, c) != 0) {
		chunk_free(c);
		return -1;
	}
	return rc;
}

static void
count(struct kcidb_stats *stats, const struct kcidb_row *row)
{
	switch (row->table) {
	case KCIDB_CHECKOUTS:
		stats->checkouts++;
		break;
	case KCIDB_BUILDS:
		stats->builds++;
		break;
	case KCIDB_BISECTIONS:
		stats->issues++;
		stats->incidents += row->u.x.nresults;
		break;
	case KCIDB_ISSUES:
		stats->issues++;
		break;
	case KCIDB_INCIDENTS:
		stats->incidents += kcidb_doc_objects(row);
		break;
	default:
		stats->tests++;
		break;
	}
}

static int
read_table(struct exporter *x, enum kcidb_table table, int all,
    struct chunk **cur)
{
	struct store_kcidb_cursor *rows;
	struct kcidb_row row;
	int r, rc;

	/* nothing goes out for these: no file need be written first */
	if (table == KCIDB_BISECTIONS && store_kcidb_bisect_nothing(x->db) != 0)
		return -1;
	rows = store_kcidb_changed(x->db, table, all);
	if (rows == NULL)
		return -1;
	rc = 0;
	r = 0;
	while (rc == 0 && (r = store_kcidb_next(rows, &row)) == 1) {
		chunk_add(*cur, &row);
		count(x->stats, &row);
		if ((*cur)->objects >= CHUNK_OBJECTS ||
		    (*cur)->bytes >= CHUNK_BYTES) {
			rc = put_chunk(x, *cur);
			*cur = chunk_new();
		}
	}
	store_kcidb_close(rows);
	return r < 0 ? -1 : rc;
}

static int
export_all(struct exporter *x, int all)
{
	struct chunk *cur;
	int rc, k;

	/* jansson seeds its hash function on first use: do it here, once */
	json_object_seed(0);
	x->pool = pool_start(&export_ops, x, WORKERS, 0);
	if (x->pool == NULL)
		return -1;
	cur = chunk_new();
	rc = 0;
	for (k = 0; k < KCIDB_TABLES && rc == 0; k++)
		rc = read_table(x, (enum kcidb_table)k, all, &cur);
	if (rc == 0)
		rc = put_chunk(x, cur);
	else
		chunk_free(cur);
	if (reap(x, 0) != 0)
		rc = -1;
	if (pool_finish(x->pool) != 0)
		rc = -1;
	x->pool = NULL;
	return rc;
}

int
kcidb_stage(const struct config *cfg, struct db *db, int all,
    struct kcidb_stats *stats)
{
	struct exporter x;
	struct tm tm;
	time_t now;
	char *instance;
	int rc;

	memset(&x, 0, sizeof(x));
	x.cfg = cfg;
	x.db = db;
	x.stats = stats;
	instance = db_instance(db);
	x.ids.origin = cfg->origin;
	x.ids.instance = instance;
	x.ids.cfg = cfg;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(x.stamp, sizeof(x.stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (fs_mkdir_p(cfg->kcidb_output) != 0) {
		free(instance);
		return -1;
	}
	fs_clean_tmp(cfg->kcidb_output);
	/* a run in the same second must not write over an earlier file */
	x.seq = last_seq(cfg->kcidb_output, x.stamp);
	rc = export_all(&x, all);
	free(instance);
	if (rc == 0 && cfg->kcidb_url != NULL)
		rc = kcidb_submit(cfg, db, stats);
	return rc;
}
