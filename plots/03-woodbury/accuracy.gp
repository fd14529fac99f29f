# What an update can lose: the new matrix B = A + u u^T always has kappa(B) = 10, but the update
# starts from the computed inverse of A and inherits its error, eps * kappa(A).
load 'plots/common.gp'
set title "Accuracy of (A + u u^T)^{-1} when A is ill-conditioned but A + u u^T is not (n = 100)"
set xlabel "condition number {/Symbol k}(A) of the matrix updated from"
set ylabel "relative error of (A + u u^T)^{-1}"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xrange [5:2e15]
set yrange [1e-17:1]
set key top left
eps = 2.2e-16
plot datadir.'/accuracy.dat' using 1:2 with linespoints ls 1 title "Sherman-Morrison update of LU(A)^{-1}", \
     datadir.'/accuracy.dat' using 1:3 with linespoints ls 3 title "LU inverse of A + u u^T from scratch", \
     eps * x ls 2 title "{/Symbol e} {/Symbol k}(A)", \
     eps * 10 ls 4 title "{/Symbol e} {/Symbol k}(A + u u^T) = 10 {/Symbol e}"
