#!/bin/sh
# test_replay_cli.sh HALFCLOSE - `halfclose replay` as a user runs it: the
# article's scenario, its capture decoded by tshark with every checksum
# verified, byte-identical captures for the same inputs, and clear errors
# with exit status 2 for bad --KEY=VALUE input.
set -u
hc="$1"
. "$(dirname "$0")/../lib.sh"

# the article's conversation: the chain, and the capture
if "$hc" replay --pcap="$tmp/a.pcap" >"$tmp/out" 2>"$tmp/err"; then ok; else bad "replay failed: $(cat "$tmp/err")"; fi
grep -q "redundant_ack=yes server_rst=yes conn_reset=yes app_reset=yes" "$tmp/out" && ok || bad "nt351 replay shows no reset"
grep -q "delack  <<<" "$tmp/out" && ok || bad "no redundant delayed ACK in the ladder"
grep -q "RST .*rst-" "$tmp/out" && ok || bad "no RST in the ladder"
grep -q "anatomy of the reset" "$tmp/out" && ok || bad "no anatomy"
# "<<<" marks the redundant ACK and the RST that answers it, nothing else:
# this conversation has several ordinary delayed ACKs besides
"$hc" replay --snd_buf=2048 --response=10000 >"$tmp/marks" 2>&1
[ "$(grep -c '<<<' "$tmp/marks")" -eq 2 ] && [ "$(grep -c -- '-->.* delack' "$tmp/marks")" -gt 2 ] &&
  grep -q "delack  <<<" "$tmp/marks" && grep -q "RST .*<<<" "$tmp/marks" && ok ||
  bad "ladder marks: $(grep -c '<<<' "$tmp/marks") marks, $(grep -c -- '-->.* delack' "$tmp/marks") delayed ACKs"
# a RST of another cause (reset_cause): over a lossy link the client
# answers a retransmitted FIN after the server has gone, and the RST that
# answers it is marked with that segment, the cause named in the outcome
# and the anatomy
scn="$(dirname "$0")/../../scenarios/lossy-wan.ini"
"$hc" run "$scn" --conversations=300 --out="$tmp/lw.db" --quiet >/dev/null 2>&1 || bad "lossy-wan run"
row=$(sqlite3 -separator ' ' "$tmp/lw.db" "SELECT conversation, profile FROM conversations WHERE reset_cause = 'no_connection' ORDER BY conversation LIMIT 1")
if [ -n "$row" ]; then
  set -- $row
  "$hc" replay "$tmp/lw.db" --conversation="$1" --profile="$2" >"$tmp/nc" 2>&1 || bad "replay of the no_connection RST"
  [ "$(grep -c '<<<' "$tmp/nc")" -eq 2 ] && grep -q -- "-->.*<<<" "$tmp/nc" && grep -q "<--  *RST .*rst-.*<<<" "$tmp/nc" &&
    grep -q "redundant_ack=no server_rst=yes" "$tmp/nc" && grep -q "reset_cause=no_connection" "$tmp/nc" &&
    grep -q "answers another segment with a RST" "$tmp/nc" && ok || bad "no_connection RST marks: $(grep -E '<<<|reset_cause' "$tmp/nc")"
else
  bad "lossy-wan.ini's first 300 conversations have no RST of cause no_connection"
fi
"$hc" replay --profile=nt351-sp >"$tmp/sp" 2>&1
grep -q "redundant_ack=no server_rst=no conn_reset=no app_reset=no" "$tmp/sp" && ok || bad "nt351-sp replay is not clean"

# R6: a conversation of four million trace events (1 MB through a 1-byte
# receive buffer) replays with its timeline bounded: the first 200 000
# events, then a line saying how many more were not kept, and the whole
# outcome. Arrivals are matched by hash (a scan of every segment per
# arrival took 142 s for a quarter of this), and the memory stays flat:
# under a 300 MB address-space limit it completes (unbounded, the
# timeline alone would take about 700 MB, and a failed realloc was a
# use-after-free). A sanitizer build cannot start under such a limit:
# there the limit is left out.
big="--rcv_buf=1B --response=1MB --read_interval=0ms --delay=0ms --rate=400Gbps --time_limit=86400s"
lim=""
(ulimit -v 300000 && "$hc" --help) >/dev/null 2>&1 && lim="ulimit -v 300000;"
sh -c "$lim \"\$0\" replay $big" "$hc" >"$tmp/big" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "^\.\.\. the timeline stops here: [0-9]* more events were not kept (at most 200000 are)" "$tmp/big" &&
  grep -q "bytes_read=1000000 " "$tmp/big" && [ "$(wc -l <"$tmp/big")" -lt 200100 ] && ok ||
  bad "bounded ladder: exit $rc${lim:+ (with $lim)}: $(tail -3 "$tmp/big")"
# the control: a short conversation's timeline is whole, no such line
! grep -q "timeline stops here" "$tmp/marks" && ok || bad "a short timeline was cut"

# the same inputs give the same capture, byte for byte
"$hc" replay --pcap="$tmp/b.pcap" >/dev/null 2>&1
cmp -s "$tmp/a.pcap" "$tmp/b.pcap" && ok || bad "captures of the same inputs differ"
"$hc" replay --loss=5% --seed=3 --pcap="$tmp/c.pcap" >/dev/null 2>&1
"$hc" replay --loss=5% --seed=3 --pcap="$tmp/d.pcap" >/dev/null 2>&1
cmp -s "$tmp/c.pcap" "$tmp/d.pcap" && ok || bad "lossy captures of the same inputs differ"

# bad input: message names the key and value, exit status 2
check_err() { # expected-text args...
  want="$1"; shift
  "$hc" replay "$@" >/dev/null 2>"$tmp/e"; rc=$?
  if [ $rc -eq 2 ] && grep -qF -- "$want" "$tmp/e"; then ok
  else bad "replay $*: exit $rc, stderr: $(cat "$tmp/e")"; fi
}
check_err 'unknown option "--bogus"' --bogus=1
check_err '--delay=20parsecs: unknown unit "parsecs"' --delay=20parsecs
check_err '--delay=-5ms: out of range' --delay=-5ms
check_err '--delay=5KB: "KB" is a unit of size' --delay=5KB
check_err '--rate=10: a unit is required' --rate=10
check_err '--loss=1: out of range' --loss=1
check_err '--response=lots' --response=lots
check_err 'unknown profile "nt4"' --profile=nt4
check_err '--delack=soon' --delack=soon
check_err '--seed=x: expected a whole number' --seed=x
"$hc" replay --help | grep -q "read_interval" && ok || bad "--help does not document the keys"
for sub in run export report plot replay; do
  "$hc" $sub --help | grep -q "^usage: halfclose $sub" && ok || bad "$sub --help"
done
"$hc" --help | grep -q "^  plot " && ok || bad "halfclose --help does not list plot"
"$hc" frobnicate >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q 'unknown command "frobnicate"' "$tmp/e" && ok || bad "unknown command"

# every packet of the capture decodes as IPv4/TCP with good checksums
if ! command -v tshark >/dev/null 2>&1; then
  echo "tshark not installed: capture checks skipped" >&2
  [ "${CI:-}" = true ] && bad "tshark missing under CI: the capture checks cannot run"
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ] && exit 77 || exit 1
fi
tshark -r "$tmp/a.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -T fields -e frame.protocols -e ip.checksum.status -e tcp.checksum.status \
  >"$tmp/fields" 2>"$tmp/terr" || bad "tshark failed: $(cat "$tmp/terr")"
n=$(wc -l <"$tmp/fields")
segs=$(sed -n 's/.*segments=\([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$tmp/out")
sent=$(( ${segs% *} + ${segs#* } ))
[ "$n" -eq "$sent" ] && ok || bad "capture has $n packets, replay sent $sent"
good=$(awk -F'\t' '$1 ~ /^raw:ip:tcp/ && $2 == 1 && $3 == 1' "$tmp/fields" | wc -l)
[ "$good" -eq "$n" ] && ok || bad "$((n - good)) of $n packets not IPv4/TCP with good checksums"

# ns-3's own TCP replayed: its capture starts with the client's SYN (the
# capture opens before the connection does) and every checksum is good
"$hc" replay --profile=ns3-native --pcap="$tmp/n.pcap" --no-ladder >"$tmp/nout" 2>&1 || bad "ns3-native replay: $(cat "$tmp/nout")"
tshark -r "$tmp/n.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
  -T fields -e ip.src -e tcp.flags.syn -e tcp.flags.ack -e ip.checksum.status \
  -e tcp.checksum.status >"$tmp/nf" 2>/dev/null
head -1 "$tmp/nf" | grep -q "^10.0.0.1	1	0	" && ok || bad "the ns3-native capture does not start with the SYN: $(head -2 "$tmp/nf")"
[ "$(awk -F'\t' '$4 != 1 || $5 != 1' "$tmp/nf" | wc -l)" -eq 0 ] && [ -s "$tmp/nf" ] && ok || bad "ns3-native capture has bad checksums"
finish
