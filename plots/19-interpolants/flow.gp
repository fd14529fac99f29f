# The density rho(t, x) of the interpolant as a heat map, with trajectories of the exact flow.
load 'plots/common.gp'
set title "x_t = (1-t) x_0 + t x_1 from N(0, 1) to 0.3 N(-2, 0.5^2) + 0.7 N(1.5, 0.7^2)"
set xlabel "time t"
set ylabel "position x"
set cblabel "density {/Symbol r}(t, x)"
set xrange [0:1]
set yrange [-4.5:4.5]
set palette defined (0 'white', 0.15 '#fde0c5', 0.4 '#f59e72', 0.7 '#d0413e', 1 '#5c0b2f')
set key top left opaque
set grid front
plot datadir.'/density.dat' using 1:2:3 with image notitle, \
     datadir.'/traj.dat' using 1:2 with lines lc rgb '#0060ad' lw 1.2 title "RK4 paths of the exact b from 30 N(0,1) quantiles", \
     '+' using (1):(-2) with points pt 7 ps 1.5 lc rgb '#2ca02c' title "target mode centres", \
     '+' using (1):(1.5) with points pt 7 ps 1.5 lc rgb '#2ca02c' notitle
