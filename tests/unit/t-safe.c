/*
 * t-safe.c: file names, shell words, UTF-8 and terminal text from outside
 * data, and secret masking with its encodings and the child environment.
 */
#include "tap.h"
#include "buf.h"
#include "log.h"
#include "safe.h"
#include "secret.h"
#include "util.h"

static void
name_is(const char *in, const char *want, const char *what)
{
	char *s;

	s = safe_name(in, SAFE_NAME_MAX);
	is_str(s, want, what);
	free(s);
}

static void
test_names(void)
{
	char *a, *b, *longer;
	struct buf in = BUF_INIT;
	size_t i;

	name_is("v6.1-rc1-12-gabcdef", "v6.1-rc1-12-gabcdef",
	    "describe stays readable");
	name_is("for-next/core", "for-next_core", "'/' becomes '_'");
	name_is("for_next", "for~5Fnext", "'_' is escaped, so '/' stays "
	    "distinct");
	name_is("$(touch x)", "~24~28touch~20x~29", "shell characters are "
	    "escaped");
	name_is("..", "~2E.", "a leading dot is escaped");
	name_is("", "~", "the empty name is '~'");
	name_is("\xff\n", "~FF~0A", "bytes outside ASCII are escaped");
	a = safe_name("a/b", SAFE_NAME_MAX);
	b = safe_name("a_b", SAFE_NAME_MAX);
	ok(strcmp(a, b) != 0, "a/b and a_b differ");
	free(a);
	free(b);
	for (i = 0; i < 300; i++)
		buf_putc(&in, 'x');
	a = safe_name(in.ptr, SAFE_NAME_MAX);
	buf_putc(&in, 'x');
	b = safe_name(in.ptr, SAFE_NAME_MAX);
	ok(strlen(a) <= SAFE_NAME_MAX && strlen(b) <= SAFE_NAME_MAX,
	    "long names are bounded");
	ok(strcmp(a, b) != 0, "and stay distinct");
	ok(strstr(a, "~~") != NULL, "with a digest after '~~'");
	free(a);
	free(b);
	buf_reset(&in);
	for (i = 0; i < 200; i++)
		buf_puts(&in, "~");
	longer = safe_name(in.ptr, 40);
	ok(strlen(longer) <= 40, "a cut never splits an escape");
	ok(strlen(longer) >= 2 + 24 && strncmp(longer, "~7E", 3) == 0,
	    "and keeps whole escapes");
	free(longer);
	buf_release(&in);
}

static void
word_is(const char *in, const char *want, const char *what)
{
	struct buf b = BUF_INIT;

	safe_shell_word(&b, in);
	is_str(b.ptr, want, what);
	buf_release(&b);
}

static void
test_shell(void)
{
	word_is("https://x.org/a-b_c.tar.gz", "https://x.org/a-b_c.tar.gz",
	    "plain words stay");
	word_is("linux-v6.1-$(id).tar.gz", "'linux-v6.1-$(id).tar.gz'",
	    "$( is quoted");
	word_is("it's", "'it'\\''s'", "a quote is closed and escaped");
	word_is("", "''", "the empty word");
	word_is("a`b`;c|d&e>f", "'a`b`;c|d&e>f'", "metacharacters");
}

static void
test_utf8(void)
{
	char *s;

	s = safe_utf8("ok \xff\xfe end", 10, 0);
	is_str(s, "ok \xef\xbf\xbd\xef\xbf\xbd end", "invalid bytes become "
	    "U+FFFD");
	free(s);
	s = safe_utf8("a\0b", 3, 0);
	is_str(s, "ab", "NULs are dropped");
	free(s);
	s = safe_utf8("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 3);
	is_str(s, "\xc3\xa9", "a bound never cuts a character");
	free(s);
	s = safe_utf8_tail("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 3);
	is_str(s, "\xc3\xa9", "nor does a tail");
	free(s);
	s = safe_utf8("\xed\xa0\x80", 3, 0);
	is_str(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "surrogates are "
	    "not UTF-8");
	free(s);
	ok(safe_utf8_valid("caf\xc3\xa9", 5), "valid text is valid");
	ok(!safe_utf8_valid("\xc0\x80", 2), "an overlong NUL is not");
}

static void
test_visible(void)
{
	char *s;

	s = safe_visible_dup("a\033[31mred\n::error::x\x7f\xc2\x9b\xff");
	is_str(s, "a\\x1b[31mred\\n::error::x\\x7f\\u009b\\xff",
	    "controls, newlines, C1 and bad bytes are shown");
	free(s);
	s = safe_visible_dup("left \xe2\x80\xae right");
	is_str(s, "left \\u202e right", "a direction override is shown");
	free(s);
	s = safe_visible_dup("a\xe2\x80\xa8" "b\xe2\x80\x8b" "c\xf3\xa0\x80\x81"
	    "d");
	is_str(s, "a\\u2028b\\u200bc\\U000e0001d", "line separators, "
	    "zero widths and tag characters are shown");
	free(s);
	s = safe_visible_dup("caf\xc3\xa9 \xf0\x9f\x90\xa7");
	is_str(s, "caf\xc3\xa9 \xf0\x9f\x90\xa7", "other text is kept");
	free(s);
}

static void
test_masking(void)
{
	static const char tok[] = "tok-3f9a8c7e21d4b6";
	char *s, **env, **e;
	int found, other;

	secret_add(tok);
	s = secret_mask("x tok-3f9a8c7e21d4b6 y");
	is_str(s, "x *** y", "the value is masked");
	free(s);
	/* printf %s tok | base64 and the same after one or two bytes */
	s = secret_mask("dG9rLTNmOWE4YzdlMjFkNGI2");
	ok(strstr(s, "dG9rLTNmOWE4YzdlMjFk") == NULL, "base64 is masked");
	free(s);
	s = secret_mask("eHRvay0zZjlhOGM3ZTIxZDRiNgo=");
	ok(strstr(s, "0zZjlhOGM3ZTIxZDRi") == NULL, "base64 after one byte");
	free(s);
	s = secret_mask("eHh0b2stM2Y5YThjN2UyMWQ0YjYK");
	ok(strstr(s, "b2stM2Y5YThjN2UyMWQ0") == NULL, "base64 after two");
	free(s);
	s = secret_mask("746f6b2d3366396138633765323164346236");
	is_str(s, "***", "hex is masked");
	free(s);
	s = secret_mask("746F6B2D3366396138633765323164346236");
	is_str(s, "***", "upper-case hex too");
	free(s);
	s = secret_mask("6b4d12e7c8a9f3-kot");
	is_str(s, "***", "and the value reversed");
	free(s);
	s = secret_mask("nothing here");
	is_str(s, "nothing here", "other text is untouched");
	free(s);
	/* found by review: one form overlapping the next was let through */
	secret_add("tok-12345678");
	s = secret_mask("87654321-kotok-12345678!");
	is_str(s, "***!", "overlapping forms are masked together");
	free(s);
	secret_add("a/b:c+d=efgh");
	s = secret_mask("x a%2Fb%3Ac%2Bd%3Defgh y a%2fb%3ac%2bd%3defgh z");
	is_str(s, "x *** y *** z", "percent-encoding in either case");
	free(s);
	ok(secret_add("abc") == 0, "a value too short to mask says so");

	setenv("T_SAFE_TOKEN", "another-secret-value", 1);
	setenv("T_SAFE_OTHER", "fine", 1);
	setenv("LC_ALL", "C", 1);
	secret_add_env("T_SAFE_TOKEN");
	s = secret_mask("another-secret-value");
	is_str(s, "***", "a secret variable's value is masked");
	free(s);
	env = secret_child_env();
	found = other = 0;
	for (e = env; *e; e++) {
		if (str_starts(*e, "T_SAFE_TOKEN="))
			found = 1;
		if (str_starts(*e, "T_SAFE_OTHER="))
			other = 1;
	}
	ok(!found, "children never get a secret variable");
	ok(!other, "nor one outside the allowlist");
	secret_env_pass("T_SAFE_OTHER");
	secret_env_pass("T_SAFE_TOKEN");
	env = secret_child_env();
	found = other = 0;
	for (e = env; *e; e++) {
		if (str_starts(*e, "T_SAFE_TOKEN="))
			found = 1;
		if (str_starts(*e, "T_SAFE_OTHER="))
			other = 1;
	}
	ok(other, "a passed variable gets through");
	ok(!found, "a secret never does, even when passed");
	for (e = env; *e; e++)
		if (str_starts(*e, "LC_ALL="))
			break;
	ok(*e != NULL, "the locale does");
}

static void
test_export(void)
{
	char *blob;
	size_t len;
	int pfd[2];

	blob = secret_export(&len);
	ok(len > 0 && memmem(blob, len, "tok-3f9a8c7e21d4b6", 18) != NULL,
	    "export holds the values");
	if (pipe(pfd) == 0) {
		ok(write(pfd[1], blob, len) == (ssize_t)len, "written");
		close(pfd[1]);
		ok(secret_load(pfd[0]) == 0, "and read back");
		close(pfd[0]);
	}
	free(blob);
}

int
main(void)
{
	test_names();
	test_shell();
	test_utf8();
	test_visible();
	test_masking();
	test_export();
	return tap_done();
}
