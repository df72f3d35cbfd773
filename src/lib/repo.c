/*
 * repo.c: mirrors, ls-remote, fetch and commit facts through libgit2.
 */
#include <git2.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>

#include "buf.h"
#include "fs.h"
#include "log.h"
#include "repo.h"
#include "safe.h"
#include "util.h"

struct cred_state {
	const char	*token;
	int		 tries;
	const char	*what;
	size_t		 last_objects;
};

static const char *
git_msg(void)
{
	const git_error *e;

	e = git_error_last();
	return e != NULL && e->message != NULL ? e->message : "unknown error";
}

void
repo_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA,
	    "");
	/* the mirrors are ours; a local source may belong to anyone */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)64 << 20);
	git_libgit2_opts(GIT_OPT_SET_USER_AGENT, "maestrino");
}

int
repo_url_is_local(const char *url)
{
	if (str_starts(url, "file://"))
		return 1;
	if (strstr(url, "://") != NULL)
		return 0;
	/* scp-like host:path, unless a ':' only appears after a '/' */
	if (strchr(url, ':') != NULL &&
	    (strchr(url, '/') == NULL || strchr(url, ':') < strchr(url, '/')))
		return 0;
	return 1;
}

/* Local paths are made absolute, so the cwd of later runs cannot matter. */
static char *
resolve_url(const char *url)
{
	char cwd[PATH_MAX];

	if (!repo_url_is_local(url) || str_starts(url, "file://") ||
	    url[0] == '/')
		return xstrdup(url);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(url);
	return fs_join(cwd, url);
}

static int
cb_credentials(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	struct cred_state *cs = payload;

	(void)url;
	if (cs->token == NULL || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return GIT_PASSTHROUGH;
	if (cs->tries++ > 0) {
		git_error_set_str(GIT_ERROR_NET, "authentication failed "
		    "(check the token named by token_env)");
		return GIT_EUSER;
	}
	return git_credential_userpass_plaintext_new(out,
	    user ? user : "git", cs->token);
}

static int
cb_transfer(const git_indexer_progress *p, void *payload)
{
	struct cred_state *cs = payload;

	if (p->received_objects != cs->last_objects) {
		cs->last_objects = p->received_objects;
		progress_update(p->received_objects, cs->what);
	}
	return 0;
}

static void
init_callbacks(git_remote_callbacks *cb, struct cred_state *cs)
{
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = cb_credentials;
	cb->transfer_progress = cb_transfer;
	cb->payload = cs;
}

int
repo_ls_remote(const char *url, const char *token, const char *what,
    struct remote_refs *out, struct buf *err)
{
	git_remote_callbacks cb;
	const git_remote_head **heads;
	struct cred_state cs;
	git_remote *remote;
	char *u;
	size_t n, i;
	int rc;

	repo_init();
	memset(out, 0, sizeof(*out));
	memset(&cs, 0, sizeof(cs));
	cs.token = token;
	cs.what = what;
	init_callbacks(&cb, &cs);
	remote = NULL;
	rc = -1;
	u = resolve_url(url);
	if (repo_url_is_local(url) && !str_starts(u, "file://") &&
	    !fs_is_dir(u)) {
		error_to(err, "%s: cannot list '%s': no such directory", what,
		    url);
		goto out;
	}
	if (git_remote_create_detached(&remote, u) != 0 ||
	    git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL,
	    NULL) != 0 ||
	    git_remote_ls(&heads, &n, remote) != 0) {
		error_to(err, "%s: cannot list '%s': %s", what, url,
		    git_msg());
		goto out;
	}
	out->refs = xcalloc(n + 1, sizeof(*out->refs));
	for (i = 0; i < n; i++) {
		if (str_ends(heads[i]->name, "^{}"))
			continue;
		out->refs[out->n].name = xstrdup(heads[i]->name);
		git_oid_tostr(out->refs[out->n].oid,
		    sizeof(out->refs[out->n].oid), &heads[i]->oid);
		out->n++;
	}
	rc = 0;
out:
	if (remote != NULL) {
		git_remote_disconnect(remote);
		git_remote_free(remote);
	}
	free(u);
	return rc;
}

void
remote_refs_release(struct remote_refs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->refs[i].name);
	free(r->refs);
	r->refs = NULL;
	r->n = 0;
}

const char *
remote_refs_find(const struct remote_refs *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->refs[i].name, name) == 0)
			return r->refs[i].oid;
	return NULL;
}

/*
 * Call fn on each directory that objdir/info/alternates names (a
 * relative one is relative to objdir, as git has it), in order; return
 * the first non-zero return of fn, or 0.
 */
static int
each_alternate(const char *objdir, int (*fn)(const char *, void *),
    void *arg)
{
	struct buf text = BUF_INIT;
	char *p, *line, *next, *dir;
	int rc;

	rc = 0;
	p = fs_join(objdir, "info/alternates");
	if (buf_read_file(&text, p) != 0) {
		free(p);
		buf_release(&text);
		return 0;
	}
	for (line = text.ptr; line != NULL && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		dir = line[0] == '/' ? xstrdup(line) : fs_join(objdir, line);
		rc = fn(dir, arg);
		free(dir);
	}
	free(p);
	buf_release(&text);
	return rc;
}

/* Set by alternate_gone() to the first alternate that is not there. */
static int
alternate_gone(const char *dir, void *arg)
{
	char **gone = arg;

	if (fs_is_dir(dir))
		return 0;
	*gone = xstrdup(dir);
	return 1;
}

struct git_repository *
repo_open(const char *path, struct buf *err)
{
	git_repository *r;
	char *objects, *gone;

	repo_init();
	/*
	 * libgit2 skips an alternate that is not there: the objects it held
	 * would then be missing one by one, far from the cause.
	 */
	gone = NULL;
	objects = fs_join(path, "objects");
	each_alternate(objects, alternate_gone, &gone);
	free(objects);
	if (gone != NULL) {
		error_to(err, "git mirror '%s' borrows objects from '%s' "
		    "(objects/info/alternates), which is gone: put the "
		    "reference back, or remove the mirror to fetch its tree "
		    "again in full", path, gone);
		free(gone);
		return NULL;
	}
	if (git_repository_open_ext(&r, path, GIT_REPOSITORY_OPEN_NO_SEARCH |
	    GIT_REPOSITORY_OPEN_BARE, NULL) != 0) {
		error_to(err, "cannot open git mirror '%s': %s", path,
		    git_msg());
		return NULL;
	}
	return r;
}

void
repo_close(struct git_repository *r)
{
	git_repository_free(r);
}

static int
rm_lock(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_F && str_ends(path, ".lock")) {
		if (unlink(path) == 0)
			warning("removed stale lock '%s' left by a killed run",
			    path);
	}
	return 0;
}

/* Only called under the data-dir lock: nobody else writes the mirror. */
static void
clean_locks(const char *path)
{
	static const char *files[] = {
		"HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock",
		"index.lock",
	};
	char *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		p = fs_join(path, files[i]);
		if (unlink(p) == 0)
			warning("removed stale lock '%s' left by a killed run",
			    p);
		free(p);
	}
	p = fs_join(path, "refs");
	nftw(p, rm_lock, 16, FTW_PHYS);
	free(p);
}

/* Fetch the n refspecs specs (and every tag when tags) from url. */
static int
fetch_specs(git_repository *repo, const char *url, const char *token,
    char *const *specs, size_t n, int tags, const char *what,
    struct buf *err)
{
	git_fetch_options fo;
	struct cred_state cs;
	git_remote *remote;
	git_strarray sa;
	char **spec, tagspec[] = "+refs/tags/*:refs/tags/*";
	size_t i;
	int rc;

	memset(&cs, 0, sizeof(cs));
	cs.token = token;
	cs.what = what;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	init_callbacks(&fo.callbacks, &cs);
	fo.download_tags = tags ? GIT_REMOTE_DOWNLOAD_TAGS_ALL :
	    GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	fo.prune = GIT_FETCH_NO_PRUNE;
	spec = xcalloc(n + 2, sizeof(*spec));
	for (i = 0; i < n; i++)
		spec[i] = specs[i];
	if (tags)
		spec[n++] = tagspec;
	sa.strings = spec;
	sa.count = n;
	remote = NULL;
	rc = -1;
	progress_start("fetching", 0);
	if (git_remote_create_anonymous(&remote, repo, url) != 0 ||
	    git_remote_fetch(remote, &sa, &fo, "maestrino fetch") != 0) {
		progress_end();
		error_to(err, "%s: cannot fetch '%s': %s", what, url,
		    git_msg());
		goto out;
	}
	progress_end();
	rc = 0;
out:
	git_remote_free(remote);
	free(spec);
	return rc;
}

static int
fetch(git_repository *repo, const char *url, const char *token,
    char *const *branches, size_t nbranches, const char *what,
    struct buf *err)
{
	char **spec;
	size_t i;
	int rc;

	spec = xcalloc(nbranches + 1, sizeof(*spec));
	for (i = 0; i < nbranches; i++)
		spec[i] = xasprintf("+refs/heads/%s:refs/heads/%s",
		    branches[i], branches[i]);
	rc = fetch_specs(repo, url, token, spec, nbranches, 1, what, err);
	for (i = 0; i < nbranches; i++)
		free(spec[i]);
	free(spec);
	return rc;
}

/* Where a new mirror's borrowed refs live while it is being made. */
#define BORROWED_REFS	"refs/maestrino/reference/"

/*
 * Open the clone at reference (bare, or a work tree with .git) and find
 * its objects directory, absolute; -1 after a message naming what,
 * reference and at (the config place, may be NULL).
 */
static int
open_reference(const char *reference, const char *at, const char *what,
    git_repository **out, char **objects, struct buf *err)
{
	git_repository *r;
	git_buf b = { 0 };
	char *abs, *where;
	int rc;

	rc = -1;
	r = NULL;
	where = at != NULL ? xasprintf(" (%s)", at) : xstrdup("");
	abs = realpath(reference, NULL);
	if (abs == NULL) {
		error_to(err, "%s: reference '%s'%s: %s", what, reference,
		    where, errno == ENOENT ? "no such directory" :
		    strerror(errno));
		goto out;
	}
	if (git_repository_open_ext(&r, abs, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL) != 0) {
		error_to(err, "%s: reference '%s'%s is not a git repository: "
		    "%s", what, reference, where, git_msg());
		goto out;
	}
	/* as git clone --reference: its history must be whole */
	if (git_repository_is_shallow(r)) {
		error_to(err, "%s: reference '%s'%s is a shallow clone",
		    what, reference, where);
		goto out;
	}
	if (git_repository_item_path(&b, r, GIT_REPOSITORY_ITEM_OBJECTS) !=
	    0 || !fs_is_dir(b.ptr)) {
		error_to(err, "%s: reference '%s'%s has no objects directory",
		    what, reference, where);
		goto out;
	}
	/* one line of objects/info/alternates: a newline would make two */
	if (strpbrk(b.ptr, "\n\r") != NULL) {
		error_to(err, "%s: reference '%s'%s: its objects directory "
		    "'%s' has a newline in its path, which "
		    "objects/info/alternates cannot hold", what, reference,
		    where, b.ptr);
		goto out;
	}
	*objects = xstrdup(b.ptr);
	/* alternates lines name the directory itself, without a '/' */
	while (strlen(*objects) > 1 && str_ends(*objects, "/"))
		(*objects)[strlen(*objects) - 1] = '\0';
	*out = r;
	r = NULL;
	rc = 0;
out:
	git_buf_dispose(&b);
	git_repository_free(r);
	free(abs);
	free(where);
	return rc;
}

/*
 * Make the new mirror at dir borrow reference's objects: write them into
 * objects/info/alternates, and point BORROWED_REFS at the commits of
 * reference's refs, so that the fetch tells the remote it has them (a
 * fetch only offers what the mirror's own refs reach).  The mirror is
 * reopened into *repo.
 */
static int
borrow(git_repository **repo, const char *dir, const char *reference,
    const char *at, const char *what, struct buf *err)
{
	git_reference_iterator *it;
	git_repository *ref;
	git_reference *r, *made;
	git_object *peeled;
	char *objects, *alt, *line, *name;
	unsigned long n;
	int rc;

	objects = alt = line = NULL;
	ref = NULL;
	it = NULL;
	rc = -1;
	if (open_reference(reference, at, what, &ref, &objects, err) != 0)
		goto out;
	alt = fs_join(git_repository_path(*repo), "objects/info/alternates");
	line = xasprintf("%s\n", objects);
	if (fs_mkdir_parent(alt) != 0 ||
	    fs_write_atomic(alt, line, strlen(line), 0) != 0) {
		error_to(err, "%s: cannot write '%s'", what, alt);
		goto out;
	}
	/* its object database is read when first used: open it anew */
	git_repository_free(*repo);
	*repo = NULL;
	if (git_repository_open_ext(repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH |
	    GIT_REPOSITORY_OPEN_BARE, NULL) != 0) {
		error_to(err, "%s: cannot open mirror '%s': %s", what, dir,
		    git_msg());
		goto out;
	}
	if (git_reference_iterator_new(&it, ref) != 0) {
		error_to(err, "%s: cannot list the refs of reference '%s': %s",
		    what, reference, git_msg());
		goto out;
	}
	n = 0;
	while (git_reference_next(&r, it) == 0) {
		if (git_reference_type(r) == GIT_REFERENCE_DIRECT &&
		    git_reference_peel(&peeled, r, GIT_OBJECT_COMMIT) == 0) {
			name = xasprintf(BORROWED_REFS "%lu", n++);
			if (git_reference_create(&made, *repo, name,
			    git_object_id(peeled), 1, NULL) == 0)
				git_reference_free(made);
			free(name);
			git_object_free(peeled);
		}
		git_reference_free(r);
	}
	git_error_clear();
	debug("%s: borrowing from '%s' (%lu refs)", what, objects, n);
	rc = 0;
out:
	git_reference_iterator_free(it);
	git_repository_free(ref);
	free(objects);
	free(alt);
	free(line);
	return rc;
}

/* Drop the refs borrow() made, once the fetch is done. */
static int
unborrow(git_repository *repo, const char *what, struct buf *err)
{
	git_reference_iterator *it;
	git_reference *r;
	int rc;

	if (git_reference_iterator_glob_new(&it, repo, BORROWED_REFS "*") != 0)
		return error_to(err, "%s: cannot list refs of '%s': %s", what,
		    git_repository_path(repo), git_msg());
	rc = 0;
	while (rc == 0 && git_reference_next(&r, it) == 0) {
		if (git_reference_delete(r) != 0)
			rc = error_to(err, "%s: cannot delete ref %s: %s",
			    what, git_reference_name(r), git_msg());
		git_reference_free(r);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	return rc;
}

static int
create_mirror(const char *path, const char *url, const char *token,
    char *const *branches, size_t nbranches, const char *reference,
    const char *ref_at, const char *what, struct buf *err)
{
	git_clone_options co;
	git_repository *repo;
	char *tmp;
	int rc;

	rc = -1;
	repo = NULL;
	tmp = xasprintf("%s.new", path);
	if (fs_remove_tree(tmp) != 0 || fs_mkdir_parent(path) != 0) {
		/* fs.c printed why */
		if (err != NULL) {
			buf_reset(err);
			buf_addf(err, "%s: cannot make room for mirror '%s'",
			    what, tmp);
		}
		goto out;
	}
	if (reference == NULL && repo_url_is_local(url) &&
	    !str_starts(url, "file://")) {
		/* objects are immutable: hard-link them, as git clone does */
		git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
		co.bare = 1;
		co.local = GIT_CLONE_LOCAL;
		co.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
		if (git_clone(&repo, url, tmp, &co) != 0) {
			fs_remove_tree(tmp);
			co.local = GIT_CLONE_LOCAL_NO_LINKS;
			if (git_clone(&repo, url, tmp, &co) != 0) {
				error_to(err, "%s: cannot clone '%s': %s",
				    what, url, git_msg());
				goto out;
			}
		}
		git_remote_delete(repo, "origin");
	} else if (git_repository_init(&repo, tmp, 1) != 0) {
		error_to(err, "%s: cannot create mirror '%s': %s", what, tmp,
		    git_msg());
		goto out;
	}
	if (reference != NULL && borrow(&repo, tmp, reference, ref_at, what,
	    err) != 0)
		goto out;
	if (fetch(repo, url, token, branches, nbranches, what, err) != 0)
		goto out;
	if (reference != NULL && unborrow(repo, what, err) != 0)
		goto out;
	git_repository_free(repo);
	repo = NULL;
	crashpoint("poll-mirror-made");
	if (rename(tmp, path) != 0) {
		error_to(err, "%s: cannot rename '%s' to '%s': %s", what, tmp,
		    path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	git_repository_free(repo);
	if (rc != 0)
		fs_remove_tree(tmp);
	free(tmp);
	return rc;
}

int
repo_mirror_update(const char *path, const char *url, const char *token,
    char *const *branches, size_t nbranches, const char *reference,
    const char *ref_at, const char *what, struct buf *err)
{
	git_repository *repo;
	char *u;
	int rc;

	repo_init();
	u = resolve_url(url);
	if (!fs_is_dir(path)) {
		rc = create_mirror(path, u, token, branches, nbranches,
		    reference, ref_at, what, err);
		free(u);
		return rc;
	}
	clean_locks(path);
	repo = repo_open(path, err);
	if (repo == NULL) {
		free(u);
		return -1;
	}
	rc = fetch(repo, u, token, branches, nbranches, what, err);
	git_repository_free(repo);
	free(u);
	return rc;
}

int
repo_fetch(const char *path, const char *url, const char *token,
    char *const *specs, size_t n, int tags, const char *what,
    struct buf *err)
{
	git_repository *repo;
	char *u;
	int rc;

	repo_init();
	clean_locks(path);
	repo = repo_open(path, err);
	if (repo == NULL)
		return -1;
	u = resolve_url(url);
	rc = fetch_specs(repo, u, token, specs, n, tags, what, err);
	git_repository_free(repo);
	free(u);
	return rc;
}

/* The commit ref name peels to, into oid; 0, or -1 when none. */
static int
peel_ref(git_repository *repo, const char *name, char oid[41])
{
	git_reference *ref;
	git_object *obj;
	int rc;

	if (git_reference_lookup(&ref, repo, name) != 0) {
		git_error_clear();
		return -1;
	}
	rc = git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT);
	git_reference_free(ref);
	if (rc != 0) {
		git_error_clear();
		return -1;
	}
	git_oid_tostr(oid, 41, git_object_id(obj));
	git_object_free(obj);
	return 0;
}

int
repo_is_full_id(const char *name)
{
	return strlen(name) == 40 &&
	    strspn(name, "0123456789abcdefABCDEF") == 40;
}

int
repo_resolve(struct git_repository *repo, const char *name, char oid[41],
    struct buf *err)
{
	git_object *obj, *peeled;
	git_oid id;
	char *full;
	size_t len;
	int rc;

	/*
	 * A full object id is that object, as git rev-parse has it: a
	 * branch or tag a tree's owner names like one must not redirect it.
	 */
	len = strlen(name);
	if (!repo_is_full_id(name)) {
		full = xasprintf("refs/heads/%s", name);
		rc = peel_ref(repo, full, oid);
		free(full);
		if (rc == 0)
			return REPO_REF_BRANCH;
		full = xasprintf("refs/tags/%s", name);
		rc = peel_ref(repo, full, oid);
		free(full);
		if (rc == 0)
			return REPO_REF_TAG;
	}
	if (len < 4 || len > 40 || strspn(name, "0123456789abcdefABCDEF") !=
	    len)
		return REPO_REF_NONE;
	if (git_oid_fromstrn(&id, name, len) != 0)
		return REPO_REF_NONE;
	rc = git_object_lookup_prefix(&obj, repo, &id, len, GIT_OBJECT_ANY);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return REPO_REF_NONE;
	}
	if (rc == GIT_EAMBIGUOUS)
		return error_to(err, "'%s' is ambiguous in '%s': more than "
		    "one object starts with it", name,
		    git_repository_path(repo));
	if (rc != 0)
		return error_to(err, "cannot look '%s' up in '%s': %s", name,
		    git_repository_path(repo), git_msg());
	rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (rc != 0) {
		error_to(err, "'%s' names a %s in '%s', not a commit", name,
		    git_object_type2string(git_object_type(obj)),
		    git_repository_path(repo));
		git_object_free(obj);
		return -1;
	}
	git_oid_tostr(oid, 41, git_object_id(peeled));
	git_object_free(peeled);
	git_object_free(obj);
	return REPO_REF_COMMIT;
}

/* The path of the delta being applied, for the message of a failure. */
static int
note_delta(const git_diff_delta *d, void *payload)
{
	const char **path = payload;

	*path = d->new_file.path != NULL ? d->new_file.path :
	    d->old_file.path;
	return 0;
}

int
repo_apply_patch(struct git_repository *repo, const char *parent_hex,
    const struct repo_patch *p, char oid[41], struct buf *err)
{
	git_apply_options ao;
	git_signature *sig;
	git_commit *parent;
	git_tree *base, *tree;
	git_index *index;
	git_diff *diff;
	git_oid id;
	const char *path;
	size_t i;
	int rc;

	rc = -1;
	parent = NULL;
	base = tree = NULL;
	index = NULL;
	diff = NULL;
	sig = NULL;
	path = NULL;
	if (git_oid_fromstr(&id, parent_hex) != 0 ||
	    git_commit_lookup(&parent, repo, &id) != 0 ||
	    git_commit_tree(&base, parent) != 0) {
		error_to(err, "%s: cannot read commit %s: %s", p->what,
		    parent_hex, git_msg());
		goto out;
	}
	if (git_diff_from_buffer(&diff, p->diff, p->len) != 0) {
		error_to(err, "%s: not a patch git can read: %s", p->what,
		    git_msg());
		goto out;
	}
	if (git_diff_num_deltas(diff) == 0) {
		error_to(err, "%s: holds no diff", p->what);
		goto out;
	}
	/*
	 * libgit2 would write a new file, or a renamed or copied one, over
	 * one that is there: git refuses, and so do we.
	 */
	for (i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		git_tree_entry *te;
		int moved;

		moved = (d->status == GIT_DELTA_RENAMED ||
		    d->status == GIT_DELTA_COPIED) &&
		    strcmp(d->old_file.path, d->new_file.path) != 0;
		if ((d->status != GIT_DELTA_ADDED && !moved) ||
		    git_tree_entry_bypath(&te, base, d->new_file.path) != 0)
			continue;
		git_tree_entry_free(te);
		error_to(err, "%s: does not apply to %.12s at '%s': it "
		    "already exists", p->what, parent_hex, d->new_file.path);
		goto out;
	}
	git_error_clear();
	git_apply_options_init(&ao, GIT_APPLY_OPTIONS_VERSION);
	ao.delta_cb = note_delta;
	ao.payload = &path;
	if (git_apply_to_tree(&index, repo, base, diff, &ao) != 0) {
		error_to(err, "%s: does not apply to %.12s at '%s': %s",
		    p->what, parent_hex, path != NULL ? path : "?",
		    git_msg());
		goto out;
	}
	if (git_index_write_tree_to(&id, index, repo) != 0 ||
	    git_tree_lookup(&tree, repo, &id) != 0) {
		error_to(err, "%s: cannot write its tree: %s", p->what,
		    git_msg());
		goto out;
	}
	/* the author commits too: a series on a base is one commit id */
	if (git_signature_new(&sig, p->author_name[0] ? p->author_name :
	    "unknown", p->author_email, (git_time_t)p->time, p->tz) != 0) {
		error_to(err, "%s: bad author: %s", p->what, git_msg());
		goto out;
	}
	if (git_commit_create(&id, repo, NULL, sig, sig, "UTF-8", p->message,
	    tree, 1, (const git_commit **)&parent) != 0) {
		error_to(err, "%s: cannot make its commit: %s", p->what,
		    git_msg());
		goto out;
	}
	git_oid_tostr(oid, 41, &id);
	rc = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_diff_free(diff);
	git_tree_free(base);
	git_commit_free(parent);
	return rc;
}

int
repo_set_ref(struct git_repository *repo, const char *name, const char *hex,
    struct buf *err)
{
	git_reference *ref;
	git_oid id;

	if (git_oid_fromstr(&id, hex) != 0 ||
	    git_reference_create(&ref, repo, name, &id, 1,
	    "maestrino checkout") != 0)
		return error_to(err, "cannot make ref %s in '%s': %s", name,
		    git_repository_path(repo), git_msg());
	git_reference_free(ref);
	return 0;
}

void
repo_delete_ref(struct git_repository *repo, const char *name)
{
	git_reference *ref;

	if (git_reference_lookup(&ref, repo, name) == 0) {
		git_reference_delete(ref);
		git_reference_free(ref);
	}
	git_error_clear();
}

int
repo_has_object(struct git_repository *repo, const char *hex)
{
	git_odb *odb;
	git_oid oid;
	int found;

	if (git_oid_fromstr(&oid, hex) != 0 ||
	    git_repository_odb(&odb, repo) != 0)
		return 0;
	found = git_odb_exists(odb, &oid);
	git_odb_free(odb);
	return found;
}

int
repo_ref_is(struct git_repository *repo, const char *name, const char *hex)
{
	git_oid have, want;

	if (git_oid_fromstr(&want, hex) != 0 ||
	    git_reference_name_to_id(&have, repo, name) != 0)
		return 0;
	return git_oid_equal(&have, &want);
}

char *
repo_tags_at(struct git_repository *repo, const char *hex)
{
	git_reference_iterator *it;
	git_reference *ref;
	git_object *peeled;
	struct buf b = BUF_INIT;
	git_oid want;

	if (git_oid_fromstr(&want, hex) != 0 ||
	    git_reference_iterator_glob_new(&it, repo, "refs/tags/*") != 0)
		return buf_detach(&b, NULL);
	while (git_reference_next(&ref, it) == 0) {
		if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
			if (git_oid_equal(git_object_id(peeled), &want)) {
				if (b.len)
					buf_putc(&b, '\n');
				buf_puts(&b, git_reference_shorthand(ref));
			}
			git_object_free(peeled);
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	return buf_detach(&b, NULL);
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Add the objects of the pack indexes in objdir/pack to *count. */
static void
count_packed(const char *objdir, unsigned long *count)
{
	unsigned char hdr[1032];
	struct dirent *de;
	char *dir, *p;
	size_t off;
	DIR *d;
	int fd;

	dir = fs_join(objdir, "pack");
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (!str_ends(de->d_name, ".idx"))
			continue;
		p = fs_join(dir, de->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		free(p);
		if (fd < 0)
			continue;
		if (read(fd, hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr)) {
			/* the fanout's last entry: v2 after its 8 bytes */
			off = memcmp(hdr, "\377tOc", 4) == 0 ? 8 : 0;
			*count += be32(hdr + off + (size_t)255 * 4);
		}
		close(fd);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
}

struct pack_count {
	unsigned long	count;
	int		depth;
};

/* Count the packed objects of objdir and of those it borrows from. */
static int
count_objdir(const char *objdir, void *arg)
{
	struct pack_count *pc = arg;

	count_packed(objdir, &pc->count);
	/* git follows alternates of alternates five deep */
	if (pc->depth < 5) {
		pc->depth++;
		each_alternate(objdir, count_objdir, pc);
		pc->depth--;
	}
	return 0;
}

int
repo_abbrev_len(const char *gitdir)
{
	struct pack_count pc = { 0, 0 };
	unsigned long count;
	char *objects;
	int len, msb;

	/* as git counts: the objects borrowed through alternates too */
	objects = fs_join(gitdir, "objects");
	count_objdir(objects, &pc);
	free(objects);
	count = pc.count;
	/* git's auto abbreviation: half the bits of the count, min 7 */
	msb = 0;
	while (count >> (msb + 1))
		msb++;
	len = (msb + 1 + 1) / 2;
	return len < 7 ? 7 : len;
}

static char *
read_makefile(git_commit *commit)
{
	const git_tree_entry *e;
	git_tree *tree;
	git_blob *blob;
	char *text;

	text = NULL;
	if (git_commit_tree(&tree, commit) != 0)
		return NULL;
	e = git_tree_entry_byname(tree, "Makefile");
	if (e != NULL && git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    git_blob_lookup(&blob, git_commit_owner(commit),
	    git_tree_entry_id(e)) == 0) {
		size_t n = (size_t)git_blob_rawsize(blob);

		if (n > 8192)
			n = 8192;
		text = xstrndup(git_blob_rawcontent(blob), n);
		git_blob_free(blob);
	}
	git_tree_free(tree);
	return text;
}

static int
mk_value(const char *text, const char *key, char **out)
{
	const char *p, *eol;
	size_t klen;

	klen = strlen(key);
	for (p = text; p != NULL && *p; p = eol ? eol + 1 : NULL) {
		eol = strchr(p, '\n');
		if (strncmp(p, key, klen) != 0)
			continue;
		p += klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		*out = eol ? xstrndup(p, (size_t)(eol - p)) : xstrdup(p);
		/* trim trailing white space */
		{
			size_t n = strlen(*out);

			while (n > 0 && strchr(" \t\r", (*out)[n - 1]))
				(*out)[--n] = '\0';
		}
		return 0;
	}
	return -1;
}

int
repo_parse_makefile(const char *text, size_t len, int *v, int *p, int *s,
    char **extra)
{
	char *t, *val;
	long n;
	int rc;

	(void)len;
	rc = -1;
	*v = *p = *s = -1;
	*extra = NULL;
	t = xstrdup(text);
	if (mk_value(t, "VERSION", &val) == 0) {
		if (parse_long(val, 0, 1000, &n) == 0)
			*v = (int)n;
		free(val);
	}
	if (mk_value(t, "PATCHLEVEL", &val) == 0) {
		if (parse_long(val, 0, 1000, &n) == 0)
			*p = (int)n;
		free(val);
	}
	if (mk_value(t, "SUBLEVEL", &val) == 0) {
		if (parse_long(val, 0, 100000, &n) == 0)
			*s = (int)n;
		free(val);
	}
	if (mk_value(t, "EXTRAVERSION", &val) == 0)
		*extra = val;
	if (*v >= 0 && *p >= 0) {
		if (*s < 0)
			*s = 0;
		rc = 0;
	} else {
		*v = *p = *s = -1;
		free(*extra);
		*extra = NULL;
	}
	free(t);
	return rc;
}

int
repo_parse_describe(const char *d, int *v, int *p, int *s)
{
	long a[3] = { 0, 0, 0 };
	const char *q;
	char *end;
	int n;

	q = *d == 'v' ? d + 1 : d;
	n = 0;
	while (n < 3 && *q >= '0' && *q <= '9') {
		a[n++] = strtol(q, &end, 10);
		if (*end != '.')
			break;
		q = end + 1;
	}
	if (n < 2)
		return -1;
	*v = (int)a[0];
	*p = (int)a[1];
	*s = (int)a[2];
	return 0;
}

/*
 * The commit's message as stored, with any NUL bytes dropped (libgit2's
 * git_commit_message() would stop at the first).  NULL if unreadable.
 */
static char *
raw_message(git_repository *repo, const git_oid *oid)
{
	git_odb_object *obj;
	struct buf b = BUF_INIT;
	const char *data, *body;
	size_t len, i;
	git_odb *odb;

	if (git_repository_odb(&odb, repo) != 0)
		return NULL;
	if (git_odb_read(&obj, odb, oid) != 0) {
		git_odb_free(odb);
		return NULL;
	}
	data = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	body = memmem(data, len, "\n\n", 2);
	if (body != NULL) {
		body += 2;
		for (i = (size_t)(body - data); i < len; i++)
			if (data[i] != '\0')
				buf_putc(&b, data[i]);
	}
	git_odb_object_free(obj);
	git_odb_free(odb);
	return buf_detach(&b, NULL);
}

/* Replace *s with its valid UTF-8, at most max bytes. */
static void
bound_text(char **s, size_t max)
{
	char *clean;

	if (*s == NULL)
		return;
	clean = safe_utf8(*s, strlen(*s), max);
	free(*s);
	*s = clean;
}

int
repo_commit_info(struct git_repository *repo, const char *hex,
    struct commit_info *info, struct buf *err)
{
	git_describe_format_options fo;
	git_describe_options dopts;
	git_describe_result *res;
	const git_signature *sig;
	git_commit *commit;
	git_buf out = { 0 };
	git_oid oid;
	char *mk;
	const char *summary, *msg;

	memset(info, 0, sizeof(*info));
	info->version = info->patchlevel = info->sublevel = -1;
	if (git_oid_fromstr(&oid, hex) != 0 ||
	    git_commit_lookup(&commit, repo, &oid) != 0)
		return error_to(err, "cannot read commit %s in '%s': %s",
		    hex, git_repository_path(repo), git_msg());
	snprintf(info->oid, sizeof(info->oid), "%s", hex);
	info->message = raw_message(repo, &oid);
	if (info->message == NULL) {
		msg = git_commit_message(commit);
		info->message = xstrdup(msg ? msg : "");
	}
	/* the subject: the first paragraph, on one line, as git shows it */
	summary = git_commit_summary(commit);
	if (summary != NULL && strlen(summary) > 0 &&
	    strncmp(info->message, summary, strlen(summary)) == 0)
		info->subject = xstrdup(summary);
	else
		info->subject = xstrndup(info->message,
		    strcspn(info->message, "\n"));
	sig = git_commit_author(commit);
	info->author_name = xstrdup(sig && sig->name ? sig->name : "");
	info->author_email = xstrdup(sig && sig->email ? sig->email : "");
	info->time = (time_t)git_commit_time(commit);

	git_describe_options_init(&dopts, GIT_DESCRIBE_OPTIONS_VERSION);
	dopts.describe_strategy = GIT_DESCRIBE_TAGS;
	dopts.show_commit_oid_as_fallback = 1;
	git_describe_format_options_init(&fo,
	    GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
	fo.abbreviated_size = (unsigned)repo_abbrev_len(
	    git_repository_path(repo));
	if (git_describe_commit(&res, (git_object *)commit, &dopts) == 0) {
		if (git_describe_format(&out, res, &fo) == 0)
			info->describe = xstrdup(out.ptr);
		git_buf_dispose(&out);
		git_describe_result_free(res);
	}
	if (info->describe == NULL) {
		git_error_clear();
		info->describe = xstrndup(hex, fo.abbreviated_size);
	}
	info->tags = repo_tags_at(repo, hex);

	mk = read_makefile(commit);
	if (mk == NULL || repo_parse_makefile(mk, strlen(mk), &info->version,
	    &info->patchlevel, &info->sublevel, &info->extraversion) != 0) {
		if (repo_parse_describe(info->describe, &info->version,
		    &info->patchlevel, &info->sublevel) != 0)
			info->version = info->patchlevel = info->sublevel = -1;
	}
	free(mk);
	git_commit_free(commit);
	/* whoever pushed wrote all of this: valid UTF-8, bounded */
	bound_text(&info->message, 65536);
	bound_text(&info->subject, 1024);
	bound_text(&info->author_name, 256);
	bound_text(&info->author_email, 256);
	/* not cut short: describe names files (tarball_name() bounds them) */
	bound_text(&info->describe, 4096);
	bound_text(&info->tags, 4096);
	bound_text(&info->extraversion, 64);
	return 0;
}

void
commit_info_release(struct commit_info *info)
{
	free(info->describe);
	free(info->subject);
	free(info->message);
	free(info->author_name);
	free(info->author_email);
	free(info->tags);
	free(info->extraversion);
	memset(info, 0, sizeof(*info));
}
