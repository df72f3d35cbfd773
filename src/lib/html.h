/*
 * html.h: writing HTML safely, as stagit and cgit do: fixed markup is
 * written as it is, and every piece of data goes through html_text(),
 * html_attr() or url_path() for its context.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

struct buf;

/* Append s as element text: & < > escaped. NULL appends nothing. */
void	 html_text(struct buf *, const char *s);
/* Append s for a double-quoted attribute value: & < > " ' escaped. */
void	 html_attr(struct buf *, const char *s);
/*
 * Append s as a path in a URL: everything but unreserved characters and
 * '/' percent-encoded, so data can never start a new scheme or query.
 */
void	 url_path(struct buf *, const char *s);
/*
 * Append a URL from data for an href: http(s) and file URLs are kept
 * (escaped for the attribute); anything else (javascript:, data:) is
 * dropped for "#".
 */
void	 html_href(struct buf *, const char *url);
/* Append fixed markup, formatted (no data: use the functions above). */
void	 html_raw(struct buf *, const char *s);

/* The CSS class of a KCIDB status ("pass", "fail", ...; NULL: "run"). */
const char	*html_status_class(const char *status);
/* A symbol for it, so status never rests on colour alone. */
const char	*html_status_symbol(const char *status);

#endif
