# Gibbs sampling of a bivariate normal: the x chain is AR(1) with coefficient rho^2.
load 'plots/common.gp'
set title "Gibbs sampling of a bivariate normal: autocorrelation of x"
set xlabel "lag t (Gibbs steps)"
set ylabel "{/Symbol r}(t)"
set logscale y
set xrange [0:200]
set yrange [0.01:1.1]
set key top right
plot datadir.'/gibbs.dat' using 1:2 with points lc rgb '#2ca02c' pt 5 ps 1.0 title "{/Symbol r} = 0.5", \
     datadir.'/gibbs.dat' using 1:4 with points lc rgb '#ff7f0e' pt 9 ps 0.7 title "{/Symbol r} = 0.9", \
     datadir.'/gibbs.dat' using 1:6 with points ls 1 ps 0.6 title "{/Symbol r} = 0.99", \
     datadir.'/gibbs.dat' using 1:3 with lines ls 2 title "theory {/Symbol r}^{2t}", \
     datadir.'/gibbs.dat' using 1:5 with lines ls 2 notitle, \
     datadir.'/gibbs.dat' using 1:7 with lines ls 2 notitle
