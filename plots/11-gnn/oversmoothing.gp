# Oversmoothing: the spread of the node features after k propagations by A_hat, against theory.
load 'plots/common.gp'
set title "Oversmoothing on the karate club: distance from the smoothed state after k propagations"
set xlabel "number of propagations k (hops)"
set ylabel "spread s_k / s_0 (dimensionless)"
set logscale y 10
set format y "10^{%L}"
set xrange [0:60]
set yrange [1e-4:1.5]
set key top right
l2 = 0.896142   # A_hat's second eigenvalue (printed by run.c; the tests check it)
plot datadir.'/oversmoothing.dat' using 1:2 every 2 with points ls 1 title "one-hot features X = I (gnn\\_spread)", \
     ''                           using 1:3 with lines ls 2 title "exact: (sum_{i>1} {/Symbol l}_i^{2k})^{1/2}", \
     ''                           using 1:4 every 2 with points ls 3 title "8 random features (gnn\\_spread)", \
     ''                           using 1:5 with lines lc rgb '#2ca02c' lw 1.5 notitle, \
     ''                           using 1:6 with lines ls 4 title sprintf("asymptote C {/Symbol l}_2^k, {/Symbol l}_2 = %.4f", l2), \
     ''                           using 1:7 with lines ls 4 notitle
