/*
 * fuzz-ynode.c: any YAML document through ynode_parse_string(), the
 * libyaml loader under every config file, LAVA reply and job definition
 * Maestrino reads, and the tree back out through ynode_emit_buf().
 */
#include "buf.h"
#include "fuzz.h"
#include "log.h"
#include "ynode.h"
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
	struct buf b = BUF_INIT;
	struct ynode *root;

	root = NULL;
	if (ynode_parse_string("input.yaml", (const char *)data, size,
	    &root) != 0)
		goto out;
	ynode_emit_buf(root, &b);
out:
	ynode_free(root);
	buf_release(&b);
	return 0;
}
