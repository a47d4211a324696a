#!/bin/sh
# test_article.sh HALFCLOSE - both traces of KB Q152474, replayed through
# the command a user runs and compared segment for segment with the
# article's (issue 22): each segment as direction and kind - SYN (S),
# SYN-ACK (SA), a pure ACK (A), data (D), a bare FIN (F), RST (R).
#
# Trace 1, the normal conversation: the client reads the whole response
# by its length and closes first (close_when_read), the server closes at
# its end of stream (close_on_eof). Trace 2, the failing one: the client
# half-closes, reads slowly, and under nt351 a second ACK after the ACK of
# the FIN draws the server's RST. Controls: under nt351-sp trace 2 ends
# after the ACK of the FIN; without the new keys trace 1 is not produced.
set -u
hc="$1"
. "$(dirname "$0")/../lib.sh"
tokens() { # the ladder's segments as "C:S S:SA ..."
  grep -E "^ +[0-9.]+ +(-->|<--)" | awk '{
    d = ($2 == "-->") ? "C" : "S"; f = $3; l = $6; t = ""
    if (f ~ /SYN/) t = (f ~ /ACK/) ? "SA" : "S"
    else { if (l > 0) t = "D"; if (f ~ /FIN/) t = t "F"; if (f ~ /RST/) t = t "R"; if (t == "") t = "A" }
    printf "%s:%s ", d, t } END { print "" }'
}
# the article's first trace, as it prints it:
# SYN -->, <-- SYN-ACK, ACK -->, Data (request) -->, <-- ACK,
# <-- Data (response), ACK -->, FIN -->, <-- ACK, <-- FIN, ACK -->
trace1="C:S S:SA C:A C:D S:A S:D C:A C:F S:A S:F C:A "
normal="--half_close=false --close_when_read=true --read_close_delay=300ms --close_on_eof=true --response=1000 --delay=5ms --think=300ms"
for p in nt351 nt351-sp; do
  "$hc" replay --profile=$p $normal >"$tmp/t1" 2>&1 || bad "trace 1 under $p: $(tail -2 "$tmp/t1")"
  got=$(tokens <"$tmp/t1")
  [ "$got" = "$trace1" ] && ok || bad "trace 1 under $p: $got, the article's $trace1"
  grep -q "redundant_ack=no server_rst=no conn_reset=no app_reset=no bytes_lost=0 completed=yes" "$tmp/t1" &&
    ok || bad "trace 1 under $p: $(grep outcome "$tmp/t1")"
done
got=$("$hc" replay --half_close=false --response=1000 --delay=5ms --think=300ms | tokens)
[ "$got" != "$trace1" ] && ok || bad "the server closing first also gave trace 1: the keys are not what makes it"

# the article's second trace: SYN -->, <-- SYN-ACK, ACK -->, Data -->,
# <-- ACK, FIN -->, <-- ACK, <-- Data ... Data/ACK ..., <-- FIN, ACK -->,
# ACK (this is bad) -->, <-- RESET
trace2='^C:S S:SA C:A C:D S:A C:F S:A S:D (S:D |C:A )*S:F C:A C:A S:R $'
bug="--delay=5ms --shutdown_delay=300ms --close_delay=50ms --response=4380 --read_delay=50ms --read_interval=40ms --read_size=1024"
"$hc" replay --profile=nt351 $bug >"$tmp/t2" 2>&1 || bad "trace 2: $(tail -2 "$tmp/t2")"
got=$(tokens <"$tmp/t2")
echo "$got" | grep -Eq "$trace2" && ok || bad "trace 2 under nt351: $got"
# the bad ACK is the delayed ACK the ladder marks, and the RST its answer
[ "$(grep -c '<<<' "$tmp/t2")" -eq 2 ] && grep -q "ACK .* delack  <<<" "$tmp/t2" && grep -q "RST .*<<<" "$tmp/t2" &&
  ok || bad "trace 2: the marks: $(grep '<<<' "$tmp/t2")"
grep -q "redundant_ack=yes server_rst=yes conn_reset=yes app_reset=yes" "$tmp/t2" && ok ||
  bad "trace 2 under nt351: $(grep outcome "$tmp/t2")"
"$hc" replay --profile=nt351-sp $bug >"$tmp/t3" 2>&1
got=$(tokens <"$tmp/t3")
! echo "$got" | grep -Eq "$trace2" && echo "$got" | grep -Eq 'S:F C:A $' && ok ||
  bad "trace 2 under nt351-sp (the fix) should end at the ACK of the FIN: $got"
finish
