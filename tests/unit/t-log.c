/*
 * t-log.c: errors handed to the caller as values: error_to(),
 * error_keep() and the per-thread scope of log_catch().
 */
#include <pthread.h>

#include "tap.h"
#include "buf.h"
#include "log.h"
#include "secret.h"
#include "util.h"

static void *
other_thread(void *arg)
{
	(void)arg;
	error("printed by another thread");
	return NULL;
}

int
main(void)
{
	struct buf err = BUF_INIT;
	pthread_t t;
	char *out;

	log_init("t-log");
	is_int(secret_add("s3cr3t-t0ken-value"), 1, "a secret is known");

	capture_start();
	is_int(error_to(&err, "push with s3cr3t-t0ken-value failed"), -1,
	    "error_to returns -1");
	out = capture_end();
	is_str(err.ptr, "push with *** failed",
	    "the value handed back is masked");
	contains(out, "push with *** failed", "and so is what is printed");
	ok(strstr(out, "s3cr3t") == NULL, "the secret is not printed");
	free(out);

	error_keep(&err, "tag \033[2Jv6.1\342\200\256x");
	ok(strchr(err.ptr, '\033') == NULL &&
	    strstr(err.ptr, "\342\200\256") == NULL,
	    "what is kept shows escapes and bidi controls, never raw");
	error_keep(NULL, "nothing to keep into");

	capture_start();
	log_catch(&err);
	ok(err.len == 0, "a catch starts empty");
	error("first");
	error("second");
	log_uncatch(&err, "fallback");
	is_str(err.ptr, "second", "the last message caught wins");
	error("after the scope");
	is_str(err.ptr, "second", "nothing is caught after the scope");

	log_catch(&err);
	log_uncatch(&err, "cannot do it");
	is_str(err.ptr, "cannot do it",
	    "nothing printed: the fallback, never a stale message");

	log_catch(&err);
	if (pthread_create(&t, NULL, other_thread, NULL) == 0)
		pthread_join(t, NULL);
	log_uncatch(&err, "none here");
	is_str(err.ptr, "none here",
	    "another thread's message is not caught");

	log_catch(&err);
	error("with s3cr3t-t0ken-value inside");
	log_uncatch(&err, NULL);
	is_str(err.ptr, "with *** inside", "a caught message is masked");
	free(capture_end());

	buf_release(&err);
	return tap_done();
}
