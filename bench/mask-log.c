/*
 * mask-log: time secret_mask_buf() over a log, as the worker masks a
 * build log before storing it.  The secrets are registered as
 * config_load() registers them (with their encodings).
 *
 * usage: mask-log FILE SECRET... (prints "bytes seconds masked-bytes")
 */
#include "buf.h"
#include "log.h"
#include "secret.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct buf b = BUF_INIT, copy = BUF_INIT;
	double t0, best;
	int i, round;

	log_init("mask-log");
	if (argc < 3) {
		fprintf(stderr, "usage: mask-log FILE SECRET...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		secret_add(argv[i]);
	if (buf_read_file(&b, argv[1]) != 0) {
		perror(argv[1]);
		return 2;
	}
	best = 1e9;
	for (round = 0; round < 3; round++) {
		buf_reset(&copy);
		buf_add(&copy, b.ptr, b.len);
		t0 = now_monotonic();
		secret_mask_buf(&copy);
		if (now_monotonic() - t0 < best)
			best = now_monotonic() - t0;
	}
	printf("%zu %.3f %zu\n", b.len, best, copy.len);
	buf_release(&b);
	buf_release(&copy);
	return 0;
}
