/*
 * kbuild.h: kernel builds.  What an arch builds by default and where its
 * image lands, the kbuild job definition and its reproducer.  Running
 * one is kbuild_worker.h.
 */
#ifndef KBUILD_H
#define KBUILD_H

struct config;
struct build_cfg;
struct ynode;

/* Facts about one checkout that a kbuild definition carries. */
struct kbuild_checkout {
	long long	 id;
	const char	*tree;
	const char	*branch;
	const char	*commit;
	const char	*describe;
	const char	*tarball_url;
	const char	*tarball_sha256;
	const char	*kind;		/* head, ondemand, bisect; NULL: head */
};

/* The ARCH= value for a KCIDB architecture (x86_64 -> x86_64). */
const char	*kbuild_make_arch(const char *arch);
/* The boot image a build of arch makes, relative to the tree. */
const char	*kbuild_image(const char *arch);
/* The directory below arch/ of arch's sources (x86_64 -> x86). */
const char	*kbuild_srcarch(const char *arch);
/* Whether the arch table knows arch (a KCIDB architecture). */
int		 kbuild_arch_known(const char *arch);
/*
 * The architecture meant by a name the table does not know: the
 * kernel's ARCH= name for a toolchain's or Debian's (aarch64 -> arm64,
 * riscv64 -> riscv), else the closest known one; NULL if none is close.
 */
const char	*kbuild_arch_hint(const char *arch);
/* The known architectures, ", "-separated; caller frees. */
char		*kbuild_arch_list(void);
/* The kconfig name KCIDB shows: "defconfig+frag1+frag2". Caller frees. */
char		*kbuild_kconfig_name(const struct build_cfg *);

/*
 * The ccache directory of tree's builds for arch, absolute:
 * <data_dir>/ccache/<tree>-<arch>, the tree's name through safe_name()
 * (an arch has no '-', so the last '-' parts them).  Caller frees.
 */
char		*kbuild_ccache_dir(const struct config *, const char *tree,
		    const char *arch);
/*
 * Whether a checkout of kind (head, ondemand, bisect; NULL: head) builds
 * with ccache: a bisection step always, others when settings.ccache is.
 */
int		 kbuild_uses_ccache(const struct config *, const char *kind);

/*
 * Build the definition of job id (build b on checkout co) as a YAML
 * tree; fragments are read from the config directory and inlined, so the
 * definition stands alone; build.ccache names the cache directory when
 * kbuild_uses_ccache().  NULL after an error message.
 */
struct ynode	*kbuild_definition(const struct config *, const char *id,
		    const struct build_cfg *b, const struct kbuild_checkout *co);

/*
 * The command that rebuilds a definition elsewhere: fetch the tarball
 * under a fixed name, check its sha256, unpack it, configure and build,
 * every word quoted by safe_shell_word() (only "-j$(nproc)" and the
 * kselftest INSTALL_PATH "$(pwd)/../kselftest" are left to the shell).
 * Made from the definition alone, so nothing a build wrote can change
 * it.  NULL if the definition is not a kbuild one; caller frees.
 */
char		*kbuild_reproducer(const struct ynode *def);
/*
 * The make word naming a definition's kselftest collections,
 * "TARGETS=size timers", or NULL when it has none; caller frees.
 */
char		*kbuild_kselftest_targets(const struct ynode *def);

#endif
