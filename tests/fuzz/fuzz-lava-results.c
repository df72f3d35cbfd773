/*
 * fuzz-lava-results.c: a LAVA results YAML (GET /jobs/<id>/yaml/, or a
 * pull lab's results file) through lava_parse_results() and
 * lava_judge().
 */
#include "fuzz.h"
#include "lava.h"
#include "log.h"
#include "util.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz");
	log_mute();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lava_outcome o;
	const char *boot;

	memset(&o, 0, sizeof(o));
	if (lava_parse_results((const char *)data, size, "results.yaml",
	    &o) == 0)
		lava_judge(&o, &boot);
	lava_outcome_release(&o);
	return 0;
}
