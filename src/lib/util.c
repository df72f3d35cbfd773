/*
 * util.c: allocation that cannot fail, small string and time helpers.
 */
#include <signal.h>

#include "util.h"

void
die_oom(void)
{
	static const char msg[] = "fatal: out of memory\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(EXIT_FATAL);
}

void *
xmalloc(size_t n)
{
	void *p;

	p = malloc(n ? n : 1);
	if (p == NULL)
		die_oom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p;

	p = calloc(n ? n : 1, sz ? sz : 1);
	if (p == NULL)
		die_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die_oom();
	return p;
}

void
xgrow(void **p, size_t *alloc, size_t n, size_t sz)
{
	size_t a;

	if (n <= *alloc)
		return;
	a = *alloc ? *alloc : 8;
	while (a < n) {
		if (a > SIZE_MAX / 2 / sz)
			die_oom();
		a *= 2;
	}
	*p = xrealloc(*p, a * sz);
	*alloc = a;
}

char *
xstrdup(const char *s)
{
	char *p;

	p = strdup(s);
	if (p == NULL)
		die_oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	p = strndup(s, n);
	if (p == NULL)
		die_oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom();
	return p;
}

int
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
str_ends(const char *s, const char *suffix)
{
	size_t n, m;

	n = strlen(s);
	m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
str_in_list(char *const *list, const char *s)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

int
str_is_name(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			continue;
		if (strchr(extra, *s) == NULL)
			return 0;
	}
	return 1;
}

void
str_closest_offer(struct str_closest *c, const char *word,
    const char *candidate)
{
	size_t d;

	d = str_distance(word, candidate);
	if (d < c->dist) {
		c->dist = d;
		c->best = candidate;
	}
}

const char *
str_closest_best(const struct str_closest *c, size_t max)
{
	return c->best != NULL && c->dist <= max ? c->best : NULL;
}

size_t
str_distance(const char *a, const char *b)
{
	size_t la, lb, i, j, *row, prev, tmp, best;

	la = strlen(a);
	lb = strlen(b);
	row = xmalloc((lb + 1) * sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

char *
str_subst(const char *s, const char *from, char c)
{
	char *p, *q;

	p = xstrdup(s);
	for (q = p; *q; q++)
		if (strchr(from, *q) != NULL)
			*q = c;
	return p;
}

int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

double
now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
time_rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t zero;

	/* a year gmtime cannot hold (from a lab's result) is the epoch,
	 * not whatever was on the stack */
	zero = 0;
	if (gmtime_r(&t, &tm) == NULL)
		gmtime_r(&zero, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

void
time_human(double secs, char *buf, size_t len)
{
	long s;

	if (secs < 60) {
		snprintf(buf, len, "%.1fs", secs);
		return;
	}
	s = (long)(secs + 0.5);
	if (s < 3600)
		snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(buf, len, "%ldh%02ldm", s / 3600, (s / 60) % 60);
}

void
crashpoint(const char *name)
{
	static int visits;
	const char *want, *colon;
	size_t n;
	long count;

	want = getenv("MAESTRINO_CRASH_AT");
	if (want == NULL || *want == '\0')
		return;
	colon = strchr(want, ':');
	n = colon ? (size_t)(colon - want) : strlen(want);
	if (strlen(name) != n || strncmp(want, name, n) != 0)
		return;
	count = 1;
	if (colon != NULL && parse_long(colon + 1, 1, INT_MAX, &count) != 0)
		count = 1;
	/* site workers share the count */
	if (__atomic_add_fetch(&visits, 1, __ATOMIC_SEQ_CST) < count)
		return;
	fprintf(stderr, "crashpoint %s: killing myself\n", name);
	fflush(NULL);
	want = getenv("MAESTRINO_RUN_PID");
	if (want != NULL && parse_long(want, 2, INT_MAX, &count) == 0 &&
	    (pid_t)count != getpid())
		kill((pid_t)count, SIGKILL);
	kill(getpid(), SIGKILL);
}

int
budget_spent(void)
{
	const char *v;
	long deadline;

	v = getenv("MAESTRINO_DEADLINE");
	if (v == NULL || *v == '\0' ||
	    parse_long(v, 1, LONG_MAX, &deadline) != 0)
		return 0;
	return time(NULL) >= (time_t)deadline;
}
