# Losing digits: relative error of the solve against kappa_2, with the rule of thumb kappa eps.
load 'plots/common.gp'
set title "Solving A x = b in double precision: error against condition number"
set xlabel "condition number {/Symbol k}_2(A)"
set ylabel "relative error ||x - x_{true}|| / ||x_{true}||"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xrange [0.5:1e19]
set yrange [1e-17:1e8]
set key top left
eps = 2.220446e-16
h = datadir.'/hilbert.dat'
r = datadir.'/random.dat'
plot r using 2:($3 > 1e-17 ? $3 : 1e-17) with points ls 3 title "random 40 x 40, {/Symbol k} set to 1 .. 10^{16} (3 each)", \
     h using 2:3 with linespoints ls 1 ps 1.3 title "Hilbert H_n, n = 2 .. 13, x_{true} = (1, ..., 1)", \
     h using 2:3:(sprintf("%d", $1)) with labels offset char 0,1 tc rgb '#0060ad' notitle, \
     eps * x ls 2 title "{/Symbol k} {/Symbol e} (lose log_{10} {/Symbol k} digits)", \
     10 * eps * x ls 4 title "10 {/Symbol k} {/Symbol e} (the bound the tests use)", \
     1 lc rgb '#888888' dt 3 title "no correct digit left"
