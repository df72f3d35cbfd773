#!/bin/sh
# make-v1.sh BINDIR: remake state-v1.sql, the upgrade test's fixture.  It
# must be run with the executables of the first schema (commit 02ad7da,
# "Foundation"), so the database is what that release really wrote:
#   git worktree add --detach /tmp/v1 02ad7da && make -C /tmp/v1
#   tests/data/upgrade/make-v1.sh /tmp/v1/bin
# The trees are made by tests/data/upgrade/trees.sh with a fixed clock, so
# the upgrade test can make the same commits again.  Paths under the
# temporary directory are written as @TMP@.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bindir=$(cd "$1" && pwd)
TMP=$(mktemp -d /tmp/maestrino-v1.XXXXXX)
export HOME="$TMP" GIT_CONFIG_NOSYSTEM=1
# shellcheck disable=SC2034 # trees.sh copies it
# its own copy of the fake kernel: the commits depend on every byte
fake_kernel=$here/fake-kernel
. "$here/trees.sh"
make_trees "$TMP"
mkdir -p "$TMP/configs"
cat >"$TMP/configs/c.yaml" <<EOC
settings:
  origin: test
  data_dir: $TMP/var
trees:
  fix:
    url: $TMP/up
    branches: [master, stable]
EOC
"$bindir/maestrino-poll" -c "$TMP/configs"
advance_trees "$TMP"
"$bindir/maestrino-poll" -c "$TMP/configs"
sqlite3 "$TMP/var/state.db" .dump | sed "s|$TMP|@TMP@|g" >"$here/state-v1.sql"
echo "PRAGMA user_version = $(sqlite3 "$TMP/var/state.db" 'PRAGMA user_version');" \
    >>"$here/state-v1.sql"
rm -rf "$TMP"
