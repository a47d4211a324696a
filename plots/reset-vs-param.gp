# reset-vs-param.gp - the probability that the client's read fails with a
# reset before the end of the response (app_reset), or that a request fails
# (requests_failed > 0), against one parameter (the one-way delay, the
# delayed-ACK timeout, the gap between requests, the time to the close): one curve per profile, and per
# delayed-ACK timeout when it varies too, with 95 % Wilson intervals as
# error bars.
#
# halfclose passes: datafile (one block per curve: x, rate, low, high, n),
# title, xlabel, ylabel (the rate: a failed read, or a failed request), logx (1 for a log axis), yfull (1: the axis from 0 to 1,
# else fitted to the data), show_n (1: each point's n beside it, when the
# n differ by more than half again; else nrange, their range, titles the
# legend), and the arrays T (curve titles), C (curve colours, one colour
# per profile in every plot), P and D (point and dash types: the curves of
# one profile differ by both).

load plotdir . "/common.gp"
set title title
set xlabel xlabel
set ylabel ylabel
if (yfull) { set yrange [0:1]; set ytics 0.1 } else { set yrange [0:*<1] }
if (logx) { set logscale x }
set offsets graph 0.02, graph 0.02, graph 0.06, 0
set key title nrange
plot for [i = 1:|T|] datafile index (i - 1) using 1:2:3:4 \
       with yerrorlines lw 2 dt D[i] pt P[i] ps 0.9 lc rgb C[i] title T[i], \
     for [i = 1:|T|] datafile index (i - 1) \
       using 1:4:(show_n ? sprintf("%d", $5) : "") with labels \
       offset 0, 0.7 font ",8" tc rgb C[i] notitle
