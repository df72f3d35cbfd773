/*
 * safe.h: the one place where text from outside (git trees, tags, labs,
 * logs) is made fit for where it goes: a file name, a shell word, a
 * terminal, or a document that must be valid UTF-8.  docs/security.md
 * says which border uses which.
 */
#ifndef SAFE_H
#define SAFE_H

#include <stddef.h>

struct buf;

/* The longest component safe_name() makes by default, in bytes. */
#define SAFE_NAME_MAX	120

/*
 * s as one file-name component, injectively: [A-Za-z0-9.+-] stay as
 * they are, '/' becomes '_', a leading '.' and every other byte become
 * "~XX" (hex), and the empty string becomes "~".  A result longer than
 * max is cut and ends in "~~" and 24 hex digits of the SHA-256 of s, so
 * different inputs still give different names.  Caller frees.
 */
char	*safe_name(const char *s, size_t max);

/*
 * Append s to b as one word for a POSIX shell: as it is when it holds
 * only [A-Za-z0-9_@%+=:,./-], else in single quotes ('\'' for a quote).
 * The only quoting function for commands Maestrino writes for people.
 */
void	 safe_shell_word(struct buf *b, const char *s);

/* The length of the valid UTF-8 sequence at p (n bytes left), or 0. */
size_t	 safe_utf8_seq(const unsigned char *p, size_t n);
/* True when len bytes at s are valid UTF-8 without NULs. */
int	 safe_utf8_valid(const char *s, size_t len);

/*
 * len bytes of s as valid UTF-8: NULs dropped, invalid bytes replaced by
 * U+FFFD, at most max bytes (0: no limit; cut at a character, keeping
 * the start).  Caller frees.
 */
char	*safe_utf8(const char *s, size_t len, size_t max);
/* The same, keeping the last max bytes (for the end of a log). */
char	*safe_utf8_tail(const char *s, size_t len, size_t max);

/*
 * Append s to b for a terminal or a log line: control characters
 * (newlines included), DEL, C1 controls, bidirectional overrides and
 * bytes that are not UTF-8 are shown as \n, \t, \r, \xNN or \uNNNN, so
 * nothing from outside can move the cursor, start a line or recolour.
 */
void	 safe_visible(struct buf *b, const char *s);
/* The same as a malloc'd string. */
char	*safe_visible_dup(const char *s);

#endif
