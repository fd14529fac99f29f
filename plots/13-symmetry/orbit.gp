# One test digit under the 8 elements of D4, and its averages over C4 and over D4.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 7.5in,3.6in font 'DejaVu Sans,9' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1250,600 font 'DejaVu Sans,13' linewidth 1.2
}
set output out.'.'.ext
unset key
unset grid
unset xtics
unset ytics
unset colorbox
set size ratio -1
set palette gray negative
set cbrange [0:1]
set xrange [-0.5:7.5]
set yrange [7.5:-0.5]
set lmargin 0.5
set rmargin 0.5
set tmargin 1.8
set bmargin 0.3
array name[10] = ["e", "R (90°)", "R^2 (180°)", "R^3 (270°)", "S (mirror)", "RS (transpose)", "R^2S", "R^3S", \
                  "average over C4", "average over D4"]
set multiplot title "The orbit of a test digit (a 2) under D4: top row the turns, bottom row the mirrored turns;\nright: the group averages (the projections onto invariant images). Grey level = pixel / 16"
w = 0.19
do for [g=0:7] {
    set origin (g % 4) * w + 0.005, 0.45 - (g / 4) * 0.45
    set size w, 0.45
    set title name[g + 1] offset 0,-0.4
    plot datadir.'/orbit.dat' index g matrix with image
}
do for [g=8:9] {
    set origin 4 * w + 0.04, 0.45 - (g - 8) * 0.45
    set size w, 0.45
    set title name[g + 1] offset 0,-0.4
    plot datadir.'/orbit.dat' index g matrix with image
}
unset multiplot
