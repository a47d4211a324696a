# outcomes.gp - what became of the conversations under each profile,
# stacked: clean, reset without loss (the reset came after the application
# had read everything), application error (data lost).
#
# halfclose passes: datafile (one row per profile: name, clean, harmless
# reset, application error, as fractions) and title.

load plotdir . "/common.gp"
set title title
set ylabel "fraction of conversations"
set yrange [0:1]
set ytics 0.1
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.6
set xtics rotate by -20
plot datafile using 2:xtic(1) title "clean" lc rgb "#009E73", \
     '' using 3 title "reset, nothing lost" lc rgb "#E69F00", \
     '' using 4 title "application error, data lost" lc rgb "#D55E00"
