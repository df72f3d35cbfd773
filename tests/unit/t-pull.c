/*
 * t-pull.c: the one sanitiser of names from an outside executor, and a
 * build's result checked whole before anything is copied.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "tap.h"
#include "buf.h"
#include "fs.h"
#include "log.h"
#include "pull_build.h"
#include "util.h"

static void
test_names(void)
{
	static const char *const good[] = { "b1-x86", "t3-smoke.board",
	    "b12-x86_64-defconfig-r2", "linux-fix-master-94a8cba.tar.gz",
	    "a,b+c", "bzImage" };
	static const char *const bad[] = { "", ".", "..", ".profile",
	    "a/b", "a b", "a\nb", "a\033[2J", "\xc3\xa9", "a:b", "a*" };
	char longer[130];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(pull_name_ok(good[i]), good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(!pull_name_ok(bad[i]), "not a name");
	ok(!pull_name_ok(NULL), "not a name: NULL");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[128] = '\0';
	ok(pull_name_ok(longer), "128 characters");
	longer[128] = 'a';
	longer[129] = '\0';
	ok(!pull_name_ok(longer), "129 are too many");
}

static void
put(const char *dir, const char *name, const char *text)
{
	char *p;

	p = fs_join(dir, name);
	fs_write_atomic(p, text, strlen(text), 0);
	free(p);
}

static void
test_take(void)
{
	char tmpl[] = "/tmp/t-pull.XXXXXX", *base, *res, *dst, *p, *outside;
	struct buf err = BUF_INIT;
	int i, fd;

	base = mkdtemp(tmpl);
	res = fs_join(base, "b1-x86");
	dst = fs_join(base, "stored");
	fs_mkdir_p(res);
	put(res, "result.json", "{}");
	put(res, "build.log", "log\n");
	put(res, "bzImage", "kernel");
	p = fs_join(res, "dtbs/vendor");
	fs_mkdir_p(p);
	free(p);
	put(res, "dtbs/vendor/board.dtb", "dtb");
	ok(pull_build_take(base, "b1-x86", "x86_64", dst) == 0,
	    "a build's result is taken");
	p = fs_join(dst, "dtbs/vendor/board.dtb");
	ok(fs_exists(p), "with its dtbs");
	free(p);

	log_mute();
	put(res, "Image", "not x86's");
	ok(pull_build_take(base, "b1-x86", "x86_64", NULL) != 0,
	    "another arch's image is refused");
	p = fs_join(res, "Image");
	unlink(p);
	free(p);
	put(res, "dtbs/vendor/notes.txt", "x");
	ok(pull_build_take(base, "b1-x86", "x86_64", NULL) != 0,
	    "a file in dtbs/ that is not a .dtb is refused");
	p = fs_join(res, "dtbs/vendor/notes.txt");
	unlink(p);
	free(p);
	p = fs_join(res, "config");
	free(dst);
	dst = fs_join(base, "stored2");
	ok(symlink("/etc/passwd", p) == 0 &&
	    pull_build_take(base, "b1-x86", "x86_64", dst) != 0,
	    "a link is refused");
	unlink(p);
	free(p);
	ok(!fs_exists(dst), "and nothing of it is copied");
	ok(pull_build_take(base, "nosuch", "x86_64", NULL) != 0,
	    "a result that is not there is refused");
	p = fs_join(res, "config");
	outside = fs_join(base, "outside");
	put(base, "outside", "a file of ours");
	ok(link(outside, p) == 0 && pull_build_take(base, "b1-x86",
	    "x86_64", NULL) != 0, "a hard link to a file outside is refused");
	unlink(p);
	ok(mkfifo(p, 0600) == 0 && pull_build_take(base, "b1-x86", "x86_64",
	    NULL) != 0, "a FIFO is refused");
	unlink(p);
	free(p);
	p = fs_join(res, "config\nx");
	put(res, "config\nx", "x");
	ok(pull_build_take(base, "b1-x86", "x86_64", NULL) != 0,
	    "a name with a newline is refused");
	unlink(p);
	free(p);
	/* sparse: 300 dtbs of 16 MiB each, 4.7 GiB in all, none on disk */
	for (i = 0; i < 300; i++) {
		p = xasprintf("%s/dtbs/vendor/b%d.dtb", res, i);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)16 << 20) != 0)
			i = 1000;
		if (fd >= 0)
			close(fd);
		free(p);
	}
	ok(i == 300 && pull_build_take(base, "b1-x86", "x86_64", NULL) != 0,
	    "a result larger than PULL_TOTAL_MAX in all is refused");
	log_unmute();
	log_catch(&err);
	ok(pull_build_take(base, "b1-x86", "x86_64", NULL) != 0,
	    "refused again");
	log_uncatch(&err, "");
	ok(strstr(err.ptr, "bytes in all") != NULL, "saying so");
	buf_release(&err);

	fs_remove_tree(base);
	free(outside);
	free(res);
	free(dst);
}

int
main(void)
{
	log_init("t-pull");
	test_names();
	test_take();
	return tap_done();
}
