/*
 * util.h: system headers, allocation that cannot fail, small string and
 * time helpers.  Every source file includes this last, so that banned.h
 * applies to the file's own code only.
 */
#ifndef UTIL_H
#define UTIL_H

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a)	__attribute__((format(printf, f, a)))
#define NORETURN		__attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

/* Exit codes shared by every executable (docs/design.md). */
#define EXIT_OK		0	/* all done */
#define EXIT_ITEMS	1	/* some items failed, the rest committed */
#define EXIT_FATAL	2	/* usage, config or database error */

/* Print "fatal: out of memory" and exit 2.  Called by the x*() family. */
void NORETURN	die_oom(void);

/* malloc/calloc/realloc/strdup that exit 2 instead of returning NULL. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* Grow *p (of *alloc elements of size sz) to hold at least n elements. */
void	 xgrow(void **p, size_t *alloc, size_t n, size_t sz);
char	*xstrdup(const char *);
/* Duplicate at most n bytes of s, always NUL-terminated. */
char	*xstrndup(const char *, size_t);
/* Allocate a formatted string; the caller frees it. */
char	*xasprintf(const char *, ...) PRINTF_LIKE(1, 2);

/* True when s starts with prefix. */
int	 str_starts(const char *s, const char *prefix);
/* True when s ends with suffix. */
int	 str_ends(const char *s, const char *suffix);
/* True when a and b are both NULL or both equal strings. */
int	 str_eq(const char *a, const char *b);
/* True when s is an item of the NULL-terminated list (none: false). */
int	 str_in_list(char *const *list, const char *s);
/* True when every byte of s is in the set [a-z0-9] plus extra. */
int	 str_is_name(const char *s, const char *extra);
/*
 * The candidate closest to a word, for "did you mean": start with
 * STR_CLOSEST_INIT, str_closest_offer() each candidate, then
 * str_closest_best() gives the first nearest one within max edits, or
 * NULL.
 */
struct str_closest {
	const char	*best;
	size_t		 dist;
};
#define STR_CLOSEST_INIT	{ NULL, (size_t)-1 }
void	 str_closest_offer(struct str_closest *, const char *word,
	    const char *candidate);
const char *str_closest_best(const struct str_closest *, size_t max);
/* Levenshtein distance between a and b, for "did you mean". */
size_t	 str_distance(const char *a, const char *b);
/* Return a newly allocated copy of s with every byte in from set to c. */
char	*str_subst(const char *s, const char *from, char c);

/*
 * Parse a decimal integer; return 0 and set *out only when the whole
 * string is a number in [min, max].
 */
int	 parse_long(const char *s, long min, long max, long *out);

/* Seconds since the epoch, as a double with sub-second precision. */
double	 now_monotonic(void);
/*
 * Format t as RFC 3339 UTC ("2025-01-02T03:04:05+00:00") into buf; a t
 * past any year gmtime can hold gives the epoch.
 */
void	 time_rfc3339(time_t t, char *buf, size_t len);
/* Format a duration in seconds as "1h02m", "3m04s" or "5.2s". */
void	 time_human(double secs, char *buf, size_t len);

/*
 * A test hook for crash safety: when MAESTRINO_CRASH_AT names this point
 * ("poll-fetched", or "poll-fetched:2" for its second visit), the
 * process kills itself with SIGKILL here, and with it the `maestrino run`
 * that started it (MAESTRINO_RUN_PID), as a power cut or the OOM killer
 * would.
 */
void	 crashpoint(const char *name);

/*
 * The budget of `maestrino run --budget`: MAESTRINO_DEADLINE in the
 * environment, in seconds since the epoch.  1 once it has passed, so a
 * stage starts no new work item; 0 without a budget.
 */
int	 budget_spent(void);

#endif
