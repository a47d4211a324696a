# closed-form.gp - simulated against closed-form probability of a redundant
# ACK, one point per parameter bin and profile, with the simulated rate's
# 95 % Wilson interval; on the line y = x the theory and the simulation
# agree (analysis/README.md derives the prediction).
#
# halfclose passes: datafile (one block per profile: predicted, simulated,
# low, high), title, top (axis maximum) and the arrays T and C.

load plotdir . "/common.gp"
set title title
set xlabel "closed-form P(redundant ACK)"
set ylabel "simulated P(redundant ACK)"
set xrange [-0.02:top]
set yrange [-0.02:top]
set size ratio -1
plot x with lines dt 2 lw 1.5 lc rgb "#888888" title "y = x", \
     for [i = 1:|T|] datafile index (i - 1) using 1:2:3:4 \
     with yerrorbars pt 7 ps 0.8 lw 1.5 lc rgb C[i] title T[i]
