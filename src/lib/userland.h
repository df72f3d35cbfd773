/*
 * userland.h: the userlands of ours a test job boots on, one file per
 * kind and arch in storage: rootfs/<rootfs>-<arch>.cpio.gz, where
 * rootfs is "busybox" (scripts/make-ramdisk.sh) or "debian"
 * (scripts/make-rootfs.sh) and arch a kernel ARCH name (x86_64, arm64,
 * riscv).  This file owns that name: the jobs stage makes the URL, the
 * local lab reads it back.
 */
#ifndef USERLAND_H
#define USERLAND_H

struct buf;
struct config;

/* Whether rootfs is a kind of userland we make. */
int	 userland_known(const char *rootfs);

/* The URL of a userland under storage.url (caller frees). */
char	*userland_url(const struct config *, const char *rootfs,
	    const char *arch);

/*
 * The kind and arch of url when it names a userland of ours under
 * storage.url (1, both set, caller frees), else 0.
 */
int	 userland_of_url(const struct config *, const char *url,
	    char **rootfs, char **arch);

/*
 * Make the userland in storage unless it is there.  0, or -1 after an
 * error (also in err) naming the script and what it printed last.
 */
int	 userland_make(const struct config *, const char *rootfs,
	    const char *arch, struct buf *err);

#endif
