/*
 * status.h: `maestrino status`, what is pending at each stage.
 */
#ifndef STATUS_H
#define STATUS_H

#include <stdio.h>

struct config;
struct db;

/*
 * Print the status of cfg's pipeline to fp, as text or as one JSON
 * object (with at least the integers "trees" and "checkouts").  db may
 * be NULL when nothing has run yet.  Return -1 on error.
 */
int	 status_print(const struct config *, struct db *, int json, FILE *fp);

#endif
