# Histograms of Euler-Maruyama OU walkers at several times against the exact transition density.
load 'plots/common.gp'
set title "OU dX = -X dt + dW from x_0 = 3: EM (h = 0.01, 50000 walkers) vs the Fokker-Planck solution"
set xlabel "position x (units of {/Symbol s}/{/Symbol q}^{1/2})"
set ylabel "probability density p(x, t)"
set xrange [-3.5:4]
set yrange [0:1.45]
set key top left
set style fill transparent solid 0.35 noborder
c1 = '#0060ad'; c2 = '#2ca02c'; c3 = '#ff7f0e'; c4 = '#9467bd'
plot datadir.'/ou_density.dat' index 0 using 1:2 with boxes lc rgb c1 title "t = 0.1", \
     ''                         index 0 using 1:3 with lines lc rgb c1 lw 2 notitle, \
     ''                         index 1 using 1:2 with boxes lc rgb c2 title "t = 0.5", \
     ''                         index 1 using 1:3 with lines lc rgb c2 lw 2 notitle, \
     ''                         index 2 using 1:2 with boxes lc rgb c3 title "t = 1.5", \
     ''                         index 2 using 1:3 with lines lc rgb c3 lw 2 notitle, \
     ''                         index 3 using 1:2 with boxes lc rgb c4 title "t = 5 (stationary)", \
     ''                         index 3 using 1:3 with lines lc rgb c4 lw 2 notitle, \
     NaN with lines lc rgb '#000000' lw 2 title "exact N(x_0 e^{-t}, (1 - e^{-2t})/2)"
