# Test accuracy during training: the CNN against the 64-128-10 MLP, same optimiser and batches.
load 'plots/common.gp'
set title "Digits (1350 train / 447 test), Adam, batch 32, learning rate / 10 after epoch 20"
set xlabel "epoch"
set ylabel "test accuracy"
set yrange [0.90:1.0]
set xrange [0.5:25.5]
set key bottom right
plot 0.97 ls 4 title "0.97: the bar of the graded test", \
     datadir.'/training.dat' using 1:3 with linespoints ls 1 title "CNN: 16 filters 3x3, pool 2x2, dense (2,730 parameters)", \
     datadir.'/training.dat' using 1:5 with linespoints ls 3 title "MLP 64-128-10 (9,610 parameters)"
