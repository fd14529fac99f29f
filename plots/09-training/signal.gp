# Signal propagation: the second moment q_l of the pre-activations vs depth, for three
# initialisations, ReLU (left) and tanh (right), simulation beside the mean-field map.
load 'plots/common.gp'
set multiplot layout 1,2 title "q_l = mean z_l^2 through 30 random layers of width 512 (5 nets, 16 digits)"
set xlabel "layer l"
set ylabel "q_l (units of the standardised pixel variance)"
set logscale y 10
set format y "10^{%L}"
set xrange [0:31]
set key top right
set title "ReLU"
set yrange [1e-10:1e7]
plot datadir.'/signal.dat' using 1:2 with points ls 1 title "He 2/n_{in}", \
     '' using 1:8 with lines lc rgb '#0060ad' lw 1.5 notitle, \
     '' using 1:3 with points ls 3 title "Glorot 2/(n_{in}+n_{out})", \
     '' using 1:9 with lines lc rgb '#2ca02c' lw 1.5 notitle, \
     '' using 1:4 with points lc rgb '#dd181f' pt 9 ps 1.0 title "LeCun 1/n_{in}", \
     '' using 1:10 with lines lc rgb '#dd181f' lw 1.5 notitle, \
     NaN with lines lc rgb '#555555' lw 1.5 title "mean field (lines)"
set title "tanh"
set yrange [1e-2:5e1]
set key top right
plot datadir.'/signal.dat' using 1:5 with points ls 1 title "He 2/n_{in}", \
     '' using 1:11 with lines lc rgb '#0060ad' lw 1.5 notitle, \
     '' using 1:6 with points ls 3 title "Glorot", \
     '' using 1:12 with lines lc rgb '#2ca02c' lw 1.5 notitle, \
     '' using 1:7 with points lc rgb '#dd181f' pt 9 ps 1.0 title "LeCun 1/n_{in}", \
     '' using 1:13 with lines lc rgb '#dd181f' lw 1.5 notitle, \
     NaN with lines lc rgb '#555555' lw 1.5 title "mean-field map (lines)"
unset multiplot
