/*
 * t-kcidb.c: the KCIDB schema's rules in C agree with the official
 * schema on the example documents (valid ones pass, each invalid one
 * fails), and hostile strings are made valid.
 */
#include <jansson.h>
#include <dirent.h>

#include "tap.h"
#include "buf.h"
#include "kcidb.h"
#include "log.h"
#include "util.h"

#define DATA	"tests/data/kcidb/examples/"
/* The invalid examples there are: fewer means they went missing. */
#define INVALID_EXAMPLES	15

static void
check_file(const char *path, int valid)
{
	struct buf why = BUF_INIT;
	json_error_t e;
	json_t *doc;
	char msg[256];
	int rc;

	doc = json_load_file(path, JSON_ALLOW_NUL, &e);
	snprintf(msg, sizeof(msg), "%s %s", path, valid ? "passes" : "fails");
	if (doc == NULL) {
		/* not even JSON: as good as invalid */
		ok(!valid, msg);
		return;
	}
	rc = kcidb_validate(doc, &why);
	ok(valid ? rc == 0 : rc != 0, msg);
	if (valid && rc != 0)
		printf("#   %s\n", why.ptr);
	json_decref(doc);
	buf_release(&why);
}

static void
test_strings(void)
{
	json_t *s;
	char big[30001];
	size_t i;

	s = kcidb_string("a\0b", 3, 0);
	is_str(json_string_value(s), "ab", "NUL dropped");
	json_decref(s);
	s = kcidb_string("caf\xc3\xa9 \xff\xfe!", 9, 0);
	is_str(json_string_value(s), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd!",
	    "invalid UTF-8 replaced, valid kept");
	json_decref(s);
	s = kcidb_string("\xed\xa0\x80x", 4, 0);
	is_str(json_string_value(s), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx",
	    "a surrogate is invalid");
	json_decref(s);
	/* 10000 two-byte characters, then 9999 'a' and a 'Z' */
	for (i = 0; i < 20000; i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	memset(big + 20000, 'a', 9999);
	big[29999] = 'Z';
	big[30000] = '\0';
	s = kcidb_string(big, strlen(big), 16384);
	ok(json_string_length(s) == 6384 * 2 + 10000, "tail: 16384 code points");
	ok(json_string_value(s)[json_string_length(s) - 1] == 'Z',
	    "tail: the end is kept");
	ok((json_string_value(s)[0] & 0xc0) != 0x80,
	    "tail: starts on a character");
	json_decref(s);
}

int
main(void)
{
	struct dirent *de;
	DIR *d;
	char *p;
	int n;

	log_init("t-kcidb");
	check_file(DATA "v5.3-minimal.json", 1);
	check_file(DATA "v5.3-typical.json", 1);
	n = 0;
	d = opendir(DATA "invalid");
	ok(d != NULL, "the invalid examples can be read");
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (!str_ends(de->d_name, ".json"))
			continue;
		p = xasprintf(DATA "invalid/%s", de->d_name);
		check_file(p, 0);
		free(p);
		n++;
	}
	if (d != NULL)
		closedir(d);
	ok(n >= INVALID_EXAMPLES, "every invalid example was checked");
	if (n < INVALID_EXAMPLES)
		printf("#   %d of %d\n", n, INVALID_EXAMPLES);
	test_strings();
	return tap_done();
}
