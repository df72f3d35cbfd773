/* placeholder until the command is written */
#include "cli.h"
#include "log.h"

int
cli_results(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("results: not written yet"), 2;
}

int
cli_compare(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("compare: not written yet"), 2;
}

int
cli_show(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("show: not written yet"), 2;
}

int
cli_log(int argc, char **argv, const char *confdir)
{
	(void)argc; (void)argv; (void)confdir;
	return error("log: not written yet"), 2;
}

int
cli_results_print(const struct config *cfg, struct db *db, long long id,
    FILE *fp)
{
	(void)cfg; (void)db; (void)id; (void)fp;
	return error("results: not written yet");
}
