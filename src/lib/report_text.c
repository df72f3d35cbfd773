/*
 * report_text.c: the text of reports: outside strings made into plain
 * lines, links to the site, the people of a commit's trailers, and the
 * ISO week of the digest.  What reaches a message goes through
 * mail_format(), which encodes it; this file makes it readable and
 * keeps it one line where one line is meant.
 */
#include <ctype.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "mail.h"
#include "report.h"
#include "report_impl.h"
#include "safe.h"
#include "secret.h"
#include "site_change.h"
#include "util.h"

/* Bytes of a log line read before it is made visible and cut. */
#define READ_MAX	((size_t)4 * REPORT_LINE_MAX)

/* Lines of a commit's last paragraph looked at, at most. */
#define TRAILER_LINES	200

void
report_text(struct buf *b, const char *s)
{
	struct buf v = BUF_INIT;
	char *m, *cut;

	if (s == NULL)
		s = "";
	m = secret_mask(s);
	safe_visible(&v, m);
	if (v.len > REPORT_LINE_MAX) {
		/* whole characters, and say that it was cut */
		cut = safe_utf8(v.ptr, v.len, REPORT_LINE_MAX);
		buf_puts(b, cut);
		buf_puts(b, " [...]");
		free(cut);
	} else {
		buf_add(b, v.ptr, v.len);
	}
	buf_release(&v);
	free(m);
}

void
report_lines(struct buf *b, const char *prefix, const char *s)
{
	const char *nl;
	char *line;
	size_t n, len;

	for (n = 0; s != NULL && *s != '\0' && n < REPORT_LOG_LINES; n++) {
		nl = strchr(s, '\n');
		len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		/* bound what is copied before it is made visible */
		line = xstrndup(s, len < READ_MAX ? len : READ_MAX);
		buf_puts(b, prefix);
		report_text(b, line);
		buf_putc(b, '\n');
		free(line);
		s = nl != NULL ? nl + 1 : s + len;
	}
}

void
report_result(struct buf *b, const struct site_res *r, const char *what)
{
	struct buf name = BUF_INIT;

	if (strcmp(what, "boot") != 0)
		buf_addf(b, "%s ", what);
	report_text(b, site_res_name(r, what, &name));
	buf_release(&name);
}

char *
report_url(const struct report_ctx *x, const char *rel)
{
	if (x->cfg->site_base_url == NULL)
		return NULL;
	return xasprintf("%s%s", x->cfg->site_base_url, rel);
}

void
report_link_line(const struct report_ctx *x, struct buf *b,
    const char *indent, const char *rel)
{
	char *url;

	url = report_url(x, rel);
	if (url == NULL)
		return;
	buf_addf(b, "%s%s\n", indent, url);
	free(url);
}

void
report_signature(const struct report_ctx *x, struct buf *b)
{
	buf_puts(b, "\n-- \n");
	buf_addf(b, "Maestrino, origin %s", x->cfg->origin);
	if (x->cfg->site_base_url != NULL)
		buf_addf(b, ": %s", x->cfg->site_base_url);
	else
		buf_puts(b, " (its site is not published: "
		    "settings.site.base_url is not set)");
	buf_putc(b, '\n');
}

void
report_list_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* The trailers whose people hear of a culprit. */
static int
wanted_trailer(const char *tok, size_t len)
{
	static const char *const keys[] = { "signed-off-by", "reviewed-by",
	    "acked-by", "cc" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == len && strncasecmp(keys[i], tok,
		    len) == 0)
			return 1;
	return 0;
}

/*
 * The length of the token of a "Token: value" line (letters, digits,
 * '-', then ": " and something), or 0 when it is not one.
 */
static size_t
trailer_token(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len && (isalnum((unsigned char)line[i]) ||
	    line[i] == '-'); i++)
		;
	if (i == 0 || i + 2 >= len || line[i] != ':' || line[i + 1] != ' ')
		return 0;
	return i;
}

static int
blank_line(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * The line starts of the last paragraph of msg that is not its first
 * (the subject's), into start, at most max; how many.
 */
static size_t
last_paragraph(const char *msg, const char **start, size_t max)
{
	const char *p, *nl, *para;
	size_t n, len;
	int text, gap, blank;

	para = NULL;
	text = gap = 0;
	for (p = msg; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		blank = blank_line(p, len);
		if (!blank && text && gap)
			para = p;
		if (!blank)
			text = 1;
		gap = blank && text;
		if (nl == NULL)
			break;
	}
	n = 0;
	for (p = para; p != NULL && *p != '\0' && n < max; p = nl + 1) {
		nl = strchr(p, '\n');
		if (blank_line(p, nl != NULL ? (size_t)(nl - p) : strlen(p)))
			break;
		start[n++] = p;
		if (nl == NULL)
			break;
	}
	return n;
}

/* Add addr to v (n of them) unless it is there already, case aside. */
static int
add_once(char **v, size_t n, char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i], addr) == 0) {
			free(addr);
			return 0;
		}
	v[n] = addr;
	return 1;
}

char **
report_trailer_addresses(const char *message, size_t max)
{
	const char *lines[TRAILER_LINES];
	char **v, *value, *addr;
	size_t n, i, len, tok, ntrailers, got;

	v = xcalloc(max + 1, sizeof(*v));
	if (message == NULL || max == 0)
		return v;
	n = last_paragraph(message, lines, ARRAY_SIZE(lines));
	ntrailers = 0;
	for (i = 0; i < n; i++) {
		len = strcspn(lines[i], "\n");
		ntrailers += trailer_token(lines[i], len) > 0;
	}
	if (n == 0 || ntrailers * 2 < n)
		return v;
	got = 0;
	for (i = 0; i < n && got < max; i++) {
		len = strcspn(lines[i], "\n");
		/* a CR before the newline is git's, any other is hostile */
		if (len > 0 && lines[i][len - 1] == '\r')
			len--;
		tok = trailer_token(lines[i], len);
		if (tok == 0 || !wanted_trailer(lines[i], tok))
			continue;
		value = xstrndup(lines[i] + tok + 2, len - tok - 2);
		addr = mail_address_from_trailer(value);
		free(value);
		if (addr != NULL)
			got += add_once(v, got, addr);
	}
	return v;
}

void
report_iso_week(long long t, char *out, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%G-W%V", &tm) == 0)
		snprintf(out, len, "%s", "0000-W00");
}
