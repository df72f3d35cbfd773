/*
 * ynode.h: YAML documents as a small tree with file:line:col marks,
 * parsed with libyaml's document loader and written with its emitter.
 */
#ifndef YNODE_H
#define YNODE_H

#include <stdio.h>
#include <stddef.h>

struct buf;

enum ynode_type {
	YNODE_SCALAR,
	YNODE_SEQ,
	YNODE_MAP
};

/*
 * A scalar has value; plain tells whether it was written unquoted (so
 * "5" and 5 differ), null whether it was empty or "~"/"null".  A map
 * keeps its keys (scalars) in keys[] beside items[].
 */
struct ynode {
	enum ynode_type	 type;
	char		*value;
	int		 plain;
	int		 null;
	int		 literal;	/* emit as a | block */
	const char	*file;		/* borrowed from the root */
	int		 line;		/* 1-based */
	int		 col;		/* 1-based */
	struct ynode	**keys;
	struct ynode	**items;
	size_t		 n;
	size_t		 alloc;
	char		*file_owned;	/* set on the root only */
};

/*
 * Parse one YAML document from path (or from text, named name).  An
 * empty document gives an empty map.  On a syntax error, a duplicate key
 * or a second document, print "file:line:col: error: ..." and return -1.
 * The tree is the caller's to ynode_free().
 */
int	 ynode_parse_file(const char *path, struct ynode **out);
int	 ynode_parse_string(const char *name, const char *text, size_t len,
	    struct ynode **out);
/* Free a tree (NULL is a no-op). */
void	 ynode_free(struct ynode *);

/* New nodes for building a document; file is NULL, line and col 0. */
struct ynode	*ynode_scalar(const char *value);
/* A scalar that is emitted plain, for numbers and booleans. */
struct ynode	*ynode_plain(const char *value);
struct ynode	*ynode_int(long long v);
struct ynode	*ynode_map(void);
struct ynode	*ynode_seq(void);
/* Deep copy (marks are kept and still point into the source's root). */
struct ynode	*ynode_copy(const struct ynode *);
/* Add value under key to a map (taking ownership); returns value. */
struct ynode	*ynode_set(struct ynode *map, const char *key,
		    struct ynode *value);
/* Append key (a scalar node, keeping its marks) and value to a map. */
void		 ynode_add(struct ynode *map, struct ynode *key,
		    struct ynode *value);
/* Shorthands: set a string scalar, set a plain scalar. */
void		 ynode_set_str(struct ynode *map, const char *key,
		    const char *v);
void		 ynode_set_plain(struct ynode *map, const char *key,
		    const char *v);
/* Append to a sequence (taking ownership); returns item. */
struct ynode	*ynode_push(struct ynode *seq, struct ynode *item);

/* The value of key in map, or NULL (also when map is not a map). */
struct ynode	*ynode_get(const struct ynode *map, const char *key);
/* The scalar string of key in map, or NULL. */
const char	*ynode_str(const struct ynode *map, const char *key);
/* "scalar", "list" or "mapping", for messages. */
const char	*ynode_kind(const struct ynode *);
/* True when a plain scalar with this text would not read as a string. */
int		 ynode_looks_typed(const char *s);

/*
 * Write the tree as one YAML document with the libyaml emitter, to fp or
 * appended to b.  Return -1 with an error message on failure.
 */
int	 ynode_emit_file(const struct ynode *root, FILE *fp, const char *what);
int	 ynode_emit_buf(const struct ynode *root, struct buf *b);

#endif
