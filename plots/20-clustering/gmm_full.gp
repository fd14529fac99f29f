# Diagonal against full covariances on a mixture of two tilted Gaussians: 1- and 2-sd ellipses.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 5.5in,4.2in font 'DejaVu Sans,10' linewidth 1.5
} else {
    set terminal pngcairo enhanced color size 950,720 font 'DejaVu Sans,13' linewidth 1.5
}
set output out.'.'.ext
set title "Two tilted Gaussians (1200 points): EM with diagonal covariances cannot tilt its ellipses,\nEM with full covariances recovers them (ellipses at 1 and 2 sd)"
set xlabel "x (arbitrary units)"
set ylabel "y (arbitrary units)"
set size ratio -1
set key top left
array col[2] = ['#9ecae1', '#fdae6b']
plot for [j=0:1] datadir.'/tilt_points.dat' using ($3 == j ? $1 : NaN):2 with points pt 7 ps 0.4 lc rgb col[j+1] title sprintf("drawn from component %d", j), \
     datadir.'/tilt_ellipse.dat' index 0:3 using 1:2 with lines lw 3 lc rgb 'black' dt 2 title "true", \
     datadir.'/tilt_ellipse.dat' index 4:7 using 1:2 with lines lw 2 lc rgb '#0060ad' title "EM, diagonal covariances", \
     datadir.'/tilt_ellipse.dat' index 8:11 using 1:2 with lines lw 2 lc rgb '#dd181f' title "EM, full covariances"
