/*
 * t-stage.c: the options every executable takes come back as values;
 * the library never exits.
 */
#include "tap.h"
#include "log.h"
#include "stage.h"
#include "util.h"

int
main(void)
{
	const char *confdir;
	char *err;

	log_init("t-stage");
	confdir = NULL;
	is_int(stage_option('c', "cfg", &confdir, "# usage\n"),
	    STAGE_OPT_TAKEN, "-c is taken");
	is_str(confdir, "cfg", "-c sets the config directory");
	is_int(stage_option('q', NULL, &confdir, "# usage\n"),
	    STAGE_OPT_TAKEN, "-q is taken");
	is_int(log_level(), 0, "-q makes it quiet");
	is_int(stage_option('v', NULL, &confdir, "# usage\n"),
	    STAGE_OPT_TAKEN, "-v is taken");
	is_int(log_level(), 2, "-v makes it verbose");
	/* the usage goes to stdout: a TAP comment */
	is_int(stage_option('h', NULL, &confdir, "# usage\n"),
	    STAGE_OPT_HELP, "-h prints the usage and says so");
	capture_start();
	is_int(stage_option('?', NULL, &confdir, "usage: t-stage\n"),
	    STAGE_OPT_USAGE, "anything else is a usage error");
	err = capture_end();
	is_str(err, "usage: t-stage\n", "the usage went to stderr");
	free(err);
	is_str(confdir, "cfg", "nothing else changed the config directory");
	return tap_done();
}
