/*
 * config_impl.h: what the parts of the configuration loader share
 * (config.c reads and merges the files, config_schema.c checks them
 * against the key tables, config_load.c turns each section into structs,
 * config_check.c checks across sections).  Not for use outside them.
 */
#ifndef CONFIG_IMPL_H
#define CONFIG_IMPL_H

struct config;
struct ynode;

/* The problems found so far; each has been printed with file:line:col. */
struct checker {
	int	errors;
};

/* Report a problem at node n and count it. */
void	cfg_bad(struct checker *c, const struct ynode *n, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* Check the merged top level against the key tables. */
void	cfg_check_schema(struct checker *c, const struct ynode *root);
/* 1 and the value in *out when s is a boolean (true, yes, on, ...). */
int	cfg_is_bool(const char *s, int *out);
/*
 * Seconds of a duration ("90" minutes, "90s", "15m", "2h"); -1 if
 * malformed, -2 if longer than a week.
 */
long	cfg_parse_duration(const char *s);

void	cfg_load_settings(struct checker *, struct config *,
	    const struct ynode *);
void	cfg_load_trees(struct checker *, struct config *,
	    const struct ynode *);
void	cfg_load_builds(struct checker *, struct config *,
	    const struct ynode *);
void	cfg_load_platforms(struct checker *, struct config *,
	    const struct ynode *);
void	cfg_load_labs(struct checker *, struct config *,
	    const struct ynode *);
void	cfg_load_tests(struct checker *, struct config *,
	    const struct ynode *);
void	cfg_load_issues(struct checker *, struct config *,
	    const struct ynode *);

/* References between sections (fragments, templates, builds, labs). */
void	cfg_check_refs(struct checker *, struct config *);
/* Names the site and storage derive must not collide. */
void	cfg_check_names(struct checker *, struct config *);
/* Secrets: token_env names and build_env. */
void	cfg_check_secrets(struct checker *, struct config *);

#endif
