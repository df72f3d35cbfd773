/*
 * proc.h: child processes: run one to completion under a deadline with
 * its output in a log, start one fully detached, and ask whether a pid
 * is still one of ours.  Every child of outside code gets the
 * environment of secret_child_env(): an allowlist, never a secret.  Only
 * our own stage executables (proc_run_fg(), proc_exec()) get this
 * process's environment, which is how a stage learns its tokens.
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>
#include <time.h>

struct buf;

enum proc_end {
	PROC_EXITED,	/* *code holds the exit status (128+sig if killed) */
	PROC_TIMEOUT,	/* the deadline passed; its process group was killed */
	PROC_ERROR	/* it could not be started; error() was called */
};

/*
 * Run argv (argv[0] searched in PATH) in directory cwd (NULL: here) with
 * stdout and stderr on log_fd, in a process group of its own.  At
 * deadline (monotonic seconds, 0 for none) the whole group is killed.
 */
enum proc_end	 proc_run(char *const argv[], const char *cwd, int log_fd,
		    double deadline, int *code);

/*
 * Start argv as a daemon: in a session of its own, stdout and stderr
 * appended to log_path, every other fd closed (so it never holds the
 * data-dir lock).  Its stdin reads the input_len bytes of input (at most
 * 60 KiB; NULL for /dev/null) and then EOF, which is how a worker gets
 * what it must mask without it being in any environment.  Its pid and
 * start time are in pid_path before this returns.  Return its pid, or
 * -1 after an error.
 */
pid_t	 proc_spawn_detached(char *const argv[], const char *log_path,
	    const char *pid_path, const char *input, size_t input_len);

/*
 * True when pid is alive and its command line contains needle (so a
 * recycled pid is not mistaken for our worker).
 */
int	 proc_alive(pid_t pid, const char *needle);

/*
 * Run argv and collect its stdout (at most 64 KiB) in out; stderr goes
 * to /dev/null.  Return its exit status, or -1 if it could not run.
 */
int	 proc_capture(char *const argv[], const char *cwd, struct buf *out);

/*
 * Become the reaper of every process started below this one, so one
 * that leaves its parent (a daemon a build starts) is still ours to end.
 */
int	 proc_subreaper(void);
/* Kill every process below this one (see proc_subreaper) and reap them. */
void	 proc_kill_descendants(void);

/*
 * Run argv (argv[0] a path) in the foreground and wait for it: this
 * process's stdio, environment and process group; SIGTERM, SIGINT and
 * SIGHUP back to their defaults in it.  Until it ends, proc_forward()
 * passes a signal on to it.  *status is its wait status (waitpid(2)).
 * Return 0, or -1 after an error message.
 */
int	 proc_run_fg(char *const argv[], int *status);
/*
 * Pass sig on to the child of proc_run_fg(), from a signal handler (it
 * is async-signal-safe).  A child that starts after it gets sig at once.
 */
void	 proc_forward(int sig);

/* Become argv (argv[0] a path); return -1 after an error message. */
int	 proc_exec(char *const argv[]);

/* Find prog in PATH; return its path (caller frees) or NULL. */
char	*proc_which(const char *prog);

/* The directory of the running executable (caller frees). */
char	*proc_self_dir(void);

/*
 * The directory of the project's own files (configs/templates, site,
 * scripts): the source tree the running executable was built in
 * (<bindir>/..), or <prefix>/share/maestrino when `make install` put
 * the executables in <prefix>/libexec/maestrino (caller frees).
 */
char	*proc_data_dir(void);

/* At most this many arguments to a script. */
#define PROC_SCRIPT_ARGS	6

/*
 * Run the project's script scripts/<name> (in proc_data_dir()) with args (a
 * NULL-terminated list), its stdout and stderr kept aside, for at most
 * an hour.  0, or -1 after an error (also in err) naming the command
 * (its words quoted), its exit status and the last line it printed.
 */
int	 proc_run_script(const char *name, const char *const *args,
	    struct buf *err);

#endif
