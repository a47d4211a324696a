# response-size.gp - where the effect lives: against the response size in
# full segments, for the first profile, the analytic check's prediction of
# the redundant ACK on the conversations of its regime (a client reading
# as data arrives) with the simulated rate of those same conversations,
# and, for the other conversations (a paced reader), the simulated rates
# of the redundant ACK and of the failed read (app_reset) with 95 % Wilson
# bars.
#
# halfclose passes: datafile (four blocks: predicted; simulated, same
# conversations; simulated redundant ACK, others; app_reset, others),
# title, xlabel, colour (the profile's), have_regime and have_other (0 when
# a block is empty).

load plotdir . "/common.gp"
set title title
set xlabel xlabel
set ylabel "fraction of conversations"
set yrange [-0.02:1.42]
set ytics 0, 0.1, 1
set xtics 4
set key inside top center horizontal maxrows 2 box opaque width 1
plot (have_regime ? 1/0 : 1/0) notitle, \
     datafile index 0 using 1:2 with steps lw 1.5 lc rgb "#000000" \
       title (have_regime ? "redundant ACK, predicted (reads as data arrives)" : ""), \
     '' index 1 using 1:2 with points pt 6 ps 1.1 lc rgb "#009E73" \
       title (have_regime ? "redundant ACK, simulated (same conversations)" : ""), \
     '' index 2 using 1:2:3:4 with yerrorbars pt 7 ps 0.6 lw 1 \
       lc rgb colour title (have_other ? "redundant ACK, simulated (paced reader)" : ""), \
     '' index 3 using 1:2:3:4 with yerrorbars pt 5 ps 0.5 lw 1 \
       lc rgb "#0072B2" title (have_other ? "read failed (app_reset), simulated (paced reader)" : "")
