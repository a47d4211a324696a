#!/bin/sh
# test_plots.sh HALFCLOSE - every graph from a small fixed store, in each
# format: valid files (PNG and PDF signatures, SVG documents) of a sensible
# size with the expected labels and titles (SVG text); the same colour for a
# profile in every graph; the ladder of the article's scenario showing the
# redundant ACK and the RST; every text inside the image (SVG measured in
# Chromium, PNG edges inspected), each check with a negative control; the
# response-size graph of a swept store; and a clear error when gnuplot is
# missing. The probability axis is fitted to the data unless --y_full;
# titles say what is fixed and what is drawn; the heatmap is cells.
set -u
hc="$1"
src="$2" # the shipped scenarios
. "$(dirname "$0")/../lib.sh"

cat >"$tmp/small.ini" <<'INI'
; Which graphs does a small study draw? A fixed store for the plot tests.
[batch]
conversations = 60
seed = 9
profiles = nt351, nt351-sp
[link]
delay = loguniform(1ms, 100ms)
[client]
read_interval = uniform(50ms, 150ms)
[server]
response = uniform(5KB, 40KB)
[tcp]
delack = choice(100ms, 200ms, 300ms)
INI
"$hc" run "$tmp/small.ini" --out="$tmp/s.db" >/dev/null || bad "run failed"
plots="reset-vs-delay reset-vs-delack heatmap outcomes bytes-lost"

for fmt in svg png pdf; do
  "$hc" plot "$tmp/s.db" --out="$tmp/$fmt" --format=$fmt >"$tmp/log" 2>&1 || bad "plot --format=$fmt: $(cat "$tmp/log")"
  for p in $plots; do
    f="$tmp/$fmt/$p.$fmt"
    [ -s "$f" ] || { bad "no $f"; continue; }
    size=$(wc -c <"$f")
    case $fmt in
      png) [ "$(od -An -c -N4 "$f" | tr -d ' ')" = "211PNG" ] && [ "$size" -gt 10000 ] && ok || bad "$f is not a PNG of a sensible size ($size)" ;;
      pdf) head -c5 "$f" | grep -q '%PDF-' && [ "$size" -gt 5000 ] && ok || bad "$f is not a PDF ($size)" ;;
      svg) grep -q '<svg' "$f" && grep -q '</svg>' "$f" && [ "$size" -gt 5000 ] && ok || bad "$f is not an SVG ($size)" ;;
    esac
  done
  [ -s "$tmp/$fmt/data/reset-vs-delay.dat" ] && ok || bad "the data behind the graphs is not kept"
done

# labels, units, titles with the scenario and n, legends (SVG text)
svg="$tmp/svg"
has() { grep -q "$2" "$svg/$1.svg" && ok || bad "$1.svg lacks \"$2\""; }
for p in $plots; do has "$p" "(small)"; has "$p" "drawn per conversation: "; done
has reset-vs-delay "n = [0-9]*\(-[0-9]*\)\? per point"
has reset-vs-delay "How often a read fails with a reset, against one-way delay"
# the probability axis fitted to the data, or 0 to 1 with --y_full: the
# sweep's failed reads stay under a half, so only --y_full has a 0.9 tic
"$hc" run "$src/kb-q152474.ini" --conversations=2000 --out="$tmp/kb.db" --quiet >/dev/null 2>&1 || bad "run kb"
"$hc" plot "$tmp/kb.db" --out="$tmp/fit" --format=svg >/dev/null 2>&1 || bad "plot fitted"
"$hc" plot "$tmp/kb.db" --out="$tmp/full" --format=svg --y_full >/dev/null 2>&1 || bad "plot --y_full"
top=$(awk 'NR > 1 && /^[0-9]/ && $4 > m {m = $4} END {print m}' "$tmp/fit/data/reset-vs-delay.dat")
awk -v t="$top" 'BEGIN {exit !(t < 0.85)}' && ! grep -q '<text> 0.9</text>' "$tmp/fit/reset-vs-delay.svg" &&
  grep -q '<text> 0.9</text>' "$tmp/full/reset-vs-delay.svg" && ok || bad "y axis: fitted to $top, or --y_full ignored"
# a heatmap of cells: vector rectangles, no embedded bitmap
! grep -q "<image" "$tmp/fit/heatmap.svg" && [ "$(grep -c '<path\|<rect\|<polygon' "$tmp/fit/heatmap.svg")" -gt 20 ] && ok || bad "the heatmap is not drawn as cells"
has reset-vs-delay "one-way delay (ms)"
has reset-vs-delay "P(read fails with a reset)"
has reset-vs-delay "nt351, delack 100ms"
has reset-vs-delack "delayed-ACK timeout (ms)"
has heatmap "delayed-ACK timeout"
has heatmap "one-way delay"
has outcomes "read failed, data lost"
has outcomes "fraction of conversations"
has bytes-lost "bytes lost per failed conversation (B"
grep -q "response-size: skipped, the response size is not swept" "$tmp/log" && ok || bad "response-size not skipped for a uniform response"
# one colour per profile in every graph: nt351 is Okabe-Ito vermillion
for p in reset-vs-delay reset-vs-delack bytes-lost; do
  grep -qi 'rgb(213, *94, *0)\|#d55e00' "$svg/$p.svg" && ok || bad "$p.svg: nt351 not in its colour"
done
grep -qi 'rgb(  0, 114, 178)\|rgb(0, *114, *178)\|#0072b2' "$svg/reset-vs-delay.svg" && ok || bad "nt351-sp not in its colour"

# the response-size graph: a swept size, prediction and simulation on it
cat >"$tmp/sweep.ini" <<'INI'
; Where does the effect live in the response size? A small sweep.
[batch]
conversations = 4
profiles = nt351, nt351-sp
[client]
read_interval = grid(0ms, 100ms)
[server]
response = sweep(730B, 23360B, 32)
INI
"$hc" run "$tmp/sweep.ini" --out="$tmp/w.db" >/dev/null || bad "sweep run failed"
"$hc" plot "$tmp/w.db" --out="$tmp/w" --format=svg >"$tmp/log" 2>&1 || bad "sweep plot: $(cat "$tmp/log")"
for t in "response size (full segments of 1460 B)" "redundant ACK, predicted" \
         "redundant ACK, simulated (same conversations)" "read failed (app_reset), predicted" \
         "read failed (app_reset), simulated (same conversations)"; do
  grep -qF "$t" "$tmp/w/response-size.svg" && ok || bad "response-size.svg lacks \"$t\""
done
# its data: 32 sizes in each predicted block, one line per size; each
# block's rates are the store's (every conversation is in the regime:
# predicted and simulated agree), the failed reads counted again here
blk() { awk -v want="$1" '/^# /{i++} i==want && !/^#/ && NF' "$tmp/w/data/response-size.dat"; }
[ "$(awk '/^# .*predicted/{b=1; next} /^$/{b=0} b' "$tmp/w/data/response-size.dat" | wc -l)" -eq 64 ] && ok || bad "response-size data"
[ "$(blk 1 | cut -d' ' -f2)" = "$(blk 2 | cut -d' ' -f2)" ] && ok || bad "redundant ACK: predicted and simulated blocks differ"
[ "$(blk 3 | cut -d' ' -f2)" = "$(blk 4 | cut -d' ' -f2)" ] && ok || bad "failed read: predicted and simulated blocks differ"
apps=$(blk 4 | awk '{s += $2 * $3} END {printf "%.0f", s}')
[ "$apps" -eq "$(sqlite3 "$tmp/w.db" "select count(*) from conversations where profile='nt351' and app_reset=1")" ] && [ "$apps" -gt 0 ] &&
  ok || bad "failed reads in the graph: $apps"
"$hc" plot "$tmp/w.db" --out="$tmp/wp" --format=png >/dev/null 2>&1 || bad "sweep png"

# every text inside its image: SVG text boxes measured by Chromium, and no
# ink on the outermost pixels of a PNG. Negative controls: a title wider
# than its image is caught by both.
cat >"$tmp/cut.gp" <<'GP'
set terminal svg size 300,200 font "Helvetica,13"
set output ARG1
set title "a title far too long for an image three hundred pixels wide"
plot x notitle
set terminal pngcairo size 300,200 font "Helvetica,12" background rgb "white"
set output ARG2
replot
GP
gnuplot -c "$tmp/cut.gp" "$tmp/cut.svg" "$tmp/cut.png" 2>/dev/null
here=$(dirname "$0")
if command -v python3 >/dev/null 2>&1; then
  python3 "$here/png_edges.py" "$tmp/cut.png" >"$tmp/edges" 2>&1
  [ $? -eq 1 ] && grep -q "CUT .*cut.png: left" "$tmp/edges" && ok || bad "the PNG edge check misses a cut title: $(cat "$tmp/edges")"
  python3 "$here/png_edges.py" "$tmp/png"/*.png "$tmp/wp"/*.png >"$tmp/edges" 2>&1 && ok || bad "PNG text cut: $(cat "$tmp/edges")"
elif [ "${CI:-}" = true ]; then
  bad "python3 missing: the PNG edge check cannot run"
else
  echo "python3 not installed: PNG edge checks skipped" >&2
fi
sh "$here/text_inside.sh" "$tmp/cut.svg" >"$tmp/inside" 2>&1
case $? in
  77) if [ "${CI:-}" = true ]; then bad "chromium missing: the SVG text check cannot run"
      else echo "chromium not installed: SVG text checks skipped" >&2; fi ;;
  *) grep -q "OUTSIDE cut.svg: a title far too long" "$tmp/inside" && ok || bad "the SVG check misses a cut title: $(cat "$tmp/inside")"
     sh "$here/text_inside.sh" "$svg"/*.svg "$tmp/w"/*.svg >"$tmp/inside" 2>&1
     nsvg=$(ls "$svg"/*.svg "$tmp/w"/*.svg | wc -l)
     ! grep -q OUTSIDE "$tmp/inside" && [ "$(grep -c '^measured [1-9]' "$tmp/inside")" -eq "$nsvg" ] && ok ||
       bad "SVG text outside its image: $(cat "$tmp/inside")" ;;
esac

# a scenario that varies neither delay nor delack skips those graphs, says so
cat >"$tmp/fixed.ini" <<'INI'
; Nothing varies but the read pace: which graphs are skipped?
[batch]
conversations = 20
[client]
read_interval = uniform(0ms, 100ms)
INI
"$hc" run "$tmp/fixed.ini" --out="$tmp/f.db" >/dev/null
"$hc" plot "$tmp/f.db" --out="$tmp/f" >"$tmp/log" 2>&1 || bad "plot of a fixed scenario failed"
grep -q "reset-vs-delay: skipped, delay is not varied" "$tmp/log" && ok || bad "no skip message: $(cat "$tmp/log")"
[ -s "$tmp/f/outcomes.svg" ] && ok || bad "outcomes missing for the fixed scenario"

# the ladder of the article's scenario: the redundant ACK and the RST
"$hc" replay --ladder="$tmp/ladder.svg" >/dev/null 2>&1 || bad "replay --ladder failed"
grep -q "redundant ACK" "$tmp/ladder.svg" && ok || bad "the ladder does not show the redundant ACK"
grep -q "RST seq 20002" "$tmp/ladder.svg" && ok || bad "the ladder does not show the RST"
grep -q "delayed ACK fires" "$tmp/ladder.svg" && ok || bad "the ladder does not show the timer firing"
grep -q "TIME-WAIT" "$tmp/ladder.svg" && ok || bad "the ladder does not show TIME-WAIT"
"$hc" replay --ladder="$tmp/ladder.png" >/dev/null 2>&1 && [ "$(od -An -c -N4 "$tmp/ladder.png" | tr -d ' ')" = "211PNG" ] && ok || bad "PNG ladder"
"$hc" replay --ladder="$tmp/ladder.txt" >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "expected a file name ending in .png, .svg or .pdf" "$tmp/e" && ok || bad "bad ladder name: $(cat "$tmp/e")"

# gnuplot missing: a clear error, not a crash
mkdir "$tmp/bin"
for t in sh rm mkdir; do ln -s "$(command -v $t)" "$tmp/bin/$t"; done
PATH="$tmp/bin" "$hc" plot "$tmp/s.db" --out="$tmp/x" >/dev/null 2>"$tmp/e"
[ $? -ne 0 ] && grep -q "gnuplot is not installed" "$tmp/e" && ok || bad "no gnuplot: $(cat "$tmp/e")"

# the HTML report embeds the plots
"$hc" report "$tmp/s.db" --format=html --plots="$svg" --out="$tmp/r.html" || bad "report with plots failed"
[ "$(grep -o 'data:image/svg+xml;base64' "$tmp/r.html" | wc -l)" -eq 5 ] && ok || bad "the HTML report does not embed the five plots"

finish
