#!/bin/sh
# test_capture.sh HALFCLOSE - captures that explain themselves: replay
# writes pcapng at the client's device (--pcap) and at the server's
# (--pcap_server); tshark reads both; every packet of a model end carries a
# comment saying why it was sent and its direction; under nt351 exactly one
# packet is called the redundant ACK - the client's pure ACK after its ACK
# of the FIN - and the server's RST is called its answer, while under
# nt351-sp (the control) neither appears; the server's capture holds the
# same packets, every TCP checksum good; the default port is one
# Wireshark dissects as nothing,
# while --port=80 is dissected as HTTP (the control). Needs tshark:
# skipped (77) without it, a failure under CI=true.
set -u
hc="$1"
. "$(dirname "$0")/../lib.sh"
if ! command -v tshark >/dev/null 2>&1; then
  echo "no tshark here" >&2
  [ "${CI:-}" = true ] && { echo "FAIL: required under CI"; exit 1; }
  exit 77
fi
f() { file="$1"; shift; tshark -r "$file" -T fields -E separator='|' "$@" 2>/dev/null; }
"$hc" replay --pcap="$tmp/c.pcapng" --pcap_server="$tmp/s.pcapng" --no_ladder >"$tmp/o" 2>&1 && ok || bad "replay: $(cat "$tmp/o")"
[ "$(od -An -tx1 -N4 "$tmp/c.pcapng" | tr -d ' ')" = "0a0d0d0a" ] && ok || bad "not pcapng"
n=$(f "$tmp/c.pcapng" -e frame.number | wc -l)
[ "$n" -gt 20 ] && ok || bad "client capture: $n packets"
[ "$(f "$tmp/c.pcapng" -e frame.comment | grep -c .)" -eq "$n" ] && ok || bad "packets without a comment"
[ "$(f "$tmp/s.pcapng" -e frame.number | wc -l)" -eq "$n" ] && ok || bad "the server's capture differs in size"
# a captured conversation writes every checksum (a batch without captures
# leaves them unwritten: opaque_payload); tshark verifies each one
for c in c s; do
  good=$(tshark -r "$tmp/$c.pcapng" -o tcp.check_checksum:TRUE -Y "tcp.checksum.status == 1" 2>/dev/null | wc -l)
  [ "$good" -eq "$n" ] && ok || bad "$c.pcapng: $good of $n TCP checksums verified good"
done
# direction: outbound from the capturing host, inbound to it
f "$tmp/c.pcapng" -e ip.src -e frame.packet_flags_direction | sort -u >"$tmp/dir"
grep -qx "10.0.0.1|0x00000002" "$tmp/dir" && grep -qx "10.0.0.2|0x00000001" "$tmp/dir" && [ "$(wc -l <"$tmp/dir")" -eq 2 ] && ok || bad "directions: $(cat "$tmp/dir")"
f "$tmp/s.pcapng" -e ip.src -e frame.packet_flags_direction | sort -u >"$tmp/dir"
grep -qx "10.0.0.2|0x00000002" "$tmp/dir" && grep -qx "10.0.0.1|0x00000001" "$tmp/dir" && ok || bad "server directions: $(cat "$tmp/dir")"
# the redundant ACK and its RST, named once each, on the right packets
f "$tmp/c.pcapng" -e ip.src -e tcp.flags.str -e tcp.len -e frame.comment >"$tmp/rows"
[ "$(grep -c "the redundant ACK" "$tmp/rows")" -eq 1 ] && ok || bad "redundant ACK comments: $(grep -c "the redundant ACK" "$tmp/rows")"
grep "the redundant ACK" "$tmp/rows" | grep -q "^10.0.0.1|·······A····|0|client: delayed ACK" && ok || bad "the redundant ACK's packet: $(grep 'the redundant' "$tmp/rows")"
prev=$(grep -B1 "the redundant ACK" "$tmp/rows" | head -1)
echo "$prev" | grep -q "ack-fin\]" && ok || bad "the packet before it is not the ACK of the FIN: $prev"
grep "answers the client's redundant ACK" "$tmp/rows" | grep -q "^10.0.0.2|·········R··|0|server: RST" && ok || bad "the RST's comment"
f "$tmp/s.pcapng" -e frame.comment | grep -c "redundant ACK" | grep -qx 2 && ok || bad "the server's capture names the redundant ACK and its RST"
"$hc" replay --profile=nt351-sp --pcap="$tmp/sp.pcapng" --no_ladder >/dev/null 2>&1 || bad "replay nt351-sp"
! f "$tmp/sp.pcapng" -e frame.comment | grep -q "redundant" && ! f "$tmp/sp.pcapng" -e tcp.flags.reset | grep -q "1\|True" && ok || bad "nt351-sp: a redundant ACK or RST in the capture"
# the port: nothing dissects the default; 80 is HTTP (the control)
if f "$tmp/c.pcapng" -e frame.protocols | grep -q ":http"; then bad "the default port is dissected as HTTP"; else ok; fi
f "$tmp/c.pcapng" -e frame.protocols | grep -qx "raw:ip:tcp:data" && ok || bad "no plain data packets"
"$hc" replay --port=80 --pcap="$tmp/80.pcapng" --no_ladder >/dev/null 2>&1 || bad "replay --port=80"
f "$tmp/80.pcapng" -e frame.protocols | grep -q ":http" && ok || bad "port 80 is not dissected as HTTP (the control)"
[ "$(f "$tmp/80.pcapng" -e tcp.dstport | sort -u | grep -c '^80$')" -eq 1 ] && ok || bad "--port=80 not used"
# same inputs, same bytes
"$hc" replay --pcap="$tmp/c2.pcapng" --no_ladder >/dev/null 2>&1
cmp -s "$tmp/c.pcapng" "$tmp/c2.pcapng" && ok || bad "two replays wrote different captures"
expect2 "--pcap and --pcap_server name the same file" "$hc" replay --pcap="$tmp/x" --pcap_server="$tmp/x"
finish
