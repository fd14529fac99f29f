# EM on a 2-D mixture of three axis-aligned Gaussians: the sample, the true and the fitted 1- and 2-sd ellipses.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 5.5in,4.4in font 'DejaVu Sans,10' linewidth 1.5
} else {
    set terminal pngcairo enhanced color size 950,760 font 'DejaVu Sans,13' linewidth 1.5
}
set output out.'.'.ext
set title "EM with diagonal covariances on 1500 points from three Gaussians\n(points coloured by the component that drew them; ellipses at 1 and 2 sd)"
set xlabel "x (arbitrary units)"
set ylabel "y (arbitrary units)"
set size ratio -1
set key bottom left
array col[3] = ['#1f77b4', '#ff7f0e', '#2ca02c']
plot for [j=0:2] datadir.'/gmm_points.dat' using ($3 == j ? $1 : NaN):2 with points pt 7 ps 0.4 lc rgb col[j+1] title sprintf("drawn from component %d", j), \
     datadir.'/gmm_ellipse.dat' index 0:5 using 1:2 with lines lw 3 lc rgb 'black' dt 2 title "true 1 and 2 sd", \
     datadir.'/gmm_ellipse.dat' index 6:11 using 1:2 with lines lw 2 lc rgb '#dd181f' title "EM fit, 1 and 2 sd"
