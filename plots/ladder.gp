# ladder.gp - one conversation as a sequence diagram in the style of the
# article's trace: the client's timeline on the left, the server's on the
# right, one row per event in time order (the time at the left), one
# slanted arrow per segment labelled with its flags and relative sequence
# numbers. The redundant ACK and the RST are drawn in red; the delayed-ACK
# timer is marked where it is armed and where it fires; state changes are
# written beside their timeline.
#
# halfclose passes: datafile with three blocks - segments (x0, row, dx,
# drow, colour, label, label x, label row), marks (side, row, text,
# colour) and times (x, row, text) - title, rows and the image height.

load plotdir . "/common.gp"
unset grid
unset key
set border 0
unset xtics
unset ytics
set title title
set yrange [rows + 0.5:-1.5]
set xrange [-0.75:1.6]
set arrow from 0, -1 to 0, rows nohead lw 2 lc rgb "#333333"
set arrow from 1, -1 to 1, rows nohead lw 2 lc rgb "#333333"
set label "CLIENT" at 0, -1.2 center font ",13"
set label "SERVER" at 1, -1.2 center font ",13"
plot datafile index 0 using 1:2:3:4:5 with vectors \
     head filled size 0.018,20 lw 1.6 lc rgb variable, \
     '' index 0 using 7:8:6:5 with labels tc rgb variable font ",9", \
     '' index 1 using ($1 == 0 ? -0.03 : NaN):2:3:4 with labels \
     tc rgb variable font ",9" right, \
     '' index 1 using ($1 == 1 ? 1.03 : NaN):2:3:4 with labels \
     tc rgb variable font ",9" left, \
     '' index 2 using 1:2:3 with labels tc rgb "#777777" font ",9" left
