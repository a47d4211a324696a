#!/bin/sh
# test_untrusted.sh HALFCLOSE SCENARIOS - a results store is untrusted
# input (issue 23): what it holds is read back as it was written (the
# seed of run --seed), every value is range-checked with the store,
# table, row and column named (exit 2), and run refuses to resume into a
# damaged store. Each check has its control: the store as written reads
# back clean, so a check that refused everything would fail there.
set -u
hc="$1"
scn="$2"
. "$(dirname "$0")/../lib.sh"

# R5: run --seed=7 is read back as seed 7: the report says so and replay
# reproduces every stored conversation (before the fix: "seed 1" and 8 of
# 8 DIFFERS). Control: the same conversations under seed 1 differ, so a
# replay that ignored the seed could not pass.
"$hc" run "$scn/kb-q152474.ini" --conversations=30 --seed=7 --out="$tmp/s7.db" --quiet >/dev/null || bad "run --seed=7"
"$hc" report "$tmp/s7.db" --format=json --out="$tmp/s7.json" || bad "report"
grep -q '"seed": 7' "$tmp/s7.json" && ok || bad "the report's seed: $(grep -o '"seed": [0-9]*' "$tmp/s7.json")"
"$hc" report "$tmp/s7.db" | grep -q "seed 7" && ok || bad "the Markdown report does not say seed 7"
for i in 0 5 11 17 23 29; do
  for p in nt351 nt351-sp; do
    "$hc" replay "$tmp/s7.db" --conversation=$i --profile=$p --no-ladder >"$tmp/o" 2>&1 &&
      grep -q "the stored outcome is reproduced" "$tmp/o" && ok || bad "replay $i $p under seed 7: $(tail -1 "$tmp/o")"
  done
done
"$hc" run "$scn/kb-q152474.ini" --conversations=30 --seed=1 --out="$tmp/s1.db" --quiet >/dev/null || bad "run --seed=1"
[ "$(sqlite3 "$tmp/s7.db" "SELECT group_concat(bytes_read) FROM conversations")" != \
  "$(sqlite3 "$tmp/s1.db" "SELECT group_concat(bytes_read) FROM conversations")" ] && ok ||
  bad "seeds 7 and 1 gave the same conversations: the replay check tells nothing"
# a resume with the seed it ran with goes on; without it, refused
"$hc" run "$scn/kb-q152474.ini" --conversations=40 --seed=7 --out="$tmp/s7.db" --quiet >/dev/null && ok || bad "resume --seed=7"
expect2 "made with seed 7, not 1" "$hc" run "$scn/kb-q152474.ini" --conversations=40 --out="$tmp/s7.db"

# R14 and part 3: values out of range in the conversations table are
# refused by every reader, naming the row and column; the batch's seed
# and per_cell too
"$hc" run "$scn/kb-q152474.ini" --conversations=100 --out="$tmp/ref.db" --quiet >/dev/null || bad "run ref"
for r in report export plot; do
  o="$tmp/$r.out"; [ $r = plot ] && o="$tmp/plotdir"
  "$hc" $r "$tmp/ref.db" --out="$o" >/dev/null 2>"$tmp/e" && ok || bad "$r of a good store: $(cat "$tmp/e")"
done
# R4: the Bytes lost table counts the conversations that lost data
# (bytes_lost > 0), recomputed here from the store; it printed the failed
# reads (app_reset) before. The control: this store has failed reads
# that lost nothing, so the two counts differ and the old label fails.
"$hc" report "$tmp/ref.db" >"$tmp/ref.md"
for p in nt351 nt351-sp; do
  want=$(sqlite3 "$tmp/ref.db" "SELECT sum(bytes_lost > 0) FROM conversations WHERE profile='$p'")
  got=$(awk -F' [|] ' -v p="$p" '/conversations losing data/ { t = 1; next } t && $1 == "| " p { print $2; exit }' "$tmp/ref.md")
  [ "$got" = "$want" ] && ok || bad "$p: Bytes lost table says $got conversations losing data, the store $want"
done
[ "$(sqlite3 "$tmp/ref.db" "SELECT sum(bytes_lost > 0) != sum(app_reset) FROM conversations WHERE profile='nt351'")" = 1 ] &&
  ok || bad "the store cannot tell lost data from failed reads: the R4 check tells nothing"
tamper() { # SQL: a copy of ref.db with it applied, in t.db
  cp "$tmp/ref.db" "$tmp/t.db"; sqlite3 "$tmp/t.db" "$1"
}
for v in -5 1e300 "'abc'" NULL; do
  tamper "UPDATE conversations SET bytes_lost=$v WHERE conversation=3 AND profile='nt351'"
  for r in report export; do
    expect2 "t.db: table conversations, conversation 3, profile nt351, column bytes_lost" "$hc" $r "$tmp/t.db" --out="$tmp/t.out"
    [ ! -e "$tmp/t.out" ] && ok || bad "$r wrote an output from bytes_lost=$v"
  done
done
# every outcome column is read back and checked, whatever its kind: the
# columns are those the store's own essay lists after redundant_ack (the
# one table, sim/outcome_cols.h), each planted with a value of the wrong
# kind in a copy, and the report refuses it naming the column
first=$(sqlite3 "$tmp/ref.db" "SELECT rowid FROM columns WHERE name = 'redundant_ack'")
cols=$(sqlite3 "$tmp/ref.db" "SELECT name || ':' || unit FROM columns WHERE rowid >= $first ORDER BY rowid")
n=0
for cu in $cols; do
  col=${cu%%:*}; unit=${cu#*:}
  case $unit in text) v="'no such name'" ;; 0/1) v=7 ;; *) v="'abc'" ;; esac
  tamper "UPDATE conversations SET $col=$v WHERE conversation=5 AND profile='nt351'"
  expect2 "conversation 5, profile nt351, column $col" "$hc" report "$tmp/t.db"
  n=$((n + 1))
done
[ "$n" -eq "$(sqlite3 "$tmp/ref.db" "SELECT count(*) FROM columns WHERE rowid >= $first")" ] && [ "$n" -ge 28 ] && ok || bad "outcome columns checked: $n"
# a store drawn by another version of the draw algorithm: every reader
# that draws again refuses it, a run refuses to extend it, export (which
# reads only what is stored) still works
tamper "UPDATE batch SET draw_version = 99"
for r in report info plot; do
  expect2 "drawn with version 99" "$hc" $r "$tmp/t.db"
done
expect2 "drawn with version 99" "$hc" replay "$tmp/t.db" --conversation=1 --profile=nt351
expect2 "drawn with version 99" "$hc" diff "$tmp/t.db" "$tmp/ref.db"
expect2 "drawn with version 99, not 1" "$hc" run "$scn/kb-q152474.ini" --conversations=60 --out="$tmp/t.db"
"$hc" export "$tmp/t.db" >/dev/null 2>&1 && ok || bad "export of a store of another draw version"
[ "$(sqlite3 "$tmp/ref.db" "SELECT draw_version FROM batch")" = 1 ] && ok || bad "a new store's draw_version"
# parameter columns, which export reads back, against their ranges
for v in -1 "'abc'" NULL 1e300; do
  tamper "UPDATE conversations SET delay_ns=$v WHERE conversation=2"
  expect2 "column delay_ns" "$hc" export "$tmp/t.db"
done
tamper "UPDATE conversations SET loss=1.5 WHERE conversation=2"
expect2 "column loss" "$hc" export "$tmp/t.db" --json
tamper "UPDATE conversations SET app_reset=2 WHERE conversation=4"
expect2 "column app_reset: 2: expected 0 or 1" "$hc" plot "$tmp/t.db" --out="$tmp/tp"
expect2 "column app_reset: 2: expected 0 or 1" "$hc" replay "$tmp/t.db" --conversation=4 --profile=nt351 --no-ladder
tamper "UPDATE conversations SET segments_client=-1 WHERE conversation=9"
expect2 "column segments_client" "$hc" report "$tmp/t.db"
tamper "UPDATE conversations SET t_fin_arrived_ns=-3 WHERE conversation=9"
expect2 "column t_fin_arrived_ns" "$hc" report "$tmp/t.db"
# NULL where NULL means "did not happen" is allowed (the control)
tamper "UPDATE conversations SET t_redundant_ack_ns=NULL WHERE conversation=9"
"$hc" report "$tmp/t.db" >/dev/null 2>"$tmp/e" && ok || bad "an allowed NULL refused: $(cat "$tmp/e")"
for v in -1 1e300 "'x'" 1000000000001; do
  tamper "UPDATE batch SET seed=$v"
  expect2 "table batch, its one row, column seed" "$hc" report "$tmp/t.db"
done
tamper "UPDATE batch SET per_cell=0"
expect2 "column per_cell" "$hc" replay "$tmp/t.db" --conversation=1 --no-ladder

# R3: run refuses to resume into a damaged store (before the fix: "200
# conversations ... (0 run now)", exit 0, finished stamped, and at 50 %
# a new conversation written into the damaged b-tree); the store is left
# byte for byte as it was. Control: the undamaged store resumes.
for f in 5 6; do
  "$hc" run "$scn/kb-q152474.ini" --conversations=200 --jobs=1 --out="$tmp/c$f.db" --quiet >/dev/null || bad "run c$f"
  "$hc" run "$scn/kb-q152474.ini" --conversations=200 --jobs=1 --out="$tmp/c$f.db" --quiet >/dev/null && ok || bad "resume of a whole store"
  n=$(wc -c <"$tmp/c$f.db")
  head -c 64 /dev/zero | tr '\0' '\377' | dd of="$tmp/c$f.db" bs=1 seek=$((n * f / 10)) conv=notrunc 2>/dev/null
  h=$(sum "$tmp/c$f.db")
  expect2 "the store is damaged" "$hc" run "$scn/kb-q152474.ini" --conversations=200 --jobs=1 --out="$tmp/c$f.db"
  [ "$(sum "$tmp/c$f.db")" = "$h" ] && ok || bad "a damaged store was written into (${f}0 %)"
done
finish
