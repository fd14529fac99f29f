# 1-NN error against the Bayes error on two Gaussian classes, with the Cover-Hart bounds.
load 'plots/common.gp'
set title "1-NN on two Gaussian classes in 2-D (2000 training, 10000 test points)"
set xlabel "Bayes error R* (the best any classifier can do)"
set ylabel "1-NN test error"
set xrange [0:0.42]
set yrange [0:0.52]
set key top left
plot datadir.'/cover_hart.dat' using 1:6 with lines ls 2 dt 2 title "upper bound 2R*(1 - R*)", \
     datadir.'/cover_hart.dat' using 1:5 with lines ls 4 title "lower bound R*", \
     datadir.'/cover_hart.dat' using 1:7 with lines ls 2 title "asymptotic 1-NN error E[2{/Symbol h}(1 - {/Symbol h})]", \
     datadir.'/cover_hart.dat' using 1:3:4 with yerrorbars ls 1 title "1-NN test error ± se"
