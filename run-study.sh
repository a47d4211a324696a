#!/bin/sh
# The main job: installs what is missing, builds, and runs the default
# study (scenarios/kb-q152474.ini) - the batch, its plots, its report in
# HTML (with the plots embedded) and Markdown, and one conversation's
# timeline, ladder diagram and capture - then the response-size sweep
# (scenarios/response-size.ini: where the effect lives, with the analytic
# check on it), the three races beyond the article (http-reset,
# keepalive-race, abort), the shared bottleneck across routers
# (shared-bottleneck); installs the plug-in under out/prefix; and says
# where each is.
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
$hc replay --pcap="out/$name-conversation.pcapng" \
  --ladder="out/$name-ladder.svg" >"out/$name-conversation.txt"
# the response-size sweep, the races, the shared bottleneck across routers
sweep=response-size
path=shared-bottleneck
for s in $sweep http-reset keepalive-race abort $path; do
  $hc run "scenarios/$s.ini" --out="out/$s.db"
  $hc plot "out/$s.db" --out="out/$s-plots" --format=svg >/dev/null
  $hc plot "out/$s.db" --out="out/$s-plots" --format=png >/dev/null
  $hc report "out/$s.db" --format=html --plots="out/$s-plots" \
    --out="out/$s-report.html"
done
# the plug-in for your own ns-3 programs (and halfclose itself), installed
# under out/prefix: pkg-config finds it there
cmake --install build --prefix "$PWD/out/prefix" >/dev/null
cat <<DONE

The default study is done:
  results store   out/$name.db        (sqlite3, or halfclose export)
  report          out/$name-report.html  (and .md)
  plots           out/$name-plots/    (SVG and PNG; data/ has their data)
  one conversation: timeline out/$name-conversation.txt,
                    ladder out/$name-ladder.svg,
                    capture out/$name-conversation.pcapng
  the response-size sweep: out/$sweep-report.html, out/$sweep-plots/
                    (response-size.svg: the sawtooth and the check)
  three more races: out/http-reset-report.html, out/keepalive-race-report.html,
                    out/abort-report.html (and their -plots/)
  across routers:   out/$path-report.html (a shared bottleneck, queue
                    discs, cross traffic; reset-vs-cross-traffic.svg)
  your own ns-3 program on the model (README, "In your own ns-3 program"):
    export PKG_CONFIG_PATH=$PWD/out/prefix/lib/pkgconfig
    g++ -std=c++17 my.cc \$(pkg-config --cflags --libs halfclose-ns3 \\
      ns3-applications ns3-point-to-point)
    LD_LIBRARY_PATH=$PWD/out/prefix/lib ./a.out
DONE
