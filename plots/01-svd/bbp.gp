# The BBP transition: squared overlap and top eigenvalue vs the spike strength lambda.
load 'plots/common.gp'
set multiplot layout 1,2 title "Spiked Wigner model A = {/Symbol l} x x^T + W (n = 150, 4 draws per point)"
set xlabel "signal strength {/Symbol l}"
set ylabel "squared overlap (v_1 . x)^2"
set xrange [-0.1:4.1]
set yrange [-0.05:1.05]
set key top left
overlap(l) = l > 1 ? 1 - 1/l**2 : 0
plot datadir.'/bbp.dat' using 1:4:5 with yerrorbars ls 1 title "simulation (mean, sd)", \
     overlap(x) ls 2 title "theory 1 - 1/{/Symbol l}^2" 
set ylabel "top singular value s_1"
set yrange [1.5:4.5]
top(l) = l > 1 ? l + 1/l : 2
plot datadir.'/bbp.dat' using 1:2:3 with yerrorbars ls 1 title "simulation (mean, sd)", \
     top(x) ls 2 title "theory {/Symbol l} + 1/{/Symbol l}"
unset multiplot
