/*
 * config.h: the configuration directory.  Every *.yaml in it is parsed
 * with libyaml, merged by top-level key, checked against the schema of
 * docs/config.md (unknown keys, types, names, references) with
 * file:line:col in every message, and turned into the structs below.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

struct ynode;

/* The longest name of a tree, build, platform, lab or test. */
#define CONFIG_NAME_MAX	64

/*
 * What a build asks of a batch system (a slurm lab): each unset (NULL,
 * 0) to be taken from the lab, or left to the cluster.
 */
struct batch_req {
	char	*partition;
	int	 cpus;
	char	*memory;	/* as sbatch --mem takes it: 4096, 4G */
	int	 time;		/* seconds */
};

/* Rules that decide whether a build or test applies to a checkout. */
struct rules {
	char	**trees;	/* NULL-terminated fnmatch patterns, or NULL */
	char	**branches;
	char	**arches;	/* tests only */
	char	 *min_version;	/* "6.1", inclusive */
	char	 *max_version;
};

struct tree_cfg {
	char	 *name;
	char	 *url;
	char	**branches;	/* NULL-terminated */
	size_t	  nbranches;
	char	 *token_env;
	char	 *commit_url;	/* "{commit}" stands for the full id */
	char	**report_to;	/* addresses reports go to, or NULL */
	char	 *reference;	/* a clone a new mirror borrows from */
	char	 *reference_at;	/* file:line:col that set it */
};

struct build_cfg {
	char		 *name;
	struct rules	  rules;
	char		 *arch;		/* kernel ARCH-style name: x86_64 */
	char		 *compiler;	/* gcc, clang */
	char		 *cross_compile;
	char		 *defconfig;
	char		**fragments;	/* names or CONFIG_X=y lines */
	char		**targets;
	char		 *runtime;	/* a lab name */
	int		  timeout;	/* seconds */
	char		**kselftest;	/* collections to install, or NULL */
	struct batch_req  slurm;	/* builds.<name>.slurm */
	const struct ynode *node;	/* for messages */
};

struct platform_cfg {
	char		 *name;
	char		 *arch;
	char		 *device_type;
	char		 *boot_method;
	char		 *mach;
	char		 *dtb;
	char		**compatible;
	const struct ynode *context;	/* free-form mapping or NULL */
	const struct ynode *params;
};

struct lab_cfg {
	char		*name;
	const char	*type;		/* a runtime's name (runtime.h) */
	char		*url;
	char		*token_env;
	char		*path;		/* pull labs */
	int		 max_queue;
	char		*priority;	/* "50", "low", "medium", "high" */
	int		 jobs;		/* concurrent jobs, local labs */
	struct batch_req slurm;		/* slurm labs */
};

/*
 * A known issue kept in git: what a failing build or test must show to
 * be an incident of it.  Every key given must hold; NULL keys are not
 * looked at.  All but log are fnmatch patterns; log is a POSIX extended
 * regular expression over the result's log.
 */
struct issue_cfg {
	char		 *name;
	char		 *title;
	char		 *report_url;
	char		 *culprit;	/* code, tool, harness */
	char		 *tree;
	char		 *branch;
	char		 *build;
	char		 *arch;
	char		 *platform;
	char		 *path;
	char		 *log;
	void		 *log_re;	/* its compiled regex_t, or NULL */
	char		  hash[17];	/* digest of the rule, for its version */
	const struct ynode *node;
};

struct test_cfg {
	char		 *name;
	char		 *template;
	char		**builds;	/* build names; NULL means all */
	char		**platforms;
	char		 *lab;
	char		 *kcidb_path;
	int		  timeout;	/* seconds */
	const struct ynode *params;
	struct rules	  rules;
	const struct ynode *node;
};

struct config {
	char	*dir;
	/* settings */
	char	*origin;
	char	*data_dir;
	char	*reference;		/* trees' default reference */
	int	 retries;
	int	 retry_delay;		/* seconds, doubled per attempt */
	int	 http_timeout;		/* seconds for an API request */
	int	 budget;		/* minutes, 0 = none */
	int	 keep_work;
	char	**build_env;		/* variables builds may see, or NULL */
	char	*sandbox;		/* auto, require, off */
	char	*compression;		/* gz, xz, zst */
	char	*storage_path;
	char	*storage_url;		/* ends with '/' */
	char	*storage_upload_url;
	char	*storage_token_env;
	char	*kcidb_output;
	char	*kcidb_url;
	char	*kcidb_token_env;
	char	*site_path;
	char	*site_base_url;
	char	*site_title;
	int	 site_keep_days;	/* 0: every checkout keeps its pages */
	/* settings.bisect */
	char	**bisect_trees;		/* NULL: no tree is bisected */
	int	 bisect_max_active;
	int	 bisect_max_steps;
	int	 bisect_repeat;
	int	 ccache;		/* regular builds use ccache too */
	/* settings.email */
	char	*email_from;		/* NULL: no reports */
	char	*smtp_url;		/* NULL: .eml files in <data>/reports */
	char	*smtp_user;
	char	*smtp_token_env;
	int	 report_always;		/* a summary of every new checkout */
	int	 report_to_authors;	/* bisection reports to the culprit's */
	int	 digest_day;		/* 0-6 (Sunday first), -1: no digest */
	/* settings.issues */
	int	 issue_stale_days;	/* no incident for this long: fixed? */

	struct tree_cfg		*trees;
	size_t			 ntrees;
	struct build_cfg	*builds;
	size_t			 nbuilds;
	struct platform_cfg	*platforms;
	size_t			 nplatforms;
	struct lab_cfg		*labs;
	size_t			 nlabs;
	struct test_cfg		*tests;
	size_t			 ntests;
	struct issue_cfg	*issues;
	size_t			 nissues;

	/* the parsed files, kept for marks and free-form maps */
	struct ynode		**files;
	size_t			  nfiles;
	struct ynode		 *root;
	char			**template_dirs;
};

/*
 * Load the configuration directory.  Print every problem found, each
 * with its file:line:col, and return NULL if there was any.  The result
 * is the caller's to config_free().
 */
struct config	*config_load(const char *dir);
void		 config_free(struct config *);

/* Look an entry up by name; NULL if absent. */
const struct tree_cfg		*config_tree(const struct config *,
				    const char *);
const struct build_cfg		*config_build(const struct config *,
				    const char *);
const struct platform_cfg	*config_platform(const struct config *,
				    const char *);
const struct lab_cfg		*config_lab(const struct config *,
				    const char *);
const struct test_cfg		*config_test(const struct config *,
				    const char *);
const struct issue_cfg		*config_issue(const struct config *,
				    const char *);

/*
 * The file of a named kconfig fragment: <dir>/fragments/<name>, or with
 * ".config" added.  The caller frees.
 */
char	*config_fragment_path(const struct config *, const char *name);
/*
 * Where job templates are looked for, in order: <config dir>/templates,
 * then the shipped configs/templates beside the executables.  A
 * NULL-terminated list owned by cfg.
 */
char *const	*config_template_dirs(const struct config *);
/* The first of those holding rel, or NULL (caller frees). */
char	*config_template_path(const struct config *, const char *rel);

/*
 * The token in the environment variable a token_env key names (env may
 * be NULL: no token wanted).  It is registered as a secret, so no
 * message ever shows it.  Unset or empty (an unset repository secret on
 * GitHub Actions) gives NULL after a warning "<what>: <env> is not set;
 * <doing> without a token".
 */
const char	*config_token(const char *env, const char *what,
		    const char *doing);

/*
 * The web page of a commit of tree: its commit_url with every
 * "{commit}" replaced by commit (caller frees), or NULL when the tree
 * has none.
 */
char	*config_commit_url(const struct config *, const char *tree,
	    const char *commit);

/* Paths below data_dir; the caller frees. */
char	*config_data_path(const struct config *, const char *sub);

/*
 * Compare a kernel version (v.p.s) with "X[.Y[.Z]]"; return <0, 0, >0.
 * An unparsable bound compares equal.
 */
int	 config_version_cmp(int v, int p, int s, const char *bound);
/*
 * True when the rules accept a checkout of tree/branch at version
 * v.p.s for arch (arch may be NULL to skip that rule).
 */
int	 config_rules_match(const struct rules *, const char *tree,
	    const char *branch, int v, int p, int s, const char *arch);

#endif
