/*
 * t-html.c: escaping of data for element text, attribute values, URL
 * paths and hrefs, and the status classes and symbols of the site.
 */
#include "tap.h"
#include "html.h"
#include "log.h"

#define FFFD	"\xef\xbf\xbd"

typedef void (*writer)(struct buf *, const char *);

/* Check that w turns in into want, byte for byte. */
static void
check(writer w, const char *in, const char *want, const char *name)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "");
	w(&b, in);
	is_str(b.ptr != NULL ? b.ptr : "", want, name);
	buf_release(&b);
}

static void
test_text(void)
{
	check(html_text, "plain text 1.2", "plain text 1.2", "text: plain");
	check(html_text, "a&b", "a&amp;b", "text: & escaped");
	check(html_text, "<script>", "&lt;script&gt;", "text: < > escaped");
	check(html_text, "say \"hi\"", "say \"hi\"", "text: \" kept");
	check(html_text, "it's", "it's", "text: ' kept");
	check(html_text, "&amp;", "&amp;amp;", "text: an entity is data");
	check(html_text, NULL, "", "text: NULL appends nothing");
	check(html_text, "", "", "text: empty");
	check(html_text, "a\tb\nc\rd", "a\tb\nc\rd",
	    "text: tab, newline, carriage return kept");
	check(html_text, "a\x01" "b\x1b" "c\x7f" "d",
	    "a" FFFD "b" FFFD "c" FFFD "d",
	    "text: other C0 controls and DEL replaced");
	check(html_text, "caf\xc3\xa9 \xe2\x9c\x94 \xf0\x9f\x90\xa7",
	    "caf\xc3\xa9 \xe2\x9c\x94 \xf0\x9f\x90\xa7",
	    "text: valid UTF-8 of 2, 3 and 4 bytes kept");
	check(html_text, "a\xff" "b", "a" FFFD "b",
	    "text: a byte that is never UTF-8 replaced");
	check(html_text, "a\xc3", "a" FFFD, "text: a truncated sequence "
	    "at the end replaced");
	check(html_text, "a\xe2\x9c" "b", "a" FFFD FFFD "b",
	    "text: each byte of a truncated sequence replaced");
	check(html_text, "\xc0\xbc", FFFD FFFD,
	    "text: an overlong '<' does not come through");
	check(html_text, "\xed\xa0\x80", FFFD FFFD FFFD,
	    "text: a UTF-16 surrogate replaced");
	check(html_text, "\xc2\x85" "x\xc2\x9f", FFFD "x" FFFD,
	    "text: C1 controls replaced");
	check(html_text, "\xc2\xa0", "\xc2\xa0",
	    "text: U+00A0, the first after C1, kept");
	check(html_text, "\xef\xbf\xbe\xef\xbf\xbf", FFFD FFFD,
	    "text: non-characters U+FFFE and U+FFFF replaced");
	check(html_text, "\xef\xbf\xbd", FFFD, "text: U+FFFD itself kept");
}

static void
test_attr(void)
{
	check(html_attr, "plain", "plain", "attr: plain");
	check(html_attr, "a&b", "a&amp;b", "attr: & escaped");
	check(html_attr, "<>", "&lt;&gt;", "attr: < > escaped");
	check(html_attr, "\"", "&quot;", "attr: \" escaped");
	check(html_attr, "'", "&#39;", "attr: ' escaped");
	check(html_attr, "x\" onmouseover=\"alert(1)",
	    "x&quot; onmouseover=&quot;alert(1)",
	    "attr: a branch name cannot close the attribute");
	check(html_attr, "x' y='z", "x&#39; y=&#39;z",
	    "attr: nor a single-quoted one");
	check(html_attr, NULL, "", "attr: NULL appends nothing");
	check(html_attr, "a\x02" "b\xfe", "a" FFFD "b" FFFD,
	    "attr: controls and bad UTF-8 replaced");
	check(html_attr, "\xe2\x80\xa6\t", "\xe2\x80\xa6\t",
	    "attr: valid UTF-8 and tab kept");
}

static void
test_url_path(void)
{
	check(url_path, "next/20260101", "next/20260101",
	    "url: unreserved characters and / kept");
	check(url_path, "AZaz09-._~", "AZaz09-._~",
	    "url: letters, digits, - . _ ~ kept");
	check(url_path, "a b", "a%20b", "url: space encoded");
	check(url_path, "x?y#z&w=1", "x%3Fy%23z%26w%3D1",
	    "url: ? # & = encoded");
	check(url_path, "javascript:alert(1)", "javascript%3Aalert%281%29",
	    "url: a colon cannot start a scheme");
	check(url_path, "\"<'>%", "%22%3C%27%3E%25",
	    "url: quotes, brackets and % encoded");
	check(url_path, "\xc3\xa9\n", "%C3%A9%0A",
	    "url: every byte above ASCII and controls encoded, upper hex");
	check(url_path, NULL, "", "url: NULL appends nothing");
}

static void
test_href(void)
{
	check(html_href, "https://example.org/a?b=1&c=\"2\"",
	    "https://example.org/a?b=1&amp;c=&quot;2&quot;",
	    "href: https kept, escaped for the attribute");
	check(html_href, "http://example.org/", "http://example.org/",
	    "href: http kept");
	check(html_href, "file:///srv/log.txt", "file:///srv/log.txt",
	    "href: file kept");
	check(html_href, "javascript:alert(1)", "#", "href: javascript: "
	    "dropped");
	check(html_href, "data:text/html,<b>", "#", "href: data: dropped");
	check(html_href, "HTTPS://example.org/", "#",
	    "href: only the lower-case schemes are kept");
	check(html_href, " https://example.org/", "#",
	    "href: nothing may come before the scheme");
	check(html_href, "/relative", "#", "href: no scheme: dropped");
	check(html_href, NULL, "#", "href: NULL gives #");
}

static void
test_raw(void)
{
	check(html_raw, "<td class=\"x\">&nbsp;", "<td class=\"x\">&nbsp;",
	    "raw: markup written as it is");
}

static void
test_status(void)
{
	static const struct {
		const char *status, *class, *symbol;
	} t[] = {
		{ "PASS", "pass", "\xe2\x9c\x94" },
		{ "FAIL", "fail", "\xe2\x9c\x98" },
		{ "ERROR", "error", "\xe2\x9a\xa0" },
		{ "MISS", "miss", "\xe2\x88\x85" },
		{ "SKIP", "skip", "\xe2\x86\xb7" },
		{ "DONE", "done", "\xe2\x80\xa2" },
		{ "pass", "done", "\xe2\x80\xa2" },
		{ NULL, "run", "\xe2\x80\xa6" },
	};
	size_t i;
	char msg[80];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(msg, sizeof(msg), "class of %s",
		    t[i].status ? t[i].status : "NULL");
		is_str(html_status_class(t[i].status), t[i].class, msg);
		snprintf(msg, sizeof(msg), "symbol of %s",
		    t[i].status ? t[i].status : "NULL");
		is_str(html_status_symbol(t[i].status), t[i].symbol, msg);
	}
}

/* Appending adds to what is there and never rewrites it. */
static void
test_append(void)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "<a title=\"");
	html_attr(&b, "1 < 2");
	buf_puts(&b, "\">");
	html_text(&b, "&");
	buf_puts(&b, "</a>");
	is_str(b.ptr, "<a title=\"1 &lt; 2\">&amp;</a>",
	    "escapers append to the buffer");
	buf_release(&b);
}

int
main(void)
{
	log_init("t-html");
	test_text();
	test_attr();
	test_url_path();
	test_href();
	test_raw();
	test_status();
	test_append();
	return tap_done();
}
