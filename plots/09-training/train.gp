# Training curves of a 64-128-10 MLP on the digits: SGD, SGD with momentum and Adam.
load 'plots/common.gp'
set multiplot layout 1,2 title "64-128-10 ReLU MLP on the digits (1350 train / 447 test, batch 32)"
set xlabel "epoch"
set ylabel "cross-entropy (nats)"
set logscale y 10
set xrange [0:41]
set yrange [0.004:30]
set key top right
set title "loss: training (solid) and test (dashed)"
plot datadir.'/train.dat' using 1:2 with lines lc rgb '#0060ad' lw 2 title "SGD lr 0.01", \
     '' using 1:3 with lines lc rgb '#0060ad' lw 2 dt 2 notitle, \
     '' using 1:5 with lines lc rgb '#2ca02c' lw 2 title "momentum 0.9, lr 0.01", \
     '' using 1:6 with lines lc rgb '#2ca02c' lw 2 dt 2 notitle, \
     '' using 1:8 with lines lc rgb '#dd181f' lw 2 title "Adam lr 10^{-3}", \
     '' using 1:9 with lines lc rgb '#dd181f' lw 2 dt 2 notitle
unset logscale y
set format y "%.2f"
set ylabel "test accuracy"
set yrange [0.85:1.0]
set key bottom right width 2
set title "test accuracy"
plot datadir.'/train.dat' using 1:4 with linespoints ls 1 lc rgb '#0060ad' ps 0.6 title "SGD", \
     '' using 1:7 with linespoints ls 3 ps 0.6 title "momentum", \
     '' using 1:10 with linespoints lc rgb '#dd181f' pt 9 ps 0.6 title "Adam", \
     0.97 ls 4 title "0.97"
unset multiplot
