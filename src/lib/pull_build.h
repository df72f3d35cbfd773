/*
 * pull_build.h: a build's result as an outside executor hands it back
 * (a GitHub Actions runner, anything that ran maestrino-worker --store
 * DIR on a job of a pull lab): the directory DIR, with result.json, the
 * build log and the artifacts.  It is read as untrusted input: names
 * from one list, regular files of their own within their bounds, no
 * link followed.
 */
#ifndef PULL_BUILD_H
#define PULL_BUILD_H

/* A build result's file, read by collect: at most this many bytes. */
#define PULL_RESULT_MAX		((size_t)1 << 20)
/* Files (dtbs included) in one result, at most. */
#define PULL_FILES_MAX		4096
/* Bytes of one result, all its files together, at most. */
#define PULL_TOTAL_MAX		((size_t)4 << 30)

/*
 * The one sanitiser of names that come from outside: a job id, a
 * result's directory or file name, a tarball's.  1 to 128 characters of
 * [A-Za-z0-9._,+-], not starting with a dot.
 */
int	 pull_name_ok(const char *name);

/*
 * Check the result rel below the directory base: a directory that holds
 * only what the kbuild worker leaves for a build of arch (result.json,
 * build.log, metadata.json, config, System.map, the kernel image,
 * modules.tar.xz, kselftest.tar.gz, dtbs/ with *.dtb below), each a
 * regular file of its own within its bound, nothing a link, at most
 * PULL_FILES_MAX files and PULL_TOTAL_MAX bytes in all.  With dst,
 * then copy it into the directory dst (made again from nothing).  0, or
 * -1 after an error naming the file.
 */
int	 pull_build_take(const char *base, const char *rel, const char *arch,
	    const char *dst);

#endif
