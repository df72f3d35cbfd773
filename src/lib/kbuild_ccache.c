/*
 * kbuild_ccache.c: a kbuild job through ccache.  One cache per tree and
 * arch in the data dir (kbuild_ccache_dir()), bound writable into the
 * sandbox; neighbouring bisection steps, each in a work directory of
 * its own, share its objects.  Missing ccache never fails a build.
 */
#include <errno.h>
#include <ftw.h>
#include <jansson.h>

#include "buf.h"
#include "fs.h"
#include "kbuild_box.h"
#include "proc.h"
#include "util.h"

/* The cache's size unless the environment names one (settings.build_env). */
#define KCCACHE_MAXSIZE	"2G"
/* The largest stats log read back: one line per counter and file. */
#define KCCACHE_LOG_MAX	((size_t)64 << 20)
/*
 * A cache that holds more than this many times its max size, or more
 * entries than KCCACHE_FILES_MAX, holds what ccache did not put there
 * (ccache cleans itself down to the max size): it is emptied.
 */
#define KCCACHE_OVER	2
#define KCCACHE_FILES_MAX	2000000L

/*
 * The cache is the tree's to write during its builds.  What ccache,
 * or an operator's `ccache -s` or `--clear`, would follow out of it
 * goes before every build and after it: links (but ccache's own lock
 * links, whose target is a name in the same directory), devices, FIFOs
 * and sockets.  Counted as it goes: the bytes and entries left.
 */
static long long scrub_bytes, scrub_files, scrub_removed;

/* Is this link one of ccache's locks ("<name>.lock" -> "host:pid:time")? */
static int
ccache_lock_link(const char *path)
{
	char target[256];
	const char *base;
	ssize_t n;
	size_t len;

	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len < 5 || strcmp(base + len - 5, ".lock") != 0)
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0 || (size_t)n >= sizeof(target) - 1)
		return 0;
	target[n] = '\0';
	return strchr(target, '/') == NULL && strcmp(target, ".") != 0 &&
	    strcmp(target, "..") != 0;
}

static int
scrub_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	scrub_files++;
	if (type == FTW_D || type == FTW_DP)
		return 0;
	if (type == FTW_F && S_ISREG(st->st_mode)) {
		scrub_bytes += (long long)st->st_blocks * 512;
		return 0;
	}
	if (type == FTW_SL && ccache_lock_link(path))
		return 0;
	if (type == FTW_NS) {
		struct stat now;

		/* gone since the directory was read: another build's ccache */
		if (lstat(path, &now) != 0 && errno == ENOENT)
			return 0;
	}
	if (type == FTW_DNR || type == FTW_NS) {
		errno = EACCES;
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT)
		return -1;
	scrub_removed++;
	return 0;
}

/*
 * "2G", "500M", "10Gi", "1T": ccache's size syntax, in bytes (0 if not;
 * past a quarter of LLONG_MAX, that).
 */
static long long
parse_size(const char *s)
{
	long long n, unit, r;
	int ups;
	char *end;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || n <= 0)
		return 0;
	unit = 1000;
	if (end[0] != '\0' && end[1] == 'i') {
		unit = 1024;
		if (end[2] != '\0')
			return 0;
	} else if (end[0] != '\0' && end[1] != '\0')
		return 0;
	switch (end[0]) {
	case 'k':
	case 'K':
		ups = 1;
		break;
	case 'M':
		ups = 2;
		break;
	case '\0':
		/* ccache's default unit is G */
	case 'G':
		ups = 3;
		break;
	case 'T':
		ups = 4;
		break;
	default:
		return 0;
	}
	/* twice the limit is compared with: keep that in range */
	for (r = n; ups-- > 0;)
		if (__builtin_mul_overflow(r, unit, &r) || r > LLONG_MAX / 4)
			return LLONG_MAX / 4;
	return r;
}

/*
 * Clean a tree's ccache directory of what ccache would follow or read
 * as config and did not make itself: links (not its lock links),
 * devices, FIFOs, sockets, ccache.conf.  A cache over twice its max size
 * (CCACHE_MAXSIZE), too many entries, or one the walk cannot read is
 * emptied.  0 nothing to do, 1 something removed, 2 emptied (*why says
 * why; free it), -1 could not empty it.
 */
static int
kccache_scrub(const char *dir, char **why)
{
	const char *max;
	long long limit;
	char *conf;
	int tries, walked;

	*why = NULL;
	if (!fs_is_dir(dir))
		return 0;
	/* a config of the build's would apply to every later build */
	conf = fs_join(dir, "ccache.conf");
	unlink(conf);
	free(conf);
	max = getenv("CCACHE_MAXSIZE");
	limit = parse_size(max != NULL ? max : KCCACHE_MAXSIZE);
	if (limit <= 0)
		limit = parse_size(KCCACHE_MAXSIZE);
	/* another build's ccache may remove a directory under the walk */
	for (tries = 0; tries < 3; tries++) {
		scrub_bytes = scrub_files = scrub_removed = 0;
		if ((walked = nftw(dir, scrub_one, 16, FTW_PHYS | FTW_DEPTH)) ==
		    0 || errno != ENOENT)
			break;
	}
	if (walked != 0)
		*why = xasprintf("cannot look through it: %s", strerror(errno));
	else if (scrub_bytes > limit * KCCACHE_OVER)
		*why = xasprintf("it holds %lld MiB, over %d times its max "
		    "size", scrub_bytes >> 20, KCCACHE_OVER);
	else if (scrub_files > KCCACHE_FILES_MAX)
		*why = xasprintf("it holds %lld entries", scrub_files);
	if (*why == NULL)
		return (int)(scrub_removed > 0);
	/* what the walk cannot vouch for goes whole; ccache starts over */
	if (fs_remove_tree(dir) != 0 || fs_mkdir_p(dir) != 0)
		return -1;
	return 2;
}

/* kccache_scrub() for the job's cache, said in its log. */
static int
scrub_job(struct kjob *k, const char *when)
{
	char *why;
	int rc;

	rc = kccache_scrub(k->ccache_dir, &why);
	if (rc == 1)
		kjob_log(k, "ccache: %s the build: removed %lld links or "
		    "special files from the cache that ccache did not make",
		    when, scrub_removed);
	else if (rc == 2)
		kjob_log(k, "warning: ccache: %s the build: %s: emptied",
		    when, why);
	else if (rc < 0)
		kjob_log(k, "warning: ccache: %s the build: %s, and cannot "
		    "empty it", when, why != NULL ? why : "cannot look "
		    "through it");
	free(why);
	return rc;
}

/*
 * The kernel's own build, reproducible enough for hits: init/version.c
 * and what includes compile.h would miss on every build with the time,
 * user and host of the day.  The tree's date is its files' mtime as the
 * tarball gave it (the commit's).  What the environment sets wins.
 */
static void
fixed_build_names(void)
{
	struct stat st;
	struct tm tm;
	char when[64];
	time_t t;

	t = lstat("src/Makefile", &st) == 0 && st.st_mtime > 0 ? st.st_mtime :
	    0;
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(when, sizeof(when), "%a %b %e %H:%M:%S UTC %Y", &tm) > 0)
		setenv("KBUILD_BUILD_TIMESTAMP", when, 0);
	setenv("KBUILD_BUILD_USER", "maestrino", 0);
	setenv("KBUILD_BUILD_HOST", "maestrino", 0);
}

void
kccache_setup(struct kjob *k)
{
	char *bin, *base, *log;

	if (k->ccache_dir == NULL)
		return;
	bin = proc_which("ccache");
	if (bin == NULL) {
		kjob_log(k, "warning: ccache is not installed (Debian's "
		    "ccache): building without it");
		return;
	}
	free(bin);
	if (fs_mkdir_p(k->ccache_dir) != 0) {
		kjob_log(k, "warning: cannot create the ccache directory "
		    "'%s': %s; building without it", k->ccache_dir,
		    strerror(errno));
		return;
	}
	setenv("CCACHE_MAXSIZE", KCCACHE_MAXSIZE, 0);
	if (scrub_job(k, "before") < 0) {
		kjob_log(k, "warning: building without ccache");
		return;
	}
	base = fs_join(k->work, "src");
	log = fs_join(k->work, KCCACHE_STATSLOG);
	/* a run before may have left a log of its own: this build's only */
	unlink(log);
	setenv("CCACHE_DIR", k->ccache_dir, 1);
	/* paths below src/ hashed as relative ones, and the work directory
	 * left out of the hash: the next step's src/ is elsewhere */
	setenv("CCACHE_BASEDIR", base, 1);
	setenv("CCACHE_NOHASHDIR", "1", 1);
	setenv("CCACHE_STATSLOG", log, 1);
	/* the cache dir's ccache.conf is the tree's to write: not read */
	setenv("CCACHE_CONFIGPATH", "/dev/null", 1);
	fixed_build_names();
	k->ccache = 1;
	kjob_log(k, "ccache: %s", k->ccache_dir);
	free(base);
	free(log);
}

/* Count the lines of the stats log that name counter. */
static long long
count_lines(const struct buf *b, const char *counter)
{
	const char *p, *end, *nl;
	size_t n;
	long long c;

	c = 0;
	n = strlen(counter);
	end = b->ptr + b->len;
	for (p = b->ptr; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) == n && memcmp(p, counter, n) == 0)
			c++;
	}
	return c;
}

void
kccache_report(struct kjob *k)
{
	char *argv[3], **v;
	struct buf b = BUF_INIT;
	long long hits, misses;
	json_t *o;
	int code;

	if (!k->ccache)
		return;
	/* what an operator's ccache -s or --clear would follow goes now */
	scrub_job(k, "after");
	/* ccache's own summary, run where the build ran: the log is the
	 * build's to write, so it is read only in the sandbox */
	dprintf(k->log_fd, "$ ccache --show-log-stats\n");
	argv[0] = (char *)"ccache";
	argv[1] = (char *)"--show-log-stats";
	argv[2] = NULL;
	v = kbox_wrap(k, argv);
	proc_run(v, "src", k->log_fd, now_monotonic() + 60, &code);
	free(v);
	proc_kill_descendants();
	/* and the counts, from the log read as outside data */
	if (fs_read_untrusted(".", KCCACHE_STATSLOG, KCCACHE_LOG_MAX, 0, &b) !=
	    FS_READ_OK) {
		kjob_log(k, "ccache: no statistics for this build");
		buf_release(&b);
		return;
	}
	hits = count_lines(&b, "direct_cache_hit") +
	    count_lines(&b, "preprocessed_cache_hit");
	misses = count_lines(&b, "cache_miss");
	buf_release(&b);
	o = json_object();
	json_object_set_new(o, "hits", json_integer(hits));
	json_object_set_new(o, "misses", json_integer(misses));
	json_object_set_new(k->result, "ccache", o);
	kjob_log(k, "ccache: %lld hits, %lld misses", hits, misses);
}
