/*
 * store_build.h: the build table.  A build is one row struct wherever
 * it is read; every SQL statement about builds is in store_build.c.
 */
#ifndef STORE_BUILD_H
#define STORE_BUILD_H

#include <stddef.h>

struct db;
struct sqlite3_stmt;

/*
 * Every column of a row, for a SELECT in a store file that reads rows
 * with store_build_from(): the columns first, in this order, of the table
 * (or alias) t, a string: STORE_BUILD_COLUMNS("b").
 */
#define STORE_BUILD_COLUMNS(t)						\
	t ".id, " \
	t ".checkout_id, " \
	t ".job_id, " \
	t ".config_name, " \
	t ".arch, " \
	t ".compiler, " \
	t ".compiler_version, " \
	t ".kconfig, " \
	t ".config_url, " \
	t ".log_url, " \
	t ".log_excerpt, " \
	"coalesce(" t ".start_time, 0), " \
	t ".duration, " \
	t ".status, " \
	t ".artifacts, " \
	t ".misc, " \
	t ".tests_made, " \
	t ".gen, " \
	t ".exported_gen, " \
	t ".site_gen"

struct build_row {
	long long	 id;
	long long	 checkout_id;
	char		*job_id;
	char		*config_name;
	char		*arch;
	char		*compiler;
	char		*compiler_version;
	char		*kconfig;
	char		*config_url;
	char		*log_url;
	char		*log_excerpt;
	size_t		 log_excerpt_len;	/* may hold NULs */
	long long	 start_time;
	double		 duration;
	int		 has_duration;
	char		*status;	/* NULL while it runs */
	char		*artifacts;	/* JSON text */
	char		*misc;		/* JSON text */
	int		 tests_made;
	long long	 gen;
	long long	 exported_gen;
	long long	 site_gen;
};

void	 store_build_release(struct build_row *);
/* Build id into *out: 0, 1 when there is none, -1 on error. */
int	 store_build_get(struct db *, long long id, struct build_row *out);

/* A row from a statement that selected STORE_BUILD_COLUMNS first. */
void	 store_build_from(struct sqlite3_stmt *, struct build_row *out);

/*
 * The outcome of a build's job, onto the build of job b->job_id: status,
 * start_time, duration, compiler_version, config_url, log_url,
 * log_excerpt and artifacts set, misc (JSON text) merged into what it
 * has.  Must run in a transaction.
 */
int	 store_build_record(struct db *, const struct build_row *b);
/*
 * Give the build of job_id its final status without a result (MISS when
 * its submission gave up, ERROR for an infrastructure failure), the
 * error in its misc.  Must run in a transaction.
 */
int	 store_build_final(struct db *, const char *job_id,
	    const char *status, const char *code, const char *msg);

#endif
