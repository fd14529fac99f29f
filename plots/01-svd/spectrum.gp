# The spectrum of one spiked Wigner draw against Wigner's semicircle law.
load 'plots/common.gp'
set title "Eigenvalues of A = 3 x x^T + W, n = 400: the semicircle and one outlier"
set xlabel "eigenvalue"
set ylabel "density"
set xrange [-2.6:3.8]
set yrange [0:0.45]
binw = 0.1
bin(x) = binw * floor(x / binw) + binw / 2
n = 400
semicircle(x) = abs(x) < 2 ? sqrt(4 - x**2) / (2 * pi) : 0
set boxwidth binw
set style fill solid 0.4 border rgb '#0060ad'
set arrow from 10./3, 0.12 to 10./3, 0.02 lw 1.5 lc rgb '#dd181f'
set label "theory: {/Symbol l} + 1/{/Symbol l} = 3.33" at 2.3, 0.14 tc rgb '#dd181f'
set samples 400
plot datadir.'/spectrum.dat' using (bin($1)):(1.0 / (n * binw)) smooth frequency with boxes lc rgb '#0060ad' title "your SVD (signed singular values)", \
     semicircle(x) ls 2 title "semicircle {/Symbol r}(x) = (4 - x^2)^{1/2} / 2{/Symbol p}"
