# Step-size error of the two samplers on Gaussian data N(0, 4 I): first order, error ~ 1/n.
load 'plots/common.gp'
set title "Sampler error vs number of steps (Gaussian data, sd 2, exact score)"
set xlabel "number of steps n (step h = 1/n)"
set ylabel "error"
set logscale xy
set xrange [7:230]
set yrange [1e-3:0.2]
set key top right
plot datadir.'/orders.dat' using 1:2:3 with yerrorbars ls 1 title "reverse SDE: sd of 200000 samples - 2 (+- 1 s.e.)", \
     datadir.'/orders.dat' using 1:4 with lines ls 2 title "theory: Euler-Maruyama variance recursion", \
     datadir.'/orders.dat' using 1:5 with points ls 3 ps 1.5 title "probability-flow ODE: |x_{Euler}(0) - x(0)| for x(1) = 1", \
     datadir.'/orders.dat' using 1:6 with lines lc rgb '#2ca02c' dt 3 lw 2 title "theory: Euler product", \
     0.8/x ls 4 title "slope -1"
