# Distance concentration: the relative spread of squared distances shrinks like 1/sqrt(d).
load 'plots/common.gp'
set title "Uniform points in [0,1]^d: all distances look alike in high dimension"
set xlabel "dimension d"
set ylabel "relative spread"
set logscale xy
set format y "10^{%L}"
set xrange [0.8:320]
set yrange [0.03:1e10]
set key top right
plot datadir.'/contrast.dat' using 1:2 with points ls 1 title "sd / mean of |q - x|^2 (1000 points, 100 queries)", \
     datadir.'/contrast.dat' using 1:3 with lines ls 2 title "theory (7/5d)^{1/2}", \
     datadir.'/contrast.dat' using 1:4 with linespoints ls 3 title "(farthest - nearest) / nearest, |q - x|^2"
