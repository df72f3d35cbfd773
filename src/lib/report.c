/*
 * report.c: the report stage (report.h): what is new becomes reports,
 * each recorded whole before it is sent; then every report due is sent
 * through SMTP or written as an .eml file.
 *
 * A report row and the mark on what it reports are one transaction, so
 * a crash before the commit makes the report again and a crash after
 * it sends it at the next run.  The row is marked sent only after the
 * server took the message: a crash in between sends it twice, with the
 * same Message-ID, so that mail clients fold the two.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "mail.h"
#include "report.h"
#include "report_impl.h"
#include "retry.h"
#include "store_report.h"
#include "util.h"

/*
 * The tries of a report the server answered for (a 4xx to its
 * recipients or its data, or no reply at its end) before it is given
 * up: at the default retry_delay of 60 s, some two hours of backoff.
 */
#define REPORT_TRIES_MAX	8

void
report_draft_init(struct report_draft *d, const char *kind,
    const char *tree, const char *branch)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->tree = tree;
	d->branch = branch;
	buf_init(&d->subject, 0);
	buf_init(&d->body, 0);
}

void
report_draft_release(struct report_draft *d)
{
	free(d->key);
	report_list_free(d->cc);
	buf_release(&d->subject);
	buf_release(&d->body);
	memset(d, 0, sizeof(*d));
}

/* The recipients as the JSON array the report row keeps. */
static char *
recipients_json(char *const *rcpts)
{
	json_t *arr;
	char *s;
	size_t i;

	arr = json_array();
	for (i = 0; rcpts[i] != NULL; i++)
		json_array_append_new(arr, json_string(rcpts[i]));
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (s == NULL)
		die_oom();
	return s;
}

/* The recipients of a row back: a NULL-terminated list, or NULL. */
static char **
recipients_parse(const char *s)
{
	json_error_t e;
	json_t *arr, *v;
	char **out;
	size_t i;

	arr = json_loads(s != NULL ? s : "", 0, &e);
	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		json_decref(arr);
		return NULL;
	}
	out = xcalloc(json_array_size(arr) + 1, sizeof(*out));
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			report_list_free(out);
			json_decref(arr);
			return NULL;
		}
		out[i] = xstrdup(json_string_value(v));
	}
	json_decref(arr);
	return out;
}

/* A list on one line, for a dry run. */
static void
print_list(FILE *fp, const char *name, char *const *v)
{
	size_t i;

	if (v == NULL || v[0] == NULL)
		return;
	fprintf(fp, "%s: ", name);
	for (i = 0; v[i] != NULL; i++)
		fprintf(fp, "%s%s", i ? ", " : "", v[i]);
	fputc('\n', fp);
}

static void
print_draft(const struct report_draft *d, const struct mail *m)
{
	printf("=== report %s (%s%s%s)\n", d->key, d->tree,
	    *d->branch != '\0' ? "/" : "", d->branch);
	print_list(stdout, "To", m->to);
	print_list(stdout, "Cc", m->cc);
	printf("Subject: %s\n", d->subject.ptr);
	printf("Message-ID: %s\n", m->message_id);
	if (m->in_reply_to != NULL)
		printf("In-Reply-To: %s\n", m->in_reply_to);
	printf("\n%s\n", d->body.ptr);
}

int
report_mark(struct report_ctx *x, long long checkout, long long bisection)
{
	int rc;

	if (x->dry_run)
		return 0;
	if (db_begin(x->db) != 0)
		return -1;
	rc = 0;
	if (checkout > 0)
		rc = store_report_checkout_done(x->db, checkout);
	if (rc == 0 && bisection > 0)
		rc = store_report_bisection_done(x->db, bisection);
	return db_end(x->db, rc);
}

/* Insert the report and mark what it stands for, in one transaction. */
static int
insert(struct report_ctx *x, const struct report_draft *d,
    struct report_row *r)
{
	int rc;

	if (db_begin(x->db) != 0)
		return -1;
	rc = store_report_add(x->db, r);
	/* made before and recorded: a crash came before the mark */
	if (rc == 1)
		rc = 0;
	if (rc == 0 && d->checkout > 0)
		rc = store_report_checkout_done(x->db, d->checkout);
	if (rc == 0 && d->bisection > 0)
		rc = store_report_bisection_done(x->db, d->bisection);
	rc = db_end(x->db, rc);
	if (rc == 0)
		crashpoint("report-recorded");
	return rc;
}

/*
 * The addresses of in that a message can go to, at most max of them:
 * each invalid one or one past max left out with a warning naming what
 * (To or Cc) and the report.  NULL-terminated, never NULL.
 */
static char **
usable(const struct report_draft *d, const char *what, char *const *in,
    size_t max)
{
	char **out;
	size_t i, k, over;

	for (i = 0; in != NULL && in[i] != NULL; i++)
		;
	out = xcalloc(i + 1, sizeof(*out));
	k = over = 0;
	for (i = 0; in != NULL && in[i] != NULL; i++) {
		if (!mail_address_ok(in[i]))
			warning("report %s: %s address '%.80s' is not one mail "
			    "can go to: left out", d->key, what, in[i]);
		else if (k == max)
			over++;
		else
			out[k++] = xstrdup(in[i]);
	}
	if (over > 0)
		warning("report %s: %zu %s addresses past the %d a message has: "
		    "left out", d->key, over, what, MAIL_RCPT_MAX);
	return out;
}

/*
 * A report whose message cannot be made, recorded failed with why, and
 * what it stands for marked, so that no run tries it again.
 */
static int
record_unmade(struct report_ctx *x, const struct report_draft *d,
    const char *mid, const char *why)
{
	struct report_row r;
	char *err;
	int rc;

	warning("report %s is given up: no run makes it again", d->key);
	err = xasprintf("its message cannot be made: %s", why);
	memset(&r, 0, sizeof(r));
	r.kind = (char *)d->kind;
	r.key = d->key;
	r.tree = (char *)d->tree;
	r.branch = (char *)d->branch;
	r.message_id = (char *)(mid != NULL ? mid : "");
	r.subject = d->subject.ptr;
	r.recipients = (char *)"[]";
	r.message = (char *)"";
	r.created = x->now;
	if (db_begin(x->db) != 0) {
		free(err);
		return -1;
	}
	rc = store_report_add(x->db, &r);
	if (rc == 0)
		rc = store_report_fail(x->db, r.id, err, x->now);
	else if (rc == 1)
		rc = 0;
	if (rc == 0 && d->checkout > 0)
		rc = store_report_checkout_done(x->db, d->checkout);
	if (rc == 0 && d->bisection > 0)
		rc = store_report_bisection_done(x->db, d->bisection);
	free(err);
	rc = db_end(x->db, rc);
	if (rc == 0)
		x->stats->failed++;
	return rc;
}

int
report_record(struct report_ctx *x, struct report_draft *d)
{
	struct buf why = BUF_INIT;
	struct report_row r;
	struct mail m;
	char *hkey, *mid, *root, *last, *refs, *msg, **rcpts, **to, **cc;
	size_t len, nto;
	int rc;

	rc = -1;
	root = last = refs = msg = NULL;
	rcpts = NULL;
	/* a trailer or a config could give more than a message takes */
	to = usable(d, "To", d->to, MAIL_RCPT_MAX);
	for (nto = 0; to[nto] != NULL; nto++)
		;
	cc = usable(d, "Cc", d->cc, MAIL_RCPT_MAX - nto);
	/* the database's instance: a rebuilt one never reuses an id */
	hkey = xasprintf("%s/%s", x->instance, d->key);
	log_catch(&why);
	mid = mail_message_id(d->kind, hkey,
	    mail_address_domain(x->from_addr));
	if (mid != NULL && store_report_thread(x->db, d->tree, d->branch,
	    &root, &last) != 0) {
		log_uncatch(&why, NULL);
		goto out;
	}
	if (root != NULL && strcmp(root, last) != 0)
		refs = xasprintf("%s %s", root, last);
	else if (root != NULL)
		refs = xstrdup(root);
	memset(&m, 0, sizeof(m));
	m.from = x->cfg->email_from;
	m.to = to;
	m.cc = cc;
	m.subject = d->subject.ptr;
	m.message_id = mid;
	m.in_reply_to = last;
	m.references = refs;
	m.body = d->body.ptr;
	m.date = x->now;
	msg = mid != NULL ? mail_format(&m, &len) : NULL;
	rcpts = msg != NULL ? mail_recipients(&m) : NULL;
	log_uncatch(&why, "no recipient");
	if (msg == NULL || rcpts == NULL) {
		error("report %s: cannot make its message", d->key);
		x->failed = 1;
		rc = x->dry_run ? 1 : record_unmade(x, d, mid, why.ptr);
		if (rc == 0)
			rc = 1;
		goto out;
	}
	if (x->dry_run) {
		print_draft(d, &m);
		rc = 0;
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.kind = (char *)d->kind;
	r.key = d->key;
	r.tree = (char *)d->tree;
	r.branch = (char *)d->branch;
	r.message_id = mid;
	r.subject = d->subject.ptr;
	r.recipients = recipients_json(rcpts);
	r.message = msg;
	r.created = x->now;
	rc = insert(x, d, &r);
	free(r.recipients);
	if (rc == 0)
		info("report %s recorded: %s", d->key, d->subject.ptr);
out:
	if (rcpts != NULL)
		mail_list_free(rcpts);
	report_list_free(to);
	report_list_free(cc);
	buf_release(&why);
	free(msg);
	free(refs);
	free(root);
	free(last);
	free(mid);
	free(hkey);
	return rc;
}

/* The .eml file name of a report: its id and key, "12-summary-3". */
static char *
eml_name(const struct report_row *r)
{
	char *name, *p;

	name = xasprintf("%lld-%.80s", r->id, r->key);
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			*p = '-';
	return name;
}

/* Without smtp_url: each report as <data_dir>/reports/<name>.eml. */
static int
write_eml(struct report_ctx *x, const struct report_row *r,
    const char *dir)
{
	char *name;
	int rc;

	name = eml_name(r);
	rc = mail_write_eml(dir, name, r->message, r->message_len);
	if (rc == 0) {
		info("report %lld (%s) written to %s/%s.eml", r->id, r->key,
		    dir, name);
		rc = db_begin(x->db);
		if (rc == 0)
			rc = db_end(x->db, store_report_finish(x->db, r->id,
			    REPORT_WRITTEN, NULL, x->now));
		if (rc == 0)
			x->stats->written++;
	} else {
		/* the disk's fault, not the report's: the next run */
		x->failed = 1;
		x->stats->retry++;
		rc = 0;
	}
	free(name);
	return rc;
}

/* The password of settings.email.token_env; 0, or 1 when it is missing. */
static int
smtp_password(const struct config *cfg, const char **password)
{
	*password = NULL;
	if (cfg->smtp_token_env == NULL)
		return 0;
	*password = config_token(cfg->smtp_token_env,
	    "settings.email.token_env", "sending reports");
	return cfg->smtp_user != NULL && *password == NULL;
}

/*
 * Give up on r after its last try: failed, or sent when some of its
 * recipients got it at an earlier try (the rest named in its error).
 */
static int
give_up(struct report_ctx *x, const struct report_row *r, const char *why,
    int refused)
{
	if (r->retry_rcpts != NULL) {
		x->stats->sent++;
		warning("report %lld (%s) given up for %s: %s", r->id, r->key,
		    r->retry_rcpts, why);
		return store_report_finish(x->db, r->id, REPORT_SENT, why,
		    x->now);
	}
	x->stats->failed++;
	x->failed = 1;
	if (refused)
		error("report %lld (%s) refused for good, not sent again: %s",
		    r->id, r->key, why);
	else
		error("report %lld (%s) not sent, given up: %s", r->id, r->key,
		    why);
	return store_report_fail(x->db, r->id, why, x->now);
}

/*
 * Record what one try of r came to, in the caller's transaction: see
 * send_one().  retry is what mail_send() said is owed.
 */
static int
settle(struct report_ctx *x, const struct report_row *r,
    enum mail_result res, int early, char **retry, struct buf *err)
{
	const struct config *cfg = x->cfg;
	long long attempts, next;
	char *json, *why, when[32];
	int rc;

	next = x->now + retry_backoff(cfg->retry_delay, r->attempts + 1);
	time_rfc3339((time_t)next, when, sizeof(when));
	/* the server or our settings: not this report's try */
	attempts = res == MAIL_RETRY && early ? r->attempts : r->attempts + 1;
	json = retry != NULL ? recipients_json(retry) : NULL;
	why = NULL;
	if (res == MAIL_FAIL) {
		rc = give_up(x, r, err->ptr, 1);
	} else if (res == MAIL_SENT && retry == NULL) {
		/* what an earlier try said of those refused stays */
		if (err->len == 0 && r->retry_rcpts != NULL)
			why = xasprintf("sent at last to %s; before: %s",
			    r->retry_rcpts, r->error != NULL ? r->error : "");
		rc = store_report_finish(x->db, r->id, REPORT_SENT, why != NULL ?
		    why : err->len > 0 ? err->ptr : NULL, x->now);
		x->stats->sent++;
		info("report %lld (%s) sent", r->id, r->key);
		if (err->len > 0)
			warning("report %lld (%s): %s", r->id, r->key,
			    err->ptr);
	} else if (res == MAIL_RETRY && early) {
		rc = store_report_retry(x->db, r->id, attempts, next,
		    r->retry_rcpts, err->ptr);
		x->stats->retry++;
		x->failed = 1;
		error("report %lld (%s) not sent, tried again from %s: %s; the "
		    "server or settings.email is at fault, not the report: "
		    "the reports wait", r->id, r->key, when, err->ptr);
	} else if (attempts >= REPORT_TRIES_MAX) {
		why = xasprintf("%lld tries, the last: %s", attempts, err->ptr);
		if (res == MAIL_SENT) {
			/* some got it now; err names the others */
			rc = store_report_finish(x->db, r->id, REPORT_SENT,
			    why, x->now);
			x->stats->sent++;
			warning("report %lld (%s) sent, given up for those "
			    "still refused: %s", r->id, r->key, why);
		} else {
			rc = give_up(x, r, why, 0);
		}
	} else {
		if (json == NULL && res == MAIL_RETRY && r->retry_rcpts != NULL)
			json = xstrdup(r->retry_rcpts);
		rc = store_report_retry(x->db, r->id, attempts, next, json,
		    err->ptr);
		x->stats->retry++;
		/* sent, and a 4xx for some: greylisting, a matter of time */
		if (res == MAIL_SENT)
			info("report %lld (%s) sent to some", r->id, r->key);
		else
			x->failed = 1;
		warning("report %lld (%s) not sent%s, tried again from %s: %s",
		    r->id, r->key, res == MAIL_SENT ? " to all" : "", when,
		    err->ptr);
	}
	free(json);
	free(why);
	return rc;
}

/*
 * Send one report: 0 when it is done with for this run, 1 when the
 * server could not take it now (the others wait for the next run), -1
 * on a database error.  A report owed to some of its recipients only
 * (retry_rcpts) goes to them, the same message.
 */
static int
send_one(struct report_ctx *x, const struct report_row *r,
    const char *password)
{
	const struct config *cfg = x->cfg;
	struct buf err = BUF_INIT;
	enum mail_result res;
	char **rcpts, **retry;
	int rc, early;

	retry = NULL;
	early = 0;
	rcpts = recipients_parse(r->retry_rcpts != NULL ? r->retry_rcpts :
	    r->recipients);
	if (rcpts == NULL) {
		buf_puts(&err, "its recipients cannot be read");
		res = MAIL_FAIL;
	} else {
		res = mail_send(cfg->smtp_url, cfg->smtp_user, password,
		    x->from_addr, rcpts, r->message, r->message_len, &retry,
		    &early, &err);
		report_list_free(rcpts);
	}
	/* a kill here sends it again: the one duplicate we allow */
	crashpoint("report-sent");
	rc = db_begin(x->db);
	if (rc == 0)
		rc = db_end(x->db, settle(x, r, res, early, retry, &err));
	mail_list_free(retry);
	buf_release(&err);
	if (rc != 0)
		return -1;
	return res == MAIL_RETRY;
}

/* Send or write every report that is due. */
static int
send_due(struct report_ctx *x)
{
	const struct config *cfg = x->cfg;
	struct report_row *rows;
	const char *password;
	char *dir;
	size_t i, n;
	int rc;

	if (store_report_due(x->db, x->now, &rows, &n) != 0)
		return -1;
	rc = 0;
	dir = NULL;
	if (n == 0 || x->dry_run) {
		for (i = 0; i < n; i++)
			printf("=== report %s would be %s (%s)\n", rows[i].key,
			    cfg->smtp_url != NULL ? "sent" : "written",
			    rows[i].attempts > 0 ? "tried before" :
			    "recorded before");
		goto out;
	}
	if (cfg->smtp_url == NULL) {
		dir = config_data_path(cfg, "reports");
		if (fs_mkdir_p(dir) != 0) {
			x->failed = 1;
			x->stats->retry += (long)n;
			goto out;
		}
		for (i = 0; i < n && rc == 0; i++)
			rc = write_eml(x, &rows[i], dir);
		goto out;
	}
	if (smtp_password(cfg, &password) != 0) {
		error("settings.email.user is set but %s is not: %zu reports "
		    "wait for it", cfg->smtp_token_env, n);
		x->failed = 1;
		x->stats->retry += (long)n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = send_one(x, &rows[i], password);
		if (rc != 0)
			break;
	}
	/* after a failure that may pass, the server is asked next run */
	if (rc > 0) {
		x->stats->retry += (long)(n - i - 1);
		rc = 0;
	}
out:
	free(dir);
	store_report_list_free(rows, n);
	return rc;
}

/* Every branch head and bisection not yet looked at. */
static int
look_at_new(struct report_ctx *x)
{
	long long *ids;
	size_t i, n;
	int rc;

	if (store_report_unreported_checkouts(x->db, &ids, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++)
		rc = report_summary(x, ids[i]);
	free(ids);
	if (rc != 0)
		return -1;
	if (store_report_unreported_bisections(x->db, &ids, &n) != 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = report_bisection(x, ids[i]);
	free(ids);
	return rc;
}

int
report_stage(const struct config *cfg, struct db *db, int dry_run,
    struct report_stats *stats)
{
	struct report_ctx x;
	long long n;
	int rc;

	if (cfg->email_from == NULL) {
		/* no reports: what is done now is not mailed later */
		if (dry_run) {
			printf("settings.email is not set: no reports\n");
			return 0;
		}
		if (store_report_mark_all(db, &n) != 0)
			return -1;
		debug("settings.email is not set: %lld marked reported", n);
		return 0;
	}
	memset(&x, 0, sizeof(x));
	x.cfg = cfg;
	x.db = db;
	x.dry_run = dry_run;
	x.now = (long long)time(NULL);
	x.stats = stats;
	x.from_addr = mail_address_from_trailer(cfg->email_from);
	x.instance = db_instance(db);
	if (x.from_addr == NULL) {
		rc = error("settings.email.from '%s' is not an address reports "
		    "can be sent from", cfg->email_from);
		goto out;
	}
	rc = look_at_new(&x);
	if (rc == 0)
		rc = report_digest(&x);
	if (rc == 0)
		rc = send_due(&x);
out:
	free(x.from_addr);
	free(x.instance);
	if (rc < 0)
		return -1;
	return x.failed ? 1 : 0;
}
