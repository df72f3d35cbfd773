/*
 * runtime_slurm.c: builds as Slurm batch jobs.  Each attempt of a kbuild
 * job is one sbatch of a small script that runs bin/maestrino-worker on
 * the job's definition in its work directory, as the local runtime runs
 * it, on whichever node Slurm picks.  So the data dir (work, jobs,
 * storage, ccache) and Maestrino itself must be at the same paths on
 * every node: shared storage (docs/labs.md).  Jobs are followed with
 * squeue and scontrol show job, found again by their unique name after
 * a crash between sbatch and recording the id, and stopped with scancel.
 * The Slurm commands get SLURM_CONF from this process when it is set,
 * and otherwise nothing of its environment but the allowlist; the job
 * gets the allowlist only (secret_child_env()), never a token.
 */
#include "buf.h"
#include "collect.h"
#include "config.h"
#include "fs.h"
#include "hash.h"
#include "job.h"
#include "local.h"
#include "log.h"
#include "proc.h"
#include "runtime.h"
#include "safe.h"
#include "secret.h"
#include "store_job.h"
#include "util.h"

/* One Slurm command, at most. */
#define CMD_SECONDS	60
/* What is read of its output. */
#define CMD_OUT_MAX	((size_t)1 << 20)
/* The job script, and the name of the worker's Slurm output. */
#define SCRIPT_NAME	"slurm-job.sh"
#define OUT_NAME	"slurm.out"
/* How long one look at every job serves collect. */
#define CACHE_SECONDS	0.2
/* Beyond the build's own timeout, which the worker enforces (seconds). */
#define TIME_SLACK	600LL

/* Slurm job states in which the job may still run. */
static const char *const active_states[] = {
	"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED",
	"REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING",
	"STAGE_OUT", "STOPPED", "RESV_DEL_HOLD", "SPECIAL_EXIT", NULL
};
/* States of a job the node or the cluster lost: another attempt helps. */
static const char *const lost_states[] = {
	"NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "CANCELLED", "OUT_OF_MEMORY",
	"REVOKED", NULL
};

struct slurm_job {
	char	*id;		/* Slurm's job id */
	char	*name;		/* all_jobs() only */
	char	 state[32];	/* its JobState, "" when gone */
	char	 reason[64];
};

/*
 * Run a Slurm command (argv[0] searched in PATH), with SLURM_CONF passed
 * on when this process has it: its exit status, or -1 when it could not
 * run or ran over CMD_SECONDS; its stdout and stderr in out.
 */
static int
slurm_run(const char *const *args, struct buf *out)
{
	const char *argv[32], *conf;
	char chunk[4096], *env;
	enum proc_end e;
	FILE *f;
	size_t n, got;
	int code;

	buf_reset(out);
	n = 0;
	env = NULL;
	conf = getenv("SLURM_CONF");
	if (conf != NULL && *conf != '\0') {
		env = xasprintf("SLURM_CONF=%s", conf);
		argv[n++] = "env";
		argv[n++] = env;
	}
	while (*args != NULL && n < ARRAY_SIZE(argv) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	f = tmpfile();
	if (f == NULL) {
		error("cannot make a temporary file for '%s': %s", args[0],
		    strerror(errno));
		free(env);
		return -1;
	}
	e = proc_run((char *const *)argv, NULL, fileno(f), now_monotonic() +
	    CMD_SECONDS, &code);
	free(env);
	rewind(f);
	while (out->len < CMD_OUT_MAX &&
	    (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, got);
	fclose(f);
	if (e == PROC_TIMEOUT)
		buf_addf(out, "(killed after %d s)\n", CMD_SECONDS);
	return e == PROC_EXITED ? code : -1;
}

/* The last non-empty line of out, fit for a message (caller frees). */
static char *
last_line(const struct buf *out)
{
	const char *p, *end;
	char *raw, *clean;

	end = out->ptr + out->len;
	while (end > out->ptr && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	p = end;
	while (p > out->ptr && p[-1] != '\n')
		p--;
	raw = xstrndup(p, (size_t)(end - p) > 300 ? 300 : (size_t)(end - p));
	clean = safe_visible_dup(raw);
	free(raw);
	return clean;
}

/*
 * The Slurm name of an attempt of a job: unique to this data dir (its
 * path's digest), the origin, the job and the attempt, made fit by
 * safe_name() (no comma, which squeue --name would split on).
 */
static char *
job_name(const struct runtime *rt, const struct job_row *j)
{
	char hex[HASH_HEX], *dir, *raw, *name;
	struct hash *h;

	dir = fs_absolute(rt->cfg->data_dir);
	h = hash_new();
	hash_add(h, dir, strlen(dir));
	hash_hex(h, hex);
	free(dir);
	raw = xasprintf("mae-%.8s-%s-%s.%lld", hex, rt->cfg->origin, j->id,
	    j->attempt);
	name = safe_name(raw, SAFE_NAME_MAX);
	free(raw);
	return name;
}

static char *
work_dir(const struct runtime *rt, const struct job_row *j)
{
	return j->work_dir ? xstrdup(j->work_dir) :
	    local_work_dir(rt->cfg, j->id);
}

/*
 * The lines "id|state|reason|name" of squeue in text (changed in
 * place) into sj: those of the job named name, or every one when name
 * is NULL (then each keeps its name).  At most max.
 */
static size_t
parse_jobs(char *text, const char *name, struct slurm_job *sj, size_t max)
{
	char *line, *next, *f[4];
	size_t n, i;
	long v;

	n = 0;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		f[0] = line;
		for (i = 1; i < 4 && f[i - 1] != NULL; i++) {
			f[i] = strchr(f[i - 1], '|');
			if (f[i] != NULL)
				*f[i]++ = '\0';
		}
		if (i < 4 || f[3] == NULL || n >= max ||
		    parse_long(f[0], 1, LONG_MAX, &v) != 0 ||
		    (name != NULL && strcmp(f[3], name) != 0))
			continue;
		memset(&sj[n], 0, sizeof(sj[n]));
		sj[n].id = xstrdup(f[0]);
		snprintf(sj[n].state, sizeof(sj[n].state), "%s", f[1]);
		snprintf(sj[n].reason, sizeof(sj[n].reason), "%s", f[2]);
		if (name == NULL)
			sj[n].name = xstrdup(f[3]);
		n++;
	}
	return n;
}

/*
 * This user's Slurm jobs named name (squeue --me --name, every state, so
 * a finished job is seen for MinJobAge; names are public, and another
 * user's job of the same name is not ours to adopt or wait for):
 * 0 with *found set (caller releases), or -1 when Slurm cannot be asked
 * now.
 */
static int
find_jobs(const struct runtime *rt, const char *name, struct slurm_job *sj,
    size_t max, size_t *found)
{
	const char *args[] = { "squeue", "--noheader", "--states=all", "--me",
		"--format=%i|%T|%r|%j", NULL, NULL };
	struct buf out = BUF_INIT;
	char *opt, *line;
	int rc;

	*found = 0;
	opt = xasprintf("--name=%s", name);
	args[5] = opt;
	rc = slurm_run(args, &out);
	if (rc != 0) {
		line = last_line(&out);
		error("lab %s: cannot ask Slurm for job %s: squeue: %s",
		    rt->lab->name, name, *line ? line : "no answer");
		free(line);
		free(opt);
		buf_release(&out);
		return -1;
	}
	*found = parse_jobs(out.ptr, name, sj, max);
	free(opt);
	buf_release(&out);
	return 0;
}

/*
 * Every job of this user, from one squeue at most every CACHE_SECONDS:
 * a collect pass over many jobs asks Slurm once, not once a job.  Only
 * for collect, whose process submits nothing (a job missing from it is
 * gone).  NULL when that cannot be had (Slurm down, an answer over
 * CMD_OUT_MAX): ask job by job.
 */
static const struct slurm_job *
all_jobs(size_t *n)
{
	static struct slurm_job *all;
	static size_t nall;
	static double at;
	const char *args[] = { "squeue", "--noheader", "--states=all", "--me",
		"--format=%i|%T|%r|%j", NULL };
	struct buf out = BUF_INIT;
	size_t i, lines;

	if (at > 0 && now_monotonic() - at < CACHE_SECONDS) {
		*n = nall;
		return all;
	}
	for (i = 0; i < nall; i++) {
		free(all[i].id);
		free(all[i].name);
	}
	free(all);
	all = NULL;
	nall = 0;
	at = 0;
	if (slurm_run(args, &out) != 0 || out.len >= CMD_OUT_MAX) {
		buf_release(&out);
		return NULL;
	}
	for (i = lines = 0; i < out.len; i++)
		lines += out.ptr[i] == '\n';
	all = xcalloc(lines + 1, sizeof(*all));
	nall = parse_jobs(out.ptr, NULL, all, lines + 1);
	buf_release(&out);
	at = now_monotonic();
	*n = nall;
	return all;
}

/* The jobs named name, as find_jobs(), from all_jobs() when it can. */
static int
collect_jobs(const struct runtime *rt, const char *name,
    struct slurm_job *sj, size_t max, size_t *found)
{
	const struct slurm_job *all;
	size_t n, i;

	all = all_jobs(&n);
	if (all == NULL)
		return find_jobs(rt, name, sj, max, found);
	*found = 0;
	for (i = 0; i < n && *found < max; i++) {
		if (strcmp(all[i].name, name) != 0)
			continue;
		sj[*found] = all[i];
		sj[*found].id = xstrdup(all[i].id);
		sj[*found].name = NULL;
		(*found)++;
	}
	return 0;
}

static void
jobs_release(struct slurm_job *sj, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(sj[i].id);
}

/* The value of KEY= in the one line of `scontrol show job -o`. */
static void
show_value(const char *line, const char *key, char *out, size_t len)
{
	const char *p;
	size_t klen, n;

	*out = '\0';
	klen = strlen(key);
	for (p = line; (p = strstr(p, key)) != NULL; p += klen) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			n = strcspn(p, " \n");
			snprintf(out, len, "%.*s", (int)n, p);
			return;
		}
	}
}

/*
 * What scontrol says of an ended job, for the message: "(NodeDown on
 * node1, exit 0:9)", or "" when it has forgotten it.
 */
static char *
job_detail(const char *id)
{
	const char *args[] = { "scontrol", "--oneliner", "show", "job", id,
		NULL };
	struct buf out = BUF_INIT;
	char reason[64], nodes[128], code[32], *s;

	if (slurm_run(args, &out) != 0) {
		buf_release(&out);
		return xstrdup("");
	}
	show_value(out.ptr, "Reason", reason, sizeof(reason));
	show_value(out.ptr, "NodeList", nodes, sizeof(nodes));
	show_value(out.ptr, "ExitCode", code, sizeof(code));
	buf_release(&out);
	s = xasprintf(" (%s%s%s, exit %s)", *reason ? reason : "no reason",
	    *nodes && strcmp(nodes, "(null)") != 0 ? " on " : "",
	    *nodes && strcmp(nodes, "(null)") != 0 ? nodes : "",
	    *code ? code : "?");
	return s;
}

/* ---- submit ---- */

/* A build's request, or the lab's. */
static struct batch_req
request(const struct runtime *rt, const struct job_row *j)
{
	const struct build_cfg *b;
	const struct batch_req *l = &rt->lab->slurm;
	struct batch_req r;

	b = j->config_name ? config_build(rt->cfg, j->config_name) : NULL;
	memset(&r, 0, sizeof(r));
	if (b != NULL)
		r = b->slurm;
	if (r.partition == NULL)
		r.partition = l->partition;
	if (r.cpus == 0)
		r.cpus = l->cpus;
	if (r.memory == NULL)
		r.memory = l->memory;
	if (r.time == 0)
		r.time = l->time;
	return r;
}

/*
 * The job script: the worker on the definition in the work directory,
 * under `env -i` with the allowlist of secret_child_env() (never a
 * token), every word quoted.
 */
static int
write_script(const char *path, const char *def, const char *work,
    struct buf *err)
{
	struct buf b = BUF_INIT;
	char *dir, *exe, *absdef, **env;
	int rc;

	dir = proc_self_dir();
	exe = xasprintf("%s/maestrino-worker", dir);
	free(dir);
	absdef = fs_absolute(def);
	buf_puts(&b, "#!/bin/sh\n"
	    "# made by maestrino-submit: the worker of one attempt, with the\n"
	    "# environment made for it, whatever Slurm adds\n"
	    "exec /usr/bin/env -i");
	for (env = secret_child_env(); *env != NULL; env++) {
		buf_puts(&b, " \\\n    ");
		safe_shell_word(&b, *env);
	}
	buf_puts(&b, " \\\n    ");
	safe_shell_word(&b, exe);
	buf_putc(&b, ' ');
	safe_shell_word(&b, absdef);
	buf_putc(&b, ' ');
	safe_shell_word(&b, work);
	buf_putc(&b, '\n');
	log_catch(err);
	rc = fs_write_atomic(path, b.ptr, b.len, 0);
	if (rc == 0 && chmod(path, 0755) != 0)
		rc = error("cannot make '%s' executable: %s", path,
		    strerror(errno));
	log_uncatch(err, "cannot write the job script");
	buf_release(&b);
	free(absdef);
	free(exe);
	return rc;
}

/*
 * A build only; a clear work directory (nothing of an earlier attempt
 * may remain) with the job script in it.
 */
static int
slurm_prep(const struct runtime *rt, struct job_row *j,
    struct runtime_handover *h, struct buf *err)
{
	char *script;
	int rc;

	if (strcmp(j->kind, "kbuild") != 0)
		return error_to(err, "job %s: lab %s is a slurm lab, which "
		    "runs builds only, not %s jobs", j->id, rt->lab->name,
		    j->kind);
	h->work = local_work_dir(rt->cfg, j->id);
	log_catch(err);
	rc = local_prepare(h->work);
	log_uncatch(err, "cannot make the work directory");
	if (rc != 0)
		return -1;
	script = fs_join(h->work, SCRIPT_NAME);
	rc = write_script(script, j->definition, h->work, err);
	free(script);
	return rc;
}

/*
 * --output=<work>/slurm.out, each '%' of the work directory doubled:
 * sbatch reads "%j", "%x" and the like in it as its own patterns.
 */
static char *
output_option(const char *work)
{
	struct buf b = BUF_INIT;
	const char *p;

	buf_puts(&b, "--output=");
	for (p = work; *p != '\0'; p++) {
		if (*p == '%')
			buf_putc(&b, '%');
		buf_putc(&b, *p);
	}
	buf_addf(&b, "/%s", OUT_NAME);
	return buf_detach(&b, NULL);
}

/* Whether sbatch's failure could have left the job queued. */
static int
may_be_queued(int rc, const struct buf *out)
{
	return rc < 0 || strstr(out->ptr, "timed out") != NULL ||
	    strstr(out->ptr, "Unable to contact") != NULL ||
	    strstr(out->ptr, "Zero Bytes were transmitted") != NULL;
}

static enum lab_result
slurm_submit(const struct runtime *rt, struct job_row *j,
    const struct runtime_handover *h, char **lab_id, struct buf *err)
{
	struct batch_req r;
	struct buf out = BUF_INIT;
	const char *args[16];
	char *name, *o_name, *o_out, *o_dir, *o_cpus, *o_mem, *o_part,
	    *o_time, *script, *line, *p;
	enum lab_result res;
	size_t n;
	long v;
	int rc, minutes;

	r = request(rt, j);
	name = job_name(rt, j);
	o_name = xasprintf("--job-name=%s", name);
	o_out = output_option(h->work);
	o_dir = xasprintf("--chdir=%s", h->work);
	o_cpus = xasprintf("--cpus-per-task=%d", r.cpus > 0 ? r.cpus : 1);
	o_mem = r.memory ? xasprintf("--mem=%s", r.memory) : NULL;
	o_part = r.partition ? xasprintf("--partition=%s", r.partition) :
	    NULL;
	/* minutes, rounded up; by default the build's timeout and more */
	minutes = r.time > 0 ? (r.time + 59) / 60 :
	    (int)((j->timeout + TIME_SLACK + 59) / 60);
	o_time = xasprintf("--time=%d", minutes);
	script = fs_join(h->work, SCRIPT_NAME);
	n = 0;
	args[n++] = "sbatch";
	args[n++] = "--parsable";
	args[n++] = o_name;
	/*
	 * sbatch runs with the allowlist environment of every child (never
	 * a token), and the job gets that: --export=NONE would have Slurm
	 * load the user's login environment on the node instead (su -),
	 * slower and anything at all.  The script's env -i is the wall.
	 */
	args[n++] = "--export=ALL";
	/* a lost job is ours to retry, in a clean work directory */
	args[n++] = "--no-requeue";
	args[n++] = "--nodes=1";
	args[n++] = "--ntasks=1";
	args[n++] = o_cpus;
	args[n++] = o_time;
	args[n++] = o_out;
	args[n++] = o_dir;
	if (o_mem != NULL)
		args[n++] = o_mem;
	if (o_part != NULL)
		args[n++] = o_part;
	args[n++] = script;
	args[n] = NULL;
	crashpoint("submit-remote-before");
	rc = slurm_run(args, &out);
	crashpoint("submit-remote-after");
	/* "123" or "123;cluster" */
	p = out.ptr + out.len;
	while (p > out.ptr && (p[-1] == '\n' || p[-1] == ' '))
		*--p = '\0';
	while (p > out.ptr && p[-1] != '\n')
		p--;
	p[strcspn(p, ";")] = '\0';
	if (rc == 0 && parse_long(p, 1, LONG_MAX, &v) == 0) {
		*lab_id = xasprintf("%ld", v);
		info("job %s: submitted to %s as Slurm job %s (%s, attempt "
		    "%lld)", j->id, rt->lab->name, *lab_id, name, j->attempt);
		res = LAB_DONE;
	} else {
		line = last_line(&out);
		res = rc == 0 || may_be_queued(rc, &out) ? LAB_RETRY :
		    LAB_FAIL;
		error_to(err, "job %s: lab %s: sbatch %s: %s", j->id,
		    rt->lab->name, rc == 0 ? "gave no job id" :
		    res == LAB_RETRY ? "may have failed" : "refused it",
		    *line ? line : "no answer");
		free(line);
	}
	buf_release(&out);
	free(script);
	free(o_time);
	free(o_part);
	free(o_mem);
	free(o_cpus);
	free(o_dir);
	free(o_out);
	free(o_name);
	free(name);
	return res;
}

/*
 * A job a killed run left submitting: sbatch may have queued it.  Find
 * it by its name; when Slurm has forgotten it (MinJobAge), by what its
 * worker left in the work directory.  Submit it again only when neither
 * has a trace of it.
 */
static enum lab_result
slurm_lookup(const struct runtime *rt, struct job_row *j, char **lab_id,
    char **work)
{
	struct slurm_job sj[4];
	enum lab_result r;
	char *name, *p;
	size_t n;

	*work = work_dir(rt, j);
	name = job_name(rt, j);
	if (find_jobs(rt, name, sj, ARRAY_SIZE(sj), &n) != 0) {
		free(name);
		return LAB_RETRY;
	}
	r = LAB_WAIT;
	if (n > 0) {
		*lab_id = xstrdup(sj[0].id);
		r = LAB_DONE;
	} else {
		p = fs_join(*work, OUT_NAME);
		if (fs_exists(p)) {
			/* it ran: collect finds its result, or its loss */
			*lab_id = xstrdup(name);
			r = LAB_DONE;
		}
		free(p);
	}
	runtime_lookup_said(rt, j, r, *lab_id);
	jobs_release(sj, n);
	free(name);
	return r;
}

/* ---- collect ---- */

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/*
 * Where the job is in Slurm: running (its worker may write yet), ended
 * one way or another, or gone (forgotten after MinJobAge, or never run).
 * Its result is read only once Slurm says it ended: a build could write
 * a result.json of its own before the worker's.
 */
static int
slurm_collect(const struct runtime *rt, struct job_row *j,
    struct collect_stats *stats)
{
	struct slurm_job sj[4];
	const struct slurm_job *mine;
	char *work, *name, *p, *detail, *msg;
	const char *id;
	size_t n, i;
	int rc, done;

	id = j->runtime_job_id ? j->runtime_job_id : "";
	work = work_dir(rt, j);
	name = job_name(rt, j);
	if (collect_jobs(rt, name, sj, ARRAY_SIZE(sj), &n) != 0) {
		/*
		 * Cannot tell now: the job stays as it is for the next run,
		 * and collect --wait does not wait for Slurm to come back.
		 */
		free(name);
		free(work);
		return 0;
	}
	mine = NULL;
	for (i = 0; i < n && mine == NULL; i++)
		if (strcmp(sj[i].id, id) == 0)
			mine = &sj[i];
	p = fs_join(work, "result.json");
	done = fs_exists(p);
	free(p);
	rc = 0;
	msg = NULL;
	if (mine != NULL && in_list(active_states, mine->state)) {
		stats->running++;
		if (j->state == JOB_SUBMITTED &&
		    (strcmp(mine->state, "RUNNING") == 0 ||
		    strcmp(mine->state, "COMPLETING") == 0))
			rc = job_running(rt->db, j);
	} else if (mine != NULL && (strcmp(mine->state, "TIMEOUT") == 0 ||
	    strcmp(mine->state, "DEADLINE") == 0)) {
		detail = job_detail(mine->id);
		msg = xasprintf("Slurm job %s went over its time limit%s",
		    mine->id, detail);
		free(detail);
		rc = local_incomplete(rt, j, work, "timeout", msg, stats);
	} else if (mine != NULL && in_list(lost_states, mine->state)) {
		detail = job_detail(mine->id);
		msg = xasprintf("Slurm job %s ended %s%s", mine->id,
		    mine->state, detail);
		free(detail);
		rc = local_incomplete(rt, j, work, "worker_lost", msg, stats);
	} else if (done) {
		/* COMPLETED, FAILED (the worker's exit 1 or 2), or gone */
		rc = local_collect_build(rt, j, work, stats);
	} else {
		if (mine != NULL) {
			detail = job_detail(mine->id);
			msg = xasprintf("Slurm job %s ended %s without a "
			    "result%s", mine->id, mine->state, detail);
			free(detail);
		} else {
			msg = xasprintf("Slurm job %s is gone without a "
			    "result", *id ? id : name);
		}
		rc = local_incomplete(rt, j, work, "worker_lost", msg, stats);
	}
	free(msg);
	jobs_release(sj, n);
	free(name);
	free(work);
	return rc;
}

/*
 * scancel every job of the attempt's name (a job left submitting has
 * no id yet), wait a little for it to leave its node, and clear its
 * work directory.
 */
static enum lab_result
slurm_cancel(const struct runtime *rt, struct job_row *j, struct buf *err)
{
	const char *args[] = { "scancel", "--me", NULL, NULL };
	struct timespec ts = { 0, 200 * 1000000L };
	struct slurm_job sj[4];
	struct buf out = BUF_INIT;
	char *name, *opt, *line, *work;
	size_t n, i;
	int rc, tries, busy;

	name = job_name(rt, j);
	opt = xasprintf("--name=%s", name);
	args[2] = opt;
	rc = slurm_run(args, &out);
	if (rc != 0) {
		line = last_line(&out);
		error_to(err, "lab %s: cannot cancel job %s (%s): scancel: %s",
		    rt->lab->name, j->id, name, *line ? line : "no answer");
		free(line);
		buf_release(&out);
		free(opt);
		free(name);
		return LAB_RETRY;
	}
	buf_release(&out);
	for (tries = 0, busy = 1; busy && tries < 50; tries++) {
		if (find_jobs(rt, name, sj, ARRAY_SIZE(sj), &n) != 0)
			break;
		busy = 0;
		for (i = 0; i < n; i++)
			if (in_list(active_states, sj[i].state))
				busy = 1;
		jobs_release(sj, n);
		if (busy)
			nanosleep(&ts, NULL);
	}
	debug("job %s: cancelled on lab %s as %s", j->id, rt->lab->name,
	    name);
	if (!busy && !rt->cfg->keep_work) {
		work = work_dir(rt, j);
		fs_remove_tree(work);
		free(work);
	}
	free(opt);
	free(name);
	return LAB_DONE;
}

const struct runtime_ops runtime_slurm = {
	.type = "slurm",
	.builds = 1,
	.builds_only = 1,
	.waited = 1,
	.prepare = slurm_prep,
	.submit = slurm_submit,
	.lookup = slurm_lookup,
	.collect = slurm_collect,
	.cancel = slurm_cancel,
};
