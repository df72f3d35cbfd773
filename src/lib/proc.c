/*
 * proc.c: running, detaching and checking child processes.
 */
#include <sys/prctl.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>

#include "buf.h"
#include "log.h"
#include "proc.h"
#include "safe.h"
#include "secret.h"
#include "util.h"

char *
proc_which(const char *prog)
{
	const char *path, *p, *end;
	char *cand;

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		cand = xasprintf("%.*s/%s", (int)(end - p),
		    end == p ? "." : p, prog);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (*end == '\0')
			return NULL;
	}
}

char *
proc_self_dir(void)
{
	char *self, *slash;

	self = realpath("/proc/self/exe", NULL);
	if (self == NULL)
		return xstrdup(".");
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	return self;
}

/* Where `make install` puts the executables, below its prefix. */
#define INSTALLED_EXEC_DIR	"/libexec/maestrino"

char *
proc_data_dir(void)
{
	char *dir, *data;

	dir = proc_self_dir();
	if (str_ends(dir, INSTALLED_EXEC_DIR))
		data = xasprintf("%.*s/share/maestrino", (int)(strlen(dir) -
		    strlen(INSTALLED_EXEC_DIR)), dir);
	else
		data = xasprintf("%s/..", dir);
	free(dir);
	return data;
}

/* The child of proc_run_fg() while it runs, and a signal to pass on. */
static volatile pid_t fg_pid;
static volatile sig_atomic_t fg_signal;

void
proc_forward(int sig)
{
	fg_signal = sig;
	if (fg_pid > 0)
		kill(fg_pid, sig);
}

int
proc_run_fg(char *const argv[], int *status)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return error("cannot start '%s': %s", argv[0],
		    strerror(errno));
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execv(argv[0], argv);
		fprintf(stderr, "%s: cannot run '%s': %s\n", log_prog(),
		    argv[0], strerror(errno));
		_exit(EXIT_FATAL);
	}
	fg_pid = pid;
	/* a signal that came just before the child started */
	if (fg_signal)
		kill(pid, fg_signal);
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			fg_pid = 0;
			return error("cannot wait for '%s': %s", argv[0],
			    strerror(errno));
		}
	}
	fg_pid = 0;
	return 0;
}

int
proc_exec(char *const argv[])
{
	execv(argv[0], argv);
	return error("cannot run '%s': %s", argv[0], strerror(errno));
}

/* Close every fd from lowest up. */
static void
close_from(int lowest)
{
	DIR *d;
	struct dirent *de;
	long fd;
	int dfd;

	d = opendir("/proc/self/fd");
	if (d == NULL) {
		for (fd = lowest; fd < 1024; fd++)
			close((int)fd);
		return;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (parse_long(de->d_name, lowest, INT_MAX, &fd) == 0 &&
		    fd != dfd)
			close((int)fd);
	}
	closedir(d);
}

enum proc_end
proc_run(char *const argv[], const char *cwd, int log_fd, double deadline,
    int *code)
{
	struct timespec ts = { 0, 50000000L };
	char **env;
	pid_t pid, r, self;
	int status, devnull;

	env = secret_child_env();
	fflush(NULL);
	self = getpid();
	pid = fork();
	if (pid < 0) {
		error("cannot start '%s': %s", argv[0], strerror(errno));
		return PROC_ERROR;
	}
	if (pid == 0) {
		/*
		 * Nothing outlives its caller: killed (a worker's SIGKILL),
		 * the caller takes the command with it, even one killed
		 * before the command (bwrap --die-with-parent) says so.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 ||
		    getppid() != self)
			_exit(127);
		setpgid(0, 0);
		if (cwd != NULL && chdir(cwd) != 0) {
			dprintf(log_fd, "cannot enter '%s': %s\n", cwd,
			    strerror(errno));
			_exit(127);
		}
		devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(log_fd, 1);
		dup2(log_fd, 2);
		close_from(3);
		signal(SIGPIPE, SIG_DFL);
		execvpe(argv[0], argv, env);
		dprintf(2, "cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			error("cannot wait for '%s': %s", argv[0],
			    strerror(errno));
			return PROC_ERROR;
		}
		if (deadline > 0 && now_monotonic() > deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return PROC_TIMEOUT;
		}
		nanosleep(&ts, NULL);
	}
	/* whatever the step left behind in its group goes with it */
	kill(-pid, SIGKILL);
	if (WIFEXITED(status))
		*code = WEXITSTATUS(status);
	else
		*code = 128 + WTERMSIG(status);
	return PROC_EXITED;
}

/* A pipe holding len bytes of data, then EOF: its read end, or -1. */
static int
input_pipe(const char *data, size_t len)
{
	int fd[2];

	if (len > (size_t)60 << 10) {
		errno = E2BIG;
		return -1;
	}
	if (pipe2(fd, O_CLOEXEC) != 0)
		return -1;
	/* it fits in the pipe's buffer: no reader is needed yet */
	if (len > 0 && write(fd[1], data, len) != (ssize_t)len) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	close(fd[1]);
	return fd[0];
}

pid_t
proc_spawn_detached(char *const argv[], const char *log_path,
    const char *pid_path, const char *input, size_t input_len)
{
	char text[64], *tmp, **env;
	int pfd[2], fd, in;
	pid_t pid, mid;
	ssize_t n;

	in = -1;
	if (input != NULL && (in = input_pipe(input, input_len)) < 0)
		return error("cannot pass its input to '%s': %s", argv[0],
		    strerror(errno));
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		if (in >= 0)
			close(in);
		return error("cannot make a pipe: %s", strerror(errno));
	}
	env = secret_child_env();
	fflush(NULL);
	mid = fork();
	if (mid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		if (in >= 0)
			close(in);
		return error("cannot fork: %s", strerror(errno));
	}
	if (mid == 0) {
		/* double fork: the worker is nobody's child but init's */
		close(pfd[0]);
		pid = fork();
		if (pid != 0)
			_exit(pid > 0 ? 0 : 1);
		/* its own session: its pid names everything it starts */
		setsid();
		/*
		 * It outlives the run: nothing of the run is its business,
		 * and env (the allowlist) has none of the run's variables.
		 */
		pid = getpid();
		/*
		 * The pid file exists before the parent hears the pid, so a
		 * parent killed right after can never lose the worker.
		 */
		snprintf(text, sizeof(text), "%ld\n%ld\n", (long)pid,
		    (long)time(NULL));
		tmp = xasprintf("%s.tmp", pid_path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, text, strlen(text)) !=
		    (ssize_t)strlen(text) || close(fd) != 0 ||
		    rename(tmp, pid_path) != 0)
			_exit(127);
		(void)!write(pfd[1], &pid, sizeof(pid));
		close(pfd[1]);
		fd = in >= 0 ? in : open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* nothing inherited survives, the data-dir lock least of all */
		close_from(3);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGHUP, SIG_IGN);
		execve(argv[0], argv, env);
		dprintf(2, "cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (in >= 0)
		close(in);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	n = read(pfd[0], &pid, sizeof(pid));
	close(pfd[0]);
	if (n != (ssize_t)sizeof(pid) || pid <= 0)
		return error("cannot start '%s' in the background", argv[0]);
	return pid;
}

int
proc_alive(pid_t pid, const char *needle)
{
	struct buf b = BUF_INIT;
	char path[64];
	size_t i;
	int found;

	if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if (buf_read_file(&b, path) != 0) {
		buf_release(&b);
		return 1;	/* alive; we cannot tell more */
	}
	/* a zombie has an empty command line: it is gone */
	for (i = 0; i < b.len; i++)
		if (b.ptr[i] == '\0')
			b.ptr[i] = ' ';
	found = b.len > 0 && (needle == NULL || strstr(b.ptr, needle) != NULL);
	buf_release(&b);
	return found;
}

int
proc_capture(char *const argv[], const char *cwd, struct buf *out)
{
	char b[4096], **env;
	int pfd[2], status, fd;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -1;
	env = secret_child_env();
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		if (cwd != NULL && chdir(cwd) != 0)
			_exit(127);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 2);
		}
		dup2(pfd[1], 1);
		execvpe(argv[0], argv, env);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], b, sizeof(b))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out->len < 65536)
			buf_add(out, b, (size_t)n);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}

int
proc_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		return error("cannot become a subreaper: %s", strerror(errno));
	return 0;
}

/* The parent pid of a process, from /proc/<pid>/stat; -1 if unknown. */
static long
parent_of(const char *pid)
{
	struct buf b = BUF_INIT;
	char path[320], *p;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	ppid = -1;
	if (buf_read_file(&b, path) == 0) {
		/* "pid (comm) state ppid": after the last ')' */
		p = strrchr(b.ptr, ')');
		if (p != NULL && p[1] == ' ' && p[2] != '\0' && p[3] == ' ')
			ppid = strtol(p + 4, NULL, 10);
	}
	buf_release(&b);
	return ppid;
}

void
proc_kill_descendants(void)
{
	struct dirent *de;
	long me, pid;
	int round, found;
	DIR *d;

	me = (long)getpid();
	/* an orphan's children come to us only when it dies: go round */
	for (round = 0; round < 50; round++) {
		found = 0;
		d = opendir("/proc");
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (parse_long(de->d_name, 2, INT_MAX, &pid) != 0 ||
			    parent_of(de->d_name) != me)
				continue;
			kill((pid_t)pid, SIGKILL);
			found = 1;
		}
		if (d != NULL)
			closedir(d);
		while (waitpid(-1, NULL, found ? 0 : WNOHANG) > 0)
			;
		if (!found)
			return;
	}
}

/* The longest a project script may take (mmdebstrap downloads). */
#define SCRIPT_TIMEOUT	3600.0
/* How much of the end of a script's output is read for its last line. */
#define SCRIPT_TAIL	65536

/* The last line of s that is not blank, cut to 300 bytes. */
static char *
last_line(const char *s, size_t len)
{
	const char *e, *b;

	e = s + len;
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		e--;
	b = e;
	while (b > s && b[-1] != '\n')
		b--;
	if (e - b > 300)
		e = b + 300;
	return xstrndup(b, (size_t)(e - b));
}

/* The end of what f holds, from its last SCRIPT_TAIL bytes. */
static char *
tail_line(FILE *f)
{
	struct buf log = BUF_INIT;
	char tmp[4096], *line;
	long size;
	size_t n;

	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > SCRIPT_TAIL)
		fseek(f, size - SCRIPT_TAIL, SEEK_SET);
	else
		rewind(f);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&log, tmp, n);
	line = last_line(log.ptr ? log.ptr : "", log.len);
	buf_release(&log);
	return line;
}

int
proc_run_script(const char *name, const char *const *args, struct buf *err)
{
	struct buf cmd = BUF_INIT;
	char *dir, *argv[PROC_SCRIPT_ARGS + 2], *msg;
	enum proc_end end;
	size_t i;
	FILE *f;
	int code, rc;

	dir = proc_data_dir();
	argv[0] = xasprintf("%s/scripts/%s", dir, name);
	free(dir);
	safe_shell_word(&cmd, argv[0]);
	for (i = 0; i < PROC_SCRIPT_ARGS && args[i] != NULL; i++) {
		argv[i + 1] = (char *)args[i];
		buf_putc(&cmd, ' ');
		safe_shell_word(&cmd, args[i]);
	}
	argv[i + 1] = NULL;
	f = tmpfile();
	rc = -1;
	if (f == NULL) {
		error_to(err, "%s: cannot make a log file: %s", cmd.ptr,
		    strerror(errno));
		goto out;
	}
	end = proc_run(argv, NULL, fileno(f), now_monotonic() +
	    SCRIPT_TIMEOUT, &code);
	msg = tail_line(f);
	fclose(f);
	if (end == PROC_TIMEOUT)
		error_to(err, "%s took more than %.0f s: %s", cmd.ptr,
		    SCRIPT_TIMEOUT, msg);
	else if (end == PROC_ERROR)
		error_to(err, "%s could not be run", cmd.ptr);
	else if (code != 0)
		error_to(err, "%s failed (exit %d): %s", cmd.ptr, code,
		    *msg ? msg : "(no message)");
	else
		rc = 0;
	free(msg);
out:
	free(argv[0]);
	buf_release(&cmd);
	return rc;
}
