/*
 * kbuild.c: kernel build definitions: arch facts, the job definition
 * the jobs stage writes, and the reproducer made from it.  The worker
 * that runs a definition is kbuild_worker.c.
 */
#include "buf.h"
#include "config.h"
#include "fs.h"
#include "kbuild.h"
#include "log.h"
#include "runtime.h"
#include "safe.h"
#include "storage.h"
#include "ynode.h"
#include "util.h"

struct arch_info {
	const char	*arch;		/* KCIDB architecture */
	const char	*make_arch;	/* ARCH= */
	const char	*srcarch;	/* arch/<srcarch>/ */
	const char	*image;
	const char	*targets[4];
};

static const struct arch_info arches[] = {
	{ "x86_64", "x86_64", "x86", "arch/x86/boot/bzImage",
	    { "bzImage", "modules", NULL, NULL } },
	{ "i386", "i386", "x86", "arch/x86/boot/bzImage",
	    { "bzImage", "modules", NULL, NULL } },
	{ "arm64", "arm64", "arm64", "arch/arm64/boot/Image",
	    { "Image", "modules", "dtbs", NULL } },
	{ "arm", "arm", "arm", "arch/arm/boot/zImage",
	    { "zImage", "modules", "dtbs", NULL } },
	{ "riscv", "riscv", "riscv", "arch/riscv/boot/Image",
	    { "Image", "modules", "dtbs", NULL } },
	{ "powerpc", "powerpc", "powerpc", "vmlinux",
	    { "vmlinux", "modules", NULL, NULL } },
	{ "mips", "mips", "mips", "vmlinux",
	    { "vmlinux", "modules", NULL, NULL } },
};

static const struct arch_info *
arch_info(const char *arch)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (strcmp(arches[i].arch, arch) == 0)
			return &arches[i];
	return NULL;
}

int
kbuild_arch_known(const char *arch)
{
	return arch != NULL && arch_info(arch) != NULL;
}

const char *
kbuild_arch_hint(const char *arch)
{
	/* toolchain triplets' and Debian's names for the kernel's */
	static const char *const alias[][2] = {
		{ "aarch64", "arm64" }, { "arm64be", "arm64" },
		{ "amd64", "x86_64" }, { "x86", "x86_64" }, { "x64", "x86_64" },
		{ "i686", "i386" }, { "i586", "i386" }, { "x86_32", "i386" },
		{ "riscv64", "riscv" }, { "riscv32", "riscv" },
		{ "armhf", "arm" }, { "armel", "arm" }, { "armv7", "arm" },
		{ "ppc", "powerpc" }, { "ppc64", "powerpc" },
		{ "ppc64el", "powerpc" }, { "ppc64le", "powerpc" },
		{ "powerpc64", "powerpc" }, { "powerpc64le", "powerpc" },
		{ "mips64", "mips" }, { "mipsel", "mips" },
		{ "mips64el", "mips" },
	};
	struct str_closest c = STR_CLOSEST_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(alias); i++)
		if (strcmp(alias[i][0], arch) == 0)
			return alias[i][1];
	for (i = 0; i < ARRAY_SIZE(arches); i++)
		str_closest_offer(&c, arch, arches[i].arch);
	return str_closest_best(&c, strlen(arch) / 4 + 1);
}

char *
kbuild_arch_list(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arches); i++)
		buf_addf(&b, "%s%s", i ? ", " : "", arches[i].arch);
	return buf_detach(&b, NULL);
}

const char *
kbuild_make_arch(const char *arch)
{
	const struct arch_info *a = arch_info(arch);

	return a ? a->make_arch : arch;
}

const char *
kbuild_image(const char *arch)
{
	const struct arch_info *a = arch_info(arch);

	return a ? a->image : "vmlinux";
}

const char *
kbuild_srcarch(const char *arch)
{
	const struct arch_info *a = arch_info(arch);

	return a ? a->srcarch : arch;
}

char *
kbuild_kconfig_name(const struct build_cfg *b)
{
	struct buf s = BUF_INIT;
	char *const *f;
	int inline_done;

	buf_puts(&s, b->defconfig);
	inline_done = 0;
	for (f = b->fragments; f && *f; f++) {
		if (str_starts(*f, "CONFIG_")) {
			if (!inline_done)
				buf_puts(&s, "+inline");
			inline_done = 1;
			continue;
		}
		buf_addf(&s, "+%s", *f);
		if (str_ends(s.ptr, ".config"))
			buf_setlen(&s, s.len - strlen(".config"));
	}
	return buf_detach(&s, NULL);
}

static struct ynode *
str_seq(char *const *list)
{
	struct ynode *seq;

	seq = ynode_seq();
	for (; list && *list; list++)
		ynode_push(seq, ynode_scalar(*list));
	return seq;
}

/* The fragments as {name, config} pairs, inline lines gathered in one. */
static struct ynode *
fragments(const struct config *cfg, const struct build_cfg *b, int *err)
{
	struct buf in = BUF_INIT, file = BUF_INIT;
	struct ynode *seq, *m;
	char *const *f;
	char *path, *name;

	seq = ynode_seq();
	for (f = b->fragments; f && *f; f++) {
		if (str_starts(*f, "CONFIG_")) {
			buf_addf(&in, "%s\n", *f);
			continue;
		}
		path = config_fragment_path(cfg, *f);
		buf_reset(&file);
		if (buf_read_file(&file, path) != 0) {
			error("build %s: cannot read fragment '%s': %s",
			    b->name, path, strerror(errno));
			*err = 1;
			free(path);
			continue;
		}
		free(path);
		name = xstrdup(*f);
		if (str_ends(name, ".config"))
			name[strlen(name) - strlen(".config")] = '\0';
		m = ynode_push(seq, ynode_map());
		ynode_set_str(m, "name", name);
		m = ynode_set(m, "config", ynode_scalar(file.ptr));
		m->literal = 1;
		free(name);
	}
	if (in.len > 0) {
		m = ynode_push(seq, ynode_map());
		ynode_set_str(m, "name", "inline");
		m = ynode_set(m, "config", ynode_scalar(in.ptr));
		m->literal = 1;
	}
	buf_release(&in);
	buf_release(&file);
	return seq;
}

/*
 * The tarball as a file, for a build on this machine: its URL is the
 * public one under storage.url, but a worker here reads it from
 * storage.path instead of asking a web server (which may not serve it
 * yet, or be this machine reached the long way round).  NULL otherwise.
 */
static char *
local_tarball(const struct config *cfg, const struct build_cfg *b,
    const char *url)
{
	const char *rel;
	char *file, *path;

	rel = storage_rel(cfg, url);
	if (rel == NULL || !runtime_is_local(cfg, b->runtime))
		return NULL;
	file = fs_join(cfg->storage_path, rel);
	path = fs_absolute(file);
	free(file);
	return path;
}

char *
kbuild_ccache_dir(const struct config *cfg, const char *tree,
    const char *arch)
{
	char *t, *a, *name, *base, *dir, *abs;

	/*
	 * Each part through the one sanitiser: arches are the table's,
	 * none with a '-', so "<tree>-<arch>" names one pair only.
	 */
	t = safe_name(tree, SAFE_NAME_MAX);
	a = safe_name(arch, 40);
	name = xasprintf("%s-%s", t, a);
	base = config_data_path(cfg, "ccache");
	dir = fs_join(base, name);
	/* the worker runs in its work directory: a relative one is lost */
	abs = fs_absolute(dir);
	free(t);
	free(a);
	free(name);
	free(base);
	free(dir);
	return abs;
}

int
kbuild_uses_ccache(const struct config *cfg, const char *kind)
{
	/* neighbouring steps differ in a few files: most objects hit */
	if (kind != NULL && strcmp(kind, "bisect") == 0)
		return 1;
	return cfg->ccache;
}

struct ynode *
kbuild_definition(const struct config *cfg, const char *id,
    const struct build_cfg *b, const struct kbuild_checkout *co)
{
	const struct arch_info *ai;
	struct ynode *def, *m, *t;
	char *store, *abs, *url;
	size_t i;
	int err;

	err = 0;
	ai = arch_info(b->arch);
	def = ynode_map();
	ynode_set_str(def, "kind", "kbuild");
	ynode_set_str(def, "id", id);
	m = ynode_set(def, "checkout", ynode_map());
	ynode_set(m, "id", ynode_int(co->id));
	ynode_set_str(m, "tree", co->tree);
	ynode_set_str(m, "branch", co->branch);
	ynode_set_str(m, "commit", co->commit);
	ynode_set_str(m, "describe", co->describe);
	m = ynode_set(def, "tarball", ynode_map());
	ynode_set_str(m, "url", co->tarball_url);
	abs = local_tarball(cfg, b, co->tarball_url);
	if (abs != NULL)
		ynode_set_str(m, "path", abs);
	free(abs);
	ynode_set_str(m, "sha256", co->tarball_sha256);
	m = ynode_set(def, "build", ynode_map());
	ynode_set_str(m, "name", b->name);
	ynode_set_str(m, "arch", b->arch);
	ynode_set_str(m, "make_arch", kbuild_make_arch(b->arch));
	ynode_set_str(m, "compiler", b->compiler);
	if (b->cross_compile != NULL)
		ynode_set_str(m, "cross_compile", b->cross_compile);
	ynode_set_str(m, "defconfig", b->defconfig);
	ynode_set(m, "fragments", fragments(cfg, b, &err));
	if (b->targets != NULL)
		ynode_set(m, "targets", str_seq(b->targets));
	else {
		t = ynode_set(m, "targets", ynode_seq());
		for (i = 0; ai != NULL && i < 4 && ai->targets[i]; i++)
			ynode_push(t, ynode_scalar(ai->targets[i]));
		if (ai == NULL)
			ynode_push(t, ynode_scalar("all"));
	}
	ynode_set(m, "timeout", ynode_int(b->timeout));	/* seconds */
	ynode_set_str(m, "sandbox", cfg->sandbox);
	if (kbuild_uses_ccache(cfg, co->kind)) {
		abs = kbuild_ccache_dir(cfg, co->tree, b->arch);
		ynode_set_str(m, "ccache", abs);
		free(abs);
	}
	if (b->kselftest != NULL)
		ynode_set(m, "kselftest", str_seq(b->kselftest));
	t = ynode_set(def, "artifacts", ynode_seq());
	ynode_push(t, ynode_scalar("kernel"));
	ynode_push(t, ynode_scalar("modules"));
	ynode_push(t, ynode_scalar("dtbs"));
	if (b->kselftest != NULL)
		ynode_push(t, ynode_scalar("kselftest"));
	ynode_push(t, ynode_scalar("config"));
	ynode_push(t, ynode_scalar("System.map"));
	ynode_push(t, ynode_scalar("build.log"));
	ynode_push(t, ynode_scalar("metadata.json"));
	store = xasprintf("builds/%s/", id);
	url = storage_url(cfg, store);
	free(store);
	store = xasprintf("%s/builds/%s", cfg->storage_path, id);
	abs = fs_absolute(store);
	m = ynode_set(def, "storage", ynode_map());
	ynode_set_str(m, "path", abs);
	ynode_set_str(m, "url", url);
	free(store);
	free(abs);
	free(url);
	if (err) {
		ynode_free(def);
		return NULL;
	}
	return def;
}

/* Where the reproducer installs kselftest: beside linux/, absolute. */
#define REPRO_KSFT	"INSTALL_PATH=$(pwd)/../kselftest"

/*
 * One word of the reproducer, quoted by the one quoting function; only
 * our own "-j$(nproc)" and REPRO_KSFT are left for the shell to expand.
 */
static void
shell_quote(struct buf *b, const char *s)
{
	if (strcmp(s, "-j$(nproc)") == 0 || strcmp(s, REPRO_KSFT) == 0)
		buf_puts(b, s);
	else
		safe_shell_word(b, s);
}

/* "make ARCH=<a> [CROSS_COMPILE=<c>] [LLVM=1] words..." of the reproducer. */
static void
repro_make(struct buf *b, const struct ynode *build, const char *const *words)
{
	const char *cross, *cc;
	char *a;

	buf_puts(b, " && make ");
	a = xasprintf("ARCH=%s", ynode_str(build, "make_arch"));
	shell_quote(b, a);
	free(a);
	cross = ynode_str(build, "cross_compile");
	if (cross != NULL && *cross) {
		a = xasprintf("CROSS_COMPILE=%s", cross);
		buf_putc(b, ' ');
		shell_quote(b, a);
		free(a);
	}
	cc = ynode_str(build, "compiler");
	if (cc != NULL && strcmp(cc, "clang") == 0)
		buf_puts(b, " LLVM=1");
	for (; *words != NULL; words++) {
		buf_putc(b, ' ');
		shell_quote(b, *words);
	}
}

char *
kbuild_reproducer(const struct ynode *def)
{
	const struct ynode *t, *build, *frags, *targets, *f;
	const char *url, *sha, *ext, *defconfig, *name, *text;
	const char *words[3];
	char *ksft;
	struct buf b = BUF_INIT;
	char *file;
	size_t i;

	t = ynode_get(def, "tarball");
	build = ynode_get(def, "build");
	url = ynode_str(t, "url");
	sha = ynode_str(t, "sha256");
	defconfig = ynode_str(build, "defconfig");
	targets = ynode_get(build, "targets");
	if (url == NULL || sha == NULL || defconfig == NULL ||
	    ynode_str(build, "make_arch") == NULL || targets == NULL ||
	    targets->type != YNODE_SEQ)
		return NULL;
	/* the tarball under a fixed name, checked, unpacked into linux/ */
	ext = str_ends(url, ".zst") ? "zst" : str_ends(url, ".xz") ? "xz" :
	    "gz";
	buf_addf(&b, "curl -fsSL -o source.tar.%s ", ext);
	shell_quote(&b, url);
	buf_puts(&b, " && printf '%s  %s\\n' ");
	shell_quote(&b, sha);
	buf_addf(&b, " source.tar.%s | sha256sum -c - && mkdir linux && "
	    "tar -xf source.tar.%s -C linux --strip-components=1 && cd linux",
	    ext, ext);
	words[0] = defconfig;
	words[1] = NULL;
	repro_make(&b, build, words);
	frags = ynode_get(build, "fragments");
	if (frags != NULL && frags->type == YNODE_SEQ && frags->n > 0) {
		/* the same fragment files the worker writes */
		for (i = 0; i < frags->n; i++) {
			f = frags->items[i];
			name = ynode_str(f, "name");
			text = ynode_str(f, "config");
			file = xasprintf("%02zu-%s.config", i, name ? name : "x");
			buf_puts(&b, " && printf %s ");
			shell_quote(&b, text ? text : "");
			buf_puts(&b, " > ");
			shell_quote(&b, file);
			free(file);
		}
		buf_puts(&b, " && scripts/kconfig/merge_config.sh -m .config");
		for (i = 0; i < frags->n; i++) {
			name = ynode_str(frags->items[i], "name");
			file = xasprintf("%02zu-%s.config", i, name ? name : "x");
			buf_putc(&b, ' ');
			shell_quote(&b, file);
			free(file);
		}
		words[0] = "olddefconfig";
		repro_make(&b, build, words);
	}
	/* every make word quoted, but for our own -j$(nproc) */
	repro_make(&b, build, (const char *const []){ "-j$(nproc)", NULL });
	for (i = 0; i < targets->n; i++) {
		if (targets->items[i]->type != YNODE_SCALAR)
			continue;
		buf_putc(&b, ' ');
		shell_quote(&b, targets->items[i]->value);
	}
	ksft = kbuild_kselftest_targets(def);
	if (ksft != NULL) {
		repro_make(&b, build, (const char *const []){ "-C",
		    "tools/testing/selftests", "-j$(nproc)", ksft, "install",
		    REPRO_KSFT, NULL });
		free(ksft);
	}
	return buf_detach(&b, NULL);
}

char *
kbuild_kselftest_targets(const struct ynode *def)
{
	const struct ynode *k;
	struct buf b = BUF_INIT;
	size_t i;

	k = ynode_get(ynode_get(def, "build"), "kselftest");
	if (k == NULL || k->type != YNODE_SEQ || k->n == 0)
		return NULL;
	buf_puts(&b, "TARGETS=");
	for (i = 0; i < k->n; i++)
		if (k->items[i]->type == YNODE_SCALAR)
			buf_addf(&b, "%s%s", i ? " " : "", k->items[i]->value);
	return buf_detach(&b, NULL);
}
