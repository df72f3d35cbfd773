/*
 * repo.h: git through libgit2.  Bare mirrors of the configured trees
 * live under <data_dir>/git/<tree>.git and are only ever written by the
 * poll stage.
 */
#ifndef REPO_H
#define REPO_H

#include <stddef.h>
#include <time.h>

struct buf;
struct git_repository;

/* One ref advertised by a remote. */
struct remote_ref {
	char	*name;		/* refs/heads/master */
	char	 oid[41];	/* peeled for tags when the remote says so */
};

struct remote_refs {
	struct remote_ref	*refs;
	size_t			 n;
};

/* Facts about one commit, as the poll stage records them. */
struct commit_info {
	char	 oid[41];
	char	*describe;	/* git describe --always --tags */
	char	*subject;
	char	*message;
	char	*author_name;
	char	*author_email;
	time_t	 time;		/* committer time */
	char	*tags;		/* names of tags pointing at it, '\n'-separated */
	int	 version;	/* from the top Makefile, -1 if unknown */
	int	 patchlevel;
	int	 sublevel;
	char	*extraversion;
};

/*
 * Initialise libgit2 once: blank the global/system/XDG config search
 * paths so that no ~/.gitconfig changes results, and bound its caches.
 */
void	 repo_init(void);

/* True when url names a local repository (a path or file:// URL). */
int	 repo_url_is_local(const char *url);

/*
 * List the refs of the remote at url (git ls-remote).  token, if not
 * NULL, is sent as the password for https.  Print an error naming what
 * and url on failure, its text also in err (may be NULL).
 */
int	 repo_ls_remote(const char *url, const char *token, const char *what,
	    struct remote_refs *out, struct buf *err);
void	 remote_refs_release(struct remote_refs *);
/* The oid of ref name in refs, or NULL. */
const char *remote_refs_find(const struct remote_refs *, const char *name);

/*
 * Open the bare mirror at path; NULL with an error if it is not one, or
 * if a directory its objects/info/alternates names is gone; the text
 * also in err (may be NULL).
 */
struct git_repository	*repo_open(const char *path, struct buf *err);
void			 repo_close(struct git_repository *);

/*
 * Bring the mirror at path up to date with url: create it if it does not
 * exist (in a temporary directory renamed into place when complete,
 * hard-linking objects from a local source), then fetch the given
 * branches into refs/heads/ and all tags into refs/tags/.  Leftover lock
 * files from a killed run are removed first.  On failure, err (may be
 * NULL) says why.
 *
 * A mirror made with a reference (the path of a clone on this machine,
 * bare or not; NULL for none) borrows its objects through
 * objects/info/alternates, as git clone --reference does, and fetches
 * only what the reference lacks.  ref_at (may be NULL) says where the
 * config set it, for messages.  An existing mirror is left as it is.
 */
int	 repo_mirror_update(const char *path, const char *url,
	    const char *token, char *const *branches, size_t nbranches,
	    const char *reference, const char *ref_at, const char *what,
	    struct buf *err);

/* True when the mirror has the object oid (hex). */
int	 repo_has_object(struct git_repository *, const char *oid);
/* True when ref name exists in the mirror with this oid (peeled). */
int	 repo_ref_is(struct git_repository *, const char *name,
	    const char *oid);
/* The names of all tags pointing at oid, '\n'-separated (maybe ""). */
char	*repo_tags_at(struct git_repository *, const char *oid);
/*
 * Fill info for commit oid.  Caller releases it.  On failure, the error
 * printed is also in err (may be NULL).
 */
int	 repo_commit_info(struct git_repository *, const char *oid,
	    struct commit_info *info, struct buf *err);
void	 commit_info_release(struct commit_info *);

/*
 * Fetch refspecs (n of them, "+src:dst") from url into the mirror at
 * path, and tags when tags is set.  On failure, err (may be NULL) says
 * why.
 */
int	 repo_fetch(const char *path, const char *url, const char *token,
	    char *const *specs, size_t n, int tags, const char *what,
	    struct buf *err);

/* Is name a full object id (40 hex digits)? */
int	 repo_is_full_id(const char *name);

/* What repo_resolve() found a name to be. */
enum repo_ref_kind {
	REPO_REF_NONE = 0,	/* nothing by that name */
	REPO_REF_COMMIT,	/* a full or abbreviated commit id */
	REPO_REF_BRANCH,	/* refs/heads/<name> */
	REPO_REF_TAG		/* refs/tags/<name>, peeled */
};

/*
 * Resolve name in the mirror to a commit (hex into oid): a branch, then
 * a tag, then a full or abbreviated (at least 4 hex digits) commit id.
 * REPO_REF_NONE when nothing has that name; -1 after an error message
 * (also in err) when it is ambiguous or names no commit.
 */
int	 repo_resolve(struct git_repository *, const char *name,
	    char oid[41], struct buf *err);

/* A commit made from a patch by repo_apply_patch(). */
struct repo_patch {
	const char	*diff;		/* the diff text */
	size_t		 len;
	const char	*author_name;
	const char	*author_email;
	long long	 time;		/* author time (seconds) */
	int		 tz;		/* its offset, in minutes */
	const char	*message;	/* the whole commit message */
	const char	*what;		/* names the patch in messages */
};

/*
 * Apply p's diff to the tree of commit parent (hex) and write a commit
 * of the result whose parent is parent, into oid.  Nothing but objects
 * is written.  On failure, err says why, naming p->what and the first
 * path that did not apply.
 */
int	 repo_apply_patch(struct git_repository *, const char *parent,
	    const struct repo_patch *p, char oid[41], struct buf *err);

/* Point ref name at oid (hex), creating it; 0, or -1 with err set. */
int	 repo_set_ref(struct git_repository *, const char *name,
	    const char *oid, struct buf *err);
/* Remove ref name if it exists. */
void	 repo_delete_ref(struct git_repository *, const char *name);

/*
 * Parse VERSION, PATCHLEVEL, SUBLEVEL and EXTRAVERSION out of a kernel
 * top-level Makefile; return 0 if VERSION and PATCHLEVEL were found.
 */
int	 repo_parse_makefile(const char *text, size_t len, int *v, int *p,
	    int *s, char **extra);
/* Parse "v6.1.12-rc3-5-gabc" or "v6.1" style names; 0 on success. */
int	 repo_parse_describe(const char *d, int *v, int *p, int *s);
/*
 * git's default abbreviation length for the repository at path, from
 * its packed objects and those of the repositories it borrows from.
 */
int	 repo_abbrev_len(const char *gitdir);

#endif
