# Left: Box-Muller draws against the normal density.  Right: the training nll against the
# data's entropy (the best any model can do) and a Gaussian fit.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 9in,3.6in font 'DejaVu Sans,10' linewidth 1.5
} else {
    set terminal pngcairo enhanced color size 1400,560 font 'DejaVu Sans,12' linewidth 1.5
}
set output out.'.'.ext
set multiplot layout 1,2
set title "Box-Muller, 10^6 draws: the simplest flow"
set xlabel "z"
set ylabel "density (per unit z)"
set xrange [-4:4]
set yrange [0:0.5]
set key top right
plot datadir.'/box_muller.dat' using 1:2 with boxes fs solid 0.35 lc rgb '#0060ad' title "histogram of sqrt(-2 ln u_1) cos(2{/Symbol p} u_2)", \
     datadir.'/box_muller.dat' using 1:3 with lines ls 2 title "N(0, 1) density"
set title "Maximum-likelihood training on the two moons"
set xlabel "Adam step"
set ylabel "negative log-likelihood (nats per point)"
set xrange [0:3000]
set yrange [2.2:4.2]
set key top right
plot datadir.'/loss.dat' using 1:2 with lines lc rgb '#9ecae1' lw 0.8 title "batch nll (128 points)", \
     datadir.'/loss.dat' using 1:3 with lines lc rgb '#0060ad' lw 2 title "running mean (50 steps)", \
     datadir.'/loss.dat' using 1:5 with lines ls 4 title "Gaussian fit (held out)", \
     datadir.'/loss.dat' using 1:4 with lines ls 2 title "exact density = entropy of the data (held out)"
unset multiplot
