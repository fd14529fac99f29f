# The learned velocity against the exact one, and the learned flow's samples against the target.
load 'plots/common.gp'
set multiplot layout 1,2 title "Velocity learned by regression on x_1 - x_0 (2-32-32-1 SiLU network, 6000 steps)"
set title "b(t, x): exact (solid), learned (dashed)"
set xlabel "position x"
set ylabel "velocity b(t, x)"
set xrange [-4.5:4.5]
set yrange [-6:6]
set key top left font ',10'
plot for [k=0:3] datadir.'/velocity.dat' index k using 1:2 with lines lw 2 lc k+1 dt 1 title sprintf("t = %s", word("0.25 0.5 0.75 0.95", k+1)), \
     for [k=0:3] datadir.'/velocity.dat' index k using 1:3 with lines lw 2 lc k+1 dt 2 notitle
set title "the learned flow's time-1 samples"
set xlabel "x(1)"
set ylabel "density"
set yrange [0:0.5]
set key top left
binw = 0.1
bin(x) = binw * floor(x / binw) + binw / 2
target(x) = 0.3 * exp(-(x + 2)**2 / (2 * 0.25)) / sqrt(2 * pi * 0.25) + 0.7 * exp(-(x - 1.5)**2 / (2 * 0.49)) / sqrt(2 * pi * 0.49)
set boxwidth binw
set style fill solid 0.4 border rgb '#0060ad'
set samples 400
plot datadir.'/pushforward.dat' using (bin($1)):(1.0 / (10000 * binw)) smooth frequency with boxes lc rgb '#0060ad' title "10000 samples", \
     target(x) ls 2 title "target density"
unset multiplot
