/*
 * strset.h: a set of strings (open addressing, FNV-1a), for "seen
 * already?" over many names: test pages rendered, test paths of a job.
 */
#ifndef STRSET_H
#define STRSET_H

#include <stddef.h>

struct strset {
	char	**v;
	size_t	  cap;
	size_t	  n;
};

#define STRSET_INIT	{ NULL, 0, 0 }

/* Add a copy of s; 1 if it was not there, 0 if it was. */
int	 strset_add(struct strset *, const char *s);
/* True when s is in the set. */
int	 strset_has(const struct strset *, const char *s);
/* Free the strings and the table; the set is empty again. */
void	 strset_release(struct strset *);

#endif
