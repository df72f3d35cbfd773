/*
 * upload: time storage_upload() of files already in storage, as every
 * stage uploads an artifact: its SHA-256, a look in the upload table,
 * the PUT and the row.  The upload table is emptied first, so each is
 * sent.
 *
 * usage: upload CONFIG_DIR REL... (prints "files bytes seconds")
 */
#include <sys/stat.h>

#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "storage.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct config *cfg;
	struct db *db;
	struct stat st;
	long long bytes;
	double t0, t;
	char *path;
	int i, rc;

	log_init("upload");
	if (argc < 3) {
		fprintf(stderr, "usage: upload CONFIG_DIR REL...\n");
		return 2;
	}
	cfg = config_load(argv[1]);
	if (cfg == NULL)
		return 2;
	path = config_data_path(cfg, "state.db");
	db = db_open(path, 0);
	free(path);
	if (db == NULL || db_exec(db, "DELETE FROM upload") != 0) {
		db_close(db);
		config_free(cfg);
		return 2;
	}
	rc = 0;
	bytes = 0;
	t0 = now_monotonic();
	for (i = 2; i < argc && rc == 0; i++)
		if (storage_upload(cfg, db, argv[i], "bench", NULL) !=
		    STORAGE_SENT)
			rc = 1;
	t = now_monotonic() - t0;
	for (i = 2; i < argc; i++) {
		path = fs_join(cfg->storage_path, argv[i]);
		if (stat(path, &st) == 0)
			bytes += (long long)st.st_size;
		free(path);
	}
	printf("%d %lld %.4f\n", argc - 2, bytes, t);
	db_close(db);
	config_free(cfg);
	return rc;
}
