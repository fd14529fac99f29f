# Empirical characteristic functions against the exact ones: a mean of Gaussians narrows,
# a mean of Cauchy variables does not.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 8in,3.4in font 'DejaVu Sans,10' linewidth 1.5
} else {
    set terminal pngcairo enhanced color size 1400,560 font 'DejaVu Sans,13' linewidth 1.5
}
set output out.'.'.ext
set multiplot layout 1,2 title "Empirical characteristic function {/Symbol f}_n(t) = (1/n) {/Symbol S}_k e^{i t X_k}, n = 10^5 (points: every 4th t)"
set xlabel "t (inverse units of X)"
set ylabel "{/Symbol f}_n(t)"
set xrange [0:5]
set yrange [-0.08:1.5]
set ytics 0.2
set key top right
set samples 300
set title "Gaussian N(0,1), and the mean of 10 of them"
plot datadir.'/cf.dat' every 4 using 1:2 with points ls 1 title "Re {/Symbol f}_n, N(0,1) samples", \
     datadir.'/cf.dat' every 4 using 1:3 with points ls 1 pt 6 title "Im {/Symbol f}_n, N(0,1) samples", \
     exp(-x**2/2) ls 2 title "exact e^{-t^2/2}", \
     datadir.'/cf.dat' every 4 using 1:8 with points ls 3 title "Re {/Symbol f}_n, mean of 10", \
     exp(-x**2/20) ls 2 dt 2 title "exact e^{-t^2/20} (narrower density)"
set title "Cauchy ({/Symbol g} = 1), and the mean of 10 of them"
plot datadir.'/cf.dat' every 4 using 1:4 with points ls 1 title "Re {/Symbol f}_n, Cauchy samples", \
     datadir.'/cf.dat' every 4 using 1:5 with points ls 1 pt 6 title "Im {/Symbol f}_n, Cauchy samples", \
     datadir.'/cf.dat' every 4::2 using 1:6 with points ls 3 title "Re {/Symbol f}_n, mean of 10", \
     datadir.'/cf.dat' every 4::2 using 1:7 with points ls 3 pt 4 title "Im {/Symbol f}_n, mean of 10", \
     exp(-x) ls 2 title "exact e^{-|t|} (both!)"
unset multiplot
