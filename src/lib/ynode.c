/*
 * ynode.c: libyaml document <-> struct ynode.
 */
#include <yaml.h>

#include "buf.h"
#include "log.h"
#include "ynode.h"
#include "util.h"

/*
 * Bounds on what one document may expand to, against alias bombs: at
 * most YNODE_MAX nodes, and aliases may add no more than the document
 * itself holds (its nodes, its bytes) plus a little.
 */
#define YNODE_MAX	2000000
#define ALIAS_NODES	10000
#define ALIAS_BYTES	((size_t)1 << 20)

struct loader {
	yaml_document_t	*doc;
	const char	*file;
	size_t		 count;
	size_t		 bytes;
	size_t		 max_count;
	size_t		 max_bytes;
	int		 depth;
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

static struct ynode *
convert(struct loader *l, yaml_node_t *yn)
{
	struct ynode *n, *k, *v;
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	size_t *table, slots, npairs;
	long dup;

	if (++l->count > l->max_count || l->depth > 200 ||
	    (yn->type == YAML_SCALAR_NODE && (l->bytes +=
	    yn->data.scalar.length) > l->max_bytes)) {
		error_at(l->file, (int)yn->start_mark.line + 1,
		    (int)yn->start_mark.column + 1,
		    "document too large, too deeply nested or expanding "
		    "too far through aliases");
		return NULL;
	}
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		n = node_new(YNODE_SCALAR);
		n->value = xstrndup((const char *)yn->data.scalar.value,
		    yn->data.scalar.length);
		n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->null = n->plain && is_null_text(n->value);
		n->literal = yn->data.scalar.style == YAML_LITERAL_SCALAR_STYLE;
		break;
	case YAML_SEQUENCE_NODE:
		n = node_new(YNODE_SEQ);
		l->depth++;
		for (item = yn->data.sequence.items.start;
		    item < yn->data.sequence.items.top; item++) {
			v = convert(l, yaml_document_get_node(l->doc, *item));
			if (v == NULL) {
				ynode_free(n);
				return NULL;
			}
			node_add(n, NULL, v);
		}
		l->depth--;
		break;
	case YAML_MAPPING_NODE:
		n = node_new(YNODE_MAP);
		l->depth++;
		/* large mappings find duplicate keys through a hash table */
		npairs = (size_t)(yn->data.mapping.pairs.top -
		    yn->data.mapping.pairs.start);
		table = NULL;
		slots = 0;
		if (npairs > 16) {
			for (slots = 32; slots < npairs * 2; slots *= 2)
				;
			table = xcalloc(slots, sizeof(*table));
		}
		for (pair = yn->data.mapping.pairs.start;
		    pair < yn->data.mapping.pairs.top; pair++) {
			k = convert(l, yaml_document_get_node(l->doc,
			    pair->key));
			if (k == NULL) {
				free(table);
				ynode_free(n);
				return NULL;
			}
			if (k->type != YNODE_SCALAR) {
				error_at(l->file, k->line, k->col,
				    "a mapping key must be a scalar");
				free(table);
				ynode_free(k);
				ynode_free(n);
				return NULL;
			}
			dup = find_key(n, n->n, k->value, table, slots, 1);
			if (dup >= 0) {
				error_at(l->file, k->line, k->col,
				    "duplicate key '%s' (first at line %d)",
				    k->value, n->keys[dup]->line);
				free(table);
				ynode_free(k);
				ynode_free(n);
				return NULL;
			}
			v = convert(l, yaml_document_get_node(l->doc,
			    pair->value));
			if (v == NULL) {
				free(table);
				ynode_free(k);
				ynode_free(n);
				return NULL;
			}
			node_add(n, k, v);
		}
		free(table);
		l->depth--;
		break;
	default:
		return NULL;
	}
	n->file = l->file;
	n->line = (int)yn->start_mark.line + 1;
	n->col = (int)yn->start_mark.column + 1;
	return n;
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
	yaml_document_t doc, extra;
	yaml_node_t *root;
	struct loader l;
	struct ynode *n;
	char *file;
	int rc;

	file = xstrdup(name);
	rc = -1;
	n = NULL;
	if (!yaml_parser_load(p, &doc)) {
		const char *ctx = p->context ? p->context : "";

		error_at(file, (int)p->problem_mark.line + 1,
		    (int)p->problem_mark.column + 1, "%s%s%s",
		    p->problem ? p->problem : "invalid YAML",
		    *ctx ? " " : "", ctx);
		free(file);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	memset(&l, 0, sizeof(l));
	l.doc = &doc;
	l.file = file;
	l.max_count = 2 * (size_t)(doc.nodes.top - doc.nodes.start) +
	    ALIAS_NODES;
	if (l.max_count > YNODE_MAX)
		l.max_count = YNODE_MAX;
	l.max_bytes = 2 * input + ALIAS_BYTES;
	if (root == NULL) {
		n = node_new(YNODE_MAP);
		n->file = file;
		n->line = n->col = 1;
	} else {
		n = convert(&l, root);
	}
	if (n == NULL)
		goto out;
	if (root != NULL) {
		if (!yaml_parser_load(p, &extra)) {
			error_at(file, (int)p->problem_mark.line + 1,
			    (int)p->problem_mark.column + 1, "%s",
			    p->problem ? p->problem : "invalid YAML");
			goto out;
		}
		if (yaml_document_get_root_node(&extra) != NULL) {
			error_at(file, (int)extra.start_mark.line + 1,
			    (int)extra.start_mark.column + 1,
			    "only one YAML document is allowed per file");
			yaml_document_delete(&extra);
			goto out;
		}
		yaml_document_delete(&extra);
	}
	n->file_owned = file;
	set_file(n, file);
	file = NULL;
	*out = n;
	n = NULL;
	rc = 0;
out:
	yaml_document_delete(&doc);
	ynode_free(n);
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
