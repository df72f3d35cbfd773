/*
 * log.c: messages, annotations, secret masking and progress.
 */
#include <pthread.h>

#include "buf.h"
#include "log.h"
#include "safe.h"
#include "secret.h"
#include "util.h"

static const char *prog = "maestrino";
static int level = 1;
static int nerrors;
/* messages come from worker threads too */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int muted;
/* where error() messages of this thread go as well (log_catch) */
static __thread struct buf *caught;
static int github;

static struct {
	int	 on;
	char	*label;
	size_t	 total;
	double	 last;
	int	 shown;
} prog_state;

void
log_init(const char *name)
{
	const char *v;
	long n;

	prog = name;
	v = getenv("GITHUB_ACTIONS");
	github = v != NULL && strcmp(v, "true") == 0;
	v = getenv("MAESTRINO_VERBOSE");
	if (v != NULL && parse_long(v, 0, 2, &n) == 0)
		level = (int)n;
}

const char *
log_prog(void)
{
	return prog;
}

void
log_set_level(int l)
{
	level = l;
}

int
log_level(void)
{
	return level;
}

void
log_mute(void)
{
	muted++;
}

void
log_unmute(void)
{
	if (muted > 0)
		muted--;
}

void
log_catch(struct buf *err)
{
	caught = err;
	if (err != NULL)
		buf_reset(err);
}

void
log_uncatch(struct buf *err, const char *fallback)
{
	caught = NULL;
	if (err != NULL && err->len == 0 && fallback != NULL)
		buf_puts(err, fallback);
}

int
log_errors(void)
{
	return nerrors;
}

static void
clear_progress(void)
{
	if (prog_state.shown) {
		fputs("\r\033[K", stderr);
		prog_state.shown = 0;
	}
}

/* Annotation text must be one line: GitHub takes %0A for newlines. */
static void
put_annotation(const char *kind, const char *loc, const char *msg)
{
	const char *p;

	fprintf(stderr, "::%s%s%s::", kind, *loc ? " " : "", loc);
	for (p = msg; *p; p++) {
		if (*p == '\n')
			fputs("%0A", stderr);
		else if (*p == '%')
			fputs("%25", stderr);
		else if (*p != '\r')
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

static void
emit(const char *kind, const char *file, int line, int col,
    const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT, loc = BUF_INIT;
	char *msg, *masked;

	buf_vaddf(&b, fmt, ap);
	/* no secret, and nothing that moves the cursor or starts a line */
	masked = secret_mask(b.ptr);
	msg = safe_visible_dup(masked);
	free(masked);
	pthread_mutex_lock(&lock);
	if (caught != NULL && kind != NULL && strcmp(kind, "error") == 0) {
		buf_reset(caught);
		buf_puts(caught, msg);
	}
	clear_progress();
	if (github && kind != NULL) {
		if (file != NULL) {
			buf_addf(&loc, "file=%s", file);
			if (line > 0)
				buf_addf(&loc, ",line=%d", line);
			if (col > 0)
				buf_addf(&loc, ",col=%d", col);
		}
		if (file != NULL) {
			struct buf full = BUF_INIT;

			buf_addf(&full, "%s", file);
			if (line > 0)
				buf_addf(&full, ":%d", line);
			if (col > 0)
				buf_addf(&full, ":%d", col);
			buf_addf(&full, ": %s", msg);
			put_annotation(kind, loc.ptr, full.ptr);
			buf_release(&full);
		} else {
			struct buf full = BUF_INIT;

			buf_addf(&full, "%s: %s", prog, msg);
			put_annotation(kind, loc.ptr, full.ptr);
			buf_release(&full);
		}
	} else if (file != NULL) {
		fputs(file, stderr);
		if (line > 0)
			fprintf(stderr, ":%d", line);
		if (col > 0)
			fprintf(stderr, ":%d", col);
		fprintf(stderr, ": %s%s%s\n", kind ? kind : "",
		    kind ? ": " : "", msg);
	} else {
		fprintf(stderr, "%s: %s%s%s\n", prog, kind ? kind : "",
		    kind ? ": " : "", msg);
	}
	fflush(stderr);
	pthread_mutex_unlock(&lock);
	free(msg);
	buf_release(&b);
	buf_release(&loc);
}

int
error(const char *fmt, ...)
{
	va_list ap;

	if (muted)
		return -1;
	__atomic_add_fetch(&nerrors, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	emit("error", NULL, 0, 0, fmt, ap);
	va_end(ap);
	return -1;
}

void
error_keep(struct buf *err, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	char *masked, *msg;
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	masked = secret_mask(b.ptr);
	msg = safe_visible_dup(masked);
	buf_reset(err);
	buf_puts(err, msg);
	free(msg);
	free(masked);
	buf_release(&b);
}

int
error_to(struct buf *err, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	error_keep(err, "%s", b.ptr);
	error("%s", b.ptr);
	buf_release(&b);
	return -1;
}

int
error_at(const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (muted)
		return -1;
	__atomic_add_fetch(&nerrors, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	emit("error", file ? file : "?", line, col, fmt, ap);
	va_end(ap);
	return -1;
}

void
warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning", NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void
info(const char *fmt, ...)
{
	va_list ap;

	if (level < 1)
		return;
	va_start(ap, fmt);
	emit(NULL, NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void
debug(const char *fmt, ...)
{
	va_list ap;

	if (level < 2)
		return;
	va_start(ap, fmt);
	emit(NULL, NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void
progress_start(const char *label, size_t total)
{
	free(prog_state.label);
	prog_state.label = xstrdup(label);
	prog_state.total = total;
	prog_state.last = 0;
	prog_state.on = level >= 1 && isatty(2);
}

void
progress_update(size_t done, const char *what)
{
	double t;

	if (!prog_state.on)
		return;
	t = now_monotonic();
	if (t - prog_state.last < 0.1 && done != prog_state.total)
		return;
	prog_state.last = t;
	pthread_mutex_lock(&lock);
	fprintf(stderr, "\r\033[K%s: %s", prog, prog_state.label);
	if (prog_state.total)
		fprintf(stderr, " %zu/%zu (%zu%%)", done, prog_state.total,
		    done * 100 / prog_state.total);
	else
		fprintf(stderr, " %zu", done);
	if (what != NULL)
		fprintf(stderr, " %.40s", what);
	fflush(stderr);
	prog_state.shown = 1;
	pthread_mutex_unlock(&lock);
}

void
progress_end(void)
{
	clear_progress();
	prog_state.on = 0;
}
