/*
 * bisect_start_stub.c: TEMPORARY, for the branch that has the CLI and
 * the site of bisections but not yet the stage (bisect.c).  Delete this
 * file when bisect.c, which defines bisect_start_main(), is merged.
 */
#include "bisect.h"
#include "log.h"
#include "util.h"

int
bisect_start_main(int argc, char **argv, const char *confdir)
{
	(void)argc;
	(void)argv;
	(void)confdir;
	error("bisect start: this build has no bisect stage yet");
	return EXIT_FATAL;
}
