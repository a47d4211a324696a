#!/bin/sh
# bench_path.sh [HALFCLOSE] - what a [path] costs: 200 conversations of
# the article's under nt351 across two routers (a 5 Mb/s bottleneck of
# 20 ms, 100 Mb/s access links of 1 ms) with 0, 2 and 8 bulk cross
# flows, against the plug-in on one link (ns3_stack); one worker each,
# CPU seconds and peak RSS from /usr/bin/time. A benchmark: it prints,
# it asserts nothing.
set -eu
hc=${1:-build/halfclose}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {
  /usr/bin/time -f "$1: %U s CPU, %M KiB peak" "$hc" run "$tmp/$1.ini" \
    --out="$tmp/$1.db" --jobs=1 --quiet >/dev/null
}
common='[batch]
conversations = 200
profiles = nt351
[link]
delay = 1ms
rate = 100Mbps'
printf '%s\nns3_stack = true\n' "$common" >"$tmp/one-link.ini"
run one-link
for x in 0 2 8; do
  printf '%s\n[path]\nrouters = 2\nbottleneck_rate = 5Mbps\nbottleneck_delay = 20ms\ncross_flows = %s\n' \
    "$common" $x >"$tmp/path-cross$x.ini"
  run path-cross$x
done
