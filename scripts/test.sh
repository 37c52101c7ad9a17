#!/bin/sh
# Install what is needed, build, and run every test: unit tests, a short run
# of the policy fuzzer and the host tests under ASan/UBSan (built with
# clang), a gcc Release build, then the full suite (unit, valgrind, host and
# VM tests on Debian 12's 6.1 and Debian 13's 6.12 kernels) with gcc.
# Root: host and VM tests load BPF programs (run again through sudo when not
# root). Nothing is skipped.
set -eu
. "$(dirname "$0")/lib/as-root.sh"
as_root "$0" "$@"
cd "$(dirname "$0")/.."
jobs=$(nproc)
./scripts/install-deps.sh

echo "== unit tests and the policy fuzzer, clang + ASan/UBSan =="
CC=clang cmake -S . -B build-asan -DCREDGATE_SANITIZE=ON -DCREDGATE_FUZZ=ON \
	-DCREDGATE_VM_TESTS=OFF > /dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan -L 'unit|fuzz' --output-on-failure -j"$jobs"

# The agent never ran under a sanitizer otherwise: the host tests once more,
# with the agent, credgatectl and test programs of this build (a few
# minutes). agent_stop fails a test on any sanitizer report.
echo "== host tests, the agent built with ASan/UBSan =="
ctest --test-dir build-asan -L '^host$' --output-on-failure -j"$jobs"

# gcc -O3 warns where -O2 does not (-Wdangling-pointer); with -Werror that
# breaks a Release build, which no test tree here is: build one.
echo "== Release build, gcc =="
CC=gcc cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCREDGATE_VM_TESTS=OFF > /dev/null
cmake --build build-release -j"$jobs"

echo "== all tests, gcc =="
CC=gcc cmake -S . -B build > /dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
