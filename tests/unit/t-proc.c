/*
 * t-proc.c: a child in the foreground: its exit status, a program that
 * cannot run, and a signal passed on to it.
 */
#include <sys/wait.h>
#include <signal.h>

#include "tap.h"
#include "log.h"
#include "proc.h"
#include "util.h"

int
main(void)
{
	char *argv[4], *err, *dir;
	int status;

	log_init("t-proc");
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)"exit 3";
	argv[3] = NULL;
	status = -1;
	ok(proc_run_fg(argv, &status) == 0, "runs a child");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 3,
	    "its exit status comes back");

	argv[2] = (char *)"test -n \"$MAESTRINO_T_PROC\"";
	setenv("MAESTRINO_T_PROC", "1", 1);
	ok(proc_run_fg(argv, &status) == 0 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the child has this environment");

	argv[0] = (char *)"/nonexistent/maestrino-nothing";
	capture_start();
	ok(proc_run_fg(argv, &status) == 0, "a program that is not there");
	err = capture_end();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_FATAL,
	    "exits 2");
	contains(err, "t-proc: cannot run '/nonexistent/maestrino-nothing'",
	    "and says why");
	free(err);

	dir = proc_self_dir();
	ok(dir != NULL && dir[0] == '/' && access(dir, X_OK) == 0,
	    "the directory of this executable");
	free(dir);

	/* last: a forwarded signal reaches every later child at its start */
	proc_forward(SIGTERM);
	argv[0] = (char *)"/bin/sh";
	argv[2] = (char *)"sleep 5";
	ok(proc_run_fg(argv, &status) == 0 && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGTERM, "a forwarded signal reaches it");
	return tap_done();
}
