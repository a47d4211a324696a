#!/bin/sh
# test_html.sh HALFCLOSE SRC - the HTML report on a phone and a desktop:
# the default study's report (graphs embedded) and the response-size
# sweep's (a table of 130 rows) laid out by headless Chromium 390 and
# 1280 pixels wide: nothing sticks out of the page, every table fits or
# scrolls in its own box, no word that holds a digit is split over two
# lines, every link of the contents reaches its heading; the long table
# is folded, the Markdown not. The control: the same page with its CSS
# stripped of the scroll boxes and the no-break rules is caught at 390 px.
# Skipped (77) without Chromium, a failure under CI=true.
set -u
hc="$1"
src="$2"
. "$(dirname "$0")/../lib.sh"
here="$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "no chromium here" >&2
  [ "${CI:-}" = true ] && { echo "FAIL: required under CI"; exit 1; }
  exit 77
fi
"$hc" run "$src/scenarios/kb-q152474.ini" --out="$tmp/kb.db" --quiet >/dev/null 2>&1 || bad "run kb"
"$hc" plot "$tmp/kb.db" --out="$tmp/kbp" --format=svg >/dev/null 2>&1 || bad "plot kb"
"$hc" report "$tmp/kb.db" --format=html --plots="$tmp/kbp" --out="$tmp/kb.html" || bad "report kb"
"$hc" run "$src/scenarios/response-size.ini" --out="$tmp/rs.db" --quiet >/dev/null 2>&1 || bad "run rs"
"$hc" report "$tmp/rs.db" --format=html --out="$tmp/rs.html" || bad "report rs"
"$hc" report "$tmp/rs.db" --out="$tmp/rs.md" || bad "report rs md"
for page in kb rs; do
  grep -q '<meta name="viewport" content="width=device-width, initial-scale=1">' "$tmp/$page.html" && ok || bad "$page: no viewport"
  for w in 390 1280; do
    sh "$here/html_render.sh" "$tmp/$page.html" "$w" >"$tmp/v" 2>&1
    tail -1 "$tmp/v" | grep -Eq "^checked [0-9]{3,} words, ([5-9]|[1-9][0-9]) tables, ([5-9]|[1-9][0-9]) links at ${w}px$" &&
      [ "$(wc -l <"$tmp/v")" -eq 1 ] && ok || bad "$page at $w px: $(head -5 "$tmp/v")"
  done
done
rows=$(grep -o '<details><summary>a table of [0-9]* rows (show)</summary>' "$tmp/rs.html" | grep -o '[0-9][0-9]*' | sort -n | tail -1)
[ "${rows:-0}" -gt 25 ] && ok || bad "the long table is not folded"
! grep -q "<details>" "$tmp/rs.md" && ok || bad "the Markdown folded a table"
# the control: no scroll boxes, no no-break rules
sed 's/\.tbl{overflow-x:auto;[^}]*}//; s/white-space:nowrap//g' "$tmp/kb.html" >"$tmp/bare.html"
sh "$here/html_render.sh" "$tmp/bare.html" 390 >"$tmp/v" 2>&1
grep -q "^TABLE-OVERFLOW\|^PAGE-OVERFLOW" "$tmp/v" && grep -q "^SPLIT" "$tmp/v" && ok || bad "the control passed: $(cat "$tmp/v")"
finish
