#!/bin/sh
# test_variants.sh HALFCLOSE - [variant NAME] sections through the whole
# path: a batch of nt351 against variants of it that set a conversation
# key (a paced reader against one that reads as data arrives) and a knob,
# on the same draws.
#   - each variant's rows hold the variant's value of the key it sets, the
#     other rows the draw;
#   - a variant that sets nothing runs exactly its base, row for row (the
#     control: the variant that sets the reader's pace differs);
#   - replay from the store reproduces a variant's stored outcome;
#   - the report pairs the variants and says the key they set is not
#     binned; the export carries every row.
set -u
hc=$1
. "$(dirname "$0")/../lib.sh"
cd "$tmp" || exit 1
cat >v.ini <<'INI'
; a paced reader against an eager one, on the same draws
[batch]
conversations = 120
seed = 3
profiles = nt351, same, eager, eager-sp

[client]
read_interval = uniform(20ms, 120ms)

[server]
response = uniform(8KB, 40KB)

[variant same]
base = nt351

[variant eager]
base = nt351
read_interval = 0ms

[variant eager-sp]
base = eager
fin_ack_final = true
INI
"$hc" run v.ini --out=v.db --quiet --jobs=2 >"$tmp/o" 2>&1 && ok || bad "run: $(tail -3 "$tmp/o")"
[ "$(rows v.db)" -eq 480 ] && ok || bad "rows: $(rows v.db)"
q() { sqlite3 v.db "$1"; }
# the key a variant sets is stored as its value; the others drew
[ "$(q "select count(*) from conversations where profile='eager' and read_interval_ns = 0")" -eq 120 ] && ok || bad "eager's read_interval"
[ "$(q "select count(*) from conversations where profile='eager-sp' and read_interval_ns = 0")" -eq 120 ] && ok || bad "eager-sp inherits eager's read_interval"
[ "$(q "select count(*) from conversations where profile='nt351' and read_interval_ns between 20000000 and 120000000")" -eq 120 ] && ok || bad "nt351's drawn read_interval"
[ "$(q "select count(*) from conversations a join conversations b on a.conversation = b.conversation where a.profile='nt351' and b.profile='eager' and a.response_bytes = b.response_bytes")" -eq 120 ] && ok || bad "the same draws of the rest"
# a variant that sets nothing is its base, row for row
cols="redundant_ack, server_rst, conn_reset, app_reset, bytes_lost, bytes_read, duration_ns, segments_client, segments_server"
[ "$(q "select count(*) from (select conversation, $cols from conversations where profile='nt351' except select conversation, $cols from conversations where profile='same')")" -eq 0 ] && ok || bad "same differs from nt351"
# the control: the eager reader changes the outcomes
[ "$(q "select count(*) from (select conversation, $cols from conversations where profile='nt351' except select conversation, $cols from conversations where profile='eager')")" -gt 0 ] && ok || bad "eager is nt351 (the control)"
# the paced reader fails reads, the eager one does not; the fix keeps none
[ "$(q "select count(*) from conversations where profile='nt351' and app_reset = 1")" -gt 0 ] && ok || bad "nt351 has no failed read"
[ "$(q "select count(*) from conversations where profile='eager-sp' and redundant_ack = 1")" -eq 0 ] && ok || bad "eager-sp sent a redundant ACK"
# replay from the store reproduces a variant's row
for p in eager eager-sp same; do
  "$hc" replay v.db --conversation=7 --profile=$p --no_ladder >r 2>&1 &&
    grep -q "stored outcome is reproduced" r && ok || bad "replay $p: $(tail -3 r)"
done
grep -q "^set by variant same" r && bad "same sets nothing" || ok
"$hc" replay v.db --conversation=7 --profile=eager-sp --no_ladder >r 2>&1
grep -q "^set by variant eager-sp: read_interval = 0" r && ok || bad "replay's header: $(head -4 r)"
# the report: the pairs, and read_interval not binned
"$hc" report v.db --out=v.md >o 2>&1 && ok || bad "report: $(tail -3 o)"
grep -q "Not binned: read_interval (set by eager)" v.md && ok || bad "the report's unbinned note: $(grep -n "binned" v.md)"
grep -q "eager-sp" v.md && ok || bad "the report names eager-sp"
grep -q "^### response_bytes" v.md && ok || bad "response still binned"
"$hc" export v.db >e.csv && [ "$(($(wc -l <e.csv) - 1))" -eq 480 ] && ok || bad "export rows"
finish
