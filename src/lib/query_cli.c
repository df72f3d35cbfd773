/*
 * query_cli.c: what `maestrino results`, `compare`, `show` and `log`
 * share: opening the database beside a run, printing text from outside
 * and JSON.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "query.h"
#include "safe.h"
#include "secret.h"
#include "stage.h"
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
	if (json_dumpf(j, fp, flags) != 0)
		return error("cannot write the JSON document");
	fputc('\n', fp);
	return 0;
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
