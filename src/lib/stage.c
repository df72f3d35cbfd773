/*
 * stage.c: common set-up for the stage executables.
 */
#include <fcntl.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "http.h"
#include "log.h"
#include "stage.h"
#include "util.h"

int
stage_open_command(struct stage *st, const char *name, const char *confdir)
{
	int rc;

	rc = stage_open(st, name, confdir);
	if (rc == 0)
		return EXIT_OK;
	stage_close(st);
	if (rc < 0)
		return EXIT_FATAL;
	error("%s: another run holds the lock; nothing done, try again when "
	    "it ends", name);
	return EXIT_ITEMS;
}

int
stage_open_config(struct stage *st, const char *name, const char *confdir)
{
	memset(st, 0, sizeof(*st));
	st->name = name;
	st->cfg = config_load(confdir ? confdir : STAGE_DEFAULT_CONFIG);
	if (st->cfg == NULL)
		return -1;
	http_set_timeout(st->cfg->http_timeout);
	return 0;
}

/* A read-only data dir is a clear fatal error, not a SQLite riddle. */
int
stage_check_writable(const char *dir)
{
	char *probe;
	int fd;

	if (fs_mkdir_p(dir) != 0)
		return -1;
	probe = xasprintf("%s/.write-test-%ld", dir, (long)getpid());
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		error("data directory '%s' is not writable: %s", dir,
		    strerror(errno));
		free(probe);
		return -1;
	}
	close(fd);
	unlink(probe);
	free(probe);
	return 0;
}

int
stage_open(struct stage *st, const char *name, const char *confdir)
{
	char *path;
	long holder;
	int rc;

	if (stage_open_config(st, name, confdir) != 0)
		return -1;
	if (stage_check_writable(st->cfg->data_dir) != 0)
		return -1;
	holder = 0;
	rc = fs_lock(st->cfg->data_dir, &holder);
	if (rc == 1) {
		if (holder > 0)
			info("another run (pid %ld) holds the lock on '%s'; "
			    "nothing to do", holder, st->cfg->data_dir);
		else
			info("another run holds the lock on '%s'; nothing "
			    "to do", st->cfg->data_dir);
		return 1;
	}
	if (rc != 0)
		return -1;
	path = config_data_path(st->cfg, "state.db");
	st->db = db_open(path, 0);
	free(path);
	return st->db != NULL ? 0 : -1;
}

void
stage_close(struct stage *st)
{
	db_close(st->db);
	config_free(st->cfg);
	st->db = NULL;
	st->cfg = NULL;
}

void
stage_summary(const struct stage *st, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	(void)st;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", log_prog(), b.ptr);
	buf_release(&b);
}

enum stage_opt
stage_option(int c, const char *arg, const char **confdir, const char *usage)
{
	switch (c) {
	case 'c':
		*confdir = arg;
		return STAGE_OPT_TAKEN;
	case 'q':
		log_set_level(0);
		return STAGE_OPT_TAKEN;
	case 'v':
		log_set_level(2);
		return STAGE_OPT_TAKEN;
	case 'h':
		fputs(usage, stdout);
		return STAGE_OPT_HELP;
	default:
		fputs(usage, stderr);
		return STAGE_OPT_USAGE;
	}
}
