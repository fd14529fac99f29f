# Digits lost: relative error of least squares by QR and by the normal equations vs kappa(X).
load 'plots/common.gp'
set title "Least squares with a known answer: X (30 x 8) = U diag(s) V^T, y = X {/Symbol b}\n(geometric mean of 8 draws; Longley at {/Symbol k} of its unit-norm-column X)"
set xlabel "condition number {/Symbol k}(X)"
set ylabel "relative error |{/Symbol b}_{hat} - {/Symbol b}| / |{/Symbol b}|"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xrange [0.7:2e10]
set yrange [1e-17:10]
set key top left
eps = 2.22e-16
plot eps*x ls 4 title "{/Symbol e} {/Symbol k}", \
     eps*x**2 ls 2 title "{/Symbol e} {/Symbol k}^2", \
     datadir.'/digits.dat' using 1:2 with linespoints ls 1 title "Householder QR", \
     datadir.'/digits.dat' using 1:3 with linespoints ls 3 title "normal equations", \
     datadir.'/digits_longley.dat' using 1:2 with points pt 9 ps 2.2 lc rgb '#0060ad' title "Longley, QR", \
     datadir.'/digits_longley.dat' using 1:3 with points pt 11 ps 2.2 lc rgb '#2ca02c' title "Longley, normal eq."
