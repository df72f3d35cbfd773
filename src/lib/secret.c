/*
 * secret.c: secret values, their masking, and the environment of the
 * processes that run outside data.
 */
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>

#include "buf.h"
#include "secret.h"
#include "util.h"

/* Values shorter than this are not masked (they would mask words). */
#define RAW_MIN		4
/* Encodings are masked for values at least this long. */
#define ENC_MIN		8

extern char **environ;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **values;		/* as registered */
static size_t nvalues, avalues;
static char **pats;		/* values and their encodings */
static size_t *plens;
static size_t npats, apats, aplens;
static char **forbid;		/* variables that hold secrets */
static size_t nforbid, aforbid;
static char **pass;		/* variables passed on besides the allowlist */
static size_t npass, apass;
static int pass_all;
static char **child_env;

static void
list_add(char ***list, size_t *n, size_t *alloc, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i], s) == 0)
			return;
	xgrow((void **)list, alloc, *n + 1, sizeof(**list));
	(*list)[(*n)++] = xstrdup(s);
}

static void
add_pattern(const char *p, size_t len)
{
	size_t i, a;

	if (len < RAW_MIN)
		return;
	for (i = 0; i < npats; i++)
		if (plens[i] == len && memcmp(pats[i], p, len) == 0)
			return;
	xgrow((void **)&pats, &apats, npats + 1, sizeof(*pats));
	a = aplens;
	xgrow((void **)&plens, &a, npats + 1, sizeof(*plens));
	aplens = a;
	pats[npats] = xstrndup(p, len);
	plens[npats++] = len;
}

static void
add_base64(const unsigned char *v, size_t n, const char *alphabet)
{
	struct buf b = BUF_INIT;
	size_t i;
	unsigned x;

	/* whole groups only: what any stream holding v at this offset shows */
	n -= n % 3;
	for (i = 0; i < n; i += 3) {
		x = (unsigned)v[i] << 16 | (unsigned)v[i + 1] << 8 | v[i + 2];
		buf_putc(&b, alphabet[x >> 18 & 63]);
		buf_putc(&b, alphabet[x >> 12 & 63]);
		buf_putc(&b, alphabet[x >> 6 & 63]);
		buf_putc(&b, alphabet[x & 63]);
	}
	if (b.len >= ENC_MIN)
		add_pattern(b.ptr, b.len);
	buf_release(&b);
}

static void
add_encodings(const char *s)
{
	static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_";
	const unsigned char *v = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t n, i, off;

	n = strlen(s);
	for (off = 0; off < 3 && n - off >= 6; off++) {
		add_base64(v + off, n - off, std);
		add_base64(v + off, n - off, url);
	}
	for (i = 0; i < n; i++)
		buf_addf(&b, "%02x", v[i]);
	add_pattern(b.ptr, b.len);
	buf_reset(&b);
	for (i = 0; i < n; i++)
		buf_addf(&b, "%02X", v[i]);
	add_pattern(b.ptr, b.len);
	buf_reset(&b);
	for (i = n; i > 0; i--)
		buf_putc(&b, v[i - 1]);
	add_pattern(b.ptr, b.len);
	buf_reset(&b);
	for (i = 0; i < n; i++) {
		if ((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' &&
		    v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9') ||
		    strchr("-._~", v[i]) != NULL)
			buf_putc(&b, v[i]);
		else
			buf_addf(&b, "%%%02X", v[i]);
	}
	if (b.len != n) {
		add_pattern(b.ptr, b.len);
		/* %2f as well as %2F */
		for (i = 0; i < b.len; i++)
			if (b.ptr[i] == '%' && i + 2 < b.len) {
				b.ptr[i + 1] = (char)tolower((unsigned char)
				    b.ptr[i + 1]);
				b.ptr[i + 2] = (char)tolower((unsigned char)
				    b.ptr[i + 2]);
			}
		add_pattern(b.ptr, b.len);
	}
	buf_release(&b);
}

int
secret_add(const char *value)
{
	size_t i;

	if (value == NULL || strlen(value) < RAW_MIN)
		return value == NULL || *value == '\0' ? 1 : 0;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nvalues; i++)
		if (strcmp(values[i], value) == 0)
			break;
	if (i == nvalues) {
		list_add(&values, &nvalues, &avalues, value);
		add_pattern(value, strlen(value));
		if (strlen(value) >= ENC_MIN)
			add_encodings(value);
	}
	pthread_mutex_unlock(&lock);
	return 1;
}

int
secret_add_env(const char *name)
{
	if (name == NULL)
		return 1;
	pthread_mutex_lock(&lock);
	list_add(&forbid, &nforbid, &aforbid, name);
	pthread_mutex_unlock(&lock);
	return secret_add(getenv(name));
}

size_t
secret_count(void)
{
	return nvalues;
}

struct span {
	size_t	from, to;
};

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/*
 * Append len bytes of s to out with every occurrence of every pattern
 * replaced by "***".  All occurrences are found first (overlapping ones
 * too) and merged, so a pattern that overlaps another's end is masked
 * as well.
 */
static void
mask_into(struct buf *out, const char *s, size_t len)
{
	struct span *v;
	const char *hit;
	size_t n, a, i, pos, from, to;

	v = NULL;
	n = a = 0;
	for (i = 0; i < npats; i++) {
		for (pos = 0; pos < len; pos = (size_t)(hit - s) + 1) {
			hit = memmem(s + pos, len - pos, pats[i], plens[i]);
			if (hit == NULL)
				break;
			xgrow((void **)&v, &a, n + 1, sizeof(*v));
			v[n].from = (size_t)(hit - s);
			v[n].to = v[n].from + plens[i];
			n++;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_span);
	pos = 0;
	for (i = 0; i < n; ) {
		from = v[i].from;
		to = v[i].to;
		for (i++; i < n && v[i].from <= to; i++)
			if (v[i].to > to)
				to = v[i].to;
		buf_add(out, s + pos, from - pos);
		buf_puts(out, "***");
		pos = to;
	}
	buf_add(out, s + pos, len - pos);
	free(v);
}

/* True when one of the patterns occurs in len bytes of s. */
static int
has_secret(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < npats; i++)
		if (memmem(s, len, pats[i], plens[i]) != NULL)
			return 1;
	return 0;
}

char *
secret_mask(const char *s)
{
	struct buf b = BUF_INIT;
	size_t len;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	pthread_mutex_lock(&lock);
	if (npats == 0 || !has_secret(s, len)) {
		pthread_mutex_unlock(&lock);
		return xstrdup(s);
	}
	mask_into(&b, s, len);
	pthread_mutex_unlock(&lock);
	return buf_detach(&b, NULL);
}

void
secret_mask_buf(struct buf *b)
{
	struct buf out = BUF_INIT;

	pthread_mutex_lock(&lock);
	if (npats == 0 || !has_secret(b->ptr, b->len)) {
		pthread_mutex_unlock(&lock);
		return;
	}
	mask_into(&out, b->ptr, b->len);
	pthread_mutex_unlock(&lock);
	buf_reset(b);
	buf_add(b, out.ptr, out.len);
	buf_release(&out);
}

void
secret_mask_json(json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;
	char *m;

	if (npats == 0)
		return;
	if (json_is_string(v)) {
		m = secret_mask(json_string_value(v));
		if (strcmp(m, json_string_value(v)) != 0)
			json_string_set(v, m);
		free(m);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			secret_mask_json(e);
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			secret_mask_json(e);
		}
	}
}

/* What a build, a lab process or a script may see of our environment. */
static int
allowed(const char *name, size_t n)
{
	static const char *const exact[] = {
		"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE",
		"TZ", "TMPDIR", "TERM", "SOURCE_DATE_EPOCH",
		"http_proxy", "https_proxy", "no_proxy", "all_proxy",
		"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
		"MAESTRINO_VERBOSE", "MAESTRINO_CRASH_AT", "MAESTRINO_CACHE",
		"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
	};
	static const char *const prefix[] = {
		"LC_", "LIBGUESTFS_", "SUPERMIN_",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exact); i++)
		if (strlen(exact[i]) == n && memcmp(exact[i], name, n) == 0)
			return 1;
	for (i = 0; i < ARRAY_SIZE(prefix); i++)
		if (n > strlen(prefix[i]) &&
		    memcmp(prefix[i], name, strlen(prefix[i])) == 0)
			return 1;
	for (i = 0; i < npass; i++)
		if (strlen(pass[i]) == n && memcmp(pass[i], name, n) == 0)
			return 1;
	return 0;
}

static int
forbidden(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < nforbid; i++)
		if (strlen(forbid[i]) == n && memcmp(forbid[i], name, n) == 0)
			return 1;
	return 0;
}

char **
secret_child_env(void)
{
	char **e, *eq;
	size_t n, k, len;

	pthread_mutex_lock(&lock);
	if (child_env != NULL) {
		for (e = child_env; *e != NULL; e++)
			free(*e);
		free(child_env);
	}
	for (n = 0; environ != NULL && environ[n] != NULL; n++)
		;
	child_env = xcalloc(n + 1, sizeof(*child_env));
	k = 0;
	for (e = environ; e != NULL && *e != NULL; e++) {
		eq = strchr(*e, '=');
		if (eq == NULL)
			continue;
		len = (size_t)(eq - *e);
		if (forbidden(*e, len) || (!pass_all && !allowed(*e, len)))
			continue;
		child_env[k++] = xstrdup(*e);
	}
	child_env[k] = NULL;
	pthread_mutex_unlock(&lock);
	return child_env;
}

void
secret_env_pass(const char *name)
{
	pthread_mutex_lock(&lock);
	list_add(&pass, &npass, &apass, name);
	pthread_mutex_unlock(&lock);
}

void
secret_env_pass_all(void)
{
	pass_all = 1;
}

char *
secret_export(size_t *len)
{
	struct buf b = BUF_INIT;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nvalues; i++)
		buf_add(&b, values[i], strlen(values[i]) + 1);
	pthread_mutex_unlock(&lock);
	return buf_detach(&b, len);
}

int
secret_load(int fd)
{
	struct buf b = BUF_INIT;
	char tmp[4096];
	const char *p, *end;
	ssize_t n;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf_release(&b);
			return -1;
		}
		buf_add(&b, tmp, (size_t)n);
	}
	end = b.ptr + b.len;
	for (p = b.ptr; p < end; p += strlen(p) + 1)
		secret_add(p);
	buf_release(&b);
	return 0;
}
