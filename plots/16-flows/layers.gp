# A Gaussian cloud pushed through the inverse coupling layers, one panel per layer, into two moons.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 8in,8in font 'DejaVu Sans,10' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1200,1200 font 'DejaVu Sans,12' linewidth 1.2
}
set output out.'.'.ext
set size ratio -1
set xrange [-4:4]
set yrange [-4:4]
set xtics 2
set ytics 2
set key off
unset colorbox
# colour = the angle of each point's latent z, so one can follow points from panel to panel
set palette defined (0 '#d73027', 1 '#fc8d59', 2 '#fee090', 3 '#91bfdb', 4 '#4575b4', 5 '#762a83', 6 '#d73027')
set cbrange [-pi:pi]
set multiplot layout 3,3 title "Generation x = g^{-1}(z), z drawn from N(0, I) (top left), through the 8 inverse couplings, last layer first (colour: angle of z)"
do for [s=0:8] {
    set title (s == 0 ? "latent z drawn from N(0, I)" : sprintf("after %d inverse layer%s (layer %d)", s, s == 1 ? "" : "s", 8 - s))
    set xlabel (s >= 6 ? "x_1 (data units)" : "")
    set ylabel (s % 3 == 0 ? "x_2 (data units)" : "")
    plot datadir.'/layers.dat' index s using 1:2:3 with points pt 7 ps 0.25 lc palette
}
unset multiplot
