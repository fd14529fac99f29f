# RLS on a stream: offset b0 of a calibration y = b0 + b1 T estimated reading by reading, with
# sigma sqrt(P_00) error bands; the offset jumps at reading 500.
load 'plots/common.gp'
set title "Recursive least squares on a stream: the offset b_0 jumps from 1 to 1.5 at reading 500"
set xlabel "readings absorbed"
set ylabel "estimated offset b_0 (sensor units)"
set xrange [0:1000]
set yrange [0.6:1.8]
set key bottom right
set style fill transparent solid 0.25 noborder
plot datadir.'/rls.dat' using 1:($5-$6):($5+$6) with filledcurves lc rgb '#2ca02c' title "{/Symbol l} = 0.98: b_0 ± {/Symbol s}(P_{00})^{1/2}", \
     datadir.'/rls.dat' using 1:($3-$4):($3+$4) with filledcurves lc rgb '#0060ad' title "{/Symbol l} = 1: b_0 ± {/Symbol s}(P_{00})^{1/2}", \
     datadir.'/rls.dat' using 1:5 with lines lc rgb '#2ca02c' lw 1.5 notitle, \
     datadir.'/rls.dat' using 1:3 with lines lc rgb '#0060ad' lw 1.5 notitle, \
     datadir.'/rls.dat' using 1:2 with lines ls 2 title "true offset"
