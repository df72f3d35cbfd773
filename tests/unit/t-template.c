/*
 * t-template.c: LAVA job definitions from templates.  The pairs in
 * tests/data/templates/ are a case (*.yaml: the template directory, the
 * plan, the boot method and the placeholder values) and the job YAML it
 * makes (*.expected), compared byte for byte.  The rest checks errors,
 * optional keys and the cache.
 */
#include "tap.h"
#include "fs.h"
#include "log.h"
#include "template.h"
#include "ynode.h"

#define DATA	"tests/data/templates/"

/* Render case name and return the emitted job, or NULL. */
static char *
render_case(const char *name)
{
	struct templates *t;
	struct ynode *c, *job;
	struct buf b = BUF_INIT;
	char *path, *got, *dirs[2];

	path = xasprintf(DATA "%s.yaml", name);
	if (ynode_parse_file(path, &c) != 0) {
		free(path);
		return NULL;
	}
	free(path);
	dirs[0] = (char *)ynode_str(c, "templates");
	dirs[1] = NULL;
	t = templates_open(dirs);
	job = templates_render(t, ynode_str(c, "plan"), ynode_str(c, "method"),
	    ynode_get(c, "params"));
	got = NULL;
	if (job != NULL && ynode_emit_buf(job, &b) == 0)
		got = buf_detach(&b, NULL);
	buf_release(&b);
	ynode_free(job);
	templates_close(t);
	ynode_free(c);
	return got;
}

static void
pair(const char *name)
{
	struct buf want = BUF_INIT;
	struct ynode *back;
	char *p, *got, msg[128];

	p = xasprintf(DATA "%s.expected", name);
	if (buf_read_file(&want, p) != 0)
		buf_puts(&want, "(missing)");
	free(p);
	got = render_case(name);
	snprintf(msg, sizeof(msg), "%s renders", name);
	ok(got != NULL, msg);
	snprintf(msg, sizeof(msg), "%s makes the expected job", name);
	is_str(got, want.ptr, msg);
	snprintf(msg, sizeof(msg), "%s: the job is YAML that parses back",
	    name);
	back = NULL;
	ok(got != NULL && ynode_parse_string(name, got, strlen(got),
	    &back) == 0 && back->type == YNODE_MAP, msg);
	ynode_free(back);
	free(got);
	buf_release(&want);
}

/*
 * The tricky values come back as they were, each one string in its
 * place: nothing in them added a key, an item or a document.
 */
static void
test_values_stay_values(void)
{
	struct ynode *c, *job, *params, *meta;
	char *got;

	got = render_case("tricky-values");
	ynode_parse_file(DATA "tricky-values.yaml", &c);
	params = ynode_get(c, "params");
	job = NULL;
	ok(got != NULL && ynode_parse_string("job", got, strlen(got),
	    &job) == 0, "tricky values: the job parses back");
	if (job == NULL || params == NULL) {
		free(got);
		ynode_free(c);
		return;
	}
	is_str(ynode_str(job, "job_name"), ynode_str(params, "job_name"),
	    "a newline and a colon stay in the job name");
	is_str(ynode_str(job, "visibility"), "public",
	    "and add no key of their own");
	is_str(ynode_str(job, "device_type"), "qemu\"",
	    "a quote stays in its value");
	meta = ynode_get(job, "metadata");
	is_str(ynode_str(meta, "branch"), "feature\"/x'y",
	    "a branch with quotes comes back as it was");
	is_str(ynode_str(meta, "job.id"), "{{ device_type }}",
	    "a placeholder inside a value is not expanded");
	is_str(ynode_str(meta, "describe"), "v6.8\n---\nactions: []",
	    "a document marker in a value starts no document");
	is_int(ynode_get(job, "actions")->n, 3,
	    "the actions are the template's three");
	ok(ynode_get(job, "timeouts") != NULL &&
	    ynode_get(ynode_get(ynode_get(job, "timeouts"), "action"),
	    "minutes")->type == YNODE_SCALAR,
	    "a flow mapping in a value stays a scalar");
	ynode_free(job);
	ynode_free(c);
	free(got);
}

/* Render plan/method from a template directory written for the test. */
static char *
render_in(const char *dir, const char *plan, const char *method,
    const char *params, char **err)
{
	struct templates *t;
	struct ynode *p, *job;
	struct buf b = BUF_INIT;
	char *got, *dirs[2];

	p = NULL;
	if (params != NULL)
		ynode_parse_string("params", params, strlen(params), &p);
	dirs[0] = (char *)dir;
	dirs[1] = NULL;
	t = templates_open(dirs);
	capture_start();
	job = templates_render(t, plan, method, p);
	*err = capture_end();
	got = NULL;
	if (job != NULL && ynode_emit_buf(job, &b) == 0)
		got = buf_detach(&b, NULL);
	buf_release(&b);
	ynode_free(job);
	templates_close(t);
	ynode_free(p);
	return got;
}

static void
write_set(const char *dir, const char *header, const char *boot,
    const char *test)
{
	char *p;

	p = xasprintf("%s/boot", dir);
	fs_mkdir_p(p);
	free(p);
	p = xasprintf("%s/test", dir);
	fs_mkdir_p(p);
	free(p);
	tap_write(dir, "header.yaml", header);
	tap_write(dir, "boot/b.yaml", boot);
	tap_write(dir, "test/t.yaml", test);
}

/*
 * A template set in top/name (header, boot/b.yaml, test/t.yaml) that
 * rendering refuses: no job, and a message that contains want.
 */
static void
refused(const char *top, const char *name, const char *header,
    const char *boot, const char *params, const char *want, const char *why)
{
	char *dir, *got, *err;

	dir = xasprintf("%s/%s", top, name);
	write_set(dir, header, boot, "actions: []\n");
	got = render_in(dir, "t", "b", params, &err);
	ok(got == NULL, why);
	contains(err, want, why);
	free(err);
	free(got);
	free(dir);
}

static void
test_errors(const char *top)
{
	char *dir, *got, *err;

	refused(top, "unknown", "name: \"{{ job_nme }}\"\n", "actions: []\n",
	    "job_name: x\n", "header.yaml:1:7: error: unknown placeholder "
	    "'{{ job_nme }}' (did you mean '{{ job_name }}'?)",
	    "an unknown placeholder names template:line:col and the likely "
	    "name");
	refused(top, "unknown2", "name: \"{{ job_nme }}\"\n", "actions: []\n",
	    "other: x\n", "unknown placeholder '{{ job_nme }}'\n",
	    "with no suggestion when nothing is close");
	refused(top, "within", "name: \"x {{ unset }} y\"\n", "actions: []\n",
	    "a: 1\n", "unknown placeholder '{{ unset }}'",
	    "an unknown placeholder within text is an error that says which");
	refused(top, "null", "name: \"{{ v }}\"\n", "actions: []\n", "v:\n",
	    "unknown placeholder '{{ v }}'",
	    "a placeholder set to null is as good as unset");
	refused(top, "malformed", "name: \"{{ bad name }}\"\n",
	    "actions: []\n", "bad: 1\n", "malformed placeholder in "
	    "'{{ bad name }}' (write '{{ name }}')",
	    "a malformed placeholder is an error that shows how to write one");
	refused(top, "mapping", "name: \"ctx {{ m }}\"\n", "actions: []\n",
	    "m: {a: 1}\n", "'{{ m }}' is a mapping: it can only stand alone "
	    "in its scalar", "a mapping within text is an error");
	refused(top, "noactions", "name: x\n", "timeout: 1\n", "a: 1\n",
	    "a fragment must have an 'actions' list",
	    "a fragment without actions is refused");
	refused(top, "seq", "- a\n- b\n", "actions: []\n", "a: 1\n",
	    "a template must be a mapping, not a",
	    "a template that is not a mapping is refused");
	dir = xasprintf("%s/seq", top);
	got = render_in(dir, "nosuch", "b", "a: 1\n", &err);
	ok(got == NULL, "a missing test plan is an error");
	free(err);
	free(got);
	free(dir);

	dir = xasprintf("%s/missing", top);
	write_set(dir, "name: x\n", "actions: []\n", "actions: []\n");
	got = render_in(dir, "nosuch", "b", "a: 1\n", &err);
	ok(got == NULL, "an unknown test plan is an error");
	contains(err, "no test plan template 'test/nosuch.yaml' in ",
	    "naming the file looked for");
	free(err);
	free(got);
	got = render_in(dir, "t", "nosuch", "a: 1\n", &err);
	ok(got == NULL, "an unknown boot method is an error");
	contains(err, "no boot method template 'boot/nosuch.yaml'",
	    "naming the file looked for");
	free(err);
	free(got);
	free(dir);
}

/* Directories are searched in order; each file is parsed once. */
static void
test_dirs_and_cache(const char *top)
{
	struct templates *t;
	struct ynode *job, *p;
	char *own, *shipped, *dirs[3], *err;

	own = xasprintf("%s/own", top);
	shipped = xasprintf("%s/shipped", top);
	write_set(shipped, "from: shipped\n", "actions: []\n",
	    "actions:\n- test: shipped\n");
	fs_mkdir_p(own);
	tap_write(own, "header.yaml", "from: own\n");
	dirs[0] = own;
	dirs[1] = shipped;
	dirs[2] = NULL;
	ynode_parse_string("p", "a: 1\n", 5, &p);
	t = templates_open(dirs);
	job = templates_render(t, "t", "b", p);
	is_str(ynode_str(job, "from"), "own", "the first directory wins");
	ok(job != NULL && ynode_get(job, "actions")->n == 1,
	    "the others fill in what it lacks");
	ynode_free(job);
	tap_write(own, "header.yaml", "from: changed\n");
	job = templates_render(t, "t", "b", p);
	is_str(ynode_str(job, "from"), "own",
	    "a template is read once and kept");
	ynode_free(job);
	capture_start();
	job = templates_render(t, "none", "b", p);
	err = capture_end();
	contains(err, "no test plan template 'test/none.yaml' in ",
	    "a missing file is reported");
	contains(err, " or the shipped templates", "naming both places");
	ynode_free(job);
	free(err);
	templates_close(t);
	ynode_free(p);
	free(own);
	free(shipped);
}

int
main(void)
{
	char *top;

	log_init("t-template");
	pair("qemu-smoke");
	pair("qemu-no-context");
	pair("qemu-kselftest");
	pair("tricky-values");
	pair("shapes");
	test_values_stay_values();
	top = tap_tmpdir();
	test_errors(top);
	test_dirs_and_cache(top);
	fs_remove_tree(top);
	free(top);
	return tap_done();
}
