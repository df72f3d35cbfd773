/*
 * template.c: rendering LAVA job templates.
 */
#include "buf.h"
#include "fs.h"
#include "log.h"
#include "template.h"
#include "ynode.h"
#include "util.h"

struct tfile {
	char		*path;
	struct ynode	*root;
};

struct templates {
	char *const	*dirs;
	struct tfile	*files;
	size_t		 n;
	size_t		 alloc;
};

struct rctx {
	const struct ynode	*params;
	int			 optional;	/* inside a key ending in '?' */
};

enum {
	RENDER_ERROR = -1,
	RENDER_OK = 0,
	RENDER_MISSING = 1	/* an unset placeholder under an optional key */
};

struct templates *
templates_open(char *const *dirs)
{
	struct templates *t;

	t = xcalloc(1, sizeof(*t));
	t->dirs = dirs;
	return t;
}

void
templates_close(struct templates *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->files[i].path);
		ynode_free(t->files[i].root);
	}
	free(t->files);
	free(t);
}

static const struct ynode *
load(struct templates *t, const char *rel, const char *what)
{
	struct ynode *root;
	char *const *d;
	char *path;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->files[i].path, rel) == 0)
			return t->files[i].root;
	path = NULL;
	for (d = t->dirs; *d != NULL; d++) {
		path = fs_join(*d, rel);
		if (fs_exists(path))
			break;
		free(path);
		path = NULL;
	}
	if (path == NULL) {
		error("no %s template '%s' in %s%s", what, rel, t->dirs[0],
		    t->dirs[1] ? " or the shipped templates" : "");
		return NULL;
	}
	if (ynode_parse_file(path, &root) != 0) {
		free(path);
		return NULL;
	}
	if (root->type != YNODE_MAP) {
		error_at(path, root->line, root->col, "a template must be a "
		    "mapping, not a %s", ynode_kind(root));
		ynode_free(root);
		free(path);
		return NULL;
	}
	xgrow((void **)&t->files, &t->alloc, t->n + 1, sizeof(*t->files));
	free(path);
	t->files[t->n].path = xstrdup(rel);
	t->files[t->n].root = root;
	return t->files[t->n++].root;
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/*
 * Find the next "{{ name }}" at or after p: set *start, *end (one past
 * "}}") and the name; 0 when there is none, -1 when malformed.
 */
static int
next_placeholder(const char *p, const char **start, const char **end,
    struct buf *name)
{
	const char *s, *q;

	s = strstr(p, "{{");
	if (s == NULL)
		return 0;
	q = s + 2;
	while (*q == ' ')
		q++;
	buf_reset(name);
	while (name_char(*q))
		buf_putc(name, *q++);
	while (*q == ' ')
		q++;
	if (name->len == 0 || q[0] != '}' || q[1] != '}')
		return -1;
	*start = s;
	*end = q + 2;
	return 1;
}

static void
unknown(const struct ynode *at, const char *name, const struct ynode *params)
{
	struct str_closest c = STR_CLOSEST_INIT;
	const char *best;
	size_t i;

	for (i = 0; params != NULL && i < params->n; i++)
		str_closest_offer(&c, name, params->keys[i]->value);
	best = str_closest_best(&c, strlen(name) / 3 + 1);
	if (best != NULL)
		error_at(at->file, at->line, at->col, "unknown placeholder "
		    "'{{ %s }}' (did you mean '{{ %s }}'?)", name, best);
	else
		error_at(at->file, at->line, at->col, "unknown placeholder "
		    "'{{ %s }}'", name);
}

static int
render_scalar(struct rctx *r, const struct ynode *in, struct ynode **out)
{
	struct buf text = BUF_INIT, name = BUF_INIT;
	const struct ynode *v;
	const char *p, *s, *e;
	int rc, found;

	p = in->value;
	found = next_placeholder(p, &s, &e, &name);
	if (found == 0) {
		*out = ynode_copy(in);
		buf_release(&name);
		return RENDER_OK;
	}
	rc = RENDER_OK;
	/* one placeholder standing alone keeps the value's type */
	if (found > 0 && s == p && *e == '\0') {
		v = ynode_get(r->params, name.ptr);
		if (v == NULL || (v->type == YNODE_SCALAR && v->null)) {
			if (r->optional)
				rc = RENDER_MISSING;
			else {
				unknown(in, name.ptr, r->params);
				rc = RENDER_ERROR;
			}
		} else {
			*out = ynode_copy(v);
			(*out)->file = in->file;
			(*out)->line = in->line;
			(*out)->col = in->col;
		}
		buf_release(&name);
		return rc;
	}
	while (rc == RENDER_OK && (found = next_placeholder(p, &s, &e, &name)) > 0) {
		buf_add(&text, p, (size_t)(s - p));
		v = ynode_get(r->params, name.ptr);
		if (v == NULL || (v->type == YNODE_SCALAR && v->null)) {
			if (r->optional) {
				rc = RENDER_MISSING;
			} else {
				unknown(in, name.ptr, r->params);
				rc = RENDER_ERROR;
			}
		} else if (v->type != YNODE_SCALAR) {
			error_at(in->file, in->line, in->col, "'{{ %s }}' is a "
			    "%s: it can only stand alone in its scalar",
			    name.ptr, ynode_kind(v));
			rc = RENDER_ERROR;
		} else {
			buf_puts(&text, v->value);
		}
		p = e;
	}
	if (found < 0) {
		error_at(in->file, in->line, in->col, "malformed placeholder "
		    "in '%s' (write '{{ name }}')", in->value);
		rc = RENDER_ERROR;
	}
	if (rc == RENDER_OK) {
		buf_puts(&text, p);
		*out = ynode_scalar(text.ptr);
		(*out)->file = in->file;
		(*out)->line = in->line;
		(*out)->col = in->col;
		(*out)->literal = in->literal;
	}
	buf_release(&text);
	buf_release(&name);
	return rc;
}

static int
render(struct rctx *r, const struct ynode *in, struct ynode **out)
{
	struct ynode *n, *v, *k;
	size_t i, len;
	int rc, opt;

	*out = NULL;
	if (in->type == YNODE_SCALAR)
		return render_scalar(r, in, out);
	n = in->type == YNODE_SEQ ? ynode_seq() : ynode_map();
	n->file = in->file;
	n->line = in->line;
	n->col = in->col;
	rc = RENDER_OK;
	for (i = 0; i < in->n && rc == RENDER_OK; i++) {
		if (in->type == YNODE_SEQ) {
			rc = render(r, in->items[i], &v);
			if (rc == RENDER_OK)
				ynode_push(n, v);
			continue;
		}
		k = ynode_copy(in->keys[i]);
		len = strlen(k->value);
		opt = len > 1 && k->value[len - 1] == '?';
		if (opt)
			k->value[len - 1] = '\0';
		r->optional += opt;
		rc = render(r, in->items[i], &v);
		r->optional -= opt;
		if (rc == RENDER_MISSING && opt) {
			/* leave the whole entry out */
			ynode_free(k);
			rc = RENDER_OK;
			continue;
		}
		if (rc != RENDER_OK) {
			ynode_free(k);
			continue;
		}
		ynode_add(n, k, v);
	}
	if (rc != RENDER_OK) {
		ynode_free(n);
		return rc;
	}
	*out = n;
	return RENDER_OK;
}

/* Render a fragment's actions onto the job, and its other keys over it. */
static int
render_fragment(struct rctx *r, struct ynode *job, const struct ynode *frag)
{
	const struct ynode *acts;
	struct ynode *have, *v;
	size_t i;

	acts = ynode_get(frag, "actions");
	if (acts == NULL || acts->type != YNODE_SEQ) {
		error_at(frag->file, frag->line, frag->col, "a fragment must "
		    "have an 'actions' list");
		return RENDER_ERROR;
	}
	have = ynode_get(job, "actions");
	if (have == NULL)
		have = ynode_set(job, "actions", ynode_seq());
	for (i = 0; i < acts->n; i++) {
		if (render(r, acts->items[i], &v) != RENDER_OK)
			return RENDER_ERROR;
		ynode_push(have, v);
	}
	/* the fragment's other keys (metadata, ...) win over the header's */
	for (i = 0; i < frag->n; i++) {
		if (strcmp(frag->keys[i]->value, "actions") == 0)
			continue;
		if (render(r, frag->items[i], &v) != RENDER_OK)
			return RENDER_ERROR;
		ynode_set(job, frag->keys[i]->value, v);
	}
	return RENDER_OK;
}

struct ynode *
templates_render(struct templates *t, const char *plan, const char *method,
    const struct ynode *params)
{
	const struct ynode *head, *boot, *test;
	struct ynode *job;
	struct rctx r;
	char *rel;

	head = load(t, "header.yaml", "header");
	rel = xasprintf("boot/%s.yaml", method);
	boot = head ? load(t, rel, "boot method") : NULL;
	free(rel);
	rel = xasprintf("test/%s.yaml", plan);
	test = boot ? load(t, rel, "test plan") : NULL;
	free(rel);
	if (test == NULL)
		return NULL;
	memset(&r, 0, sizeof(r));
	r.params = params;
	job = NULL;
	if (render(&r, head, &job) != RENDER_OK ||
	    render_fragment(&r, job, boot) != RENDER_OK ||
	    render_fragment(&r, job, test) != RENDER_OK) {
		ynode_free(job);
		return NULL;
	}
	return job;
}
