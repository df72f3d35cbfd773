/*
 * t-tarball.c: tarball names and extensions, and the SHA-256 a tarball
 * is checked with.
 */
#include "tap.h"
#include "hash.h"
#include "log.h"
#include "tarball.h"
#include "util.h"

int
main(void)
{
	char hex[HASH_HEX], *n, *d, *f;

	log_init("t-tarball");
	n = tarball_name("stable", "linux-6.1.y", "v6.1.12");
	is_str(n, "linux-stable-linux-6.1.y-v6.1.12", "plain name");
	free(n);
	n = tarball_name("up", "feature/x/y", "v6.1-3-gabcdef1");
	is_str(n, "linux-up-feature_x_y-v6.1-3-gabcdef1", "'/' becomes '_'");
	free(n);
	n = tarball_name("up", "x", "v6.1-$(touch pwned)");
	is_str(n, "linux-up-x-v6.1-~24~28touch~20pwned~29",
	    "a tag's shell characters are escaped");
	free(n);
	n = tarball_name("up_2", "x", "v6.1");
	is_str(n, "linux-up~5F2-x-v6.1", "'_' is escaped, so '/' stays apart");
	free(n);
	is_str(tarball_ext("gz"), ".tar.gz", "gz");
	is_str(tarball_ext("xz"), ".tar.xz", "xz");
	is_str(tarball_ext("zst"), ".tar.zst", "zst");

	d = tap_tmpdir();
	tap_write(d, "abc", "abc");
	f = xasprintf("%s/abc", d);
	ok(hash_file(f, hex) == 0, "a file is hashed");
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", "its sha256");
	unlink(f);
	ok(hash_file(f, hex) != 0, "a missing file is an error");
	free(f);
	rmdir(d);
	free(d);
	return tap_done();
}
