#!/bin/sh
# test_install.sh BUILD_DIR SRC - cmake --install into a fresh prefix: the
# executable and its helper, the data it reads at run time, the man page
# and the documentation; the installed executable, run from elsewhere,
# finds its own data (its default study, its gnuplot scripts), not the
# source tree's. Controls: HALFCLOSE_DATA_DIR moves the data away and the
# commands that need it fail, naming where they looked; the build tree's
# executable reads the source tree. The man page names every command of
# `halfclose --help`.
set -u
build="$1"
src="$2"
. "$(dirname "$0")/../lib.sh"
p="$tmp/prefix"
cmake --install "$build" --prefix "$p" >"$tmp/log" 2>&1 || bad "install: $(tail -3 "$tmp/log")"
for f in bin/halfclose bin/halfclose-peer share/halfclose/plots/common.gp \
         share/halfclose/scenarios/kb-q152474.ini share/halfclose/scenarios/README.md \
         share/man/man1/halfclose.1 share/doc/halfclose/README.md \
         share/doc/halfclose/LICENSE share/doc/halfclose/docs/design.md; do
  [ -f "$p/$f" ] && ok || bad "not installed: $f"
done
hc="$p/bin/halfclose"
"$hc" --version | grep -qx "data: $p/share/halfclose" && ok || bad "installed data dir: $("$hc" --version)"
"$build/halfclose" --version | grep -qx "data: $src" && ok || bad "build tree's data dir: $("$build/halfclose" --version)"
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere" || exit 1
# the default study (the installed scenario), then its graphs (the
# installed scripts)
"$hc" run --conversations=20 --out=d.db --quiet >"$tmp/o" 2>&1 && ok || bad "installed run: $(cat "$tmp/o")"
[ "$(sqlite3 d.db "select count(*) from conversations")" -eq 40 ] && ok || bad "rows of the default study"
"$hc" plot d.db --out=plots --format=svg >"$tmp/o" 2>&1 && [ -s plots/outcomes.svg ] && ok || bad "installed plot: $(cat "$tmp/o")"
# controls: the data moved away
HALFCLOSE_DATA_DIR="$tmp/nowhere" "$hc" run --conversations=2 --out=n.db >"$tmp/o" 2>&1
[ $? -eq 2 ] && grep -q "$tmp/nowhere/scenarios/kb-q152474.ini" "$tmp/o" && ok || bad "no data, run: $(cat "$tmp/o")"
HALFCLOSE_DATA_DIR="$tmp/nowhere" "$hc" plot d.db --out=p2 --format=svg >"$tmp/o" 2>&1 && bad "no data, plot succeeded" || ok
# the man page: renders, and names every command
for c in $("$hc" --help | awk '/^commands:/{b=1; next} b && /^  [a-z]/{print $1} /^$/{if (b) exit}'); do
  grep -q "^\.BI \"$c " "$p/share/man/man1/halfclose.1" && ok || bad "the man page lacks $c"
done
# the ns-3 plug-in: a program built only against the installed headers
# and pkg-config halfclose-ns3 (the README's) moves BulkSend to PacketSink
# on the model
for f in lib/libhalfclose-ns3.so include/ns3/halfclose-module.h lib/pkgconfig/halfclose-ns3.pc; do
  [ -e "$p/$f" ] && ok || bad "not installed: $f"
done
# (a sanitizer or fuzzer build's library needs its runtime: only a plain
# build's is linked into a plain program)
if grep -q "^HALFCLOSE_SANITIZE:BOOL=ON\|^HALFCLOSE_FUZZ:BOOL=ON" "$build/CMakeCache.txt"; then
  echo "an instrumented build: the plug-in's program is built by the plain build's test" >&2
elif command -v g++ >/dev/null 2>&1; then
  flags=$(PKG_CONFIG_PATH="$p/lib/pkgconfig" pkg-config --cflags --libs halfclose-ns3 ns3-applications ns3-point-to-point 2>"$tmp/e")
  g++ -std=c++17 "$src/examples/readme.cc" -o "$tmp/bulk" $flags 2>"$tmp/e" && ok || bad "building against the installed plug-in: $(head -5 "$tmp/e")"
  LD_LIBRARY_PATH="$p/lib" "$tmp/bulk" --ns3::HalfcloseTcpL4Protocol::Profile=nt351 >"$tmp/o" 2>&1
  grep -qx "100000 bytes received" "$tmp/o" && ok || bad "the installed plug-in's program: $(cat "$tmp/o")"
  # a half-closing client and server across two routers: the KB symptom
  # under nt351, none under nt351-sp (the control)
  flags=$(PKG_CONFIG_PATH="$p/lib/pkgconfig" pkg-config --cflags --libs halfclose-ns3 ns3-applications ns3-point-to-point ns3-traffic-control 2>"$tmp/e")
  g++ -std=c++17 "$src/examples/article-cross.cc" -o "$tmp/article" $flags 2>"$tmp/e" && ok || bad "building the article's program: $(head -5 "$tmp/e")"
  LD_LIBRARY_PATH="$p/lib" "$tmp/article" --crossFlows=1 >"$tmp/o" 2>&1
  grep -q "^client: [0-9]* of 20000 bytes read, error close" "$tmp/o" && ok || bad "the installed article under nt351: $(tail -2 "$tmp/o")"
  LD_LIBRARY_PATH="$p/lib" "$tmp/article" --crossFlows=1 --profile=nt351-sp >"$tmp/o" 2>&1
  grep -q "^client: 20000 of 20000 bytes read, normal close" "$tmp/o" && ok || bad "the installed article under nt351-sp: $(tail -2 "$tmp/o")"
fi
if command -v man >/dev/null 2>&1; then
  MANWIDTH=80 man -l "$p/share/man/man1/halfclose.1" 2>"$tmp/e" | grep -q "EXIT STATUS" && ok || bad "man: $(cat "$tmp/e")"
fi
finish
