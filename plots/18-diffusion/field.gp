# The score field: exact (left) and learned by denoising score matching (right), t = 0.1 and 0.4.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 7in,7in font 'DejaVu Sans,10' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1000,1000 font 'DejaVu Sans,12' linewidth 1.2
}
set output out.'.'.ext
set size ratio -1
set xrange [-4.4:4.4]
set yrange [-4.4:4.4]
set xtics 2
set ytics 2
set xlabel "x_1"
set ylabel "x_2"
set key off
# arrows drawn at a fixed fraction of the score, the same in both columns of a row
sc(k) = k == 0 ? 0.045 : 0.15
tt(k) = k == 0 ? 0.1 : 0.4
set multiplot layout 2,2 title "Score s(x, t) = {/Symbol \321} log p_t(x): exact (left) and learned by a 3-48-48-2 network (right); arrows = score x const"
do for [k=0:1] {
    set title sprintf("exact score, t = %.1f  (arrow = %.3g s)", tt(k), sc(k))
    plot datadir.'/field.dat' index k using 1:2:($3*sc(k)):($4*sc(k)) with vectors head size 0.08,20 filled lc rgb '#dd181f'
    set title sprintf("learned score, t = %.1f  (arrow = %.3g s)", tt(k), sc(k))
    plot datadir.'/field.dat' index k using 1:2:($5*sc(k)):($6*sc(k)) with vectors head size 0.08,20 filled lc rgb '#0060ad'
}
unset multiplot
