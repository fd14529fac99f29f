# The V of a gradient check: relative error of central differences against the step h, with
# the two theory lines (truncation ~ h^2 from the third derivatives, round-off ~ eps/h).
load 'plots/common.gp'
set title "Gradient check of backprop (N = 10, d = 2, P = 16: 40 parameters)"
set xlabel "finite-difference step h (dimensionless, in parameter units)"
set ylabel "relative error |g_{num} - g_{backprop}| / |g|"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xrange [5e-13:2e-1]
set yrange [1e-15:1e-1]
set key bottom left width -6 font ',11'
set arrow from 1e-5, graph 0 to 1e-5, graph 1 nohead lc rgb '#999999' dt 3
set label "h = 10^{-5}, the tests" at 1.3e-5, 3e-2 tc rgb '#777777' font ',10'
plot datadir.'/gradcheck.dat' using 1:4 with lines ls 2 title "truncation (h^2/6) |L'''| / |g|   (slope 2)", \
     datadir.'/gradcheck.dat' using 1:5 with lines lc rgb '#dd181f' dt 2 lw 2 title "round-off {/Symbol e}|L|{/Symbol \326}n / (2{/Symbol \326}6 h |g|)   (slope -1)", \
     datadir.'/gradcheck.dat' using 1:2 with linespoints ls 1 title "central differences (yours)", \
     datadir.'/gradcheck.dat' using 1:3 with linespoints lc rgb '#2ca02c' pt 5 ps 0.7 title "forward differences (for contrast)", \
     datadir.'/gradcheck.dat' using 1:($1 >= 1e-9 ? $6 : NaN) with lines ls 4 title "forward truncation (h/2) |L''| / |g|   (slope 1)", \
     datadir.'/gradcheck_opt.dat' using 1:2 with points pt 9 ps 2.2 lc rgb '#dd181f' title "predicted optimum h*, where the two lines balance"
