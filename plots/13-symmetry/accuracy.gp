# Nearest-centroid accuracy on upright and on randomly turned test digits.
load 'plots/common.gp'
set title "Nearest centroid trained on upright digits (1350 train, 447 test digits)"
set ylabel "test accuracy (± binomial se)"
set yrange [0:1.3]
set ytics 0,0.2,1
set xrange [-0.6:2.6]
set style fill solid 0.7 border -1
set boxwidth 0.36
set xtics ("raw pixels" 0, "C4-averaged pixels" 1, "16 invariant conv features" 2)
set key top right
plot datadir.'/accuracy.dat' using ($0 - 0.19):2:4 with boxerrorbars lc rgb '#0060ad' title "upright test digits", \
     ''                      using ($0 + 0.19):3:5 with boxerrorbars lc rgb '#ff7f0e' title "each test digit turned by a random element of C4", \
     ''                      using ($0 - 0.19):($2 + 0.05):(sprintf("%.3f", $2)) with labels notitle, \
     ''                      using ($0 + 0.19):($3 + 0.05):(sprintf("%.3f", $3)) with labels notitle, \
     0.1 ls 4 title "chance"
