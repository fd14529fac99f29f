# Softmax regression on the digits: cross-entropy and accuracy over full-batch gradient descent.
load 'plots/common.gp'
set multiplot layout 1,2 title "Softmax regression on the 8x8 digits (1350 train / 447 test, lr = 1, from W = 0)"
set xlabel "gradient-descent step t"
set logscale x
set xrange [1:300]
set ylabel "mean cross-entropy (nats)"
set logscale y
set yrange [0.02:4]
set key bottom left
plot log(10) ls 4 title "log 10 = loss at W = 0", \
     datadir.'/training.dat' using 1:2 every ::1 with lines ls 1 lw 2 title "training set", \
     datadir.'/training.dat' using 1:3 every ::1 with lines ls 3 lw 2 title "test set"
set ylabel "accuracy (fraction classified right)"
unset logscale y
set yrange [0.8:1.0]
set key bottom right
plot 0.94 ls 4 title "graded bar 0.94", \
     datadir.'/training.dat' using 1:4 every ::1 with lines ls 1 lw 2 title "training set", \
     datadir.'/training.dat' using 1:5 every ::1 with lines ls 3 lw 2 title "test set"
unset multiplot
