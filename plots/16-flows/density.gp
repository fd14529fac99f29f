# The two moons: data and the exact density (top), the flow's learned density and its samples (bottom).
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 8in,6.4in font 'DejaVu Sans,10' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1200,960 font 'DejaVu Sans,12' linewidth 1.2
}
set output out.'.'.ext
set size ratio -1
set xrange [-4:4]
set yrange [-3:3]
set xtics 1
set ytics 1
set xlabel "x_1 (data units)"
set ylabel "x_2 (data units)"
set key off
set palette defined (0 '#ffffff', 0.15 '#c6dbef', 0.4 '#4292c6', 0.7 '#08519c', 1 '#08306b')
set cbrange [0:0.4]
set cblabel "p(x) (per unit area)"
set pm3d map corners2color c1
set multiplot layout 2,2 title "Two moons (radius 2, noise sd 0.2): 8 RealNVP couplings trained by maximum likelihood"
set title "training data (2000 points)"
plot datadir.'/data.dat' using 1:2:($3 == 0 ? 0x0060ad : 0x2ca02c) with points pt 7 ps 0.25 lc rgb variable
set title "exact density (theory: quadrature over the arcs)"
splot datadir.'/density.dat' using 1:2:4 with pm3d
set title "learned density exp(log p) of the flow"
splot datadir.'/density.dat' using 1:2:3 with pm3d
set title "2000 flow samples: Box-Muller z pushed through g^{-1}"
plot datadir.'/samples.dat' using 1:2 with points pt 7 ps 0.25 lc rgb '#dd181f'
unset multiplot
