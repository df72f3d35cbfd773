/*
 * t-util.c: buffers, strings, numbers and the secret filter.
 */
#include "tap.h"
#include "fs.h"
#include "buf.h"
#include "log.h"
#include "secret.h"
#include "util.h"

static void
test_buf(void)
{
	struct buf b = BUF_INIT, c;
	char *s;
	size_t n, i;

	ok(b.ptr != NULL && b.ptr[0] == '\0', "empty buffer is \"\"");
	buf_puts(&b, "hello");
	buf_addf(&b, " %s %d", "world", 42);
	is_str(b.ptr, "hello world 42", "puts and addf append");
	for (i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	is_int(b.len, 14 + 10000, "grows past its first allocation");
	ok(b.ptr[b.len] == '\0', "always NUL-terminated");
	s = buf_detach(&b, &n);
	is_int(n, 10014, "detach gives the length");
	ok(b.len == 0 && b.ptr[0] == '\0', "detach leaves it empty");
	free(s);

	buf_init(&c, 8);
	buf_puts(&c, "1234");
	buf_puts(&c, "56789");
	is_str(c.ptr, "1234", "a capped buffer drops what does not fit");
	ok(c.overflow, "and says so");
	buf_release(&c);

	buf_puts(&b, "trail  \n\t");
	buf_rtrim(&b);
	is_str(b.ptr, "trail", "rtrim");
	buf_release(&b);
}

static void
test_strings(void)
{
	char size[] = "size", timers[] = "timers";
	char *list[] = { size, timers, NULL };
	long v;
	char *s;

	ok(str_is_name("mainline", "_-"), "name ok");
	ok(str_is_name("linux-next_2", "_-"), "name with - and _");
	ok(!str_is_name("Mainline", "_-"), "uppercase is not a name");
	ok(!str_is_name("a b", "_-"), "space is not a name");
	ok(!str_is_name("", "_-"), "empty is not a name");
	ok(!str_is_name("a-b", "_"), "origin takes no '-'");
	is_int(str_distance("branches", "brnaches"), 2, "distance, swap");
	is_int(str_distance("url", "url"), 0, "distance, same");
	is_int(str_distance("", "abc"), 3, "distance, empty");
	ok(parse_long("42", 0, 100, &v) == 0 && v == 42, "parse_long");
	ok(parse_long("42x", 0, 100, &v) != 0, "parse_long rejects junk");
	ok(parse_long("101", 0, 100, &v) != 0, "parse_long checks range");
	ok(parse_long("", 0, 100, &v) != 0, "parse_long rejects empty");
	ok(str_ends("a.yaml", ".yaml") && !str_ends("yaml", ".yaml"),
	    "str_ends");
	ok(str_in_list(list, "timers") && !str_in_list(list, "time"),
	    "str_in_list: whole items only");
	ok(!str_in_list(NULL, "size"), "str_in_list: no list holds nothing");
	s = fs_absolute("/a/b");
	is_str(s, "/a/b", "fs_absolute: an absolute path stays");
	free(s);
	s = fs_absolute("a/b");
	ok(s[0] == '/' && str_ends(s, "/a/b"), "fs_absolute: below the cwd");
	free(s);
	s = str_subst("a/b c", "/ ", '_');
	is_str(s, "a_b_c", "str_subst");
	free(s);
}

static void
test_time(void)
{
	char b[64];

	time_rfc3339(0, b, sizeof(b));
	is_str(b, "1970-01-01T00:00:00+00:00", "rfc3339 of the epoch");
	time_rfc3339(1735689600, b, sizeof(b));
	is_str(b, "2025-01-01T00:00:00+00:00", "rfc3339 of 2025");
	memset(b, 'x', sizeof(b));
	time_rfc3339((time_t)1 << 62, b, sizeof(b));
	is_str(b, "1970-01-01T00:00:00+00:00",
	    "rfc3339 of a time past any year: the epoch, not the stack");
	time_human(5.25, b, sizeof(b));
	is_str(b, "5.2s", "human seconds");
	time_human(125, b, sizeof(b));
	is_str(b, "2m05s", "human minutes");
	time_human(3725, b, sizeof(b));
	is_str(b, "1h02m", "human hours");
}

static void
test_secrets(void)
{
	char *s, *out;

	secret_add("s3cr3t-token");
	s = secret_mask("Authorization: Token s3cr3t-token and s3cr3t-token");
	is_str(s, "Authorization: Token *** and ***", "secrets are masked");
	free(s);
	capture_start();
	error("cannot reach 'https://x/?t=s3cr3t-token'");
	out = capture_end();
	ok(strstr(out, "s3cr3t-token") == NULL, "error() never prints one");
	contains(out, "***", "but shows where it was");
	free(out);
}

int
main(void)
{
	log_init("t-util");
	test_buf();
	test_strings();
	test_time();
	test_secrets();
	return tap_done();
}
