# The reverse-KL landscape over (mu, log sigma) with SGD paths: two basins, one per mode.
load 'plots/common.gp'
set title "KL(q || {/Symbol p}) over the Gaussian family, and SGD paths (reparameterised gradient)"
set xlabel "{/Symbol m} (mean of q)"
set ylabel "log_{10} {/Symbol s} (width of q)"
set xrange [-6:6]
set yrange [-1:0.8]
set key top left opaque font ",11" samplen 2
set view map
set contour base
set cntrparam levels discrete 0.55, 0.7, 0.95, 1.3, 2, 3, 5, 8, 15, 30
unset surface
set table $contours
splot datadir.'/landscape.dat' using 1:2:3 with lines
unset table
unset contour
set palette defined (0 '#f7fbff', 1 '#c6dbef', 2 '#6baed6', 3 '#08519c')
set cbrange [0:6]
set cblabel "KL(q || {/Symbol p}) (nats, clipped at 6)"
plot datadir.'/landscape.dat' using 1:2:($3 > 6 ? 6 : $3) with image notitle, \
     $contours using 1:2 with lines lc rgb '#555555' lw 0.8 notitle, \
     '+' using (-3):(log10(0.6)) every ::0::0 with points lc rgb '#ff9900' pt 6 ps 3 lw 3 title "modes of {/Symbol p}", \
     '+' using (3):(0) every ::0::0 with points lc rgb '#ff9900' pt 6 ps 3 lw 3 notitle, \
     datadir.'/paths.dat' index 0 using 1:2 with lines lc rgb '#dd181f' lw 2 title "SGD (lr 0.05, batch 16)", \
     for [i=1:5] datadir.'/paths.dat' index i using 1:2 with lines lc rgb '#dd181f' lw 2 notitle, \
     datadir.'/paths.dat' index 0 every ::0::0 using 1:2 with points lc rgb '#000000' pt 7 ps 1.2 title "starts", \
     for [i=1:5] datadir.'/paths.dat' index i every ::0::0 using 1:2 with points lc rgb '#000000' pt 7 ps 1.2 notitle
