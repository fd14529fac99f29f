# The predictive distribution: mean +- one sd after 2 and 20 points, and the sd against x.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 8in,3.4in font 'DejaVu Sans,10' linewidth 1.5
} else {
    set terminal pngcairo enhanced color size 1400,560 font 'DejaVu Sans,13' linewidth 1.5
}
set output out.'.'.ext
set multiplot layout 1,2 title "Predictive distribution p(t | x, data) = N(m_N^T {/Symbol f}(x), 1/{/Symbol b} + {/Symbol f}^T S_N {/Symbol f}), {/Symbol f}(x) = (1, x)"
set xlabel "x"
set ylabel "t"
set xrange [-1:1]
set yrange [-1.5:1.2]
set key top left font ',11'
set style fill transparent solid 0.25 noborder
set title "mean +- 1 sd after 2 and after 20 points"
plot datadir.'/predictive.dat' using 1:($6-$7):($6+$7) with filledcurves lc rgb '#2ca02c' title "after 2 points: mean +- sd", \
     datadir.'/predictive.dat' using 1:6 with lines lc rgb '#2ca02c' lw 2 notitle, \
     datadir.'/predictive.dat' using 1:($8-$9):($8+$9) with filledcurves lc rgb '#0060ad' title "after 20 points: mean +- sd", \
     datadir.'/predictive.dat' using 1:8 with lines lc rgb '#0060ad' lw 2 notitle, \
     -0.3 + 0.5 * x ls 2 title "true line -0.3 + 0.5 x", \
     datadir.'/data.dat' using 1:2 with points pt 6 ps 1.2 lc rgb '#0060ad' title "the 20 points", \
     datadir.'/data.dat' every ::0::1 using 1:2 with points pt 7 ps 1.4 lc rgb '#2ca02c' title "the first 2"
set title "predictive sd: parameter uncertainty on top of the noise"
set ylabel "predictive sd of t"
set yrange [0:1.35]
set key top center
plot for [r=0:3] datadir.'/predictive.dat' using 1:(column(3 + 2*r)) with lines lw 2 \
         title sprintf("after %d points", r == 3 ? 20 : r), \
     0.2 ls 4 title "noise floor 1/{/Symbol b}^{1/2} = 0.2 (N {/Symbol \256} {/Symbol \245})"
unset multiplot
