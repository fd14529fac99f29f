# Test accuracy when every test image is shifted sideways (zeros shifted in), without retraining.
load 'plots/common.gp'
set title "How much invariance? Test digits shifted sideways after training on centred digits"
set xlabel "horizontal shift of the test images (pixels; the images are 8 pixels wide)"
set ylabel "test accuracy"
set yrange [0:1.05]
set xrange [-2.3:2.3]
set xtics 1
set key top left
plot datadir.'/shift.dat' using 1:2 with linespoints ls 1 title "CNN", \
     datadir.'/shift.dat' using 1:3 with linespoints ls 3 title "MLP", \
     0.1 ls 4 title "chance (1/10)"
