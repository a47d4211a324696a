# common.gp - what every halfclose plot shares: the terminal for the
# requested format, the output file, and a quiet grid. Loaded first by each
# script; halfclose passes `term` (png, svg or pdf), `outfile`, `width` and
# `height` (pixels) with -e.

if (term eq "svg") {
  set terminal svg size width, height dynamic noenhanced \
      font "Helvetica,13" background rgb "white"
} else {
  if (term eq "pdf") {
    set terminal pdfcairo size (width / 100.0), (height / 100.0) \
        noenhanced font "Helvetica,10"
  } else {
    set terminal pngcairo size width, height noenhanced \
        font "Helvetica,12" background rgb "white"
  }
}
set output outfile
set border 3 lw 1.2
set tics nomirror
set grid lc rgb "#dddddd" lw 1
set key outside right top box opaque spacing 1.3
