# The sine fit: the network before and after gradient descent against sin(x), and the loss
# against the step number.
load 'plots/common.gp'
set multiplot layout 1,2 title "Two-layer tanh network (N = 30 units) fitted to sin(x) by gradient descent (eta = 5)"
set xlabel "x (dimensionless)"
set ylabel "y"
set xrange [-6:6]
set yrange [-2:2]
set key bottom right font ',10'
set object 1 rect from -pi, graph 0 to pi, graph 1 behind fc rgb '#f2f2f2' fs solid noborder
set label 1 "training window [-{/Symbol p}, {/Symbol p}]" at -3.0, 1.8 font ',10' tc rgb '#777777'
plot datadir.'/fit.dat' using 1:2 with lines ls 2 title "target sin(x)", \
     datadir.'/fit.dat' using 1:3 with lines ls 4 title "network at step 0", \
     datadir.'/fit.dat' using 1:4 with lines lc rgb '#0060ad' lw 2 title "network after 20000 steps", \
     datadir.'/train.dat' using 1:2 with points lc rgb '#0060ad' pt 6 ps 0.8 title "training points (40)"
unset object 1
unset label 1
set xlabel "gradient-descent step t"
set ylabel "training loss L (mean squared error)"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xrange [1:3e4]
set autoscale y
set key top right
plot datadir.'/loss.dat' using ($1+1):2 with lines lc rgb '#0060ad' lw 2 title "L(t) (plotted at t + 1)"
unset multiplot
