/*
 * cli_show.c: `maestrino show build|test|job ID` prints one row of the
 * database, and `maestrino log JOB` the log a job left in storage.
 */
#include <getopt.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "query.h"
#include "safe.h"
#include "site_page.h"
#include "stage.h"
#include "store_build.h"
#include "store_job.h"
#include "store_test.h"
#include "util.h"

#define SHOW_JSON	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | \
			    JSON_REAL_PRECISION(9))
/* The largest log `log` prints: far more than a lab or worker keeps. */
#define LOG_MAX		((size_t)1 << 30)
/* The lines of a log excerpt the text of `show` prints. */
#define EXCERPT_LINES	30

/*
 * A row for people: "name  value" lines.  Values from outside go
 * through query_put(); a multi-line one (an excerpt) is indented.
 */
static void
field(FILE *fp, const char *name, const char *v)
{
	fprintf(fp, "%-12s ", name);
	query_put(fp, v);
	fputc('\n', fp);
}

static void
field_int(FILE *fp, const char *name, long long v)
{
	if (v != 0)
		fprintf(fp, "%-12s %lld\n", name, v);
	else
		fprintf(fp, "%-12s -\n", name);
}

static void
field_time(FILE *fp, const char *name, long long t)
{
	char iso[40];

	if (t <= 0) {
		fprintf(fp, "%-12s -\n", name);
		return;
	}
	time_rfc3339((time_t)t, iso, sizeof(iso));
	fprintf(fp, "%-12s %s\n", name, iso);
}

static void
field_lines(FILE *fp, const char *name, const char *text, size_t len)
{
	struct buf line = BUF_INIT;
	const char *p, *end, *nl;

	size_t lines, skip;

	if (text == NULL || len == 0)
		return;
	end = text + len;
	if (end[-1] == '\n')
		end--;
	for (lines = 1, p = text; p < end; p++)
		lines += *p == '\n';
	fprintf(fp, "%s:\n", name);
	/* the end of it, where a failure says why: --json has it all */
	p = text;
	if (lines > EXCERPT_LINES) {
		for (skip = lines - EXCERPT_LINES; skip > 0; p++)
			skip -= *p == '\n';
		fprintf(fp, "  [%zu lines before]\n", lines - EXCERPT_LINES);
	}
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		buf_reset(&line);
		buf_add(&line, p, (size_t)(nl - p));
		fputs("  ", fp);
		query_put(fp, line.ptr);
		fputc('\n', fp);
	}
	buf_release(&line);
}

/* A JSON text of ours (artifacts, misc), parsed again; null if none. */
static json_t *
jparse(const char *text)
{
	json_t *v;

	if (text == NULL)
		return json_null();
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	return v != NULL ? v : site_jstr(text);
}

static json_t *
jexcerpt(const char *s, size_t len)
{
	json_t *v;
	char *clean;

	if (s == NULL)
		return json_null();
	clean = safe_utf8(s, len, 0);
	v = json_string(clean);
	free(clean);
	return v;
}

static json_t *
jdur(int has, double d)
{
	return has ? json_real(d) : json_null();
}

static int
show_build(struct db *db, long long id, int json, FILE *fp)
{
	struct build_row b;
	json_t *o, *arts, *v;
	const char *k;
	char dur[32];
	int rc;

	rc = store_build_get(db, id, &b);
	if (rc != 0) {
		if (rc == 1)
			error("no build %lld", id);
		return rc;
	}
	if (json) {
		o = json_object();
		json_object_set_new(o, "id", json_integer(b.id));
		json_object_set_new(o, "checkout", json_integer(b.checkout_id));
		json_object_set_new(o, "job", site_jstr(b.job_id));
		json_object_set_new(o, "config", site_jstr(b.config_name));
		json_object_set_new(o, "kconfig", site_jstr(b.kconfig));
		json_object_set_new(o, "arch", site_jstr(b.arch));
		json_object_set_new(o, "compiler", site_jstr(b.compiler));
		json_object_set_new(o, "compiler_version",
		    site_jstr(b.compiler_version));
		json_object_set_new(o, "status", site_jstr(b.status));
		json_object_set_new(o, "start_time", site_jtime(b.start_time));
		json_object_set_new(o, "duration", jdur(b.has_duration,
		    b.duration));
		json_object_set_new(o, "log_url", site_jstr(b.log_url));
		json_object_set_new(o, "config_url", site_jstr(b.config_url));
		json_object_set_new(o, "artifacts", jparse(b.artifacts));
		json_object_set_new(o, "log_excerpt", jexcerpt(b.log_excerpt,
		    b.log_excerpt_len));
		rc = query_print_json(fp, o, SHOW_JSON);
		json_decref(o);
		store_build_release(&b);
		return rc;
	}
	fprintf(fp, "build %lld\n", b.id);
	field_int(fp, "checkout", b.checkout_id);
	field(fp, "job", b.job_id);
	field(fp, "config", b.config_name);
	if (b.kconfig != NULL)
		field(fp, "kconfig", b.kconfig);
	field(fp, "arch", b.arch);
	field(fp, "compiler", b.compiler);
	if (b.compiler_version != NULL)
		field(fp, "version", b.compiler_version);
	field(fp, "status", b.status ? b.status : "RUNNING");
	field_time(fp, "started", b.start_time);
	if (b.has_duration) {
		time_human(b.duration, dur, sizeof(dur));
		field(fp, "duration", dur);
	} else {
		field(fp, "duration", NULL);
	}
	field(fp, "log", b.log_url);
	field(fp, "config_url", b.config_url);
	arts = b.artifacts ? json_loads(b.artifacts, 0, NULL) : NULL;
	if (json_object_size(arts) > 0) {
		fputs("artifacts:\n", fp);
		json_object_foreach(arts, k, v) {
			fputs("  ", fp);
			field(fp, k, json_is_string(v) ?
			    json_string_value(v) : "?");
		}
	}
	json_decref(arts);
	field_lines(fp, "log excerpt", b.log_excerpt, b.log_excerpt_len);
	store_build_release(&b);
	return 0;
}

static int
show_test(struct db *db, long long id, int json, FILE *fp)
{
	struct test_row t;
	json_t *o, *misc;
	char dur[32];
	int rc;

	rc = store_test_get(db, id, &t);
	if (rc != 0) {
		if (rc == 1)
			error("no test %lld", id);
		return rc;
	}
	misc = jparse(t.misc);
	if (json) {
		o = json_object();
		json_object_set_new(o, "id", json_integer(t.id));
		json_object_set_new(o, "build", json_integer(t.build_id));
		json_object_set_new(o, "job", site_jstr(t.job_id));
		json_object_set_new(o, "path", site_jstr(t.path));
		json_object_set_new(o, "platform", site_jstr(t.platform));
		json_object_set_new(o, "compatible", jparse(t.compatible));
		json_object_set_new(o, "status", site_jstr(t.status));
		json_object_set_new(o, "start_time", site_jtime(t.start_time));
		json_object_set_new(o, "duration", jdur(t.has_duration,
		    t.duration));
		json_object_set_new(o, "value", t.has_number ?
		    json_real(t.number_value) : json_null());
		json_object_set_new(o, "unit", site_jstr(t.number_unit));
		json_object_set_new(o, "log_url", site_jstr(t.log_url));
		json_object_set_new(o, "lava_log_url", site_jstr(
		    json_string_value(json_object_get(misc, "lava_log_url"))));
		json_object_set_new(o, "log_excerpt", jexcerpt(t.log_excerpt,
		    t.log_excerpt_len));
		json_object_set_new(o, "misc", json_incref(misc));
		rc = query_print_json(fp, o, SHOW_JSON);
		json_decref(o);
		goto out;
	}
	fprintf(fp, "test %lld\n", t.id);
	field_int(fp, "build", t.build_id);
	field(fp, "job", t.job_id);
	field(fp, "path", t.path);
	field(fp, "platform", t.platform);
	field(fp, "status", t.status ? t.status : "RUNNING");
	if (t.has_number) {
		char v[64];

		snprintf(v, sizeof(v), "%g", t.number_value);
		fprintf(fp, "%-12s %s ", "value", v);
		query_put(fp, t.number_unit ? t.number_unit : "");
		fputc('\n', fp);
	}
	field_time(fp, "started", t.start_time);
	if (t.has_duration) {
		time_human(t.duration, dur, sizeof(dur));
		field(fp, "duration", dur);
	} else {
		field(fp, "duration", NULL);
	}
	field(fp, "log", t.log_url);
	if (json_object_get(misc, "lava_log_url") != NULL)
		field(fp, "lava_log", json_string_value(json_object_get(misc,
		    "lava_log_url")));
	if (json_object_get(misc, "lab_job_url") != NULL)
		field(fp, "lab_job", json_string_value(json_object_get(misc,
		    "lab_job_url")));
	if (json_object_get(misc, "error_msg") != NULL)
		field(fp, "error", json_string_value(json_object_get(misc,
		    "error_msg")));
	field_lines(fp, "log excerpt", t.log_excerpt, t.log_excerpt_len);
out:
	json_decref(misc);
	store_test_release(&t);
	return rc;
}

static int
show_job(struct db *db, const char *id, int json, FILE *fp)
{
	struct job_row j;
	long long build, tests;
	const char *retry_of;
	json_t *o;
	int rc;

	rc = store_job_get(db, id, &j);
	if (rc != 0) {
		if (rc == 1)
			error("no job '%s'", id);
		return rc;
	}
	retry_of = j.retry_of;
	build = j.build_id;
	tests = 0;
	if ((strcmp(j.kind, "kbuild") == 0 &&
	    query_job_build(db, id, &build) != 0) ||
	    db_run_int(db, &tests, "SELECT COUNT(*) FROM test WHERE "
	    "job_id = ?", "t", id) < 0) {
		rc = -1;
		goto out;
	}
	if (json) {
		o = json_object();
		json_object_set_new(o, "id", site_jstr(j.id));
		json_object_set_new(o, "kind", site_jstr(j.kind));
		json_object_set_new(o, "checkout", json_integer(j.checkout_id));
		json_object_set_new(o, "build", build > 0 ?
		    json_integer(build) : json_null());
		json_object_set_new(o, "config", site_jstr(j.config_name));
		json_object_set_new(o, "platform", site_jstr(j.platform));
		json_object_set_new(o, "runtime", site_jstr(j.runtime));
		json_object_set_new(o, "state", json_string(
		    job_state_name(j.state)));
		json_object_set_new(o, "attempt", json_integer(j.attempt));
		json_object_set_new(o, "result", site_jstr(j.result));
		json_object_set_new(o, "error_code", site_jstr(j.error_code));
		json_object_set_new(o, "error_msg", site_jstr(j.error_msg));
		json_object_set_new(o, "runtime_job_id",
		    site_jstr(j.runtime_job_id));
		json_object_set_new(o, "created", site_jtime(j.created));
		json_object_set_new(o, "submitted", site_jtime(j.submitted));
		json_object_set_new(o, "started", site_jtime(j.started));
		json_object_set_new(o, "finished", site_jtime(j.finished));
		json_object_set_new(o, "retry_of", site_jstr(retry_of));
		json_object_set_new(o, "tests", json_integer(tests));
		rc = query_print_json(fp, o, SHOW_JSON);
		json_decref(o);
		goto out;
	}
	fputs("job ", fp);
	query_put(fp, j.id);
	fputc('\n', fp);
	field(fp, "kind", j.kind);
	field_int(fp, "checkout", j.checkout_id);
	field_int(fp, "build", build);
	field(fp, "config", j.config_name);
	if (j.platform != NULL)
		field(fp, "platform", j.platform);
	field(fp, "runtime", j.runtime);
	field(fp, "state", job_state_name(j.state));
	field_int(fp, "attempt", j.attempt);
	field(fp, "result", j.result);
	if (j.error_code != NULL || j.error_msg != NULL) {
		field(fp, "error_code", j.error_code);
		field(fp, "error_msg", j.error_msg);
	}
	field(fp, "lab_job_id", j.runtime_job_id);
	field_time(fp, "created", j.created);
	field_time(fp, "submitted", j.submitted);
	field_time(fp, "started", j.started);
	field_time(fp, "finished", j.finished);
	if (retry_of != NULL)
		field(fp, "retry_of", retry_of);
	if (strcmp(j.kind, "test") == 0)
		fprintf(fp, "%-12s %lld\n", "results", tests);
out:
	store_job_release(&j);
	return rc;
}

static const char show_usage[] =
	"usage: maestrino show [options] build|test|job ID\n"
	"\n"
	"Show one build, test or job of the database with its fields: a\n"
	"build's checkout, config, arch, compiler, status, duration, logs\n"
	"and artifacts; a test's build, path, platform, status, log and\n"
	"excerpt; a job's kind, lab, state, attempt, result, error, lab job\n"
	"id, times and the attempt it retries.\n"
	"\n"
	"  --json            print it as one JSON object\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0, 1 no such object, 2 usage, config or database\n"
	"error.\n";

int
cli_show(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	const char *what, *arg;
	long long id;
	int c, json, rc;

	json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if ((rc = stage_option(c, optarg, &confdir,
		    show_usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	}
	if (argc - optind != 2) {
		error("show takes a kind (build, test or job) and an id "
		    "(see maestrino show -h)");
		return EXIT_FATAL;
	}
	what = argv[optind];
	arg = argv[optind + 1];
	id = 0;
	if (strcmp(what, "build") != 0 && strcmp(what, "test") != 0 &&
	    strcmp(what, "job") != 0) {
		error("show: unknown kind of object '%s' (build, test or job)",
		    what);
		return EXIT_FATAL;
	}
	if (strcmp(what, "job") != 0 && query_parse_id(what, arg, &id) != 0)
		return EXIT_FATAL;
	rc = query_open(&st, "show", confdir);
	if (rc != 0)
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	if (strcmp(what, "build") == 0)
		rc = show_build(st.db, id, json, stdout);
	else if (strcmp(what, "test") == 0)
		rc = show_test(st.db, id, json, stdout);
	else
		rc = show_job(st.db, arg, json, stdout);
	stage_close(&st);
	if (rc == 0 && fflush(stdout) != 0)
		rc = error("cannot write %s %s: %s", what, arg,
		    strerror(errno));
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_ITEMS : EXIT_FATAL;
}

/*
 * Write a log for a terminal: each line as safe_visible() shows it,
 * the newlines and tabs kept, so nothing in it moves the cursor or
 * recolours the screen.
 */
static void
put_log_visible(FILE *fp, const char *s, size_t len)
{
	struct buf piece = BUF_INIT, out = BUF_INIT;
	size_t i, start;

	for (i = start = 0; i <= len; i++) {
		if (i < len && s[i] != '\n' && s[i] != '\t')
			continue;
		buf_reset(&piece);
		buf_add(&piece, s + start, i - start);
		/* a NUL would cut the piece short: show it */
		buf_reset(&out);
		safe_visible(&out, piece.ptr);
		fputs(out.ptr, fp);
		if (strlen(piece.ptr) != piece.len)
			fputs("\\x00", fp);
		if (i < len)
			fputc(s[i], fp);
		start = i + 1;
	}
	buf_release(&piece);
	buf_release(&out);
}

static const char log_usage[] =
	"usage: maestrino log [options] JOB\n"
	"\n"
	"Print the log of JOB from storage: a build's build.log, a test's\n"
	"LAVA log (or its console when the lab gave no other).  Piped, the\n"
	"bytes are as stored; on a terminal, control characters are shown\n"
	"as \\e, \\xNN... so the log cannot drive the terminal.\n"
	"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0, 1 no such job, no log recorded or a log that is not\n"
	"in local storage (its URL is named), 2 usage, config or database\n"
	"error.\n";

static int
print_log(const struct config *cfg, const char *job, const char *url)
{
	struct buf b = BUF_INIT;
	enum fs_read r;
	char *rel;
	int rc;

	rel = query_storage_rel(cfg, url);
	if (rel == NULL) {
		error("the log of job '%s' is not in local storage (%s): "
		    "see %s", job, cfg->storage_path, url);
		return 1;
	}
	r = fs_read_untrusted(cfg->storage_path, rel, LOG_MAX, 0, &b);
	rc = 0;
	if (r == FS_READ_MISSING) {
		error("the log of job '%s' is gone from storage: %s/%s (%s)",
		    job, cfg->storage_path, rel, url);
		rc = 1;
	} else if (r != FS_READ_OK) {
		error("cannot read the log of job '%s', %s/%s: %s", job,
		    cfg->storage_path, rel, r == FS_READ_ERROR ?
		    strerror(errno) : fs_read_problem(r));
		rc = -1;
	} else if (isatty(STDOUT_FILENO)) {
		put_log_visible(stdout, b.ptr, b.len);
	} else if (fwrite(b.ptr, 1, b.len, stdout) != b.len) {
		rc = error("cannot write the log of job '%s': %s", job,
		    strerror(errno));
	}
	buf_release(&b);
	free(rel);
	return rc;
}

int
cli_log(int argc, char **argv, const char *confdir)
{
	static const struct option opts[] = {
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct build_row b;
	struct job_row j;
	struct stage st;
	const char *id;
	char *lava, *console, *url;
	long long build;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1)
		if ((rc = stage_option(c, optarg, &confdir, log_usage)) != 0)
			return rc == STAGE_OPT_HELP ? EXIT_OK : EXIT_FATAL;
	if (argc - optind != 1) {
		error("log takes one job id (see maestrino log -h)");
		return EXIT_FATAL;
	}
	id = argv[optind];
	rc = query_open(&st, "log", confdir);
	if (rc != 0)
		return rc > 0 ? EXIT_ITEMS : EXIT_FATAL;
	url = lava = console = NULL;
	rc = store_job_get(st.db, id, &j);
	if (rc == 1)
		error("no job '%s'", id);
	if (rc != 0)
		goto out;
	if (strcmp(j.kind, "kbuild") == 0) {
		rc = query_job_build(st.db, id, &build);
		if (rc == 0 && build > 0 &&
		    (rc = store_build_get(st.db, build, &b)) == 0) {
			url = b.log_url ? xstrdup(b.log_url) : NULL;
			store_build_release(&b);
		}
		if (rc == 1)	/* gone between two reads: no log */
			rc = 0;
	} else {
		rc = query_job_test_logs(st.db, id, &lava, &console);
		/* the whole log first: the console is cut out of it */
		if (lava != NULL) {
			url = lava;
			lava = NULL;
		} else {
			url = console;
			console = NULL;
		}
	}
	if (rc == 0 && url == NULL) {
		error("job '%s' has no log recorded (%s%s%s)", id,
		    job_state_name(j.state), j.result ? ", " : "",
		    j.result ? j.result : "");
		rc = 1;
	}
	if (rc == 0)
		rc = print_log(st.cfg, id, url);
	store_job_release(&j);
out:
	free(url);
	free(lava);
	free(console);
	stage_close(&st);
	if (rc == 0 && fflush(stdout) != 0)
		rc = error("cannot write the log of job '%s': %s", id,
		    strerror(errno));
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_ITEMS : EXIT_FATAL;
}
