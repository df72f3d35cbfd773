#!/bin/sh
# merge_config.sh -m BASE FRAGMENT...: the fixture's stand-in for the
# kernel's script: append each fragment to BASE.
[ "$1" = "-m" ] && shift
base=$1
shift
for f in "$@"; do
	cat "$f" >> "$base"
done
