# Strong and weak error of Euler-Maruyama on geometric Brownian motion vs the step dt.
load 'plots/common.gp'
set title "Euler-Maruyama on dX = 2X dt + X dW, X_0 = 1, T = 1 (10000 paths)"
set xlabel "time step {/Symbol D}t (units of T)"
set ylabel "error at T (units of X_0)"
set logscale x 2
set logscale y 10
set format x "2^{%L}"
set format y "10^{%L}"
set xrange [5e-4:0.25]
set yrange [3e-3:5]
set key top left
# reference lines through the dt = 2^-6 points of each curve
plot datadir.'/order.dat' using 1:2:3 with yerrorbars ls 1 title "strong: E |X_N - X(T)|", \
     datadir.'/order.dat' using 1:2 with lines ls 1 notitle, \
     datadir.'/order.dat' using 1:4:5 with yerrorbars ls 3 title "weak: |E X_N - E X(T)| (simulated)", \
     datadir.'/order.dat' using 1:6 with lines ls 2 title "weak, exact: e^{{/Symbol l}T} - (1 + {/Symbol l}{/Symbol D}t)^{N}", \
     0.37 * (x / 2**-7)**0.5 ls 4 title "slope 1/2", \
     0.113 * (x / 2**-7) lc rgb '#555555' dt 3 lw 1.5 title "slope 1"
