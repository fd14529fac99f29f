# Error of the time-1 map against the quantile map F^-1(Phi(x0)): Euler (order 1) and RK4 (order 4).
load 'plots/common.gp'
stats datadir.'/slopes.dat' using 1 nooutput
pe = STATS_min
stats datadir.'/slopes.dat' using 2 nooutput
pr = STATS_min
set title "Time-1 map vs the quantile map F^{-1}({/Symbol F}(x_0)), max over x_0 in [-3, 3]"
set xlabel "number of steps n"
set ylabel "max |X(1) - F^{-1}({/Symbol F}(x_0))|"
set logscale xy
set format y "10^{%L}"
set xrange [4:800]
set yrange [1e-11:3]
set key bottom left
plot datadir.'/orders.dat' using 1:2 with linespoints ls 1 title sprintf("Euler (fitted order %.2f)", pe), \
     datadir.'/orders.dat' using 1:3 with linespoints ls 3 title sprintf("RK4 (fitted order %.2f)", pr), \
     4.0/x ls 4 title "slope -1", \
     5.0/x**4 ls 2 title "slope -4"
