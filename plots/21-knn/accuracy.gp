# Leave-one-out accuracy of k-NN on the 1797 digits against k.
load 'plots/common.gp'
set title "k-NN on the digits: leave-one-out accuracy (1797 points, raw pixels)"
set xlabel "number of neighbours k"
set ylabel "leave-one-out accuracy (%)"
set xrange [0:26]
set yrange [96.8:99.3]
set xtics 1,2,25
set key bottom left
plot datadir.'/accuracy.dat' using 1:(100*$3):(100*$4) with yerrorbars ls 1 title "leave-one-out accuracy ± binomial se", \
     datadir.'/accuracy.dat' using 1:(100*$3) with lines ls 1 notitle, \
     100*1776/1797.0 ls 4 title "1-NN: 1776/1797 (data provider)"
