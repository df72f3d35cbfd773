/*
 * logsig: time logsig_console() or logsig_build() over a log, best of
 * nine: over the log in memory (as collect holds it), then over the
 * file mapped afresh each time (so opening and paging it in count, as
 * they do for grep).
 *
 * usage: logsig console|build FILE
 * (prints "bytes seconds findings seconds-from-the-file")
 */
#include <sys/mman.h>
#include <fcntl.h>

#include "buf.h"
#include "log.h"
#include "logsig.h"
#include "util.h"

static size_t
run(int build, const char *log, size_t len)
{
	struct logsig ls;
	size_t n;

	if (build)
		logsig_build(log, len, &ls);
	else
		logsig_console(log, len, 1, &ls);
	n = ls.n;
	logsig_free(&ls);
	return n;
}

/* Map path, find, unmap. */
static int
from_file(int build, const char *path)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(path);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
	    fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror(path);
		return -1;
	}
	run(build, p, (size_t)st.st_size);
	munmap(p, (size_t)st.st_size);
	return 0;
}

int
main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	double t0, t, best, best_file;
	size_t n;
	int round, build;

	log_init("logsig");
	if (argc != 3 || (strcmp(argv[1], "console") != 0 &&
	    strcmp(argv[1], "build") != 0)) {
		fprintf(stderr, "usage: logsig console|build FILE\n");
		return 2;
	}
	build = strcmp(argv[1], "build") == 0;
	if (buf_read_file(&b, argv[2]) != 0) {
		perror(argv[2]);
		return 2;
	}
	best = best_file = 1e9;
	n = 0;
	for (round = 0; round < 9; round++) {
		t0 = now_monotonic();
		n = run(build, b.ptr, b.len);
		t = now_monotonic() - t0;
		if (t < best)
			best = t;
		t0 = now_monotonic();
		if (from_file(build, argv[2]) != 0)
			return 2;
		t = now_monotonic() - t0;
		if (t < best_file)
			best_file = t;
	}
	printf("%zu %.3f %zu %.3f\n", b.len, best, n, best_file);
	buf_release(&b);
	return 0;
}
