# Relative equivariance error per layer: plain CNN vs a C4 network (lifting conv + orientation max).
load 'plots/common.gp'
set title "Equivariance error layer by layer (200 test digits, two 3x3 conv layers, then the mean)"
set xlabel "layer (1, 2: conv + ReLU, equivariance error; 3: global mean, invariance error)"
set ylabel "relative error  {/Symbol S}||z(T_g x) - T_g z(x)|| / {/Symbol S}||z(x)||"
set logscale y
set format y "10^{%L}"
set yrange [1e-17:30]
set xrange [0.7:3.3]
set xtics 1,1,3
set key at graph 0.98, graph 0.62
plot datadir.'/equivariance.dat' using 1:2 with linespoints ls 1 lw 2 title "plain CNN, turns g = R, R^2, R^3", \
     datadir.'/equivariance.dat' using 1:3 with linespoints ls 3 lw 2 title "C4 network, turns", \
     datadir.'/equivariance.dat' using 1:4 with linespoints lc rgb '#ff7f0e' pt 9 ps 1.2 lw 2 title "C4 network, mirrors (not in its group)", \
     1.1e-16 ls 4 title "double-precision rounding, 1.1e-16"
