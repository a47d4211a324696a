# outcomes.gp - what became of the conversations under each profile,
# stacked, disjoint: no reset; the connection reset but the application
# unaffected; the read failed with a reset but no byte was lost; the read
# failed and data was lost.
#
# halfclose passes: datafile (one row per profile: name and the four
# fractions) and title.

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
# the categories in one sequential blue, light to dark, so they read as
# worse and worse and are never taken for the profiles' colours
plot datafile using 2:xtic(1) title "no reset" lc rgb "#eff3ff", \
     '' using 3 title "connection reset, application unaffected" lc rgb "#9ecae1", \
     '' using 4 title "read failed, nothing lost" lc rgb "#4292c6", \
     '' using 5 title "read failed, data lost" lc rgb "#08306b"
