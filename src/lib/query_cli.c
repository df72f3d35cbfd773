/*
 * query_cli.c: what `maestrino results`, `compare`, `show` and `log`
 * share: opening the database beside a run, printing text from outside
 * and JSON.
 */
#include <jansson.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "query.h"
#include "safe.h"
#include "secret.h"
#include "stage.h"
#include "storage.h"
#include "util.h"

int
query_open(struct stage *st, const char *name, const char *confdir)
{
	char *path;
	int rc;

	if (stage_open_config(st, name, confdir) != 0)
		return -1;
	path = config_data_path(st->cfg, "state.db");
	rc = 0;
	if (!fs_exists(path)) {
		error("no state database at '%s' (nothing has run yet)", path);
		rc = 1;
	} else if ((st->db = db_open(path, 1)) == NULL) {
		rc = -1;
	} else if (db_exec(st->db, "PRAGMA temp_store = MEMORY") != 0) {
		/*
		 * The results of a checkout are sorted as the site matches
		 * them; in memory, not spilled to a file in /var/tmp.
		 */
		rc = -1;
	}
	free(path);
	if (rc != 0)
		stage_close(st);
	return rc;
}

void
query_put(FILE *fp, const char *s)
{
	struct buf b = BUF_INIT;
	char *m;

	if (s == NULL)
		s = "-";
	m = secret_mask(s);
	safe_visible(&b, m);
	fputs(b.ptr, fp);
	buf_release(&b);
	free(m);
}

int
query_print_json(FILE *fp, json_t *j, size_t flags)
{
	char *text;
	size_t len;
	int rc;

	/*
	 * On a terminal, what is not ASCII is written \uXXXX: jansson
	 * escapes only C0 controls, and a U+202E from a subject must not
	 * reorder what a person reads.  Piped, the bytes are the site's.
	 */
	if (isatty(fileno(fp)))
		flags |= JSON_ENSURE_ASCII;
	/* made whole, then written at once: a token at a time is slower */
	text = json_dumps(j, flags);
	if (text == NULL)
		return error("cannot encode the JSON document");
	len = strlen(text);
	rc = fwrite(text, 1, len, fp) == len && fputc('\n', fp) != EOF ? 0 :
	    error("cannot write the JSON document: %s", strerror(errno));
	free(text);
	return rc;
}

int
query_parse_id(const char *what, const char *arg, long long *id)
{
	long v;

	if (parse_long(arg, 1, LONG_MAX, &v) != 0)
		return error("'%s' is not a %s id (a number from 1)", arg,
		    what);
	*id = v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
query_storage_rel(const struct config *cfg, const char *url)
{
	struct buf b = BUF_INIT;
	const char *p;
	char *rel;
	size_t len;
	int hi, lo;

	if ((p = storage_rel(cfg, url)) == NULL)
		return NULL;
	for (; *p; p++) {
		if (*p == '%' && (hi = hexval(p[1])) >= 0 &&
		    (lo = hexval(p[2])) >= 0) {
			buf_putc(&b, hi * 16 + lo);
			p += 2;
		} else if (*p == '?' || *p == '#') {
			break;
		} else {
			buf_putc(&b, *p);
		}
	}
	rel = buf_detach(&b, &len);
	if (*rel == '\0' || strlen(rel) != len || *rel == '/' || strcmp(rel, "..") == 0 ||
	    str_starts(rel, "../") || strstr(rel, "/../") != NULL ||
	    str_ends(rel, "/..")) {
		free(rel);
		return NULL;
	}
	return rel;
}
