# The 1797 digits projected on their first two principal components, one colour per true digit.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 5.5in,4.4in font 'DejaVu Sans,10' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 950,760 font 'DejaVu Sans,13' linewidth 1.2
}
set output out.'.'.ext
r1 = real(system("awk 'NR==2{print 100*$2}' ".datadir."/variance.dat"))
r2 = real(system("awk 'NR==3{print 100*$2}' ".datadir."/variance.dat"))
set title sprintf("Digits on their first two principal components (%.1f%% + %.1f%% of the variance)\ncoloured by the true digit, which PCA never saw", r1, r2)
set xlabel "PC1 score (pixel intensity, 0..16 scale)"
set ylabel "PC2 score (pixel intensity, 0..16 scale)"
set size ratio -1
set key outside right top title "digit" box
array col[10] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']
plot for [d=0:9] datadir.'/pca.dat' using ($3 == d ? $1 : NaN):2 with points pt 7 ps 0.55 lc rgb col[d+1] title sprintf("%d", d), \
     datadir.'/pca_centres.dat' using 1:2:(sprintf("%d", $3)) with labels tc rgb 'black' font ',18' boxed notitle
