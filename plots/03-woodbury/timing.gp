# reproducible: no (measured timings: make check compares only the image size)
# What an update saves: CPU time of one rank-1 update vs one LU re-inversion, log-log, with the
# power laws fitted by run.c (timing_fit.gp) drawn over the range they were fitted on.
load 'plots/common.gp'
load datadir.'/timing_fit.gp'
set title "Rank-1 update vs re-inverting from scratch (CPU time per operation)"
set xlabel "matrix size n"
set ylabel "CPU time per operation (s)"
set logscale xy
set format y "10^{%L}"
set xrange [25:700]
set key top left
upd(x) = c_upd * x**s_upd
inv(x) = c_inv * x**s_inv
# theory: exponents exactly 2 and 3 (flop counts 6 n^2 and ~2 n^3), through the fit at n_mid
nmid = sqrt(nmin_fit * nmax)
th2(x) = upd(nmid) * (x / nmid)**2
th3(x) = inv(nmid) * (x / nmid)**3
plot datadir.'/timing.dat' using 1:3 with points ls 3 title "LU decomposition + inversion (GSL)", \
     datadir.'/timing.dat' using 1:2 with points ls 1 title "Sherman-Morrison update (yours)", \
     [nmin_fit:700] inv(x) with lines lc rgb '#2ca02c' lw 2 title sprintf("fit over n >= %.0f: t ∝ n^{%.2f}", nmin_fit, s_inv), \
     [nmin_fit:700] upd(x) with lines lc rgb '#0060ad' lw 2 title sprintf("fit over n >= %.0f: t ∝ n^{%.2f}", nmin_fit, s_upd), \
     [25:700] th3(x) with lines ls 4 title "theory: slope 3 (re-inversion), slope 2 (update)", \
     [25:700] th2(x) with lines ls 4 notitle
