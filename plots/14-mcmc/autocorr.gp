# Autocorrelation function of |m| on the 32 x 32 torus below, at and above T_c.
load 'plots/common.gp'
set title "Autocorrelation of |m| on 32 x 32, Metropolis (40000 sweeps each)"
set xlabel "lag t (sweeps)"
set ylabel "{/Symbol r}(t)"
set xrange [0:300]
set yrange [-0.1:1.0]
set key top right
plot datadir.'/autocorr.dat' using 1:2 with lines ls 1 title "T = 2.0 (ordered)", \
     datadir.'/autocorr.dat' using 1:3 with lines lc rgb '#dd181f' lw 2 title "T = T_c = 2.269", \
     datadir.'/autocorr.dat' using 1:4 with lines lc rgb '#2ca02c' lw 2 title "T = 3.0 (disordered)", \
     0 ls 4 notitle
