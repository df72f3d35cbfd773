/*
 * ondemand.c: checkouts made on demand and by bisection.  Everything is
 * checked and made first (the ref resolved, each patch applied as a
 * commit, the patch files stored), then the row and the ref that keeps
 * the patched commit are added in one transaction; a failure on the
 * way removes what this call made, so nothing is left of it.
 */
#include <sys/stat.h>
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "hash.h"
#include "log.h"
#include "ondemand.h"
#include "repo.h"
#include "safe.h"
#include "storage.h"
#include "store_bisect.h"
#include "store_checkout.h"
#include "util.h"

/* ---- mails ---- */

void
ondemand_mails_free(struct ondemand_mail *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].author_name);
		free(m[i].author_email);
		free(m[i].subject);
		free(m[i].message);
		free(m[i].diff);
	}
	free(m);
}

/* The length of the line at p (up to end), without its newline. */
static size_t
line_len(const char *p, const char *end)
{
	const char *nl;

	nl = memchr(p, '\n', (size_t)(end - p));
	return nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
}

/* The start of the line after p. */
static const char *
next_line(const char *p, const char *end)
{
	size_t n;

	n = line_len(p, end);
	return p + n < end ? p + n + 1 : end;
}

/*
 * An mbox separator as git mailsplit sees one: "From " and a time
 * (two ':'), at the start of the file or after a blank line.
 */
static int
is_from_line(const char *p, const char *end, const char *start)
{
	size_t n, i, colons;

	n = line_len(p, end);
	if (n < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	if (p != start && !(p - start >= 2 && p[-1] == '\n' && p[-2] == '\n'))
		return 0;
	for (i = colons = 0; i < n; i++)
		colons += p[i] == ':';
	return colons >= 2;
}

/* "=XX" hex in RFC 2047 Q encoding. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A header value with its RFC 2047 "=?charset?Q?...?=" words decoded
 * (as git format-patch writes a name or subject outside ASCII), made
 * valid UTF-8 and at most max bytes: it is outside text.
 */
static char *
header_text(const char *v, size_t max)
{
	struct buf b = BUF_INIT;
	const char *p, *q, *e;
	char *out;
	int prev_word, h1, h2;

	prev_word = 0;
	for (p = v; *p != '\0';) {
		if (p[0] == '=' && p[1] == '?' &&
		    (q = strchr(p + 2, '?')) != NULL &&
		    (q[1] == 'q' || q[1] == 'Q') && q[2] == '?' &&
		    (e = strstr(q + 3, "?=")) != NULL) {
			/* blanks between two encoded words are dropped */
			if (prev_word) {
				while (b.len > 0 && (b.ptr[b.len - 1] == ' ' ||
				    b.ptr[b.len - 1] == '\t'))
					b.len--;
				buf_setlen(&b, b.len);
			}
			for (q += 3; q < e; q++) {
				if (*q == '_')
					buf_putc(&b, ' ');
				else if (*q == '=' && q + 2 < e + 1 &&
				    (h1 = hexval(q[1])) >= 0 &&
				    (h2 = hexval(q[2])) >= 0) {
					buf_putc(&b, h1 << 4 | h2);
					q += 2;
				} else
					buf_putc(&b, *q);
			}
			p = e + 2;
			prev_word = 1;
			continue;
		}
		if (*p != ' ' && *p != '\t')
			prev_word = 0;
		buf_putc(&b, *p++);
	}
	out = safe_utf8(b.ptr != NULL ? b.ptr : "", b.len, max);
	buf_release(&b);
	return out;
}

/*
 * A name, address or subject made one clean line, as git mailinfo makes
 * it: each control character (a decoded "=0A" too) a space, runs of
 * blanks one, none at either end.  Else a mail could put a header line
 * of its own into the commit it becomes.
 */
static void
one_line(char *s)
{
	char *r, *w;

	w = s;
	for (r = s; *r != '\0'; r++) {
		if ((unsigned char)*r < 0x20 || *r == 0x7f || *r == ' ') {
			if (w > s && w[-1] != ' ')
				*w++ = ' ';
		} else
			*w++ = *r;
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* "[PATCH v2 1/3] " and the like taken off, as git am does. */
static const char *
strip_subject(const char *s)
{
	const char *e;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '[' || (e = strchr(s, ']')) == NULL)
			return s;
		s = e + 1;
	}
}

/* "Name <email>" into its parts. */
static void
parse_from(const char *v, char **name, char **email)
{
	const char *lt, *gt;
	char *n;
	size_t len;

	lt = strrchr(v, '<');
	gt = lt != NULL ? strchr(lt, '>') : NULL;
	if (lt == NULL || gt == NULL) {
		*email = xstrdup(v);
		*name = xstrdup(v);
		return;
	}
	*email = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	while (*v == ' ' || *v == '"')
		v++;
	len = (size_t)(lt - v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '"'))
		len--;
	n = xstrndup(v, len);
	*name = n;
}

/* An RFC 2822 date, or now. */
static void
parse_date(const char *v, long long *t, int *tz)
{
	struct tm tm;
	const char *end;
	long off;

	memset(&tm, 0, sizeof(tm));
	end = v != NULL ? strptime(v, "%a, %d %b %Y %H:%M:%S %z", &tm) : NULL;
	if (end == NULL && v != NULL) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(v, "%d %b %Y %H:%M:%S %z", &tm);
	}
	if (end == NULL) {
		*t = (long long)time(NULL);
		*tz = 0;
		return;
	}
	/* timegm() resets tm_gmtoff */
	off = tm.tm_gmtoff;
	*tz = (int)(off / 60);
	*t = (long long)timegm(&tm) - off;
}

/* The value of header key in the unfolded headers hdr, or NULL. */
static const char *
header(char *const *hdr, size_t n, const char *key)
{
	size_t i, k;

	k = strlen(key);
	for (i = 0; i < n; i++)
		if (strncasecmp(hdr[i], key, k) == 0 && hdr[i][k] == ':')
			return hdr[i] + k + 1 + strspn(hdr[i] + k + 1, " \t");
	return NULL;
}

/* True when the line at p looks like "Key: value". */
static int
is_header_line(const char *p, const char *end)
{
	size_t n, i;

	n = line_len(p, end);
	for (i = 0; i < n && p[i] != ':'; i++)
		if (p[i] == ' ' || p[i] == '\t')
			return 0;
	return i > 0 && i < n;
}

/* One mail from p to end into m; 0, or -1 with *err. */
static int
parse_mail(const char *p, const char *end, const char *what, int nth,
    struct ondemand_mail *m, char **err)
{
	struct buf body = BUF_INIT, msg = BUF_INIT;
	char **hdr;
	const char *v, *diff, *d, *sig, *q;
	char *subject;
	size_t nhdr, alloc, i, n;

	hdr = NULL;
	nhdr = alloc = 0;
	memset(m, 0, sizeof(*m));
	if (p < end && is_from_line(p, end, p))
		p = next_line(p, end);
	/* headers, unfolded, up to the blank line; bounded: outside text */
	while (p < end && is_header_line(p, end)) {
		struct buf h = BUF_INIT;

		if (nhdr == ONDEMAND_HEADERS_MAX) {
			*err = xasprintf("%s (mail %d): more than %d header "
			    "lines; not a patch mail", what, nth,
			    ONDEMAND_HEADERS_MAX);
			goto fail;
		}
		buf_add(&h, p, line_len(p, end));
		for (p = next_line(p, end); p < end &&
		    (*p == ' ' || *p == '\t'); p = next_line(p, end)) {
			size_t skip;

			n = line_len(p, end);
			skip = strspn(p, " \t");
			buf_putc(&h, ' ');
			buf_add(&h, p + skip, n > skip ? n - skip : 0);
			if (h.len > ONDEMAND_HEADER_MAX)
				break;
		}
		if (h.len > ONDEMAND_HEADER_MAX) {
			buf_release(&h);
			*err = xasprintf("%s (mail %d): a header longer than "
			    "%d bytes; not a patch mail", what, nth,
			    ONDEMAND_HEADER_MAX);
			goto fail;
		}
		xgrow((void **)&hdr, &alloc, nhdr + 1, sizeof(*hdr));
		hdr[nhdr++] = buf_detach(&h, NULL);
	}
	for (i = 0; i < nhdr; i++)
		hdr[i][strcspn(hdr[i], "\r")] = '\0';
	if (p < end && line_len(p, end) == 0)
		p = next_line(p, end);
	v = header(hdr, nhdr, "Content-Transfer-Encoding");
	if (v != NULL && strncasecmp(v, "7bit", 4) != 0 &&
	    strncasecmp(v, "8bit", 4) != 0 &&
	    strncasecmp(v, "binary", 6) != 0) {
		*err = xasprintf("%s (mail %d): its body is %s encoded; save "
		    "it as git format-patch writes it", what, nth, v);
		goto fail;
	}
	v = header(hdr, nhdr, "From");
	if (v != NULL) {
		char *dec = header_text(v, 512), *name, *email;

		parse_from(dec, &name, &email);
		m->author_name = safe_utf8(name, strlen(name), 256);
		m->author_email = safe_utf8(email, strlen(email), 256);
		free(name);
		free(email);
		free(dec);
		one_line(m->author_name);
		one_line(m->author_email);
		if (strchr(m->author_email, ' ') != NULL ||
		    strpbrk(m->author_email, "<>") != NULL) {
			*err = xasprintf("%s (mail %d): the From: address "
			    "'%.80s' is not an e-mail address", what, nth,
			    m->author_email);
			goto fail;
		}
	} else {
		m->author_name = xstrdup("unknown");
		m->author_email = xstrdup("");
	}
	parse_date(header(hdr, nhdr, "Date"), &m->time, &m->tz);
	v = header(hdr, nhdr, "Subject");
	subject = header_text(v != NULL ? v : "", 1024);
	one_line(subject);
	m->subject = xstrdup(strip_subject(subject));
	free(subject);

	/* the diff: from the first "diff --git" line */
	diff = NULL;
	for (d = p; d < end; d = next_line(d, end))
		if (line_len(d, end) >= 11 && memcmp(d, "diff --git ", 11) == 0) {
			diff = d;
			break;
		}
	if (diff == NULL) {
		*err = xasprintf("%s (mail %d): holds no diff (no "
		    "\"diff --git\" line)", what, nth);
		goto fail;
	}
	/* the body: up to the "---" line or the diff */
	for (q = p; q < diff; q = next_line(q, end)) {
		n = line_len(q, end);
		if ((n == 3 || (n == 4 && q[3] == '\r')) &&
		    memcmp(q, "---", 3) == 0)
			break;
		buf_add(&body, q, n);
		buf_putc(&body, '\n');
	}
	buf_rtrim(&body);
	/* the diff ends at the last signature line "-- " */
	sig = NULL;
	for (q = diff; q < end; q = next_line(q, end))
		if (line_len(q, end) == 3 && memcmp(q, "-- ", 3) == 0)
			sig = q;
	if (sig == NULL)
		sig = end;
	m->diff_len = (size_t)(sig - diff);
	m->diff = xstrndup(diff, m->diff_len);
	buf_puts(&msg, m->subject[0] ? m->subject : "(no subject)");
	buf_puts(&msg, "\n");
	if (body.len > 0) {
		char *clean = safe_utf8(body.ptr, body.len, 65536);

		buf_addf(&msg, "\n%s\n", clean);
		free(clean);
	}
	m->message = buf_detach(&msg, NULL);
	buf_release(&body);
	for (i = 0; i < nhdr; i++)
		free(hdr[i]);
	free(hdr);
	return 0;
fail:
	buf_release(&body);
	buf_release(&msg);
	for (i = 0; i < nhdr; i++)
		free(hdr[i]);
	free(hdr);
	free(m->author_name);
	free(m->author_email);
	free(m->subject);
	memset(m, 0, sizeof(*m));
	return -1;
}

int
ondemand_split(const char *text, size_t len, const char *what,
    struct ondemand_mail **out, size_t *n, char **err)
{
	const char *p, *end, *start;
	size_t alloc;

	*out = NULL;
	*n = alloc = 0;
	*err = NULL;
	end = text + len;
	if (memchr(text, '\0', len) != NULL) {
		*err = xasprintf("%s: holds a NUL byte; not a patch", what);
		return -1;
	}
	start = text;
	for (p = text; p < end; p = next_line(p, end)) {
		const char *nx = next_line(p, end);

		if (nx < end && !is_from_line(nx, end, text))
			continue;
		/* the mail from start to nx */
		if (*n == ONDEMAND_MAILS_MAX) {
			ondemand_mails_free(*out, *n);
			*out = NULL;
			*n = 0;
			*err = xasprintf("%s: more than %d mails; a checkout "
			    "takes at most %d patches", what,
			    ONDEMAND_MAILS_MAX, ONDEMAND_MAILS_MAX);
			return -1;
		}
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		if (parse_mail(start, nx, what, (int)*n + 1, &(*out)[*n],
		    err) != 0) {
			ondemand_mails_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*n)++;
		start = nx;
		if (nx == end)
			break;
	}
	if (*n == 0) {
		*err = xasprintf("%s: is empty", what);
		return -1;
	}
	return 0;
}

void
ondemand_patchset_hash(char *const *sha256, size_t n, char out[65])
{
	struct hash *h;
	size_t i;

	if (n == 0) {
		out[0] = '\0';
		return;
	}
	h = hash_new();
	for (i = 0; i < n; i++) {
		hash_add(h, sha256[i], strlen(sha256[i]));
		hash_add(h, "\n", 1);
	}
	hash_hex(h, out);	/* frees h */
}

char *
ondemand_file_name(const char *path)
{
	const char *base;
	char *s;
	size_t i;

	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	s = xstrndup(base, 100);
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '-' || s[i] == '_'))
			s[i] = '_';
	if (s[0] == '.' || s[0] == '\0') {
		char *t = xasprintf("_%s", s);

		free(s);
		s = t;
	}
	return s;
}

/* ---- checking what was asked ---- */

/* "tree 'x' is not in the config (did you mean 'y'?)"; returns 1. */
static int
unknown(const char *what, const char *name, const char *best)
{
	if (best != NULL)
		error("%s '%s' is not in the config (did you mean '%s'?)",
		    what, name, best);
	else
		error("%s '%s' is not in the config", what, name);
	return 1;
}

static int
check_names(const struct config *cfg, const struct ondemand_req *r)
{
	struct str_closest c;
	size_t i, j;

	for (i = 0; i < r->nbuilds; i++) {
		if (config_build(cfg, r->builds[i]) != NULL)
			continue;
		c = (struct str_closest)STR_CLOSEST_INIT;
		for (j = 0; j < cfg->nbuilds; j++)
			str_closest_offer(&c, r->builds[i], cfg->builds[j].name);
		return unknown("build", r->builds[i], str_closest_best(&c, 3));
	}
	for (i = 0; i < r->ntests; i++) {
		if (config_test(cfg, r->tests[i]) != NULL)
			continue;
		c = (struct str_closest)STR_CLOSEST_INIT;
		for (j = 0; j < cfg->ntests; j++)
			str_closest_offer(&c, r->tests[i], cfg->tests[j].name);
		return unknown("test", r->tests[i], str_closest_best(&c, 3));
	}
	for (i = 0; i < r->nplatforms; i++) {
		if (config_platform(cfg, r->platforms[i]) != NULL)
			continue;
		c = (struct str_closest)STR_CLOSEST_INIT;
		for (j = 0; j < cfg->nplatforms; j++)
			str_closest_offer(&c, r->platforms[i],
			    cfg->platforms[j].name);
		return unknown("platform", r->platforms[i],
		    str_closest_best(&c, 3));
	}
	return 0;
}

/* The names as a JSON array, or NULL for none. */
static char *
name_list(char *const *v, size_t n)
{
	json_t *a;
	char *s;
	size_t i;

	if (n == 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* ---- the ref ---- */

/* True when s is 4 to 40 hex digits. */
static int
is_hex_name(const char *s)
{
	size_t n;

	n = strlen(s);
	return n >= 4 && n <= 40 && strspn(s, "0123456789abcdefABCDEF") == n;
}

/*
 * Resolve ref in the mirror, fetching what the remote has by that name
 * first: a branch's or tag's current commit, else a commit id the
 * mirror has, else (fetching every branch) one it did not have.  The
 * commit into oid, whether ref is a branch into *is_branch.  0, 1 when
 * there is no such ref (after the message), -1 on other errors.
 */
static int
resolve(const struct tree_cfg *t, const char *mirror, const char *ref,
    char oid[41], int *is_branch)
{
	struct remote_refs refs = { NULL, 0 };
	struct buf err = BUF_INIT;
	struct git_repository *repo;
	const char *token, *remote_oid;
	char *what, *name, *spec[2];
	int rc, kind, listed;

	*is_branch = 0;
	spec[0] = NULL;
	what = xasprintf("tree '%s'", t->name);
	token = config_token(t->token_env, what, "trying");
	rc = -1;
	remote_oid = NULL;
	kind = REPO_REF_NONE;
	listed = repo_ls_remote(t->url, token, what, &refs, &err) == 0;
	if (!listed)
		warning("%s: looking '%s' up in the mirror only", what, ref);
	/* a full id is a commit whatever the remote names like it */
	if (listed && !str_starts(ref, "-") && !repo_is_full_id(ref)) {
		name = xasprintf("refs/heads/%s", ref);
		remote_oid = remote_refs_find(&refs, name);
		if (remote_oid != NULL) {
			kind = REPO_REF_BRANCH;
			/* beside the polled branches, never over them */
			spec[0] = xasprintf("+%s:refs/maestrino/remote/%s",
			    name, ref);
		}
		free(name);
		if (remote_oid == NULL) {
			name = xasprintf("refs/tags/%s", ref);
			remote_oid = remote_refs_find(&refs, name);
			if (remote_oid != NULL) {
				kind = REPO_REF_TAG;
				spec[0] = xasprintf("+%s:%s", name, name);
			}
			free(name);
		}
	}
	repo = repo_open(mirror, &err);
	if (repo == NULL)
		goto out;
	if (kind != REPO_REF_NONE) {
		/* the remote's commit, which the mirror may not have yet */
		if (!repo_has_object(repo, remote_oid) &&
		    repo_fetch(mirror, t->url, token, spec, 1,
		    kind == REPO_REF_TAG, what, &err) != 0) {
			goto out;
		}
		free(spec[0]);
		spec[0] = NULL;
		repo_close(repo);
		if ((repo = repo_open(mirror, &err)) == NULL)
			goto out;
		if (repo_resolve(repo, remote_oid, oid, &err) !=
		    REPO_REF_COMMIT) {
			error("%s: '%s' at '%s' is not a commit", what, ref,
			    t->url);
			rc = 1;
			goto out;
		}
		*is_branch = kind == REPO_REF_BRANCH;
		rc = 0;
		goto out;
	}
	kind = repo_resolve(repo, ref, oid, &err);
	if (kind == REPO_REF_NONE && is_hex_name(ref) && listed) {
		/* a commit the mirror lacks: fetch every branch and tag */
		spec[0] = xstrdup("+refs/heads/*:refs/maestrino/remote/*");
		debug("%s: fetching every branch to find '%s'", what, ref);
		if (repo_fetch(mirror, t->url, token, spec, 1, 1, what,
		    &err) != 0) {
			goto out;
		}
		free(spec[0]);
		spec[0] = NULL;
		repo_close(repo);
		if ((repo = repo_open(mirror, &err)) == NULL)
			goto out;
		kind = repo_resolve(repo, ref, oid, &err);
	}
	if (kind < 0) {
		error("%s: cannot check out '%s'", what, ref);
		rc = 1;
	} else if (kind == REPO_REF_NONE) {
		error("%s: no branch, tag or commit '%s' at '%s'", what, ref,
		    t->url);
		rc = 1;
	} else {
		/* a branch only in the mirror (the remote did not answer) */
		*is_branch = kind == REPO_REF_BRANCH;
		rc = 0;
	}
out:
	free(spec[0]);
	repo_close(repo);
	remote_refs_release(&refs);
	buf_release(&err);
	free(what);
	return rc;
}

/* ---- the patches ---- */

struct pfile {
	const char	*path;
	char		*text;
	size_t		 len;
	char		 sha256[65];
	char		*name;		/* stored as */
	char		*rel;		/* relative to storage */
	char		*url;		/* where it is published */
	int		 made;		/* this call wrote it */
	struct ondemand_mail *mails;
	size_t		 nmails;
};

static int
read_patch(struct pfile *f)
{
	struct buf b = BUF_INIT;
	struct stat st;
	struct hash *h;

	if (stat(f->path, &st) != 0) {
		error("patch '%s': %s", f->path, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		error("patch '%s': not a regular file", f->path);
		return 1;
	}
	if ((long long)st.st_size > ONDEMAND_PATCH_MAX) {
		error("patch '%s': %lld bytes, more than the %lld allowed",
		    f->path, (long long)st.st_size, ONDEMAND_PATCH_MAX);
		return 1;
	}
	if (buf_read_file(&b, f->path) != 0) {
		error("patch '%s': cannot read it: %s", f->path,
		    strerror(errno));
		buf_release(&b);
		return 1;
	}
	if ((long long)b.len > ONDEMAND_PATCH_MAX) {
		error("patch '%s': more than the %lld bytes allowed", f->path,
		    ONDEMAND_PATCH_MAX);
		buf_release(&b);
		return 1;
	}
	f->len = b.len;
	f->text = buf_detach(&b, NULL);
	h = hash_new();
	hash_add(h, f->text, f->len);
	hash_hex(h, f->sha256);	/* frees h */
	return 0;
}

/*
 * Apply every mail of every file on base, a commit each; the last one
 * into source.  0, 1 when one does not apply, -1 on other errors.
 */
static int
apply_all(const char *mirror, const char *base, struct pfile *f, size_t n,
    char source[41])
{
	struct buf err = BUF_INIT;
	struct git_repository *repo;
	struct repo_patch p;
	char parent[41], *what;
	size_t i, j;
	int rc;

	for (i = j = 0; i < n; i++)
		j += f[i].nmails;
	if (j > ONDEMAND_MAILS_MAX) {
		error("%zu patches in all: a checkout takes at most %d", j,
		    ONDEMAND_MAILS_MAX);
		return 1;
	}
	repo = repo_open(mirror, &err);
	if (repo == NULL) {
		buf_release(&err);
		return -1;
	}
	snprintf(parent, sizeof(parent), "%s", base);
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		for (j = 0; j < f[i].nmails && rc == 0; j++) {
			struct ondemand_mail *m = &f[i].mails[j];

			what = f[i].nmails > 1 ? xasprintf("patch '%s' "
			    "(mail %zu of %zu, \"%s\")", f[i].path, j + 1,
			    f[i].nmails, m->subject) : xasprintf("patch '%s'",
			    f[i].path);
			memset(&p, 0, sizeof(p));
			p.diff = m->diff;
			p.len = m->diff_len;
			p.author_name = m->author_name;
			p.author_email = m->author_email;
			p.time = m->time;
			p.tz = m->tz;
			p.message = m->message;
			p.what = what;
			if (repo_apply_patch(repo, parent, &p, source,
			    &err) != 0)
				rc = 1;
			else
				snprintf(parent, sizeof(parent), "%s", source);
			free(what);
		}
	}
	repo_close(repo);
	buf_release(&err);
	return rc;
}

/* Remove the files this call stored, and their directory if empty. */
static void
unstore(const struct config *cfg, struct pfile *f, size_t n,
    const char *dir)
{
	char *full;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!f[i].made)
			continue;
		full = fs_join(cfg->storage_path, f[i].rel);
		unlink(full);
		free(full);
		f[i].made = 0;
	}
	if (dir != NULL)
		rmdir(dir);	/* only when empty: another checkout's stay */
}

/*
 * Keep each file at patches/<hash>/<NNNN>-<name>; a file already there
 * with the same bytes (the same series asked for again) is kept as it
 * is.  With storage.upload_url, each is uploaded before the checkout
 * names it.  0, or -1 after the message.
 */
static int
store(const struct config *cfg, struct db *db, const char *hash,
    struct pfile *f, size_t n, char **dirp)
{
	enum storage_up up;
	char *dir, *full, *what;
	size_t i;
	int r;

	dir = xasprintf("%s/patches/%s", cfg->storage_path, hash);
	*dirp = dir;
	if (fs_mkdir_p(dir) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		f[i].name = ondemand_file_name(f[i].path);
		f[i].rel = xasprintf("patches/%s/%04zu-%s", hash, i + 1,
		    f[i].name);
		full = fs_join(cfg->storage_path, f[i].rel);
		r = fs_exists(full) ? 0 : 1;
		if (r == 0) {
			char hex[HASH_HEX];

			if (hash_file(full, hex) != 0 ||
			    strcmp(hex, f[i].sha256) != 0)
				r = 1;
		}
		if (r == 1) {
			if (fs_write_atomic(full, f[i].text, f[i].len, 1) != 0) {
				free(full);
				return -1;
			}
			f[i].made = 1;
		}
		free(full);
		/* where labs and KCIDB fetch it from, there before it is named */
		what = xasprintf("patch '%s'", f[i].path);
		up = storage_upload(cfg, db, f[i].rel, what, NULL);
		free(what);
		if (up == STORAGE_ERROR || up == STORAGE_PENDING)
			return -1;
		f[i].url = storage_url(cfg, f[i].rel);
	}
	return 0;
}

/* The patches column: [{name, url, path, sha256, subjects}]. */
static char *
patches_json(const struct pfile *f, size_t n)
{
	json_t *a, *o, *subj;
	char *s;
	size_t i, j;

	a = json_array();
	for (i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "name", json_string(f[i].name));
		json_object_set_new(o, "url", json_string(f[i].url));
		json_object_set_new(o, "path", json_string(f[i].rel));
		json_object_set_new(o, "sha256", json_string(f[i].sha256));
		subj = json_array();
		for (j = 0; j < f[i].nmails; j++)
			json_array_append_new(subj,
			    json_string(f[i].mails[j].subject));
		json_object_set_new(o, "subjects", subj);
		json_array_append_new(a, o);
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

int
ondemand_record(const struct config *cfg, struct db *db,
    const struct ondemand_req *r, long long *id)
{
	struct buf err = BUF_INIT;
	struct git_repository *repo;
	const struct tree_cfg *t;
	struct commit_info ci;
	struct checkout_row c;
	struct str_closest cl = STR_CLOSEST_INIT;
	struct pfile *f;
	char base[41], source[41], hash[65], **sums, *mirror, *sub, *dir;
	char *refname, *why;
	size_t i;
	int rc, is_branch, have_ci;

	*id = 0;
	repo_init();
	t = config_tree(cfg, r->tree);
	if (t == NULL) {
		for (i = 0; i < cfg->ntrees; i++)
			str_closest_offer(&cl, r->tree, cfg->trees[i].name);
		return unknown("tree", r->tree, str_closest_best(&cl, 3));
	}
	if (check_names(cfg, r) != 0)
		return 1;
	f = xcalloc(r->npatches + 1, sizeof(*f));
	sums = xcalloc(r->npatches + 1, sizeof(*sums));
	mirror = NULL;
	dir = NULL;
	refname = NULL;
	repo = NULL;
	have_ci = 0;
	memset(&c, 0, sizeof(c));
	/* the files first: the cheapest to refuse */
	for (i = 0; i < r->npatches; i++) {
		f[i].path = r->patches[i];
		if ((rc = read_patch(&f[i])) != 0)
			goto out;
		if (ondemand_split(f[i].text, f[i].len, f[i].path,
		    &f[i].mails, &f[i].nmails, &why) != 0) {
			error("%s", why);
			free(why);
			rc = 1;
			goto out;
		}
		sums[i] = f[i].sha256;
	}

	sub = xasprintf("git/%s.git", t->name);
	mirror = config_data_path(cfg, sub);
	free(sub);
	if (!fs_is_dir(mirror)) {
		char *what = xasprintf("tree '%s'", t->name);

		rc = repo_mirror_update(mirror, t->url, config_token(
		    t->token_env, what, "trying"), t->branches, t->nbranches,
		    t->reference, t->reference_at, what, &err);
		free(what);
		if (rc != 0) {
			rc = 1;
			goto out;
		}
	}
	if ((rc = resolve(t, mirror, r->ref, base, &is_branch)) != 0)
		goto out;
	rc = -1;
	if ((repo = repo_open(mirror, &err)) == NULL)
		goto out;
	if (repo_commit_info(repo, base, &ci, &err) != 0)
		goto out;
	have_ci = 1;
	repo_close(repo);
	repo = NULL;
	source[0] = '\0';
	if (r->npatches > 0 &&
	    (rc = apply_all(mirror, base, f, r->npatches, source)) != 0)
		goto out;
	ondemand_patchset_hash(sums, r->npatches, hash);
	rc = -1;
	if (r->npatches > 0 && store(cfg, db, hash, f, r->npatches, &dir) != 0)
		goto out;

	c.tree = t->name;
	c.branch = (char *)(r->branch != NULL ? r->branch :
	    is_branch ? r->ref : "");
	c.url = t->url;
	c.commit = base;
	c.describe = ci.describe;
	c.version = ci.version;
	c.patchlevel = ci.patchlevel;
	c.sublevel = ci.sublevel;
	c.extraversion = ci.extraversion;
	c.subject = ci.subject;
	c.message = ci.message;
	c.author_name = ci.author_name;
	c.author_email = ci.author_email;
	c.commit_time = (long long)ci.time;
	c.tags = ci.tags;
	c.created = (long long)time(NULL);
	c.kind = (char *)r->kind;
	c.ref = (char *)r->ref;
	c.patchset_hash = r->npatches > 0 ? hash : NULL;
	c.patches = r->npatches > 0 ? patches_json(f, r->npatches) :
	    NULL;
	c.source_commit = source[0] != '\0' ? source : NULL;
	c.only_builds = name_list(r->builds, r->nbuilds);
	c.only_tests = r->no_tests ? xstrdup("[]") :
	    name_list(r->tests, r->ntests);
	c.only_platforms = name_list(r->platforms, r->nplatforms);

	if ((repo = repo_open(mirror, &err)) == NULL)
		goto out;
	if (db_begin(db) != 0)
		goto out;
	if (store_tree_ensure(db, t->name, t->url) != 0 ||
	    store_checkout_add_ondemand(db, &c, id) != 0 ||
	    (r->test_repeat > 1 && db_run(db, "UPDATE checkout SET "
	    "test_repeat = ? WHERE id = ?", "ii", (long long)r->test_repeat,
	    *id) != 0) ||
	    (r->step > 0 && store_bisect_step_checkout(db, r->step,
	    *id) != 0)) {
		db_rollback(db);
		goto out;
	}
	if (c.source_commit != NULL) {
		/* keeps the patched commits from any gc */
		refname = xasprintf("refs/maestrino/checkouts/%lld", *id);
		if (repo_set_ref(repo, refname, source, &err) != 0) {
			db_rollback(db);
			goto out;
		}
	}
	crashpoint("ondemand-recorded");
	if (db_commit(db) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		*id = 0;
		if (refname != NULL && repo != NULL)
			repo_delete_ref(repo, refname);
		unstore(cfg, f, r->npatches, dir);
	}
	repo_close(repo);
	free(refname);
	free(dir);
	free(c.patches);
	free(c.only_builds);
	free(c.only_tests);
	free(c.only_platforms);
	if (have_ci)
		commit_info_release(&ci);
	for (i = 0; i < r->npatches; i++) {
		free(f[i].text);
		free(f[i].name);
		free(f[i].rel);
		free(f[i].url);
		ondemand_mails_free(f[i].mails, f[i].nmails);
	}
	free(f);
	free(sums);
	free(mirror);
	buf_release(&err);
	return rc;
}
