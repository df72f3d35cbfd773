/*
 * safe.c: file names, shell words, terminal text and UTF-8 from outside
 * data.
 */
#include <openssl/evp.h>

#include "buf.h"
#include "safe.h"
#include "util.h"

static const char hexdig[] = "0123456789ABCDEF";

static int
name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-';
}

char *
safe_name(const char *s, size_t max)
{
	struct buf b = BUF_INIT;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn, i;
	const unsigned char *p;
	size_t cut, keep;

	if (max < 32)
		max = 32;
	if (*s == '\0')
		return xstrdup("~");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '/')
			buf_putc(&b, '_');
		else if (name_byte(*p) && !(*p == '.' && p == (const unsigned
		    char *)s))
			buf_putc(&b, *p);
		else {
			buf_putc(&b, '~');
			buf_putc(&b, hexdig[*p >> 4]);
			buf_putc(&b, hexdig[*p & 15]);
		}
	}
	if (b.len <= max)
		return buf_detach(&b, NULL);
	/* too long: a readable start and a digest of the whole */
	keep = max - 2 - 24;
	cut = 0;
	for (i = 0; i < keep; ) {
		size_t step = b.ptr[i] == '~' ? 3 : 1;

		if (i + step > keep)
			break;
		i += (unsigned int)step;
		cut = i;
	}
	buf_setlen(&b, cut);
	if (EVP_Digest(s, strlen(s), d, &dn, EVP_sha256(), NULL) != 1)
		die_oom();
	buf_puts(&b, "~~");
	for (i = 0; i < 12; i++)
		buf_addf(&b, "%02x", d[i]);
	return buf_detach(&b, NULL);
}

void
safe_shell_word(struct buf *b, const char *s)
{
	if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == strlen(s)) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

size_t
safe_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c;
	size_t len, i;

	if (n == 0)
		return 0;
	c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, surrogates or code points past U+10FFFF */
	if (len == 3 && ((c == 0xe0 && p[1] < 0xa0) ||
	    (c == 0xed && p[1] >= 0xa0)))
		return 0;
	if (len == 4 && ((c == 0xf0 && p[1] < 0x90) ||
	    (c == 0xf4 && p[1] >= 0x90)))
		return 0;
	return len;
}

int
safe_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p, *end;
	size_t n;

	p = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		if (*p == '\0')
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		n = safe_utf8_seq(p, (size_t)(end - p));
		if (n == 0)
			return 0;
		p += n;
	}
	return 1;
}

/* Append the valid UTF-8 of len bytes at s to b. */
static void
utf8_into(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p, *end, *run;
	size_t n;

	p = (const unsigned char *)s;
	end = p + len;
	run = p;
	while (p < end) {
		if (*p != '\0' && *p < 0x80) {
			p++;
			continue;
		}
		n = *p == '\0' ? 0 : safe_utf8_seq(p, (size_t)(end - p));
		if (n > 0) {
			p += n;
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		if (*p != '\0')
			buf_puts(b, "\xef\xbf\xbd");
		p++;
		run = p;
	}
	buf_add(b, run, (size_t)(p - run));
}

char *
safe_utf8(const char *s, size_t len, size_t max)
{
	struct buf b = BUF_INIT;
	size_t n;

	utf8_into(&b, s, len);
	if (max > 0 && b.len > max) {
		n = max;
		/* back to the start of a character */
		while (n > 0 && ((unsigned char)b.ptr[n] & 0xc0) == 0x80)
			n--;
		buf_setlen(&b, n);
	}
	return buf_detach(&b, NULL);
}

char *
safe_utf8_tail(const char *s, size_t len, size_t max)
{
	struct buf b = BUF_INIT;
	size_t from;

	/* a few bytes more, so a character cut at the start is dropped */
	if (max > 0 && len > max + 4) {
		s += len - (max + 4);
		len = max + 4;
	}
	utf8_into(&b, s, len);
	if (max > 0 && b.len > max) {
		from = b.len - max;
		while (from < b.len &&
		    ((unsigned char)b.ptr[from] & 0xc0) == 0x80)
			from++;
		memmove(b.ptr, b.ptr + from, b.len - from);
		buf_setlen(&b, b.len - from);
	}
	return buf_detach(&b, NULL);
}

void
safe_visible(struct buf *b, const char *s)
{
	const unsigned char *p;
	unsigned cp;
	size_t n;

	for (p = (const unsigned char *)s; *p != '\0'; ) {
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			buf_putc(b, '\\');
			buf_putc(b, *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			buf_addf(b, "\\x%02x", *p);
			p++;
			continue;
		}
		if (*p < 0x80) {
			buf_putc(b, *p++);
			continue;
		}
		n = safe_utf8_seq(p, strlen((const char *)p));
		if (n == 0) {
			buf_addf(b, "\\x%02x", *p);
			p++;
			continue;
		}
		cp = n == 2 ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu) :
		    n == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 |
		    (p[2] & 0x3fu) : (p[0] & 0x07u) << 18 |
		    (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
		/*
		 * C1 controls, text direction that hides what is there, line
		 * separators, characters of no width, and tag characters
		 */
		if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a &&
		    cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
		    cp == 0x200e || cp == 0x200f || cp == 0x061c ||
		    cp == 0x2028 || cp == 0x2029 || (cp >= 0x200b &&
		    cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff)
			buf_addf(b, "\\u%04x", cp);
		else if (cp >= 0xe0000 && cp <= 0xe007f)
			buf_addf(b, "\\U%08x", cp);
		else
			buf_add(b, p, n);
		p += n;
	}
}

char *
safe_visible_dup(const char *s)
{
	struct buf b = BUF_INIT;

	safe_visible(&b, s);
	return buf_detach(&b, NULL);
}
