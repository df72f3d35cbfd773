/*
 * t-config.c: the config directory: merging, defaults, and every kind of
 * error with its file:line:col.
 */
#include "tap.h"
#include "config.h"
#include "fs.h"
#include "log.h"
#include "util.h"

static const char *good_trees =
	"trees:\n"
	"  mainline:\n"
	"    url: https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/"
	"linux.git\n"
	"    branches: [master]\n"
	"  stable:\n"
	"    url: /srv/git/stable.git\n"
	"    branches: [linux-6.1.y, feature/x]\n";

/* Load a directory holding the given files; return stderr output. */
static char *
load(struct config **out, const char *name1, const char *text1,
    const char *name2, const char *text2)
{
	struct config *cfg;
	char *dir, *err;

	dir = tap_tmpdir();
	if (name1 != NULL)
		tap_write(dir, name1, text1);
	if (name2 != NULL)
		tap_write(dir, name2, text2);
	capture_start();
	cfg = config_load(dir);
	err = capture_end();
	if (out != NULL)
		*out = cfg;
	else
		config_free(cfg);
	fs_remove_tree(dir);
	free(dir);
	return err;
}

static void
test_good(void)
{
	struct config *cfg;
	char *err;

	err = load(&cfg, "a.yaml", good_trees, "b.yaml",
	    "settings:\n  origin: my_lab\n  retries: 5\n"
	    "  tarball: {compression: zst}\n"
	    "labs:\n  lab1:\n    type: lava\n    url: https://lava.example\n"
	    "    token_env: LAVA_TOKEN\n    priority: high\n");
	ok(cfg != NULL, "a good config loads");
	if (cfg == NULL) {
		printf("# %s", err);
		free(err);
		return;
	}
	is_str(err, "", "and prints nothing");
	is_int(cfg->ntrees, 2, "two trees merged from two files");
	is_str(cfg->trees[1].branches[1], "feature/x", "branch with '/'");
	is_str(cfg->origin, "my_lab", "origin");
	is_int(cfg->retries, 5, "retries");
	is_str(cfg->compression, "zst", "compression");
	is_str(cfg->data_dir, "var", "data_dir defaults to var");
	is_str(cfg->storage_path, "var/storage", "storage below data_dir");
	ok(str_starts(cfg->storage_url, "file:///") &&
	    str_ends(cfg->storage_url, "/var/storage/"),
	    "storage url defaults to file://");
	is_str(cfg->site_path, "public", "site path default");
	ok(config_lab(cfg, "local") != NULL, "the local lab always exists");
	is_str(config_lab(cfg, "lab1")->token_env, "LAVA_TOKEN", "token_env");
	config_free(cfg);
	free(err);
}

static void
expect_error(const char *what, const char *text, const char *want)
{
	struct config *cfg;
	char *err;

	err = load(&cfg, "c.yaml", text, NULL, NULL);
	ok(cfg == NULL, what);
	contains(err, want, what);
	config_free(cfg);
	free(err);
}

static void
test_errors(void)
{
	char *err;

	expect_error("YAML syntax error",
	    "trees:\n  a:\n    url: [x\n", "c.yaml:4:1: error:");
	expect_error("unknown key with a suggestion",
	    "trees:\n  a:\n    url: x\n    brnaches: [m]\n",
	    "c.yaml:4:5: error: unknown key 'brnaches' in trees.a "
	    "(did you mean 'branches'?)");
	expect_error("missing required key",
	    "trees:\n  a:\n    url: x\n",
	    "c.yaml:3:5: error: trees.a: missing required key 'branches'");
	expect_error("unknown top-level key",
	    "treees: {}\n", "c.yaml:1:1: error: unknown key 'treees' in the top "
	    "level (did you mean 'trees'?)");
	expect_error("storage at top level points to settings",
	    "storage: {path: x}\n", "did you mean 'settings.storage'?");
	expect_error("wrong type: list for a string",
	    "trees:\n  a:\n    url: [x]\n    branches: [m]\n",
	    "c.yaml:3:10: error: trees.a.url must be a string, not a list");
	expect_error("wrong type: string for a list",
	    "trees:\n  a:\n    url: x\n    branches: master\n",
	    "c.yaml:4:15: error: trees.a.branches must be a list");
	expect_error("wrong type: not a number",
	    "settings:\n  retries: three\n",
	    "c.yaml:2:12: error: settings.retries must be a whole number, "
	    "not 'three'");
	expect_error("bad tree name",
	    "trees:\n  Main Line:\n    url: x\n    branches: [m]\n",
	    "c.yaml:2:3: error: trees name 'Main Line' must match "
	    "^[a-z0-9_-]+$");
	expect_error("bad origin",
	    "settings:\n  origin: my-lab\n",
	    "c.yaml:2:11: error: settings.origin 'my-lab' must match "
	    "^[a-z0-9_]+$");
	expect_error("a secret in config",
	    "labs:\n  l:\n    type: lava\n    url: u\n    token: abc\n",
	    "secrets never live in config");
	expect_error("token_env holding a secret",
	    "labs:\n  l:\n    type: lava\n    url: u\n"
	    "    token_env: 0123abcdef\n", "must name an environment variable");
	err = load(NULL, "c.yaml", "labs:\n  l:\n    type: lava\n    url: u\n"
	    "    token_env: 0123abcdef\n", NULL, NULL);
	ok(strstr(err, "0123abcdef") == NULL, "and never shows it");
	free(err);
	expect_error("bad enum",
	    "settings:\n  tarball: {compression: bz2}\n",
	    "compression 'bz2' is not one of: gz, xz, zst");
	expect_error("bad branch name",
	    "trees:\n  a:\n    url: x\n    branches: ['a..b']\n",
	    "'a..b' is not a valid branch name");
	expect_error("dangling reference",
	    "builds:\n  b:\n    arch: x86_64\n    runtime: nowhere\n",
	    "c.yaml:4:14: error: builds.b.runtime 'nowhere' is not a lab");
	expect_error("not a mapping",
	    "- a\n- b\n", "must be a mapping of top-level keys");
	/* found by fuzz-config: every loader walked the list as a map */
	expect_error("a list where named trees belong",
	    "trees:\n  - t\n", "trees must be a mapping of named entries");
	expect_error("a list where named builds belong",
	    "builds:\n  - b\n", "builds must be a mapping of named entries");
	expect_error("a list where named platforms belong",
	    "platforms:\n  - p\n", "platforms must be a mapping of named");
	expect_error("a list where named labs belong",
	    "labs:\n  - l\n", "labs must be a mapping of named entries");
	expect_error("a list where named tests belong",
	    "tests:\n  - t\n", "tests must be a mapping of named entries");
	expect_error("a duration past a week",
	    "builds:\n  b:\n    arch: x86_64\n    timeout: 999999h\n",
	    "c.yaml:4:14: error: builds.b.timeout '999999h' is longer than a "
	    "week");
	expect_error("a number out of its range",
	    "settings:\n  retries: 1000\n",
	    "settings.retries must be between 0 and 100, not 1000");
	expect_error("build_env naming a secret",
	    "settings:\n  build_env: [T_TOK]\n  kcidb: {token_env: T_TOK}\n",
	    "settings.build_env: 'T_TOK' holds a secret");
	expect_error("build_env that is no variable name",
	    "settings:\n  build_env: [lower]\n",
	    "'lower' is not an environment variable name");

	err = load(NULL, "a.yaml", good_trees, "b.yaml",
	    "# other\ntrees:\n  x:\n    url: y\n    branches: [m]\n");
	contains(err, "b.yaml:2:1: error: top-level key 'trees' is defined "
	    "twice: here and at ", "a key in two files names both");
	contains(err, "a.yaml:1:1", "with the first file:line");
	free(err);

	err = load(NULL, NULL, NULL, NULL, NULL);
	contains(err, "no *.yaml files", "an empty directory is an error");
	free(err);

	err = load(NULL, "a.yaml", "trees:\n  a:\n    url: [x\n", "b.yaml",
	    "settings:\n  retries: x\n");
	contains(err, "a.yaml:4:1", "errors in several files: the first");
	contains(err, "b.yaml:2:12", "and the second");
	free(err);
}

/* The build keys checked against the kbuild arch table and the labs. */
static void
test_builds(void)
{
	struct config *cfg;
	char *err, *dir, *path;

	err = load(&cfg, "c.yaml",
	    "builds:\n  a:\n    arch: arm64\n    compiler: clang\n"
	    "    kselftest: [size, timers, net-x_1]\n"
	    "  b:\n    arch: riscv\n    cross_compile: riscv64-linux-gnu-\n",
	    NULL, NULL);
	ok(cfg != NULL, "arm64 and riscv builds with kselftest load");
	if (cfg == NULL) {
		printf("# %s", err);
		free(err);
		return;
	}
	is_str(err, "", "and print nothing");
	ok(cfg->builds[0].kselftest != NULL &&
	    strcmp(cfg->builds[0].kselftest[1], "timers") == 0 &&
	    cfg->builds[0].kselftest[3] == NULL, "the collections, in order");
	ok(cfg->builds[1].kselftest == NULL, "none when the key is absent");
	config_free(cfg);
	free(err);

	expect_error("kselftest that is no list",
	    "builds:\n  b:\n    arch: x86_64\n    kselftest: size\n",
	    "c.yaml:4:16: error: builds.b.kselftest must be a list");
	expect_error("an empty kselftest list",
	    "builds:\n  b:\n    arch: x86_64\n    kselftest: []\n",
	    "c.yaml:4:16: error: builds.b.kselftest is empty");
	expect_error("a kselftest collection that is no name",
	    "builds:\n  b:\n    arch: x86_64\n"
	    "    kselftest: [size, 'net/forwarding']\n",
	    "c.yaml:4:23: error: builds.b.kselftest: collection "
	    "'net/forwarding' must match ^[a-z0-9_-]+$");
	expect_error("a kselftest collection in capitals",
	    "builds:\n  b:\n    arch: x86_64\n    kselftest: [Size]\n",
	    "collection 'Size' must match");

	expect_error("a toolchain's arch name",
	    "builds:\n  b:\n    arch: aarch64\n",
	    "c.yaml:3:11: error: builds.b.arch 'aarch64' is not an "
	    "architecture the builds know (did you mean 'arm64'? use the "
	    "kernel's ARCH names: x86_64, i386, arm64, arm, riscv, powerpc, "
	    "mips)");
	expect_error("Debian's arch name",
	    "builds:\n  b:\n    arch: riscv64\n", "(did you mean 'riscv'?");
	expect_error("amd64",
	    "builds:\n  b:\n    arch: amd64\n", "(did you mean 'x86_64'?");
	expect_error("a typo",
	    "builds:\n  b:\n    arch: x86_46\n", "(did you mean 'x86_64'?");
	expect_error("an arch nothing is close to",
	    "builds:\n  b:\n    arch: sparc64\n",
	    "builds.b.arch 'sparc64' is not an architecture the builds know "
	    "(one of: x86_64,");

	expect_error("a kselftest test on a build without the collection",
	    "builds:\n  a:\n    arch: x86_64\n    kselftest: [size]\n"
	    "  b:\n    arch: arm64\n    kselftest: [size]\n"
	    "platforms:\n  p:\n    arch: x86_64\n    device_type: qemu\n"
	    "    boot_method: qemu\n"
	    "tests:\n  k:\n    template: kselftest\n    platforms: [p]\n"
	    "    params:\n      collections: \"size timers\"\n",
	    "c.yaml:18:20: error: tests.k: build 'a' does not install the "
	    "kselftest collection 'timers' (add it to builds.a.kselftest)");
	expect_error("a kselftest test on a build with no kselftest",
	    "builds:\n  a:\n    arch: x86_64\n"
	    "platforms:\n  p:\n    arch: x86_64\n    device_type: qemu\n"
	    "    boot_method: qemu\n"
	    "tests:\n  k:\n    template: kselftest\n    builds: [a]\n"
	    "    platforms: [p]\n    params:\n      collections: size\n",
	    "tests.k: build 'a' does not install the kselftest collection "
	    "'size'");
	/* with the plan in the config's own templates/ */
	dir = tap_tmpdir();
	path = xasprintf("%s/templates/test", dir);
	fs_mkdir_p(path);
	free(path);
	tap_write(dir, "templates/test/kselftest.yaml", "actions: []\n");
	tap_write(dir, "c.yaml",
	    "builds:\n  a:\n    arch: x86_64\n    kselftest: [size, timers]\n"
	    "  b:\n    arch: arm64\n"
	    "platforms:\n  p:\n    arch: x86_64\n    device_type: qemu\n"
	    "    boot_method: qemu\n"
	    "tests:\n  k:\n    template: kselftest\n    platforms: [p]\n"
	    "    params:\n      collections: \"timers  size\"\n");
	capture_start();
	cfg = config_load(dir);
	err = capture_end();
	ok(cfg != NULL, "collections every build of the test's arch "
	    "installs load; a build of another arch is not asked");
	if (cfg == NULL)
		printf("# %s", err);
	config_free(cfg);
	free(err);
	fs_remove_tree(dir);
	free(dir);

	expect_error("a rootfs we do not make",
	    "builds:\n  a:\n    arch: x86_64\n"
	    "platforms:\n  p:\n    arch: x86_64\n    device_type: qemu\n"
	    "    boot_method: qemu\n"
	    "tests:\n  k:\n    template: smoke\n    platforms: [p]\n"
	    "    params:\n      rootfs: debain\n",
	    "c.yaml:14:15: error: tests.k.params.rootfs: busybox or debian "
	    "(or give the test its own ramdisk_url)");

	expect_error("a build on a lava lab",
	    "labs:\n  lab1:\n    type: lava\n    url: https://lava.example\n"
	    "  big:\n    type: local\n"
	    "builds:\n  b:\n    arch: x86_64\n    runtime: lab1\n",
	    "c.yaml:10:14: error: builds.b.runtime 'lab1' is a lava lab, which "
	    "cannot run builds (it only runs tests); labs that can build: "
	    "'big' (local), 'local' (local)");
	err = load(&cfg, "c.yaml",
	    "labs:\n  p:\n    type: pull\n    path: /srv/pull\n"
	    "builds:\n  b:\n    arch: x86_64\n    runtime: p\n", NULL, NULL);
	ok(cfg != NULL, "a build on a pull lab, for an outside executor");
	config_free(cfg);
	free(err);
	expect_error("a build on a lab that is not there",
	    "builds:\n  b:\n    arch: x86_64\n    runtime: nowhere\n",
	    "c.yaml:4:14: error: builds.b.runtime 'nowhere' is not a lab in "
	    "'labs'");

	err = load(&cfg, "c.yaml",
	    "labs:\n  farm:\n    type: slurm\n    partition: build\n"
	    "    cpus: 8\n    memory: 16G\n    time: 90\n"
	    "builds:\n  b:\n    arch: x86_64\n    runtime: farm\n"
	    "    slurm:\n      cpus: 32\n      time: 3h\n", NULL, NULL);
	ok(cfg != NULL, "a slurm lab, and a build's own requests");
	if (cfg != NULL) {
		const struct batch_req *l = &config_lab(cfg, "farm")->slurm;
		const struct batch_req *r = &config_build(cfg, "b")->slurm;

		ok(strcmp(l->partition, "build") == 0 && l->cpus == 8 &&
		    strcmp(l->memory, "16G") == 0 && l->time == 90 * 60,
		    "the lab's requests");
		ok(r->cpus == 32 && r->time == 3 * 3600 && r->memory == NULL &&
		    r->partition == NULL, "the build's, the rest left unset");
	}
	config_free(cfg);
	free(err);
	expect_error("a slurm partition that is no name",
	    "labs:\n  farm:\n    type: slurm\n    partition: a b\n",
	    "c.yaml:4:16: error: labs.farm.partition 'a b' must match "
	    "^[A-Za-z0-9_.-]+$");
	expect_error("a build's memory that is no size",
	    "labs:\n  farm:\n    type: slurm\n"
	    "builds:\n  b:\n    arch: x86_64\n    runtime: farm\n"
	    "    slurm:\n      memory: 4GB\n",
	    "c.yaml:9:15: error: builds.b.slurm.memory '4GB' must be a "
	    "number of megabytes, or one with K, M, G or T");
	expect_error("a slurm key of the wrong type",
	    "labs:\n  farm:\n    type: slurm\n    cpus: many\n",
	    "labs.farm.cpus");
	expect_error("a test on a lab that runs builds only",
	    "labs:\n  farm:\n    type: slurm\n"
	    "builds:\n  a:\n    arch: x86_64\n"
	    "platforms:\n  p:\n    arch: x86_64\n    device_type: qemu\n"
	    "    boot_method: qemu\n"
	    "tests:\n  k:\n    template: smoke\n    platforms: [p]\n"
	    "    lab: farm\n",
	    "c.yaml:16:10: error: tests.k.lab 'farm' is a slurm lab, which "
	    "runs builds only; name a lab that runs tests");
}

static void
test_rules(void)
{
	struct rules r;
	char t1[] = "main*", b1[] = "master", b2[] = "linux-6.*";
	char *trees[] = { t1, NULL };
	char *branches[] = { b1, b2, NULL };

	memset(&r, 0, sizeof(r));
	ok(config_rules_match(&r, "x", "y", 6, 1, 0, NULL), "no rules: all");
	r.trees = trees;
	r.branches = branches;
	ok(config_rules_match(&r, "mainline", "master", 6, 1, 0, NULL),
	    "glob tree and branch");
	ok(!config_rules_match(&r, "next", "master", 6, 1, 0, NULL),
	    "tree filter");
	ok(config_rules_match(&r, "mainline", "linux-6.1.y", 6, 1, 0, NULL),
	    "branch glob");
	r.min_version = (char *)"5.10";
	r.max_version = (char *)"6.1";
	ok(config_rules_match(&r, "mainline", "master", 6, 1, 99, NULL),
	    "6.1.99 is within 5.10..6.1");
	ok(!config_rules_match(&r, "mainline", "master", 5, 4, 0, NULL),
	    "5.4 is below 5.10");
	ok(!config_rules_match(&r, "mainline", "master", 6, 2, 0, NULL),
	    "6.2 is above 6.1");
	is_int(config_version_cmp(6, 1, 5, "6.1.5"), 0, "equal versions");
	ok(config_version_cmp(6, 1, 5, "6.1.10") < 0, "numeric compare");
}

/* Known issues, settings.email and report_to. */
static void
test_triage(void)
{
	const struct issue_cfg *x;
	struct config *cfg;
	char *err, h1[17];

	err = load(&cfg, "a.yaml", good_trees, "b.yaml",
	    "issues:\n  usb-timeout:\n    title: USB times out\n"
	    "    report_url: https://lore.kernel.org/x\n    culprit: harness\n"
	    "    match: {platform: 'rk*', path: boot, log: 'dwc3 .*: timed "
	    "out'}\n  plain:\n    title: t\n    match: {tree: mainline}\n"
	    "settings:\n  issues: {stale_days: 7}\n  email:\n"
	    "    from: 'CI <ci@example.org>'\n    smtp_url: smtps://mx:465\n"
	    "    user: ci\n    token_env: SMTP_PASSWORD\n    digest: friday\n"
	    "    report_to_authors: true\n");
	ok(cfg != NULL, "issues and email load");
	if (cfg == NULL) {
		printf("# %s", err);
		free(err);
		return;
	}
	is_int(cfg->nissues, 2, "two issues");
	x = config_issue(cfg, "usb-timeout");
	ok(x != NULL && x->log_re != NULL, "its log regex is compiled");
	is_str(x ? x->culprit : NULL, "harness", "culprit");
	is_str(x ? x->platform : NULL, "rk*", "a platform glob");
	ok(x != NULL && x->tree == NULL && x->build == NULL,
	    "keys not given are NULL");
	is_str(config_issue(cfg, "plain")->culprit, "code", "culprit code by "
	    "default");
	ok(strlen(x->hash) == 16, "a rule digest");
	memcpy(h1, x->hash, sizeof(h1));
	is_int(cfg->issue_stale_days, 7, "stale_days");
	is_int(cfg->digest_day, 5, "digest on Friday");
	ok(cfg->report_to_authors && !cfg->report_always, "email flags");
	config_free(cfg);
	free(err);

	/* the digest of a rule changes with any of its keys */
	err = load(&cfg, "a.yaml", good_trees, "b.yaml",
	    "issues:\n  usb-timeout:\n    title: USB times out\n"
	    "    report_url: https://lore.kernel.org/x\n    culprit: harness\n"
	    "    match: {platform: 'rk*', path: boot, log: 'dwc3 .*: timed "
	    "out!'}\n");
	ok(cfg != NULL && strcmp(config_issue(cfg, "usb-timeout")->hash,
	    h1) != 0, "a changed regex, a new digest");
	config_free(cfg);
	free(err);

	expect_error("a bad regex",
	    "issues:\n  x:\n    title: t\n    match:\n      log: 'a(b'\n",
	    "c.yaml:5:12: error: issues.x.match.log is not a valid extended "
	    "regular expression");
	expect_error("an empty match",
	    "issues:\n  x:\n    title: t\n    match: {}\n",
	    "issues.x.match is empty");
	expect_error("no match", "issues:\n  x:\n    title: t\n",
	    "missing required key 'match'");
	expect_error("a sig- name",
	    "issues:\n  sig-1:\n    title: t\n    match: {tree: a}\n",
	    "names starting with 'sig-'");
	expect_error("an issue called index",
	    "issues:\n  index:\n    title: t\n    match: {tree: a}\n",
	    "'index' is the site's list of issues");
	expect_error("a culprit KCIDB does not know",
	    "issues:\n  x:\n    title: t\n    culprit: kernel\n"
	    "    match: {tree: a}\n", "issues.culprit 'kernel' is not one of: "
	    "code, tool, harness");
	expect_error("a report URL that is no web page",
	    "issues:\n  x:\n    title: t\n    report_url: javascript:x\n"
	    "    match: {tree: a}\n", "must be an http:// or https:// URL");
	expect_error("an unknown match key",
	    "issues:\n  x:\n    title: t\n    match: {platfrom: a}\n",
	    "did you mean 'platform'");
	expect_error("a From that is no address",
	    "settings:\n  email:\n    from: 'me'\n",
	    "settings.email.from 'me' must be an address");
	expect_error("a From with a newline",
	    "settings:\n  email:\n    from: \"a@b.org\\nBcc: x@y.org\"\n",
	    "must be an address");
	expect_error("an SMTP URL of another scheme",
	    "settings:\n  email:\n    from: a@b.org\n"
	    "    smtp_url: http://mx\n", "must start with smtp:// or smtps://");
	expect_error("a user without a password variable",
	    "settings:\n  email:\n    from: a@b.org\n    user: ci\n",
	    "settings.email.user needs token_env");
	expect_error("a digest day that is none",
	    "settings:\n  email:\n    from: a@b.org\n    digest: someday\n",
	    "must be a day of the week");
	expect_error("a password in the email settings",
	    "settings:\n  email:\n    from: a@b.org\n    password: x\n",
	    "secrets never live in config");
	expect_error("a recipient that is no plain address",
	    "trees:\n  a:\n    url: /x\n    branches: [m]\n"
	    "    report_to: ['x@y.org, z@w.org']\n",
	    "trees.a.report_to: 'x@y.org, z@w.org' is not a plain email "
	    "address");
}

int
main(void)
{
	log_init("t-config");
	test_good();
	test_errors();
	test_builds();
	test_rules();
	test_triage();
	return tap_done();
}
