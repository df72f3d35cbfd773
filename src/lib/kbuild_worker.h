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
/*
 * The same on a machine that is not the one that made the job (an
 * outside executor): the tarball is tarball_file when not NULL (checked
 * against the definition's sha256 all the same), and the artifacts go to
 * store when not NULL, instead of the definition's storage.path, with a
 * copy of result.json: store is then the whole result, to carry back.
 */
int		 kbuild_run_with(const char *def, const char *work,
		    const char *tarball_file, const char *store);

#endif
