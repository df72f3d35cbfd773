/*
 * t-repo.c: the pure parts of the git layer: kernel version from the
 * Makefile or from describe, URL classification, and a failure's message
 * given back to the caller.
 */
#include "tap.h"
#include "buf.h"
#include "log.h"
#include "repo.h"
#include "util.h"

int
main(void)
{
	const char *mk =
		"# SPDX-License-Identifier: GPL-2.0\n"
		"VERSION = 6\n"
		"PATCHLEVEL = 1\n"
		"SUBLEVEL = 192\n"
		"EXTRAVERSION = -rc3\n"
		"NAME = Curry Ramen\n";
	struct buf err = BUF_INIT;
	struct git_repository *r;
	char *extra, *printed;
	int v, p, s;

	log_init("t-repo");
	ok(repo_parse_makefile(mk, strlen(mk), &v, &p, &s, &extra) == 0,
	    "kernel Makefile");
	ok(v == 6 && p == 1 && s == 192, "version 6.1.192");
	is_str(extra, "-rc3", "extraversion");
	free(extra);
	mk = "VERSION=5\nPATCHLEVEL =10\nSUBLEVEL =\nEXTRAVERSION =\n";
	ok(repo_parse_makefile(mk, strlen(mk), &v, &p, &s, &extra) == 0 &&
	    v == 5 && p == 10 && s == 0, "odd spacing, empty sublevel");
	is_str(extra, "", "empty extraversion");
	free(extra);
	mk = "all:\n\techo hi\n";
	ok(repo_parse_makefile(mk, strlen(mk), &v, &p, &s, &extra) != 0 &&
	    v == -1 && extra == NULL, "not a kernel Makefile");

	ok(repo_parse_describe("v6.1.12-5-gabcdef123", &v, &p, &s) == 0 &&
	    v == 6 && p == 1 && s == 12, "describe v6.1.12-5-g...");
	ok(repo_parse_describe("v6.8-rc3-100-gabc", &v, &p, &s) == 0 &&
	    v == 6 && p == 8 && s == 0, "describe v6.8-rc3");
	ok(repo_parse_describe("abcdef1", &v, &p, &s) != 0,
	    "a bare hash has no version");
	ok(repo_parse_describe("next-20251128", &v, &p, &s) != 0,
	    "a next tag has no version");

	ok(repo_url_is_local("/srv/git/linux.git"), "absolute path");
	ok(repo_url_is_local("var/demo/linux.git"), "relative path");
	ok(repo_url_is_local("file:///srv/x.git"), "file URL");
	ok(!repo_url_is_local("https://git.kernel.org/x.git"), "https");
	ok(!repo_url_is_local("git://git.kernel.org/x.git"), "git://");
	ok(!repo_url_is_local("git@github.com:torvalds/linux.git"),
	    "scp-like");
	ok(repo_url_is_local("./dir:with/colon"), "colon after a slash");

	/* the message stored for a failure is the one printed */
	capture_start();
	r = repo_open("/nonexistent/maestrino-\033[2Junit.git", &err);
	printed = capture_end();
	ok(r == NULL, "no mirror at a missing path");
	contains(err.ptr, "cannot open git mirror '/nonexistent/maestrino-",
	    "the failure's message is given back");
	ok(strchr(err.ptr, '\033') == NULL, "with its escape shown, not kept");
	contains(printed, err.ptr, "as it was printed");
	free(printed);
	buf_release(&err);
	ok(repo_open("/nonexistent/x.git", NULL) == NULL, "err may be NULL");
	return tap_done();
}
