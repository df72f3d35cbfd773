/*
 * ondemand.h: record a checkout made on demand (`maestrino checkout`)
 * or by bisection: a commit of a tree, optionally with patches applied
 * on top, and optionally a restricted matrix.  The next run takes it
 * through every stage like a branch head, but it never becomes one.
 */
#ifndef ONDEMAND_H
#define ONDEMAND_H

#include <stddef.h>

struct config;
struct db;

/* Patch files larger than this are refused. */
#define ONDEMAND_PATCH_MAX	((long long)64 << 20)
/* A mail's headers: at most this many, each at most this long unfolded. */
#define ONDEMAND_HEADERS_MAX	1000
#define ONDEMAND_HEADER_MAX	16384
/* Patches (mails) in one file and in one checkout. */
#define ONDEMAND_MAILS_MAX	1000

struct ondemand_req {
	const char	*kind;		/* "ondemand" or "bisect" */
	const char	*tree;		/* a trees: entry */
	const char	*ref;		/* branch, tag, or (abbreviated) id */
	const char	*branch;	/* recorded branch, or NULL: see below */
	char *const	*patches;	/* files, applied in order */
	size_t		 npatches;
	char *const	*builds;	/* builds: entries; none: all */
	size_t		 nbuilds;
	char *const	*tests;		/* tests: entries; none: all */
	size_t		 ntests;
	char *const	*platforms;	/* platforms: entries; none: all */
	size_t		 nplatforms;
	int		 no_tests;	/* builds only, whatever tests says */
	int		 test_repeat;	/* each test this many times (0: 1) */
	long long	 step;		/* a bisection step to link it to */
};

/*
 * Resolve req->ref in the tree's mirror (fetching it when it is not
 * there), apply the patches with a commit each, keep them in storage
 * under patches/<patchset_hash>/, and add the checkout row, into *id.
 * Without req->branch, the branch recorded is ref when it names a
 * branch of the tree, else "".  Returns 0; 1 when something asked for
 * is not there or does not apply (nothing is recorded, stored or left
 * in the mirror's refs); -1 on a config, database or storage error.
 * Every failure is printed, naming what failed.
 */
int	 ondemand_record(const struct config *, struct db *,
	    const struct ondemand_req *, long long *id);

/* One mail of a patch file, as ondemand_split() finds it. */
struct ondemand_mail {
	char		*author_name;
	char		*author_email;
	long long	 time;
	int		 tz;		/* minutes east of UTC */
	char		*subject;	/* "[PATCH n/m]" taken off */
	char		*message;	/* subject, blank line, body */
	char		*diff;		/* from the first "diff --git" */
	size_t		 diff_len;
};

/*
 * Split a patch file (an mbox of one or more mails, as git format-patch
 * writes them, or a bare diff) into mails.  0, or -1 with why in *err
 * (malloc'd).
 */
int	 ondemand_split(const char *text, size_t len, const char *name,
	    struct ondemand_mail **out, size_t *n, char **err);
void	 ondemand_mails_free(struct ondemand_mail *, size_t n);

/*
 * The KCIDB patchset_hash of files with these sha256 hex digests: the
 * sha256 of each digest followed by a newline, in order; "" for none.
 */
void	 ondemand_patchset_hash(char *const *sha256, size_t n, char out[65]);

/* A patch file's stored name: [A-Za-z0-9._-] only, at most 100 bytes. */
char	*ondemand_file_name(const char *path);

#endif
