/*
 * buf.h: a growable byte buffer with strbuf's invariants.  ptr is never
 * NULL and always NUL-terminated; a buffer is handed over with
 * buf_detach().  A non-zero cap limits growth, for bodies read from the
 * network: an append past it sets overflow and is dropped.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*ptr;
	size_t	 len;
	size_t	 alloc;
	size_t	 cap;
	int	 overflow;
};

extern char buf_empty[];
#define BUF_INIT	{ buf_empty, 0, 0, 0, 0 }

/* Make b an empty buffer; with cap > 0, never hold more than cap bytes. */
void	 buf_init(struct buf *b, size_t cap);
/* Free what b holds and make it empty again. */
void	 buf_release(struct buf *b);
/* Keep the storage, drop the contents. */
void	 buf_reset(struct buf *b);
/* Return the contents as a malloc'd string and empty b. */
char	*buf_detach(struct buf *b, size_t *len);
/* Make room for n more bytes. */
void	 buf_grow(struct buf *b, size_t n);
/* Cut b to len bytes (len <= b->len). */
void	 buf_setlen(struct buf *b, size_t len);
/* Append bytes, a string, one character, or formatted text. */
void	 buf_add(struct buf *b, const void *p, size_t n);
void	 buf_puts(struct buf *b, const char *s);
void	 buf_putc(struct buf *b, int c);
void	 buf_addf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Remove trailing white space. */
void	 buf_rtrim(struct buf *b);
/* Read the whole file into b; return -1 with errno set on failure. */
int	 buf_read_file(struct buf *b, const char *path);

#endif
