/*
 * t-query.c: where `maestrino log` looks for a log in storage: only
 * below storage.path, whatever the recorded URL says.
 */
#include "tap.h"
#include "config.h"
#include "query.h"
#include "util.h"

static void
rel_is(const struct config *cfg, const char *url, const char *want,
    const char *what)
{
	char *rel;

	rel = query_storage_rel(cfg, url);
	if (want == NULL) {
		ok(rel == NULL, what);
		if (rel != NULL)
			printf("#   got '%s'\n", rel);
	} else {
		is_str(rel ? rel : "(null)", want, what);
	}
	free(rel);
}

int
main(void)
{
	struct config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_path = (char *)"/srv/ci/storage";
	cfg.storage_url = (char *)"https://ci.example.org/storage/";
	rel_is(&cfg, "https://ci.example.org/storage/builds/b1-x86/build.log",
	    "builds/b1-x86/build.log", "a build log");
	rel_is(&cfg, "https://ci.example.org/storage/tests/t%201/lava.log",
	    "tests/t 1/lava.log", "percent escapes are decoded");
	rel_is(&cfg, "https://ci.example.org/storage/tests/t1/lava.log?x=1#y",
	    "tests/t1/lava.log", "a query and a fragment are dropped");
	rel_is(&cfg, "https://other.example.org/storage/builds/b1/build.log",
	    NULL, "another server is not storage");
	rel_is(&cfg, "https://ci.example.org/storagex/b1/build.log", NULL,
	    "nor is a sibling of storage.url");
	rel_is(&cfg, "https://ci.example.org/storage/../state.db", NULL,
	    "'..' cannot leave storage");
	rel_is(&cfg, "https://ci.example.org/storage/builds/%2e%2e/%2E%2E/x",
	    NULL, "nor an escaped '..'");
	rel_is(&cfg, "https://ci.example.org/storage/builds/..", NULL,
	    "nor a '..' at the end");
	rel_is(&cfg, "https://ci.example.org/storage//etc/passwd", NULL,
	    "nor an absolute path");
	rel_is(&cfg, "https://ci.example.org/storage/a%00b", NULL,
	    "nor a NUL");
	rel_is(&cfg, "https://ci.example.org/storage/", NULL,
	    "storage itself is no log");
	rel_is(&cfg, NULL, NULL, "no URL, no log");
	rel_is(&cfg, "https://ci.example.org/storage/a..b/x..", "a..b/x..",
	    "dots inside a name are names");
	return tap_done();
}
