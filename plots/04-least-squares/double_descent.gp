# Double descent: excess test risk of the least-squares / minimum-norm estimator vs p/n.
load 'plots/common.gp'
n = 40.0; s2 = 0.25; r2 = 1.0
set title sprintf("Min-norm least squares, isotropic Gaussian features\n(n = %d, {/Symbol s} = 0.5, |{/Symbol b}| = 1, 200 draws per point)", n)
set xlabel "features per data point, p / n"
set ylabel "excess test risk E|{/Symbol b}_{hat} - {/Symbol b}|^2"
set logscale y
set format y "10^{%L}"
set xrange [0:4.1]
set yrange [0.01:1000]
set key top right
set samples 2000
set arrow from 1, graph 0 to 1, graph 1 nohead ls 4
set label "interpolation threshold p = n" at 1.05, 0.02 left
# Exact finite-n means for Gaussian X: below, s^2 p/(n-p-1); above, r^2 (1 - n/p) + s^2 n/(p-n-1).
under(g) = (g*n < n - 1) ? s2*g*n/(n - g*n - 1) : 1/0
over(g)  = (g*n > n + 1) ? r2*(1 - 1/g) + s2*n/(g*n - n - 1) : 1/0
plot datadir.'/double_descent.dat' using 2:3:4 with yerrorbars ls 1 title "simulation (mean, standard error)", \
     under(x) ls 2 title "theory {/Symbol s}^2 p/(n-p-1)", \
     over(x) ls 2 dt 2 title "theory r^2(1-n/p) + {/Symbol s}^2 n/(p-n-1)", \
     r2 ls 4 title "risk of {/Symbol b}_{hat} = 0 (r^2)"
