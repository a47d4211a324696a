# heatmap.gp - the reset probability over one-way delay x delayed-ACK
# timeout, one panel per profile that resets, each cell labelled with its
# rate. A single-hue palette, readable without colour vision; each bin is
# drawn as a filled rectangle.
#
# halfclose passes: datafile (one block per profile: delay bin index,
# timeout bin index, rate), title, the arrays T (panel titles), XL (delay
# bin labels) and YL (timeout bin labels).

load plotdir . "/common.gp"
unset grid
unset key
set palette defined (0 "#ffffff", 0.25 "#fdd0a2", 0.5 "#fd8d3c", \
                     0.75 "#d94801", 1 "#7f2704")
set cbrange [0:1]
set cblabel "P(read fails with a reset)"
set xlabel "one-way delay"
set ylabel "delayed-ACK timeout"
set xrange [-0.5:|XL| - 0.5]
set yrange [-0.5:|YL| - 0.5]
set xtics rotate by -30 ()
set ytics ()
do for [k = 1:|XL|] { set xtics add (XL[k] k - 1) }
do for [k = 1:|YL|] { set ytics add (YL[k] k - 1) }
set multiplot layout 1, |T| title title
do for [i = 1:|T|] {
  set title T[i]
  # each bin a filled rectangle: cells stay cells in SVG and PDF, not a
  # bitmap a viewer smooths into a gradient
  plot datafile index (i - 1) using 1:2:(0.5):(0.5):3 with boxxyerror \
         fc palette fs solid 1.0 border lc rgb "#ffffff", \
       '' index (i - 1) using 1:2:(sprintf("%.2f", $3)) with labels \
       font ",10"
}
unset multiplot
