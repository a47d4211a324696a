# bytes-lost.gp - the distribution of the response bytes lost in each
# conversation that lost any, one step curve per profile that lost data.
#
# halfclose passes: datafile (one block per profile: bin start in bytes,
# conversations), title, binwidth, and the arrays T and C.

load plotdir . "/common.gp"
set title title
set xlabel sprintf("bytes lost per failed conversation (B, bins of %d B)", binwidth)
set ylabel "conversations"
set yrange [0:*]
set xrange [0:*]
set style fill transparent solid 0.35 noborder
plot for [i = 1:|T|] datafile index (i - 1) using 1:2 \
     with fillsteps lc rgb C[i] title T[i], \
     for [i = 1:|T|] datafile index (i - 1) using 1:2 \
     with steps lw 2 lc rgb C[i] notitle
