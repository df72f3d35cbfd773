/*
 * t-ondemand.c: patch files split into mails as git am splits them,
 * their headers read as outside text, the KCIDB patchset_hash and the
 * names patch files are stored under.
 */
#include "tap.h"
#include "buf.h"
#include "ondemand.h"
#include "util.h"

static const char mbox[] =
	"From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n"
	"From: =?UTF-8?q?J=C3=B6rg=20Tester?= <jorg@example.org>\n"
	"Date: Wed, 1 Jan 2025 01:02:03 +0100\n"
	"Subject: [PATCH 1/2] drivers: add a\n"
	" long subject\n"
	"\n"
	"The body.\n"
	"From the start of a line in a body.\n"
	"---\n"
	" a.c | 1 +\n"
	"\n"
	"diff --git a/a.c b/a.c\n"
	"new file mode 100644\n"
	"index 0000000..1111111\n"
	"--- /dev/null\n"
	"+++ b/a.c\n"
	"@@ -0,0 +1 @@\n"
	"+int a;\n"
	"-- \n"
	"2.39.5\n"
	"\n"
	"From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001\n"
	"From: Plain Name <plain@example.org>\n"
	"Subject: [PATCH v2 2/2] second\n"
	"\n"
	"diff --git a/b.c b/b.c\n"
	"--- a/b.c\n"
	"+++ b/b.c\n"
	"@@ -1 +1 @@\n"
	"--- x\n"
	"+int b;\n"
	"-- \n"
	"2.39.5\n";

static void
test_split(void)
{
	static const char b64[] = "Subject: x\n"
	    "Content-Transfer-Encoding: base64\n\nZGlmZg==\n";
	struct ondemand_mail *m;
	size_t n;
	char *err;

	ok(ondemand_split(mbox, sizeof(mbox) - 1, "series", &m, &n,
	    &err) == 0, "an mbox of two mails splits");
	is_int(n, 2, "into two mails, not at \"From \" in a body");
	if (n != 2)
		return;
	is_str(m[0].author_name, "J\xc3\xb6rg Tester",
	    "an RFC 2047 name is decoded");
	is_str(m[0].author_email, "jorg@example.org", "the email");
	is_int(m[0].time, 1735689723, "the date, in UTC");
	is_int(m[0].tz, 60, "and its offset");
	is_str(m[0].subject, "drivers: add a long subject",
	    "a folded subject, without [PATCH 1/2]");
	is_str(m[0].message, "drivers: add a long subject\n\nThe body.\n"
	    "From the start of a line in a body.\n",
	    "the message stops at ---");
	ok(str_starts(m[0].diff, "diff --git a/a.c b/a.c\n") &&
	    str_ends(m[0].diff, "+int a;\n"),
	    "the diff, without the signature");
	is_str(m[1].subject, "second", "[PATCH v2 2/2] taken off");
	ok(str_ends(m[1].diff, "--- x\n+int b;\n"),
	    "a removed line \"-- x\" is no signature");
	ondemand_mails_free(m, n);

	ok(ondemand_split("no diff here\n", 13, "plain", &m, &n, &err) != 0,
	    "a file without a diff is refused");
	contains(err, "plain (mail 1): holds no diff", "saying so");
	free(err);
	ok(ondemand_split(b64, strlen(b64), "b64", &m, &n, &err) != 0,
	    "a base64 body is refused");
	contains(err, "base64 encoded", "saying so");
	free(err);
	ok(ondemand_split("a\0b", 3, "nul", &m, &n, &err) != 0,
	    "a NUL is refused");
	free(err);
}

static void
test_hash(void)
{
	char s1[] = "2f67c6ee28d1c3f5b63cfad519ce7bf9ec854b30ddd6dd8c3696dbb46ec94849";
	char s2[] = "af2533b7a40df9a22963d1d938825692e7bb6ae1d6c284617c030b5774ea6866";
	char *sums[] = { s1, s2 };
	char out[65];

	ondemand_patchset_hash(sums, 0, out);
	is_str(out, "", "no patches: the empty hash");
	/* printf '%s\n' <sums> | sha256sum */
	ondemand_patchset_hash(sums, 2, out);
	is_str(out, "5a786e5b0c51175434b0d5714dc2f7047c85d2cec624f5b02d162862121900ca",
	    "the sha256 of the newline-terminated sums");
}

static void
test_names(void)
{
	char *s;

	s = ondemand_file_name("/x/0001-a b$(rm -rf)\xc3\xa9.patch");
	is_str(s, "0001-a_b__rm_-rf___.patch", "scrubbed to [A-Za-z0-9._-]");
	free(s);
	s = ondemand_file_name("dir/..");
	is_str(s, "_..", "no dot file");
	free(s);
	s = ondemand_file_name("dir/");
	is_str(s, "_", "never empty");
	free(s);
}

/* Headers are outside text: bounded, and unfolded in linear time. */
static void
test_header_bounds(void)
{
	struct ondemand_mail *m;
	struct buf b = BUF_INIT;
	char *err;
	size_t n, i;
	double t0;

	buf_puts(&b, "From: x <x@example.org>\nSubject: a\n");
	for (i = 0; i < 200000; i++)
		buf_puts(&b, " a\n");
	buf_puts(&b, "\ndiff --git a/f b/f\n");
	t0 = now_monotonic();
	ok(ondemand_split(b.ptr, b.len, "folded", &m, &n, &err) != 0,
	    "a header folded over 200,000 lines is refused");
	ok(now_monotonic() - t0 < 2.0, "at once");
	contains(err, "folded (mail 1): a header longer than 16384 bytes",
	    "saying which and why");
	free(err);
	buf_reset(&b);
	for (i = 0; i < ONDEMAND_HEADERS_MAX + 1; i++)
		buf_addf(&b, "X-H%zu: v\n", i);
	buf_puts(&b, "\ndiff --git a/f b/f\n");
	ok(ondemand_split(b.ptr, b.len, "many", &m, &n, &err) != 0,
	    "more than 1000 headers are refused");
	contains(err, "more than 1000 header lines", "saying so");
	free(err);
	buf_reset(&b);
	for (i = 0; i < ONDEMAND_MAILS_MAX + 1; i++)
		buf_puts(&b, "From 0 Mon Sep 17 00:00:00 2001\nSubject: x\n\n"
		    "diff --git a/f b/f\n\n");
	ok(ondemand_split(b.ptr, b.len, "flood", &m, &n, &err) != 0,
	    "an mbox of 1001 mails is refused");
	contains(err, "flood: more than 1000 mails", "saying so");
	free(err);
	buf_release(&b);
}

int
main(void)
{
	test_split();
	test_header_bounds();
	test_hash();
	test_names();
	return tap_done();
}
