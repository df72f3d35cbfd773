/*
 * log.h: messages on stderr.  Library code reports a problem once with
 * error() and returns -1; only main() decides to exit.  With
 * GITHUB_ACTIONS set, errors and warnings become workflow annotations.
 * Every message has its secrets masked (secret.h) and its control
 * characters shown visibly (safe.h): a message may quote outside data.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

struct buf;

/* Set the program name used as prefix, and read MAESTRINO_VERBOSE. */
void	 log_init(const char *prog);
/* The name given to log_init(). */
const char *log_prog(void);
/* 0 quiet, 1 normal (default), 2 verbose. */
void	 log_set_level(int level);
int	 log_level(void);

/* "prog: error: ..." (or an ::error:: annotation); returns -1. */
int	 error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "file:line:col: error: ..."; line or col 0 leaves them out; -1. */
int	 error_at(const char *file, int line, int col, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* "prog: warning: ..." (or a ::warning:: annotation). */
void	 warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: ..." unless quiet. */
void	 info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: ..." only when verbose. */
void	 debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Between log_mute() and log_unmute() (which nest), error() prints and
 * counts nothing: for parsing input where bad parts are simply skipped.
 */
void	 log_mute(void);
void	 log_unmute(void);
/*
 * error(), and the message as it is printed (secrets masked, control
 * characters shown) into err, replacing what it held: the failure as a
 * value for a caller to keep.  err may be NULL.  Returns -1.
 */
int	 error_to(struct buf *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Only the keeping half of error_to(): for a failure printed already. */
void	 error_keep(struct buf *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Between log_catch(err) and log_uncatch(err, fallback), in this thread,
 * each error() message is also kept in err as printed (the last one
 * wins): the failure of a callee that reports by printing, handed to
 * the caller as a value.  log_uncatch() puts fallback into err when
 * nothing was caught.  err may be NULL.
 */
void	 log_catch(struct buf *err);
void	 log_uncatch(struct buf *err, const char *fallback);
/* The number of error() and error_at() calls so far. */
int	 log_errors(void);

/*
 * A one-line progress indicator, shown only when stderr is a terminal
 * and updated at most ten times a second.  total may be 0 if unknown.
 */
void	 progress_start(const char *label, size_t total);
void	 progress_update(size_t done, const char *what);
void	 progress_end(void);

#endif
