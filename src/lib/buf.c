/*
 * buf.c: the growable buffer.
 */
#include <fcntl.h>

#include "buf.h"
#include "util.h"

char buf_empty[1];

void
buf_init(struct buf *b, size_t cap)
{
	b->ptr = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->overflow = 0;
}

void
buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->ptr);
	buf_init(b, b->cap);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->alloc)
		b->ptr[0] = '\0';
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (len != NULL)
		*len = b->len;
	p = b->alloc ? b->ptr : xstrdup("");
	buf_init(b, b->cap);
	return p;
}

void
buf_grow(struct buf *b, size_t n)
{
	char *old;

	if (b->len + n + 1 <= b->alloc)
		return;
	if (b->len + n + 1 < b->len)
		die_oom();
	old = b->alloc ? b->ptr : NULL;
	if (old == NULL)
		b->ptr = NULL;
	xgrow((void **)&b->ptr, &b->alloc, b->len + n + 1, 1);
	if (old == NULL)
		b->ptr[0] = '\0';
}

void
buf_setlen(struct buf *b, size_t len)
{
	if (len > b->len)
		return;
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

static int
over_cap(struct buf *b, size_t n)
{
	if (b->cap && b->len + n > b->cap) {
		b->overflow = 1;
		return 1;
	}
	return 0;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0 || over_cap(b, n))
		return;
	buf_grow(b, n);
	memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, int c)
{
	char ch;

	ch = (char)c;
	buf_add(b, &ch, 1);
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	/*
	 * NOLINTBEGIN(clang-analyzer-valist.Uninitialized): the analyser
	 * loses va_start when it checks many files in one call.
	 */
	n = vsnprintf(NULL, 0, fmt, cp);
	/* NOLINTEND(clang-analyzer-valist.Uninitialized) */
	va_end(cp);
	if (n <= 0 || over_cap(b, (size_t)n))
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
buf_rtrim(struct buf *b)
{
	while (b->len > 0 && strchr(" \t\r\n", b->ptr[b->len - 1]) != NULL)
		b->len--;
	if (b->alloc)
		b->ptr[b->len] = '\0';
}

int
buf_read_file(struct buf *b, const char *path)
{
	char tmp[65536];
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		buf_add(b, tmp, (size_t)n);
	}
	close(fd);
	return 0;
}
