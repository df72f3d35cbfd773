/*
 * fuzz-pull-index.c: a pull lab's index.json, which the lab may rewrite,
 * through pull_index_parse().
 */
#include <jansson.h>

#include "fuzz.h"
#include "lavalab.h"
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
	json_t *idx;

	idx = NULL;
	pull_index_parse((const char *)data, size, "index.json", &idx);
	json_decref(idx);
	return 0;
}
