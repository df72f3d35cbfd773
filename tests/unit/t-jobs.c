/*
 * t-jobs.c: the rows of the jobs stage: which checkouts and passed
 * builds still need jobs, and job rows made once.
 */
#include "tap.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "jobs.h"
#include "log.h"
#include "proc.h"
#include "store_plan.h"
#include "userland.h"
#include "util.h"

/* The name of a userland, made and read back. */
static void
test_userland_names(const struct config *cfg)
{
	static const char *const bad[] = {
		"https://files.example/s/rootfs/alpine-x86_64.cpio.gz",
		"https://files.example/s/rootfs/busybox-.cpio.gz",
		"https://files.example/s/rootfs/busybox-x86_64.cpio",
		"https://files.example/s/rootfs/x/busybox-arm64.cpio.gz",
		"https://files.example/s/kernels/busybox-arm64.cpio.gz",
		"https://elsewhere.example/s/rootfs/busybox-arm64.cpio.gz",
		NULL
	};
	const char *const *b;
	char *url, *rootfs, *arch;

	url = userland_url(cfg, "debian", "arm64");
	is_str(url, "https://files.example/s/rootfs/debian-arm64.cpio.gz",
	    "a userland's URL");
	ok(userland_of_url(cfg, url, &rootfs, &arch) == 1 &&
	    strcmp(rootfs, "debian") == 0 && strcmp(arch, "arm64") == 0,
	    "read back: kind and arch");
	free(rootfs);
	free(arch);
	free(url);
	for (b = bad; *b != NULL; b++)
		ok(userland_of_url(cfg, *b, &rootfs, &arch) == 0,
		    "not a userland of ours");
	ok(userland_known("busybox") && !userland_known("alpine"),
	    "the kinds we make");
}

/* Scripts and userlands: what cannot be done is said, with its name. */
static void
test_scripts(const char *dir)
{
	static const char *const args[] = { "-a", "x86_64", NULL };
	struct config cfg;
	struct buf err = BUF_INIT;

	capture_start();
	ok(proc_run_script("no-such-script.sh", args, &err) == -1,
	    "a missing script fails");
	free(capture_end());
	contains(err.ptr, "no-such-script.sh -a x86_64 failed (exit 127): "
	    "cannot run", "naming the command and the reason");
	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_path = (char *)dir;
	cfg.storage_url = (char *)"https://files.example/s/";
	capture_start();
	ok(userland_make(&cfg, "alpine", "x86_64", &err) == -1,
	    "an unknown rootfs fails");
	free(capture_end());
	contains(err.ptr, "rootfs 'alpine' is neither busybox nor debian",
	    "naming it");
	buf_release(&err);
	test_userland_names(&cfg);
}

int
main(void)
{
	struct checkout_list cos;
	struct plan_build *pb;
	struct plan_job j;
	struct db *db;
	char *dir, *path, *id;
	size_t n;
	int made;

	log_init("t-jobs");
	id = jobs_kbuild_id(7, "x86_64-defconfig");
	is_str(id, "b7-x86_64-defconfig", "a kbuild job id");
	free(id);
	id = jobs_test_id(9, "baseline", "qemu-x86");
	is_str(id, "t9-baseline.qemu-x86", "a test job id");
	free(id);

	dir = tap_tmpdir();
	path = xasprintf("%s/state.db", dir);
	db = db_open(path, 0);
	if (db == NULL || db_exec(db, "INSERT INTO tree (name, url) VALUES "
	    "('mainline', 'u');"
	    "INSERT INTO checkout (id, tree, branch, url, commit_hash, "
	    "describe, version, patchlevel, subject, message, commit_time, "
	    "created, tarball_state, tarball_url, tarball_sha256) VALUES "
	    "(1, 'mainline', 'master', 'u', 'abc', 'v6.1', 6, 1, 's', 'm', "
	    "1, 1, 'done', 'http://t/1', 'ff'), "
	    "(2, 'mainline', 'master', 'u', 'def', 'v6.2', 6, 2, 's', 'm', "
	    "1, 1, 'done', 'http://t/2', 'ee'), "
	    "(3, 'mainline', 'master', 'u', '123', 'v6.3', 6, 3, 's', 'm', "
	    "1, 1, 'pending', NULL, NULL);"
	    "UPDATE checkout SET jobs_made = 1 WHERE id = 2") != 0)
		return 2;

	ok(store_plan_checkouts(db, 0, &cos) == 0, "checkouts to plan");
	ok(cos.n == 1 && cos.v[0].id == 1, "tarball done, no jobs yet");
	if (cos.n == 1) {
		is_str(cos.v[0].tarball_url, "http://t/1", "its tarball url");
		is_str(cos.v[0].tarball_sha256, "ff", "its sha256");
		ok(cos.v[0].version == 6 && cos.v[0].patchlevel == 1 &&
		    cos.v[0].sublevel == -1, "its version, -1 unknown");
	}
	store_checkout_list_free(&cos);
	ok(store_plan_checkouts(db, 2, &cos) == 0 && cos.n == 1 &&
	    cos.v[0].id == 2, "one checkout again, jobs or not");
	store_checkout_list_free(&cos);
	ok(store_plan_checkouts(db, 3, &cos) == 0 && cos.n == 0,
	    "not before its tarball");
	store_checkout_list_free(&cos);

	memset(&j, 0, sizeof(j));
	j.id = "b1-x86";
	j.checkout_id = 1;
	j.config_name = "x86";
	j.runtime = "local";
	j.definition = "/d/b1-x86.yaml";
	j.timeout = 600;
	ok(store_plan_add_kbuild(db, &j, "x86_64", "gcc", "defconfig",
	    &made) == 0 && made, "a kbuild job and its build row");
	ok(store_plan_add_kbuild(db, &j, "x86_64", "gcc", "defconfig",
	    &made) == 0 && !made, "made once");
	is_int(db_int(db, "SELECT COUNT(*) FROM build WHERE job_id = "
	    "'b1-x86' AND json_extract(misc, '$.build') = 'x86' AND "
	    "json_extract(misc, '$.runtime') = 'local'", 0), 1,
	    "one build row, its entry in misc");
	ok(store_plan_checkout_done(db, 1) == 0, "checkout planned");
	ok(store_plan_checkouts(db, 0, &cos) == 0 && cos.n == 0,
	    "nothing left to plan");
	store_checkout_list_free(&cos);

	ok(store_plan_builds(db, &pb, &n) == 0 && n == 0,
	    "no passed build yet");
	store_plan_builds_free(pb, n);
	if (db_exec(db, "UPDATE build SET status = 'PASS', misc = "
	    "json_set(misc, '$.kernel_release', '6.1.0') "
	    "WHERE job_id = 'b1-x86'") != 0)
		return 2;
	ok(store_plan_builds(db, &pb, &n) == 0 && n == 1, "a passed build");
	if (n == 1) {
		is_str(pb[0].b.config_name, "x86", "its entry");
		is_str(pb[0].b.arch, "x86_64", "its arch");
		is_str(pb[0].kernel_release, "6.1.0", "its kernel release");
		is_str(pb[0].co.describe, "v6.1", "its checkout");
		memset(&j, 0, sizeof(j));
		j.id = "t1-boot.qemu";
		j.checkout_id = pb[0].b.checkout_id;
		j.build_id = pb[0].b.id;
		j.config_name = "boot";
		j.platform = "qemu";
		j.runtime = "lava";
		j.definition = "/d/t1-boot.qemu.yaml";
		j.timeout = 900;
		ok(store_plan_add_test(db, &j, &made) == 0 && made,
		    "a test job");
		ok(store_plan_add_test(db, &j, &made) == 0 && !made,
		    "made once");
		ok(store_plan_build_done(db, pb[0].b.id) == 0, "build planned");
	}
	store_plan_builds_free(pb, n);
	ok(store_plan_builds(db, &pb, &n) == 0 && n == 0,
	    "no build left to plan");
	store_plan_builds_free(pb, n);
	is_int(db_int(db, "SELECT timeout FROM job WHERE id = "
	    "'t1-boot.qemu' AND kind = 'test' AND platform = 'qemu' AND "
	    "build_id = 1", 0), 900, "the test job's row");
	db_close(db);
	test_scripts(dir);
	fs_remove_tree(dir);
	free(path);
	free(dir);
	return tap_done();
}
