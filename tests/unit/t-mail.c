/*
 * t-mail.c: report mail.  The message's structure against hostile
 * subjects, bodies and addresses (checked line by line, the body decoded
 * back), message ids, addresses and trailers, and mail_send() against a
 * real SMTP server (tests/e2e/smtp-server.py, aiosmtpd) on 127.0.0.1,
 * what it delivers read back by Python's email package.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <signal.h>

#include "tap.h"
#include "buf.h"
#include "fs.h"
#include "log.h"
#include "mail.h"
#include "proc.h"
#include "safe.h"
#include "util.h"

#define DATE	1735689600LL	/* 2025-01-01 00:00:00 UTC */
/* an address literal in a list of char * (as callers have them) */
#define A(s)	((char *)(s))

static char *to_one[] = { A("list@example.org"), NULL };

static void
mail_init(struct mail *m, const char *subject, const char *body)
{
	memset(m, 0, sizeof(*m));
	m->from = "Maestrino <ci@example.org>";
	m->to = to_one;
	m->subject = subject;
	m->message_id = "<maestrino.report.0@example.org>";
	m->body = body;
	m->date = DATE;
}

/* mail_format() of m, or NULL; what it printed is dropped. */
static char *
format(const struct mail *m, size_t *len)
{
	char *s, *printed;

	capture_start();
	s = mail_format(m, len);
	printed = capture_end();
	free(printed);
	return s;
}

/* The header block of msg (up to the blank line), CRLFs as they are. */
static char *
headers_of(const char *msg)
{
	const char *end;

	end = strstr(msg, "\r\n\r\n");
	return end ? xstrndup(msg, (size_t)(end - msg) + 2) : xstrdup("");
}

static const char *
body_of(const char *msg)
{
	const char *end;

	end = strstr(msg, "\r\n\r\n");
	return end ? end + 4 : "";
}

/* The value of header name, unfolded, or NULL. */
static char *
header(const char *msg, const char *name)
{
	struct buf b = BUF_INIT;
	char *hs, *line, *p;
	size_t n;

	hs = headers_of(msg);
	n = strlen(name);
	for (p = hs; *p != '\0'; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		for (line = p + n + 1; ; ) {
			n = strcspn(line, "\r");
			buf_add(&b, line, n);
			line += n + 2;
			if (*line != ' ' && *line != '\t')
				break;
		}
		free(hs);
		/* the space after the colon */
		if (b.ptr[0] == ' ') {
			memmove(b.ptr, b.ptr + 1, b.len);
			b.len--;
		}
		return buf_detach(&b, NULL);
	}
	free(hs);
	return NULL;
}

static const char *const allowed[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To",
	"References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "Auto-Submitted", "X-Mailer"
};

/*
 * What is wrong with the structure of msg, or NULL: CRLF lines only,
 * header lines within 78 columns and only the headers we write, each
 * once, then a body of quoted-printable lines within 76 columns, 7-bit,
 * none starting with '.' or "From ", none ending in white space.
 */
static char *
problem(const char *msg, size_t len)
{
	int seen[ARRAY_SIZE(allowed)];
	const char *p, *eol, *colon;
	size_t i, n, line;
	int in_body;

	memset(seen, 0, sizeof(seen));
	if (strlen(msg) != len)
		return xstrdup("a NUL inside");
	for (i = 0; i < len; i++)
		if ((msg[i] == '\r' && msg[i + 1] != '\n') ||
		    (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r')))
			return xasprintf("a bare CR or LF at %zu", i);
	if (len < 2 || strcmp(msg + len - 2, "\r\n") != 0)
		return xstrdup("no CRLF at the end");
	in_body = 0;
	line = 0;
	for (p = msg; *p != '\0'; p = eol + 2) {
		line++;
		eol = strstr(p, "\r\n");
		n = (size_t)(eol - p);
		if (!in_body && n == 0) {
			in_body = 1;
			continue;
		}
		for (i = 0; i < n; i++)
			if ((unsigned char)p[i] > 0x7e ||
			    ((unsigned char)p[i] < 0x20 && p[i] != '\t'))
				return xasprintf("line %zu: byte 0x%02x", line,
				    (unsigned char)p[i]);
		if (in_body) {
			if (n > 76)
				return xasprintf("body line %zu: %zu long",
				    line, n);
			if (n > 0 && (p[0] == '.' || strncmp(p, "From ", 5) ==
			    0 || p[n - 1] == ' ' || p[n - 1] == '\t'))
				return xasprintf("body line %zu: '%.*s'", line,
				    (int)n, p);
			continue;
		}
		if (n > 78)
			return xasprintf("header line %zu: %zu long", line, n);
		if (p[0] == ' ')
			continue;
		colon = memchr(p, ':', n);
		if (colon == NULL)
			return xasprintf("line %zu: no header", line);
		for (i = 0; i < ARRAY_SIZE(allowed); i++)
			if (strlen(allowed[i]) == (size_t)(colon - p) &&
			    strncmp(p, allowed[i], (size_t)(colon - p)) == 0)
				break;
		if (i == ARRAY_SIZE(allowed))
			return xasprintf("line %zu: header '%.*s'", line,
			    (int)(colon - p), p);
		if (seen[i]++)
			return xasprintf("header %s twice", allowed[i]);
	}
	if (!in_body)
		return xstrdup("no blank line after the headers");
	return NULL;
}

#define structure_ok(msg, len, name) do {				\
	char *why_ = (msg) ? problem(msg, len) : xstrdup("no message");	\
	ok(why_ == NULL, name);						\
	if (why_ != NULL)						\
		printf("#   %s\n", why_);				\
	free(why_);							\
} while (0)

/* Quoted-printable decoded, CRLF as '\n'. */
static char *
qp_decode(const char *s)
{
	struct buf b = BUF_INIT;
	unsigned v;

	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (s[0] == '=' && s[1] != '\0' && s[2] != '\0' &&
		    sscanf(s + 1, "%2X", &v) == 1) {
			buf_putc(&b, (int)v);
			s += 3;
		} else if (s[0] == '\r' && s[1] == '\n') {
			buf_putc(&b, '\n');
			s += 2;
		} else {
			buf_putc(&b, *s++);
		}
	}
	return buf_detach(&b, NULL);
}

static void
test_golden(void)
{
	static char *to[] = { A("a@example.org"), A("b@example.org"), NULL };
	static char *cc[] = { A("B@example.org"), A("c@example.org"), NULL };
	struct mail m;
	char *s;
	size_t n;

	mail_init(&m, "[maestrino] mainline: build fixed",
	    "Hello,\nthe build is fixed.\n");
	s = format(&m, &n);
	is_str(s,
	    "From: Maestrino <ci@example.org>\r\n"
	    "To: list@example.org\r\n"
	    "Subject: [maestrino] mainline: build fixed\r\n"
	    "Date: Wed, 1 Jan 2025 00:00:00 +0000\r\n"
	    "Message-ID: <maestrino.report.0@example.org>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Mailer: maestrino\r\n"
	    "\r\n"
	    "Hello,\r\n"
	    "the build is fixed.\r\n", "a plain mail, golden");
	is_int(n, s ? strlen(s) : 0, "its length");
	free(s);

	m.to = to;
	m.cc = cc;
	m.from = "\"Maestrino, CI\" <ci@example.org>";
	m.in_reply_to = "<maestrino.report.1@example.org>";
	m.references = "<maestrino.report.1@example.org>  "
	    "<maestrino.report.2@example.org>";
	m.subject = "R\xc3\xa9gression in \xc3\xbc";
	m.date = 1709251199LL;	/* 2024-02-29 23:59:59, a Thursday */
	m.body = "";
	s = format(&m, &n);
	is_str(s,
	    "From: \"Maestrino, CI\" <ci@example.org>\r\n"
	    "To: a@example.org, b@example.org\r\n"
	    "Cc: c@example.org\r\n"
	    "Subject: =?UTF-8?Q?R=C3=A9gression?= in =?UTF-8?Q?=C3=BC?=\r\n"
	    "Date: Thu, 29 Feb 2024 23:59:59 +0000\r\n"
	    "Message-ID: <maestrino.report.0@example.org>\r\n"
	    "In-Reply-To: <maestrino.report.1@example.org>\r\n"
	    "References: <maestrino.report.1@example.org> "
	    "<maestrino.report.2@example.org>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Mailer: maestrino\r\n"
	    "\r\n", "Cc without the To duplicate, encoded words, threading, "
	    "a quoted name, golden");
	free(s);

	m.from = "J\xc3\xb6rg R\xc3\xb6" "del <j@example.org>";
	s = format(&m, &n);
	contains(s, "From: =?UTF-8?Q?J=C3=B6rg_R=C3=B6del?= <j@example.org>"
	    "\r\n", "a UTF-8 name is one encoded run, its space inside");
	free(s);
	m.from = "ci@example.org";
	s = format(&m, &n);
	contains(s, "From: ci@example.org\r\n", "a bare From address");
	free(s);
}

static void
test_headers(void)
{
	static char *many[31];
	struct mail m;
	char *s, *v, *hs, big[10001], addr[31][32];
	size_t n, i;

	mail_init(&m, "build failed\r\nBcc: victim@example.org\r\n\r\nbody",
	    "x\n");
	s = format(&m, &n);
	structure_ok(s, n, "CRLF in the subject: structure holds");
	hs = s ? headers_of(s) : NULL;
	ok(hs != NULL && strstr(hs, "\nBcc") == NULL, "no Bcc header");
	v = s ? header(s, "Subject") : NULL;
	is_str(v, "build failed Bcc: victim@example.org body",
	    "the CRLFs became one space each run");
	free(v);
	free(hs);
	free(s);

	mail_init(&m, "nul\0Bcc: x", "x\n");
	s = format(&m, &n);
	v = s ? header(s, "Subject") : NULL;
	is_str(v, "nul", "a NUL ends the subject");
	free(v);
	free(s);

	mail_init(&m, "\x1b[31mred\x1b[0m\ttab\x7f\xc2\x85nel\xe2\x80\xa8ls",
	    "x\n");
	s = format(&m, &n);
	structure_ok(s, n, "ESC, DEL, NEL, LS: structure holds");
	v = s ? header(s, "Subject") : NULL;
	is_str(v, "[31mred [0m tab nel ls", "controls became spaces");
	free(v);
	free(s);

	mail_init(&m, "bad \xff\xfe utf8 \xc3", "x\n");
	s = format(&m, &n);
	structure_ok(s, n, "invalid UTF-8: structure holds");
	v = s ? header(s, "Subject") : NULL;
	is_str(v, "bad =?UTF-8?Q?=EF=BF=BD=EF=BF=BD?= utf8 "
	    "=?UTF-8?Q?=EF=BF=BD?=", "invalid bytes became U+FFFD");
	free(v);
	free(s);

	mail_init(&m, "=?UTF-8?B?QmNjOiB4?= fake", "x\n");
	s = format(&m, &n);
	v = s ? header(s, "Subject") : NULL;
	is_str(v, "=?UTF-8?Q?=3D=3FUTF-8=3FB=3FQmNjOiB4=3F=3D?= fake",
	    "a literal encoded-word is encoded, so it reads as typed");
	free(v);
	free(s);

	for (i = 0; i < 10000; i++)
		big[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
	big[10000] = '\0';
	mail_init(&m, big, "x\n");
	s = format(&m, &n);
	structure_ok(s, n, "a 10k subject: structure holds");
	v = s ? header(s, "Subject") : NULL;
	ok(v != NULL && strlen(v) <= MAIL_SUBJECT_MAX && strlen(v) > 190 &&
	    str_ends(v, "..."), "and it is cut to 200 characters");
	free(v);
	free(s);

	/* one 10k word: encoded-words, each within 75 */
	for (i = 0; i < 10000; i++)
		big[i] = i % 2 ? '\xa9' : '\xc3';
	mail_init(&m, big, "x\n");
	s = format(&m, &n);
	structure_ok(s, n, "a 10k word of UTF-8: structure holds");
	hs = s ? headers_of(s) : xstrdup("");
	for (v = hs, i = 0; (v = strstr(v, "=?UTF-8?Q?")) != NULL; v++, i++)
		if (strstr(v + 10, "?=") - v + 2 > 75)
			break;
	ok(i > 1 && strstr(hs, "=?UTF-8?Q?") != NULL && v == NULL,
	    "in several encoded-words of at most 75 bytes");
	free(hs);
	free(s);

	for (i = 0; i < 30; i++) {
		snprintf(addr[i], sizeof(addr[i]), "dev%zu@example.org", i);
		many[i] = addr[i];
	}
	many[30] = NULL;
	mail_init(&m, "x", "x\n");
	m.cc = many;
	s = format(&m, &n);
	structure_ok(s, n, "30 Cc addresses folded within 78 columns");
	v = s ? header(s, "Cc") : NULL;
	ok(v != NULL && strstr(v, "dev0@example.org, dev1@example.org,") &&
	    str_ends(v, "dev29@example.org"), "all of them, unfolded");
	free(v);
	free(s);
}

static void
bad_mail(struct mail *m, const char *name)
{
	char *s, *printed;

	capture_start();
	s = mail_format(m, NULL);
	printed = capture_end();
	ok(s == NULL && strstr(printed, "error:") != NULL, name);
	free(printed);
	free(s);
}

static void
test_refused(void)
{
	static char *crlf[] = { A("a@example.org\r\nRCPT TO:<x@y.org>"), NULL };
	static char *comma[] = { A("a@example.org, b@example.org"), NULL };
	static char *none[] = { NULL };
	static char *nul[] = { NULL };
	struct mail m;
	char *s;

	mail_init(&m, "x", "x\n");
	m.to = crlf;
	bad_mail(&m, "a To with CRLF is an error, not a header");
	m.to = to_one;
	m.cc = comma;
	bad_mail(&m, "a Cc of two addresses is an error");
	m.cc = NULL;
	m.to = none;
	bad_mail(&m, "no recipient is an error");
	m.to = to_one;
	m.from = "Evil\r\nBcc: x <ci@example.org>";
	bad_mail(&m, "a From with CRLF is an error");
	m.from = "Maestrino <ci@example.org>";
	m.message_id = "<a@b>\r\nBcc: x@y.org";
	bad_mail(&m, "a Message-ID with CRLF is an error");
	m.message_id = "<maestrino.x@example.org>";
	m.references = "<a@b> <c@d>\r\nBcc: x";
	bad_mail(&m, "References with CRLF are an error");
	m.references = NULL;
	m.in_reply_to = "no-brackets@example.org";
	bad_mail(&m, "an In-Reply-To without brackets is an error");
	m.in_reply_to = NULL;
	m.date = -1;
	bad_mail(&m, "a negative date is an error");
	m.date = DATE;
	m.cc = nul;
	s = format(&m, NULL);
	ok(s != NULL, "an empty Cc list is fine");
	free(s);
}

static void
body_is(const char *in, const char *want, const char *name)
{
	struct mail m;
	char *s, *got;
	size_t n;

	mail_init(&m, "body", in);
	s = format(&m, &n);
	structure_ok(s, n, name);
	got = qp_decode(s ? body_of(s) : "");
	is_str(got, want, "  and it reads back");
	free(got);
	free(s);
}

static void
test_body(void)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	struct mail m;
	char *s, *got;
	size_t n, i;

	body_is("a\n.\nb\n", "a\n.\nb\n", "a line '.' alone");
	body_is("..\n.x\n", "..\n.x\n", "lines '..' and '.x'");
	body_is("From here on\nFrom\n", "From here on\nFrom\n",
	    "a line starting 'From '");
	body_is("a\r\n.\r\nMAIL FROM:<x@y>\r\n", "a\n.\nMAIL FROM:<x@y>\n",
	    "CRLF . CRLF inside");
	body_is("--b\nContent-Type: text/html\n\n<script>\n--b--\n",
	    "--b\nContent-Type: text/html\n\n<script>\n--b--\n",
	    "a fake MIME boundary stays text");
	body_is("esc\x1b[1m bell\a nul\x01 cr\rdone del\x7f c1\xc2\x9b tab\t\n",
	    "esc[1m bell nul crdone del c1 tab\t\n",
	    "controls but tab removed");
	body_is("bad \xff utf8\n", "bad \xef\xbf\xbd utf8\n",
	    "invalid UTF-8 replaced");
	body_is("trailing space \ntab\t\n", "trailing space \ntab\t\n",
	    "white space ending a line survives");
	body_is("no newline at the end", "no newline at the end\n",
	    "a last line without newline gets one");
	body_is("a=b =?x?= \xc3\xa9\n", "a=b =?x?= \xc3\xa9\n",
	    "'=' and UTF-8");

	for (i = 0; i < 5000; i++)
		buf_putc(&in, i % 80 == 0 ? '.' : i % 61 == 0 ? ' ' :
		    i % 97 == 0 ? '=' : (char)('a' + i % 26));
	buf_putc(&in, '\n');
	body_is(in.ptr, in.ptr, "a 5000-character line in soft breaks");
	buf_reset(&in);
	for (i = 0; i < 2000; i++)
		buf_puts(&in, "\xe2\x82\xac");
	buf_putc(&in, '\n');
	body_is(in.ptr, in.ptr, "a line of 2000 euro signs");

	/* larger than 1 MiB: cut, with a note */
	buf_reset(&in);
	for (i = 0; in.len < MAIL_BODY_MAX + 4096; i++)
		buf_puts(&in, "0123456789abcdef0123456789abcdef0123456789\n");
	mail_init(&m, "big", in.ptr);
	s = format(&m, &n);
	structure_ok(s, n, "a body past 1 MiB");
	got = qp_decode(s ? body_of(s) : "");
	ok(strlen(got) <= MAIL_BODY_MAX + 100 &&
	    strstr(got, "[cut here: the text went on past 1048576 bytes]") !=
	    NULL, "is cut and says so");
	ok(strncmp(got, in.ptr, MAIL_BODY_MAX - 100) == 0, "keeping its start");
	free(got);
	free(s);
	buf_release(&in);
	buf_release(&want);
}

static void
test_message_id(void)
{
	char *a, *b, *c, *printed;

	a = mail_message_id("report", "mainline:abc123", "example.org");
	b = mail_message_id("report", "mainline:abc123", "example.org");
	c = mail_message_id("report", "mainline:abc124", "example.org");
	ok(a != NULL && str_starts(a, "<maestrino.report.") &&
	    str_ends(a, "@example.org>") && strlen(a) == 18 + 32 + 13,
	    "<maestrino.KIND.HASH@domain>");
	is_str(a, b, "the same inputs give the same id");
	ok(c != NULL && a != NULL && strcmp(a, c) != 0,
	    "another key another id");
	free(a);
	free(b);
	free(c);
	a = mail_message_id("a", "bc", "example.org");
	b = mail_message_id("ab", "c", "example.org");
	ok(a && b && memcmp(strchr(a, '@') - 32, strchr(b, '@') - 32, 32) != 0,
	    "kind and key are kept apart in the hash");
	free(a);
	free(b);
	a = mail_message_id("Bad Kind>\r\n", "k", "example.org");
	ok(a != NULL && str_starts(a, "<maestrino.-ad--ind---."),
	    "kind is made of [a-z0-9-]");
	free(a);
	capture_start();
	a = mail_message_id("report", "k", "example.org>\r\nBcc: x");
	printed = capture_end();
	ok(a == NULL && strstr(printed, "not a host name"),
	    "a domain that is not a host name is an error");
	free(printed);
	free(a);
}

static void
test_addresses(void)
{
	static const struct {
		const char	*addr;
		int		 ok;
	} t[] = {
		{ "a@example.org", 1 },
		{ "first.last+tag@sub.example.org", 1 },
		{ "x_y=z-1@ex-ample.org", 1 },
		{ "root@localhost", 1 },
		{ "", 0 },
		{ "a", 0 },
		{ "@example.org", 0 },
		{ "a@", 0 },
		{ "a@@example.org", 0 },
		{ "a@b@example.org", 0 },
		{ ".a@example.org", 0 },
		{ "a.@example.org", 0 },
		{ "a..b@example.org", 0 },
		{ "-oQ/tmp@example.org", 0 },
		{ "a b@example.org", 0 },
		{ "a,b@example.org", 0 },
		{ "<a@example.org>", 0 },
		{ "\"a\"@example.org", 0 },
		{ "a@example.org\r\n", 0 },
		{ "a@example.org\nRCPT TO:<b@c.org>", 0 },
		{ "a@-example.org", 0 },
		{ "a@example-.org", 0 },
		{ "a@example..org", 0 },
		{ "a@example.org.", 0 },
		{ "a@[127.0.0.1]", 0 },
		{ "a@ex_ample.org", 0 },
		{ "|cmd@example.org", 0 },
		{ "j\xc3\xb6rg@example.org", 0 },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *v = safe_visible_dup(t[i].addr);
		char *name = xasprintf("address '%s' %s", v,
		    t[i].ok ? "taken" : "refused");

		is_int(mail_address_ok(t[i].addr), t[i].ok, name);
		free(name);
		free(v);
	}
	/* 64 + 1 + 3 * (61 + 1) + 3 = 254 bytes takes; one more does not */
	for (i = 0; i < 64; i++)
		buf_putc(&b, 'l');
	buf_putc(&b, '@');
	for (i = 0; i < 3 * 62; i++)
		buf_putc(&b, i % 62 == 61 ? '.' : 'd');
	buf_puts(&b, "org");
	is_int(b.len, 254, "(a 254-byte address)");
	ok(mail_address_ok(b.ptr), "254 bytes is the most");
	buf_setlen(&b, b.len - 3);
	buf_puts(&b, "orgs");
	ok(!mail_address_ok(b.ptr), "255 is too long");
	buf_release(&b);
	ok(!mail_address_ok(NULL), "NULL is no address");
	is_str(mail_address_domain("a@example.org"), "example.org",
	    "the domain of an address");
	ok(mail_address_domain("a@b@c") == NULL, "of an invalid one, none");
}

static void
test_trailers(void)
{
	static const struct {
		const char	*value;
		const char	*want;
	} t[] = {
		{ "Jane Doe <jane@example.org>", "jane@example.org" },
		{ "  Jane Doe   <jane@example.org>  ", "jane@example.org" },
		{ "jane@example.org", "jane@example.org" },
		{ "<jane@example.org>", "jane@example.org" },
		{ "\"Doe, Jane\" <jane@example.org>", "jane@example.org" },
		{ "J. R. Doe <jr@example.org>", "jr@example.org" },
		{ "J\xc3\xb6rg R\xc3\xb6" "del <joro@example.org>",
		    "joro@example.org" },
		{ "stable@vger.kernel.org # 6.1.x", "stable@vger.kernel.org" },
		{ "Greg <greg@example.org> # v6.6+", "greg@example.org" },
		{ "", NULL },
		{ "Jane Doe", NULL },
		{ "Jane Doe <jane@example.org", NULL },
		{ "Jane Doe jane@example.org>", NULL },
		{ "<jane@example.org> Jane", NULL },
		{ "a@example.org, b@example.org", NULL },
		{ "A <a@example.org>, B <b@example.org>", NULL },
		{ "A <a@example.org> <b@example.org>", NULL },
		{ "A <<a@example.org>>", NULL },
		{ "Doe, Jane <jane@example.org>", NULL },
		{ "\"x@evil.org\" <jane@example.org>", NULL },
		{ "\"Jane <jane@example.org>", NULL },
		{ "\"Ja\"ne\" <jane@example.org>", NULL },
		{ "\"Ja\\\"ne\" <jane@example.org>", NULL },
		{ "Jane\r\nBcc: x <jane@example.org>", NULL },
		{ "Jane <jane@example.org>\r\nBcc: x@y.org", NULL },
		{ "Jane <jane@example.org>\n", NULL },
		{ "Jane\t<jane@example.org>", NULL },
		{ "Jane <jane @example.org>", NULL },
		{ "Jane <\"j\"@example.org>", NULL },
		{ "Jane (work) <jane@example.org>", NULL },
		{ "jane@example.org (Jane)", NULL },
		{ "# jane@example.org", NULL },
	};
	struct buf b = BUF_INIT;
	char *got;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *v = safe_visible_dup(t[i].value);
		char *name = xasprintf("trailer '%s'", v);

		got = mail_address_from_trailer(t[i].value);
		is_str(got, t[i].want, name);
		free(got);
		free(name);
		free(v);
	}
	ok(mail_address_from_trailer(NULL) == NULL, "NULL gives NULL");
	buf_puts(&b, "\"");
	while (b.len < 600)
		buf_puts(&b, "name ");
	buf_puts(&b, "\" <jane@example.org>");
	ok(mail_address_from_trailer(b.ptr) == NULL,
	    "a value past 512 bytes is refused");
	buf_release(&b);
}

static void
test_tls_policy(void)
{
	is_int(mail_tls_policy("smtps://mail.example.org", "pw"),
	    MAIL_TLS_IMPLICIT, "smtps: TLS from the start");
	is_int(mail_tls_policy("smtp://mail.example.org:587", "pw"),
	    MAIL_TLS_REQUIRED, "smtp with a password: STARTTLS required");
	is_int(mail_tls_policy("SMTP://mail.example.org:587", "pw"),
	    MAIL_TLS_REQUIRED, "the scheme in capitals too");
	is_int(mail_tls_policy("smtp://mail.example.org", NULL), MAIL_TLS_TRY,
	    "smtp without a password: STARTTLS if offered");
	is_int(mail_tls_policy("smtp://mail.example.org", ""), MAIL_TLS_TRY,
	    "an empty password is none");
	is_int(mail_tls_policy("smtp://127.0.0.1:2525", "pw"), MAIL_TLS_TRY,
	    "loopback 127.0.0.1 with a password: STARTTLS if offered");
	is_int(mail_tls_policy("smtp://127.9.9.9", "pw"), MAIL_TLS_TRY,
	    "all of 127/8 is loopback");
	is_int(mail_tls_policy("smtp://localhost:25", "pw"), MAIL_TLS_TRY,
	    "localhost is loopback");
	is_int(mail_tls_policy("smtp://[::1]:25", "pw"), MAIL_TLS_TRY,
	    "[::1] is loopback");
	is_int(mail_tls_policy("smtp://u:p@127.0.0.1.evil.org", "pw"),
	    MAIL_TLS_REQUIRED, "127.0.0.1.evil.org is not");
	is_int(mail_tls_policy("smtp://localhost.evil.org", "pw"),
	    MAIL_TLS_REQUIRED, "localhost.evil.org is not");
	is_int(mail_tls_policy("smtp://128.0.0.1", "pw"), MAIL_TLS_REQUIRED,
	    "128.0.0.1 is not");
	is_int(mail_tls_policy("http://127.0.0.1", NULL), -1,
	    "http:// is no mail URL");
	is_int(mail_tls_policy("file:///etc/passwd", NULL), -1,
	    "file:// neither");
}

static void
test_eml(void)
{
	struct buf b = BUF_INIT;
	struct mail m;
	char *dir, *s, *path, *printed, *p;
	size_t n, crlf;

	dir = tap_tmpdir();
	mail_init(&m, "eml", "a\n.\nb\n");
	s = format(&m, &n);
	ok(mail_write_eml(dir, "report-1", s, n) == 0, "an .eml written");
	path = xasprintf("%s/report-1.eml", dir);
	buf_read_file(&b, path);
	for (crlf = 0, p = s; (p = strstr(p, "\r\n")) != NULL; p++)
		crlf++;
	ok(b.len == n - crlf && strchr(b.ptr, '\r') == NULL,
	    "with LF line ends, for sendmail -t");
	ok(strstr(b.ptr, "\n.\n") == NULL,
	    "and no '.' line to end sendmail's input");
	capture_start();
	ok(mail_write_eml(dir, "../escape", s, n) != 0 &&
	    mail_write_eml(dir, ".hidden", s, n) != 0 &&
	    mail_write_eml(dir, "", s, n) != 0, "names with '/' or a "
	    "leading '.' are refused");
	printed = capture_end();
	free(path);
	path = xasprintf("%s/../escape.eml", dir);
	ok(!fs_exists(path) && strstr(printed, "plain file name"),
	    "and nothing is written");
	free(printed);
	free(path);
	free(s);
	buf_release(&b);
	fs_remove_tree(dir);
	free(dir);
}

/* The SMTP server of the tests, on 127.0.0.1. */
struct server {
	pid_t	 pid;
	char	*dir;
	int	 port;
	char	*url;
};

static char *
script_path(void)
{
	char *self, *p;

	if (fs_exists("tests/e2e/smtp-server.py"))
		return xstrdup("tests/e2e/smtp-server.py");
	self = proc_self_dir();
	p = xasprintf("%s/../../tests/e2e/smtp-server.py", self);
	free(self);
	return p;
}

static int
server_start(struct server *s, const char *a1, const char *a2,
    const char *a3)
{
	const char *argv[12];
	struct buf b = BUF_INIT;
	char *script, *ready, *log;
	int i, fd;

	memset(s, 0, sizeof(*s));
	s->dir = tap_tmpdir();
	script = script_path();
	i = 0;
	argv[i++] = "/usr/bin/python3";
	argv[i++] = script;
	argv[i++] = "--port";
	argv[i++] = "0";
	argv[i++] = "--dir";
	argv[i++] = s->dir;
	argv[i++] = "--lifetime";
	argv[i++] = "120";
	argv[i++] = a1;
	argv[i++] = a1 ? a2 : NULL;
	argv[i++] = a1 && a2 ? a3 : NULL;
	argv[i] = NULL;
	log = xasprintf("%s/log", s->dir);
	fflush(stdout);
	s->pid = fork();
	if (s->pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(log);
	free(script);
	ready = xasprintf("%s/ready", s->dir);
	for (i = 0; i < 1500 && s->pid > 0; i++) {
		if (buf_read_file(&b, ready) == 0 && b.len > 0)
			break;
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
		usleep(10000);
	}
	free(ready);
	s->port = b.len > 0 ? (int)strtol(b.ptr, NULL, 10) : 0;
	buf_release(&b);
	if (s->port <= 0) {
		log = xasprintf("%s/log", s->dir);
		buf_read_file(&b, log);
		printf("# smtp-server.py did not start: %s\n", b.ptr);
		buf_release(&b);
		free(log);
		return -1;
	}
	s->url = xasprintf("smtp://127.0.0.1:%d", s->port);
	return 0;
}

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	if (s->dir != NULL)
		fs_remove_tree(s->dir);
	free(s->dir);
	free(s->url);
	memset(s, 0, sizeof(*s));
}

/* The contents of the server's file name (".eml", ".env"), or "". */
static char *
server_file(const struct server *s, const char *name)
{
	struct buf b = BUF_INIT;
	char *path;

	path = xasprintf("%s/%s", s->dir, name);
	buf_read_file(&b, path);
	free(path);
	return buf_detach(&b, NULL);
}

/*
 * Python's email package reads the delivered message back: its subject
 * and its decoded body must be these, with no defect found.
 */
static const char parse_back[] =
    "import email, email.policy, sys\n"
    "m = email.message_from_bytes(open(sys.argv[1], 'rb').read(),\n"
    "    policy=email.policy.default)\n"
    "bad = []\n"
    "subj = str(m['subject'])\n"
    "body = m.get_content().replace('\\r\\n', '\\n')\n"
    "if subj != sys.argv[2]: bad.append('subject %r' % subj)\n"
    "if body != open(sys.argv[3], encoding='utf-8').read():\n"
    "    bad.append('body %r' % body[:300])\n"
    "if m.get_content_type() != 'text/plain' or m.is_multipart():\n"
    "    bad.append('type ' + m.get_content_type())\n"
    "for k in m.keys():\n"
    "    if m[k].defects: bad.append('%s: %r' % (k, m[k].defects))\n"
    "if m.defects: bad.append(repr(m.defects))\n"
    "if m['bcc'] is not None: bad.append('a Bcc')\n"
    "print('; '.join(bad) or 'same')\n";

static void
check_parsed(const struct server *s, const char *eml, const char *subject,
    const char *body)
{
	struct buf out = BUF_INIT;
	char *path, *bodyf;
	const char *argv[7];
	int rc;

	path = xasprintf("%s/%s", s->dir, eml);
	bodyf = xasprintf("%s/want-body", s->dir);
	tap_write(s->dir, "want-body", body);
	argv[0] = "/usr/bin/python3";
	argv[1] = "-c";
	argv[2] = parse_back;
	argv[3] = path;
	argv[4] = subject;
	argv[5] = bodyf;
	argv[6] = NULL;
	rc = proc_capture((char *const *)argv, NULL, &out);
	buf_rtrim(&out);
	ok(rc == 0 && strcmp(out.ptr, "same") == 0,
	    "Python's email reads the subject and body sent");
	if (rc != 0 || strcmp(out.ptr, "same") != 0)
		printf("#   %s (exit %d)\n", out.ptr, rc);
	free(path);
	free(bodyf);
	buf_release(&out);
}

/* A port on 127.0.0.1 where nothing listens. */
static int
dead_port(void)
{
	struct sockaddr_in sa;
	socklen_t len;
	int fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof(sa);
	port = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static const char attack_subject[] = "[maestrino] net-next: "
    "\xc3\xa9t\xc3\xa9 r\xc3\xa9gression\r\nBcc: victim@example.org";
static const char want_subject[] = "[maestrino] net-next: "
    "\xc3\xa9t\xc3\xa9 r\xc3\xa9gression Bcc: victim@example.org";
static const char attack_body[] = "Boot log:\n"
    ".\n"
    "..\n"
    "\r\n.\r\n"
    "MAIL FROM:<evil@example.org>\r\n"
    "From the console\n"
    "--boundary\nContent-Type: text/html\n\n"
    "\x1b[31mKernel panic\x1b[0m \xff caf\xc3\xa9 = ok \n";
static const char want_body[] = "Boot log:\n"
    ".\n"
    "..\n"
    "\n.\n"
    "MAIL FROM:<evil@example.org>\n"
    "From the console\n"
    "--boundary\nContent-Type: text/html\n\n"
    "[31mKernel panic[0m \xef\xbf\xbd caf\xc3\xa9 = ok \n";

static void
test_send(void)
{
	static char *to[] = { A("list@example.org"), NULL };
	static char *cc[] = { A("dev@example.org"), A("gone@example.org"),
	    NULL };
	static char *rcpt_all[] = { A("list@example.org"),
	    A("dev@example.org"), NULL };
	static char *rcpt_gone[] = { A("gone@example.org"), NULL };
	static char *rcpt_mixed[] = { A("list@example.org"),
	    A("gone@example.org"), A("dev@example.org"), NULL };
	static char *rcpt_crlf[] = { A("a@example.org>\r\nRCPT TO:<b@c.org"),
	    NULL };
	static char *rcpt_late[] = { A("gone@example.org"),
	    A("list@example.org"), NULL };
	struct buf err = BUF_INIT;
	struct server s;
	struct mail m;
	char *msg, *got, *url, **rcpts, **retry;
	enum mail_result r;
	size_t n;
	int rc, early;

	rc = system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null");
	if (!ok(rc == 0, "python3-aiosmtpd is installed (scripts/deps.sh "
	    "test)"))
		return;

	mail_init(&m, attack_subject, attack_body);
	m.to = to;
	m.cc = cc;
	msg = format(&m, &n);
	rcpts = mail_recipients(&m);
	ok(rcpts != NULL && rcpts[0] && rcpts[1] && rcpts[2] && !rcpts[3],
	    "three envelope recipients");
	mail_list_free(rcpts);

	/* delivered, read back */
	if (server_start(&s, NULL, NULL, NULL) == 0) {
		r = mail_send(s.url, NULL, NULL, "ci@example.org", rcpt_all,
		    msg, n, NULL, NULL, &err);
		is_int(r, MAIL_SENT, "sent to a real SMTP server");
		is_str(err.ptr, "", "with nothing to say");
		got = server_file(&s, "0001.eml");
		ok(strcmp(got, msg) == 0, "it got the very bytes: libcurl "
		    "stuffed dots once and the server took them off");
		free(got);
		got = server_file(&s, "0001.env");
		is_str(got, "from ci@example.org\nto list@example.org\n"
		    "to dev@example.org\n", "the envelope");
		free(got);
		check_parsed(&s, "0001.eml", want_subject, want_body);
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);

	/* one recipient refused: the others still get it */
	if (server_start(&s, "--reject-rcpt=gone@example.org",
	    "--tempfail-rcpt", "list@example.org") == 0) {
		r = mail_send(s.url, NULL, NULL, "ci@example.org", rcpt_late,
		    msg, n, &retry, &early, &err);
		is_int(r, MAIL_RETRY, "a 550 and a 450: temporary");
		ok(retry != NULL && retry[0] != NULL && retry[1] == NULL &&
		    strcmp(retry[0], "list@example.org") == 0 && !early,
		    "owed to the 450 one only");
		contains(err.ptr, "gone@example.org (550 5.1.1", "the 550 "
		    "named");
		mail_list_free(retry);
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);

	if (server_start(&s, "--reject-rcpt", "gone@example.org", NULL) == 0) {
		r = mail_send(s.url, NULL, NULL, "ci@example.org", rcpt_mixed,
		    msg, n, NULL, NULL, &err);
		is_int(r, MAIL_SENT, "a refused recipient: sent to the others");
		contains(err.ptr, "refused for gone@example.org (550 5.1.1 "
		    "<gone@example.org>: recipient address rejected)",
		    "and the refused one is named with the reply");
		ok(strstr(err.ptr, "list@example.org") == NULL &&
		    strstr(err.ptr, "dev@example.org") == NULL,
		    "and only it");
		got = server_file(&s, "0001.env");
		is_str(got, "from ci@example.org\nto list@example.org\n"
		    "to dev@example.org\n", "the envelope holds the others");
		free(got);
		r = mail_send(s.url, NULL, NULL, "ci@example.org", rcpt_gone,
		    msg, n, NULL, NULL, &err);
		is_int(r, MAIL_FAIL, "every recipient refused: permanent");
		contains(err.ptr, "550 5.1.1", "with the server's reply");
		contains(err.ptr, s.url, "and the URL");
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);

	if (server_start(&s, "--reject-data-5xx", NULL, NULL) == 0) {
		r = mail_send(s.url, NULL, NULL, "ci@example.org", rcpt_all,
		    msg, n, NULL, NULL, &err);
		is_int(r, MAIL_FAIL, "554 after the data: permanent");
		contains(err.ptr, "554 5.7.1 message refused by policy",
		    "with the server's reply");
		contains(err.ptr, "cannot send mail through smtp://127.0.0.1:",
		    "naming the URL");
		ok(strchr(err.ptr, '\n') == NULL, "on one line");
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);

	if (server_start(&s, "--tempfail-4xx", NULL, NULL) == 0) {
		r = mail_send(s.url, NULL, NULL, "ci@example.org", rcpt_all,
		    msg, n, NULL, NULL, &err);
		is_int(r, MAIL_RETRY, "451 after the data: temporary");
		contains(err.ptr, "451 4.3.0", "with the server's reply");
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);

	if (server_start(&s, "--tempfail-rcpt", "list@example.org",
	    NULL) == 0) {
		r = mail_send(s.url, NULL, NULL, "ci@example.org", to,
		    msg, n, &retry, &early, &err);
		is_int(r, MAIL_RETRY, "450 for the only recipient: temporary");
		contains(err.ptr, "450 4.2.1", "with the server's reply");
		ok(retry == NULL && !early, "owed to all, and the server "
		    "answered for the recipients (not early)");
		mail_list_free(retry);
		/* greylisting: one To later, the others now */
		r = mail_send(s.url, NULL, NULL, "ci@example.org", rcpt_all,
		    msg, n, &retry, &early, &err);
		is_int(r, MAIL_SENT, "450 for one of two: sent to the other");
		ok(retry != NULL && retry[0] != NULL && retry[1] == NULL &&
		    strcmp(retry[0], "list@example.org") == 0,
		    "and the 4xx one is owed it later");
		contains(err.ptr, "list@example.org (450 4.2.1", "named");
		mail_list_free(retry);
		got = server_file(&s, "0001.env");
		is_str(got, "from ci@example.org\nto dev@example.org\n",
		    "the envelope holds the other only");
		free(got);
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);

	if (server_start(&s, "--auth", "ci-user", "s3cret-pass-4711") == 0) {
		r = mail_send(s.url, "ci-user", "s3cret-pass-4711",
		    "ci@example.org", to, msg, n, NULL, NULL, &err);
		is_int(r, MAIL_SENT, "AUTH with the right password (loopback, "
		    "no TLS)");
		r = mail_send(s.url, "ci-user", "wrong-pass-0815",
		    "ci@example.org", to, msg, n, NULL, NULL, &err);
		is_int(r, MAIL_RETRY, "a login refused: temporary, nothing "
		    "lost while the config is fixed");
		contains(err.ptr, "login as 'ci-user' refused",
		    "and it says so");
		ok(strstr(err.ptr, "wrong-pass-0815") == NULL,
		    "without the password");
		url = xasprintf("smtp://ci-user:other-pass-1234@127.0.0.1:%d",
		    s.port);
		r = mail_send(url, NULL, NULL, "ci@example.org", to, msg, n,
		    NULL, NULL, &err);
		is_int(r, MAIL_RETRY, "credentials in the URL: a setting to "
		    "fix");
		contains(err.ptr, "a user or password in the URL",
		    "and it says so");
		ok(strstr(err.ptr, "other-pass-1234") == NULL &&
		    strstr(err.ptr, "ci-user:") == NULL &&
		    strstr(err.ptr, s.url) != NULL,
		    "the URL shown without its user part");
		free(url);
		r = mail_send(s.url, NULL, NULL, "ci@example.org", to, msg, n,
		    NULL, NULL, &err);
		is_int(r, MAIL_RETRY, "no login where one is needed (530): "
		    "temporary");
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);

	url = xasprintf("smtp://127.0.0.1:%d", dead_port());
	r = mail_send(url, NULL, NULL, "ci@example.org", to, msg, n, &retry,
	    &early, &err);
	is_int(r, MAIL_RETRY, "server down: temporary");
	ok(early && retry == NULL, "before any recipient: early");
	contains(err.ptr, url, "naming the URL");
	r = mail_send(url, NULL, NULL, "ci@example.org", rcpt_crlf, msg, n,
	    NULL, NULL, &err);
	is_int(r, MAIL_FAIL, "a recipient with CRLF: refused before sending");
	contains(err.ptr, "invalid recipient", "and says why");
	r = mail_send(url, NULL, NULL, "ci@example.org>\r\nDATA", to, msg, n,
	    NULL, NULL, &err);
	is_int(r, MAIL_FAIL, "a sender with CRLF: refused");
	r = mail_send(url, NULL, NULL, "ci@example.org", to,
	    "Subject: x\n\n.\n", 16, NULL, NULL, &err);
	is_int(r, MAIL_FAIL, "a message with bare LFs: refused (no "
	    "smuggling)");
	r = mail_send("http://127.0.0.1/", NULL, NULL, "ci@example.org", to,
	    msg, n, NULL, NULL, &err);
	is_int(r, MAIL_RETRY, "an http:// URL: a setting to fix");
	contains(err.ptr, "not an smtp:// or smtps:// URL", "and says so");
	free(url);
	free(msg);
	buf_release(&err);
}

/* STARTTLS with a certificate no CA signed: refused, not sent in clear. */
static void
test_starttls(void)
{
	static char *to[] = { A("list@example.org"), NULL };
	struct buf err = BUF_INIT;
	struct server s;
	struct mail m;
	enum mail_result r;
	char *dir, *cmd, *cert, *key, *msg, *got;
	size_t n;

	dir = tap_tmpdir();
	cert = xasprintf("%s/cert.pem", dir);
	key = xasprintf("%s/key.pem", dir);
	cmd = xasprintf("openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
	    "-subj /CN=127.0.0.1 -keyout %s -out %s >/dev/null 2>&1", key,
	    cert);
	if (!ok(system(cmd) == 0, "a self-signed certificate (openssl)"))
		goto out;
	mail_init(&m, "tls", "x\n");
	msg = format(&m, &n);
	if (server_start(&s, "--starttls", cert, key) == 0) {
		r = mail_send(s.url, NULL, NULL, "ci@example.org", to, msg, n,
		    NULL, NULL, &err);
		is_int(r, MAIL_RETRY, "STARTTLS offered with a certificate "
		    "that does not verify: temporary");
		got = server_file(&s, "0001.eml");
		is_str(got, "", "and nothing went in the clear");
		free(got);
		ok(strstr(err.ptr, "certificate") != NULL ||
		    strstr(err.ptr, "SSL") != NULL, "the reason names it");
	} else {
		ok(0, "smtp-server.py starts");
	}
	server_stop(&s);
	free(msg);
out:
	fs_remove_tree(dir);
	free(dir);
	free(cmd);
	free(cert);
	free(key);
	buf_release(&err);
}

int
main(void)
{
	log_init("t-mail");
	test_golden();
	test_headers();
	test_refused();
	test_body();
	test_message_id();
	test_addresses();
	test_trailers();
	test_tls_policy();
	test_eml();
	test_send();
	test_starttls();
	return tap_done();
}
