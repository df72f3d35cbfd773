/*
 * ynode.c: libyaml document <-> struct ynode.
 */
#include <yaml.h>

#include "buf.h"
#include "log.h"
#include "ynode.h"
#include "util.h"

/*
 * The tree is built from libyaml's events, never from its document
 * loader, so memory stays within these bounds whatever the input: at
 * most YNODE_MAX nodes and 200 levels, and aliases may add no more than
 * the document itself holds (its nodes and bytes so far) plus a little.
 */
#define YNODE_MAX	2000000
#define YNODE_DEPTH	200
#define ALIAS_NODES	10000
#define ALIAS_BYTES	((size_t)1 << 20)

/* A mapping or sequence being built, and what its mapping has seen. */
struct frame {
	struct ynode	*node;
	struct ynode	*key;		/* a mapping's key awaiting its value */
	size_t		*table;		/* duplicate keys, past 16 of them */
	size_t		 slots;
};

struct anchor {
	char		*name;
	struct ynode	*node;		/* borrowed: it is in the tree */
};

struct loader {
	const char	*file;
	size_t		 nodes, bytes;		/* from the text */
	size_t		 anodes, abytes;	/* through aliases */
	size_t		 input;
	struct frame	*stack;
	size_t		 depth, sdepth;
	struct anchor	*anchors;
	size_t		 nanchors, aanchors;
	struct ynode	*root;
	int		 failed;
};

/* FNV-1a of a key, for the duplicate-key check of large mappings. */
static size_t
key_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

static struct ynode *
node_new(enum ynode_type type)
{
	struct ynode *n;

	n = xcalloc(1, sizeof(*n));
	n->type = type;
	return n;
}

static void
node_add(struct ynode *n, struct ynode *key, struct ynode *item)
{
	size_t old;

	old = n->alloc;
	xgrow((void **)&n->items, &n->alloc, n->n + 1, sizeof(*n->items));
	if (n->type == YNODE_MAP) {
		/* keys[] always has the same capacity as items[] */
		if (n->alloc != old || n->keys == NULL)
			n->keys = xrealloc(n->keys,
			    n->alloc * sizeof(*n->keys));
		n->keys[n->n] = key;
	}
	n->items[n->n++] = item;
}

static int
is_null_text(const char *s)
{
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static int
too_far(struct loader *l, const yaml_mark_t *m)
{
	if (!l->failed)
		error_at(l->file, (int)m->line + 1, (int)m->column + 1,
		    "document too large, too deeply nested or expanding "
		    "too far through aliases");
	l->failed = 1;
	return -1;
}

/*
 * Count a node made from the text (bytes of its scalar); -1 past the
 * bounds.
 */
static int
count_node(struct loader *l, size_t bytes, const yaml_mark_t *m)
{
	if (++l->nodes + l->anodes > YNODE_MAX || (l->bytes += bytes) >
	    l->input + ALIAS_BYTES)
		return too_far(l, m);
	return 0;
}

/* A copy of an anchored node for an alias, within the alias bounds. */
static struct ynode *
copy_bounded(struct loader *l, const struct ynode *src, const yaml_mark_t *m)
{
	struct ynode *n, *k, *v;
	size_t i;

	if (++l->anodes > l->nodes + ALIAS_NODES ||
	    l->nodes + l->anodes > YNODE_MAX ||
	    (src->value != NULL && (l->abytes += strlen(src->value)) >
	    l->bytes + ALIAS_BYTES)) {
		too_far(l, m);
		return NULL;
	}
	n = node_new(src->type);
	n->value = src->value ? xstrdup(src->value) : NULL;
	n->plain = src->plain;
	n->null = src->null;
	n->literal = src->literal;
	n->file = src->file;
	n->line = src->line;
	n->col = src->col;
	for (i = 0; i < src->n; i++) {
		k = NULL;
		if (src->keys != NULL && (k = copy_bounded(l, src->keys[i],
		    m)) == NULL) {
			ynode_free(n);
			return NULL;
		}
		v = copy_bounded(l, src->items[i], m);
		if (v == NULL) {
			ynode_free(k);
			ynode_free(n);
			return NULL;
		}
		node_add(n, k, v);
	}
	return n;
}

static void
anchor_add(struct loader *l, const unsigned char *name, struct ynode *n)
{
	if (name == NULL)
		return;
	xgrow((void **)&l->anchors, &l->aanchors, l->nanchors + 1,
	    sizeof(*l->anchors));
	l->anchors[l->nanchors].name = xstrdup((const char *)name);
	l->anchors[l->nanchors].node = n;
	l->nanchors++;
}

static const struct ynode *
anchor_find(const struct loader *l, const unsigned char *name)
{
	size_t i;

	/* the latest of a name wins, as YAML says */
	for (i = l->nanchors; i > 0; i--)
		if (strcmp(l->anchors[i - 1].name, (const char *)name) == 0)
			return l->anchors[i - 1].node;
	return NULL;
}

/*
 * Index of a key equal to k among the first n keys of map, or -1; with
 * a table (slots, a power of two), in constant time.
 */
static long
find_key(const struct ynode *map, size_t n, const char *k, size_t *table,
    size_t slots, int insert)
{
	size_t i, h;

	if (table == NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(map->keys[i]->value, k) == 0)
				return (long)i;
		return -1;
	}
	for (h = key_hash(k) & (slots - 1); table[h] != 0;
	    h = (h + 1) & (slots - 1))
		if (strcmp(map->keys[table[h] - 1]->value, k) == 0)
			return (long)table[h] - 1;
	if (insert)
		table[h] = n + 1;
	return -1;
}

/* Make room for the next key of a mapping in its duplicate table. */
static void
table_grow(struct frame *f)
{
	const struct ynode *map = f->node;
	size_t i;

	if (map->n < 16 || (f->table != NULL && map->n * 2 < f->slots))
		return;
	free(f->table);
	f->slots = f->slots ? f->slots * 2 : 64;
	f->table = xcalloc(f->slots, sizeof(*f->table));
	for (i = 0; i < map->n; i++)
		find_key(map, i, map->keys[i]->value, f->table, f->slots, 1);
}

/* Put a finished node n where it belongs: the root, a list, a mapping. */
static int
place(struct loader *l, struct ynode *n)
{
	struct frame *f;
	long dup;

	if (l->depth == 0) {
		l->root = n;
		return 0;
	}
	f = &l->stack[l->depth - 1];
	if (f->node->type == YNODE_SEQ) {
		node_add(f->node, NULL, n);
		return 0;
	}
	if (f->key == NULL) {
		if (n->type != YNODE_SCALAR) {
			error_at(l->file, n->line, n->col,
			    "a mapping key must be a scalar");
			ynode_free(n);
			l->failed = 1;
			return -1;
		}
		table_grow(f);
		dup = find_key(f->node, f->node->n, n->value, f->table,
		    f->slots, 0);
		if (dup >= 0) {
			error_at(l->file, n->line, n->col, "duplicate key '%s' "
			    "(first at line %d)", n->value,
			    f->node->keys[dup]->line);
			ynode_free(n);
			l->failed = 1;
			return -1;
		}
		f->key = n;
		return 0;
	}
	if (f->table != NULL)
		find_key(f->node, f->node->n, f->key->value, f->table,
		    f->slots, 1);
	node_add(f->node, f->key, n);
	f->key = NULL;
	return 0;
}

static void
mark(struct ynode *n, const struct loader *l, const yaml_mark_t *m)
{
	n->file = l->file;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
}

/* One event: the tree grows by it.  0, or -1 after a message. */
static int
on_event(struct loader *l, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct ynode *n;
	const struct ynode *a;
	struct frame *f;
	size_t i;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (count_node(l, ev->data.scalar.length, m) != 0)
			return -1;
		n = node_new(YNODE_SCALAR);
		n->value = xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->null = n->plain && is_null_text(n->value);
		n->literal = ev->data.scalar.style ==
		    YAML_LITERAL_SCALAR_STYLE;
		mark(n, l, m);
		anchor_add(l, ev->data.scalar.anchor, n);
		return place(l, n);
	case YAML_ALIAS_EVENT:
		a = anchor_find(l, ev->data.alias.anchor);
		if (a == NULL) {
			error_at(l->file, (int)m->line + 1, (int)m->column + 1,
			    "unknown anchor '%s'", ev->data.alias.anchor);
			l->failed = 1;
			return -1;
		}
		for (i = 0; i < l->depth; i++)
			if (l->stack[i].node == a) {
				error_at(l->file, (int)m->line + 1,
				    (int)m->column + 1, "alias '%s' refers to "
				    "a node that holds it", ev->data.alias.anchor);
				l->failed = 1;
				return -1;
			}
		n = copy_bounded(l, a, m);
		if (n == NULL)
			return -1;
		mark(n, l, m);
		return place(l, n);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (l->depth >= YNODE_DEPTH || count_node(l, 0, m) != 0)
			return too_far(l, m);
		n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ?
		    YNODE_SEQ : YNODE_MAP);
		mark(n, l, m);
		anchor_add(l, ev->type == YAML_SEQUENCE_START_EVENT ?
		    ev->data.sequence_start.anchor :
		    ev->data.mapping_start.anchor, n);
		xgrow((void **)&l->stack, &l->sdepth, l->depth + 1,
		    sizeof(*l->stack));
		memset(&l->stack[l->depth], 0, sizeof(*l->stack));
		l->stack[l->depth++].node = n;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (l->stack == NULL || l->depth == 0) {
			/* libyaml never ends what it never began */
			error_at(l->file, (int)m->line + 1, (int)m->column + 1,
			    "end of a collection that never began");
			l->failed = 1;
			return -1;
		}
		f = &l->stack[--l->depth];
		n = f->node;
		free(f->table);
		f->table = NULL;
		return place(l, n);
	default:
		return 0;
	}
}

static void
loader_release(struct loader *l)
{
	size_t i;

	/* an anchor may point into a tree being freed: only the names */
	for (i = 0; i < l->nanchors; i++)
		free(l->anchors[i].name);
	free(l->anchors);
	/* what is still open is in no parent yet: each frame is its own */
	while (l->depth > 0) {
		struct frame *f = &l->stack[--l->depth];

		ynode_free(f->key);
		ynode_free(f->node);
		free(f->table);
	}
	free(l->stack);
	ynode_free(l->root);
}

static void
set_file(struct ynode *n, const char *file)
{
	size_t i;

	n->file = file;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			set_file(n->keys[i], file);
		set_file(n->items[i], file);
	}
}

static int
parse(yaml_parser_t *p, const char *name, size_t input, struct ynode **out)
{
	struct loader l;
	yaml_event_t ev;
	char *file;
	int docs, done, rc;

	file = xstrdup(name);
	memset(&l, 0, sizeof(l));
	l.file = file;
	l.input = input;
	docs = 0;
	done = 0;
	rc = -1;
	while (!done) {
		if (!yaml_parser_parse(p, &ev)) {
			const char *ctx = p->context ? p->context : "";

			error_at(file, (int)p->problem_mark.line + 1,
			    (int)p->problem_mark.column + 1, "%s%s%s",
			    p->problem ? p->problem : "invalid YAML",
			    *ctx ? " " : "", ctx);
			goto out;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT)
			docs++;
		/* a second document with something in it */
		if (docs > 1 && l.depth == 0 && (ev.type == YAML_SCALAR_EVENT ||
		    ev.type == YAML_ALIAS_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT)) {
			error_at(file, (int)ev.start_mark.line + 1,
			    (int)ev.start_mark.column + 1,
			    "only one YAML document is allowed per file");
			yaml_event_delete(&ev);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		if (on_event(&l, &ev) != 0) {
			yaml_event_delete(&ev);
			goto out;
		}
		yaml_event_delete(&ev);
	}
	if (l.root == NULL) {
		/* an empty document is an empty mapping */
		l.root = node_new(YNODE_MAP);
		l.root->line = l.root->col = 1;
	}
	l.root->file_owned = file;
	set_file(l.root, file);
	file = NULL;
	*out = l.root;
	l.root = NULL;
	rc = 0;
out:
	loader_release(&l);
	free(file);
	return rc;
}

int
ynode_parse_file(const char *path, struct ynode **out)
{
	yaml_parser_t p;
	struct stat st;
	FILE *fp;
	int rc;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return error("cannot open '%s': %s", path, strerror(errno));
	if (!yaml_parser_initialize(&p))
		die_oom();
	yaml_parser_set_input_file(&p, fp);
	rc = parse(&p, path, fstat(fileno(fp), &st) == 0 && st.st_size > 0 ?
	    (size_t)st.st_size : 0, out);
	yaml_parser_delete(&p);
	if (ferror(fp))
		rc = error("cannot read '%s': %s", path, strerror(errno));
	fclose(fp);
	return rc;
}

int
ynode_parse_string(const char *name, const char *text, size_t len,
    struct ynode **out)
{
	yaml_parser_t p;
	int rc;

	if (!yaml_parser_initialize(&p))
		die_oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	rc = parse(&p, name, len, out);
	yaml_parser_delete(&p);
	return rc;
}

void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			ynode_free(n->keys[i]);
		ynode_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->value);
	free(n->file_owned);
	free(n);
}

struct ynode *
ynode_scalar(const char *value)
{
	struct ynode *n;

	n = node_new(YNODE_SCALAR);
	n->value = xstrdup(value);
	return n;
}

struct ynode *
ynode_plain(const char *value)
{
	struct ynode *n;

	n = ynode_scalar(value);
	n->plain = 1;
	return n;
}

struct ynode *
ynode_int(long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%lld", v);
	return ynode_plain(tmp);
}

struct ynode *
ynode_map(void)
{
	return node_new(YNODE_MAP);
}

struct ynode *
ynode_seq(void)
{
	return node_new(YNODE_SEQ);
}

struct ynode *
ynode_copy(const struct ynode *src)
{
	struct ynode *n;
	size_t i;

	n = node_new(src->type);
	n->value = src->value ? xstrdup(src->value) : NULL;
	n->plain = src->plain;
	n->null = src->null;
	n->literal = src->literal;
	n->file = src->file;
	n->line = src->line;
	n->col = src->col;
	for (i = 0; i < src->n; i++)
		node_add(n, src->keys ? ynode_copy(src->keys[i]) : NULL,
		    ynode_copy(src->items[i]));
	return n;
}

struct ynode *
ynode_set(struct ynode *map, const char *key, struct ynode *value)
{
	size_t i;

	for (i = 0; i < map->n; i++) {
		if (strcmp(map->keys[i]->value, key) == 0) {
			ynode_free(map->items[i]);
			map->items[i] = value;
			return value;
		}
	}
	node_add(map, ynode_scalar(key), value);
	return value;
}

void
ynode_set_str(struct ynode *map, const char *key, const char *v)
{
	ynode_set(map, key, ynode_scalar(v));
}

void
ynode_set_plain(struct ynode *map, const char *key, const char *v)
{
	ynode_set(map, key, ynode_plain(v));
}

void
ynode_add(struct ynode *map, struct ynode *key, struct ynode *value)
{
	node_add(map, key, value);
}

struct ynode *
ynode_push(struct ynode *seq, struct ynode *item)
{
	node_add(seq, NULL, item);
	return item;
}

struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->type != YNODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->value, key) == 0)
			return map->items[i];
	return NULL;
}

const char *
ynode_str(const struct ynode *map, const char *key)
{
	const struct ynode *v;

	v = ynode_get(map, key);
	if (v == NULL || v->type != YNODE_SCALAR || v->null)
		return NULL;
	return v->value;
}

const char *
ynode_kind(const struct ynode *n)
{
	if (n->type == YNODE_SCALAR)
		return n->null ? "null" : "scalar";
	return n->type == YNODE_SEQ ? "list" : "mapping";
}

int
ynode_looks_typed(const char *s)
{
	static const char *words[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF",
		"null", "Null", "NULL", "~", "",
		".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN",
	};
	const char *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!(*p >= '0' && *p <= '9') && *p != '.')
		return 0;
	/* numbers in any YAML 1.1 form, liberally: quote rather than guess */
	for (; *p; p++)
		if (strchr("0123456789abcdefABCDEFxXoO_.:+-", *p) == NULL)
			return 0;
	return 1;
}

static int
emit_event(yaml_emitter_t *e, yaml_event_t *ev)
{
	return yaml_emitter_emit(e, ev) ? 0 : -1;
}

static int
emit_node(yaml_emitter_t *e, const struct ynode *n)
{
	yaml_scalar_style_t style;
	yaml_event_t ev;
	size_t i;

	switch (n->type) {
	case YNODE_SCALAR:
		if (n->plain)
			style = YAML_PLAIN_SCALAR_STYLE;
		else if (strchr(n->value, '\n') != NULL && (n->literal ||
		    strlen(n->value) > 40))
			style = YAML_LITERAL_SCALAR_STYLE;
		else if (ynode_looks_typed(n->value))
			style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		else
			style = YAML_ANY_SCALAR_STYLE;
		yaml_scalar_event_initialize(&ev, NULL, NULL,
		    (yaml_char_t *)n->value, (int)strlen(n->value),
		    1, 1, style);
		return emit_event(e, &ev);
	case YNODE_SEQ:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_SEQUENCE_STYLE);
		if (emit_event(e, &ev) != 0)
			return -1;
		for (i = 0; i < n->n; i++)
			if (emit_node(e, n->items[i]) != 0)
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return emit_event(e, &ev);
	case YNODE_MAP:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_MAPPING_STYLE);
		if (emit_event(e, &ev) != 0)
			return -1;
		for (i = 0; i < n->n; i++)
			if (emit_node(e, n->keys[i]) != 0 ||
			    emit_node(e, n->items[i]) != 0)
				return -1;
		yaml_mapping_end_event_initialize(&ev);
		return emit_event(e, &ev);
	}
	return -1;
}

static int
emit_doc(yaml_emitter_t *e, const struct ynode *root, const char *what)
{
	yaml_event_t ev;
	int rc;

	yaml_emitter_set_unicode(e, 1);
	yaml_emitter_set_width(e, 100);
	rc = -1;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (emit_event(e, &ev) != 0)
		goto out;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (emit_event(e, &ev) != 0 || emit_node(e, root) != 0)
		goto out;
	yaml_document_end_event_initialize(&ev, 1);
	if (emit_event(e, &ev) != 0)
		goto out;
	yaml_stream_end_event_initialize(&ev);
	if (emit_event(e, &ev) != 0 || !yaml_emitter_flush(e))
		goto out;
	rc = 0;
out:
	if (rc != 0)
		error("cannot write YAML for %s: %s", what,
		    e->problem ? e->problem : "emitter error");
	return rc;
}

int
ynode_emit_file(const struct ynode *root, FILE *fp, const char *what)
{
	yaml_emitter_t e;
	int rc;

	if (!yaml_emitter_initialize(&e))
		die_oom();
	yaml_emitter_set_output_file(&e, fp);
	rc = emit_doc(&e, root, what);
	yaml_emitter_delete(&e);
	return rc;
}

static int
write_buf(void *data, unsigned char *p, size_t n)
{
	buf_add(data, p, n);
	return 1;
}

int
ynode_emit_buf(const struct ynode *root, struct buf *b)
{
	yaml_emitter_t e;
	int rc;

	if (!yaml_emitter_initialize(&e))
		die_oom();
	yaml_emitter_set_output(&e, write_buf, b);
	rc = emit_doc(&e, root, "a buffer");
	yaml_emitter_delete(&e);
	return rc;
}
