/*
 * maestrino-worker: run one job of the local runtime.  Started detached
 * by maestrino-submit; not a stage of its own.
 */
#include <getopt.h>

#include "fs.h"
#include "kbuild_worker.h"
#include "lavarun.h"
#include "log.h"
#include "secret.h"
#include "util.h"

static const char usage[] =
	"usage: maestrino-worker [--secrets-stdin] [--tarball FILE] [--store DIR]\n"
	"                        JOB.yaml WORKDIR\n"
	"       maestrino-worker [--secrets-stdin] --lava DEVICE.yaml --store DIR\n"
	"                        --store-url URL [--env FILE] JOB.yaml WORKDIR\n"
	"\n"
	"Run the job defined in JOB.yaml in WORKDIR, as the local runtime\n"
	"does, and write WORKDIR/result.json last.  maestrino-submit starts\n"
	"it; run it by hand to rerun a job.\n"
	"\n"
	"A kbuild job: fetch and check the tarball, extract it, configure and\n"
	"build the kernel, store the artifacts.  On another machine (an outside\n"
	"executor, a GitHub Actions runner): --tarball takes the tarball from\n"
	"FILE instead of the definition's URL (its sha256 must still match),\n"
	"and --store puts the artifacts in DIR instead of the definition's\n"
	"storage path, with a copy of result.json: DIR is then the whole\n"
	"result, for `maestrino import`.\n"
	"\n"
	"With --lava, a LAVA job: run lava-run against the device dictionary\n"
	"DEVICE.yaml, with the KEY=VALUE lines of FILE in its environment,\n"
	"and store its log and console log in DIR (reachable as URL).\n"
	"\n"
	"The job runs with the environment the worker was given (maestrino-\n"
	"submit gives it an allowlist, never a token).  With --secrets-stdin,\n"
	"NUL-separated values are read from stdin first and masked as ***\n"
	"in every log and message the job stores.\n"
	"\n"
	"  -h, --help   show this help and exit\n"
	"\n"
	"Exit status: 0 pass (kbuild) or complete (LAVA), 1 build failure,\n"
	"2 infrastructure failure or an incomplete LAVA job.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "lava", required_argument, NULL, 'l' },
		{ "env", required_argument, NULL, 'e' },
		{ "store", required_argument, NULL, 's' },
		{ "store-url", required_argument, NULL, 'u' },
		{ "tarball", required_argument, NULL, 't' },
		{ "secrets-stdin", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct lavarun lr;
	const char *tarball;
	char pid[64], *p;
	int c;

	log_init("maestrino-worker");
	memset(&lr, 0, sizeof(lr));
	tarball = NULL;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case 'l':
			lr.device = optarg;
			break;
		case 'e':
			lr.env = optarg;
			break;
		case 's':
			lr.store = optarg;
			break;
		case 'u':
			lr.store_url = optarg;
			break;
		case 't':
			tarball = optarg;
			break;
		case 'S':
			if (secret_load(0) != 0) {
				error("cannot read the secrets on stdin: %s",
				    strerror(errno));
				return EXIT_FATAL;
			}
			break;
		default:
			fputs(usage, stderr);
			return EXIT_FATAL;
		}
	}
	if (argc - optind != 2 || (lr.device != NULL && (lr.store == NULL ||
	    lr.store_url == NULL || tarball != NULL))) {
		fputs(usage, stderr);
		return EXIT_FATAL;
	}
	/* what the job runs gets this environment, made for it, as it is */
	secret_env_pass_all();
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
	if (lr.device != NULL) {
		lr.definition = argv[optind];
		lr.work = argv[optind + 1];
		p = strrchr(argv[optind + 1], '/');
		lr.job_id = p ? p + 1 : argv[optind + 1];
		return lavarun_run(&lr);
	}
	return kbuild_run_with(argv[optind], argv[optind + 1], tarball,
	    lr.store);
}
