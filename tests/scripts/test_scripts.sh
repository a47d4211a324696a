#!/bin/sh
# test_scripts.sh HALFCLOSE SCRIPTS_DIR [SCENARIOS_DIR] - `halfclose
# script` on the project's scripts and on broken ones, and `replay --pkt`:
#   - the KB pair: kb-q152474.pkt passes under nt351 and fails under
#     nt351-sp at the second ACK; kb-q152474-fixed.pkt the other way round;
#   - Linux's close: a RST|ACK with unread data, a FIN without; each knob
#     behind it turned off fails the script where it should (the controls);
#   - replay --pkt round trips: a lossy linux transfer with SACK blocks;
#     each side of every conversation of a
#     small batch of the default study and of profiles.ini, written as a
#     script, passes against the profile that produced it, run with the
#     command the script's header gives; the control: a client's script
#     with the redundant ACK fails under nt351-sp;
#   - exit 0 when all pass, 1 when one fails (file:line, what was expected
#     and what the stack did), 2 for a script that does not parse
#     (file:line, what was expected), an unknown option or call, a
#     conversation key. (The kernel stack: test_kernel.sh.)
set -u
hc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(cd "$2" && pwd)
scenarios=$(cd "${3:-$dir/../../scenarios}" && pwd)
. "$(dirname "$0")/../lib.sh"
cd "$tmp" || exit 1 # scratch files (o, e) go there
kb="$dir/kb-q152474.pkt" fixed="$dir/kb-q152474-fixed.pkt"
"$hc" script "$kb" --stack=nt351 >o 2>&1 && grep -q "pass under nt351 " o && ok || bad "kb under nt351: $(cat o)"
"$hc" script "$kb" --stack=nt351-sp >o 2>&1
[ $? -eq 1 ] && grep -q "kb-q152474.pkt:25: fail under nt351-sp: expected" o && ok || bad "kb under nt351-sp: $(cat o)"
"$hc" script "$fixed" --stack=nt351-sp >o 2>&1 && ok || bad "fixed under nt351-sp: $(cat o)"
"$hc" script "$fixed" --stack=nt351 >o 2>&1
[ $? -eq 1 ] && grep -q "the stack sent \. 302:302(0) ack 1002 .* at 0.200000 s, where the script expects no segment" o && ok || bad "fixed under nt351: $(cat o)"
# the fix is one knob: nt351 with it passes the fixed script
"$hc" script "$fixed" --stack=nt351 --fin_ack_final=true >o 2>&1 && ok || bad "nt351 + fin_ack_final: $(cat o)"
# Linux's close
"$hc" script "$dir/linux-close-unread.pkt" "$dir/linux-close-read.pkt" --stack=linux >o 2>&1 &&
  grep -q "^2 of 2 scripts passed under linux" o && ok || bad "linux close: $(cat o)"
"$hc" script "$dir/linux-close-unread.pkt" --stack=linux --rst_abort_ack=false >o 2>&1
[ $? -eq 1 ] && grep -q "the stack sent R 1:1(0) win 0" o && ok || bad "rst_abort_ack off: $(cat o)"
"$hc" script "$dir/linux-close-unread.pkt" --stack=linux --close_unread_rst=false >o 2>&1
[ $? -eq 1 ] && grep -q "the stack sent F\. 1:1(0) ack 1001" o && ok || bad "close_unread_rst off: $(cat o)"
# a Linux script under 4.4BSD: no quick ACK at the connection's start
"$hc" script "$dir/linux-close-unread.pkt" --stack=bsd44 >o 2>&1
[ $? -eq 1 ] && grep -q "linux-close-unread.pkt:14: fail under bsd44" o && ok || bad "bsd44: $(cat o)"
# the delayed ACK of a FIN in CLOSE-WAIT and the immediate one in
# FIN-WAIT-2 (Linux), NT's tick grid; the controls: an immediate ACK of the
# FIN, a one-shot timer
"$hc" script "$dir/linux-fin-ack-close-wait.pkt" "$dir/linux-fin-ack-fin-wait.pkt" "$dir/linux-fin-ack-after-data.pkt" --stack=linux >o 2>&1 &&
  grep -q "^3 of 3 scripts passed under linux" o && ok || bad "linux FIN ACKs: $(cat o)"
"$hc" script "$dir/linux-fin-ack-after-data.pkt" --stack=linux --fin_ack_now=true >o 2>&1
[ $? -eq 1 ] && ok || bad "fin_ack_now after data: $(cat o)"
"$hc" script "$dir/linux-fin-ack-close-wait.pkt" --stack=linux --delack_max=0ms >o 2>&1
[ $? -eq 1 ] && grep -q "linux-fin-ack-close-wait.pkt:18: fail under linux: expected +.004 > \. 1:1(0) ack 2 at 0.124000 s; the stack sent nothing" o && ok || bad "a fixed ATO: $(cat o)"
# a script per knob: each passes under its profile and fails, where it
# should, with its knob turned (the controls)
passes() { # SCRIPT ARGS...: it passes
  f=$1
  shift
  "$hc" script "$dir/$f" "$@" >o 2>&1 && ok || bad "$f $*: $(cat o)"
}
fails() { # SCRIPT PATTERN ARGS...: it fails (exit 1) saying PATTERN
  f=$1 pat=$2
  shift 2
  "$hc" script "$dir/$f" "$@" >o 2>&1
  [ $? -eq 1 ] && grep -q "$pat" o && ok || bad "$f $*: $(cat o)"
}
passes init-cwnd.pkt --stack=nt351
passes init-cwnd.pkt --stack=bsd44
fails init-cwnd.pkt "init-cwnd.pkt:19: fail under nt351: the stack sent \. 2921:4381(1460)" --stack=nt351 --init_cwnd=3
fails init-cwnd.pkt "init-cwnd.pkt:17: fail under bsd44: expected .*1461:2921(1460)" --stack=bsd44 --ss_incr_mss=false
passes nagle.pkt --stack=nt351
passes nagle.pkt --stack=bsd44
fails nagle.pkt "nagle.pkt:15: fail under nt351: the stack sent P\. 101:201(100) ack 1 .* at 0.025000 s" --stack=nt351 --nagle=false
passes syn-rto.pkt --stack=nt351
fails syn-rto.pkt "syn-rto.pkt:10: fail under nt351: .*the stack sent S 0:0(0) .* at 1.000000 s" --stack=nt351 --rto_initial=1s
fails syn-rto.pkt "syn-rto.pkt:10: fail under bsd44" --stack=bsd44
passes mss.pkt --stack=nt351
passes mss.pkt --stack=linux
passes mss.pkt --stack=bsd44
fails mss.pkt "mss.pkt:11: fail under nt351: .*<mss 536>" --stack=nt351 --mss=536
passes linux-rst-close-wait-epipe.pkt --stack=linux
for c in "--stack=nt351" "--stack=linux --rst_close_wait_epipe=false"; do
  fails linux-rst-close-wait-epipe.pkt "linux-rst-close-wait-epipe.pkt:17: fail under .*the call returned -1 ECONNRESET" $c
done
passes linux-recv-eof-first.pkt --stack=linux
fails linux-recv-eof-first.pkt "linux-recv-eof-first.pkt:20: fail under linux: .*returned -1 EPIPE" --stack=linux --recv_eof_first=false
passes bsd44-finwait-ack.pkt --stack=bsd44
for c in "--stack=nt351" "--stack=bsd44 --delack_finwait=true"; do
  fails bsd44-finwait-ack.pkt "bsd44-finwait-ack.pkt:17: fail under .*the stack sent nothing" $c
done
passes linux-rfc5961-rst.pkt --stack=linux
fails linux-rfc5961-rst.pkt "linux-rfc5961-rst.pkt:14: fail under linux: .*the stack sent nothing" --stack=linux --rfc5961=false
passes linux-minshall.pkt --stack=linux
fails linux-minshall.pkt "linux-minshall.pkt:15: fail under linux: .*1461:1561(100)" --stack=linux --nagle_minshall=false
passes ack-cancels-delack.pkt --stack=nt351
passes ack-cancels-delack.pkt --stack=bsd44
fails ack-cancels-delack.pkt "ack-cancels-delack.pkt:18: fail under nt351: the stack sent \. 51:51(0) ack 101 .* at 0.200000 s" --stack=nt351 --ack_cancels_delack=false
passes rst-discards-unread.pkt --stack=nt351
for c in "--stack=bsd44" "--stack=nt351 --rst_discards_unread=false"; do
  fails rst-discards-unread.pkt "rst-discards-unread.pkt:15: fail under .*the call returned 100" $c
done
passes time-wait-msl.pkt --stack=nt351
fails time-wait-msl.pkt "time-wait-msl.pkt:19: fail under nt351: .*the stack sent R 2:2(0) win 0 at 100.040000 s" --stack=nt351 --msl=30s
passes syn-retries.pkt --stack=nt351
fails syn-retries.pkt "syn-retries.pkt:12: fail under nt351: .*the stack sent nothing" --stack=nt351 --syn_retries=2
passes linux-window.pkt --stack=linux
passes linux-options.pkt --stack=linux
fails linux-options.pkt "linux-options.pkt:16: fail under linux: .*<mss 1460,nop,nop,TS val [0-9]* ecr 100,nop,wscale 10>" --stack=linux --sack_permitted=false
fails linux-options.pkt "linux-options.pkt:16: fail under linux: .*win 65160 <mss 1460,sackOK,TS val [0-9]* ecr 100>" --stack=linux --window_scaling=false
fails linux-options.pkt "linux-options.pkt:16: fail under linux: .*<mss 1460,nop,nop,sackOK,nop,wscale 10>" --stack=linux --timestamps=false
fails linux-options.pkt "linux-options.pkt:20: fail under linux: .*win 80 <" --stack=linux --rcv_grow_quickack=false
passes linux-syn-window.pkt --stack=linux
passes linux-psh-chunks.pkt --stack=linux
fails linux-psh-chunks.pkt "linux-psh-chunks.pkt:17: fail under linux: .*the stack sent \. 1461:2921(1460)" --stack=linux --psh_chunks=false
fails linux-syn-window.pkt "linux-syn-window.pkt:11: fail under linux: .*win 65535" --stack=linux --rcv_wnd_mss=false
fails linux-syn-window.pkt "linux-syn-window.pkt:11: fail under linux: .*<mss 1460,nop,nop,sackOK,nop,wscale 10>" --stack=linux --timestamps=false
fails linux-window.pkt "linux-window.pkt:11: fail under linux: .*win 65535" --stack=linux --rcv_wnd_mss=false
passes rto-min.pkt --stack=nt351
fails rto-min.pkt "rto-min.pkt:16: fail under nt351: .*the stack sent P\. 1:101(100) ack 1 .* at 0.220000 s" --stack=nt351 --rto_min=200ms
fails rto-min.pkt "rto-min.pkt:16: fail under bsd44" --stack=bsd44
passes bsd44-fin-ack-clears-delack.pkt --stack=bsd44
for c in "--stack=nt351" "--stack=bsd44 --fin_ack_cancels_delack=false"; do
  fails bsd44-fin-ack-clears-delack.pkt "bsd44-fin-ack-clears-delack.pkt:18: fail under .*the stack sent \. 1:1(0) ack 102 .* at 0.200000 s" $c
done
passes rcv-buf.pkt --stack=nt351
fails rcv-buf.pkt "rcv-buf.pkt:8: fail under nt351: .*win 4096" --stack=nt351 --rcv_buf=4096
passes snd-buf.pkt --stack=nt351
fails snd-buf.pkt "snd-buf.pkt:13: fail under nt351: .*the call returned 4096" --stack=nt351 --snd_buf=4096
passes max-retries.pkt --stack=nt351
fails max-retries.pkt "max-retries.pkt:17: fail under nt351: .*the stack sent nothing" --stack=nt351 --max_retries=3
fails nt351-delack-tick.pkt "nt351-delack-tick.pkt:12: fail under nt351: .*the stack sent nothing" --stack=nt351 --delack_phase=50ms
passes bsd44-persist-probe.pkt --stack=bsd44
fails bsd44-persist-probe.pkt "bsd44-persist-probe.pkt:16: fail under bsd44: .*the stack sent \. 0:0(0) ack 1 win 8192 at 5.020000 s" --stack=bsd44 --probe_data=false
"$hc" script "$dir/nt351-delack-tick.pkt" --stack=nt351 >o 2>&1 && ok || bad "nt351's tick: $(cat o)"
"$hc" script "$dir/nt351-delack-tick.pkt" --stack=nt351 --delack_mode=oneshot >o 2>&1
[ $? -eq 1 ] && grep -q "nt351-delack-tick.pkt:12: fail" o && ok || bad "oneshot: $(cat o)"
# a RST in TIME-WAIT before the client read: under each profile exactly
# one of the two scripts passes - the KB symptom under Winsock's profiles,
# the data still read under 4.4BSD, Linux and RFC 1337
for p in nt351 nt351-sp bsd44 linux nt351+rfc1337; do
  want=time-wait-rst-harmless.pkt
  case $p in nt351 | nt351-sp) want=time-wait-rst.pkt ;; esac
  "$hc" script "$dir/time-wait-rst.pkt" "$dir/time-wait-rst-harmless.pkt" --stack=$p >o 2>&1
  grep -q "/$want: pass under $p " o && grep -q "^1 of 2 scripts passed under $p" o && ok ||
    bad "TIME-WAIT RST under $p: $(cat o)"
done
# 4.4BSD's window update after the FIN; the controls: linux sends none,
# nor bsd44 without the knob
f="$dir/bsd44-winupdate-after-fin.pkt"
"$hc" script "$f" --stack=bsd44 >o 2>&1 && ok || bad "bsd44 update: $(cat o)"
for a in "--stack=linux" "--stack=bsd44 --winupdate_after_fin=false"; do
  "$hc" script "$f" $a >o 2>&1
  [ $? -eq 1 ] && grep -q "bsd44-winupdate-after-fin.pkt:22: fail" o && ok || bad "update control $a: $(cat o)"
done
# the immediate-ACK rule, data after close, Linux's quick ACKs: each
# passes where its behaviour is, and its knob turned off breaks it
check_script() { # SCRIPT PASSING-ARGS FAILING-ARGS
  "$hc" script "$dir/$1" $2 >o 2>&1 && ok || bad "$1 $2: $(cat o)"
  "$hc" script "$dir/$1" $3 >o 2>&1
  [ $? -eq 1 ] && ok || bad "$1 $3 (the control): $(cat o)"
}
check_script ack-every-second.pkt "--stack=nt351" "--stack=nt351 --ack_every=3"
check_script ack-every-second.pkt "--stack=nt351" "--stack=bsd44"
check_script ack-every-second.pkt "--stack=nt351" "--stack=nt351 --ack_rule=none"
check_script time-wait-rst.pkt "--stack=nt351" "--stack=nt351 --rst_timewait_notifies=false"
check_script rst-data-after-close.pkt "--stack=linux" "--stack=linux --rst_data_after_close=false"
check_script rst-data-after-close.pkt "--stack=bsd44" "--stack=nt351 --rst_data_after_close=false"
check_script linux-quickack.pkt "--stack=linux" "--stack=linux --quickack=0"
check_script linux-quickack.pkt "--stack=linux" "--stack=nt351"
check_script rst-closing.pkt "--stack=nt351" "--stack=nt351 --rst_closing_notifies=false"
check_script rst-closing.pkt "--stack=nt351" "--stack=bsd44"
check_script bsd44-persist-max.pkt "--stack=bsd44" "--stack=bsd44 --persist_max=30s"
check_script bsd44-rto-max.pkt "--stack=bsd44" "--stack=bsd44 --rto_max=30s"
check_script bsd44-winupdate.pkt "--stack=bsd44" "--stack=bsd44 --winupdate=linux"
check_script linux-quickack-idle.pkt "--stack=linux" "--stack=linux --quickack_idle=false"
check_script linux-ack-pushed.pkt "--stack=linux" "--stack=linux --ack_pushed=false"
check_script linux-pingpong.pkt "--stack=linux" "--stack=linux --pingpong_thresh=0"
check_script linux-snd-buf.pkt "--stack=linux" "--stack=linux --snd_buf_grows=false"
check_script linux-sack.pkt "--stack=linux" "--stack=linux --sack_permitted=false"
check_script linux-dsack.pkt "--stack=linux" "--stack=linux --sack_permitted=false"
check_script bsd44-window.pkt "--stack=bsd44" "--stack=bsd44 --rcv_wnd_bsd=false"
check_script linux-cwnd-restart.pkt "--stack=linux" "--stack=linux --cwnd_restart=false"
check_script linux-slow-start.pkt "--stack=linux" "--stack=linux --ss_acked_segs=false"
check_script linux-rto.pkt "--stack=linux" "--stack=linux --rto_var_min=false"
check_script linux-rcv-threshold.pkt "--stack=linux" "--stack=linux --rcv_grow_quickack=false"
check_script linux-tlp.pkt "--stack=linux" "--stack=linux --tlp=false"
check_script linux-tlp.pkt "--stack=linux" "--stack=linux --sack_permitted=false"
check_script linux-tlp-fin.pkt "--stack=linux" "--stack=linux --tlp=false"
# a full segment with the FIN is ACKed at once; one byte less waits (the
# control: what the bytes rule counts is the MSS and the FIN's number)
"$hc" script "$dir/linux-fin-ack-full.pkt" --stack=linux >o 2>&1 && ok || bad "linux-fin-ack-full: $(cat o)"
sed 's/1461:2921(1460)/1461:2920(1459)/; s/ack 2922$/ack 2921/' "$dir/linux-fin-ack-full.pkt" >"$tmp/fin-short.pkt"
"$hc" script "$tmp/fin-short.pkt" --stack=linux >o 2>&1
[ $? -eq 1 ] && grep -q "fin-short.pkt:19: fail under linux: .*the stack sent nothing" o && ok || bad "linux-fin-ack-full's control: $(cat o)"
# poll(2); the control: a wrong revents is caught, with what poll said
"$hc" script "$dir/poll.pkt" --stack=nt351 >o 2>&1 && ok || bad "poll: $(cat o)"
sed 's/revents=POLLIN}\], 1, 0) = 1/revents=POLLOUT}], 1, 0) = 1/' "$dir/poll.pkt" >"$tmp/poll-bad.pkt"
"$hc" script "$tmp/poll-bad.pkt" --stack=nt351 >o 2>&1
[ $? -eq 1 ] && grep -q "fd 3's revents are POLLIN" o && ok || bad "poll's control: $(cat o)"
# shell lines: never run; their sysctl settings (and those of a script
# they name) set the knobs that model them, and the run says which (the
# SYN offers the space, 40960, in whole segments as Linux does: 40880)
mkdir -p "$tmp/sh"
printf '#!/bin/sh\nsysctl -q net.ipv4.tcp_rmem="4096 65536 6291456"\nsysctl -q net.ipv4.tcp_fin_timeout=60\ntouch %s/ran\n' "$tmp" >"$tmp/sh/defaults.sh"
cat >"$tmp/sh/s.pkt" <<'PKT'
`./defaults.sh`
`sysctl -q net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=0 net.ipv4.tcp_rfc1337=1`
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(3, ..., ...) = -1 EINPROGRESS
+0    > S 0:0(0) win 40880 <mss 1460,nop,nop,TS val 0 ecr 0,nop,wscale 7>
PKT
"$hc" script "$tmp/sh/s.pkt" --stack=linux >o 2>&1 && ok || bad "sysctl lines: $(cat o)"
grep -q "applied net.ipv4.tcp_rmem (knobs rcv_buf = 40960, wscale = 7)" o &&
  grep -q "ignored net.ipv4.tcp_fin_timeout: no knob models it" o &&
  grep -q "applied net.ipv4.tcp_timestamps=1 (knob timestamps)" o &&
  grep -q "applied net.ipv4.tcp_sack=0 (knob sack_permitted)" o &&
  grep -q "applied net.ipv4.tcp_rfc1337=1 (knob rfc1337)" o && ok || bad "the settings said: $(cat o)"
[ ! -e "$tmp/ran" ] && ok || bad "a shell line was run"
# the controls: with SACK left on the SYN offers it; without the rmem
# line it offers the profile's window
sed 's/tcp_sack=0/tcp_sack=1/' "$tmp/sh/s.pkt" >"$tmp/sh/s1.pkt"
"$hc" script "$tmp/sh/s1.pkt" --stack=linux >o 2>&1
[ $? -eq 1 ] && grep -q "sent S 0:0(0) win 40880 <mss 1460,sackOK,TS" o && ok || bad "the sack control: $(cat o)"
sed -i '/tcp_rmem/d' "$tmp/sh/defaults.sh"
"$hc" script "$tmp/sh/s.pkt" --stack=linux >o 2>&1
[ $? -eq 1 ] && ok || bad "the rmem control: $(cat o)"
# several scripts: the count, and 1 when one fails
"$hc" script "$kb" "$fixed" --stack=nt351 >o 2>&1
[ $? -eq 1 ] && grep -q "^1 of 2 scripts passed under nt351" o && ok || bad "two scripts: $(cat o)"
# scripts that do not parse: exit 2, file:line, what was expected
bad_script() { # NAME TEXT EXPECTED
  printf '%b' "$2" >"$tmp/$1.pkt"
  "$hc" script "$tmp/$1.pkt" --stack=nt351 >o 2>e
  [ $? -eq 2 ] && grep -q "$3" e && ok || bad "$1: $(cat e o)"
}
bad_script opt '--frobnicate=1\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n' "opt.pkt:1: --frobnicate: unknown option"
bad_script late '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n--mss=1000\n' "late.pkt:2: an option after the first event"
bad_script flag '0 < SE 0:0(0) win 100\n' "flag.pkt:1: flag 'E': expected S, F, R, P or ."
bad_script seq '0 < S win 100\n' "seq.pkt:1: an inbound segment needs seq:end(len)"
bad_script len '0 < P. 1:11(5) ack 1 win 100\n' "len.pkt:1: seq:end(len): 11 - 1 is not 5"
bad_script time 'soon socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n' "time.pkt:1: expected a time"
bad_script comment '/* never closed\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n' "a comment opened with /\\* is never closed"
bad_script tcpopt '0 < S 0:0(0) win 100 <md5 1>\n' "tcpopt.pkt:1: unknown TCP option"
bad_script call '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 splice(3, 4) = 0\n' "call.pkt:2: splice: not a call the interpreter takes"
"$hc" script "$kb" --stack=nt351 --delay=5ms >o 2>e
[ $? -eq 2 ] && grep -q "a conversation key; a script takes profile knobs only" e && ok || bad "a conversation key: $(cat e)"
"$hc" script "$tmp/missing.pkt" >o 2>e
[ $? -eq 2 ] && grep -q "missing.pkt: cannot read" e && ok || bad "a missing script: $(cat e)"
# replay --pkt: round trips
rt=0 rtn=0
for sc in kb-q152474 profiles; do
  "$hc" run "$scenarios/$sc.ini" --out="$tmp/$sc.db" --conversations=6 --quiet --jobs=1 >/dev/null 2>&1 ||
    bad "run $sc"
  for p in $("$hc" info "$tmp/$sc.db" | sed -n 's/^profiles *//p' | sed 's/;.*//' | tr -d ','); do
    for i in 0 1 2 3 4 5; do
      for side in client server; do
        rtn=$((rtn + 1))
        "$hc" replay "$tmp/$sc.db" --conversation=$i --profile=$p --no_ladder \
          --pkt="$tmp/s.pkt" --side=$side >/dev/null 2>&1 || { bad "replay --pkt $sc $p $i $side"; continue; }
        cmd=$(sed -n 3p "$tmp/s.pkt" | sed "s|^// halfclose script FILE|\"$hc\" script \"$tmp/s.pkt\"|")
        sh -c "$cmd" >o 2>&1 && rt=$((rt + 1)) || echo "round trip $sc $p $i $side: $(head -1 o)" >&2
      done
    done
  done
done
[ $rt -eq $rtn ] && [ $rtn -ge 80 ] && ok || bad "round trips: $rt of $rtn"
echo "replay --pkt round trips: $rt of $rtn"
# a lossy linux transfer: its SACK blocks as the wire carries them (three
# beside timestamps; the writer once listed a fourth the stack never sent,
# and that script failed its own round trip)
"$hc" replay --profile=linux --loss=0.05 --conversation=8 --response=100000 \
  --no_ladder --pkt="$tmp/sack.pkt" >/dev/null 2>&1 && ok || bad "replay --pkt, lossy linux"
grep -q "ecr [0-9]*,nop,nop,sack [0-9]*:[0-9]* [0-9]*:[0-9]* [0-9]*:[0-9]*>" "$tmp/sack.pkt" &&
  ok || bad "the lossy linux script has no segment with three SACK blocks"
cmd=$(sed -n 3p "$tmp/sack.pkt" | sed "s|^// halfclose script FILE|\"$hc\" script \"$tmp/sack.pkt\"|")
sh -c "$cmd" >o 2>&1 && ok || bad "the lossy linux round trip: $(head -2 o)"
# the control: the article's conversation, the client's side, under the fix
"$hc" replay --pkt="$tmp/kb.pkt" --no_ladder >/dev/null 2>&1 && ok || bad "replay --pkt"
grep -q "^// halfclose script FILE --stack=nt351 " "$tmp/kb.pkt" && ok || bad "the script's command: $(sed -n 3p "$tmp/kb.pkt")"
phase=$(sed -n 3p "$tmp/kb.pkt" | grep -o -- "--delack_phase=[0-9]*ns")
"$hc" script "$tmp/kb.pkt" --stack=nt351 $phase >o 2>&1 && ok || bad "kb round trip: $(cat o)"
"$hc" script "$tmp/kb.pkt" --stack=nt351-sp $phase >o 2>&1
[ $? -eq 1 ] && grep -q "fail under nt351-sp" o && ok || bad "kb under nt351-sp: $(cat o)"
"$hc" replay --pkt="$tmp/x.pkt" --side=middle >o 2>e
[ $? -eq 2 ] && grep -q -- "--side=middle: expected client or server" e && ok || bad "--side=middle: $(cat e)"
"$hc" replay "$tmp/profiles.db" --pkt="$tmp/profiles.db" --no_ladder >o 2>e
[ $? -eq 2 ] && ok || bad "--pkt onto the store: $(cat e)"
finish
