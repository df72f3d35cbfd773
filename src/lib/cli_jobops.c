/* placeholder until the command is written */
#include "cli.h"
#include "log.h"

int
cli_retry(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("retry: not written yet"), 2;
}

int
cli_cancel(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("cancel: not written yet"), 2;
}

