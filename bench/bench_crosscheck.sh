#!/bin/sh
# bench_crosscheck.sh HALFCLOSE [N] - the user's path of crosscheck: N
# conversations of scenarios/crosscheck.ini (default 60), kernel runs and
# simulations and store, one at a time and two at a time, without and with
# the repeat pass; prints wall time, conversations a minute and peak
# memory. A benchmark: it prints figures and asserts nothing. Needs root,
# /dev/net/tun and ip, as crosscheck does.
set -u
hc="${1:?usage: bench_crosscheck.sh HALFCLOSE [N]}"
n="${2:-60}"
scn="$(dirname "$0")/../scenarios/crosscheck.ini"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-28s %8s %10s %10s %s\n' "run" "wall s" "conv/min" "peak MB" "answer"
for args in "--no-repeat --jobs=1" "--no-repeat --jobs=2" "--jobs=1"; do
  rm -f "$tmp/x.db"
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$hc" crosscheck "$scn" \
    --conversations="$n" --out="$tmp/x.db" $args >"$tmp/o" 2>&1 ||
    { echo "crosscheck $args failed: $(tail -3 "$tmp/o")"; continue; }
  set -- $(cat "$tmp/t")
  printf '%-28s %8.1f %10.1f %10.1f %s\n' "$args" "$1" \
    "$(echo "$n * 60 / $1" | bc -l)" "$(echo "$2 / 1024" | bc -l)" \
    "$(grep '^crosscheck:' "$tmp/o" | sed 's/ conversations identical.*//; s/crosscheck: //')"
done
