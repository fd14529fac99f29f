# The ten k-means centroids of the digits, drawn as the 8x8 images they are.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 7in,3.4in font 'DejaVu Sans,9' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1200,580 font 'DejaVu Sans,12' linewidth 1.2
}
set output out.'.'.ext
ari = system("cat ".datadir."/kmeans_summary.txt")
unset key
unset grid
unset xtics
unset ytics
unset colorbox
set size ratio -1
set palette gray negative
set cbrange [0:16]
set xrange [-0.5:7.5]
set yrange [7.5:-0.5]
set multiplot layout 2,5 title "k-means centroids of the 1797 digits (k = 10, k-means++ seeding, Lloyd to convergence; ".ari.")\nEach is the mean image of its cluster (pixel intensity 0 = white, 16 = black); above it, the digit most of its members are" margins 0.02, 0.98, 0.03, 0.80 spacing 0.02, 0.1
do for [j=0:9] {
    lab = system(sprintf("awk '$1 == %d {printf \"%%s (%%.0f%%%% of %%s)\", $2, 100*$3, $4}' %s/centroids.txt", j, datadir))
    set title sprintf("cluster %d: mostly %s", j, lab) offset 0,-0.6
    plot datadir.'/centroids.dat' index j matrix with image
}
unset multiplot
