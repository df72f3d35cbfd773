/*
 * t-pgz.c: gzip in parallel blocks.  The same bytes for any number of
 * threads and any way the input is cut into writes; read back whole by
 * gzip -d and by libarchive (what the build worker unpacks with); one
 * member per block; a failing output fails the writer with its errno.
 */
#include <archive.h>
#include <archive_entry.h>

#include "tap.h"
#include "pgz.h"
#include "util.h"

struct mem {
	unsigned char	*p;
	size_t		 n;
	size_t		 cap;
	size_t		 calls;
	size_t		 fail_after;	/* fail the call after this many */
};

static int
mem_out(void *arg, const void *p, size_t n)
{
	struct mem *m = arg;

	if (m->fail_after != 0 && m->calls >= m->fail_after) {
		errno = ENOSPC;
		return -1;
	}
	m->calls++;
	xgrow((void **)&m->p, &m->cap, m->n + n, 1);
	memcpy(m->p + m->n, p, n);
	m->n += n;
	return 0;
}

/* Compressible but not trivial: words from a small generator. */
static unsigned char *
input(size_t n)
{
	static const char *words[] = { "struct ", "int ", "return ",
	    "static ", "if (", ") {\n", "}\n", "\t", "err", "ret", "0x",
	    "NULL", " = ", ";\n", "->", "spin_lock", "kfree", "/* ", " */" };
	unsigned char *p;
	unsigned int x;
	size_t i, k;

	p = xmalloc(n + 1);
	x = 12345;
	for (i = 0; i < n; ) {
		x = x * 1103515245 + 12345;
		for (k = 0; words[(x >> 16) % 19][k] != '\0' && i < n; k++)
			p[i++] = (unsigned char)words[(x >> 16) % 19][k];
		if ((x >> 8) % 13 == 0 && i < n)
			p[i++] = (unsigned char)(x >> 24);
	}
	return p;
}

/* Compress in writes of step bytes (0: odd sizes that vary). */
static int
compress(const unsigned char *in, size_t n, int threads, size_t step,
    struct mem *m)
{
	struct pgz *z;
	size_t off, k;
	int rc;

	memset(m, 0, sizeof(*m));
	z = pgz_new(threads, 6, mem_out, m);
	if (z == NULL)
		return -1;
	rc = 0;
	for (off = 0; off < n && rc == 0; off += k) {
		k = step != 0 ? step : 1 + (off * 7919) % 300007;
		if (k > n - off)
			k = n - off;
		rc = pgz_write(z, in + off, k);
	}
	if (rc == 0)
		rc = pgz_close(z);
	pgz_free(z);
	return rc;
}

/* gzip -dc of m equals the n bytes at want. */
static int
gunzip_equals(const struct mem *m, const unsigned char *want, size_t n)
{
	char *dir, *cmd, *gz, *raw, *got;
	size_t len;
	int fd, same;

	dir = tap_tmpdir();
	gz = xasprintf("%s/x.gz", dir);
	raw = xasprintf("%s/x", dir);
	fd = open(gz, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	same = fd >= 0 && write(fd, m->p, m->n) == (ssize_t)m->n;
	if (fd >= 0)
		close(fd);
	cmd = xasprintf("gzip -dc '%s' >'%s'", gz, raw);
	same = same && system(cmd) == 0;
	got = NULL;
	len = 0;
	if (same) {
		FILE *fp = fopen(raw, "rb");

		got = xmalloc(n + 2);
		len = fp != NULL ? fread(got, 1, n + 1, fp) : 0;
		if (fp != NULL)
			fclose(fp);
		same = len == n && memcmp(got, want, n) == 0;
	}
	unlink(gz);
	unlink(raw);
	rmdir(dir);
	free(got);
	free(cmd);
	free(raw);
	free(gz);
	free(dir);
	return same;
}

/* libarchive's gzip reader (raw format) gives back the n bytes at want. */
static int
libarchive_equals(const struct mem *m, const unsigned char *want, size_t n)
{
	struct archive_entry *e;
	struct archive *a;
	unsigned char buf[65536];
	size_t off;
	la_ssize_t r;
	int same;

	a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	same = archive_read_open_memory(a, m->p, m->n) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK;
	off = 0;
	while (same && (r = archive_read_data(a, buf, sizeof(buf))) > 0) {
		same = off + (size_t)r <= n &&
		    memcmp(buf, want + off, (size_t)r) == 0;
		off += (size_t)r;
	}
	archive_read_free(a);
	return same && off == n;
}

/* The members of an n-byte input: one a block, and one for nothing. */
static size_t
members(size_t n)
{
	return n == 0 ? 1 : (n + PGZ_BLOCK - 1) / PGZ_BLOCK;
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, 4096, PGZ_BLOCK - 1, PGZ_BLOCK,
	    PGZ_BLOCK + 1, 5 * PGZ_BLOCK + PGZ_BLOCK / 2 };
	struct mem one, m;
	unsigned char *in;
	size_t i, n, firsts;
	char name[128];
	int t;

	in = input(sizes[6]);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		n = sizes[i];
		ok(compress(in, n, 1, 65536, &one) == 0, "compressed");
		snprintf(name, sizeof(name), "%zu bytes: gzip -d reads it", n);
		ok(gunzip_equals(&one, in, n), name);
		/* libarchive's raw reader sees no entry in nothing */
		snprintf(name, sizeof(name), "%zu bytes: libarchive reads it",
		    n);
		if (n > 0)
			ok(libarchive_equals(&one, in, n), name);
		snprintf(name, sizeof(name), "%zu bytes: starts as gzip", n);
		ok(one.n >= 18 && one.p[0] == 0x1f && one.p[1] == 0x8b &&
		    one.p[2] == 8, name);
		snprintf(name, sizeof(name), "%zu bytes: one member per block",
		    n);
		is_int(one.calls, members(n), name);
		for (t = 2; t <= 7; t += 5) {
			ok(compress(in, n, t, 0, &m) == 0, "compressed");
			snprintf(name, sizeof(name), "%zu bytes, %d threads, "
			    "odd writes: the same bytes", n, t);
			ok(m.n == one.n && memcmp(m.p, one.p, m.n) == 0, name);
			free(m.p);
		}
		free(one.p);
	}

	/* a 5.5-block input compresses to well under half */
	n = sizes[6];
	ok(compress(in, n, 2, n, &one) == 0, "one write of 5.5 blocks");
	ok(one.n < n / 2, "and it is compressed");
	/* each member ends with ISIZE: the first says PGZ_BLOCK */
	firsts = 0;
	for (i = 18; i + 4 <= one.n; i++)
		if (one.p[i] == 0x1f && one.p[i + 1] == 0x8b &&
		    one.p[i + 2] == 8 && i >= 4 &&
		    (one.p[i - 4] | one.p[i - 3] << 8 | one.p[i - 2] << 16 |
		    (size_t)one.p[i - 1] << 24) == PGZ_BLOCK)
			firsts++;
	ok(firsts >= 5, "the members after the first follow a full block");
	free(one.p);

	/* a failing output fails the writer, with its errno */
	memset(&m, 0, sizeof(m));
	{
		struct pgz *z;
		int rc, e;

		m.fail_after = 1;
		z = pgz_new(2, 6, mem_out, &m);
		ok(z != NULL, "a writer");
		rc = 0;
		for (i = 0; i < 8 && rc == 0; i++)
			rc = pgz_write(z, in, PGZ_BLOCK);
		if (rc == 0)
			rc = pgz_close(z);
		e = errno;
		ok(rc == -1, "a full disk fails it");
		is_int(e, ENOSPC, "with the output's errno");
		ok(pgz_write(z, in, 10) == -1, "and it stays failed");
		is_int(m.calls, 1, "nothing is written after the failure");
		pgz_free(z);
		free(m.p);
	}

	/* freed without closing: the workers stop */
	memset(&m, 0, sizeof(m));
	{
		struct pgz *z;

		z = pgz_new(3, 6, mem_out, &m);
		ok(pgz_write(z, in, 3 * PGZ_BLOCK + 5) == 0, "written");
		pgz_free(z);
		ok(1, "freed while blocks were in flight");
		free(m.p);
	}
	free(in);
	return tap_done();
}
