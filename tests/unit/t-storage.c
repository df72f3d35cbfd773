/*
 * t-storage.c: an artifact's public URL is storage.url plus its path,
 * and only a URL under storage.url names a file to upload.
 */
#include "tap.h"
#include "config.h"
#include "log.h"
#include "storage.h"
#include "util.h"

int
main(void)
{
	struct config cfg;
	const char *rel;
	char *url;

	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_path = (char *)"/nonexistent/storage";
	cfg.storage_url = (char *)"https://ci.example.org/a/";
	url = storage_url(&cfg, "builds/b1-x86/bzImage");
	is_str(url, "https://ci.example.org/a/builds/b1-x86/bzImage",
	    "storage.url plus the path");
	free(url);
	url = storage_url(&cfg, "/tests/t1/lava.log");
	is_str(url, "https://ci.example.org/a/tests/t1/lava.log",
	    "a leading '/' is not doubled");
	free(url);
	rel = storage_rel(&cfg, "https://ci.example.org/a/rootfs/x.cpio.gz");
	is_str(rel ? rel : "(null)", "rootfs/x.cpio.gz", "the path of a URL");
	ok(storage_rel(&cfg, "https://ci.example.org/ab/x") == NULL,
	    "a sibling of storage.url is not storage");
	ok(storage_rel(&cfg, "file:///nonexistent/storage/x") == NULL,
	    "nor storage.path as file://");
	ok(storage_rel(&cfg, NULL) == NULL, "nor no URL");

	is_int(storage_upload(&cfg, NULL, "builds/b1/bzImage", "t", NULL),
	    STORAGE_KEPT, "no upload_url: nothing to send");
	cfg.storage_upload_url = (char *)"http://127.0.0.1:9/up/";
	is_int(storage_upload_url(&cfg, NULL, "https://elsewhere.example/x",
	    "t", NULL), STORAGE_KEPT, "a URL outside storage is not ours");
	is_int(storage_upload_url(&cfg, NULL, "https://ci.example.org/a/",
	    "t", NULL), STORAGE_KEPT, "nor storage itself");
	log_mute();
	is_int(storage_upload_url(&cfg, NULL,
	    "https://ci.example.org/a/builds/../../etc/passwd", "t", NULL),
	    STORAGE_PENDING, "'..' cannot leave storage.path");
	is_int(storage_upload_url(&cfg, NULL,
	    "https://ci.example.org/a/..", "t", NULL),
	    STORAGE_PENDING, "nor a '..' at the end");
	is_int(storage_upload(&cfg, NULL, "builds/b1/bzImage", "t", NULL),
	    STORAGE_PENDING, "a file that is not there is not sent");
	log_unmute();
	return tap_done();
}
