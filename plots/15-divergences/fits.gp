# A Gaussian fitted to a bimodal target by forward KL (mass covering) and reverse KL (mode seeking).
load 'plots/common.gp'
set title "Fitting N({/Symbol m}, {/Symbol s}^2) to {/Symbol p} = 0.4 N(-3, 0.6^2) + 0.6 N(3, 1)"
set xlabel "x (units of the target's coordinate)"
set ylabel "probability density"
set xrange [-8:9]
set yrange [0:0.8]
set key top right
set style fill transparent solid 0.25 noborder
plot datadir.'/fits.dat' using 1:2 with filledcurves y1=0 lc rgb '#777777' title "target {/Symbol p}(x)", \
     '' using 1:3 with lines lc rgb '#dd181f' lw 2.5 title "forward KL({/Symbol p} || q): moment matching", \
     '' using 1:4 with lines lc rgb '#0060ad' lw 2.5 title "reverse KL(q || {/Symbol p}), start {/Symbol m}_0 = -1.5", \
     '' using 1:5 with lines lc rgb '#2ca02c' lw 2.5 dt 2 title "reverse KL(q || {/Symbol p}), start {/Symbol m}_0 = 1"
