/* placeholder until the command is written */
#include "cli.h"
#include "log.h"

int
cli_checkout(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("checkout: not written yet"), 2;
}

