#!/bin/sh
# test_loader.sh HALFCLOSE SRC - the Python loader (python/halfclose_store.py)
# reproduces the report's headline from a store: per profile the failed
# reads and the conversations that lost data (k, n, Wilson interval), and
# the paired discordant counts with the exact McNemar p, against the
# report's JSON; the worked example prints the headline's figures; the
# store is opened read-only and left byte for byte. Controls: one failed
# read flipped in a copy moves the loader's count by one; a file that is
# not a store is refused. Needs python3 with pandas (Debian's
# python3-pandas): skipped (77) without it, a failure under CI=true.
set -u
hc="$1"
src="$2"
. "$(dirname "$0")/../lib.sh"
py=""
for c in /usr/bin/python3 python3; do
  if "$c" -c "import pandas" >/dev/null 2>&1; then py="$c"; break; fi
done
if [ -z "$py" ]; then
  echo "no python3 with pandas here" >&2
  [ "${CI:-}" = true ] && { echo "FAIL: required under CI"; exit 1; }
  exit 77
fi
"$hc" run "$src/scenarios/kb-q152474.ini" --out="$tmp/kb.db" --quiet >/dev/null 2>&1 || bad "the default study"
"$hc" report "$tmp/kb.db" --format=json --out="$tmp/kb.json" >/dev/null 2>&1 || bad "its report"
before=$(sum "$tmp/kb.db")
PYTHONPATH="$src/python" "$py" - "$tmp/kb.db" "$tmp/kb.json" >"$tmp/o" 2>&1 <<'PY' && ok || bad "loader against the report: $(cat "$tmp/o")"
import json, sys, sqlite3
import halfclose_store as hs
st = hs.load(sys.argv[1])
rep = json.load(open(sys.argv[2]))
h = hs.headline(st)
assert h["conversations"] == rep["conversations"], (h["conversations"], rep["conversations"])
con = sqlite3.connect(sys.argv[1])
assert len(st.conversations) == con.execute("select count(*) from conversations").fetchone()[0]
assert len(st.columns) == con.execute("select count(*) from columns").fetchone()[0]
assert "delay_ns" in st.params and "read_interval_ns" in st.params, st.params
assert st.outcomes[:5] == ["redundant_ack", "server_rst", "conn_reset", "reset_after_close", "app_reset"]
for p in rep["profiles"]:
    mine = h["profiles"][p["name"]]
    for name in ("app_reset", "lost_data"):
        a, b = mine[name], p[name]
        assert a["k"] == b["k"] and a["n"] == b["n"], (p["name"], name, a, b)
        assert abs(a["wilson"][0] - b["wilson"][0]) < 1e-9 and abs(a["wilson"][1] - b["wilson"][1]) < 1e-9, (a, b)
for mine, pr in zip(h["pairs"], rep["pairs"]):
    t = pr["app_reset"]
    assert (mine["first"], mine["second"]) == (pr["first"], pr["second"])
    assert mine["first_only"] == t["first_only"] and mine["second_only"] == t["second_only"], (mine, t)
    assert abs(mine["p_exact"] - t["p_exact"]) <= 1e-6 * t["p_exact"], (mine["p_exact"], t["p_exact"])
print(h["profiles"]["nt351"]["app_reset"]["k"])
PY
k=$(tail -1 "$tmp/o")
[ "$(sum "$tmp/kb.db")" = "$before" ] && ok || bad "the loader changed the store"
"$py" "$src/python/headline.py" "$tmp/kb.db" >"$tmp/h" 2>&1 && ok || bad "the example: $(cat "$tmp/h")"
grep -qF "nt351: read failed (app_reset) $k of 5000" "$tmp/h" && grep -qF "exact McNemar p = " "$tmp/h" && ok || bad "the example's output: $(cat "$tmp/h")"
# controls
cp "$tmp/kb.db" "$tmp/c.db"
sqlite3 "$tmp/c.db" "update conversations set app_reset = 1 - app_reset where profile = 'nt351' and conversation = (select min(conversation) from conversations where profile = 'nt351' and app_reset = 0)"
PYTHONPATH="$src/python" "$py" -c "import sys, halfclose_store as hs; print(hs.headline(hs.load(sys.argv[1]))['profiles']['nt351']['app_reset']['k'])" "$tmp/c.db" >"$tmp/c" 2>&1
[ "$(cat "$tmp/c")" = "$((k + 1))" ] && ok || bad "a flipped failed read: $(cat "$tmp/c") against $k"
printf 'not a store' >"$tmp/x.db"
PYTHONPATH="$src/python" "$py" -c "import sys, halfclose_store as hs; hs.load(sys.argv[1])" "$tmp/x.db" >"$tmp/e" 2>&1
[ $? -ne 0 ] && grep -q "DatabaseError\|not a database\|not a halfclose store" "$tmp/e" && ok || bad "a file that is not a store: $(cat "$tmp/e")"
finish
