/* placeholder until the command is written */
#include "cli.h"
#include "log.h"

int
cli_watch(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("watch: not written yet"), 2;
}

int
cli_completion(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("completion: not written yet"), 2;
}

