# Why not A^T A: relative error of each singular value, Jacobi vs the eigenvalues of A^T A.
load 'plots/common.gp'
set title "Relative error of s_j for known singular values (40 x 25, s_1 = 1)"
set xlabel "true singular value s_j"
set ylabel "relative error |s_j - s_j^{true}| / s_j^{true}"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xrange [5e-13:2]
set yrange [1e-17:1e2]
set key bottom left
eps = 2.2e-16
plot datadir.'/accuracy.dat' using 1:2 with linespoints ls 1 title "one-sided Jacobi", \
     datadir.'/accuracy.dat' using 1:3 with linespoints ls 3 title "eigenvalues of A^T A", \
     eps / x ls 4 title "{/Symbol e} {/Symbol k}_j = {/Symbol e} s_1 / s_j", \
     eps / x**2 ls 2 title "{/Symbol e} {/Symbol k}_j^2"
