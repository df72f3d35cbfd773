/*
 * t-logsig-cost.c: logsig's time on hostile logs stays near the time
 * of a plain log of the same size.  A build log of diagnostics whose
 * text is "(/(/(/..." (each '/' after '(' starts a path that norm_add()
 * scans to the end of the line, and tree_path() searches again) against
 * the same lines of "abab...".
 */
#include <time.h>

#include "tap.h"
#include "logsig.h"
#include "util.h"

#define LOG_BYTES	((size_t)4 << 20)

static char *
lines_of(const char *prefix, const char *unit, size_t *len)
{
	char *s;
	size_t i, k, pl, ul;

	s = xcalloc(1, LOG_BYTES + 1);
	pl = strlen(prefix);
	ul = strlen(unit);
	for (i = 0; i + 1024 < LOG_BYTES; i += k + 1) {
		memcpy(s + i, prefix, pl);
		for (k = pl; k < 1023; k++)
			s[i + k] = unit[(k - pl) % ul];
		s[i + k] = '\n';
	}
	*len = i;
	return s;
}

static double
seconds(const char *prefix, const char *unit, int build)
{
	struct timespec a, b;
	struct logsig ls;
	size_t len;
	char *log;

	log = lines_of(prefix, unit, &len);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (build)
		logsig_build(log, len, &ls);
	else
		logsig_console(log, len, 1, &ls);
	clock_gettime(CLOCK_MONOTONIC, &b);
	logsig_free(&ls);
	free(log);
	return (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

int
main(void)
{
	double plain, hostile;

	plain = seconds("a.c:1:1: error: ", "ab", 1);
	hostile = seconds("a.c:1:1: error: ", "(/", 1);
	printf("# build: plain %.3f s, hostile %.3f s\n", plain, hostile);
	ok(hostile < 10 * plain + 0.5, "build: '(/' lines cost at most 10x "
	    "plain ones");
	plain = seconds("BUG: ", "ab", 0);
	hostile = seconds("BUG: ", "(/", 0);
	printf("# console: plain %.3f s, hostile %.3f s\n", plain, hostile);
	ok(hostile < 10 * plain + 0.5, "console: '(/' lines cost at most "
	    "10x plain ones");
	return tap_done();
}
