#!/bin/sh
# The main job: installs what is missing, builds, and runs the default
# study (scenarios/kb-q152474.ini) - the batch, its plots, its report in
# HTML (with the plots embedded) and Markdown, and one conversation's
# timeline, ladder diagram and capture - then says where each is.
set -eu
cd "$(dirname "$0")"
scripts/install-deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
hc=./build/halfclose
name=kb-q152474
mkdir -p out
$hc run "scenarios/$name.ini" --out="out/$name.db"
$hc plot "out/$name.db" --out="out/$name-plots" --format=svg
$hc plot "out/$name.db" --out="out/$name-plots" --format=png >/dev/null
$hc report "out/$name.db" --format=html --plots="out/$name-plots" \
  --out="out/$name-report.html"
$hc report "out/$name.db" --format=md --plots="out/$name-plots" \
  --out="out/$name-report.md"
$hc replay --pcap="out/$name-conversation.pcap" \
  --ladder="out/$name-ladder.svg" >"out/$name-conversation.txt"
cat <<DONE

The default study is done:
  results store   out/$name.db        (sqlite3, or halfclose export)
  report          out/$name-report.html  (and .md)
  plots           out/$name-plots/    (SVG and PNG; data/ has their data)
  one conversation: timeline out/$name-conversation.txt,
                    ladder out/$name-ladder.svg,
                    capture out/$name-conversation.pcap
DONE
