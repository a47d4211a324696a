#!/bin/sh
# symbols.sh LIBHC_MODEL - every global symbol the model defines carries the
# tcp_ prefix (it is linked into programs with ns-3, SQLite and GSL), and
# the library does define its API (a check on an empty archive would pass).
lib="$1"
command -v nm >/dev/null || { echo "nm missing"; [ "${CI:-}" = true ] && exit 1 || exit 77; }
all=$(nm -g --defined-only "$lib" | awk '$2 ~ /^[TDBRC]$/ {print $3}' | sort -u)
bad=$(echo "$all" | grep -v '^tcp_')
n=$(echo "$all" | grep -c '^tcp_host_new$')
if [ -n "$bad" ]; then
  echo "FAIL: global symbols without the tcp_ prefix:"; echo "$bad"; exit 1
fi
[ "$n" -eq 1 ] || { echo "FAIL: tcp_host_new not defined in $lib"; exit 1; }
echo "$(echo "$all" | wc -l) global symbols, all tcp_"
