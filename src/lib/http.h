/*
 * http.h: HTTP through libcurl, one easy handle per request.  Every
 * request has an error buffer, connect and total timeouts, a user agent
 * and a capped body; the status is checked here, and the outcome tells
 * the caller whether trying again later can help.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdio.h>
#include <stddef.h>

#include "buf.h"

enum http_outcome {
	HTTP_OK,	/* a 2xx reply */
	HTTP_RETRY,	/* network error, timeout, 408, 429, 5xx, truncation */
	HTTP_FAIL	/* any other reply: retrying will not help */
};

struct http_request {
	const char	*method;	/* GET (default), POST, PUT */
	const char	*url;
	const char	*auth;		/* Authorization header value; secret */
	const char	*content_type;
	const char	*accept;
	const void	*body;
	size_t		 body_len;
	const char	*upload_file;	/* PUT this file as the body */
	FILE		*download;	/* write the body here, not to buf */
	long		 timeout;	/* seconds in all; 0: the default */
	long		 connect_timeout; /* default 15 */
	size_t		 max_body;	/* default 16 MiB; 0 keeps default */
	int		 quiet;		/* do not print errors */
	const char	*what;		/* names the request in messages */
};

struct http_response {
	long		 status;	/* 0 when no reply came */
	struct buf	 body;
	char		*error;		/* why it was not HTTP_OK, or NULL */
	int		 too_large;	/* the body passed max_body */
};

/* Perform req; fill resp (release it with http_response_release). */
enum http_outcome	 http_do(const struct http_request *req,
			    struct http_response *resp);
/* Like http_do, but try up to tries times with 1, 2, 4 s pauses. */
enum http_outcome	 http_do_retry(const struct http_request *req,
			    struct http_response *resp, int tries);
void			 http_response_release(struct http_response *);
/* The total timeout of requests that do not set one (default 120 s). */
void			 http_set_timeout(long seconds);
/* s percent-encoded for a URL query; caller frees. */
char			*http_escape(const char *s);

#endif
