/*
 * html.c: escaping for text, attributes and URLs.
 */
#include "buf.h"
#include "html.h"
#include "safe.h"
#include "util.h"

/*
 * Escape s into b; quotes too when it goes into an attribute.  Whatever
 * the bytes, the result is valid UTF-8 holding only characters XML 1.0
 * and HTML allow: bytes that are not UTF-8, control characters other
 * than tab, newline and carriage return, DEL, C1 controls and the
 * non-characters U+FFFE and U+FFFF become U+FFFD.
 */
static void
escape(struct buf *b, const char *s, int quotes)
{
	const unsigned char *p;
	size_t n;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			n = safe_utf8_seq(p, strnlen((const char *)p, 4));
			if (n == 0 || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||
			    (n == 3 && p[0] == 0xef && p[1] == 0xbf &&
			    p[2] >= 0xbe)) {
				buf_puts(b, "\xef\xbf\xbd");
				p += n > 0 ? n - 1 : 0;
				continue;
			}
			buf_add(b, p, n);
			p += n - 1;
			continue;
		}
		if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
		    *p == 0x7f) {
			buf_puts(b, "\xef\xbf\xbd");
			continue;
		}
		switch (*p) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, quotes ? "&quot;" : "\"");
			break;
		case '\'':
			buf_puts(b, quotes ? "&#39;" : "'");
			break;
		default:
			buf_putc(b, *p);
		}
	}
}

void
html_text(struct buf *b, const char *s)
{
	escape(b, s, 0);
}

void
html_attr(struct buf *b, const char *s)
{
	escape(b, s, 1);
}

void
url_path(struct buf *b, const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			buf_putc(b, *p);
		else
			buf_addf(b, "%%%02X", *p);
	}
}

void
html_href(struct buf *b, const char *url)
{
	if (url != NULL && (str_starts(url, "https://") ||
	    str_starts(url, "http://") || str_starts(url, "file://")))
		html_attr(b, url);
	else
		buf_putc(b, '#');
}

void
html_raw(struct buf *b, const char *s)
{
	buf_puts(b, s);
}

const char *
html_status_class(const char *s)
{
	if (s == NULL)
		return "run";
	if (strcmp(s, "PASS") == 0)
		return "pass";
	if (strcmp(s, "FAIL") == 0)
		return "fail";
	if (strcmp(s, "ERROR") == 0)
		return "error";
	if (strcmp(s, "MISS") == 0)
		return "miss";
	if (strcmp(s, "SKIP") == 0)
		return "skip";
	return "done";
}

const char *
html_status_symbol(const char *s)
{
	if (s == NULL)
		return "\xe2\x80\xa6";		/* … */
	if (strcmp(s, "PASS") == 0)
		return "\xe2\x9c\x94";		/* ✔ */
	if (strcmp(s, "FAIL") == 0)
		return "\xe2\x9c\x98";		/* ✘ */
	if (strcmp(s, "ERROR") == 0)
		return "\xe2\x9a\xa0";		/* ⚠ */
	if (strcmp(s, "MISS") == 0)
		return "\xe2\x88\x85";		/* ∅ */
	if (strcmp(s, "SKIP") == 0)
		return "\xe2\x86\xb7";		/* ↷ */
	return "\xe2\x80\xa2";			/* • */
}
