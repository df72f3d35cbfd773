/*
 * site.h: the site stage.  The whole database becomes a static site
 * under site.path: HTML pages that need no JavaScript, each with a JSON
 * twin under api/, Atom feeds, SVG badges, the CSS and one small filter
 * script from site/.  Links are relative, so it works from a sub-path on
 * GitHub Pages and from file://.  Only what changed is rendered again,
 * and a page whose bytes did not change is not rewritten.
 */
#ifndef SITE_H
#define SITE_H

#include <stddef.h>

#include <jansson.h>

struct config;
struct db;

struct site_stats {
	size_t	checkouts;	/* checkouts whose pages were rendered */
	size_t	pages;		/* pages rendered (HTML and JSON) */
	size_t	written;	/* of which changed and were written */
};

/*
 * Render the site: everything when all is set or the site is new, else
 * the pages that depend on what changed since the last render.  assets
 * is the directory with style.css and filter.js.  -1 on error.
 */
int	 site_render(const struct config *, struct db *, const char *assets,
	    int all, struct site_stats *);

/*
 * The flip rate of a result history (PASS and FAIL only, newest first):
 * changes between neighbours over the pairs compared; 0 when fewer than
 * two results.
 */
double	 site_flip_rate(const char *const *statuses, size_t n);

/*
 * The document the site publishes as api/c/<id>.json for checkout id,
 * made as the site makes it but written nowhere; 0, 1 when there is no
 * such checkout, or -1 after a message.
 */
int	 site_checkout_doc(const struct config *, struct db *, long long id,
	    json_t **out);

/*
 * The JSON document of bisection id (the twin of bisect/<id>.html, and
 * an element of `maestrino bisect --json`): 0, 1 when there is no such
 * bisection, -1 after a message.  Caller frees *out.
 */
int	 site_bisect_doc(const struct config *, struct db *, long long id,
	    json_t **out);
/*
 * {"bisections": [...]}: the documents of every bisection (of tree
 * only, unless NULL), newest first, as api/bisect/index.json holds
 * them; 0 or -1 after a message.  Caller frees *out.
 */
int	 site_bisect_list_doc(const struct config *, struct db *,
	    const char *tree, json_t **out);

#endif
