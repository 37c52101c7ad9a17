#!/bin/sh
# Install what is needed, build, and run the agent with its built-in default
# policy: audit, on the whole host, every change to uid/gid 0 and every
# capability gained, and report every credential-change call. Ctrl-C stops it.
# Extra arguments go to credgated (for example --output json).
# CREDGATE_BUILD_DIR: the build tree to use (default: build), so that a test
# can run this very script against the tree it was built in.
set -eu
. "$(dirname "$0")/lib/as-root.sh"
as_root "$0" "$@"
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build=${CREDGATE_BUILD_DIR:-build}
# A new tree is RelWithDebInfo; an existing one keeps the type it was made with.
if [ -f "$build/CMakeCache.txt" ]; then
	cmake -S . -B "$build" > /dev/null
else
	cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
fi
cmake --build "$build" -j"$(nproc)" --target credgated
exec "$build/agent/credgated" --policy builtin --output compact "$@"
