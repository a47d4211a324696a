#!/bin/sh
# test_profiles.sh HALFCLOSE SOURCE_DIR - the profiles as a user meets them:
# `halfclose profiles` (every knob, every source, the README's table
# verbatim), a scenario's own [profile NAME] through run, export, report
# and replay, and each stack's documented behaviour in `replay`: the first
# flights (linux 10, bsd44 1), bsd44's window update after the FIN and the
# reset that costs no data, nt351-sp silent after the ACK of the FIN even
# with window updates on (nt351 with them on is the negative control).
set -u
hc="$1"
src="$2"
. "$(dirname "$0")/../lib.sh"

# the table: every knob, every preset, a source for each
"$hc" profiles >"$tmp/all" 2>"$tmp/e" && ok || bad "profiles: $(cat "$tmp/e")"
nknobs=$("$hc" replay --help | sed -n '/^Profile knobs/,$p' | grep -c '^    [a-z_0-9][a-z_0-9]* ')
[ "$(sed -n '2,/^$/p' "$tmp/all" | grep -c '^[a-z_0-9]')" -eq "$nknobs" ] && ok ||
  bad "profiles lists $(sed -n '2,/^$/p' "$tmp/all" | grep -c '^[a-z_0-9]') knobs, replay --help $nknobs"
for p in nt351 nt351-sp bsd44 linux; do
  grep -q "^Sources, $p" "$tmp/all" && ok || bad "no sources for $p"
done
grep -q "tcp_output()" "$tmp/all" && grep -q "TCP_INIT_CWND" "$tmp/all" &&
  grep -q "KB Q152474's fix" "$tmp/all" && ok || bad "sources missing"
"$hc" profiles bsd44 | grep -q "^  winupdate_after_fin    true " && ok || bad "profiles bsd44"
"$hc" profiles nt4 >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q 'unknown profile "nt4"' "$tmp/e" && ok || bad "profiles nt4: $(cat "$tmp/e")"
# docs/profiles.md carries the Markdown table exactly as the program prints it
"$hc" profiles --markdown >"$tmp/md"
awk 'NR==FNR { want = want $0 "\n"; next } { have = have $0 "\n" }
     END { exit index(have, want) ? 0 : 1 }' "$tmp/md" "$src/docs/profiles.md" && ok ||
  bad "docs/profiles.md's table differs from halfclose profiles --markdown"

# a scenario's own profile: run, export under its name, report, replay
scn="$src/scenarios/nt-variants.ini"
"$hc" run "$scn" --conversations=30 --out="$tmp/v.db" >/dev/null 2>"$tmp/e" && ok || bad "run: $(cat "$tmp/e")"
for p in nt-delack0 nt-ackall; do
  [ "$("$hc" export "$tmp/v.db" | awk -F, -v p=$p '$2 == p' | wc -l)" -eq 30 ] && ok || bad "no rows for $p"
  "$hc" replay "$tmp/v.db" --conversation=3 --profile=$p --no-ladder >"$tmp/r" 2>&1 &&
    grep -q "stored outcome is reproduced" "$tmp/r" && ok || bad "replay $p: $(tail -3 "$tmp/r")"
done
[ "$(sqlite3 "$tmp/v.db" "select sum(redundant_ack) from conversations where profile = 'nt-delack0'")" -eq 0 ] &&
  [ "$(sqlite3 "$tmp/v.db" "select sum(redundant_ack) from conversations where profile = 'nt351'")" -gt 0 ] &&
  ok || bad "nt-delack0 should never send the redundant ACK, nt351 should"
"$hc" report "$tmp/v.db" --format=md >"$tmp/rep" 2>"$tmp/e" && ok || bad "report: $(cat "$tmp/e")"
grep -q "^| nt-delack0 | nt351 | delack_mode = off |" "$tmp/rep" && ok || bad "report lacks the profile table"
"$hc" replay --profile="$scn:nt-delack0" --no-ladder >"$tmp/r" 2>&1 &&
  grep -q "client nt-delack0" "$tmp/r" && grep -q "redundant_ack=no" "$tmp/r" && ok || bad "replay FILE:NAME: $(cat "$tmp/r")"
"$hc" replay --profile="$scn:nope" >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "defines no \[profile nope\]" "$tmp/e" && ok || bad "FILE:nope: $(cat "$tmp/e")"
"$hc" profiles "$scn:nt-ackall" | tr -s " \n" " " | grep -q "ack_every 1 set in [^ ]*nt-variants.ini:19 " && ok || bad "profiles FILE:NAME"

# first flights: data segments the server sends at the instant of the first
flight() {
  "$hc" replay "$@" | awk '$2 == "<--" && $NF == "data" { if (!t) t = $1; if ($1 != t) exit; n++ } END { print n }'
}
[ "$(flight --profile=linux)" -eq 10 ] && ok || bad "linux first flight $(flight --profile=linux)"
# 4.4BSD: one segment, and the ACK of the SYN opens another (B2); with
# ss_incr_mss off, the control, one
[ "$(flight --profile=bsd44)" -eq 2 ] && ok || bad "bsd44 first flight $(flight --profile=bsd44)"
[ "$(flight --profile=bsd44 --ss_incr_mss=false)" -eq 1 ] && ok || bad "bsd44 first flight, ss_incr_mss off: $(flight --profile=bsd44 --ss_incr_mss=false)"
[ "$(flight --profile=linux --init_cwnd=4)" -eq 4 ] && ok || bad "init_cwnd=4 does not give 4"

# bsd44 with a paced reader: window update after the ACK of the FIN, the
# server's RST, the connection reset, and every byte read
"$hc" replay --profile=bsd44 >"$tmp/b"
sed -n '/ack-fin$/,$p' "$tmp/b" | grep -q -- "-->.*window-update" && ok || bad "bsd44: no window update after the ACK of the FIN"
grep -q "<--     RST" "$tmp/b" && grep -q "client: TIME-WAIT -> CLOSED" "$tmp/b" && ok || bad "bsd44: no RST ending TIME-WAIT"
grep -q "conn_reset=yes app_reset=no bytes_lost=0" "$tmp/b" && grep -q "bytes_read=20000" "$tmp/b" && ok || bad "bsd44: $(grep outcome -A1 "$tmp/b")"
# the fix: nothing after the ACK of the FIN, even with window updates on
"$hc" replay --profile=nt351-sp --winupdate_after_fin=true >"$tmp/sp"
[ "$(sed -n '/client: .* -> TIME-WAIT/,$p' "$tmp/sp" | grep -c -- '-->')" -eq 1 ] && ok || bad "nt351-sp sent after its ACK of the FIN"
grep -q "redundant_ack=no server_rst=no" "$tmp/sp" && ok || bad "nt351-sp with window updates: $(grep outcome "$tmp/sp")"
"$hc" replay --profile=nt351 --winupdate_after_fin=true --delack_mode=off >"$tmp/nt"
sed -n '/client: .* -> TIME-WAIT/,$p' "$tmp/nt" | grep -q -- "-->.*window-update" && ok || bad "nt351 with window updates on sent none"
grep -q "app_reset=yes" "$tmp/nt" && ok || bad "nt351 with window updates: not reset"
finish
