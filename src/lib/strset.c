/*
 * strset.c: a set of strings.
 */
#include "strset.h"
#include "util.h"

static unsigned long long
hash(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= 0xff;
	h *= 1099511628211ULL;
	return h;
}

int
strset_add(struct strset *set, const char *s)
{
	unsigned long long h;
	char **old, **slot;
	size_t i, ocap;

	if (set->n * 2 >= set->cap) {
		old = set->v;
		ocap = set->cap;
		set->cap = ocap ? ocap * 2 : 1024;
		set->v = xcalloc(set->cap, sizeof(*set->v));
		set->n = 0;
		for (i = 0; i < ocap; i++) {
			if (old[i] == NULL)
				continue;
			for (h = hash(old[i]); set->v[h & (set->cap - 1)] !=
			    NULL; h++)
				;
			set->v[h & (set->cap - 1)] = old[i];
			set->n++;
		}
		free(old);
	}
	for (h = hash(s);; h++) {
		slot = &set->v[h & (set->cap - 1)];
		if (*slot == NULL) {
			*slot = xstrdup(s);
			set->n++;
			return 1;
		}
		if (strcmp(*slot, s) == 0)
			return 0;
	}
}

int
strset_has(const struct strset *set, const char *s)
{
	unsigned long long h;
	char *const *slot;

	if (set->cap == 0)
		return 0;
	for (h = hash(s);; h++) {
		slot = &set->v[h & (set->cap - 1)];
		if (*slot == NULL)
			return 0;
		if (strcmp(*slot, s) == 0)
			return 1;
	}
}

void
strset_release(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->cap = set->n = 0;
}
