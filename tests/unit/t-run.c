/*
 * t-run.c: the parts of `maestrino run` that need no stages: the
 * budget option and the names of the stages.
 */
#include "tap.h"
#include "log.h"
#include "run.h"
#include "util.h"

int
main(void)
{
	double min;
	char *err;

	log_init("t-run");
	min = 0;
	ok(run_parse_budget("30", &min) == 0 && min == 30, "30 minutes");
	ok(run_parse_budget("0.5", &min) == 0 && min == 0.5,
	    "half a minute");
	ok(run_parse_budget("10080", &min) == 0 && min == 10080,
	    "a week is the most");
	capture_start();
	ok(run_parse_budget("0", &min) != 0, "0 is refused");
	ok(run_parse_budget("-1", &min) != 0, "below 0 is refused");
	ok(run_parse_budget("10081", &min) != 0, "over a week is refused");
	ok(run_parse_budget("5m", &min) != 0, "a unit is refused");
	ok(run_parse_budget("nan", &min) != 0, "nan is refused");
	ok(run_parse_budget("", &min) != 0, "nothing is refused");
	err = capture_end();
	contains(err, "--budget wants minutes, a number above 0 and at most "
	    "10080 ('5m')", "the error names the option and the value");
	free(err);
	is_int(min, 10080, "a refused value leaves the budget alone");

	ok(run_is_stage("poll") && run_is_stage("tarball") &&
	    run_is_stage("jobs") && run_is_stage("submit") &&
	    run_is_stage("collect") && run_is_stage("kcidb") &&
	    run_is_stage("site"), "the seven stages");
	ok(!run_is_stage("run") && !run_is_stage("status") &&
	    !run_is_stage("worker") && !run_is_stage(""),
	    "the commands and the worker are no stages");
	return tap_done();
}
