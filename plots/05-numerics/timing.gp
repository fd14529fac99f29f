# reproducible: no (measured timings: make check compares only the image size)
# Cost of C = A B: CPU time per product against n, log-log, with fitted power laws t = c n^p.
load 'plots/common.gp'
set title "Time of one n x n product C = A B (one core, double precision)"
set xlabel "matrix size n"
set ylabel "CPU time per product t (s)"
set logscale xy
set format y "10^{%L}"
set xrange [20:900]
set yrange [1e-6:1e3]
set key top left
f = datadir.'/timing.dat'
# Fit log t = log c + p log n over n >= 64 (below that, loop overheads dominate).
set fit quiet
set fit logfile '/dev/null'
pn = 3; cn = -20; pb = 3; cb = -20
fn(x) = cn + pn * x
fb(x) = cb + pb * x
fit [*:*] fn(x) f using (log($1)):($1 >= 64 && $2 == $2 ? log($2) : NaN) via cn, pn
fit [*:*] fb(x) f using (log($1)):($1 >= 64 && $3 == $3 ? log($3) : NaN) via cb, pb
plot f using 1:2 with points ls 1 title "naive triple loop", \
     f using 1:3 with points ls 3 title "blocked (tiles + packing + 8 x N_R register block)", \
     f using 1:4 with points lc rgb '#ff7f0e' pt 9 ps 1.2 title "gsl\\_blas\\_dgemm (GSL's reference CBLAS)", \
     (x >= 64 && x <= 512 ? exp(fn(log(x))) : NaN) ls 1 lw 2 dt 1 title sprintf("fit for n >= 64, naive: t = c n^{%.2f}", pn), \
     (x >= 64 ? exp(fb(log(x))) : NaN) ls 3 lw 2 dt 1 title sprintf("fit for n >= 64, blocked: t = c n^{%.2f}", pb), \
     2 * x**3 / 1e10 ls 4 title "2n^3 flops at 10 GFLOP/s (slope 3)"
