# response-size.gp - where the effect lives: against the response size in
# full segments, for the first profile, the analytic check's predictions
# of the redundant ACK and of the failed read (app_reset) on the
# conversations of its regime, each with the simulated rate of those same
# conversations, and, for the conversations outside the regime (a lossy
# link, say), the simulated rates with 95 % Wilson bars.
#
# halfclose passes: datafile (six blocks: redundant ACK predicted and
# simulated, failed read predicted and simulated, in the regime; redundant
# ACK and failed read simulated, outside it), title, xlabel, colour (the
# profile's), have_regime and have_other (0 when a block is empty).

load plotdir . "/common.gp"
set title title
set xlabel xlabel
set ylabel "fraction of conversations"
if (yfull) { set yrange [-0.02:1.02]; set ytics 0, 0.1, 1 } else { set yrange [0:*<1] }
set offsets 0, 0, graph 0.04, 0
set xtics 4
set bmargin 9
set key at screen 0.5, screen 0.01 center bottom horizontal maxcols 2 box width 1
plot (have_regime ? 1/0 : 1/0) notitle, \
     datafile index 0 using 1:2 with steps lw 1.5 dt 1 lc rgb "#000000" \
       title (have_regime ? "redundant ACK, predicted" : ""), \
     '' index 1 using 1:2 with points pt 6 ps 1.1 lc rgb "#009E73" \
       title (have_regime ? "redundant ACK, simulated (same conversations)" : ""), \
     '' index 2 using 1:2 with steps lw 1.5 dt 2 lc rgb "#D55E00" \
       title (have_regime ? "read failed (app_reset), predicted" : ""), \
     '' index 3 using 1:2 with points pt 4 ps 0.9 lc rgb "#D55E00" \
       title (have_regime ? "read failed (app_reset), simulated (same conversations)" : ""), \
     '' index 4 using 1:2:3:4 with yerrorbars pt 7 ps 0.6 lw 1 \
       lc rgb colour title (have_other ? "redundant ACK, simulated (outside the regime)" : ""), \
     '' index 5 using 1:2:3:4 with yerrorbars pt 5 ps 0.5 lw 1 \
       lc rgb "#0072B2" title (have_other ? "read failed (app_reset), simulated (outside the regime)" : "")
