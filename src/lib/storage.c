/*
 * storage.c: artifacts' public URLs and their upload to remote storage
 * (storage.h).
 */
#include <dirent.h>
#include <sys/stat.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "hash.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "storage.h"
#include "store_upload.h"
#include "util.h"

/* Directories below an artifact's (dtbs/<vendor>/...) */
#define TREE_DEPTH	8

/*
 * Once the server failed a request after its retries, this run asks it
 * once per file: a server that is down costs one try each, not three.
 */
static int server_down;

char *
storage_url(const struct config *cfg, const char *rel)
{
	/* storage_url ends with '/' (config_load.c) */
	while (*rel == '/')
		rel++;
	return xasprintf("%s%s", cfg->storage_url, rel);
}

const char *
storage_rel(const struct config *cfg, const char *url)
{
	if (url == NULL || !str_starts(url, cfg->storage_url))
		return NULL;
	return url + strlen(cfg->storage_url);
}

/* The Authorization header, read once per run (the warning once too). */
static const char *
auth_header(const struct config *cfg)
{
	static char *auth;
	static int read;
	const char *token;

	if (!read) {
		read = 1;
		token = config_token(cfg->storage_token_env, "storage",
		    "uploading");
		if (token != NULL)
			auth = xasprintf("Bearer %s", token);
	}
	return auth;
}

/* PUT file at url: 0, or -1 with the reason in *why (caller frees). */
static int
put(const struct config *cfg, const char *file, const char *url,
    const char *what, char **why)
{
	struct http_response resp;
	struct http_request req;
	enum http_outcome out;

	memset(&req, 0, sizeof(req));
	req.method = "PUT";
	req.url = url;
	req.auth = auth_header(cfg);
	req.content_type = "application/octet-stream";
	req.upload_file = file;
	req.timeout = 3600;
	req.what = what;
	req.quiet = 1;
	out = http_do_retry(&req, &resp, server_down ? 1 : 3);
	if (out == HTTP_RETRY)
		server_down = 1;
	if (out != HTTP_OK)
		*why = xstrdup(resp.error != NULL ? resp.error :
		    "no reply");
	http_response_release(&resp);
	return out == HTTP_OK ? 0 : -1;
}

enum storage_up
storage_upload(const struct config *cfg, struct db *db, const char *rel,
    const char *what, struct buf *err)
{
	struct buf u = BUF_INIT;
	struct upload_row row;
	enum storage_up rc;
	struct stat st;
	char hex[HASH_HEX], *file, *url, *why;
	int r;

	if (cfg->storage_upload_url == NULL)
		return STORAGE_KEPT;
	while (*rel == '/')
		rel++;
	file = fs_join(cfg->storage_path, rel);
	url = NULL;
	why = NULL;
	errno = 0;
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
		error_to(err, "%s: cannot upload '%s': %s", what, file,
		    errno != 0 ? strerror(errno) : "not a regular file");
		rc = STORAGE_PENDING;
		goto out;
	}
	if (hash_file(file, hex) != 0) {
		error_to(err, "%s: cannot upload '%s': cannot read it", what,
		    file);
		rc = STORAGE_PENDING;
		goto out;
	}
	r = store_upload_get(db, rel, &row);
	if (r < 0) {
		rc = STORAGE_ERROR;
		goto out;
	}
	if (r == 0 && row.uploaded_at > 0 && row.size ==
	    (long long)st.st_size && strcmp(row.sha256, hex) == 0) {
		rc = STORAGE_KEPT;	/* the server has these bytes */
		goto out;
	}
	/*
	 * Names below dtbs/ are the tree's: each byte that could end the
	 * path ('?', '#') or that the server decodes ("%2e%2e%2f", which
	 * would name another artifact) goes percent-encoded.
	 */
	buf_addf(&u, "%s%s", cfg->storage_upload_url,
	    str_ends(cfg->storage_upload_url, "/") ? "" : "/");
	url_path(&u, rel);
	url = buf_detach(&u, NULL);
	if (put(cfg, file, url, what, &why) != 0) {
		error_to(err, "%s: cannot upload %s: %s", what, rel, why);
		if (db_begin(db) != 0 || db_end(db, store_upload_failed(db,
		    rel, (long long)st.st_size, hex, why,
		    (long long)time(NULL))) != 0)
			rc = STORAGE_ERROR;
		else
			rc = STORAGE_PENDING;
		goto out;
	}
	crashpoint("storage-uploaded");
	if (db_begin(db) != 0 || db_end(db, store_upload_done(db, rel,
	    (long long)st.st_size, hex, (long long)time(NULL))) != 0) {
		rc = STORAGE_ERROR;
		goto out;
	}
	debug("%s: uploaded %s, %lld bytes", what, rel,
	    (long long)st.st_size);
	rc = STORAGE_SENT;
out:
	free(why);
	free(url);
	free(file);
	return rc;
}

/* Every regular file below rel (a directory), in name order. */
static enum storage_up
upload_tree(const struct config *cfg, struct db *db, const char *rel,
    int depth, const char *what, struct buf *err)
{
	struct dirent **names;
	enum storage_up rc, r;
	struct stat st;
	char *dir, *sub, *full;
	int i, n;

	dir = fs_join(cfg->storage_path, rel);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		error_to(err, "%s: cannot read '%s': %s", what, dir,
		    strerror(errno));
		free(dir);
		return STORAGE_PENDING;
	}
	rc = STORAGE_KEPT;
	for (i = 0; i < n; i++) {
		if (rc != STORAGE_PENDING && rc != STORAGE_ERROR &&
		    strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			sub = fs_join(rel, names[i]->d_name);
			full = fs_join(dir, names[i]->d_name);
			r = STORAGE_KEPT;
			if (lstat(full, &st) != 0)
				;	/* gone since */
			else if (S_ISREG(st.st_mode))
				r = storage_upload(cfg, db, sub, what, err);
			else if (S_ISDIR(st.st_mode) && depth < TREE_DEPTH)
				r = upload_tree(cfg, db, sub, depth + 1, what,
				    err);
			if (r != STORAGE_KEPT)
				rc = r;
			free(sub);
			free(full);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
}

/* Whether a path has a ".." segment. */
static int
has_dotdot(const char *p)
{
	const char *s;

	for (s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return 1;
	return 0;
}

enum storage_up
storage_upload_url(const struct config *cfg, struct db *db, const char *url,
    const char *what, struct buf *err)
{
	const char *rel;
	char *dir;
	enum storage_up rc;

	rel = storage_rel(cfg, url);
	if (cfg->storage_upload_url == NULL || rel == NULL || *rel == '\0')
		return STORAGE_KEPT;
	if (has_dotdot(rel)) {
		error_to(err, "%s: cannot upload %s: not below storage.path",
		    what, url);
		return STORAGE_PENDING;
	}
	if (!str_ends(rel, "/"))
		return storage_upload(cfg, db, rel, what, err);
	dir = xstrndup(rel, strlen(rel) - 1);
	rc = upload_tree(cfg, db, dir, 0, what, err);
	free(dir);
	return rc;
}
