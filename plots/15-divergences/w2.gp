# The empirical W_2 between two Gaussian samples converges to the closed form like n^{-1/2}.
load 'plots/common.gp'
set title "W_2 between n draws of N(0,1) and n of N(1,2^2) vs the closed form 2^{1/2} (40 repetitions)"
set xlabel "sample size n (draws per distribution)"
set ylabel "mean |W_2(samples) - 2^{1/2}|"
set logscale xy 10
set format x "10^{%L}"
set format y "10^{%L}"
set xrange [50:2e5]
set key top right
plot datadir.'/w2.dat' using 1:2:3 with yerrorbars ls 1 title "sorted coupling of the samples", \
     datadir.'/w2.dat' using 1:2 with lines ls 1 notitle, \
     1.35 / sqrt(x) ls 4 title "reference slope -1/2 (1.35 n^{-1/2})"
