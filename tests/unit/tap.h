/*
 * tap.h: a tiny TAP harness for the unit tests.  Each check prints
 * "ok N - name" or "not ok N - name" with the file:line and the values
 * that differed; tap_done() prints the plan and the exit status.
 */
#ifndef TAP_H
#define TAP_H

#include <fcntl.h>

#include "buf.h"
#include "util.h"

static int tap_n;
static int tap_failed;

static void __attribute__((unused))
tap_result(int pass, const char *file, int line, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", pass ? "" : "not ", tap_n, name);
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
}

static int __attribute__((unused))
tap_ok(int pass, const char *file, int line, const char *name)
{
	tap_result(pass, file, line, name);
	return pass;
}

static int __attribute__((unused))
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	int pass;

	pass = str_eq(got, want);
	tap_result(pass, file, line, name);
	if (!pass)
		printf("#   got:  '%s'\n#   want: '%s'\n",
		    got ? got : "(null)", want ? want : "(null)");
	return pass;
}

static int __attribute__((unused))
tap_is_int(long long got, long long want, const char *file, int line,
    const char *name)
{
	int pass;

	pass = got == want;
	tap_result(pass, file, line, name);
	if (!pass)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return pass;
}

static int __attribute__((unused))
tap_contains(const char *hay, const char *needle, const char *file,
    int line, const char *name)
{
	int pass;

	pass = hay != NULL && strstr(hay, needle) != NULL;
	tap_result(pass, file, line, name);
	if (!pass)
		printf("#   '%s'\n#   does not contain '%s'\n",
		    hay ? hay : "(null)", needle);
	return pass;
}

#define ok(cond, name)		tap_ok(!!(cond), __FILE__, __LINE__, name)
#define is_str(g, w, name)	tap_is_str(g, w, __FILE__, __LINE__, name)
#define is_int(g, w, name)	tap_is_int((long long)(g), (long long)(w), \
				    __FILE__, __LINE__, name)
#define contains(h, n, name)	tap_contains(h, n, __FILE__, __LINE__, name)

static int __attribute__((unused))
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Capture what the code under test prints on stderr. */
static int tap_saved_fd = -1;
static char tap_capture_path[] = "/tmp/maestrino-tap-XXXXXX";

static void __attribute__((unused))
capture_start(void)
{
	int fd;

	fflush(stderr);
	snprintf(tap_capture_path, sizeof(tap_capture_path),
	    "/tmp/maestrino-tap-XXXXXX");
	fd = mkstemp(tap_capture_path);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	tap_saved_fd = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* Stop capturing; return what was printed (caller frees). */
static __attribute__((unused)) char *
capture_end(void)
{
	struct buf b = BUF_INIT;

	fflush(stderr);
	dup2(tap_saved_fd, 2);
	close(tap_saved_fd);
	buf_read_file(&b, tap_capture_path);
	unlink(tap_capture_path);
	return buf_detach(&b, NULL);
}

/* Make a fresh temporary directory (caller frees the path). */
static __attribute__((unused)) char *
tap_tmpdir(void)
{
	char *d;

	d = xstrdup("/tmp/maestrino-unit-XXXXXX");
	if (mkdtemp(d) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	return d;
}

/* Write text to dir/name. */
static void __attribute__((unused))
tap_write(const char *dir, const char *name, const char *text)
{
	char *p;
	FILE *fp;

	p = xasprintf("%s/%s", dir, name);
	fp = fopen(p, "w");
	if (fp == NULL) {
		perror(p);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
	free(p);
}

#endif
