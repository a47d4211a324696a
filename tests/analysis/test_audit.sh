#!/bin/sh
# test_audit.sh HALFCLOSE SCENARIOS - the report audited (issue 22):
# audit_report.py recomputes, with its own code, every count, rate,
# interval and test of the Markdown and JSON reports from the rows of
# `halfclose export`, on the default study, scenarios/profiles.ini,
# http-reset.ini, keepalive-race.ini and abort.ini (their requests table),
# lossy-wan.ini (its datagrams lost on the way),
# and must find no difference. The negative controls plant one wrong
# number in each format (a count, a paired count, a bin's n, a RST
# cause's count) and must be caught, naming it. Needs python3 (skipped without it, a failure under
# CI=true).
set -u
hc="$1"
scn="$2"
. "$(dirname "$0")/../lib.sh"
audit="$(dirname "$0")/audit_report.py"
if ! command -v python3 >/dev/null 2>&1; then
  echo "no python3: the audit cannot run" >&2
  [ "${CI:-}" = true ] && { echo "FAIL: python3 required under CI"; exit 1; }
  exit 77
fi
for s in kb-q152474 profiles http-reset keepalive-race abort lossy-wan; do
  "$hc" run "$scn/$s.ini" --out="$tmp/$s.db" --quiet >/dev/null || bad "run $s"
  "$hc" export "$tmp/$s.db" >"$tmp/$s.csv" || bad "export $s"
  "$hc" report "$tmp/$s.db" --format=json --out="$tmp/$s.json" || bad "json report $s"
  "$hc" report "$tmp/$s.db" --out="$tmp/$s.md" || bad "md report $s"
  python3 "$audit" "$tmp/$s.csv" "$tmp/$s.json" "$tmp/$s.md" >"$tmp/o" 2>&1 &&
    { [ "$s" = kb-q152474 ] || [ "$s" = profiles ] ||
      grep -q "^### Requests on the connection" "$tmp/$s.md" ||
      { [ "$s" = lossy-wan ] &&
        grep -q "^### Datagrams lost on the way" "$tmp/$s.md"; }; } &&
    grep -q "^[0-9][0-9]* passed, 0 failed$" "$tmp/o" && ok || bad "audit of $s: $(tail -8 "$tmp/o")"
  cp "$tmp/o" "$tmp/o.$s"
done
# at least this many numbers were checked (a parser that matched nothing
# would pass on nothing)
n=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' "$tmp/o.keepalive-race")
[ "${n:-0}" -ge 1000 ] && ok || bad "keepalive-race.ini: only ${n:-0} numbers audited"

# negative controls, each one number off
s=kb-q152474
k=$(sqlite3 "$tmp/$s.db" "SELECT sum(bytes_lost > 0) FROM conversations WHERE profile='nt351'")
sed "s/^| nt351 | $k |/| nt351 | $((k + 1)) |/" "$tmp/$s.md" >"$tmp/bad.md"
cmp -s "$tmp/bad.md" "$tmp/$s.md" && bad "the planted count did not change the report"
python3 "$audit" "$tmp/$s.csv" "$tmp/$s.json" "$tmp/bad.md" >"$tmp/o" 2>&1
[ $? -eq 1 ] && grep -q "md bytes lost nt351 conversations losing data: report $((k + 1)), recomputed $k" "$tmp/o" &&
  grep -q "passed, 1 failed$" "$tmp/o" && ok || bad "a planted Markdown count was not caught: $(tail -3 "$tmp/o")"
python3 - "$tmp/$s.json" "$tmp/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["pairs"][0]["app_reset"]["first_only"] += 1
d["parameters"][0]["bins"][0]["by_profile"][0]["app_reset"]["n"] += 1
d["profiles"][0]["rst_causes"]["redundant_ack"] += 1
json.dump(d, open(sys.argv[2], "w"))
PY
python3 "$audit" "$tmp/$s.csv" "$tmp/bad.json" "$tmp/$s.md" >"$tmp/o" 2>&1
[ $? -eq 1 ] && grep -q "json pair nt351/nt351-sp app_reset first_only" "$tmp/o" &&
  grep -q "json bin delay_ns .* nt351 app_reset n" "$tmp/o" &&
  grep -q "json nt351 rst cause redundant_ack" "$tmp/o" && ok ||
  bad "planted JSON numbers were not caught: $(tail -3 "$tmp/o")"

# planted SCENARIO SED WANT: the scenario's Markdown report with one
# number planted by SED must change and the audit must catch it, saying
# WANT
planted() {
  sed "$2" "$tmp/$1.md" >"$tmp/bad.md"
  cmp -s "$tmp/bad.md" "$tmp/$1.md" && bad "$1: the planted number did not change the report ($2)"
  python3 "$audit" "$tmp/$1.csv" "$tmp/$1.json" "$tmp/bad.md" >"$tmp/o" 2>&1
  [ $? -eq 1 ] && grep -q "$3" "$tmp/o" && ok || bad "$1: not caught: $3: $(tail -3 "$tmp/o")"
}
q() { sqlite3 "$tmp/$1.db" "$2"; }
# and in the races' requests table: the connections one off, and how
# linux's requests failed (at end of stream) one off
s=keepalive-race
c=$(q $s "SELECT sum(connections) FROM conversations WHERE profile='retry'")
planted $s "s/^\(| retry | [0-9]* | [0-9]* | [0-9]* | [0-9]* | [^|]* | \)$c |/\1$((c + 1)) |/" \
  "md requests retry connections: report $((c + 1)), recomputed $c"
# and in the drops table: lossy-wan's nt351 datagrams lost one off
d=$(q lossy-wan "SELECT sum(lost) FROM conversations WHERE profile='nt351'")
planted lossy-wan "s/^\(| nt351 | [0-9]* of [0-9]* | \)$d |/\1$((d + 1)) |/" \
  "md drops nt351 datagrams: report $((d + 1)), recomputed $d"
e=$(q $s "SELECT sum(failed_eof) FROM conversations WHERE profile='linux'")
planted $s "s/^\(| linux | [0-9]* | [0-9]* | [0-9]* | \)$e |/\1$((e + 1)) |/" \
  "md requests linux failed at end of stream: report $((e + 1)), recomputed $e"
# ... the retries that met the race again (http-reset's linux)
k=$(q http-reset "SELECT count(*) FROM conversations WHERE profile='linux' AND retries>0 AND requests_failed>0")
planted http-reset "s/^\(Under linux, the retry did not remove the failure in \)$k /\1$((k + 1)) /" \
  "md race headline linux retry failed: report $((k + 1)), recomputed $k"
# and in the race's headline sentence: linux's failed requests one off
f=$(q $s "SELECT sum(requests_failed) FROM conversations WHERE profile='linux'")
planted $s "s/^\(Under linux, conversations with a failed request: .*; requests failed: \)$f of/\1$((f + 1)) of/" \
  "md race headline linux requests failed: report $((f + 1)), recomputed $f"
# and the retries one off in the JSON
python3 - "$tmp/$s.json" "$tmp/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["profiles"][3]["retries"] += 1
d["pairs"][0]["request_failed"]["second_only"] += 1
json.dump(d, open(sys.argv[2], "w"))
PY
python3 "$audit" "$tmp/$s.csv" "$tmp/bad.json" "$tmp/$s.md" >"$tmp/o" 2>&1
[ $? -eq 1 ] && grep -q "json retry retries" "$tmp/o" &&
  grep -q "json pair linux/reuse-4s request_failed second_only" "$tmp/o" && ok ||
  bad "planted JSON request numbers were not caught: $(tail -3 "$tmp/o")"
finish
