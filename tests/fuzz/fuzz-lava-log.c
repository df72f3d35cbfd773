/*
 * fuzz-lava-log.c: a LAVA job log (lava-run's output, or GET
 * /jobs/<id>/logs/) through lava_parse_log(), with the serial console
 * kept, and lava_judge().
 */
#include "buf.h"
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
	struct buf console = BUF_INIT;
	const char *boot;

	memset(&o, 0, sizeof(o));
	if (lava_parse_log((const char *)data, size, &o, &console) == 0)
		lava_judge(&o, &boot);
	lava_outcome_release(&o);
	buf_release(&console);
	return 0;
}
