# The confusion matrix of 1-NN leave-one-out on the digits (counts, log colour scale).
load 'plots/common.gp'
if (ext eq 'pdf') { set terminal pdfcairo enhanced color size 4.6in,4in font 'DejaVu Sans,10' } \
else { set terminal pngcairo enhanced color size 760,660 font 'DejaVu Sans,13' }
set output out.'.'.ext
set title "1-NN leave-one-out confusion matrix (counts; 1776 of 1797 on the diagonal)"
set xlabel "predicted digit"
set ylabel "true digit"
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
set xtics 0,1,9
set ytics 0,1,9
set grid front noxtics noytics
set logscale cb
set cbrange [0.8:200]
set cblabel "points"
set palette defined (0 '#ffffff', 1 '#c6dbef', 2 '#6baed6', 3 '#08306b')
unset key
plot datadir.'/confusion.dat' matrix with image, \
     datadir.'/confusion.dat' matrix using 1:2:($3 > 0 ? sprintf('%d', $3) : '') with labels \
       textcolor rgb '#000000' font ',11'
