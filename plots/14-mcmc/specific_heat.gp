# Specific heat from energy fluctuations, c = beta^2 N Var(e), with Kaufman's exact finite-lattice
# curves and Onsager's infinite-lattice result.
load 'plots/common.gp'
set title "Specific heat: fluctuations of Metropolis samples vs the exact solutions"
set xlabel "temperature T (units of J / k_B)"
set ylabel "specific heat per spin c (units of k_B)"
set xrange [1.4:3.6]
set yrange [0:2.6]
set key top right
Tc = 2.0 / log(1 + sqrt(2))
set arrow from Tc, 0 to Tc, 2.6 nohead lc rgb '#999999' dt 3
plot datadir.'/theory_T.dat' using 1:4 with lines ls 2 title "Onsager, L = {/Symbol \245}", \
     datadir.'/theory_T.dat' using 1:6 with lines lc rgb '#2ca02c' dt 2 lw 1.5 title "Kaufman exact, L = 8", \
     datadir.'/theory_T.dat' using 1:8 with lines lc rgb '#ff7f0e' dt 2 lw 1.5 title "Kaufman exact, L = 16", \
     datadir.'/theory_T.dat' using 1:10 with lines lc rgb '#0060ad' dt 2 lw 1.5 title "Kaufman exact, L = 32", \
     datadir.'/ising_T.dat' index 0 using 1:8:9 with yerrorbars lc rgb '#2ca02c' pt 5 ps 0.9 title "Metropolis, L = 8", \
     datadir.'/ising_T.dat' index 1 using 1:8:9 with yerrorbars lc rgb '#ff7f0e' pt 9 ps 1.0 title "L = 16", \
     datadir.'/ising_T.dat' index 2 using 1:8:9 with yerrorbars ls 1 title "L = 32"
