/*
 * maestrino-worker: run one job of the local runtime.  Started detached
 * by maestrino-submit; not a stage of its own.
 */
#include <getopt.h>

#include "fs.h"
#include "kbuild.h"
#include "log.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-worker JOB.yaml WORKDIR\n"
	"\n"
	"Run the job defined in JOB.yaml in WORKDIR, as the local runtime\n"
	"does: for a kbuild job, fetch and check the tarball, extract it,\n"
	"configure and build the kernel, store the artifacts and write\n"
	"WORKDIR/result.json last.  maestrino-submit starts it; run it by\n"
	"hand to rerun a job.\n"
	"\n"
	"  -h, --help   show this help and exit\n"
	"\n"
	"Exit status: 0 pass, 1 build failure, 2 infrastructure failure.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char pid[64], *p;
	int c;

	log_init("maestrino-worker");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	if (argc - optind != 2) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	if (fs_mkdir_p(argv[optind + 1]) != 0)
		return EXIT_FATAL;
	/* who and since when (the local runtime wrote it already) */
	snprintf(pid, sizeof(pid), "%ld\n%ld\n", (long)getpid(),
	    (long)time(NULL));
	p = fs_join(argv[optind + 1], "worker.pid");
	if (!fs_exists(p) && fs_write_atomic(p, pid, strlen(pid), 0) != 0) {
		free(p);
		return EXIT_FATAL;
	}
	free(p);
	return kbuild_run(argv[optind], argv[optind + 1]);
}
