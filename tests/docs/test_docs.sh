#!/bin/sh
# test_docs.sh HALFCLOSE SRC - the documentation holds: every relative
# link and anchor of the Markdown resolves inside the repository (control:
# a planted broken link and anchor are both named); nothing points outside
# the repository; the README's command table names every command of
# `halfclose --help`; the README's own-scenario example runs as written;
# and the headline the README quotes is what the default study's report
# says.
set -u
hc="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
src="$(cd "$2" && pwd)"
. "$(dirname "$0")/../lib.sh"
here="$(dirname "$0")"
python3 "$here/check_links.py" "$src" >"$tmp/links" 2>&1 && ok || bad "broken links: $(cat "$tmp/links")"
mkdir -p "$tmp/repo/docs"
printf '# Top\n\n[a](docs/x.md) [b](#nowhere) [c](#top) [d](../outside.md)\n' >"$tmp/repo/README.md"
python3 "$here/check_links.py" "$tmp/repo" >"$tmp/links" 2>&1
[ $? -eq 1 ] && grep -q "docs/x.md: no such file" "$tmp/links" && grep -q "#nowhere: no heading" "$tmp/links" &&
  grep -q "outside the repository" "$tmp/links" && ! grep -q "#top" "$tmp/links" && ok || bad "the link checker's control: $(cat "$tmp/links")"
if grep -rn "\.\./shared" "$src/README.md" "$src/docs" >"$tmp/sh"; then bad "links outside the repository: $(cat "$tmp/sh")"; else ok; fi
for c in $("$hc" --help | awk '/^commands:/{b=1; next} b && /^  [a-z]/{print $1} /^$/{if (b) exit}'); do
  grep -q "^| \`halfclose $c" "$src/README.md" && ok || bad "the README's command table lacks $c"
done
# the own-scenario example, as written
mkdir "$tmp/own" && cd "$tmp/own" || exit 1
python3 - "$src/README.md" "$hc" >ex.sh <<'PY'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r"## Your own scenario.*?```sh\n(.*?)```", s, re.S)
print(m.group(1).replace("build/halfclose", sys.argv[2]))
PY
sh ex.sh >"$tmp/o" 2>&1 && ok || bad "the README's example: $(tail -5 "$tmp/o")"
[ -s my.html ] && [ -s my-plots/outcomes.svg ] && ok || bad "the example's outputs"
n=$(sqlite3 my.db "select count(*) from conversations")
[ "$n" -eq "$(( $(sed -n 's/^conversations = //p' my.ini) * 3 ))" ] && ok || bad "the example's store: $n rows"
# the quoted headline
"$hc" run "$src/scenarios/kb-q152474.ini" --out=kb.db --quiet >/dev/null 2>&1 || bad "the default study"
"$hc" report kb.db --out=kb.md >/dev/null 2>&1 || bad "its report"
for q in "in 17.00 % [15.98, 18.07]" "in 13.02 % [12.12, 13.98]" "(3721 bytes per" \
         "850 reads failed under nt351 only and 0 under nt351-sp only" "p = 2.66e-256" "the other 850 came"; do
  grep -qF "$q" "$src/README.md" && tr '\n' ' ' <kb.md | grep -qF "$q" && ok || bad "the quoted headline: \"$q\""
done
# the README's ns-3 program is examples/readme.cc, which the tests build
# and run: the block after its opening line, to the closing fence
awk '/^```cpp$/{b=1; next} b && /^```$/{exit} b' "$src/README.md" >"$tmp/prog.cc"
cmp -s "$tmp/prog.cc" "$src/examples/readme.cc" && ok || bad "the README's program is not examples/readme.cc: $(diff "$tmp/prog.cc" "$src/examples/readme.cc" | head -5)"
finish
