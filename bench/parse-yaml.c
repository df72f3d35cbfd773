/*
 * parse-yaml: time ynode_parse_string() on a file, best of three; a
 * refused document (an alias bomb) is timed too.
 *
 * usage: parse-yaml FILE (prints "seconds ok|refused")
 */
#include "buf.h"
#include "log.h"
#include "ynode.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	struct ynode *n;
	double t0, t, best;
	int round, rc;

	log_init("parse-yaml");
	if (argc != 2) {
		fprintf(stderr, "usage: parse-yaml FILE\n");
		return 2;
	}
	if (buf_read_file(&b, argv[1]) != 0) {
		perror(argv[1]);
		return 2;
	}
	log_mute();
	best = 1e9;
	rc = 0;
	for (round = 0; round < 3; round++) {
		n = NULL;
		t0 = now_monotonic();
		rc = ynode_parse_string(argv[1], b.ptr, b.len, &n);
		t = now_monotonic() - t0;
		ynode_free(n);
		if (t < best)
			best = t;
	}
	printf("%.3f %s\n", best, rc == 0 ? "ok" : "refused");
	buf_release(&b);
	return 0;
}
