/*
 * poll.h: the poll stage.  For each configured tree, list the remote
 * heads, bring the bare mirror up to date when a head or tag moved, and
 * record every new branch head as a checkout row.
 */
#ifndef POLL_H
#define POLL_H

#include <stddef.h>

struct config;
struct db;
struct tree_cfg;

struct poll_stats {
	size_t	trees;
	size_t	branches;
	size_t	new_checkouts;
	size_t	fetched;
	size_t	failed;		/* trees with an error */
};

/*
 * Poll one tree.  Errors are printed and counted in st->failed; the
 * return is -1 only for a database error that should stop the stage.
 */
int	 poll_tree(const struct config *, struct db *,
	    const struct tree_cfg *, struct poll_stats *st);

#endif
