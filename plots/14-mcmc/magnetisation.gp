# <|m|> of Metropolis on the L x L torus vs temperature, with the Onsager-Yang magnetisation.
load 'plots/common.gp'
set title "2-D Ising model: Metropolis against the exact spontaneous magnetisation"
set xlabel "temperature T (units of J / k_B)"
set ylabel "magnetisation per spin <|m|>"
set xrange [1.4:3.6]
set yrange [0:1.05]
set key bottom left
Tc = 2.0 / log(1 + sqrt(2))
set arrow from Tc, 0 to Tc, 1.05 nohead lc rgb '#999999' dt 3
set label "T_c = 2.269" at Tc + 0.03, 1.0 tc rgb '#666666'
plot datadir.'/theory_T.dat' using 1:2 with lines ls 2 title "Onsager-Yang, L = {/Symbol \245}", \
     datadir.'/ising_T.dat' index 0 using 1:4:5 with yerrorbars lc rgb '#2ca02c' pt 5 ps 0.9 title "Metropolis, L = 8", \
     datadir.'/ising_T.dat' index 1 using 1:4:5 with yerrorbars lc rgb '#ff7f0e' pt 9 ps 1.0 title "L = 16", \
     datadir.'/ising_T.dat' index 2 using 1:4:5 with yerrorbars ls 1 title "L = 32"
