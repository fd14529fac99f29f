# The karate club drawn in its spectral layout, with the Fiedler-vector split.
load 'plots/common.gp'
set title "Spectral clustering: sign of the Fiedler vector of L = D - A (karate club)"
set xlabel "Fiedler vector f_2 (eigenvector of {/Symbol l}_2 = 0.4685)"
set ylabel "next eigenvector f_3 ({/Symbol l}_3 = 0.9092)"
set key bottom left font ',11'
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
set arrow from 0, graph 0 to 0, graph 1 nohead dt 2 lc rgb '#555555'
cHi = '#0060ad'; cOf = '#dd181f'
plot datadir.'/edges.dat' using 1:2 with lines lc rgb '#bbbbbb' lw 0.7 notitle, \
     datadir.'/embedding.dat' using 9:($2 == 0 ? $10 : NaN) with points pt 7 ps 1.4 lc rgb cHi title "joined Mr. Hi", \
     ''                       using 9:($2 == 1 ? $10 : NaN) with points pt 5 ps 1.3 lc rgb cOf title "joined the Officer", \
     ''                       using 9:(($8 < 0) != $2 ? $10 : NaN) with points pt 6 ps 3 lw 2 lc rgb '#ff7f0e' title "on the wrong side of f_2 = 0", \
     ''                       using 9:10:(sprintf("%d", $1)) with labels offset 0.9,0.6 font ',9' tc rgb '#444444' notitle, \
     NaN with lines dt 2 lc rgb '#555555' title "split f_2 = 0"
