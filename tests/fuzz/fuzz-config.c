/*
 * fuzz-config.c: a configuration directory through config_load().  The
 * input is written to c.yaml in a private directory made once under
 * $TMPDIR or /tmp (run.sh points TMPDIR at a directory it removes, since
 * a crash leaves no time to clean up).  A line "#--- d.yaml" splits the
 * input: what follows goes to a second file, d.yaml, so that merging
 * files by top-level key is fuzzed too.
 */
#include "config.h"
#include "fuzz.h"
#include "log.h"
#include "util.h"

#define SPLIT	"\n#--- d.yaml\n"

static char *dir;
static char *c_path;
static char *d_path;

static void
cleanup(void)
{
	unlink(c_path);
	unlink(d_path);
	rmdir(dir);
	free(c_path);
	free(d_path);
	free(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp;

	(void)argc;
	(void)argv;
	log_init("fuzz");
	log_mute();
	tmp = getenv("TMPDIR");
	dir = xasprintf("%s/maestrino-fuzz-config.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "fuzz-config: cannot make '%s': %s\n", dir,
		    strerror(errno));
		exit(1);
	}
	c_path = xasprintf("%s/c.yaml", dir);
	d_path = xasprintf("%s/d.yaml", dir);
	atexit(cleanup);
	return 0;
}

/* Write n bytes to path, or remove path when p is NULL. */
static void
put_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *fp;
	int ok;

	if (p == NULL) {
		ok = unlink(path) == 0 || errno == ENOENT;
	} else {
		fp = fopen(path, "wb");
		ok = fp != NULL && fwrite(p, 1, n, fp) == n;
		if (fp != NULL && fclose(fp) != 0)
			ok = 0;
	}
	if (!ok) {
		/* not a finding: the harness cannot go on */
		fprintf(stderr, "fuzz-config: cannot write '%s': %s\n", path,
		    strerror(errno));
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *split;
	struct config *cfg;
	size_t n;

	split = memmem(data, size, SPLIT, strlen(SPLIT));
	n = split != NULL ? (size_t)(split - data) : size;
	put_file(c_path, data, n);
	if (split != NULL)
		put_file(d_path, split + strlen(SPLIT),
		    size - n - strlen(SPLIT));
	else
		put_file(d_path, NULL, 0);
	cfg = config_load(dir);
	config_free(cfg);
	return 0;
}
