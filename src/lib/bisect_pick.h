/*
 * bisect_pick.h: which commit a bisection tests next, picked as git
 * bisect picks it.
 */
#ifndef BISECT_PICK_H
#define BISECT_PICK_H

#include <stddef.h>

struct buf;
struct git_repository;

/* Above this many candidates, the middle of their order is taken. */
#define BISECT_EXACT_MAX	16384

struct bisect_next {
	/*
	 * The commit to test next; "" when there is none: either the
	 * culprit is found (left == 1, and it is bad) or every commit
	 * that could still be the culprit, bad aside, is skipped.
	 */
	char	 oid[41];
	size_t	 left;		/* commits that may be the culprit, bad too */
	size_t	 skipped;	/* of which skipped */
	size_t	 weight;	/* candidates oid reaches, itself included */
};

/*
 * Among the commits reachable from bad and from none of good (merges
 * included), the one whose ancestors in that set come closest to half of
 * it, skipped commits aside; ties go to the oldest in topological order,
 * as in git's list.  0, or -1 with the reason in err (may be NULL).
 */
int	 bisect_pick(struct git_repository *, const char *bad,
	    char *const *good, size_t ngood, char *const *skip, size_t nskip,
	    struct bisect_next *out, struct buf *err);

/*
 * Whether there is anything to bisect between good and bad: 0 yes; 1
 * no, with the reason in why (bad is good or one of its ancestors, as
 * when a branch went back; or the two share no history); -1 with the
 * reason in why.
 */
int	 bisect_range(struct git_repository *, const char *good,
	    const char *bad, struct buf *why);

/*
 * The parents of commit oid, full ids, into *out (NULL-terminated),
 * each once: a commit may name the same parent twice.
 */
int	 bisect_parents(struct git_repository *, const char *oid,
	    char ***out, size_t *n, struct buf *err);

/*
 * Revert culprit on top of onto, as git revert does (a merge against
 * its first parent), and write the commit into the repository, no ref
 * moved: its id into out.  0; 1 when the revert does not apply (a
 * conflict, nothing written); -1 with the reason in err.
 */
int	 bisect_revert(struct git_repository *, const char *culprit,
	    const char *onto, char out[41], struct buf *err);

#endif
