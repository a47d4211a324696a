#!/bin/sh
# The test suite: installs what is missing, then builds and runs every test
# twice - a normal build with warnings as errors, and an ASan+UBSan build
# with clang, which also runs the libFuzzer target briefly.
set -eu
cd "$(dirname "$0")"
scripts/install-deps
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALFCLOSE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
  -DHALFCLOSE_WERROR=ON -DHALFCLOSE_SANITIZE=ON -DHALFCLOSE_FUZZ=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ctest --output-on-failure -j"$jobs")
