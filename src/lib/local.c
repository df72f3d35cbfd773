/*
 * local.c: detached workers on this machine.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>

#include "buf.h"
#include "config.h"
#include "fs.h"
#include "local.h"
#include "log.h"
#include "proc.h"
#include "runtime.h"
#include "secret.h"
#include "util.h"

char *
local_work_dir(const struct config *cfg, const char *job_id)
{
	char *rel, *abs;

	rel = xasprintf("%s/work/%s", cfg->data_dir, job_id);
	abs = fs_absolute(rel);
	free(rel);
	return abs;
}

int
local_prepare(const char *work)
{
	if (fs_remove_tree(work) != 0)
		return -1;
	return fs_mkdir_p(work);
}

pid_t
local_start(const char *job_id, const char *def, const char *work,
    char *const *extra, struct buf *err)
{
	char *argv[16], *exe, *dir, *log, *pidf, *absdef;
	char *secrets;
	size_t n, slen;
	pid_t pid;

	dir = proc_self_dir();
	exe = xasprintf("%s/maestrino-worker", dir);
	free(dir);
	if (access(exe, X_OK) != 0) {
		error_to(err, "job %s: cannot run '%s': %s", job_id, exe,
		    strerror(errno));
		free(exe);
		return -1;
	}
	absdef = fs_absolute(def);
	log = fs_join(work, "worker.log");
	pidf = fs_join(work, "worker.pid");
	n = 0;
	argv[n++] = exe;
	/* what it stores is masked with our secrets, read from its stdin */
	argv[n++] = (char *)"--secrets-stdin";
	while (extra != NULL && *extra != NULL && n < 12)
		argv[n++] = *extra++;
	argv[n++] = absdef;
	argv[n++] = (char *)work;
	argv[n] = NULL;
	secrets = secret_export(&slen);
	log_catch(err);
	pid = proc_spawn_detached(argv, log, pidf, secrets, slen);
	log_uncatch(err, "cannot start a worker");
	free(secrets);
	if (pid > 0)
		debug("job %s: worker %ld in %s", job_id, (long)pid, work);
	free(log);
	free(pidf);
	free(absdef);
	free(exe);
	return pid;
}

static pid_t
read_pid(const char *work, time_t *started)
{
	struct buf b = BUF_INIT;
	char *nl;
	long v;
	pid_t pid;

	pid = 0;
	/* the build can write here: its word counts only when ours is lost */
	if (fs_read_untrusted(work, "worker.pid", 64, 0, &b) == FS_READ_OK) {
		nl = strchr(b.ptr, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (parse_long(b.ptr, 1, INT_MAX, &v) == 0)
			pid = (pid_t)v;
		if (nl != NULL && started != NULL && *started <= 0) {
			nl[1 + strcspn(nl + 1, "\n")] = '\0';
			if (parse_long(nl + 1, 0, LONG_MAX, &v) == 0)
				*started = (time_t)v;
		}
	}
	buf_release(&b);
	return pid;
}

enum local_state
local_check(const char *work, pid_t *pidp, time_t *started)
{
	pid_t known, pid;
	char *p;
	int done;

	known = read_pid(work, started);
	pid = *pidp;
	if (pid <= 0)
		*pidp = pid = known;
	/*
	 * A worker alive is running, whatever is in its directory: the
	 * build could write a result.json of its own before the worker's.
	 */
	if (pid > 0 && proc_alive(pid, "maestrino-worker") &&
	    proc_alive(pid, work))
		return LOCAL_RUNNING;
	/* it may have finished between the two looks */
	p = fs_join(work, "result.json");
	done = fs_exists(p);
	free(p);
	return done ? LOCAL_DONE : LOCAL_LOST;
}

/* The session id of a process, from /proc/<pid>/stat; -1 if unknown. */
static long
session_of(const char *pid)
{
	struct buf b = BUF_INIT;
	char path[320], *p;
	long sid;
	int field;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	sid = -1;
	if (buf_read_file(&b, path) == 0) {
		/* fields after the ")" of the command name */
		p = strrchr(b.ptr, ')');
		for (field = 2; p != NULL && field < 6; field++)
			p = strchr(p + 1, ' ');
		if (p != NULL)
			sid = strtol(p + 1, NULL, 10);
	}
	buf_release(&b);
	return sid;
}

void
local_kill(pid_t pid)
{
	struct dirent *de;
	long other;
	DIR *d;

	if (pid <= 1)
		return;
	kill(-pid, SIGKILL);
	d = opendir("/proc");
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (parse_long(de->d_name, 2, INT_MAX, &other) != 0)
			continue;
		if (session_of(de->d_name) == (long)pid)
			kill((pid_t)other, SIGKILL);
	}
	if (d != NULL)
		closedir(d);
}

char *
local_read(const char *work, const char *name, size_t max, int tail)
{
	struct buf b = BUF_INIT;
	enum fs_read r;
	size_t i, j;

	r = fs_read_untrusted(work, name, max, tail, &b);
	if (r != FS_READ_OK) {
		if (r != FS_READ_MISSING)
			warning("'%s/%s' %s; not read", work, name,
			    fs_read_problem(r));
		buf_release(&b);
		return NULL;
	}
	/* logs may hold NULs; the database keeps text */
	for (i = j = 0; i < b.len; i++)
		if (b.ptr[i] != '\0')
			b.ptr[j++] = b.ptr[i];
	buf_setlen(&b, j);
	return buf_detach(&b, NULL);
}
