/*
 * store_test.h: the test table (boots and tests).  A test is one row
 * struct wherever it is read; every SQL statement about tests is in
 * store_test.c.
 */
#ifndef STORE_TEST_H
#define STORE_TEST_H

#include <stddef.h>

struct db;
struct sqlite3_stmt;

/*
 * Every column of a row, for a SELECT in a store file that reads rows
 * with store_test_from(): the columns first, in this order, of the table
 * (or alias) t, a string: STORE_TEST_COLUMNS("b").
 */
#define STORE_TEST_COLUMNS(t)						\
	t ".id, " \
	t ".build_id, " \
	t ".job_id, " \
	t ".path, " \
	t ".platform, " \
	t ".compatible, " \
	t ".status, " \
	"coalesce(" t ".start_time, 0), " \
	t ".duration, " \
	t ".log_url, " \
	t ".log_excerpt, " \
	t ".number_value, " \
	t ".number_unit, " \
	t ".misc, " \
	t ".gen, " \
	t ".exported_gen, " \
	t ".site_gen"

struct test_row {
	long long	 id;
	long long	 build_id;
	char		*job_id;
	char		*path;		/* "boot", "<suite>.<case>" */
	char		*platform;
	char		*compatible;	/* JSON text */
	char		*status;
	long long	 start_time;
	double		 duration;
	int		 has_duration;
	char		*log_url;
	char		*log_excerpt;
	size_t		 log_excerpt_len;	/* may hold NULs */
	double		 number_value;
	int		 has_number;
	char		*number_unit;
	char		*misc;		/* JSON text */
	long long	 gen;
	long long	 exported_gen;
	long long	 site_gen;
};

void	 store_test_release(struct test_row *);
/* Test id into *out: 0, 1 when there is none, -1 on error. */
int	 store_test_get(struct db *, long long id, struct test_row *out);

/* A row from a statement that selected STORE_TEST_COLUMNS first. */
void	 store_test_from(struct sqlite3_stmt *, struct test_row *out);

/*
 * Record a result of job t->job_id: insert the test at t->path, or
 * update it (status, start_time, duration, log_url, log_excerpt, the
 * number and misc; gen goes up).  Must run in a transaction.
 */
int	 store_test_upsert(struct db *, const struct test_row *t);

#endif
