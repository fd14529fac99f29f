# The central limit theorem: standardised sums of m uniforms against the normal density.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 7in,5in font 'DejaVu Sans,10' linewidth 1.5
} else {
    set terminal pngcairo enhanced color size 1200,860 font 'DejaVu Sans,13' linewidth 1.5
}
set output out.'.'.ext
set multiplot layout 2,2 title "Z = (U_1 + ... + U_m - m/2) / (m/12)^{1/2}, U_i uniform on [0,1): histograms of 10^5 sums"
set xlabel "z (standard deviations)"
set ylabel "probability density"
set xrange [-4:4]
set yrange [0:0.55]
set key top right font ',11'
set samples 400
set style fill solid 0.35 border rgb '#0060ad'
binw = 0.125
set boxwidth binw
normal(x) = exp(-x**2/2) / sqrt(2*pi)
# exact densities for m = 1 and m = 2 (uniform and triangle), as a check of the simulation
u1(x) = abs(x) < sqrt(3) ? 1 / (2*sqrt(3)) : 0
s2 = sqrt(6)
u2(x) = abs(x) < s2 ? (s2 - abs(x)) / 6 : 0
do for [q=1:4] {
    m = q == 1 ? 1 : q == 2 ? 2 : q == 3 ? 4 : 16
    set title sprintf("m = %d", m)
    if (m == 1) {
        plot datadir.'/clt.dat' using 1:(column(q+1)) with boxes lc rgb '#0060ad' title "your sums", \
             normal(x) ls 2 title "N(0,1)", u1(x) ls 4 title "exact: uniform"
    } else { if (m == 2) {
        plot datadir.'/clt.dat' using 1:(column(q+1)) with boxes lc rgb '#0060ad' title "your sums", \
             normal(x) ls 2 title "N(0,1)", u2(x) ls 4 title "exact: triangle"
    } else {
        plot datadir.'/clt.dat' using 1:(column(q+1)) with boxes lc rgb '#0060ad' title "your sums", \
             normal(x) ls 2 title "N(0,1)"
    } }
}
unset multiplot
