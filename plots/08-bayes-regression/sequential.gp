# Learning a line one point at a time (Bishop, PRML Fig. 3.7): rows after 0, 1, 2, 20 points;
# columns: likelihood of the latest point, posterior over (w0, w1), lines sampled from it.
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 7.5in,9.5in font 'DejaVu Sans,9' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1200,1500 font 'DejaVu Sans,12' linewidth 1.2
}
set output out.'.'.ext
nrow(r) = r == 0 ? 0 : r == 1 ? 1 : r == 2 ? 2 : 20
set multiplot layout 4,3 title "Bayesian linear regression, y = w_0 + w_1 x: data t = -0.3 + 0.5 x + N(0, 0.2^2), {/Symbol a} = 2, {/Symbol b} = 25\n(white cross: the true weights; dashed: the true line; circles: the data seen so far)" margins 0.07, 0.98, 0.05, 0.92 spacing 0.07, 0.085
set palette rgbformulae 33,13,10
unset colorbox
set key off
do for [r=0:3] {
    n = nrow(r)
    # column 1: likelihood of the latest point in weight space
    set view map
    set size ratio -1
    set xrange [-1:1]
    set yrange [-1:1]
    set xtics 0.5
    set ytics 0.5
    set xlabel "w_0 (intercept)"
    set ylabel "w_1 (slope)"
    set label 1 "" at -0.3, 0.5, 1e6 point pt 2 ps 2.0 lw 2 lc rgb 'white' front
    if (r == 0) {
        set title "no data yet: no likelihood"
        unset label 1
        set label 2 "N = 0" at 0, 0 center font ',16'
        plot 1/0 notitle
        unset label 2
    } else {
        set title sprintf("likelihood of point %d, p(t_{%d} | x_{%d}, w)", n, n, n)
        splot datadir.'/like.dat' index (r-1) using 1:2:3 with pm3d notitle
    }
    # column 2: posterior (the prior in row 0)
    set label 1 "" at -0.3, 0.5, 1e6 point pt 2 ps 2.0 lw 2 lc rgb 'white' front
    set title (r == 0 ? "prior p(w) = N(0, I/{/Symbol a})" : sprintf("posterior after %d point%s", n, n == 1 ? "" : "s"))
    splot datadir.'/post.dat' index r using 1:2:3 with pm3d notitle
    unset label 1
    # column 3: six lines sampled from the posterior, with the data seen so far
    set size noratio
    set xlabel "x"
    set ylabel "y"
    set title sprintf("6 lines with w drawn from p(w | %d point%s)", n, n == 1 ? "" : "s")
    if (n == 0) {
        plot datadir.'/lines.dat' index r using 1:2 with lines lc rgb '#dd181f' lw 1.5 notitle, \
             -0.3 + 0.5 * x ls 4 notitle
    } else {
        plot datadir.'/lines.dat' index r using 1:2 with lines lc rgb '#dd181f' lw 1.5 notitle, \
             -0.3 + 0.5 * x ls 4 notitle, \
             datadir.'/data.dat' every ::0::(n-1) using 1:2 with points pt 6 ps 1.3 lw 1.5 lc rgb '#0060ad' notitle
    }
}
unset multiplot
