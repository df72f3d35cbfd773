/*
 * t-report.c: the parts of the report stage that need no database: the
 * people of a commit's trailers (parsed strictly, from hostile
 * messages), the ISO week of the digest, and outside text made one
 * plain line.
 */
#include "tap.h"
#include "buf.h"
#include "report.h"
#include "report_impl.h"
#include "secret.h"
#include "util.h"

/* The addresses of msg's trailers joined by spaces, "" for none. */
static char *
people(const char *msg, size_t max)
{
	struct buf b = BUF_INIT;
	char **v;
	size_t i;

	v = report_trailer_addresses(msg, max);
	for (i = 0; v[i] != NULL; i++)
		buf_addf(&b, "%s%s", i ? " " : "", v[i]);
	report_list_free(v);
	return buf_detach(&b, NULL);
}

static void
people_are(const char *msg, size_t max, const char *want, const char *name)
{
	char *got;

	got = people(msg, max);
	is_str(got, want, name);
	free(got);
}

static void
test_trailers(void)
{
	struct buf big = BUF_INIT;
	size_t i;

	people_are("fix: a thing\n\nBody.\n\n"
	    "Signed-off-by: Alice Dev <alice@example.org>\n"
	    "Reviewed-by: Bob <bob@example.org>\n"
	    "Acked-by: \"Carol, Jr.\" <carol@example.org>\n"
	    "Cc: stable@vger.kernel.org # 6.1\n"
	    "Tested-by: Tess <tess@example.org>\n"
	    "Link: https://lore.example.org/x\n", 20,
	    "alice@example.org bob@example.org carol@example.org "
	    "stable@vger.kernel.org", "the four trailers, not Tested-by");
	people_are("fix\n\nsigned-off-by: A <a@example.org>\n"
	    "CC: b@example.org\n", 20, "a@example.org b@example.org",
	    "trailer names without case");
	people_are("fix\n\nSigned-off-by: A <a@example.org>\n"
	    "Cc: A <A@EXAMPLE.ORG>\n", 20, "a@example.org",
	    "each address once, compared without case");
	people_are("fix\n\nSigned-off-by: A <a@example.org>\n\n", 20,
	    "a@example.org", "trailing blank lines");
	people_are("fix\n\nSigned-off-by: A <a@example.org>\r\n", 20,
	    "a@example.org", "a CR before the newline is git's");
	people_are("Signed-off-by: A <a@example.org>\n", 20, "",
	    "the subject is no trailer block");
	people_are("fix\n\nSigned-off-by: A <a@example.org>\n\nThanks.\n",
	    20, "", "only the last paragraph");
	people_are("fix\n\nThis paragraph says a lot,\nover lines,\n"
	    "Cc: a@example.org\n", 20, "",
	    "a paragraph of prose is not a trailer block");
	people_are("fix\n\n[ backported ]\n"
	    "Signed-off-by: A <a@example.org>\n", 20, "a@example.org",
	    "a note among trailers is let be");
	people_are("fix\n\nCc: evil@example.org>, x@example.org\n"
	    "Cc: a@example.org, b@example.org\n"
	    "Cc: <c@example.org> d@example.org\n"
	    "Cc: \"e\" <e@example.org\n"
	    "Signed-off-by: M <m@example.org>\rBcc: z@example.org\n"
	    "Signed-off-by: N <n@example.org>\x1b[2J\n"
	    "Signed-off-by: O <o@exa mple.org>\n"
	    "Signed-off-by: P <-p@example.org>\n"
	    "Signed-off-by: Q <q@example.org>\n", 20, "q@example.org",
	    "two addresses, a CR, an escape, a bad domain or local part: "
	    "refused");
	people_are("fix\n\nSigned-off-by:A <a@example.org>\n"
	    "Signed-off-by : B <b@example.org>\n"
	    "Cc: c@example.org\nCc: d@example.org\nCc: e@example.org\n", 20,
	    "c@example.org d@example.org e@example.org",
	    "a trailer is \"Token: value\" exactly");

	buf_puts(&big, "fix\n\n");
	for (i = 0; i < 100; i++)
		buf_addf(&big, "Cc: p%zu@example.org\n", i);
	people_are(big.ptr, 3, "p0@example.org p1@example.org p2@example.org",
	    "at most max of them");
	buf_release(&big);
	people_are(NULL, 20, "", "no message, nobody");
	people_are("", 20, "", "an empty message, nobody");
	people_are("fix\n\nCc: a@example.org", 20, "a@example.org",
	    "no newline at the end");
}

static void
test_week(void)
{
	char w[16];

	/* 2025-01-01 was a Wednesday of week 1 */
	report_iso_week(1735689600, w, sizeof(w));
	is_str(w, "2025-W01", "New Year 2025 is in week 1");
	/* 2027-01-01, a Friday, is in week 53 of 2026 */
	report_iso_week(1798761600, w, sizeof(w));
	is_str(w, "2026-W53", "New Year 2027 is in week 53 of 2026");
	/* 2024-12-30, a Monday, starts week 1 of 2025 */
	report_iso_week(1735516800, w, sizeof(w));
	is_str(w, "2025-W01", "the Monday before is already week 1");
}

static void
test_text(void)
{
	struct buf b = BUF_INIT;
	char long_line[2 * REPORT_LINE_MAX];

	report_text(&b, "a\r\nBcc: x@example.org\x1b[2J");
	is_str(b.ptr, "a\\r\\nBcc: x@example.org\\x1b[2J",
	    "controls are shown, not kept");
	buf_reset(&b);
	report_text(&b, NULL);
	is_str(b.ptr, "", "NULL is nothing");
	buf_reset(&b);
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	report_text(&b, long_line);
	is_int(b.len, REPORT_LINE_MAX + strlen(" [...]"), "a long line is cut");
	ok(str_ends(b.ptr, " [...]"), "and says so");
	buf_reset(&b);
	secret_add("hunter2-secret");
	report_text(&b, "token hunter2-secret here");
	is_str(b.ptr, "token *** here", "secrets are masked");
	buf_reset(&b);
	report_lines(&b, "| ", "one\n.\ntwo\nthree\nfour\nfive\nsix\n");
	is_str(b.ptr, "| one\n| .\n| two\n| three\n| four\n",
	    "a log excerpt: at most five lines, each after the prefix");
	buf_release(&b);
}

int
main(void)
{
	test_trailers();
	test_week();
	test_text();
	return tap_done();
}
