/*
 * t-ynode.c: YAML in through the libyaml loader, out through its emitter.
 */
#include "tap.h"
#include "buf.h"
#include "log.h"
#include "ynode.h"
#include "util.h"

static struct ynode *
parse(const char *text)
{
	struct ynode *n;

	if (ynode_parse_string("t.yaml", text, strlen(text), &n) != 0)
		return NULL;
	return n;
}

static char *
parse_error(const char *text)
{
	struct ynode *n;
	char *out;

	capture_start();
	n = parse(text);
	out = capture_end();
	ynode_free(n);
	if (n != NULL) {
		free(out);
		return NULL;
	}
	return out;
}

static void
test_parse(void)
{
	struct ynode *n, *v;

	n = parse("a: 1\nb: 'x'\nc: [p, q]\nd:\n  e: ~\n");
	ok(n != NULL && n->type == YNODE_MAP, "a mapping");
	v = ynode_get(n, "a");
	ok(v && v->plain && strcmp(v->value, "1") == 0, "plain scalar");
	v = ynode_get(n, "b");
	ok(v && !v->plain, "quoted scalar is not plain");
	v = ynode_get(n, "c");
	ok(v && v->type == YNODE_SEQ && v->n == 2, "flow sequence");
	v = ynode_get(ynode_get(n, "d"), "e");
	ok(v && v->null, "~ is null");
	is_int(ynode_get(n, "c")->line, 3, "line of c");
	is_int(ynode_get(n, "c")->col, 4, "column of c");
	is_str(ynode_get(n, "c")->file, "t.yaml", "file of c");
	ynode_free(n);

	n = parse("# only a comment\n");
	ok(n && n->type == YNODE_MAP && n->n == 0, "empty doc is empty map");
	ynode_free(n);
}

static void
test_errors(void)
{
	char *e;

	e = parse_error("a: 1\nb: [1, 2\n");
	contains(e, "t.yaml:3:1: error:", "syntax error has file:line:col");
	free(e);
	e = parse_error("a: 1\nb: 2\na: 3\n");
	contains(e, "t.yaml:3:1: error: duplicate key 'a' (first at line 1)",
	    "duplicate key names both lines");
	free(e);
	e = parse_error("a: 1\n---\nb: 2\n");
	contains(e, "only one YAML document", "second document refused");
	free(e);
	e = parse_error("a: &x [*x]\n");
	ok(e != NULL, "a recursive alias is an error, not a hang");
	free(e);
}

static void
test_emit(void)
{
	struct buf b = BUF_INIT;
	struct ynode *m, *s, *back;

	m = ynode_map();
	ynode_set_str(m, "name", "job: with colon");
	ynode_set_str(m, "version", "6.1");
	ynode_set_str(m, "flag", "yes");
	ynode_set(m, "priority", ynode_int(50));
	ynode_set_str(m, "script", "line one\nline two\nline three and more "
	    "text to be long\n");
	s = ynode_set(m, "list", ynode_seq());
	ynode_push(s, ynode_scalar("{{ not: structure }}"));
	ok(ynode_emit_buf(m, &b) == 0, "emit");
	back = parse(b.ptr);
	ok(back != NULL, "the output parses");
	is_str(ynode_str(back, "name"), "job: with colon", "colon survives");
	ok(!ynode_get(back, "version")->plain, "a number-like string is "
	    "quoted");
	ok(!ynode_get(back, "flag")->plain, "a bool-like string is quoted");
	ok(ynode_get(back, "priority")->plain, "an int stays plain");
	is_str(ynode_str(back, "script"), "line one\nline two\nline three and "
	    "more text to be long\n", "multi-line text survives");
	is_str(ynode_get(back, "list")->items[0]->value,
	    "{{ not: structure }}", "a value cannot inject structure");
	ynode_free(back);
	ynode_free(m);
	buf_release(&b);
}

/* Bounds against what a lab could send (docs/security.md). */
static void
test_bounds(void)
{
	struct buf b = BUF_INIT;
	struct ynode *n;
	char *err;
	double t0;
	int i, level;

	/* ten aliases of ten aliases ... of a 10 KiB string */
	buf_puts(&b, "s: &s ");
	for (i = 0; i < 10240; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\n");
	for (level = 1; level <= 8; level++) {
		buf_addf(&b, "l%d: &l%d [", level, level);
		for (i = 0; i < 10; i++) {
			if (level == 1)
				buf_addf(&b, "%s*s", i ? ", " : "");
			else
				buf_addf(&b, "%s*l%d", i ? ", " : "",
				    level - 1);
		}
		buf_puts(&b, "]\n");
	}
	err = parse_error(b.ptr);
	contains(err, "expanding too far through aliases", "an alias bomb is "
	    "refused");
	free(err);

	/* a few aliases are fine */
	n = parse("a: &a {x: 1}\nb: *a\nc: *a\n");
	ok(n != NULL && ynode_str(ynode_get(n, "c"), "x") != NULL,
	    "ordinary aliases still expand");
	ynode_free(n);

	/* 100,000 keys: linear, and a duplicate at the end is found */
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_addf(&b, "k%d: %d\n", i, i);
	t0 = now_monotonic();
	n = parse(b.ptr);
	ok(n != NULL && n->n == 100000, "100,000 keys parse");
	ok(now_monotonic() - t0 < 3, "in no time");
	ynode_free(n);
	buf_puts(&b, "k99999: again\n");
	err = parse_error(b.ptr);
	contains(err, "duplicate key 'k99999' (first at line 100000)",
	    "a duplicate among them is found");
	free(err);
	buf_release(&b);
}

int
main(void)
{
	log_init("t-ynode");
	test_parse();
	test_errors();
	test_emit();
	test_bounds();
	return tap_done();
}
