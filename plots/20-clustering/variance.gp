# Explained-variance ratio of each principal component of the digits, and its running sum.
load 'plots/common.gp'
q90 = int(system("awk '!/^#/ && $3 >= 0.9 {print $1; exit}' ".datadir."/variance.dat"))
set title sprintf("How much of the digits' variance the leading components carry: %d of 64 reach 90%%", q90)
set xlabel "principal component c"
set ylabel "explained-variance ratio var_c / tr S"
set y2label "cumulative ratio"
set xrange [0:65]
set yrange [0:0.16]
set y2range [0:1.0]
set ytics nomirror
set y2tics 0.1
set key center right
set arrow from q90, 0 to q90, 0.16 nohead dt 2 lc rgb '#555555'
set arrow from first 0, second 0.9 to first 65, second 0.9 nohead dt 2 lc rgb '#555555'
plot datadir.'/variance.dat' using 1:2 with boxes fs solid 0.6 lc rgb '#0060ad' title "ratio of component c", \
     datadir.'/variance.dat' using 1:3 axes x1y2 with linespoints ls 2 pt 7 ps 0.5 title "cumulative (right axis)", \
     NaN with lines dt 2 lc rgb '#555555' title sprintf("90%% at c = %d", q90)
