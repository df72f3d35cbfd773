/*
 * t-tarball.c: tarball names and extensions.
 */
#include "tap.h"
#include "log.h"
#include "tarball.h"
#include "util.h"

int
main(void)
{
	char *n;

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
	return tap_done();
}
