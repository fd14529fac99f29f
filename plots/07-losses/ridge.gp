# The ridge path: coefficients of Longley's regression (standardised) as the prior tightens.
load 'plots/common.gp'
ols = datadir.'/ridge_ols.dat'
# (X^T y)_j from run.c, read before any range is set (stats obeys the ranges)
array xty[6]
do for [j=1:6] {
    stats ols every ::(j-1)::(j-1) using 3 nooutput
    xty[j] = STATS_min
}
set title "Ridge path of Longley's data (columns and target standardised, n = 16)"
set xlabel "{/Symbol l} = {/Symbol s}^2 / {/Symbol t}^2"
set ylabel "coefficient w_j (standardised units)"
set logscale x
set format x "10^{%L}"
set xrange [3e-7:1e3]
set yrange [-1.2:4.4]
set key inside top right box opaque maxrows 4 width -2 spacing 1.1
set style line 11 lc rgb '#0060ad' lw 2
set style line 12 lc rgb '#dd181f' lw 2
set style line 13 lc rgb '#2ca02c' lw 2
set style line 14 lc rgb '#9467bd' lw 2
set style line 15 lc rgb '#ff7f0e' lw 2
set style line 16 lc rgb '#8c564b' lw 2
# the large-lambda limit w_j = (X^T y)_j / lambda, for lambda above 10
big(x, j) = x > 10 ? xty[j] / x : 1/0
names = "gnp-deflator gnp unemployed armed-forces population year"
plot for [j=1:6] datadir.'/ridge.dat' using 1:(column(j+1)) with lines ls 10+j title word(names, j), \
     ols using (5e-7):2 with points pt 7 ps 1.3 lc rgb 'black' title "NIST least squares ({/Symbol l} = 0)", \
     for [j=1:6] big(x, j) with lines dt 2 lw 1.5 lc rgb '#555555' notitle, \
     1/0 with lines dt 2 lw 1.5 lc rgb '#555555' title "(X^T y)_j / {/Symbol l}"
