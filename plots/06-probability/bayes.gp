# The diagnostic test: how much a positive result is worth depends on the prevalence.
load 'plots/common.gp'
set title "P(ill | k positive tests), sensitivity 0.9, false-positive rate 0.09 (at 1%: 0.092, 0.50, 0.91)"
set xlabel "prevalence P(ill) before testing"
set ylabel "P(ill | k positive tests)"
set logscale x
set format x "10^{%L}"
set xrange [1e-4:1]
set yrange [0:1.02]
set key bottom right
set samples 400
# theory in odds form: posterior odds = prior odds * 10^k
post(p, k) = 1 / (1 + (1 - p) / (p * 10.0**k))
set arrow from 0.01, graph 0 to 0.01, graph 1 nohead ls 4
set label "dashed: 1% prevalence" at 1.2e-4, 0.96 font ",11"
plot datadir.'/bayes.dat' every 4 using 1:2 with points ls 1 title "your Bayes update, k = 1", \
     datadir.'/bayes.dat' every 4 using 1:3 with points ls 3 title "k = 2", \
     datadir.'/bayes.dat' every 4 using 1:4 with points ls 1 pt 9 lc rgb '#9467bd' title "k = 3", \
     post(x, 1) ls 2 title "odds x 10^k (theory)", post(x, 2) ls 2 notitle, post(x, 3) ls 2 notitle
