# Does whitening the input help?  Test accuracy per epoch for five preprocessings (Adam).
load 'plots/common.gp'
set title "Input preprocessing: 64-128-10 MLP, Adam lr 10^{-3}, mean of 3 seeds"
set xlabel "epoch"
set ylabel "test accuracy"
set xrange [0:26]
set yrange [0.85:1.0]
set format y "%.2f"
set key bottom right
plot datadir.'/prep.dat' using 1:2 with linespoints lc rgb '#888888' pt 6 ps 0.7 title "pixels / 16", \
     '' using 1:3 with linespoints ls 1 ps 0.7 title "standardised", \
     '' using 1:4 with linespoints lc rgb '#9467bd' pt 8 ps 0.7 title "PCA whitening, {/Symbol e} = 0.1", \
     '' using 1:5 with linespoints lc rgb '#dd181f' pt 9 ps 0.7 title "ZCA whitening, {/Symbol e} = 0.1", \
     '' using 1:6 with linespoints ls 3 ps 0.7 title "ZCA whitening, {/Symbol e} = 10", \
     0.97 ls 4 title "0.97"
