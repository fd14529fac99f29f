# Stationary variance of OU as a function of the step: EM is biased, the exact update is not.
load 'plots/common.gp'
set title "Stationary variance of dX = -{/Symbol q}X dt + {/Symbol s} dW ({/Symbol q} = {/Symbol s} = 1, 20000 walkers)"
set xlabel "step {/Symbol q} h (dimensionless)"
set ylabel "stationary variance (units of {/Symbol s}^2/{/Symbol q})"
set xrange [0:2]
set yrange [0:6]
set key top left
plot datadir.'/ou_variance.dat' using 1:2:3 with yerrorbars ls 1 title "Euler-Maruyama (simulated)", \
     1 / (2 - x) ls 2 title "EM closed form 1/({/Symbol q}(2 - {/Symbol q}h))", \
     datadir.'/ou_variance.dat' using 1:4:5 with yerrorbars ls 3 title "exact update (simulated)", \
     0.5 ls 4 title "continuous time {/Symbol s}^2/(2{/Symbol q})"
