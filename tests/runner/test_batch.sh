#!/bin/sh
# test_batch.sh HALFCLOSE SCENARIO_DIR - batches as users run them: --jobs
# does not change the store; kill -9 at several points then resume gives
# the same export with no row missing or doubled; SIGINT stops cleanly; a
# store of another scenario or seed is refused; a bad scenario writes
# nothing; every shipped scenario runs; replay from a store reproduces the
# stored outcome; export as CSV and JSON.
set -u
hc="$1"
scn="$2"
. "$(dirname "$0")/../lib.sh"

cat >"$tmp/small.ini" <<'INI'
; A small grid for the tests: does anything depend on how it is run?
[batch]
conversations = 60
seed = 11
profiles = nt351, nt351-sp
[link]
delay = grid(2ms, 40ms)
loss = choice(0, 2%)
[client]
read_size = choice(1KiB, 4KiB)
read_interval = uniform(0ms, 80ms)
[server]
response = uniform(2KB, 30KB)
[tcp]
delack = choice(100ms, 200ms, 300ms)
INI

# --jobs 1 and --jobs 2 write the same rows
"$hc" run "$tmp/small.ini" --jobs=1 --out="$tmp/j1.db" >/dev/null || bad "jobs=1 run failed"
"$hc" run "$tmp/small.ini" --jobs=2 --out="$tmp/j2.db" >/dev/null || bad "jobs=2 run failed"
"$hc" export "$tmp/j1.db" >"$tmp/j1.csv"
"$hc" export "$tmp/j2.db" >"$tmp/j2.csv"
[ "$(wc -l <"$tmp/j1.csv")" -eq 241 ] && ok || bad "expected 240 rows and a header"
cmp -s "$tmp/j1.csv" "$tmp/j2.csv" && ok || bad "--jobs 1 and --jobs 2 exports differ"
head -1 "$tmp/j1.csv" | grep -q '^conversation,profile,cell,delay_ns,rate_bps,loss,' && ok || bad "CSV header: $(head -1 "$tmp/j1.csv")"
for c in redundant_ack server_rst conn_reset app_reset bytes_lost completed delack_ns; do
  head -1 "$tmp/j1.csv" | tr ',' '\n' | grep -qx "$c" && ok || bad "no column $c"
done

# running again on a finished store adds nothing and changes nothing
"$hc" run "$tmp/small.ini" --jobs=2 --out="$tmp/j1.db" >"$tmp/again" || bad "rerun failed"
grep -q "(0 run now" "$tmp/again" && ok || bad "a finished store ran again: $(cat "$tmp/again")"

# kill -9 at several points, resume, compare with an uninterrupted run
big="--conversations=6000 --jobs=2"
"$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/ref.db" >/dev/null || bad "reference run failed"
"$hc" export "$tmp/ref.db" >"$tmp/ref.csv"
total=$(($(wc -l <"$tmp/ref.csv") - 1))
# (points well before the end: commits come 512 conversations apart, and a
# kill after the last would test nothing)
for at in 0 1 4000 7000; do
  "$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/k.db" >/dev/null 2>&1 &
  pid=$!
  # wait until the store holds at least $at rows, or the run ends
  while kill -0 $pid 2>/dev/null && [ "$(rows "$tmp/k.db")" -lt "$at" ]; do :; done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  n=$(rows "$tmp/k.db")
  echo "killed at $n rows (wanted >= $at)" >&2
  [ $((n % 2)) -eq 0 ] && ok || bad "odd row count $n: a half-written conversation"
  [ "$n" -lt "$total" ] && ok || bad "the run had finished before kill -9 at $at rows: nothing was tested"
done
"$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/k.db" >/dev/null || bad "resume failed"
"$hc" export "$tmp/k.db" >"$tmp/k.csv"
cmp -s "$tmp/ref.csv" "$tmp/k.csv" && ok || bad "resumed export differs from the uninterrupted one"
[ "$(sqlite3 "$tmp/k.db" "select count(*) from (select conversation, count(*) c from conversations group by 1 having c = 2)")" -eq $((total / 2)) ] && ok || bad "missing or doubled rows"

# the store's lock ends with the run that took it: its workers, alive for a
# while after the parent is killed with -9, do not hold it (they inherit the
# lock's open file across fork; a resume started then was refused)
"$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/w.db" >/dev/null 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null && [ "$(rows "$tmp/w.db")" -lt 1 ]; do :; done
# (its children, from /proc: field 4 of stat, after the command's parentheses)
kids=$(for st in /proc/[0-9]*/stat; do cat "$st" 2>/dev/null; echo; done |
  sed -n 's/^\([0-9]*\) (.*) [A-Za-z] \([0-9]*\) .*/\1 \2/p' |
  awk -v p="$pid" '$2 == p { print $1 }')
[ -n "$kids" ] && ok || bad "no workers found under run $pid"
kill -STOP $kids 2>/dev/null  # alive, and held where they are
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
flock -n "$tmp/w.db" true && ok || bad "a worker of the killed run still holds the store's lock"
kill -9 $kids 2>/dev/null
"$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/w.db" >/dev/null || bad "resume with the killed run's workers still alive failed"

# SIGINT stops cleanly (exit 130), keeps whole conversations, resumes
"$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/i.db" >/dev/null 2>"$tmp/ierr" &
pid=$!
while kill -0 $pid 2>/dev/null && [ "$(rows "$tmp/i.db")" -lt 2000 ]; do :; done
kill -INT $pid
wait $pid
rc=$?
# the signal came at 2000 of 12000 rows: the run must have been stopped
[ $rc -eq 130 ] && grep -q "run again to resume" "$tmp/ierr" && ok || bad "SIGINT: exit $rc, $(cat "$tmp/ierr")"
[ "$(rows "$tmp/i.db")" -lt "$total" ] && ok || bad "SIGINT came after the run had finished"
"$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/i.db" >/dev/null || bad "resume after SIGINT failed"
"$hc" export "$tmp/i.db" | cmp -s - "$tmp/ref.csv" && ok || bad "export after SIGINT and resume differs"

# a store another process holds locked for a moment (as a reader's
# checkpoint does when it closes): readers and a run wait for it, not fail
mkfifo "$tmp/lockctl"
{ printf 'BEGIN EXCLUSIVE;\nSELECT count(*) FROM batch;\n'; read x <"$tmp/lockctl"
  printf 'COMMIT;\n'; } | sqlite3 "$tmp/i.db" >"$tmp/lockout" &
lockpid=$!
# the holder printed its count: the exclusive lock is held from here on
while [ ! -s "$tmp/lockout" ] && kill -0 $lockpid 2>/dev/null; do :; done
"$hc" export "$tmp/i.db" >"$tmp/lock.csv" 2>"$tmp/e" &
epid=$!
"$hc" run "$scn/kb-q152474.ini" $big --out="$tmp/i.db" >/dev/null 2>"$tmp/e2" &
rpid=$!
sleep 1 # how long the lock is held: both commands are waiting in it
echo go >"$tmp/lockctl"
wait $lockpid
wait $epid && cmp -s "$tmp/lock.csv" "$tmp/ref.csv" && ok || bad "export of a locked store: $(cat "$tmp/e")"
wait $rpid && ok || bad "run on a locked store: $(cat "$tmp/e2")"

# another seed or scenario on the same store: refused, store untouched
"$hc" run "$tmp/small.ini" --seed=12 --out="$tmp/j1.db" >/dev/null 2>"$tmp/e"
[ $? -ne 0 ] && grep -q "made with seed 11, not 12" "$tmp/e" && ok || bad "other seed: $(cat "$tmp/e")"
"$hc" run "$scn/delay-sweep.ini" --out="$tmp/j1.db" >/dev/null 2>"$tmp/e"
[ $? -ne 0 ] && grep -q "made from another scenario" "$tmp/e" && ok || bad "other scenario: $(cat "$tmp/e")"
"$hc" export "$tmp/j1.db" | cmp -s - "$tmp/j1.csv" && ok || bad "a refused run changed the store"

# a bad scenario: exit 2, file:line message, no store
printf '[link]\ndelay = 5KB\n' >"$tmp/bad.ini"
"$hc" run "$tmp/bad.ini" --out="$tmp/bad.db" >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "bad.ini:2: \[link\] delay = 5KB" "$tmp/e" && ok || bad "bad scenario: $(cat "$tmp/e")"
[ ! -e "$tmp/bad.db" ] && ok || bad "a bad scenario left a store"
"$hc" run "$tmp/none.ini" >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "none.ini: cannot open" "$tmp/e" && ok || bad "missing scenario: $(cat "$tmp/e")"
echo "not a database" >"$tmp/junk.db"
"$hc" export "$tmp/junk.db" >/dev/null 2>"$tmp/e"
[ $? -ne 0 ] && grep -q "not an SQLite results store" "$tmp/e" && ok || bad "junk store: $(cat "$tmp/e")"

# every shipped scenario runs a small batch
for f in "$scn"/*.ini; do
  "$hc" run "$f" --conversations=2 --out="$tmp/s-$(basename "$f" .ini).db" >/dev/null 2>"$tmp/e" && ok || bad "$f: $(cat "$tmp/e")"
done
[ "$(rows "$tmp/s-profiles.db")" -eq 10 ] && ok || bad "profiles.ini: 2 conversations x 5 profiles"
[ "$(rows "$tmp/s-delay-sweep.db")" -eq 36 ] && ok || bad "delay-sweep.ini: 9 cells x 2 x 2 profiles"

# replay from the store reproduces the stored outcome
for i in 0 7 33; do
  for p in nt351 nt351-sp; do
    "$hc" replay "$tmp/j2.db" --conversation=$i --profile=$p --no-ladder >"$tmp/r" 2>&1 &&
      grep -q "stored outcome is reproduced" "$tmp/r" && ok || bad "replay $i $p: $(tail -3 "$tmp/r")"
  done
done
"$hc" replay "$tmp/j2.db" --conversation=999 --profile=nt351 >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "no conversation 999" "$tmp/e" && ok || bad "replay of a missing row: $(cat "$tmp/e")"

# JSON export: valid, one object per row; --out writes the file whole
"$hc" export "$tmp/j1.db" --json --out="$tmp/j1.json" || bad "json export failed"
[ "$(sqlite3 :memory: "select json_valid(readfile('$tmp/j1.json')), json_array_length(readfile('$tmp/j1.json'))")" = "1|240" ] && ok || bad "JSON export invalid"
[ ! -e "$tmp/j1.json.tmp" ] && ok || bad "temporary export file left"

# ns-3's own TCP beside the model's profiles, in one batch and one report
cat >"$tmp/native.ini" <<'INI'
; How does ns-3's own TCP compare on the same conversations?
[batch]
conversations = 20
profiles = nt351, ns3-native
[link]
delay = loguniform(1ms, 50ms)
[client]
read_interval = 0ms
[server]
response = uniform(2KB, 30KB)
INI
"$hc" run "$tmp/native.ini" --out="$tmp/n.db" >/dev/null 2>"$tmp/e" || bad "ns3-native batch: $(cat "$tmp/e")"
[ "$(sqlite3 "$tmp/n.db" "select count(*) from conversations where profile='ns3-native' and completed=1 and bytes_read=response_bytes")" -eq 20 ] && ok || bad "ns3-native conversations incomplete"
[ "$(sqlite3 "$tmp/n.db" "select count(*) from conversations where profile='ns3-native' and segments_client > 3 and segments_server > 3")" -eq 20 ] && ok || bad "ns3-native segments not seen"
"$hc" report "$tmp/n.db" | grep -q "^| ns3-native | 0 of 20 " && ok || bad "the report does not show ns3-native"
# the three ns3-native failures of issue 15, each as it was reported:
# a conversation that reaches its time limit (it crashed the worker), no
# half-close (the worker died), and a stored row replayed (unknown profile)
printf '[batch]\nconversations = 3\nprofiles = nt351, ns3-native\ntime_limit = 1s\n[server]\nthink = 2s\n' >"$tmp/nlimit.ini"
"$hc" run "$tmp/nlimit.ini" --out="$tmp/nl.db" >/dev/null 2>"$tmp/e" && ok || bad "ns3-native at its time limit: $(cat "$tmp/e")"
[ "$(sqlite3 "$tmp/nl.db" "select count(*) from conversations where profile='ns3-native' and completed=0 and duration_ns=1000000000")" -eq 3 ] && ok || bad "ns3-native rows at the limit"
printf '[batch]\nconversations = 4\nprofiles = nt351, ns3-native\n[client]\nhalf_close = false\n' >"$tmp/nhc.ini"
"$hc" run "$tmp/nhc.ini" --out="$tmp/nh.db" >/dev/null 2>"$tmp/e" && ok || bad "ns3-native without half-close: $(cat "$tmp/e")"
[ "$(sqlite3 "$tmp/nh.db" "select count(*) from conversations where profile='ns3-native' and completed=1")" -eq 4 ] && ok || bad "ns3-native without half-close did not complete"
for i in 0 7; do
  "$hc" replay "$tmp/n.db" --conversation=$i --profile=ns3-native --no-ladder >"$tmp/r" 2>&1 &&
    grep -q "stored outcome is reproduced" "$tmp/r" && ok || bad "replay ns3-native $i: $(tail -3 "$tmp/r")"
done
"$hc" replay "$tmp/nl.db" --conversation=1 --profile=ns3-native --no-ladder >"$tmp/r" 2>&1 &&
  grep -q "stored outcome is reproduced" "$tmp/r" && ok || bad "replay ns3-native at its limit: $(tail -3 "$tmp/r")"
printf '[batch]\nprofiles = nt351, ns4-native\n' >"$tmp/badp.ini"
"$hc" run "$tmp/badp.ini" --out="$tmp/bp.db" >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q 'unknown profile "ns4-native".*ns3-native' "$tmp/e" && ok || bad "bad profile: $(cat "$tmp/e")"

# sequential stopping: blocks a quarter larger until every interval is
# narrow enough (small.ini: 2 cells, so blocks of whole cells: 20, 26, 32..)
"$hc" run "$tmp/small.ini" --conversations=10 --until-ci=6% --out="$tmp/seq.db" >"$tmp/o" 2>&1 || bad "until-ci run: $(cat "$tmp/o")"
n=$(sqlite3 "$tmp/seq.db" "select count(distinct conversation) from conversations")
blocks() { # the block sizes of the rule up to $1, one per line
  awk -v n="$1" 'BEGIN { b = 20; while (b <= n) { print b; g = int(b / 4);
    if (g < 2) g = 2; b = b + g; b = int((b + 1) / 2) * 2 } }'
}
blocks "$n" | grep -qx "$n" && ok || bad "sequential total $n is not a block of the rule"
prev=$(blocks "$n" | tail -2 | head -1)
sqlite3 "$tmp/seq.db" "select stopping from batch" | grep -q "checked at block boundaries only" && ok || bad "stopping rule not recorded"
# the interval is narrow enough at the end, and was not one block earlier
hw() { # half-width of the widest profile's 95 % Wilson interval below $1
  sqlite3 "$tmp/seq.db" "select profile, sum(app_reset), count(*) from conversations where conversation < $1 group by profile" |
  awk -F'|' 'BEGIN { z = 1.959963984540054; w = 0 } { k = $2; m = $3; p = k / m;
    h = z * sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m);
    if (h > w) w = h } END { printf "%.6f", w }'
}
awk -v a="$(hw "$n")" 'BEGIN { exit !(a <= 0.06) }' && ok || bad "final half-width $(hw "$n") > 0.06"
[ "$prev" -lt "$n" ] && awk -v a="$(hw "$prev")" 'BEGIN { exit !(a > 0.06) }' && ok || bad "it should have stopped one block earlier, at $prev"
"$hc" report "$tmp/seq.db" | grep -q "Sizing: sequential" && ok || bad "the report does not say it stopped sequentially"

finish
