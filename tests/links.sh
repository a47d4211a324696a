#!/bin/sh
# links.sh EXECUTABLE - the executable links neither libns3 nor SQLite: its
# dynamic section names neither library and no ns-3 or sqlite3 symbol is in
# it (static archives would bring symbols, not NEEDED entries).
exe="$1"
command -v readelf >/dev/null && command -v nm >/dev/null || {
  echo "readelf or nm missing"
  [ "${CI:-}" = true ] && exit 1 || exit 77
}
if readelf -d "$exe" | grep -Ei 'NEEDED.*(ns3|sqlite)'; then
  echo "FAIL: $exe needs ns-3 or SQLite"
  exit 1
fi
if nm -C "$exe" | grep -Ei ' (ns3::|sqlite3_|ns3c_)' | head -3 | grep .; then
  echo "FAIL: $exe holds ns-3 or SQLite code"
  exit 1
fi
echo "$exe: no ns-3, no SQLite"
