# One Brownian path, the exact GBM on it, and Euler-Maruyama at two step sizes.
load 'plots/common.gp'
set title "Geometric Brownian motion dX = 2X dt + X dW on one Brownian path"
set xlabel "time t (units of T)"
set ylabel "X(t) (units of X_0)"
set key top left
set y2label "W_t (units of T^{1/2})"
set y2tics
set ytics nomirror
plot datadir.'/paths.dat' index 0 using 1:3 with lines ls 2 title "exact x_0 e^{({/Symbol l} - {/Symbol m}^2/2)t + {/Symbol m}W_t}", \
     ''                   index 0 using 1:4 with lines lc rgb '#0060ad' lw 1.5 title "EM, {/Symbol D}t = 2^{-8}", \
     ''                   index 1 using 1:2 with linespoints ls 3 title "EM, {/Symbol D}t = 2^{-4}", \
     ''                   index 0 using 1:2 axes x1y2 with lines ls 4 title "the Brownian path W_t"
