#!/bin/sh
# test_grammar.sh HALFCLOSE STORE_SCENARIO - the one command-line grammar
# (cmd/grammar.h), on every command: --key value is --key=value; a bare
# boolean key is true (control: its absence changes the outcome); the
# kebab-case spelling is an alias of the snake_case one; an unknown name
# is refused (exit 2) with the nearest known one, and a name near nothing
# gets no guess; `halfclose help COMMAND` is `COMMAND --help`; --format=
# for every output format; ns-3's unit spellings are the same values as
# ours; a flag given a value and an option missing its value are exit 2.
set -u
hc="$1"
scn="$2"
. "$(dirname "$0")/../lib.sh"
same() { # same DESCRIPTION CMD_A -- CMD_B: equal stdout, both exit 0
  what="$1"; shift
  a=""; while [ "$1" != "--" ]; do a="$a '$1'"; shift; done; shift
  eval "\"$hc\" $a" >"$tmp/a" 2>&1; ra=$?
  "$hc" "$@" >"$tmp/b" 2>&1; rb=$?
  [ $ra -eq 0 ] && [ $rb -eq 0 ] && cmp -s "$tmp/a" "$tmp/b" && ok || bad "$what: exit $ra/$rb, $(diff "$tmp/a" "$tmp/b" | head -3)"
}
same "--key value" replay --delay 30ms --no-ladder -- replay --delay=30ms --no-ladder
same "--option value" replay --seed 7 --conversation 3 --no-ladder -- replay --seed=7 --conversation=3 --no-ladder
same "a bare boolean" replay --rfc1337 --no-ladder -- replay --rfc1337=true --no-ladder
same "a boolean with its word" replay --rfc1337 false --no-ladder -- replay --no-ladder
"$hc" replay --rfc1337 --no-ladder | grep "^outcome" >"$tmp/t"
"$hc" replay --no-ladder | grep "^outcome" >"$tmp/f"
cmp -s "$tmp/t" "$tmp/f" && bad "the bare boolean changed nothing (control)" || ok
same "kebab alias of a key" replay --read-size=2KiB --no-ladder -- replay --read_size=2KiB --no-ladder
same "kebab alias of an option" replay --server-profile=nt351-sp --no-ladder -- replay --server_profile=nt351-sp --no-ladder
same "kebab alias of a flag" replay --no-ladder -- replay --no_ladder
same "ns-3's Mb/s" replay --rate=10Mb/s --no-ladder -- replay --rate=10Mbps --no-ladder
same "ns-3's MBps" replay --rate=1.25MBps --no-ladder -- replay --rate=10Mbps --no-ladder
same "ns-3's kB" replay --response=20kB --no-ladder -- replay --response=20000B --no-ladder
"$hc" replay --rate=10Mib/s --no-ladder | grep -q "rate 10485760bps" && ok || bad "Mib/s is 2^20 bits"
# unknown names, with and without a guess, on every command
expect2 'unknown option "--dealy" (did you mean --delay?)' "$hc" replay --dealy=30ms
expect2 'unknown option "--untilci" (did you mean --until_ci?)' "$hc" run --untilci=1%
expect2 'unknown option "--no-lader" (did you mean --no_ladder?)' "$hc" emulate --no-lader
expect2 'unknown option "--formt" (did you mean --format?)' "$hc" report x.db --formt=json
expect2 'unknown option "--zzzzzz" (see halfclose help plot)' "$hc" plot x.db --zzzzzz
for c in run export report plot replay info diff profiles emulate crosscheck; do
  expect2 "unknown option \"--qqqqqqqq\"" "$hc" "$c" --qqqqqqqq
done
expect2 "--no_ladder takes no value" "$hc" replay --no_ladder=1
expect2 "--seed needs a value" "$hc" replay --seed
expect2 'unknown command "nosuch"' "$hc" help nosuch
expect2 'unknown command "nosuch"' "$hc" nosuch
for c in run export report plot replay info diff profiles emulate crosscheck; do
  "$hc" help "$c" >"$tmp/h1" 2>&1; r1=$?
  "$hc" "$c" --help >"$tmp/h2" 2>&1; r2=$?
  [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && cmp -s "$tmp/h1" "$tmp/h2" && grep -q "^usage: halfclose $c" "$tmp/h1" && ok || bad "help $c"
done
# --format= for every output format
"$hc" run "$scn" --conversations=3 --out="$tmp/s.db" --quiet >/dev/null 2>&1 || bad "run"
"$hc" export "$tmp/s.db" --format=json >"$tmp/j1" && "$hc" export "$tmp/s.db" --json >"$tmp/j2" && cmp -s "$tmp/j1" "$tmp/j2" && ok || bad "export --format=json"
"$hc" export "$tmp/s.db" --format csv >"$tmp/c1" && "$hc" export "$tmp/s.db" >"$tmp/c2" && cmp -s "$tmp/c1" "$tmp/c2" && ok || bad "export --format csv"
expect2 "--format=xml: expected csv or json" "$hc" export "$tmp/s.db" --format=xml
expect2 "--format=xml: expected md, html or json" "$hc" report "$tmp/s.db" --format=xml
finish
