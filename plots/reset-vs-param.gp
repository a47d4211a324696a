# reset-vs-param.gp - the probability that the client's read fails with a
# reset before the end of the response (app_reset) against one parameter (the
# one-way delay, or the delayed-ACK timeout): one curve per profile, and per
# delayed-ACK timeout when it varies too, with 95 % Wilson intervals as
# error bars.
#
# halfclose passes: datafile (one block per curve: x, rate, low, high, n),
# title, xlabel, logx (1 for a log axis), and the arrays T (curve titles),
# C (curve colours, one colour per profile in every plot) and P (point
# types: the curves of one profile differ by their points).

load plotdir . "/common.gp"
set title title
set xlabel xlabel
set ylabel "P(read fails with a reset)"
set yrange [0:1]
set ytics 0.1
if (logx) { set logscale x }
set offsets graph 0.02, graph 0.02, 0, 0
plot for [i = 1:|T|] datafile index (i - 1) using 1:2:3:4 \
     with yerrorlines lw 2 pt P[i] ps 0.9 lc rgb C[i] title T[i]
