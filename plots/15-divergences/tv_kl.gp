# TV against KL over random pairs of distributions, with Pinsker's bound and the trivial TV <= 1.
load 'plots/common.gp'
set title "TV and KL for 800 random pairs: Pinsker's inequality TV <= (KL/2)^{1/2}"
set xlabel "KL(p || q) (nats)"
set ylabel "TV(p, q) (probability, dimensionless)"
set logscale x 10
set format x "10^{%L}"
set xrange [1e-4:30]
set yrange [0:1.08]
set key top left
set samples 400
plot datadir.'/tv_kl.dat' index 0 using 1:2 with points lc rgb '#0060ad' pt 7 ps 0.5 title "two Gaussians (closed forms)", \
     ''                   index 1 using 1:2 with points lc rgb '#2ca02c' pt 5 ps 0.5 title "two distributions on 6 outcomes", \
     (sqrt(x / 2) < 1.08 ? sqrt(x / 2) : NaN) ls 2 title "Pinsker: (KL/2)^{1/2}", \
     sqrt(1 - exp(-x)) ls 4 title "Bretagnolle-Huber: (1 - e^{-KL})^{1/2}", \
     1 lc rgb '#000000' dt 3 lw 1 title "TV = 1"
