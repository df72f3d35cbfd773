/*
 * kbuild_worker.c: the worker that runs one kbuild job: fetch and check
 * the tarball, extract it, configure and build in the sandbox
 * (kbuild_box.c), store the artifacts and the log, write result.json.
 */
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <dirent.h>
#include <fcntl.h>

#include "buf.h"
#include "fs.h"
#include "hash.h"
#include "http.h"
#include "kbuild.h"
#include "kbuild_box.h"
#include "kbuild_worker.h"
#include "log.h"
#include "proc.h"
#include "safe.h"
#include "secret.h"
#include "ynode.h"
#include "util.h"

/* The largest .config and build log the worker takes. */
#define CONFIG_MAX	((size_t)16 << 20)
#define LOG_MAX		((size_t)256 << 20)

void
kjob_log(struct kjob *k, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (k->log_fd >= 0)
		dprintf(k->log_fd, "# maestrino: %s\n", b.ptr);
	info("%s: %s", k->id, b.ptr);
	buf_release(&b);
}

/* Text the tree printed, as a JSON string: valid UTF-8, bounded, masked. */
static json_t *
outside_json(const char *s, size_t max)
{
	char *clean, *m;
	json_t *j;

	clean = safe_utf8(s, strlen(s), max);
	m = secret_mask(clean);
	j = json_string(m);
	free(m);
	free(clean);
	return j;
}

enum kstatus
kjob_fail(struct kjob *k, enum kstatus st, const char *code,
    const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	secret_mask_buf(&b);
	if (json_object_get(k->result, "error_code") == NULL) {
		json_object_set_new(k->result, "error_code", json_string(code));
		json_object_set_new(k->result, "error_msg", json_string(b.ptr));
	}
	if (k->log_fd >= 0)
		dprintf(k->log_fd, "# maestrino: %s: %s\n",
		    st == K_FAIL ? "build failed" : "infrastructure error",
		    b.ptr);
	error("%s: %s", k->id, b.ptr);
	buf_release(&b);
	return st;
}

static void
phase(struct kjob *k, const char *name, double since)
{
	json_object_set_new(k->phases, name,
	    json_real((double)(long)((now_monotonic() - since) * 1000) / 1000));
}

static int
load_job(struct kjob *k, const char *def)
{
	const struct ynode *b, *t, *s, *v;
	long n;

	if (ynode_parse_file(def, &k->def) != 0)
		return -1;
	b = ynode_get(k->def, "build");
	t = ynode_get(k->def, "tarball");
	s = ynode_get(k->def, "storage");
	k->id = ynode_str(k->def, "id");
	k->url = ynode_str(t, "url");
	k->tarball_path = ynode_str(t, "path");
	k->sha256 = ynode_str(t, "sha256");
	k->arch = ynode_str(b, "arch");
	k->make_arch = ynode_str(b, "make_arch");
	k->compiler = ynode_str(b, "compiler");
	k->cross = ynode_str(b, "cross_compile");
	k->defconfig = ynode_str(b, "defconfig");
	k->fragments = ynode_get(b, "fragments");
	k->targets = ynode_get(b, "targets");
	k->store = ynode_str(s, "path");
	k->store_url = ynode_str(s, "url");
	k->ksft_targets = kbuild_kselftest_targets(k->def);
	k->ccache_dir = ynode_str(b, "ccache");
	k->sandbox_mode = ynode_str(b, "sandbox");
	if (k->sandbox_mode == NULL)
		k->sandbox_mode = "auto";
	v = ynode_get(b, "timeout");
	k->timeout = 3600;
	if (v != NULL && v->type == YNODE_SCALAR &&
	    parse_long(v->value, 1, 100000000, &n) == 0)
		k->timeout = n;
	if (k->id == NULL || k->url == NULL || k->sha256 == NULL ||
	    k->arch == NULL || k->make_arch == NULL || k->defconfig == NULL ||
	    k->targets == NULL || k->targets->type != YNODE_SEQ ||
	    k->store == NULL || k->store_url == NULL)
		return error_at(def, 1, 1, "not a complete kbuild job "
		    "definition");
	return 0;
}

/* The local copy of the tarball, checked against its sha256. */
static enum kstatus
fetch(struct kjob *k, char **path)
{
	struct http_response resp;
	struct http_request req;
	char hex[HASH_HEX], *dst;
	const char *ext;
	FILE *fp;
	enum http_outcome out;

	*path = NULL;
	if (k->tarball_file != NULL) {
		/* carried to this machine with the definition (--tarball) */
		dst = xstrdup(k->tarball_file);
	} else if (k->tarball_path != NULL && fs_exists(k->tarball_path)) {
		/* on the machine that made it: no web server needed */
		dst = xstrdup(k->tarball_path);
	} else if (str_starts(k->url, "file://")) {
		dst = xstrdup(k->url + strlen("file://"));
	} else {
		ext = str_ends(k->url, ".zst") ? ".tar.zst" :
		    str_ends(k->url, ".xz") ? ".tar.xz" : ".tar.gz";
		dst = xasprintf("source%s", ext);
		fp = fopen(dst, "wb");
		if (fp == NULL) {
			free(dst);
			return kjob_fail(k, K_INFRA, "disk", "cannot create "
			    "'source%s': %s", ext, strerror(errno));
		}
		memset(&req, 0, sizeof(req));
		req.url = k->url;
		req.download = fp;
		req.max_body = (size_t)8 << 30;
		req.timeout = 3600;
		req.what = k->id;
		req.quiet = 1;
		out = http_do_retry(&req, &resp, 3);
		if (fclose(fp) != 0 && out == HTTP_OK)
			out = HTTP_FAIL;
		if (out != HTTP_OK) {
			enum kstatus r = kjob_fail(k, K_INFRA, "download",
			    "cannot download the tarball: %s",
			    resp.error ? resp.error : "write error");

			http_response_release(&resp);
			free(dst);
			return r;
		}
		http_response_release(&resp);
	}
	if (hash_file(dst, hex) != 0) {
		enum kstatus r = kjob_fail(k, K_INFRA, "download", "cannot "
		    "read the tarball '%s': %s", dst, strerror(errno));

		free(dst);
		return r;
	}
	if (strcmp(hex, k->sha256) != 0) {
		enum kstatus r = kjob_fail(k, K_INFRA, "sha256", "tarball '%s' "
		    "has sha256 %s, not %s", dst, hex, k->sha256);

		free(dst);
		return r;
	}
	*path = dst;
	return K_PASS;
}

/* Extract into src/, dropping the tarball's top directory. */
static enum kstatus
extract(struct kjob *k, const char *tarball)
{
	struct archive *a, *disk;
	struct archive_entry *e;
	const char *name, *rest, *link;
	const void *blk;
	size_t len;
	la_int64_t off;
	char *p;
	int r;
	enum kstatus st;

	a = archive_read_new();
	disk = archive_write_disk_new();
	if (a == NULL || disk == NULL)
		die_oom();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM |
	    ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	    ARCHIVE_EXTRACT_SECURE_NODOTDOT |
	    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	st = K_PASS;
	if (archive_read_open_filename(a, tarball, 1 << 20) != ARCHIVE_OK) {
		st = kjob_fail(k, K_INFRA, "extract", "cannot open '%s': %s",
		    tarball, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		rest = name ? strchr(name, '/') : NULL;
		if (rest == NULL || rest[1] == '\0')
			continue;
		p = xasprintf("src%s", rest);
		archive_entry_copy_pathname(e, p);
		free(p);
		link = archive_entry_hardlink(e);
		if (link != NULL && strchr(link, '/') != NULL) {
			p = xasprintf("src%s", strchr(link, '/'));
			archive_entry_copy_hardlink(e, p);
			free(p);
		}
		if (archive_write_header(disk, e) != ARCHIVE_OK) {
			st = kjob_fail(k, K_INFRA, "extract", "cannot extract "
			    "'%s': %s", name, archive_error_string(disk));
			goto out;
		}
		while ((r = archive_read_data_block(a, &blk, &len, &off)) ==
		    ARCHIVE_OK) {
			if (archive_write_data_block(disk, blk, len, off) !=
			    ARCHIVE_OK) {
				st = kjob_fail(k, K_INFRA, "disk", "cannot "
				    "write '%s': %s", name,
				    archive_error_string(disk));
				goto out;
			}
		}
		if (r != ARCHIVE_EOF) {
			st = kjob_fail(k, K_INFRA, "extract", "cannot read "
			    "'%s' from '%s': %s", name, tarball,
			    archive_error_string(a));
			goto out;
		}
		if (archive_write_finish_entry(disk) != ARCHIVE_OK) {
			st = kjob_fail(k, K_INFRA, "disk", "cannot finish "
			    "'%s': %s", name, archive_error_string(disk));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF)
		st = kjob_fail(k, K_INFRA, "extract", "cannot read '%s': %s",
		    tarball, archive_error_string(a));
out:
	archive_read_free(a);
	archive_write_free(disk);
	return st;
}

static enum kstatus
configure(struct kjob *k)
{
	const char *def[] = { k->defconfig, NULL };
	const char *old[] = { "olddefconfig", NULL };
	struct buf frag = BUF_INIT;
	char **argv, **merge;
	const struct ynode *f;
	const char *name, *text;
	enum kstatus st;
	size_t i, n;

	argv = kbox_make_argv(k, def);
	st = kbox_step(k, argv, k->defconfig);
	kbox_free_argv(argv);
	if (st != K_PASS || k->fragments == NULL || k->fragments->n == 0)
		return st;
	n = k->fragments->n;
	merge = xcalloc(n + 5, sizeof(*merge));
	merge[0] = xstrdup("scripts/kconfig/merge_config.sh");
	merge[1] = xstrdup("-m");
	merge[2] = xstrdup(".config");
	for (i = 0; i < n; i++) {
		f = k->fragments->items[i];
		name = ynode_str(f, "name");
		text = ynode_str(f, "config");
		buf_reset(&frag);
		buf_addf(&frag, "src/%02zu-%s.config", i, name ? name : "x");
		if (text == NULL ||
		    fs_write_atomic(frag.ptr, text, strlen(text), 0) != 0) {
			st = kjob_fail(k, K_INFRA, "disk", "cannot write "
			    "fragment '%s'", frag.ptr);
			goto out;
		}
		merge[3 + i] = xstrdup(frag.ptr + strlen("src/"));
	}
	st = kbox_step(k, merge, "merge_config.sh");
	if (st != K_PASS)
		goto out;
	argv = kbox_make_argv(k, old);
	st = kbox_step(k, argv, "olddefconfig");
	kbox_free_argv(argv);
out:
	kbox_free_argv(merge);
	buf_release(&frag);
	return st;
}

static int
has_target(const struct kjob *k, const char *t)
{
	size_t i;

	for (i = 0; i < k->targets->n; i++)
		if (strcmp(k->targets->items[i]->value, t) == 0)
			return 1;
	return 0;
}

/* make's -j<processors> into jobs */
static void
make_jobs(char jobs[32])
{
	long n;

	n = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(jobs, 32, "-j%ld", n < 1 ? 1 : n);
}

static enum kstatus
build(struct kjob *k)
{
	const char **extra;
	char jobs[32], **argv;
	size_t i;
	enum kstatus st;

	make_jobs(jobs);
	extra = xcalloc(k->targets->n + 2, sizeof(*extra));
	extra[0] = jobs;
	for (i = 0; i < k->targets->n; i++)
		extra[i + 1] = k->targets->items[i]->value;
	argv = kbox_make_argv(k, extra);
	st = kbox_step(k, argv, "make");
	kbox_free_argv(argv);
	free(extra);
	return st;
}

static int
config_has(const char *key)
{
	struct buf b = BUF_INIT;
	char *want;
	int found;

	if (fs_read_untrusted(".", "src/.config", CONFIG_MAX, 0, &b) !=
	    FS_READ_OK) {
		buf_release(&b);
		return 0;
	}
	want = xasprintf("\n%s=y\n", key);
	found = strstr(b.ptr, want) != NULL || str_starts(b.ptr, want + 1);
	free(want);
	buf_release(&b);
	return found;
}

static void
add_artifact(struct kjob *k, const char *key, const char *rel)
{
	char *url;

	if (key == NULL)
		return;
	url = xasprintf("%s%s", k->store_url, rel);
	json_object_set_new(k->artifacts, key, json_string(url));
	free(url);
}

/*
 * Store the build's file src (relative to the work directory, read as
 * outside data: no link followed, a regular file of its own) as name.
 * K_PASS (also when there is no such file and !needed), K_FAIL when the
 * build left something else there, K_INFRA when storage fails.
 */
static enum kstatus
store(struct kjob *k, const char *src, const char *name, const char *key,
    int needed)
{
	enum fs_read r;
	char *dst;

	dst = fs_join(k->store, name);
	r = fs_copy_untrusted(".", src, dst, ARTIFACT_MAX);
	free(dst);
	if (r == FS_READ_OK) {
		add_artifact(k, key, name);
		return K_PASS;
	}
	if (r == FS_READ_MISSING && !needed)
		return K_PASS;
	if (str_starts(src, "src/"))
		src += strlen("src/");
	if (r == FS_READ_MISSING)
		return kjob_fail(k, K_FAIL, "build", "the build made no %s",
		    src);
	if (r == FS_READ_ERROR)
		return kjob_fail(k, K_INFRA, "disk", "cannot store %s: %s",
		    name, strerror(errno));
	return kjob_fail(k, K_FAIL, "build", "%s %s; not stored", src,
	    fs_read_problem(r));
}

/* The one mtime of packed entries: the tree's, as the tarball gave it. */
static time_t
pack_mtime(const struct kjob *k)
{
	struct stat st;

	if (lstat("src/Makefile", &st) == 0 && st.st_mtime > 0)
		return st.st_mtime;
	return k->start;
}

/* Pack root into name and store it as artifact key. */
static enum kstatus
pack_store(struct kjob *k, const char *root, const char *name,
    enum pack_filter filter, const char *key)
{
	struct buf err = BUF_INIT;
	enum kstatus st;

	if (kbox_pack(root, name, pack_mtime(k), filter, &err) != 0) {
		st = kjob_fail(k, K_FAIL, "build", "cannot pack %s/ into %s: "
		    "%s", root, name, err.ptr);
		buf_release(&err);
		return st;
	}
	buf_release(&err);
	return store(k, name, name, key, 1);
}

/*
 * kselftest's own make, in the sandbox like every step of the tree,
 * builds the collections of the definition and installs them into
 * kselftest/ (it makes the kernel headers itself); packed into
 * kselftest.tar.gz, with run_kselftest.sh at its top.  The kernel
 * passed by now: a failure here fails the build, since what its tests
 * need is missing.
 */
static enum kstatus
kselftest(struct kjob *k)
{
	static const char what[] = "kselftest (make -C tools/testing/selftests "
	    "install)";
	const char *extra[7];
	char jobs[32], *inst, **argv;
	struct stat st;
	enum kstatus ks;

	make_jobs(jobs);
	inst = xasprintf("INSTALL_PATH=%s/kselftest", k->work);
	extra[0] = "-C";
	extra[1] = "tools/testing/selftests";
	extra[2] = jobs;
	extra[3] = k->ksft_targets;
	extra[4] = "install";
	extra[5] = inst;
	extra[6] = NULL;
	kjob_log(k, "kselftest: %s", k->ksft_targets);
	argv = kbox_tools_argv(k, extra);
	ks = kbox_step(k, argv, what);
	kbox_free_argv(argv);
	free(inst);
	if (ks != K_PASS)
		return ks;
	if (lstat("kselftest/run_kselftest.sh", &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return kjob_fail(k, K_FAIL, "build", "%s made no "
		    "run_kselftest.sh in its INSTALL_PATH", what);
	return pack_store(k, "kselftest", "kselftest.tar.gz", PACK_GZ,
	    "kselftest");
}

/*
 * Store the *.dtb files below rel (a directory of the build, walked
 * without following links) under dtbs/, keeping their paths below base.
 */
static enum kstatus
copy_dtbs(struct kjob *k, const char *rel, size_t base, int *count)
{
	struct dirent *de;
	struct stat st;
	enum kstatus ks;
	char *p, *dst;
	DIR *d;
	int fd;

	fd = open(rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return K_PASS;
	}
	ks = K_PASS;
	while (ks == K_PASS && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		p = fs_join(rel, de->d_name);
		if (S_ISDIR(st.st_mode)) {
			ks = copy_dtbs(k, p, base, count);
		} else if (S_ISREG(st.st_mode) &&
		    str_ends(de->d_name, ".dtb")) {
			dst = xasprintf("dtbs/%s", p + base + 1);
			ks = store(k, p, dst, NULL, 1);
			(*count)++;
			free(dst);
		}
		free(p);
	}
	closedir(d);
	return ks;
}

/* Store what the build made; returns non-zero on a storage failure. */
static enum kstatus
pack(struct kjob *k, enum kstatus built)
{
	const char *inst[] = { "modules_install", "INSTALL_MOD_PATH=../modroot",
	    "INSTALL_MOD_STRIP=1", NULL };
	const char *rel[] = { "-s", "kernelrelease", NULL };
	struct buf krel = BUF_INIT;
	char **argv, **v, *img, *dts;
	const char *base;
	int dtbs;
	enum kstatus st;

	if (fs_mkdir_p(k->store) != 0)
		return kjob_fail(k, K_INFRA, "disk", "cannot create '%s'",
		    k->store);
	st = store(k, "src/.config", "config", "config", 0);
	if (st != K_PASS || built != K_PASS)
		return st;
	img = fs_join("src", kbuild_image(k->arch));
	base = strrchr(img, '/') + 1;
	st = store(k, img, base, "kernel", 1);
	free(img);
	if (st == K_PASS)
		st = store(k, "src/System.map", "System.map", "System.map", 0);
	if (st != K_PASS)
		return st;
	argv = kbox_make_argv(k, rel);
	v = kbox_wrap(k, argv);
	if (proc_capture(v, "src", &krel) == 0) {
		buf_rtrim(&krel);
		json_object_set_new(k->result, "kernel_release",
		    outside_json(krel.ptr, 256));
	}
	proc_kill_descendants();
	free(v);
	kbox_free_argv(argv);
	buf_release(&krel);
	if (has_target(k, "modules") && config_has("CONFIG_MODULES")) {
		argv = kbox_make_argv(k, inst);
		st = kbox_step(k, argv, "modules_install");
		kbox_free_argv(argv);
		if (st != K_PASS)
			return st;
		if (fs_is_dir("modroot")) {
			st = pack_store(k, "modroot", "modules.tar.xz",
			    PACK_XZ, "modules");
			if (st != K_PASS)
				return st;
		}
	}
	if (has_target(k, "dtbs")) {
		dts = xasprintf("src/arch/%s/boot/dts",
		    kbuild_srcarch(k->arch));
		dtbs = 0;
		st = copy_dtbs(k, dts, strlen(dts), &dtbs);
		free(dts);
		if (st != K_PASS)
			return st;
		if (dtbs > 0)
			add_artifact(k, "dtbs", "dtbs/");
	}
	return K_PASS;
}

/*
 * The build log, read back through the worker's own descriptor (a build
 * could have put anything at the path): its warnings counted, its
 * secrets masked, its last LOG_MAX bytes stored.  -1 if it cannot be.
 */
static int
finish_log(struct kjob *k)
{
	struct buf b = BUF_INIT;
	struct stat st;
	const char *p, *end;
	char tmp[65536], *dst;
	off_t off;
	ssize_t n;
	int warnings, rc;

	if (fstat(k->log_fd, &st) != 0)
		return -1;
	off = (size_t)st.st_size > LOG_MAX ? st.st_size - (off_t)LOG_MAX : 0;
	while ((n = pread(k->log_fd, tmp, sizeof(tmp), off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(&b, tmp, (size_t)n);
		off += n;
		if (b.len >= LOG_MAX)
			break;
	}
	/* a log may hold NULs: search the bytes, not a string */
	warnings = 0;
	end = b.ptr + b.len;
	for (p = b.ptr; (p = memmem(p, (size_t)(end - p), ": warning: ",
	    11)) != NULL; p++)
		warnings++;
	json_object_set_new(k->result, "warnings", json_integer(warnings));
	/* the build may have printed a token it found: never store it */
	secret_mask_buf(&b);
	dst = fs_join(k->store, "build.log");
	rc = n < 0 ? -1 : fs_write_atomic(dst, b.ptr, b.len, 0);
	if (rc == 0)
		add_artifact(k, "log", "build.log");
	free(dst);
	buf_release(&b);
	return rc;
}

static int
write_metadata(struct kjob *k)
{
	json_t *m;
	char *text, *path;
	int rc;

	m = json_object();
	json_object_set_new(m, "job", json_string(k->id));
	json_object_set_new(m, "tree", json_string(ynode_str(ynode_get(k->def,
	    "checkout"), "tree")));
	json_object_set_new(m, "branch", json_string(ynode_str(
	    ynode_get(k->def, "checkout"), "branch")));
	json_object_set_new(m, "commit", json_string(ynode_str(
	    ynode_get(k->def, "checkout"), "commit")));
	json_object_set_new(m, "describe", json_string(ynode_str(
	    ynode_get(k->def, "checkout"), "describe")));
	json_object_set_new(m, "arch", json_string(k->arch));
	json_object_set_new(m, "defconfig", json_string(k->defconfig));
	json_object_set(m, "compiler", json_object_get(k->result, "compiler"));
	json_object_set(m, "kernel_release",
	    json_object_get(k->result, "kernel_release"));
	json_object_set(m, "phases", k->phases);
	json_object_set(m, "artifacts", k->artifacts);
	text = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(6));
	path = fs_join(k->store, "metadata.json");
	rc = text != NULL && fs_write_atomic(path, text, strlen(text), 0) == 0
	    ? 0 : -1;
	if (rc == 0)
		add_artifact(k, "metadata", "metadata.json");
	free(text);
	free(path);
	json_decref(m);
	return rc;
}

int
kbuild_run(const char *def, const char *work)
{
	return kbuild_run_with(def, work, NULL, NULL);
}

int
kbuild_run_with(const char *def, const char *work, const char *tarball_file,
    const char *store)
{
	struct kjob k;
	enum kstatus st;
	double t;
	char *tarball, *text, *p;
	const char *status;
	int rc;

	memset(&k, 0, sizeof(k));
	k.log_fd = -1;
	k.result = json_object();
	k.artifacts = json_object();
	k.phases = json_object();
	k.t0 = now_monotonic();
	k.start = time(NULL);
	tarball = NULL;
	if (load_job(&k, def) != 0) {
		rc = EXIT_FATAL;
		goto out;
	}
	/* both before chdir: relative to where the worker was started */
	if (tarball_file != NULL)
		k.tarball_file = fs_absolute(tarball_file);
	if (store != NULL)
		k.store = k.own_store = fs_absolute(store);
	if (fs_mkdir_p(work) != 0 || chdir(work) != 0) {
		error("%s: cannot enter work directory '%s'", k.id, work);
		rc = EXIT_FATAL;
		goto out;
	}
	k.work = realpath(".", NULL);
	if (k.work == NULL)
		k.work = xstrdup(work);
	/* whatever the build starts and leaves is ours to end */
	proc_subreaper();
	k.deadline = k.t0 + (double)k.timeout;
	/* read back through this descriptor, whatever is at the path later */
	k.log_fd = open("build.log", O_RDWR | O_CREAT | O_TRUNC | O_APPEND |
	    O_CLOEXEC, 0644);
	if (k.log_fd < 0) {
		st = kjob_fail(&k, K_INFRA, "disk", "cannot create "
		    "build.log: %s", strerror(errno));
		goto done;
	}
	kjob_log(&k, "job %s: %s %s", k.id, k.arch, k.defconfig);

	t = now_monotonic();
	st = fetch(&k, &tarball);
	phase(&k, "fetch", t);
	if (st != K_PASS)
		goto done;
	t = now_monotonic();
	fs_remove_tree("src");
	fs_remove_tree("modroot");
	fs_remove_tree("kselftest");
	kjob_log(&k, "extracting %s", tarball);
	st = extract(&k, tarball);
	phase(&k, "extract", t);
	if (st != K_PASS)
		goto done;
	kccache_setup(&k);
	st = kbox_setup(&k);
	if (st != K_PASS)
		goto done;
	st = kbox_check_tools(&k);
	if (st != K_PASS)
		goto done;
	t = now_monotonic();
	st = configure(&k);
	phase(&k, "config", t);
	if (st != K_PASS)
		goto done;
	t = now_monotonic();
	st = build(&k);
	phase(&k, "build", t);
done:
	if (k.log_fd >= 0 && st != K_INFRA) {
		enum kstatus ps;

		t = now_monotonic();
		ps = pack(&k, st);
		phase(&k, "pack", t);
		if (ps != K_PASS && st == K_PASS)
			st = ps;
	}
	if (st == K_PASS && k.ksft_targets != NULL) {
		t = now_monotonic();
		st = kselftest(&k);
		phase(&k, "kselftest", t);
	}
	if (k.log_fd >= 0)
		kccache_report(&k);
	status = st == K_PASS ? "pass" : st == K_FAIL ? "fail" : "incomplete";
	kjob_log(&k, "%s in %.1fs", status, now_monotonic() - k.t0);
	json_object_set_new(k.result, "job", json_string(k.id));
	json_object_set_new(k.result, "status", json_string(status));
	json_object_set_new(k.result, "start_time",
	    json_integer((json_int_t)k.start));
	json_object_set_new(k.result, "duration", json_real(
	    (double)(long)((now_monotonic() - k.t0) * 1000) / 1000));
	if (json_object_get(k.result, "exit_code") == NULL)
		json_object_set_new(k.result, "exit_code",
		    json_integer(st == K_PASS ? 0 : st == K_FAIL ? 1 : 2));
	json_object_set_new(k.result, "warnings", json_integer(0));
	text = kbuild_reproducer(k.def);
	if (text != NULL)
		json_object_set_new(k.result, "reproducer", json_string(text));
	free(text);
	json_object_set(k.result, "phases", k.phases);
	if (k.log_fd >= 0) {
		if (fs_mkdir_p(k.store) != 0 || finish_log(&k) != 0)
			error("%s: cannot store build.log", k.id);
		else
			write_metadata(&k);
		close(k.log_fd);
		k.log_fd = -1;
	}
	json_object_set(k.result, "artifacts", k.artifacts);
	text = json_dumps(k.result, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(6));
	crashpoint("worker-before-result");
	/* a store of its own is the whole result, to carry back: a copy */
	if (text != NULL && k.own_store != NULL) {
		p = fs_join(k.own_store, "result.json");
		if (fs_mkdir_p(k.own_store) != 0 ||
		    fs_write_atomic(p, text, strlen(text), 1) != 0) {
			free(text);
			text = NULL;
		}
		free(p);
	}
	if (text == NULL || fs_write_atomic("result.json", text, strlen(text),
	    1) != 0) {
		error("%s: cannot write result.json", k.id);
		rc = EXIT_FATAL;
	} else {
		rc = st == K_PASS ? EXIT_OK : st == K_FAIL ? EXIT_ITEMS :
		    EXIT_FATAL;
	}
	free(text);
out:
	if (k.log_fd >= 0)
		close(k.log_fd);
	free(tarball);
	free(k.cc);
	free(k.ksft_targets);
	free(k.work);
	free(k.tarball_file);
	free(k.own_store);
	if (k.box != NULL)
		kbox_free_argv(k.box);
	json_decref(k.result);
	json_decref(k.artifacts);
	json_decref(k.phases);
	ynode_free(k.def);
	return rc;
}
