# The 16 learned 3x3 kernels of the first (and only) convolution layer, on one symmetric colour scale.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 7in,2.6in font 'DejaVu Sans,9' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1200,440 font 'DejaVu Sans,12' linewidth 1.2
}
set output out.'.'.ext
stats datadir.'/filters.dat' matrix using 3 nooutput
cmax = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max))
set palette defined (-1 '#2166ac', 0 'white', 1 '#b2182b')
set cbrange [-cmax:cmax]
unset key
unset grid
unset xtics
unset ytics
unset colorbox
set size ratio -1
set xrange [-0.5:2.5]
set yrange [2.5:-0.5]
set multiplot layout 2,8 title "The 16 learned 3x3 kernels K[o, 0, p, q] (blue < 0 < red, common scale |K| <= ".sprintf("%.2f", cmax).")\nafter 25 epochs of Adam on the digits; many are edge and stroke detectors (one side positive, the other negative)" margins 0.02, 0.98, 0.03, 0.80 spacing 0.01, 0.06
do for [o=0:15] {
    set title sprintf("filter %d", o) offset 0,-0.6
    plot datadir.'/filters.dat' index o matrix with image
}
unset multiplot
