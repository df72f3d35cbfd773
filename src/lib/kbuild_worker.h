/*
 * kbuild_worker.h: running a kbuild job definition (kbuild.h), in the
 * worker process of the local runtime.
 */
#ifndef KBUILD_WORKER_H
#define KBUILD_WORKER_H

/*
 * Run the kbuild definition at def in work directory work: fetch and
 * check the tarball, extract it, configure, build, store the artifacts
 * and write result.json last.  Returns the exit status: 0 pass, 1 build
 * failure, 2 infrastructure failure.
 */
int		 kbuild_run(const char *def, const char *work);

#endif
