#!/bin/sh
# Every fuzz target for FUZZ_TIME seconds (20 by default, two targets at
# a time) on its seeds from tests/data/fuzz/: no crash, leak, undefined
# behaviour, timeout or memory blow-up.  `make fuzz` runs them longer.
exec sh "$(dirname "$0")/run.sh"
