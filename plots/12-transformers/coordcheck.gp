# The coordinate check: size of the change of the network output after one SGD step against the
# width, standard parameterisation beside muP, with the first-order theory.
load 'plots/common.gp'
set terminal pngcairo enhanced color size 1100,520 font 'DejaVu Sans,13' linewidth 1.5
if (ext eq 'pdf') set terminal pdfcairo enhanced color size 6.5in,3.1in font 'DejaVu Sans,10' linewidth 1.5
set output out.'.'.ext
set multiplot layout 1,2 title "Coordinate check: |{/Symbol D}f| after one SGD step (eta = 0.1), mean of 32 draws per width"
set logscale xy
set xlabel "width n (hidden units)"
set ylabel "|{/Symbol D}f| (change of the output, dimensionless)"
set xrange [20:13000]
set format y "10^{%L}"
set key top left font ",11" spacing 1.3
set title "standard parameterisation (SP)"
set yrange [0.1:1000]
plot datadir.'/coord.dat' using 1:2:3 with yerrorbars ls 1 title "measured", \
     '' using 1:4 with lines ls 2 title "first-order theory, {/Symbol \265} n"
set title "maximal-update parameterisation ({/Symbol m}P)"
plot datadir.'/coord.dat' using 1:5:6 with yerrorbars ls 3 title "measured", \
     '' using 1:7 with lines ls 2 title "first-order theory, width-independent"
unset multiplot
