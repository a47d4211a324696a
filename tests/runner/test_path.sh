#!/bin/sh
# test_path.sh HALFCLOSE SCENARIO_DIR - a [path] scenario (routers, queue
# discs, cross traffic) through the whole tool: the shipped
# shared-bottleneck scenario, cut short, runs, resumes and stores each
# conversation's path; two workers write what one writes; the report bins
# the path's keys and its numbers are the store's; the plot's points are
# the store's rates; replay reproduces a stored row and captures both
# ends; bad [path] input is refused before anything is written.
set -u
hc=$1
scn=$2
. "$(dirname "$0")/../lib.sh"
cd "$tmp" || exit 1
ini="$scn/shared-bottleneck.ini"
q() { sqlite3 "$1" "$2"; }

# 4 conversations per cell (9 cells), two profiles; then resumed to 6
"$hc" run "$ini" --conversations=4 --out=a.db --quiet --jobs=2 >o 2>&1 &&
  ok || bad "run: $(tail -3 o)"
[ "$(rows a.db)" -eq 72 ] && ok || bad "rows: $(rows a.db)"
"$hc" run "$ini" --conversations=6 --out=a.db --quiet --jobs=2 >o 2>&1 &&
  ok || bad "resume: $(tail -3 o)"
[ "$(rows a.db)" -eq 108 ] && ok || bad "rows after resume: $(rows a.db)"
"$hc" run "$ini" --conversations=6 --out=b.db --quiet --jobs=1 >o 2>&1 &&
  ok || bad "one worker: $(tail -3 o)"
[ "$("$hc" export a.db | sha256sum)" = "$("$hc" export b.db | sha256sum)" ] &&
  ok || bad "two workers and a resume wrote another store than one worker"

# the store records each conversation's path: the grid's cells
[ "$(q a.db "select count(distinct qdisc || '/' || cross_flows) from conversations where routers = 2 and bottleneck_rate_bps = 5000000")" -eq 9 ] &&
  ok || bad "the path's columns"
[ "$(q a.db "select count(*) from conversations where bottleneck_delay_ns not between 5000000 and 50000000")" -eq 0 ] &&
  ok || bad "bottleneck_delay outside its draw"
# the fix holds on the path; and the unfixed client meets the race there
[ "$(q a.db "select count(*) from conversations where profile = 'nt351-sp' and redundant_ack")" -eq 0 ] &&
  ok || bad "nt351-sp sent a redundant ACK"
[ "$(q a.db "select count(*) from conversations where profile = 'nt351' and redundant_ack")" -gt 0 ] &&
  ok || bad "nt351 sent no redundant ACK on the path"

# the report bins the path's keys, with the store's counts
"$hc" report a.db --format=md --out=r.md >o 2>&1 && ok || bad "report: $(tail -3 o)"
grep -q "^### qdisc (grid)" r.md && grep -q "^### cross_flows (grid)" r.md &&
  ok || bad "the report has no qdisc or cross_flows bins"
n=$(q a.db "select count(*) from conversations where profile = 'nt351' and qdisc = 2")
grep -q "^| codel | $n |" r.md && ok || bad "the codel bin's n is not $n"
k=$(q a.db "select count(*) from conversations where profile = 'nt351' and app_reset")
grep -q "^| nt351 |.*" r.md && grep -q "$k/54 " r.md && ok ||
  bad "the report's nt351 count is not the store's $k of 54"

# the drops table: each number the store's
w=$(q a.db "select count(*) from conversations where profile = 'nt351' and lost > 0")
t=$(q a.db "select sum(lost) from conversations where profile = 'nt351'")
u=$(q a.db "select count(*) from conversations where profile = 'nt351' and redundant_ack and not server_rst")
ra=$(q a.db "select count(*) from conversations where profile = 'nt351' and redundant_ack")
ud=$(q a.db "select count(*) from conversations where profile = 'nt351' and redundant_ack and not server_rst and lost > 0")
grep -qF "| nt351 | $w of 54 | $t | $u of $ra ($ud) |" r.md && ok ||
  bad "the drops table's nt351 row is not the store's ($w, $t, $u of $ra ($ud)): $(grep -A4 'Datagrams lost' r.md | tail -2)"

# the plot: one point per profile, queue disc and number of cross flows,
# each the store's rate
"$hc" plot a.db --out=plots --format=svg >o 2>&1 && ok || bad "plot: $(tail -3 o)"
[ -s plots/reset-vs-cross-traffic.svg ] && ok || bad "no reset-vs-cross-traffic.svg"
d=plots/data/reset-vs-cross-traffic.dat
awk '/^# nt351, qdisc fifo:/ {on = 1; next} /^#/ {on = 0} on && $1 == 8 {print $2, $5}' "$d" >pt
k=$(q a.db "select count(*) from conversations where profile = 'nt351' and qdisc = 0 and cross_flows = 8 and app_reset")
n=$(q a.db "select count(*) from conversations where profile = 'nt351' and qdisc = 0 and cross_flows = 8")
awk -v k="$k" -v n="$n" '{ exit !($2 == n && ($1 - k / n) < 1e-6 && (k / n - $1) < 1e-6) }' pt &&
  ok || bad "the plot's fifo, 8 flows point ($(cat pt)) is not $k of $n"

# the report embeds that graph
"$hc" report a.db --format=md --plots=plots --out=rp.md >o 2>&1 &&
  grep -q "^!\[Reset probability against the cross traffic.*\](plots/reset-vs-cross-traffic.svg)" rp.md &&
  ok || bad "the report does not show reset-vs-cross-traffic: $(grep -c '^!\[' rp.md) images"

# replay reproduces a stored row of the path, and captures both ends
c=$(q a.db "select conversation from conversations where profile = 'nt351' and cross_flows = 8 order by redundant_ack desc, conversation limit 1")
"$hc" replay a.db --conversation="$c" --profile=nt351 --pcap=c.pcapng \
  --pcap_server=s.pcapng --no_ladder >o 2>&1 &&
  grep -q "stored outcome is reproduced" o && ok || bad "replay: $(tail -3 o)"
[ -s c.pcapng ] && [ -s s.pcapng ] && ok || bad "no captures"
if command -v tshark >/dev/null 2>&1; then
  segs=$(q a.db "select segments_client + segments_server from conversations where conversation = $c and profile = 'nt351'")
  sent=$(tshark -r c.pcapng -Y "ip.src == 10.0.0.1" 2>/dev/null | wc -l)
  got=$(tshark -r s.pcapng -Y "ip.src == 10.0.0.2" 2>/dev/null | wc -l)
  [ $((sent + got)) -eq "$segs" ] && ok ||
    bad "captures: $sent + $got datagrams sent, the store says $segs"
elif [ "${CI:-}" = true ]; then
  bad "no tshark (required under CI)"
fi

# bad input: refused, exit 2, no store
printf '[path]\nrouters = 1\ncross_flows = 2\n' >x1.ini
expect2 "needs routers >= 2" "$hc" run x1.ini --out=x1.db
[ ! -e x1.db ] && ok || bad "a refused scenario left x1.db"
printf '[path]\nrouters = 2\nqdisc = wfq\n' >x2.ini
expect2 'x2.ini:3: [path] qdisc = wfq' "$hc" run x2.ini --out=x2.db
printf '[link]\nrouters = 2\n' >x3.ini
expect2 "this key belongs in [path]" "$hc" run x3.ini --out=x3.db
printf '[batch]\nprofiles = ns3-native\n[path]\nrouters = 2\n' >x4.ini
expect2 "not on one" "$hc" run x4.ini --out=x4.db
printf '[path]\nrouters = 5\n' >x5.ini
expect2 'x5.ini:2: [path] routers = 5' "$hc" run x5.ini --out=x5.db
[ ! -e x2.db ] && [ ! -e x4.db ] && ok || bad "a refused scenario left a store"
# kernels are on the emulation's one link: a path is refused before any
# namespace is made (no root needed to be refused)
expect2 "a [path] runs in simulated time only" "$hc" emulate --routers=2
printf '[path]\nrouters = 2\n' >x6.ini
expect2 'x6.ini:2: routers: a [path] runs in simulated time only' \
  "$hc" crosscheck x6.ini --against=x6.db

finish
