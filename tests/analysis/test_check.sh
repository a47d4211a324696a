#!/bin/sh
# test_check.sh HALFCLOSE - the analytic check (analysis/predict.c) against
# the simulation, as the report states it: on a response-size sweep read
# as data arrives and paced, stage 1 predicts every conversation - the
# redundant ACK, the failed read and the chain's times - and agrees with
# each, with both outcomes present (not a constant); stage 2 agrees on
# every paced reader with a redundant ACK; nt351-sp counts as "by
# definition", never as agreement. Negative controls: a shifted tick
# phase, a flipped outcome, a moved redundant ACK, a flipped failed read
# and a FIN a nanosecond late in the store each produce listed
# disagreements.
set -u
hc="$1"
. "$(dirname "$0")/../lib.sh"
j() { sqlite3 :memory: "select json_extract(readfile('$1'), '$2')"; }

cat >"$tmp/sweep.ini" <<'INI'
; Does the analytic check agree with the simulation? A small sweep.
[batch]
conversations = 6
seed = 4
profiles = nt351, nt351-sp
[link]
; long enough that the FIN can come more than a tick after the arming
; segment: the drawn phase then decides
delay = 70ms
[client]
read_interval = grid(0ms, 100ms)
[server]
response = sweep(730B, 23360B, 32)
INI
"$hc" run "$tmp/sweep.ini" --out="$tmp/s.db" >/dev/null || bad "run failed"
"$hc" report "$tmp/s.db" --format=json --out="$tmp/r.json" || bad "report failed"
cmp1=$(j "$tmp/r.json" '$.check[0].compared')
[ "$cmp1" -eq 384 ] && ok || bad "stage 1 compared $cmp1 of 384 (instant and paced readers)"
[ "$(j "$tmp/r.json" '$.check[0].agree')" -eq "$cmp1" ] && ok || bad "stage 1 disagrees: $(j "$tmp/r.json" '$.disagreements')"
yes=$(j "$tmp/r.json" '$.check[0].predicted_yes')
[ "$yes" -gt 20 ] && [ "$yes" -lt $((cmp1 - 20)) ] && ok || bad "predictions nearly constant: $yes of $cmp1"
# the failed read, predicted from the parameters: both outcomes present,
# every one agreeing, and the simulated count the store's own
[ "$(j "$tmp/r.json" '$.check[0].app_agree')" -eq "$cmp1" ] && ok || bad "stage 1's failed reads disagree: $(j "$tmp/r.json" '$.disagreements')"
app=$(j "$tmp/r.json" '$.check[0].app_predicted_yes')
[ "$app" -gt 10 ] && [ "$app" -lt $((cmp1 - 10)) ] && ok || bad "failed-read predictions nearly constant: $app of $cmp1"
[ "$(j "$tmp/r.json" '$.check[0].times_agree')" -eq "$cmp1" ] && ok || bad "stage 1's times differ from the store's"
[ "$(j "$tmp/r.json" '$.check[0].app_simulated_yes')" -eq "$(sqlite3 "$tmp/s.db" "select count(*) from conversations where profile='nt351' and app_reset=1")" ] &&
  ok || bad "the simulated failed reads are not the store's"
[ "$(j "$tmp/r.json" '$.check[0].stage2_compared')" -gt 20 ] &&
  [ "$(j "$tmp/r.json" '$.check[0].stage2_agree')" -eq "$(j "$tmp/r.json" '$.check[0].stage2_compared')" ] && ok ||
  bad "stage 2: $(j "$tmp/r.json" '$.check[0]')"
[ "$(j "$tmp/r.json" '$.check[1].by_definition')" -eq 384 ] && [ "$(j "$tmp/r.json" '$.check[1].compared')" -eq 0 ] && ok ||
  bad "nt351-sp should be by definition: $(j "$tmp/r.json" '$.check[1]')"
[ "$(j "$tmp/r.json" '$.disagreements.total')" -eq 0 ] && ok || bad "disagreements listed"
"$hc" report "$tmp/s.db" >"$tmp/r.md"
grep -q "^| nt351 | 384 of 384 | 0 | 384 | 384 of 384 | $yes / $yes | 384 of 384 | $app / $app | 384 of 384 |" "$tmp/r.md" && ok || bad "report table: $(grep '^| nt351 |' "$tmp/r.md" | tail -2)"
if grep -q "Not predicted under nt351" "$tmp/r.md"; then bad "a paced reader declined"; else ok; fi

# control 1: the tick phase the predictor reads, shifted by half a tick
cp "$tmp/s.db" "$tmp/c1.db"
sqlite3 "$tmp/c1.db" "update conversations set phase_client_ns = (phase_client_ns + 50000000) % 100000000"
"$hc" report "$tmp/c1.db" --format=json --out="$tmp/c1.json"
[ "$(j "$tmp/c1.json" '$.disagreements.total')" -gt 0 ] && ok || bad "a shifted phase changes no prediction"
# control 2: one in-regime outcome flipped: exactly that conversation listed
conv=$(sqlite3 "$tmp/s.db" "select conversation from conversations where profile='nt351' and read_interval_ns=0 and redundant_ack=1 limit 1")
cp "$tmp/s.db" "$tmp/c2.db"
sqlite3 "$tmp/c2.db" "update conversations set redundant_ack=0 where profile='nt351' and conversation=$conv"
"$hc" report "$tmp/c2.db" --format=json --out="$tmp/c2.json"
[ "$(j "$tmp/c2.json" '$.disagreements.total')" -eq 1 ] &&
  [ "$(j "$tmp/c2.json" '$.disagreements.listed[0].conversation')" -eq "$conv" ] &&
  [ "$(j "$tmp/c2.json" '$.disagreements.listed[0].stage')" -eq 1 ] && ok || bad "flipped outcome: $(j "$tmp/c2.json" '$.disagreements')"
"$hc" report "$tmp/c2.db" | grep -q "^| $conv | nt351 | 1: redundant ACK | yes | no | response " && ok || bad "the disagreement's row"
# control 3: the measured redundant ACK moved a second later: stage 2 moves
cp "$tmp/s.db" "$tmp/c3.db"
sqlite3 "$tmp/c3.db" "update conversations set t_redundant_ack_ns = t_redundant_ack_ns + 1000000000 where read_interval_ns > 0"
"$hc" report "$tmp/c3.db" --format=json --out="$tmp/c3.json"
[ "$(j "$tmp/c3.json" '$.check[0].stage2_agree')" -lt "$(j "$tmp/c3.json" '$.check[0].stage2_compared')" ] && ok || bad "stage 2 ignores the redundant ACK's time"
# control 4: one paced reader's failed read flipped in the store: stage 1
# (from the parameters) and stage 2 (the consistency check) each list it
conv=$(sqlite3 "$tmp/s.db" "select conversation from conversations where profile='nt351' and read_interval_ns>0 and app_reset=1 limit 1")
cp "$tmp/s.db" "$tmp/c4.db"
sqlite3 "$tmp/c4.db" "update conversations set app_reset=0 where profile='nt351' and conversation=$conv"
"$hc" report "$tmp/c4.db" --format=json --out="$tmp/c4.json"
[ "$(j "$tmp/c4.json" '$.disagreements.total')" -eq 2 ] &&
  [ "$(sqlite3 :memory: "select count(*) from json_each(json_extract(readfile('$tmp/c4.json'), '\$.disagreements.listed')) where json_extract(value, '\$.conversation') = $conv and json_extract(value, '\$.stage') = 3")" -eq 1 ] &&
  ok || bad "flipped failed read: $(j "$tmp/c4.json" '$.disagreements')"
"$hc" report "$tmp/c4.db" | grep -q "^| $conv | nt351 | 1: failed read | yes | no | response " && ok || bad "the failed read's disagreement row"
# control 5: one conversation's stored FIN arrival a nanosecond late:
# stage 1's times list exactly it, and nothing else moves
conv=$(sqlite3 "$tmp/s.db" "select conversation from conversations where profile='nt351' and read_interval_ns>0 and redundant_ack=0 limit 1")
cp "$tmp/s.db" "$tmp/c5.db"
sqlite3 "$tmp/c5.db" "update conversations set t_fin_arrived_ns = t_fin_arrived_ns + 1 where profile='nt351' and conversation=$conv"
"$hc" report "$tmp/c5.db" --format=json --out="$tmp/c5.json"
[ "$(j "$tmp/c5.json" '$.disagreements.total')" -eq 1 ] &&
  [ "$(j "$tmp/c5.json" '$.disagreements.listed[0].stage')" -eq 4 ] &&
  [ "$(j "$tmp/c5.json" '$.disagreements.listed[0].conversation')" -eq "$conv" ] &&
  [ "$(j "$tmp/c5.json" '$.check[0].times_agree')" -eq $((cmp1 - 1)) ] && ok || bad "a moved FIN: $(j "$tmp/c5.json" '$.disagreements')"
# the randomized test (issue 22): 3000 conversations of the wide check's
# draws under every built-in profile and one built on each - 24 000
# predictions. The predictor agrees or declines on every one; Linux's own
# ACK and send rules, which it does not model, make it decline, with the
# rule named (with them on, the Linux profile with the article's bug
# grafted on disagreed on about half). The control: the same graft with
# those rules off is predicted, and agrees.
"$hc" run "$(dirname "$0")/check-profiles.ini" --out="$tmp/cp.db" --quiet >/dev/null || bad "check-profiles run"
"$hc" report "$tmp/cp.db" --format=json --out="$tmp/cp.json" || bad "check-profiles report"
n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['check']))" "$tmp/cp.json")
[ "$n" -eq 8 ] && ok || bad "check-profiles: $n profiles checked"
python3 - "$tmp/cp.json" >"$tmp/cpo" 2>&1 <<'PY' && ok || bad "the randomized check: $(cat "$tmp/cpo")"
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["profile"]: x for x in d["check"]}
bad = [p for p, x in c.items() if x["agree"] != x["compared"]]
assert not bad, "disagreements under " + ", ".join(bad)
assert sum(x["compared"] + x["by_definition"] for x in c.values()) > 15000, "too few predictions"
assert c["lx-bug"]["compared"] == 0, "the Linux rules were not declined"
assert c["lx-bug-plain"]["compared"] > 2500, "the control was not predicted"
bad = [p for p, x in c.items() if x["app_agree"] != x["compared"]]
assert not bad, "failed reads disagree under " + ", ".join(bad)
bad = [p for p, x in c.items() if x["times_agree"] != x["compared"]]
assert not bad, "times differ under " + ", ".join(bad)
assert sum(x["app_predicted_yes"] for x in c.values()) > 500, "too few failed reads predicted"
assert d["disagreements"]["total"] == 0, d["disagreements"]
PY
# the control with tail loss probes (tlp) beside it: every prediction
# agrees, and the probes that fire take some out of the regime
"$hc" run "$(dirname "$0")/check-profiles.ini" --profiles=lx-bug-plain,lx-tlp --out="$tmp/ct.db" --quiet >/dev/null || bad "check-profiles tlp run"
"$hc" report "$tmp/ct.db" --format=json --out="$tmp/ct.json" || bad "check-profiles tlp report"
python3 - "$tmp/ct.json" >"$tmp/cto" 2>&1 <<'PY' && ok || bad "tail loss probes in the check: $(cat "$tmp/cto")"
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["profile"]: x for x in d["check"]}
assert all(x["agree"] == x["compared"] for x in c.values()), c
assert d["disagreements"]["total"] == 0, d["disagreements"]
p, t = c["lx-bug-plain"]["compared"], c["lx-tlp"]["compared"]
assert 500 < t < p, "compared: %d with probes, %d without" % (t, p)
PY
"$hc" report "$tmp/cp.db" | grep -q "Not predicted under lx-bug, measured only: the client ACKs pushed segments as Linux does (ack_pushed): not modelled" &&
  ok || bad "the decline's reason is not in the report"

# stage K, the keep-alive window (issue 27): 600 conversations of the
# keep-alive race under nt351, bsd44, linux, Linux without its own ACK
# rules, and the fixes as variants. Every prediction agrees - the
# requests, the server's RST and its cause, and where the request fails
# the RST's and the FIN's times to the nanosecond - with both outcomes
# present under every profile; the simulated failures are the store's own.
"$hc" run "$(dirname "$0")/check-keepalive.ini" --out="$tmp/ka.db" --quiet >/dev/null || bad "check-keepalive run"
"$hc" report "$tmp/ka.db" --format=json --out="$tmp/ka.json" || bad "check-keepalive report"
python3 - "$tmp/ka.json" "$tmp/ka.db" >"$tmp/kao" 2>&1 <<'PY' && ok || bad "stage K: $(cat "$tmp/kao")"
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
c = {x["profile"]: x["keepalive"] for x in d["check"]}
assert len(c) == 6, c.keys()
for p, k in c.items():
    assert k["applicable"] == 600, (p, k)
    assert k["regime"] > 300, (p, "too few predicted", k)
    assert k["agree"] == k["regime"] and k["rst_agree"] == k["regime"], (p, k)
    assert k["times_agree"] == k["timed"] == k["predicted_fail"], (p, k)
    assert k["predicted_fail"] == k["simulated_fail"], (p, k)
    assert 50 < k["predicted_fail"] < k["regime"] - 50, (p, "nearly constant", k)
# the fixes: the retry fails nothing, reuse_timeout turns the gaps past
# 3 s into new connections, so fewer failures than plain linux
db = sqlite3.connect(sys.argv[2])
q = lambda s: db.execute(s).fetchone()[0]
assert q("select count(*) from conversations where profile='retry' and requests_failed>0") == 0
assert q("select count(*) from conversations where profile='retry' and retries>0") >= c["retry"]["simulated_fail"]
assert c["reuse-3s"]["simulated_fail"] < c["linux"]["simulated_fail"] / 2
assert d["disagreements"]["total"] == 0, d["disagreements"]
PY
# control 6: one predicted failure made a success in the store: stage K
# lists exactly that conversation
conv=$(python3 - "$tmp/ka.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# a one-segment response, no reuse: in the regime whatever else was drawn
print(db.execute("select conversation from conversations where profile='linux' and requests_failed=1 and response_bytes<1000 limit 1").fetchone()[0])
PY
)
cp "$tmp/ka.db" "$tmp/c6.db"
sqlite3 "$tmp/c6.db" "update conversations set requests_failed=0, exchanges=2 where profile='linux' and conversation=$conv"
"$hc" report "$tmp/c6.db" --format=json --out="$tmp/c6.json"
[ "$(j "$tmp/c6.json" '$.disagreements.total')" -eq 1 ] &&
  [ "$(j "$tmp/c6.json" '$.disagreements.listed[0].stage')" -eq 5 ] &&
  [ "$(j "$tmp/c6.json" '$.disagreements.listed[0].conversation')" -eq "$conv" ] && ok || bad "a flipped request: $(j "$tmp/c6.json" '$.disagreements')"
"$hc" report "$tmp/c6.db" | grep -q "^| $conv | linux | K: the second request | yes | no |" && ok || bad "stage K's disagreement row"
# control 7: its RST a nanosecond late: stage K's times list it
cp "$tmp/ka.db" "$tmp/c7.db"
sqlite3 "$tmp/c7.db" "update conversations set t_server_rst_ns = t_server_rst_ns + 1 where profile='linux' and conversation=$conv"
"$hc" report "$tmp/c7.db" --format=json --out="$tmp/c7.json"
[ "$(j "$tmp/c7.json" '$.disagreements.total')" -eq 1 ] &&
  [ "$(j "$tmp/c7.json" '$.disagreements.listed[0].stage')" -eq 6 ] && ok || bad "a moved RST: $(j "$tmp/c7.json" '$.disagreements')"

finish
