/*
 * kbuild_box.h: a kbuild job while the worker runs it, and the sandbox
 * its tree's commands run in.  Shared by kbuild_worker.c and
 * kbuild_box.c only.
 */
#ifndef KBUILD_BOX_H
#define KBUILD_BOX_H

#include <time.h>

#include <jansson.h>

struct buf;
struct ynode;

struct kjob {
	struct ynode	*def;
	const char	*id;
	const char	*url;
	const char	*tarball_path;	/* the tarball on this machine, or NULL */
	char		*tarball_file;	/* the worker's --tarball, or NULL */
	const char	*sha256;
	const char	*arch;
	const char	*make_arch;
	const char	*compiler;
	const char	*cross;
	const char	*defconfig;
	const struct ynode *fragments;
	const struct ynode *targets;
	char		*ksft_targets;	/* "TARGETS=size timers", or NULL */
	const char	*store;
	const char	*store_url;
	char		*own_store;	/* the worker's --store, or NULL */
	long		 timeout;	/* seconds */
	int		 log_fd;
	double		 t0;
	double		 deadline;
	time_t		 start;
	json_t		*result;
	json_t		*artifacts;
	json_t		*phases;
	char		*cc;
	const char	*sandbox_mode;	/* auto, require, off */
	char		**box;		/* the sandbox's argv, or NULL */
	char		*work;		/* absolute */
	const char	*ccache_dir;	/* build.ccache of the definition, or NULL */
	int		 ccache;	/* compiling through ccache */
};

/* The largest artifact the worker takes. */
#define ARTIFACT_MAX	((size_t)1 << 30)

enum pack_filter {
	PACK_XZ,
	PACK_GZ
};

enum kstatus {
	K_PASS,
	K_FAIL,
	K_INFRA
};

/* A line in the build log ("# maestrino: ...") and on stderr. */
void	 kjob_log(struct kjob *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Record why the job did not pass, once (the first reason wins), in the
 * log and on stderr; returns st.
 */
enum kstatus	 kjob_fail(struct kjob *, enum kstatus st, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Find the compiler and host tools the build needs; K_INFRA without. */
enum kstatus	 kbox_check_tools(struct kjob *);
/*
 * make ARCH=... [CROSS_COMPILE=...] [LLVM=1] [CC="ccache <cc>" HOSTCC=...]
 * extra..., for the kernel's own make; kbox_free_argv().
 */
char		**kbox_make_argv(struct kjob *, const char *const *extra);
/* The same without ccache, for tools/ (kselftest). */
char		**kbox_tools_argv(struct kjob *, const char *const *extra);
void		 kbox_free_argv(char **);
/* argv after the sandbox's, as one list (caller frees the list only). */
char		**kbox_wrap(struct kjob *, char **argv);
/*
 * Decide on the sandbox: bubblewrap when it works here; without it,
 * "auto" builds anyway (and says so), "require" refuses.
 */
enum kstatus	 kbox_setup(struct kjob *);
/* Run one step in src/, in the sandbox; a non-zero exit is K_FAIL. */
enum kstatus	 kbox_step(struct kjob *, char **argv, const char *what);

/*
 * ccache for a definition with build.ccache (kbuild_ccache.c), after
 * extraction and before kbox_setup(): find ccache, make the cache
 * directory and set the environment of the tree's commands.  Without
 * ccache (or its directory) one warning, and the build goes on without
 * it: never a failure.
 */
void		 kccache_setup(struct kjob *);
/*
 * When the build compiled through ccache: its statistics at the end of
 * the log, and its hits and misses in result.json's "ccache".
 */
void		 kccache_report(struct kjob *);
/* The stats log of the build, relative to the work directory. */
#define KCCACHE_STATSLOG	"src/.maestrino-ccache-stats.log"

/*
 * Pack the directory root (relative to the work directory) into out,
 * written atomically: sorted, fixed owners, every mtime mtime, so the
 * same tree packs to the same bytes; at most 100,000 entries and 1 GiB
 * of files (kbuild_pack.c).  -1 with the reason in err.
 */
int		 kbox_pack(const char *root, const char *out, time_t mtime,
		    enum pack_filter, struct buf *err);

#endif
