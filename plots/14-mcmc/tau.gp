# Critical slowing down: integrated autocorrelation time of |m| vs temperature.
load 'plots/common.gp'
set title "Critical slowing down of single-spin-flip Metropolis"
set xlabel "temperature T (units of J / k_B)"
set ylabel "{/Symbol t}_{int} of |m| (sweeps)"
set xrange [1.4:3.6]
set logscale y
set yrange [1:300]
set key top right
Tc = 2.0 / log(1 + sqrt(2))
set arrow from Tc, 1 to Tc, 300 nohead lc rgb '#999999' dt 3
set label "T_c" at Tc + 0.03, 200 tc rgb '#666666'
plot datadir.'/ising_T.dat' index 0 using 1:10 with linespoints lc rgb '#2ca02c' pt 5 ps 0.9 title "L = 8", \
     datadir.'/ising_T.dat' index 1 using 1:10 with linespoints lc rgb '#ff7f0e' pt 9 ps 1.0 title "L = 16", \
     datadir.'/ising_T.dat' index 2 using 1:10 with linespoints ls 1 title "L = 32"
