/*
 * mail.c: report mail, built so that no input can change its structure,
 * and sent through libcurl's SMTP.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>

#include "buf.h"
#include "fs.h"
#include "hash.h"
#include "log.h"
#include "mail.h"
#include "safe.h"
#include "secret.h"
#include "util.h"

/* RFC 5322 2.1.1: the line length to keep headers to */
#define HDR_WIDTH	78
/* RFC 2045 6.7 (5): a quoted-printable line, its soft break's '=' too */
#define QP_WIDTH	76
/* RFC 2047 2: the longest encoded-word */
#define EW_MAX		75
#define EW_OPEN		"=?UTF-8?Q?"
#define MSGID_MAX	400	/* bytes of a message id we write */
#define REFS_MAX	20	/* message ids in References */
#define TRAILER_MAX	512	/* bytes of a trailer value we parse */
#define LOCAL_MAX	64	/* bytes of an address's local part */
#define EML_NAME_MAX	120
#define REPLY_TEXT	200	/* bytes of a reply kept for messages */
#define REFUSED_NAMED	5	/* refused recipients named in err */
#define CONNECT_TIMEOUT	30L
#define SEND_TIMEOUT	300L

static const char hexdig[] = "0123456789ABCDEF";

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext, for message ids and display names left as they are. */
static int
is_atext(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c)
	    != NULL);
}

/* A host name: labels of [A-Za-z0-9-], 1 to 63 bytes, no '-' at an end. */
static int
host_ok(const char *s, size_t n)
{
	size_t i, label;

	if (n == 0 || n > 253)
		return 0;
	label = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
		if ((s[i] == '-' && label == 0) || ++label > 63)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

int
mail_address_ok(const char *addr)
{
	const char *at;
	size_t n, local, i;
	unsigned char c;

	if (addr == NULL)
		return 0;
	n = strnlen(addr, MAIL_ADDR_MAX + 1);
	if (n > MAIL_ADDR_MAX)
		return 0;
	at = strchr(addr, '@');
	if (at == NULL)
		return 0;
	local = (size_t)(at - addr);
	/* '-' first could pass for an option to a sendmail */
	if (local == 0 || local > LOCAL_MAX || addr[0] == '.' ||
	    addr[0] == '-' || addr[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		c = (unsigned char)addr[i];
		if (!is_alnum(c) && strchr("._+=-", c) == NULL)
			return 0;
		if (c == '.' && addr[i + 1] == '.')
			return 0;
	}
	return host_ok(at + 1, n - local - 1);
}

const char *
mail_address_domain(const char *addr)
{
	if (!mail_address_ok(addr))
		return NULL;
	return strchr(addr, '@') + 1;
}

static void
trim(struct buf *b)
{
	size_t n;

	buf_rtrim(b);
	n = strspn(b->ptr, " \t");
	memmove(b->ptr, b->ptr + n, b->len - n);
	buf_setlen(b, b->len - n);
}

/*
 * Split one mailbox, "Name <a@b>" or "a@b" (see
 * mail_address_from_trailer), into its display name (NULL when none;
 * the quotes of a quoted one taken off) and address.  -1 when it is not
 * exactly one mailbox with a valid address.
 */
static int
parse_mailbox(const char *value, char **name, char **addr)
{
	struct buf v = BUF_INIT, nm = BUF_INIT;
	const char *lt, *gt;
	size_t i, n;
	int quoted, ret;

	ret = -1;
	*name = NULL;
	*addr = NULL;
	if (value == NULL)
		return -1;
	n = strnlen(value, TRAILER_MAX + 1);
	if (n > TRAILER_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return -1;
	buf_add(&v, value, n);
	/* "a@b # 6.1": the comment kernel trailers carry, outside quotes */
	quoted = 0;
	for (i = 0; i < v.len; i++) {
		if (v.ptr[i] == '"')
			quoted = !quoted;
		else if (!quoted && v.ptr[i] == '#' && i > 0 &&
		    v.ptr[i - 1] == ' ') {
			buf_setlen(&v, i);
			break;
		}
	}
	trim(&v);
	lt = strchr(v.ptr, '<');
	gt = strchr(v.ptr, '>');
	if (lt == NULL && gt == NULL) {
		if (mail_address_ok(v.ptr))
			*addr = xstrdup(v.ptr);
		ret = *addr != NULL ? 0 : -1;
		goto out;
	}
	/* exactly one <...>, and it ends the value */
	if (lt == NULL || gt != v.ptr + v.len - 1 || gt < lt ||
	    strchr(lt + 1, '<') != NULL || memchr(v.ptr, '>', v.len - 1))
		goto out;
	buf_add(&nm, v.ptr, (size_t)(lt - v.ptr));
	trim(&nm);
	if (nm.len > 0 && nm.ptr[0] == '"') {
		/* one quoted string, nothing escaped inside */
		if (nm.len < 2 || nm.ptr[nm.len - 1] != '"' ||
		    memchr(nm.ptr + 1, '"', nm.len - 2) != NULL)
			goto out;
		memmove(nm.ptr, nm.ptr + 1, nm.len - 2);
		buf_setlen(&nm, nm.len - 2);
		trim(&nm);
		if (strpbrk(nm.ptr, "\\<>@") != NULL)
			goto out;
	} else if (strpbrk(nm.ptr, "\"\\<>@,;:()[]") != NULL) {
		goto out;
	}
	*addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	if (!mail_address_ok(*addr)) {
		free(*addr);
		*addr = NULL;
		goto out;
	}
	if (nm.len > 0)
		*name = buf_detach(&nm, NULL);
	ret = 0;
out:
	buf_release(&v);
	buf_release(&nm);
	return ret;
}

char *
mail_address_from_trailer(const char *value)
{
	char *name, *addr;

	if (parse_mailbox(value, &name, &addr) != 0)
		return NULL;
	free(name);
	return addr;
}

/* The code point of the valid UTF-8 sequence of n bytes at p. */
static unsigned
utf8_cp(const unsigned char *p, size_t n)
{
	switch (n) {
	case 1:
		return p[0];
	case 2:
		return (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
	case 3:
		return (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 |
		    (p[2] & 0x3fu);
	default:
		return (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 |
		    (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
	}
}

/* The length of the character at p in valid UTF-8 (1 at its end). */
static size_t
char_len(const unsigned char *p, size_t left)
{
	size_t n;

	n = safe_utf8_seq(p, left);
	return n > 0 ? n : 1;
}

/*
 * s as the text of one header line: valid UTF-8; each control character
 * (C0, DEL, C1), line or paragraph separator a space; runs of space one
 * space, none at either end; at most max characters, a longer text cut
 * and ending in "...".  Caller frees.
 */
static char *
header_text(const char *s, size_t max)
{
	struct buf b = BUF_INIT;
	const unsigned char *p, *end;
	size_t n, chars, cut, window;
	char *u;
	unsigned cp;
	int space, longer;

	/* enough bytes for max characters, with room for collapsed space */
	window = max * 8;
	n = strnlen(s, window + 1);
	longer = n > window;
	if (longer)
		n = window;
	u = safe_utf8(s, n, 0);
	chars = 0;
	cut = 0;
	space = 0;
	p = (const unsigned char *)u;
	end = p + strlen(u);
	for (; p < end; p += n) {
		n = char_len(p, (size_t)(end - p));
		cp = utf8_cp(p, n);
		if (cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    cp == 0x2028 || cp == 0x2029) {
			space = 1;
			continue;
		}
		if (space && b.len > 0) {
			buf_putc(&b, ' ');
			if (++chars == max - 3)
				cut = b.len;
		}
		space = 0;
		buf_add(&b, p, n);
		if (++chars == max - 3)
			cut = b.len;
	}
	if (chars > max || longer) {
		buf_setlen(&b, cut > 0 ? cut : b.len);
		buf_rtrim(&b);
		buf_puts(&b, "...");
	}
	free(u);
	return buf_detach(&b, NULL);
}

/*
 * A header being written: words are added with one space before each,
 * and the line is folded before that space when it would pass
 * HDR_WIDTH.  The first word always stays on the name's line.
 */
struct hdr {
	struct buf	*b;
	size_t		 col;
	size_t		 name;
	int		 words;
};

static void
hdr_begin(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_puts(b, name);
	buf_putc(b, ':');
	h->name = strlen(name) + 1;
	h->col = h->name;
	h->words = 0;
}

static void
hdr_word(struct hdr *h, const char *w, size_t n)
{
	if (h->words > 0 && h->col + 1 + n > HDR_WIDTH) {
		buf_puts(h->b, "\r\n");
		h->col = 0;
	}
	buf_putc(h->b, ' ');
	buf_add(h->b, w, n);
	h->col += 1 + n;
	h->words++;
}

static void
hdr_end(struct hdr *h)
{
	buf_puts(h->b, "\r\n");
}

/* Q encoding (RFC 2047 4.2), with the few characters safe in a phrase. */
static int
q_plain(unsigned char c)
{
	return is_alnum(c) || c == '!' || c == '*' || c == '+' || c == '-' ||
	    c == '/';
}

static size_t
q_len(const unsigned char *p, size_t n)
{
	return n == 1 && (q_plain(*p) || *p == ' ') ? 1 : 3 * n;
}

static void
q_put(struct buf *b, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (n == 1 && p[i] == ' ') {
			buf_putc(b, '_');
		} else if (n == 1 && q_plain(p[i])) {
			buf_putc(b, p[i]);
		} else {
			buf_putc(b, '=');
			buf_putc(b, hexdig[p[i] >> 4]);
			buf_putc(b, hexdig[p[i] & 15]);
		}
	}
}

/*
 * text (valid UTF-8) as encoded-words of whole characters, each at most
 * EW_MAX bytes, the first one fitting on the name's line.
 */
static void
hdr_encoded(struct hdr *h, const char *text)
{
	struct buf w = BUF_INIT;
	const unsigned char *p, *end;
	size_t n, limit;

	limit = h->words == 0 ? HDR_WIDTH - h->col - 1 : EW_MAX;
	if (limit > EW_MAX)
		limit = EW_MAX;
	buf_puts(&w, EW_OPEN);
	p = (const unsigned char *)text;
	end = p + strlen(text);
	for (; p < end; p += n) {
		n = char_len(p, (size_t)(end - p));
		if (w.len + q_len(p, n) + 2 > limit &&
		    w.len > strlen(EW_OPEN)) {
			buf_puts(&w, "?=");
			hdr_word(h, w.ptr, w.len);
			buf_reset(&w);
			buf_puts(&w, EW_OPEN);
			limit = EW_MAX;
		}
		q_put(&w, p, n);
	}
	buf_puts(&w, "?=");
	hdr_word(h, w.ptr, w.len);
	buf_release(&w);
}

/*
 * True when the n bytes of word can go into the header as they are:
 * printable ASCII with no "=?" that a reader would take for an
 * encoded-word, fitting a folded line; with phrase, atext only (a word
 * of a display name).
 */
static int
word_plain(const char *w, size_t n, size_t width, int phrase)
{
	size_t i;
	unsigned char c;

	if (n > width)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)w[i];
		if (c < 0x21 || c > 0x7e || (phrase && !is_atext(c)) ||
		    (c == '=' && i + 1 < n && w[i + 1] == '?'))
			return 0;
	}
	return 1;
}

/*
 * Add text (from header_text: single spaces, none at the ends) word by
 * word: plain words as they are, each run of words that are not
 * encoded together, spaces and all (a space between two encoded-words
 * would be lost).
 */
static void
hdr_text(struct hdr *h, const char *text, int phrase)
{
	const char *p, *q, *end;
	size_t n, m, width;
	char *run;

	width = HDR_WIDTH - h->name - 1;
	for (p = text; *p != '\0'; p += strspn(p, " ")) {
		n = strcspn(p, " ");
		if (word_plain(p, n, width, phrase)) {
			hdr_word(h, p, n);
			p += n;
			continue;
		}
		end = p + n;
		for (q = end; *q == ' '; q = end) {
			m = strcspn(q + 1, " ");
			if (m == 0 || word_plain(q + 1, m, width, phrase))
				break;
			end = q + 1 + m;
		}
		run = xstrndup(p, (size_t)(end - p));
		hdr_encoded(h, run);
		free(run);
		p = end;
	}
}

/* "a@b," for each address of list but the last. */
static void
hdr_addresses(struct hdr *h, char *const *list, size_t n)
{
	char *w;
	size_t i;

	for (i = 0; i < n; i++) {
		w = xasprintf("%s%s", list[i], i + 1 < n ? "," : "");
		hdr_word(h, w, strlen(w));
		free(w);
	}
}

/* A message id: "<" dot-atom "@" dot-atom ">", at most MSGID_MAX bytes. */
static int
msgid_ok(const char *s, size_t n)
{
	size_t i, at;

	if (n < 5 || n > MSGID_MAX || s[0] != '<' || s[n - 1] != '>')
		return 0;
	at = 0;
	for (i = 1; i < n - 1; i++) {
		if (s[i] == '@') {
			if (at != 0)
				return 0;
			at = i;
		} else if (s[i] == '.') {
			if (s[i - 1] == '.' || s[i - 1] == '<' ||
			    s[i - 1] == '@' || s[i + 1] == '.' ||
			    s[i + 1] == '@' || s[i + 1] == '>')
				return 0;
		} else if (!is_atext((unsigned char)s[i])) {
			return 0;
		}
	}
	return at > 1 && at < n - 2;
}

/*
 * The References header: the ids of refs, checked; of more than
 * REFS_MAX, the first and the last REFS_MAX - 1 (RFC 5322 3.6.4 keeps
 * the first).  -1 after an error().
 */
static int
put_references(struct buf *b, const char *refs)
{
	struct hdr h;
	const char *p;
	size_t n, i, count;

	count = 0;
	for (p = refs; *p != '\0'; p += n) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n > 0 && !msgid_ok(p, n))
			return error("invalid References '%.*s'",
			    (int)(n > 80 ? 80 : n), p);
		count += n > 0;
	}
	if (count == 0)
		return 0;
	hdr_begin(&h, b, "References");
	i = 0;
	for (p = refs; *p != '\0'; p += n) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 0)
			continue;
		if (i == 0 || count <= REFS_MAX || i >= count - (REFS_MAX - 1))
			hdr_word(&h, p, n);
		i++;
	}
	hdr_end(&h);
	return 0;
}

static int
put_msgid(struct buf *b, const char *name, const char *id)
{
	size_t n;

	n = strnlen(id, MSGID_MAX + 1);
	if (!msgid_ok(id, n))
		return error("invalid %s '%.*s'", name, (int)(n > 80 ? 80 : n),
		    id);
	buf_addf(b, "%s: %s\r\n", name, id);
	return 0;
}

static int
put_date(struct buf *b, long long t)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	struct tm tm;
	time_t tt;

	/* up to 9999-12-31, the last date RFC 5322's 4-digit year has */
	if (t < 0 || t > 253402300799LL)
		return error("invalid mail date %lld", t);
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL)
		return error("invalid mail date %lld", t);
	buf_addf(b, "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

/*
 * True when a display name is better one quoted-string on the line:
 * printable ASCII with specials (not only atext words), no "=?", room
 * for it and its quotes.
 */
static int
quoted_ok(const char *text, size_t col)
{
	const unsigned char *p;
	int special;

	if (strstr(text, "=?") != NULL || col + 3 + strlen(text) > HDR_WIDTH)
		return 0;
	special = 0;
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return 0;
		if (*p != ' ' && !is_atext(*p))
			special = 1;
	}
	return special;
}

/* The From header: the display name plain, quoted or encoded. */
static void
put_from(struct buf *b, const char *name, const char *addr)
{
	struct buf q = BUF_INIT;
	struct hdr h;
	char *text, *a;
	const char *p;

	hdr_begin(&h, b, "From");
	text = header_text(name != NULL ? name : "", MAIL_NAME_MAX);
	if (!quoted_ok(text, h.col)) {
		hdr_text(&h, text, 1);
	} else {
		/* printable ASCII with specials ("Doe, J."): a quoted-string */
		buf_putc(&q, '"');
		for (p = text; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&q, '\\');
			buf_putc(&q, *p);
		}
		buf_putc(&q, '"');
		hdr_word(&h, q.ptr, q.len);
	}
	a = xasprintf("<%s>", addr);
	if (*text != '\0')
		hdr_word(&h, a, strlen(a));
	else
		hdr_word(&h, addr, strlen(addr));
	hdr_end(&h);
	free(a);
	free(text);
	buf_release(&q);
}

void
mail_list_free(char **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/*
 * The addresses of list not yet in all (compared without case), added
 * to all; -1 after an error() for an invalid one or too many.
 */
static int
add_recipients(char ***all, size_t *n, size_t *alloc, char *const *list,
    const char *what)
{
	size_t i, j;

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (!mail_address_ok(list[i]))
			return error("invalid %s address '%.*s'", what,
			    (int)strnlen(list[i], 80), list[i]);
		for (j = 0; j < *n; j++)
			if (strcasecmp((*all)[j], list[i]) == 0)
				break;
		if (j < *n)
			continue;
		if (*n == MAIL_RCPT_MAX)
			return error("more than %d recipients", MAIL_RCPT_MAX);
		xgrow((void **)all, alloc, *n + 2, sizeof(**all));
		(*all)[(*n)++] = xstrdup(list[i]);
		(*all)[*n] = NULL;
	}
	return 0;
}

/* To then Cc, each address once; *nto of them from To. */
static char **
recipients(const struct mail *m, size_t *nto)
{
	char **all;
	size_t n, alloc;

	all = NULL;
	n = 0;
	alloc = 0;
	xgrow((void **)&all, &alloc, 1, sizeof(*all));
	all[0] = NULL;
	if (add_recipients(&all, &n, &alloc, m->to, "To") != 0)
		goto fail;
	*nto = n;
	if (add_recipients(&all, &n, &alloc, m->cc, "Cc") != 0)
		goto fail;
	if (n == 0) {
		error("a mail with no recipient");
		goto fail;
	}
	return all;
fail:
	mail_list_free(all);
	return NULL;
}

char **
mail_recipients(const struct mail *m)
{
	size_t nto;

	return recipients(m, &nto);
}

/*
 * The body text made safe: valid UTF-8 with '\n' line ends, no control
 * character but tab, at most MAIL_BODY_MAX bytes (and a note when cut),
 * ending in '\n' unless empty.  Caller frees.
 */
static char *
body_text(const char *body, size_t *len)
{
	struct buf b = BUF_INIT;
	const unsigned char *p, *end, *run;
	size_t n;
	char *u;
	int longer;

	n = strnlen(body, MAIL_BODY_MAX + 1);
	longer = n > MAIL_BODY_MAX;
	if (longer) {
		n = MAIL_BODY_MAX;
		while (n > 0 && ((unsigned char)body[n] & 0xc0) == 0x80)
			n--;
	}
	u = safe_utf8(body, n, 0);
	buf_grow(&b, strlen(u) + 64);
	p = (const unsigned char *)u;
	end = p + strlen(u);
	for (run = p; p < end; p++) {
		if (*p == '\n' || *p == '\t' || (*p >= 0x20 && *p != 0x7f &&
		    !(*p == 0xc2 && p + 1 < end && p[1] >= 0x80 &&
		    p[1] <= 0x9f)))
			continue;
		/* a control character, or a C1 one (two bytes): left out */
		buf_add(&b, run, (size_t)(p - run));
		if (*p == 0xc2)
			p++;
		run = p + 1;
	}
	buf_add(&b, run, (size_t)(end - run));
	if (b.len > 0 && b.ptr[b.len - 1] != '\n')
		buf_putc(&b, '\n');
	if (longer)
		buf_addf(&b, "\n[cut here: the text went on past %zu bytes]\n",
		    MAIL_BODY_MAX);
	free(u);
	return buf_detach(&b, len);
}

/*
 * The quoted-printable token of the character of n bytes at p: '=',
 * controls and every byte of a non-ASCII character as =XX, and so is
 * white space ending a line, a '.' starting one (nothing then can pass
 * for the end of SMTP data or of `sendmail -t` input) and the 'F' of a
 * line starting "From " (which mbox would mangle).  Returns its length.
 */
static size_t
qp_token(char tok[13], const unsigned char *p, size_t n,
    const unsigned char *eol, int first)
{
	size_t i, len;
	int enc;

	enc = n > 1 || *p == '=' || (*p < 0x20 && *p != '\t') ||
	    *p >= 0x7f || ((*p == ' ' || *p == '\t') && p + 1 == eol) ||
	    (first && *p == '.') || (first && *p == 'F' && eol - p >= 5 &&
	    memcmp(p, "From ", 5) == 0);
	if (!enc) {
		tok[0] = (char)*p;
		return 1;
	}
	len = 0;
	for (i = 0; i < n; i++) {
		tok[len++] = '=';
		tok[len++] = hexdig[p[i] >> 4];
		tok[len++] = hexdig[p[i] & 15];
	}
	return len;
}

/* text (from body_text) in quoted-printable, CRLF line ends. */
static void
put_qp(struct buf *b, const char *text, size_t len)
{
	const unsigned char *p, *end, *eol;
	char tok[13];
	size_t col, n, t, room;

	p = (const unsigned char *)text;
	end = p + len;
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		col = 0;
		for (; p < eol; p += n) {
			n = char_len(p, (size_t)(eol - p));
			t = qp_token(tok, p, n, eol, col == 0);
			/* the last token may take the place of the '=' */
			room = p + n == eol ? QP_WIDTH : QP_WIDTH - 1;
			if (col + t > room) {
				buf_puts(b, "=\r\n");
				col = 0;
				t = qp_token(tok, p, n, eol, 1);
			}
			buf_add(b, tok, t);
			col += t;
		}
		buf_puts(b, "\r\n");
		p = eol < end ? eol + 1 : end;
	}
}

char *
mail_format(const struct mail *m, size_t *len)
{
	struct buf b = BUF_INIT;
	struct hdr h;
	char *name, *from, *subject, *body, **rcpts;
	size_t nto, nall, blen;
	int ok;

	ok = 0;
	subject = NULL;
	body = NULL;
	rcpts = NULL;
	if (parse_mailbox(m->from, &name, &from) != 0) {
		error("invalid From '%.*s'", (int)strnlen(m->from ? m->from :
		    "", 80), m->from ? m->from : "");
		return NULL;
	}
	rcpts = recipients(m, &nto);
	if (rcpts == NULL)
		goto out;
	for (nall = 0; rcpts[nall] != NULL; nall++)
		;
	if (m->message_id == NULL) {
		error("a mail with no Message-ID");
		goto out;
	}

	put_from(&b, name, from);
	if (nto > 0) {
		hdr_begin(&h, &b, "To");
		hdr_addresses(&h, rcpts, nto);
		hdr_end(&h);
	}
	if (nall > nto) {
		hdr_begin(&h, &b, "Cc");
		hdr_addresses(&h, rcpts + nto, nall - nto);
		hdr_end(&h);
	}
	subject = header_text(m->subject ? m->subject : "", MAIL_SUBJECT_MAX);
	hdr_begin(&h, &b, "Subject");
	hdr_text(&h, subject, 0);
	hdr_end(&h);
	if (put_date(&b, m->date) != 0 ||
	    put_msgid(&b, "Message-ID", m->message_id) != 0 ||
	    (m->in_reply_to != NULL &&
	    put_msgid(&b, "In-Reply-To", m->in_reply_to) != 0) ||
	    (m->references != NULL && put_references(&b, m->references) != 0))
		goto out;
	buf_puts(&b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    /* RFC 3834: no vacation replies to a robot */
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Mailer: maestrino\r\n"
	    "\r\n");
	body = body_text(m->body ? m->body : "", &blen);
	buf_grow(&b, blen + blen / 8);
	put_qp(&b, body, blen);
	ok = 1;
out:
	free(name);
	free(from);
	free(subject);
	free(body);
	mail_list_free(rcpts);
	if (!ok) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

char *
mail_message_id(const char *kind, const char *key, const char *domain)
{
	struct buf b = BUF_INIT, in = BUF_INIT;
	unsigned char d[HASH_LEN];
	const char *p;
	size_t i;

	if (domain == NULL || !host_ok(domain, strnlen(domain, 254))) {
		error("cannot make a message id: '%.*s' is not a host name",
		    (int)strnlen(domain ? domain : "", 80),
		    domain ? domain : "");
		return NULL;
	}
	kind = kind != NULL && *kind != '\0' ? kind : "mail";
	key = key != NULL ? key : "";
	/* the NUL keeps ("a", "bc") and ("ab", "c") apart */
	buf_puts(&in, kind);
	buf_add(&in, "", 1);
	buf_puts(&in, key);
	hash_bytes(in.ptr, in.len, d);
	buf_puts(&b, "<maestrino.");
	for (p = kind; *p != '\0' && p - kind < 32; p++)
		buf_putc(&b, (*p >= 'a' && *p <= 'z') || (*p >= '0' &&
		    *p <= '9') || *p == '-' ? *p : '-');
	buf_putc(&b, '.');
	for (i = 0; i < 16; i++)
		buf_addf(&b, "%02x", d[i]);
	buf_addf(&b, "@%s>", domain);
	buf_release(&in);
	return buf_detach(&b, NULL);
}

/* The host of url is a loopback address: 127.0.0.0/8, ::1, localhost. */
static int
url_loopback(const char *url)
{
	struct in6_addr a6;
	struct in_addr a4;
	char *host;
	size_t n;
	CURLU *u;
	int lo;

	lo = 0;
	host = NULL;
	u = curl_url();
	if (u == NULL)
		die_oom();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	n = strlen(host);
	if (strcasecmp(host, "localhost") == 0) {
		lo = 1;
	} else if (inet_pton(AF_INET, host, &a4) == 1) {
		lo = (ntohl(a4.s_addr) >> 24) == 127;
	} else if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6) == 1)
			lo = IN6_IS_ADDR_LOOPBACK(&a6) ||
			    (IN6_IS_ADDR_V4MAPPED(&a6) &&
			    a6.s6_addr[12] == 127);
	}
out:
	curl_free(host);
	curl_url_cleanup(u);
	return lo;
}

int
mail_tls_policy(const char *url, const char *password)
{
	if (url == NULL)
		return -1;
	if (strncasecmp(url, "smtps://", 8) == 0)
		return MAIL_TLS_IMPLICIT;
	if (strncasecmp(url, "smtp://", 7) != 0)
		return -1;
	if (password == NULL || *password == '\0' || url_loopback(url))
		return MAIL_TLS_TRY;
	return MAIL_TLS_REQUIRED;
}

/* url without the user part of its authority, for messages. */
static char *
url_shown(const char *url)
{
	const char *host, *at, *end;

	host = strstr(url, "://");
	if (host == NULL)
		return xstrdup(url);
	host += 3;
	end = host + strcspn(host, "/?#");
	at = memrchr(host, '@', (size_t)(end - host));
	if (at == NULL)
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}

/* CRLF lines of at most 998 bytes, no NUL: no SMTP smuggling through. */
static int
msg_ok(const char *msg, size_t len)
{
	size_t i, line;

	if (len < 2 || len > MAIL_MSG_MAX || msg[len - 2] != '\r' ||
	    msg[len - 1] != '\n')
		return 0;
	line = 0;
	for (i = 0; i < len; i++) {
		if (msg[i] == '\0')
			return 0;
		if (msg[i] == '\r') {
			if (i + 1 >= len || msg[i + 1] != '\n')
				return 0;
			continue;
		}
		if (msg[i] == '\n') {
			if (i == 0 || msg[i - 1] != '\r')
				return 0;
			line = 0;
			continue;
		}
		if (++line > 998)
			return 0;
	}
	return 1;
}

static void
mail_global_init(void)
{
	static int done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = 1;
	}
}

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
on_read(char *dst, size_t size, size_t nitems, void *data)
{
	struct upload *up = data;
	size_t n;

	n = size * nitems;
	if (n > up->left)
		n = up->left;
	memcpy(dst, up->p, n);
	up->p += n;
	up->left -= n;
	return n;
}

/* The command a reply answers: what it says about whom to blame. */
enum smtp_cmd {
	CMD_GREETING,	/* none sent yet */
	CMD_HELLO,	/* EHLO, HELO, STARTTLS */
	CMD_AUTH,	/* AUTH and the lines that answer its 334s */
	CMD_MAIL,	/* MAIL FROM */
	CMD_RCPT,
	CMD_DATA,
	CMD_END		/* the reply to the message's final "." */
};

static const char *const cmd_names[] = {
	"the connection (its greeting)", "EHLO", "the login (AUTH)",
	"the sender (MAIL FROM)", "a recipient (RCPT TO)", "DATA",
	"the message"
};

/*
 * The server's replies, as libcurl hands every line of them to the
 * header callback: the last lines of each ("250 OK", not "250-SIZE"),
 * the oldest dropped past max; each tagged with the command it answers,
 * and those to RCPT TO kept apart, in the order of the recipients.
 */
struct reply {
	int	 code;
	int	 cmd;
	char	 text[REPLY_TEXT];
};

struct replies {
	struct reply	*r;
	size_t		 n;
	size_t		 max;
	int		 cmd;	/* the command last sent */
	int		 last;	/* the code of the last reply */
	int		 quit;	/* QUIT sent: its reply says nothing */
	struct reply	*rcpt;	/* MAIL_RCPT_MAX of them */
	size_t		 nrcpt;
};

static size_t
on_reply(char *line, size_t size, size_t nitems, void *data)
{
	struct replies *rs = data;
	struct reply *r;
	size_t n, len;

	n = size * nitems;
	if (rs->quit || n < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (n > 3 && line[3] != ' ' && line[3] != '\r' && line[3] != '\n'))
		return n;
	if (rs->n == rs->max) {
		memmove(rs->r, rs->r + 1, (rs->max - 1) * sizeof(*rs->r));
		rs->n--;
	}
	r = &rs->r[rs->n++];
	r->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
	    (line[2] - '0');
	r->cmd = rs->cmd;
	len = n;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= sizeof(r->text))
		len = sizeof(r->text) - 1;
	memcpy(r->text, line, len);
	r->text[len] = '\0';
	rs->last = r->code;
	if (r->cmd == CMD_RCPT && rs->nrcpt < MAIL_RCPT_MAX)
		rs->rcpt[rs->nrcpt++] = *r;
	/* what the server says next is its word on the whole message */
	if (r->cmd == CMD_DATA && r->code == 354)
		rs->cmd = CMD_END;
	return n;
}

/*
 * The commands libcurl sends, as its debug callback sees them: only
 * their first word is looked at, and nothing of them is kept, so that
 * no credential of AUTH is copied anywhere.  A line that answers a 334
 * is AUTH's, whatever it looks like.  After QUIT, the phase stays the
 * one that failed, and the reply to QUIT is not kept.
 */
static int
on_debug(CURL *c, curl_infotype type, char *p, size_t n, void *data)
{
	static const struct {
		const char	*word;
		int		 cmd;
	} words[] = {
		{ "EHLO", CMD_HELLO }, { "HELO", CMD_HELLO },
		{ "STARTTLS", CMD_HELLO }, { "AUTH", CMD_AUTH },
		{ "MAIL", CMD_MAIL }, { "RCPT", CMD_RCPT },
		{ "DATA", CMD_DATA }
	};
	struct replies *rs = data;
	size_t i, len;

	(void)c;
	if (type != CURLINFO_HEADER_OUT || rs->last == 334)
		return 0;
	if (n >= 4 && memcmp(p, "QUIT", 4) == 0) {
		rs->quit = 1;
		return 0;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		len = strlen(words[i].word);
		if (n > len && memcmp(p, words[i].word, len) == 0 &&
		    (p[len] == ' ' || p[len] == '\r' || p[len] == '\n')) {
			rs->cmd = words[i].cmd;
			break;
		}
	}
	return 0;
}

/*
 * The recipients refused in a transaction, named with their replies (at
 * most REFUSED_NAMED, "and N more"), onto out.
 */
static void
refused(const struct replies *rs, char *const *rcpts, size_t n,
    struct buf *out)
{
	size_t i, named, more;

	named = 0;
	more = 0;
	for (i = 0; i < n && i < rs->nrcpt; i++) {
		if (rs->rcpt[i].code < 400)
			continue;
		if (named == REFUSED_NAMED) {
			more++;
			continue;
		}
		buf_addf(out, "%s%s (%s)", named > 0 ? ", " : "", rcpts[i],
		    rs->rcpt[i].text);
		named++;
	}
	if (more > 0)
		buf_addf(out, " and %zu more", more);
}

/*
 * The recipients still owed the message after a failure: all but those
 * refused with a 5xx; NULL when that is all of them.
 */
static char **
owed(const struct replies *rs, char *const *rcpts, size_t n)
{
	char **v;
	size_t i, k;

	for (i = 0; i < n && i < rs->nrcpt; i++)
		if (rs->rcpt[i].code >= 500)
			break;
	if (i == n || i == rs->nrcpt)
		return NULL;
	v = xcalloc(n + 1, sizeof(*v));
	k = 0;
	for (i = 0; i < n; i++)
		if (i >= rs->nrcpt || rs->rcpt[i].code < 500)
			v[k++] = xstrdup(rcpts[i]);
	return v;
}

/* The recipients that got a 4xx: NULL-terminated, or NULL when none. */
static char **
deferred(const struct replies *rs, char *const *rcpts, size_t n)
{
	char **v;
	size_t i, k;

	v = NULL;
	k = 0;
	for (i = 0; i < n && i < rs->nrcpt; i++) {
		if (rs->rcpt[i].code < 400 || rs->rcpt[i].code >= 500)
			continue;
		if (v == NULL)
			v = xcalloc(n + 1, sizeof(*v));
		v[k++] = xstrdup(rcpts[i]);
	}
	return v;
}

/* The reply that explains a failure: the last one of code, or >= 400. */
static const struct reply *
failing_reply(const struct replies *rs, long code)
{
	size_t i;

	for (i = rs->n; i > 0; i--)
		if (rs->r[i - 1].code == code)
			return &rs->r[i - 1];
	for (i = rs->n; i > 0; i--)
		if (rs->r[i - 1].code >= 400)
			return &rs->r[i - 1];
	return NULL;
}

/* Every recipient refused, each with a 5xx. */
static int
all_5xx(const struct replies *rs, size_t n)
{
	size_t i;

	if (rs->nrcpt < n)
		return 0;
	for (i = 0; i < n; i++)
		if (rs->rcpt[i].code < 500)
			return 0;
	return 1;
}

enum mail_result
mail_send(const char *url, const char *user, const char *password,
    const char *from_addr, char *const *rcpts, const char *msg, size_t len,
    char ***retry, int *early, struct buf *err)
{
	char errbuf[CURL_ERROR_SIZE], *shown;
	struct curl_slist *to;
	struct replies rs;
	struct buf why = BUF_INIT;
	struct upload up;
	const struct reply *r;
	enum mail_result out;
	CURLcode rc;
	size_t n;
	long code, ssl;
	int tls, dummy;
	CURL *c;

	if (err != NULL)
		buf_reset(err);
	if (retry != NULL)
		*retry = NULL;
	if (early == NULL)
		early = &dummy;
	*early = 1;
	shown = url_shown(url != NULL ? url : "");
	to = NULL;
	c = NULL;
	memset(&rs, 0, sizeof(rs));
	out = MAIL_RETRY;
	tls = mail_tls_policy(url, password);
	if (tls < 0) {
		error_keep(err, "cannot send mail through '%s': not an "
		    "smtp:// or smtps:// URL", shown);
		goto out;
	}
	/* a URL is printed and logged: credentials belong elsewhere */
	if (strcmp(shown, url) != 0) {
		error_keep(err, "cannot send mail through %s: a user or "
		    "password in the URL; set them apart from it", shown);
		goto out;
	}
	out = MAIL_FAIL;
	*early = 0;
	if (!mail_address_ok(from_addr)) {
		error_keep(err, "cannot send mail through %s: invalid sender "
		    "address '%s'", shown, from_addr ? from_addr : "");
		goto out;
	}
	for (n = 0; rcpts != NULL && rcpts[n] != NULL; n++) {
		if (n == MAIL_RCPT_MAX) {
			error_keep(err, "cannot send mail through %s: more "
			    "than %d recipients", shown, MAIL_RCPT_MAX);
			goto out;
		}
		if (!mail_address_ok(rcpts[n])) {
			error_keep(err, "cannot send mail through %s: invalid "
			    "recipient address '%.80s'", shown, rcpts[n]);
			goto out;
		}
		to = curl_slist_append(to, rcpts[n]);
		if (to == NULL)
			die_oom();
	}
	if (n == 0 || !msg_ok(msg, len)) {
		error_keep(err, "cannot send mail through %s: %s", shown,
		    n == 0 ? "no recipient" : "not a formatted message");
		goto out;
	}
	if (password != NULL)
		secret_add(password);

	mail_global_init();
	c = curl_easy_init();
	if (c == NULL)
		die_oom();
	errbuf[0] = '\0';
	rs.max = MAIL_RCPT_MAX + 16;
	rs.r = xcalloc(rs.max, sizeof(*rs.r));
	rs.rcpt = xcalloc(MAIL_RCPT_MAX, sizeof(*rs.rcpt));
	rs.cmd = CMD_GREETING;
	up.p = msg;
	up.left = len;
	ssl = tls == MAIL_TLS_TRY ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/*
	 * The debug callback names the command each reply answers; with it
	 * set, libcurl prints nothing itself.
	 */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &rs);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, SEND_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_USE_SSL, ssl);
	if (user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password :
		    "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	/*
	 * A refused Cc (a stale address in a trailer) must not keep the
	 * report from the others; libcurl 7.88 names this option with three
	 * L's, and later versions keep that name.
	 */
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_reply);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &rs);
	/* libcurl does the dot-stuffing and the final "." itself */
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);

	rc = curl_easy_perform(c);
	code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		refused(&rs, rcpts, n, &why);
		out = MAIL_SENT;
		if (why.len > 0)
			error_keep(err, "mail sent through %s, but refused "
			    "for %s", shown, why.ptr);
		if (retry != NULL)
			*retry = deferred(&rs, rcpts, n);
		goto out;
	}
	/* no recipient answered yet: the server or our settings are at fault */
	*early = rs.nrcpt == 0 && rs.cmd < CMD_RCPT;
	r = failing_reply(&rs, code);
	out = MAIL_RETRY;
	if (rc == CURLE_LOGIN_DENIED) {
		buf_addf(&why, "login as '%s' refused: check the user and "
		    "password", user);
	} else if (rc == CURLE_USE_SSL_FAILED) {
		buf_puts(&why, "the server offers no STARTTLS, and a password "
		    "goes to a host that is not loopback only over TLS: use "
		    "smtps:// or a server with STARTTLS");
	} else if (rs.cmd == CMD_RCPT && all_5xx(&rs, n)) {
		out = MAIL_FAIL;
		buf_puts(&why, "every recipient refused");
	} else if (rs.cmd == CMD_RCPT && rs.nrcpt == n) {
		buf_puts(&why, "no recipient taken now: ");
		refused(&rs, rcpts, n, &why);
		r = NULL;
	} else if (r != NULL && r->code >= 500 && r->code / 10 != 53 &&
	    (r->cmd == CMD_END || r->cmd == CMD_DATA)) {
		/* 53x: authentication or TLS wanted, a setting to fix */
		out = MAIL_FAIL;
		buf_puts(&why, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (rs.cmd == CMD_END && up.left == 0 && (r == NULL ||
	    r->cmd != CMD_END)) {
		buf_addf(&why, "the server took the whole message but gave no "
		    "reply to its end (%s): it may have it, and a later try "
		    "may deliver it twice", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
		r = NULL;
	} else {
		if (*early && r != NULL && r->code >= 500)
			buf_addf(&why, "the server refused %s: a setting of "
			    "the server or of settings.email to fix",
			    cmd_names[r->cmd]);
		else
			buf_puts(&why, errbuf[0] ? errbuf :
			    curl_easy_strerror(rc));
	}
	if (out == MAIL_RETRY && !*early && retry != NULL)
		*retry = owed(&rs, rcpts, n);
	error_keep(err, "cannot send mail through %s: %s%s%s", shown, why.ptr,
	    r != NULL ? "; the server said: " : "", r != NULL ? r->text : "");
out:
	curl_slist_free_all(to);
	if (c != NULL)
		curl_easy_cleanup(c);
	free(rs.r);
	free(rs.rcpt);
	free(shown);
	buf_release(&why);
	return out;
}

int
mail_write_eml(const char *dir, const char *name, const char *msg,
    size_t len)
{
	struct buf b = BUF_INIT;
	char *file, *path;
	size_t i, n;
	int ret;

	n = strnlen(name, EML_NAME_MAX + 1);
	if (n == 0 || n > EML_NAME_MAX || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != n)
		return error("cannot write mail '%.*s': not a plain file name",
		    (int)(n > 80 ? 80 : n), name);
	/* a local file for sendmail -t: LF line ends */
	for (i = 0; i < len; i++)
		if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
			buf_putc(&b, msg[i]);
	file = xasprintf("%s.eml", name);
	path = fs_join(dir, file);
	ret = fs_mkdir_p(dir);
	if (ret == 0)
		ret = fs_write_atomic(path, b.ptr, b.len, 1);
	free(path);
	free(file);
	buf_release(&b);
	return ret;
}
