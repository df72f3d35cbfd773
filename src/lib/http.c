/*
 * http.c: libcurl requests.
 */
#include <curl/curl.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#define DEFAULT_MAX_BODY	((size_t)16 << 20)

static long default_timeout = 120;

void
http_set_timeout(long seconds)
{
	if (seconds > 0)
		default_timeout = seconds;
}

struct sink {
	struct buf	*buf;
	FILE		*fp;
	size_t		 max;
	size_t		 got;
	int		 overflow;
};

static void
http_global_init(void)
{
	static int done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = 1;
	}
}

static size_t
on_data(char *p, size_t sz, size_t n, void *data)
{
	struct sink *s = data;
	size_t len;

	len = sz * n;
	if (s->got + len > s->max) {
		s->overflow = 1;
		return 0;
	}
	s->got += len;
	if (s->fp != NULL)
		return fwrite(p, 1, len, s->fp) == len ? len : 0;
	buf_add(s->buf, p, len);
	return len;
}

static void
set_error(struct http_response *resp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_error(struct http_response *resp, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(resp->error);
	resp->error = secret_mask(b.ptr);
	buf_release(&b);
}

/* The first line of a reply body, short, for messages. */
static char *
body_hint(const struct buf *b)
{
	size_t n;

	n = strcspn(b->ptr, "\r\n");
	if (n > 160)
		n = 160;
	return xstrndup(b->ptr, n);
}

enum http_outcome
http_do(const struct http_request *req, struct http_response *resp)
{
	char errbuf[CURL_ERROR_SIZE], *hdr;
	struct curl_slist *headers;
	enum http_outcome out;
	struct sink sink;
	const char *method, *what;
	FILE *up;
	CURL *c;
	CURLcode rc;
	struct stat st;

	http_global_init();
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, 0);
	method = req->method ? req->method : "GET";
	what = req->what ? req->what : "request";
	headers = NULL;
	up = NULL;
	errbuf[0] = '\0';
	out = HTTP_FAIL;
	c = curl_easy_init();
	if (c == NULL)
		die_oom();
	memset(&sink, 0, sizeof(sink));
	sink.buf = &resp->body;
	sink.fp = req->download;
	sink.max = req->max_body ? req->max_body : DEFAULT_MAX_BODY;

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "maestrino/1");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    req->connect_timeout ? req->connect_timeout : 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout ? req->timeout :
	    default_timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	/* redirects could carry the token elsewhere: do not follow them */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (req->auth != NULL) {
		hdr = xasprintf("Authorization: %s", req->auth);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	if (req->content_type != NULL) {
		hdr = xasprintf("Content-Type: %s", req->content_type);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	if (req->accept != NULL) {
		hdr = xasprintf("Accept: %s", req->accept);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (req->upload_file != NULL) {
		up = fopen(req->upload_file, "rb");
		if (up == NULL || fstat(fileno(up), &st) != 0) {
			set_error(resp, "cannot read '%s': %s",
			    req->upload_file, strerror(errno));
			goto out;
		}
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READDATA, up);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)st.st_size);
		if (strcmp(method, "PUT") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	} else if (req->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (sink.overflow) {
		resp->too_large = 1;
		set_error(resp, "%s %s: reply larger than %zu bytes", method,
		    req->url, sink.max);
		out = HTTP_RETRY;
	} else if (rc != CURLE_OK) {
		set_error(resp, "%s %s: %s", method, req->url,
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
		out = HTTP_RETRY;
	} else if (resp->status >= 200 && resp->status < 300) {
		out = HTTP_OK;
	} else {
		char *hint = body_hint(&resp->body);

		set_error(resp, "%s %s: HTTP %ld%s%s", method, req->url,
		    resp->status, *hint ? ": " : "", hint);
		free(hint);
		out = resp->status == 408 || resp->status == 429 ||
		    resp->status >= 500 ? HTTP_RETRY : HTTP_FAIL;
	}
out:
	if (out != HTTP_OK && !req->quiet && resp->error != NULL)
		error("%s: %s", what, resp->error);
	if (up != NULL)
		fclose(up);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return out;
}

enum http_outcome
http_do_retry(const struct http_request *req, struct http_response *resp,
    int tries)
{
	struct http_request quiet;
	enum http_outcome out;
	int i;

	quiet = *req;
	quiet.quiet = 1;
	out = HTTP_FAIL;
	for (i = 0; i < tries; i++) {
		if (i > 0) {
			http_response_release(resp);
			if (req->download != NULL &&
			    (fflush(req->download) != 0 ||
			    ftruncate(fileno(req->download), 0) != 0 ||
			    fseek(req->download, 0, SEEK_SET) != 0))
				break;
			sleep(1U << (i - 1));
		}
		out = http_do(&quiet, resp);
		if (out != HTTP_RETRY)
			break;
		if (i + 1 < tries)
			debug("%s: %s; trying again", req->what ? req->what :
			    "request", resp->error);
	}
	if (out != HTTP_OK && !req->quiet && resp->error != NULL)
		error("%s: %s", req->what ? req->what : "request",
		    resp->error);
	return out;
}

void
http_response_release(struct http_response *resp)
{
	buf_release(&resp->body);
	free(resp->error);
	resp->error = NULL;
	resp->status = 0;
}

char *
http_escape(const char *s)
{
	char *e, *copy;

	http_global_init();
	e = curl_easy_escape(NULL, s, 0);
	if (e == NULL)
		die_oom();
	copy = xstrdup(e != NULL ? e : "");
	curl_free(e);
	return copy;
}
