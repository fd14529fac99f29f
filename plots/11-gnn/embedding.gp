# The GCN's 2-D hidden features before and after semi-supervised training, coloured by club.
load 'plots/common.gp'
if (ext eq 'pdf') { set terminal pdfcairo enhanced color size 7in,3.4in font 'DejaVu Sans,10' linewidth 1.5 } \
else { set terminal pngcairo enhanced color size 1200,560 font 'DejaVu Sans,13' linewidth 1.5 }
set output out.'.'.ext
set multiplot layout 1,2 title "Two-layer GCN on the karate club, labels only for nodes 0 (Mr. Hi) and 33 (Officer)"
set size ratio -1
set xlabel "hidden feature h_1 (dimensionless, tanh)"
set ylabel "hidden feature h_2 (dimensionless, tanh)"
set key bottom left font ',11' spacing 1.1
cHi = '#0060ad'; cOf = '#dd181f'
do for [panel = 0:1] {
    cx = panel == 0 ? 3 : 5
    set title panel == 0 ? "before training (random Glorot weights)" : "after 200 steps of gradient descent"
    if (panel == 0) { set autoscale xy; set offsets graph 0.08, graph 0.08, graph 0.08, graph 0.08; unset key; set xtics 0.1; set ytics 0.1 } \
    else { set xrange [-1.1:1.1]; set yrange [-1.1:1.1]; set offsets 0, 0, 0, 0; set key; set xtics 0.5; set ytics 0.5 }
    plot datadir.'/embedding.dat' using (column(cx)):($2 == 0 ? column(cx+1) : NaN) with points pt 7 ps 1.3 lc rgb cHi title "joined Mr. Hi", \
         '' using (column(cx)):($2 == 1 ? column(cx+1) : NaN) with points pt 5 ps 1.2 lc rgb cOf title "joined the Officer", \
         '' using (column(cx)):($11 == 1 ? column(cx+1) : NaN) with points pt 6 ps 3 lw 2 lc rgb '#000000' title "labelled (0, 33)", \
         '' using (column(cx)):(panel == 1 && $7 != $2 ? column(cx+1) : NaN) with points pt 3 ps 2.5 lw 2 lc rgb '#ff7f0e' title (panel == 1 ? "misclassified" : ""), \
         '' using (column(cx)):(column(cx+1)):(sprintf("%d", $1)) with labels offset 0.9,0.55 font ',7' tc rgb '#555555' notitle
}
unset multiplot
