#!/bin/sh
# Install what is needed, build, and run the agent with its built-in default
# policy: audit, on the whole host, every change to uid/gid 0 and every
# capability gained, and report every credential-change call. Ctrl-C stops it.
# Extra arguments go to credgated (for example --output json).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j"$(nproc)" --target credgated
exec build/agent/credgated --policy builtin --output compact "$@"
