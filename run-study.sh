#!/bin/sh
# The main job: installs what is missing, builds, and runs the default study.
set -eu
cd "$(dirname "$0")"
scripts/install-deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
mkdir -p out
./build/halfclose replay --pcap=out/kb-q152474.pcap | tee out/kb-q152474-replay.txt
./build/halfclose replay --profile=nt351-sp --no-ladder | tee out/kb-q152474-sp.txt
echo "timeline: out/kb-q152474-replay.txt  capture: out/kb-q152474.pcap"
