/*
 * lavarun.c: lava-run on this machine.
 */
#include <jansson.h>
#include <fcntl.h>

#include "buf.h"
#include "fs.h"
#include "lava.h"
#include "lavarun.h"
#include "log.h"
#include "proc.h"
#include "secret.h"
#include "ynode.h"
#include "util.h"

/* The job's own timeout, from timeouts.job in the definition. */
static long
job_timeout(const struct ynode *def)
{
	const struct ynode *t;
	const char *v;
	long n;

	t = ynode_get(ynode_get(def, "timeouts"), "job");
	if ((v = ynode_str(t, "minutes")) != NULL &&
	    parse_long(v, 1, 100000, &n) == 0)
		return n * 60;
	if ((v = ynode_str(t, "hours")) != NULL &&
	    parse_long(v, 1, 1000, &n) == 0)
		return n * 3600;
	if ((v = ynode_str(t, "seconds")) != NULL &&
	    parse_long(v, 1, 10000000, &n) == 0)
		return n;
	return 3600;
}

static void
load_env(const char *path)
{
	struct buf b = BUF_INIT;
	char *line, *eq, *save;

	if (path == NULL || buf_read_file(&b, path) != 0) {
		buf_release(&b);
		return;
	}
	for (line = strtok_r(b.ptr, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (eq == NULL || line[0] == '#')
			continue;
		*eq = '\0';
		setenv(line, eq + 1, 1);
	}
	buf_release(&b);
}

static int
store(const struct lavarun *r, const char *name, const void *data,
    size_t len, json_t *arts, const char *key)
{
	char *path, *url;
	int rc;

	path = fs_join(r->store, name);
	rc = fs_write_atomic(path, data, len, 0);
	if (rc == 0) {
		url = xasprintf("%s%s", r->store_url, name);
		json_object_set_new(arts, key, json_string(url));
		free(url);
	}
	free(path);
	return rc;
}

int
lavarun_run(const struct lavarun *r)
{
	struct lava_outcome o;
	struct buf log = BUF_INIT, console = BUF_INIT;
	struct ynode *def;
	json_t *res, *arts;
	char *argv[10], *lava, *text, *outdir, *lava_id;
	const char *status;
	enum proc_end end;
	double t0;
	time_t start;
	long timeout;
	int fd, code, rc;

	memset(&o, 0, sizeof(o));
	res = json_object();
	arts = json_object();
	def = NULL;
	t0 = now_monotonic();
	start = time(NULL);
	status = "incomplete";
	if (chdir(r->work) != 0) {
		json_object_set_new(res, "error_msg", json_string(
		    "cannot enter the work directory"));
		goto write;
	}
	if (ynode_parse_file(r->definition, &def) != 0) {
		json_object_set_new(res, "error_msg", json_string(
		    "cannot read the job definition"));
		goto write;
	}
	timeout = job_timeout(def);
	lava = proc_which("lava-run");
	if (lava == NULL) {
		error("%s: lava-run not found: install Debian's lava-dispatcher",
		    r->job_id);
		json_object_set_new(res, "error_msg", json_string("lava-run not "
		    "found: install Debian's lava-dispatcher"));
		goto write;
	}
	free(lava);
	load_env(r->env);
	/* libguestfs: no libvirt, and KVM (when present) may not work */
	setenv("LIBGUESTFS_BACKEND", "direct", 0);
	setenv("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg", 0);
	outdir = fs_join(r->work, "lava");
	/*
	 * lava-run downloads into /var/lib/lava/dispatcher/tmp/<job id>
	 * and removes that directory when it ends: our id alone would let
	 * two data dirs on one machine (two configs, or tests side by
	 * side), each with a job t1-x86, clean up under each other.
	 */
	lava_id = xasprintf("%s-%ld", r->job_id, (long)getpid());
	argv[0] = (char *)"lava-run";
	argv[1] = (char *)"--job-id";
	argv[2] = lava_id;
	argv[3] = (char *)"--output-dir";
	argv[4] = outdir;
	argv[5] = (char *)"--device";
	argv[6] = (char *)r->device;
	argv[7] = (char *)r->definition;
	argv[8] = NULL;
	fd = open("lava.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(outdir);
		free(lava_id);
		json_object_set_new(res, "error_msg", json_string(
		    "cannot create lava.log"));
		goto write;
	}
	info("%s: lava-run (timeout %lds)", r->job_id, timeout);
	/* lava-run enforces the job timeout; this is its backstop */
	end = proc_run(argv, NULL, fd, t0 + (double)timeout + 300, &code);
	close(fd);
	free(outdir);
	free(lava_id);
	json_object_set_new(res, "exit_code", json_integer(
	    end == PROC_EXITED ? code : -1));
	if (end == PROC_TIMEOUT)
		json_object_set_new(res, "error_msg", json_string(
		    "lava-run was killed after the job's timeout"));
	if (buf_read_file(&log, "lava.log") == 0) {
		/* what the kernel or a test printed may hold a token */
		secret_mask_buf(&log);
		lava_parse_log(log.ptr, log.len, &o, &console);
		if (fs_mkdir_p(r->store) == 0) {
			store(r, "lava.log", log.ptr, log.len, arts, "log");
			store(r, "console.log", console.ptr, console.len, arts,
			    "console");
		}
		if (o.health != NULL && strcmp(o.health, "Complete") == 0)
			status = "complete";
		if (o.health != NULL)
			json_object_set_new(res, "health",
			    json_string(o.health));
		if (o.error_type != NULL)
			json_object_set_new(res, "error_type",
			    json_string(o.error_type));
		if (o.error_msg != NULL && json_object_get(res, "error_msg")
		    == NULL)
			json_object_set_new(res, "error_msg",
			    json_string(o.error_msg));
	}
write:
	json_object_set_new(res, "job", json_string(r->job_id));
	json_object_set_new(res, "status", json_string(status));
	json_object_set_new(res, "start_time",
	    json_integer((json_int_t)start));
	json_object_set_new(res, "duration", json_real(
	    (double)(long)((now_monotonic() - t0) * 1000) / 1000));
	json_object_set(res, "artifacts", arts);
	text = json_dumps(res, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(6));
	rc = text != NULL && fs_write_atomic("result.json", text, strlen(text),
	    1) == 0 ? 0 : -1;
	if (rc != 0)
		error("%s: cannot write result.json", r->job_id);
	free(text);
	json_decref(res);
	json_decref(arts);
	ynode_free(def);
	lava_outcome_release(&o);
	buf_release(&log);
	buf_release(&console);
	info("%s: %s in %.0fs", r->job_id, status, now_monotonic() - t0);
	return rc == 0 && strcmp(status, "complete") == 0 ? EXIT_OK :
	    EXIT_FATAL;
}
