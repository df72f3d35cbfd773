/*
 * kbuild_ccache.c: a kbuild job through ccache.  One cache per tree and
 * arch in the data dir (kbuild_ccache_dir()), bound writable into the
 * sandbox; neighbouring bisection steps, each in a work directory of
 * its own, share its objects.  Missing ccache never fails a build.
 */
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
	setenv("CCACHE_MAXSIZE", KCCACHE_MAXSIZE, 0);
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
