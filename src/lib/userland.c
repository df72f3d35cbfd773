/*
 * userland.c: the userlands of ours in storage, their names and how
 * they are made (userland.h).
 */
#include "buf.h"
#include "config.h"
#include "fs.h"
#include "log.h"
#include "proc.h"
#include "storage.h"
#include "userland.h"
#include "util.h"

#define USERLAND_DIR	"rootfs/"
#define USERLAND_EXT	".cpio.gz"

static const struct {
	const char	*rootfs;
	const char	*script;
} kinds[] = {
	{ "busybox", "make-ramdisk.sh" },
	{ "debian", "make-rootfs.sh" },
};

static const char *
script_of(const char *rootfs)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kinds[i].rootfs, rootfs) == 0)
			return kinds[i].script;
	return NULL;
}

int
userland_known(const char *rootfs)
{
	return script_of(rootfs) != NULL;
}

char *
userland_url(const struct config *cfg, const char *rootfs, const char *arch)
{
	char *rel, *url;

	rel = xasprintf(USERLAND_DIR "%s-%s" USERLAND_EXT, rootfs, arch);
	url = storage_url(cfg, rel);
	free(rel);
	return url;
}

int
userland_of_url(const struct config *cfg, const char *url, char **rootfs,
    char **arch)
{
	const char *base, *dash;
	size_t n;

	base = storage_rel(cfg, url);
	if (base == NULL || !str_starts(base, USERLAND_DIR))
		return 0;
	base += strlen(USERLAND_DIR);
	/* "<rootfs>-<arch>": no kind holds a dash */
	dash = strchr(base, '-');
	if (dash == NULL || strchr(base, '/') != NULL ||
	    !str_ends(base, USERLAND_EXT))
		return 0;
	n = strlen(dash + 1) - strlen(USERLAND_EXT);
	*rootfs = xstrndup(base, (size_t)(dash - base));
	*arch = xstrndup(dash + 1, n);
	if (!userland_known(*rootfs) || n == 0) {
		free(*rootfs);
		free(*arch);
		*rootfs = *arch = NULL;
		return 0;
	}
	return 1;
}

int
userland_make(const struct config *cfg, const char *rootfs,
    const char *arch, struct buf *err)
{
	const char *script, *args[4];
	char *path;
	int rc;

	script = script_of(rootfs);
	if (script == NULL)
		return error_to(err, "rootfs '%s' is neither busybox nor "
		    "debian (or give the test a ramdisk_url)", rootfs);
	path = xasprintf("%s/" USERLAND_DIR "%s-%s" USERLAND_EXT,
	    cfg->storage_path, rootfs, arch);
	rc = 0;
	if (!fs_exists(path)) {
		info("making %s with %s -a %s", path, script, arch);
		args[0] = "-a";
		args[1] = arch;
		args[2] = path;
		args[3] = NULL;
		rc = fs_mkdir_parent(path);
		if (rc != 0)
			error_to(err, "cannot make the directory of %s", path);
		else
			rc = proc_run_script(script, args, err);
	}
	free(path);
	return rc;
}
