/*
 * fuzz.h: the entry points libFuzzer calls in every fuzz target.  A
 * target is one tests/fuzz/fuzz-<name>.c built by `make fuzz-build` into
 * build/fuzz/fuzz-<name>, with clang, -fsanitize=fuzzer,address,undefined
 * and the objects of src/lib built the same way.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Once, before the first input: mute error(), make what is shared. */
int	 LLVMFuzzerInitialize(int *argc, char ***argv);
/* One input: data is exactly size bytes, not NUL-terminated. */
int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
