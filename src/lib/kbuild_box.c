/*
 * kbuild_box.c: where a kbuild job's tree runs: the toolchain it needs,
 * the make command line, and the bubblewrap sandbox around every
 * command of the tree.
 */
#include <jansson.h>

#include "buf.h"
#include "fs.h"
#include "kbuild_box.h"
#include "proc.h"
#include "util.h"

/*
 * The Debian package that provides a missing command: a cross gcc
 * "<triplet>-gcc" is gcc-<triplet> (x86_64 spelt x86-64, as package
 * names have no '_'), LLVM's tools come with clang, lld and llvm.
 */
static char *
package_for(const char *cmd)
{
	const char *base;
	char *pkg, *p;
	size_t n;

	base = strrchr(cmd, '/') != NULL ? strrchr(cmd, '/') + 1 : cmd;
	if (strcmp(base, "clang") == 0 || strcmp(base, "ld.lld") == 0 ||
	    str_starts(base, "llvm-"))
		return xstrdup("clang lld llvm");
	if (str_ends(base, "-gcc")) {
		n = strlen(base) - strlen("-gcc");
		pkg = xasprintf("gcc-%.*s", (int)n, base);
		p = str_subst(pkg, "_", '-');
		free(pkg);
		return p;
	}
	return xstrdup(base);
}

/* The compiler and what LLVM=1 needs besides: NULL-terminated. */
static void
compiler_tools(struct kjob *k, const char *tools[4])
{
	if (k->compiler != NULL && strcmp(k->compiler, "clang") == 0) {
		k->cc = xstrdup("clang");
		tools[0] = k->cc;
		tools[1] = "ld.lld";
		tools[2] = "llvm-ar";
		tools[3] = NULL;
		return;
	}
	k->cc = xasprintf("%sgcc", k->cross ? k->cross : "");
	tools[0] = k->cc;
	tools[1] = NULL;
}

/*
 * The compiler's own first line of --version, as KCIDB's compiler:
 * "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0",
 * "Debian clang version 14.0.6".
 */
static void
compiler_version(struct kjob *k)
{
	struct buf ver = BUF_INIT;
	char *argv[3];

	argv[0] = k->cc;
	argv[1] = (char *)"--version";
	argv[2] = NULL;
	if (proc_capture(argv, NULL, &ver) >= 0 && ver.len > 0) {
		ver.ptr[strcspn(ver.ptr, "\r\n")] = '\0';
		json_object_set_new(k->result, "compiler", json_string(ver.ptr));
	}
	buf_release(&ver);
}

static int
have(const char *cmd)
{
	char *where;
	int found;

	where = proc_which(cmd);
	found = where != NULL;
	free(where);
	return found;
}

/*
 * Missing tools are final: another attempt on this machine would miss
 * them too, so error_code "toolchain" is not retried.
 */
enum kstatus
kbox_check_tools(struct kjob *k)
{
	static const char *host[] = { "make", "flex", "bison", "bc", "perl" };
	const char *tools[4];
	struct buf missing = BUF_INIT;
	char *pkg;
	enum kstatus st;
	size_t i;

	compiler_tools(k, tools);
	for (i = 0; tools[i] != NULL; i++) {
		if (have(tools[i]))
			continue;
		pkg = package_for(tools[i]);
		if (i == 0)
			st = kjob_fail(k, K_INFRA, "toolchain", "compiler '%s' "
			    "not found in PATH: install Debian's %s "
			    "(scripts/deps.sh lists the usual ones)",
			    tools[i], pkg);
		else
			st = kjob_fail(k, K_INFRA, "toolchain", "'%s' (which "
			    "LLVM=1 builds need) not found in PATH: install "
			    "Debian's %s", tools[i], pkg);
		free(pkg);
		return st;
	}
	for (i = 0; i < ARRAY_SIZE(host); i++)
		if (!have(host[i]))
			buf_addf(&missing, " %s", host[i]);
	/* kselftest's install copies with rsync */
	if (k->ksft_targets != NULL && !have("rsync"))
		buf_puts(&missing, " rsync");
	if (missing.len) {
		st = kjob_fail(k, K_INFRA, "toolchain", "host tools missing:%s "
		    "(apt-get install%s)", missing.ptr, missing.ptr);
		buf_release(&missing);
		return st;
	}
	compiler_version(k);
	return K_PASS;
}

/* make ARCH=... [CROSS_COMPILE=...] [LLVM=1] [CC=... HOSTCC=...] extra... */
static char **
make_argv(struct kjob *k, const char *const *extra, int ccache)
{
	char **argv;
	int clang;
	size_t n, i;

	for (n = 0; extra[n] != NULL; n++)
		;
	argv = xcalloc(n + 8, sizeof(*argv));
	clang = k->compiler != NULL && strcmp(k->compiler, "clang") == 0;
	i = 0;
	argv[i++] = xstrdup("make");
	argv[i++] = xasprintf("ARCH=%s", k->make_arch);
	if (k->cross != NULL && *k->cross)
		argv[i++] = xasprintf("CROSS_COMPILE=%s", k->cross);
	if (clang)
		argv[i++] = xstrdup("LLVM=1");
	/*
	 * The kernel's documented way (Documentation/kbuild/llvm.rst):
	 * the whole command in CC, the cross prefix included, since a CC
	 * on the command line replaces the Makefile's; host tools too.
	 */
	if (ccache && k->ccache && k->cc != NULL) {
		argv[i++] = xasprintf("CC=ccache %s", k->cc);
		argv[i++] = xasprintf("HOSTCC=ccache %s", clang ? "clang" :
		    "gcc");
	}
	for (n = 0; extra[n] != NULL; n++)
		argv[i++] = xstrdup(extra[n]);
	argv[i] = NULL;
	return argv;
}

char **
kbox_make_argv(struct kjob *k, const char *const *extra)
{
	return make_argv(k, extra, 1);
}

char **
kbox_tools_argv(struct kjob *k, const char *const *extra)
{
	/* tools/ Makefiles take CC as one word in places: leave it be */
	return make_argv(k, extra, 0);
}

void
kbox_free_argv(char **argv)
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/*
 * The sandbox every command of the tree runs in (the tree's Makefile,
 * its scripts): bubblewrap with the whole file system read-only, the
 * places that could hold something of ours (home directories, /tmp,
 * /run, the data dir, storage) hidden under empty tmpfs, only src/,
 * modroot/, kselftest/ and the tree's ccache directory writable, no
 * network, its own pids (so nothing it starts outlives it, and no other
 * process's /proc/<pid>/environ is there to read), a session of its own.
 */
static void
box_add(char ***v, size_t *n, size_t *a, const char *s)
{
	xgrow((void **)v, a, *n + 2, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/* Hide dir under an empty tmpfs, when it is a directory other than /. */
static void
box_hide(char ***v, size_t *n, size_t *a, const char *dir)
{
	if (dir == NULL || strcmp(dir, "/") == 0 || !fs_is_dir(dir))
		return;
	box_add(v, n, a, "--tmpfs");
	box_add(v, n, a, dir);
}

/* The parent directory of path (caller frees). */
static char *
parent_dir(const char *path)
{
	char *p, *slash;

	p = xstrdup(path);
	slash = strrchr(p, '/');
	if (slash != NULL && slash != p)
		*slash = '\0';
	return p;
}

static char **
box_argv(struct kjob *k, const char *bwrap)
{
	static const char *const hidden[] = { "/tmp", "/var/tmp", "/run",
	    "/home", "/root" };
	char **v, *src, *mod, *ksft, *data, *work, *store, *root;
	size_t n, a, i;

	v = NULL;
	n = a = 0;
	src = fs_join(k->work, "src");
	mod = fs_join(k->work, "modroot");
	ksft = fs_join(k->work, "kselftest");
	work = parent_dir(k->work);		/* <data_dir>/work */
	data = parent_dir(work);		/* <data_dir> */
	store = parent_dir(k->store);		/* <storage>/builds */
	root = parent_dir(store);		/* <storage> */
	box_add(&v, &n, &a, bwrap);
	box_add(&v, &n, &a, "--ro-bind");
	box_add(&v, &n, &a, "/");
	box_add(&v, &n, &a, "/");
	box_add(&v, &n, &a, "--dev");
	box_add(&v, &n, &a, "/dev");
	box_add(&v, &n, &a, "--proc");
	box_add(&v, &n, &a, "/proc");
	for (i = 0; i < ARRAY_SIZE(hidden); i++)
		box_hide(&v, &n, &a, hidden[i]);
	box_hide(&v, &n, &a, getenv("HOME"));
	box_hide(&v, &n, &a, data);
	box_hide(&v, &n, &a, root);
	/* the tree's cache, below the data dir hidden just above */
	if (k->ccache) {
		box_add(&v, &n, &a, "--bind");
		box_add(&v, &n, &a, k->ccache_dir);
		box_add(&v, &n, &a, k->ccache_dir);
	}
	box_add(&v, &n, &a, "--bind");
	box_add(&v, &n, &a, src);
	box_add(&v, &n, &a, src);
	box_add(&v, &n, &a, "--bind");
	box_add(&v, &n, &a, mod);
	box_add(&v, &n, &a, mod);
	box_add(&v, &n, &a, "--bind");
	box_add(&v, &n, &a, ksft);
	box_add(&v, &n, &a, ksft);
	box_add(&v, &n, &a, "--unshare-all");
	box_add(&v, &n, &a, "--die-with-parent");
	box_add(&v, &n, &a, "--new-session");
	box_add(&v, &n, &a, "--setenv");
	box_add(&v, &n, &a, "TMPDIR");
	box_add(&v, &n, &a, "/tmp");
	box_add(&v, &n, &a, "--chdir");
	box_add(&v, &n, &a, src);
	box_add(&v, &n, &a, "--");
	free(src);
	free(mod);
	free(ksft);
	free(work);
	free(data);
	free(store);
	free(root);
	return v;
}

/* argv after the sandbox's, as one list (caller frees the list only). */
char **
kbox_wrap(struct kjob *k, char **argv)
{
	char **v;
	size_t n, m, i;

	for (n = 0; k->box != NULL && k->box[n] != NULL; n++)
		;
	for (m = 0; argv[m] != NULL; m++)
		;
	v = xcalloc(n + m + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = k->box[i];
	for (i = 0; i < m; i++)
		v[n + i] = argv[i];
	return v;
}

/*
 * Run argv of the tree in src/, in the sandbox when there is one; then
 * kill whatever it left behind (without a sandbox, a daemon it started
 * is still below us: see proc_subreaper()).
 */
static enum proc_end
run_boxed(struct kjob *k, char **argv, int *code)
{
	enum proc_end end;
	char **v;

	v = kbox_wrap(k, argv);
	end = proc_run(v, "src", k->log_fd, k->deadline, code);
	free(v);
	proc_kill_descendants();
	return end;
}

/*
 * Decide on the sandbox: bubblewrap when it works here; without it,
 * "auto" builds anyway (and says so), "require" refuses.
 */
enum kstatus
kbox_setup(struct kjob *k)
{
	char *bwrap, **v, *probe[2];
	const char *why;
	enum proc_end end;
	int code;

	json_object_set_new(k->result, "sandbox", json_string("none"));
	if (strcmp(k->sandbox_mode, "off") == 0) {
		kjob_log(k, "no sandbox (settings.sandbox: off): the tree's "
		    "code runs as this user");
		return K_PASS;
	}
	if (fs_mkdir_p("src") != 0 || fs_mkdir_p("modroot") != 0 ||
	    fs_mkdir_p("kselftest") != 0)
		return kjob_fail(k, K_INFRA, "disk", "cannot create src/, "
		    "modroot/ and kselftest/ in '%s'", k->work);
	bwrap = proc_which("bwrap");
	why = "bwrap is not installed (Debian's bubblewrap)";
	code = -1;
	if (bwrap != NULL) {
		k->box = box_argv(k, bwrap);
		probe[0] = (char *)"true";
		probe[1] = NULL;
		v = kbox_wrap(k, probe);
		end = proc_run(v, "src", k->log_fd, now_monotonic() + 30,
		    &code);
		free(v);
		why = "bwrap cannot make a sandbox here (user namespaces "
		    "may be off)";
		if (end != PROC_EXITED || code != 0) {
			kbox_free_argv(k->box);
			k->box = NULL;
		}
	}
	free(bwrap);
	if (k->box != NULL) {
		json_object_set_new(k->result, "sandbox", json_string("bwrap"));
		return K_PASS;
	}
	if (strcmp(k->sandbox_mode, "require") == 0)
		return kjob_fail(k, K_INFRA, "sandbox", "%s, and "
		    "settings.sandbox is require", why);
	kjob_log(k, "warning: building without a sandbox: %s; the tree's code "
	    "runs as this user", why);
	return K_PASS;
}

/* Run one step in src/; a non-zero exit is a build failure. */
enum kstatus
kbox_step(struct kjob *k, char **argv, const char *what)
{
	enum proc_end end;
	size_t i;
	int code;

	dprintf(k->log_fd, "$");
	for (i = 0; argv[i] != NULL; i++)
		dprintf(k->log_fd, " %s", argv[i]);
	dprintf(k->log_fd, "\n");
	end = run_boxed(k, argv, &code);
	if (end == PROC_TIMEOUT)
		return kjob_fail(k, K_INFRA, "timeout", "%s: killed after the "
		    "job's timeout of %lds", what, k->timeout);
	if (end == PROC_ERROR)
		return kjob_fail(k, K_INFRA, "exec", "%s: cannot run %s", what,
		    argv[0]);
	if (code != 0) {
		json_object_set_new(k->result, "exit_code", json_integer(code));
		return kjob_fail(k, K_FAIL, "build", "%s exited with %d", what,
		    code);
	}
	return K_PASS;
}
