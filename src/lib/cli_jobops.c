/*
 * cli_jobops.c: `maestrino retry` and `maestrino cancel`, what a person
 * does to jobs by hand.  A retry is a new job row that repeats a
 * finished one (job.retry_of); a cancel stops a job in its lab and ends
 * it as one that never ran (collect_cancel()).
 */
#include <getopt.h>
#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "collect.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "job.h"
#include "kcidb_doc.h"
#include "log.h"
#include "runtime.h"
#include "stage.h"
#include "store_checkout.h"
#include "store_job.h"
#include "ynode.h"
#include "util.h"

static const char retry_usage[] =
	"usage: maestrino retry [options] JOB... | --checkout N --failed "
	"[--json]\n"
	"\n"
	"Queue a new attempt of each finished job named, or of every job of\n"
	"checkout N that failed (result fail or incomplete, or a build or\n"
	"test FAIL, ERROR or MISS): a test again on the same build, a build\n"
	"again from the same tarball.  The new job is <job>-r<n>; the earlier\n"
	"attempt stays in the history.  The next run submits it.\n"
	"\n"
	"  --checkout N      the jobs of checkout N (with --failed)\n"
	"  --failed          only those that failed\n"
	"  --json            print {\"retried\": [{\"job\": ..., \"new\": ...}]}\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all queued, 1 some job is unknown, unfinished, "
	"cancelled,\nretried already, or its build or test entry or lab is "
	"no longer in the\nconfig (the others are queued), 2 usage, "
	"config or database error.\n";

static const char cancel_usage[] =
	"usage: maestrino cancel [options] JOB... | --checkout N [--json]\n"
	"\n"
	"Cancel each job named, or every unfinished job of checkout N: a\n"
	"local worker is killed, a LAVA job cancelled through the server's\n"
	"API, a Slurm job stopped with scancel, a pull-lab job taken out of\n"
	"the index.  The job ends done, incomplete ('cancelled'), is\n"
	"reported to KCIDB as never run (MISS) and is never retried.  When\n"
	"its lab cannot be told now, the job is marked and the next run\n"
	"tells it.\n"
	"\n"
	"  --checkout N      every unfinished job of checkout N; no more\n"
	"                    jobs or tests are made for it\n"
	"  --json            print {\"cancelled\": [...], \"marked\": [...]}\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all cancelled, 1 some job is unknown, finished "
	"already or\nonly marked (the others are cancelled), 2 usage, "
	"config or database error.\n";

struct opts {
	const char	*confdir;
	long		 checkout;
	int		 failed;
	int		 json;
	char	       **jobs;
	int		 njobs;
};

/* What parse() returns after printing the usage for -h. */
#define HELPED	(-1)

/* Parse the options; EXIT_OK to go on, HELPED, or the exit status. */
static int
parse(int argc, char **argv, const char *confdir, const char *usage,
    int retry, struct opts *o)
{
	static const struct option opts[] = {
		{ "checkout", required_argument, NULL, 'C' },
		{ "failed", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->confdir = confdir;
	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		switch (c) {
		case 'C':
			if (parse_long(optarg, 1, LONG_MAX, &o->checkout) !=
			    0) {
				error("--checkout '%s': not a checkout id",
				    optarg);
				return EXIT_FATAL;
			}
			break;
		case 'F':
			if (!retry) {
				fputs(usage, stderr);
				return EXIT_FATAL;
			}
			o->failed = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		default:
			rc = stage_option(c, optarg, &o->confdir, usage);
			if (rc != STAGE_OPT_TAKEN)
				return rc == STAGE_OPT_HELP ? HELPED :
				    EXIT_FATAL;
		}
	}
	o->jobs = argv + optind;
	o->njobs = argc - optind;
	if ((o->njobs > 0) == (o->checkout > 0)) {
		error("%s: name jobs or --checkout N, not %s", argv[0],
		    o->njobs > 0 ? "both" : "neither");
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	if (retry && (o->checkout > 0) != o->failed) {
		error("retry: --checkout N goes with --failed");
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	return EXIT_OK;
}

/* Open the database under the data-dir lock; EXIT_OK or the status. */
static int
open_stage(struct stage *st, const char *name, const struct opts *o)
{
	struct checkout_row c;
	int rc, r;

	rc = stage_open_command(st, name, o->confdir);
	if (rc != EXIT_OK)
		return rc;
	if (o->checkout > 0) {
		r = store_checkout_get(st->db, o->checkout, &c);
		if (r == 0)
			store_checkout_release(&c);
		if (r < 0) {
			stage_close(st);
			return EXIT_FATAL;
		}
		if (r > 0) {
			error("checkout %ld: no such checkout", o->checkout);
			stage_close(st);
			return EXIT_ITEMS;
		}
	}
	return EXIT_OK;
}

static void
print_json(json_t *doc)
{
	char *text;

	text = json_dumps(doc, JSON_INDENT(2));
	if (text != NULL)
		printf("%s\n", text);
	free(text);
}

/* ---- retry ---- */

static int
id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/*
 * s with each old that stands alone (no job id character either side)
 * made new; NULL when there is none.
 */
static char *
replace_id(const char *s, const char *old, const char *new)
{
	struct buf b = BUF_INIT;
	const char *p, *hit;
	size_t n;
	int any;

	n = strlen(old);
	any = 0;
	for (p = s; (hit = strstr(p, old)) != NULL; p = hit + n) {
		buf_add(&b, p, (size_t)(hit - p));
		if ((hit == s || !id_char(hit[-1])) && !id_char(hit[n])) {
			buf_puts(&b, new);
			any = 1;
		} else {
			buf_add(&b, hit, n);
		}
	}
	buf_puts(&b, p);
	if (!any) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/*
 * The job's id in every value of its definition (a build's id and
 * storage, a test's job_name and metadata) made the new one: the
 * attempt is a job of its own, with a name unique in its lab.
 */
static void
rename_ids(struct ynode *n, const char *old, const char *new)
{
	char *v;
	size_t i;

	if (n == NULL)
		return;
	if (n->type == YNODE_SCALAR) {
		v = n->value != NULL ? replace_id(n->value, old, new) : NULL;
		if (v != NULL) {
			free(n->value);
			n->value = v;
		}
		return;
	}
	for (i = 0; i < n->n; i++)
		rename_ids(n->items[i], old, new);
}

/* The id of the next attempt of j: <first job>-r<n>, not taken yet. */
static int
next_id(struct db *db, const struct job_row *j, char **out)
{
	struct job_row other;
	const char *dash;
	char *base, *id;
	long n, k;
	int r;

	base = xstrdup(j->id);
	dash = strrchr(base, '-');
	if (j->retry_of != NULL && dash != NULL && dash[1] == 'r' &&
	    parse_long(dash + 2, 2, LONG_MAX, &n) == 0)
		base[dash - base] = '\0';
	for (k = 2;; k++) {
		id = xasprintf("%s-r%ld", base, k);
		r = store_job_get(db, id, &other);
		if (r == 0)
			store_job_release(&other);
		if (r != 0)
			break;
		free(id);
	}
	free(base);
	if (r < 0) {
		free(id);
		return -1;
	}
	*out = id;
	return 0;
}

/* Write the definition of attempt id, made from j's, to *path. */
static int
copy_definition(const struct config *cfg, const struct job_row *j,
    const char *id, char **path)
{
	struct buf b = BUF_INIT;
	struct ynode *def;
	char *dir;
	int rc;

	if (ynode_parse_file(j->definition, &def) != 0)
		return error("job %s: cannot read its definition '%s'", j->id,
		    j->definition);
	rename_ids(def, j->id, id);
	dir = config_data_path(cfg, "jobs");
	*path = xasprintf("%s/%s.yaml", dir, id);
	rc = ynode_emit_buf(def, &b);
	if (rc == 0)
		rc = fs_mkdir_p(dir);
	if (rc == 0)
		rc = fs_write_atomic(*path, b.ptr, b.len, 0);
	if (rc != 0) {
		error("job %s: cannot write the definition '%s'", id, *path);
		free(*path);
		*path = NULL;
	}
	ynode_free(def);
	buf_release(&b);
	free(dir);
	return rc;
}

/*
 * Queue a new attempt of j.  0 with *new_id, 1 when j cannot be retried
 * (said), -1 on a database error.
 */
static int
retry_one(const struct config *cfg, struct db *db, struct job_row *j,
    char **new_id)
{
	char *id, *def, *link, *other, *instance, why[320];
	int rc;

	if (j->state != JOB_DONE) {
		error("job %s: still %s; only a finished job can be retried",
		    j->id, job_state_name(j->state));
		return 1;
	}
	if (j->error_code != NULL && strcmp(j->error_code,
	    JOB_CANCELLED) == 0) {
		error("job %s: was cancelled; a cancelled job is not retried",
		    j->id);
		return 1;
	}
	if (collect_entry_gone(cfg, j, why, sizeof(why))) {
		error("job %s: %s; not retried", j->id, why);
		return 1;
	}
	if (config_lab(cfg, j->runtime) == NULL) {
		error("job %s: lab '%s' is no longer in the config; not "
		    "retried", j->id, j->runtime);
		return 1;
	}
	if (store_job_retried(db, j->id, &other) != 0)
		return -1;
	if (other != NULL) {
		error("job %s: retried already as %s; retry that one", j->id,
		    other);
		free(other);
		return 1;
	}
	if (next_id(db, j, &id) != 0)
		return -1;
	def = link = NULL;
	if (copy_definition(cfg, j, id, &def) != 0) {
		free(id);
		return 1;
	}
	/* the KCIDB id of the build this one repeats */
	instance = db_instance(db);
	link = kcidb_local_id(cfg->origin, instance, j->id, NULL);
	free(instance);
	rc = db_begin(db);
	if (rc == 0)
		rc = db_end(db, store_job_add_retry(db, j, id, def, link));
	free(def);
	free(link);
	if (rc != 0) {
		free(id);
		return -1;
	}
	*new_id = id;
	return 0;
}

/*
 * The jobs named on the command line, in order, into *list; one not
 * there is said and makes *status EXIT_ITEMS.  0, or -1 on a database
 * error.
 */
static int
named_jobs(struct db *db, const struct opts *o, struct job_row **list,
    size_t *n, int *status)
{
	struct job_row j;
	size_t i;
	int r;

	*list = xcalloc((size_t)o->njobs, sizeof(**list));
	*n = 0;
	for (i = 0; i < (size_t)o->njobs; i++) {
		r = store_job_get(db, o->jobs[i], &j);
		if (r < 0)
			return -1;
		if (r > 0) {
			error("job %s: no such job", o->jobs[i]);
			*status = EXIT_ITEMS;
		} else
			(*list)[(*n)++] = j;
	}
	return 0;
}

int
cli_retry(int argc, char **argv, const char *confdir)
{
	struct opts o;
	struct stage st;
	struct job_row *list;
	json_t *doc, *arr, *e;
	size_t n, i;
	char *id;
	int rc, r, status;

	status = parse(argc, argv, confdir, retry_usage, 1, &o);
	if (status != EXIT_OK)
		return status == HELPED ? EXIT_OK : status;
	if ((status = open_stage(&st, "retry", &o)) != EXIT_OK)
		return status;
	list = NULL;
	n = 0;
	if (o.checkout > 0) {
		rc = store_job_of_checkout(st.db, o.checkout, 1, &list, &n);
	} else {
		rc = named_jobs(st.db, &o, &list, &n, &status);
	}
	doc = json_object();
	arr = json_array();
	json_object_set_new(doc, "retried", arr);
	for (i = 0; i < n && rc == 0; i++) {
		id = NULL;
		r = retry_one(st.cfg, st.db, &list[i], &id);
		if (r < 0) {
			rc = -1;
		} else if (r > 0) {
			status = EXIT_ITEMS;
		} else {
			e = json_object();
			json_object_set_new(e, "job", json_string(list[i].id));
			json_object_set_new(e, "new", json_string(id));
			json_array_append_new(arr, e);
			if (!o.json)
				printf("job %s: retried as %s\n", list[i].id,
				    id);
		}
		free(id);
	}
	if (rc == 0 && o.checkout > 0 && n == 0 && !o.json)
		printf("checkout %ld: no failed job to retry\n", o.checkout);
	if (rc == 0 && o.json)
		print_json(doc);
	json_decref(doc);
	store_job_list_free(list, n);
	stage_close(&st);
	return rc != 0 ? EXIT_FATAL : status;
}

/* ---- cancel ---- */

#define CANCEL_WHY	"cancelled by maestrino cancel"

/*
 * Cancel j: 0 done, 1 when it is finished already or only marked
 * (said; with the reason in err when marked), -1 on a database error.
 */
static int
cancel_one(const struct config *cfg, struct db *db, struct job_row *j,
    struct buf *err)
{
	struct runtime rt, *rtp;
	int r;

	if (j->state == JOB_DONE) {
		error("job %s: finished already (%s%s%s); not cancelled",
		    j->id, j->result ? j->result : "?", j->error_code ?
		    ", " : "", j->error_code ? j->error_code : "");
		return 1;
	}
	rtp = runtime_get(cfg, db, j->runtime, &rt) == 0 ? &rt : NULL;
	if (rtp == NULL && j->state != JOB_PENDING &&
	    j->state != JOB_FAILED_SUBMIT)
		warning("job %s: lab '%s' is no longer in the config; "
		    "cancelled here only", j->id, j->runtime);
	log_catch(err);
	r = collect_cancel(cfg, db, rtp, j, CANCEL_WHY, err);
	log_uncatch(err, "the lab refused");
	if (r > 0)
		error("job %s: lab %s could not be told (%s); marked, the "
		    "next run cancels it", j->id, j->runtime, err->ptr);
	return r;
}

int
cli_cancel(int argc, char **argv, const char *confdir)
{
	struct buf err = BUF_INIT;
	struct opts o;
	struct stage st;
	struct job_row *list;
	json_t *doc, *done, *marked, *e;
	long long stopped;
	size_t n, i, k;
	int rc, r, status;

	status = parse(argc, argv, confdir, cancel_usage, 0, &o);
	if (status != EXIT_OK)
		return status == HELPED ? EXIT_OK : status;
	if ((status = open_stage(&st, "cancel", &o)) != EXIT_OK)
		return status;
	list = NULL;
	n = 0;
	stopped = 0;
	if (o.checkout > 0) {
		/* first no more jobs, lest the next run make new ones */
		rc = db_begin(st.db);
		if (rc == 0)
			rc = db_end(st.db, store_job_stop_checkout(st.db,
			    o.checkout, &stopped));
		if (rc == 0)
			rc = store_job_of_checkout(st.db, o.checkout, 0, &list,
			    &n);
		/* the unfinished ones */
		for (i = k = 0; i < n; i++) {
			if (list[i].state == JOB_DONE)
				store_job_release(&list[i]);
			else
				list[k++] = list[i];
		}
		n = k;
	} else {
		rc = named_jobs(st.db, &o, &list, &n, &status);
	}
	doc = json_object();
	done = json_array();
	marked = json_array();
	json_object_set_new(doc, "cancelled", done);
	json_object_set_new(doc, "marked", marked);
	if (o.checkout > 0)
		json_object_set_new(doc, "stopped", json_boolean(stopped > 0));
	if (rc == 0 && stopped > 0 && !o.json)
		printf("checkout %ld: stopped; no more jobs are made for it\n",
		    o.checkout);
	for (i = 0; i < n && rc == 0; i++) {
		buf_reset(&err);
		r = cancel_one(st.cfg, st.db, &list[i], &err);
		if (r < 0) {
			rc = -1;
			continue;
		}
		if (r > 0)
			status = EXIT_ITEMS;
		if (r > 0 && list[i].state == JOB_DONE)
			continue;
		e = json_object();
		json_object_set_new(e, "job", json_string(list[i].id));
		if (r > 0)
			json_object_set_new(e, "error", json_string(err.ptr));
		json_array_append_new(r == 0 ? done : marked, e);
		if (!o.json && r == 0)
			printf("job %s: cancelled\n", list[i].id);
		else if (!o.json)
			printf("job %s: marked for cancel\n", list[i].id);
	}
	if (rc == 0 && o.checkout > 0 && n == 0 && stopped == 0 && !o.json)
		printf("checkout %ld: no unfinished job to cancel\n",
		    o.checkout);
	if (rc == 0 && o.json)
		print_json(doc);
	json_decref(doc);
	buf_release(&err);
	store_job_list_free(list, n);
	stage_close(&st);
	return rc != 0 ? EXIT_FATAL : status;
}
