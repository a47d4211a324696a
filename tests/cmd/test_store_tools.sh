#!/bin/sh
# test_store_tools.sh HALFCLOSE SCENARIO - halfclose info and halfclose
# diff, against counts taken again here with sqlite3 (and the exact
# McNemar p with python3). info: a complete store says so with its
# counts; one with conversations removed says how many are complete and
# how to resume; neither store is changed; a file that is not a store is
# exit 2. diff: a store against itself pairs every conversation with no
# difference; against a copy with planted changes (outcomes flipped as a
# model change would) the discordant counts are exactly the planted ones;
# against another seed nothing is paired and the rates are compared as
# independent samples. Adding to a finished store: a profile added (with
# the scenario's text edited in a comment only, and the store grown) gives
# exactly the rows a fresh run of the whole gives; dropping a profile, or
# a scenario whose draws differ (the control), is refused with the store's
# contents unchanged. A replay from a store prints the drawn parameters,
# equal to the store's columns. A run whose output is not a terminal
# prints progress lines (every 0 s here; none in a short run by default,
# none with --quiet: the controls).
set -u
hc="$1"
scn="$2"
. "$(dirname "$0")/../lib.sh"
q() { sqlite3 "$1" "$2"; }
"$hc" run "$scn" --conversations=400 --out="$tmp/a.db" --quiet >/dev/null 2>&1 || bad "run a"
before=$(sum "$tmp/a.db")
"$hc" info "$tmp/a.db" >"$tmp/i" 2>&1 && ok || bad "info: $(cat "$tmp/i")"
grep -q "^state          complete$" "$tmp/i" && ok || bad "complete: $(cat "$tmp/i")"
grep -q "^seed           1$" "$tmp/i" && grep -q "^scenario       kb-q152474 " "$tmp/i" && ok || bad "scenario and seed"
for p in nt351 nt351-sp; do
  n=$(q "$tmp/a.db" "select count(*) from conversations where profile='$p'")
  k=$(q "$tmp/a.db" "select sum(app_reset) from conversations where profile='$p'")
  grep -Eq "^  $p +$n rows, $k failed reads" "$tmp/i" && ok || bad "info's $p row: $(grep "^  $p " "$tmp/i")"
done
grep -q "400 planned (1 grid cell x 400); 400 with rows, 400 complete under every profile" "$tmp/i" && ok || bad "info's counts"
[ "$(sum "$tmp/a.db")" = "$before" ] && ok || bad "info changed the store"
cp "$tmp/a.db" "$tmp/inc.db"
q "$tmp/inc.db" "delete from conversations where conversation >= 350 and profile = 'nt351-sp'; update batch set finished = NULL"
"$hc" info "$tmp/inc.db" >"$tmp/i2" 2>&1
grep -q "400 with rows, 350 complete under every profile" "$tmp/i2" &&
  grep -q "^state          incomplete: 350 of 400 conversations complete; \`halfclose run .* --out=$tmp/inc.db\` resumes it" "$tmp/i2" &&
  grep -q "^finished       not yet" "$tmp/i2" && ok || bad "incomplete: $(cat "$tmp/i2")"
printf 'not a store' >"$tmp/x.db"
"$hc" info "$tmp/x.db" >/dev/null 2>"$tmp/e"; [ $? -eq 2 ] && ok || bad "info of a non-store: $(cat "$tmp/e")"
# diff: itself
"$hc" diff "$tmp/a.db" "$tmp/a.db" >"$tmp/d" 2>&1 && ok || bad "diff: $(cat "$tmp/d")"
grep -q "400 of the first 400 conversation indices have the same drawn parameters in both (the same scenario and seed)" "$tmp/d" && ok || bad "self pairing: $(head -3 "$tmp/d")"
[ "$(grep -c "B - A +0.00 pp .*exact McNemar p = 1 (A only 0, B only 0)" "$tmp/d")" -eq 8 ] && ok || bad "self diff: $(cat "$tmp/d")"
# diff: planted changes in B (as a change of the model would make)
cp "$tmp/a.db" "$tmp/b.db"
q "$tmp/b.db" "update conversations set app_reset = 0 where profile = 'nt351' and app_reset = 1 and conversation % 3 = 0;
               update conversations set app_reset = 1 where profile = 'nt351' and app_reset = 0 and conversation % 7 = 0"
q "$tmp/b.db" "attach '$tmp/a.db' as a;
  select sum(x.app_reset = 1 and y.app_reset = 0), sum(x.app_reset = 0 and y.app_reset = 1)
  from a.conversations x join conversations y using (conversation, profile) where profile = 'nt351'" >"$tmp/bc"
ao=$(cut -d'|' -f1 "$tmp/bc"); bo=$(cut -d'|' -f2 "$tmp/bc")
[ "$ao" -gt 0 ] && [ "$bo" -gt 0 ] && ok || bad "planted changes: $ao $bo"
"$hc" diff "$tmp/a.db" "$tmp/b.db" >"$tmp/d2" 2>&1 || bad "diff a b"
line=$(awk '/^profile nt351:/{p=1} p && /read failed/{print; exit}' "$tmp/d2")
echo "$line" | grep -q "(A only $ao, B only $bo)" && ok || bad "discordant counts: $line, planted $ao/$bo"
p=$(echo "$line" | sed 's/.*exact McNemar p = \([^ ]*\) .*/\1/')
python3 - "$ao" "$bo" "$p" <<'PY' && ok || bad "the exact McNemar p: $p"
import math, sys
b, c, got = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
n, k = b + c, min(b, c)
want = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)
assert abs(got - want) <= 5e-3 * want, (got, want)
PY
awk '/^profile nt351-sp:/{p=1} p && /read failed/{print; exit}' "$tmp/d2" | grep -q "(A only 0, B only 0)" && ok || bad "nt351-sp untouched"
# diff: another seed, nothing paired
"$hc" run "$scn" --conversations=400 --seed=2 --out="$tmp/c.db" --quiet >/dev/null 2>&1 || bad "run c"
"$hc" diff "$tmp/a.db" "$tmp/c.db" >"$tmp/d3" 2>&1 || bad "diff a c"
grep -q "^0 of the first 400 conversation indices" "$tmp/d3" && [ "$(grep -c "(independent samples)" "$tmp/d3")" -eq 8 ] && ok || bad "unpaired: $(cat "$tmp/d3")"
ka=$(q "$tmp/a.db" "select sum(app_reset) from conversations where profile='nt351'")
kc=$(q "$tmp/c.db" "select sum(app_reset) from conversations where profile='nt351'")
want=$(python3 -c "print('A %6.2f %%' % (100*$ka/400), 'B %6.2f %%' % (100*$kc/400))")
awk '/^profile nt351:/{p=1} p && /read failed/{print; exit}' "$tmp/d3" | sed 's/ \[[^]]*\]//g' | grep -qF "$(echo "$want" | sed 's/ B/  B/')" && ok || bad "unpaired rates: want $want, $(grep -m1 'read failed' "$tmp/d3")"
expect2 "two stores, please" "$hc" diff "$tmp/a.db"
# adding a profile to a finished store, resumed from a copy of the
# scenario that differs in a comment
(echo "; the same batch, with a comment"; cat "$scn") >"$tmp/edited.ini"
cp "$tmp/a.db" "$tmp/add.db"
"$hc" run "$tmp/edited.ini" --conversations=450 --profiles=nt351,nt351-sp,linux --out="$tmp/add.db" --quiet >"$tmp/o" 2>&1 &&
  grep -q "differs from the scenario .* only in comments, layout or name" "$tmp/o" && ok || bad "add a profile: $(cat "$tmp/o")"
"$hc" run "$scn" --conversations=450 --profiles=nt351,nt351-sp,linux --out="$tmp/fresh.db" --quiet >/dev/null 2>&1 || bad "fresh run"
cols="redundant_ack, server_rst, conn_reset, reset_after_close, app_reset, completed, bytes_lost, bytes_read, duration_ns, segments_client, segments_server, t_fin_arrived_ns, t_redundant_ack_ns"
[ "$(q "$tmp/add.db" "select count(*) from conversations")" -eq 1350 ] &&
  [ "$(q "$tmp/add.db" "attach '$tmp/fresh.db' as f; select count(*) from (select conversation, profile, $cols from conversations except select conversation, profile, $cols from f.conversations)")" -eq 0 ] &&
  ok || bad "the added profile's store differs from a fresh run"
grep -q "^profiles       nt351, nt351-sp, linux;" "$("$hc" info "$tmp/add.db" >"$tmp/i3"; echo "$tmp/i3")" && ok || bad "info after adding: $(cat "$tmp/i3")"
dump() { sqlite3 "$1" .dump | sha256sum; }
was=$(dump "$tmp/add.db")
expect2 "a run may add profiles to a store, not drop linux" "$hc" run "$scn" --conversations=450 --out="$tmp/add.db" --quiet
sed 's/^response = .*/response = uniform(1KB, 32KB)/' "$scn" >"$tmp/other.ini"
expect2 "made from another scenario" "$hc" run "$tmp/other.ini" --conversations=450 --profiles=nt351,nt351-sp,linux --out="$tmp/add.db" --quiet
[ "$(dump "$tmp/add.db")" = "$was" ] && ok || bad "a refused run changed the store's contents"
# the drawn parameters of a stored conversation
"$hc" replay "$tmp/a.db" --conversation=7 --no_ladder >"$tmp/r" 2>&1 || bad "replay from the store: $(cat "$tmp/r")"
python3 - "$tmp/r" "$(q "$tmp/a.db" "select delay_ns, response_bytes, read_size_bytes from conversations where conversation = 7 limit 1")" <<'PY' && ok || bad "drawn parameters: $(sed -n 2p "$tmp/r")"
import re, sys
line = [l for l in open(sys.argv[1]) if l.startswith("drawn:")][0]
got = dict(kv.split(" = ") for kv in line[len("drawn: "):].strip().split(", "))
unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "B": 1, "KB": 1e3, "KiB": 1024}
def val(t):
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", t)
    return float(m.group(1)) * unit.get(m.group(2), 1)
delay, resp, rs = (int(x) for x in sys.argv[2].split("|"))
assert abs(val(got["delay"]) - delay) < 1, (got["delay"], delay)
assert val(got["response"]) == resp and val(got["read_size"]) == rs, (got, resp, rs)
PY
HALFCLOSE_PROGRESS_EVERY=0 "$hc" run "$scn" --conversations=1500 --out="$tmp/p1.db" 2>"$tmp/p1" >/dev/null || bad "run p1"
n=$(grep -c "^kb-q152474: [0-9]* of 1500 conversations ([0-9.]* %), [0-9]* conv/s, ETA [0-9]*:[0-9][0-9]$" "$tmp/p1")
[ "$n" -ge 2 ] && ok || bad "progress lines: $(cat "$tmp/p1")"
"$hc" run "$scn" --conversations=1500 --out="$tmp/p2.db" 2>"$tmp/p2" >/dev/null
HALFCLOSE_PROGRESS_EVERY=0 "$hc" run "$scn" --conversations=1500 --out="$tmp/p3.db" --quiet 2>"$tmp/p3" >/dev/null
! grep -q " of 1500 conversations" "$tmp/p2" "$tmp/p3" && ok || bad "progress where none was due"
finish
