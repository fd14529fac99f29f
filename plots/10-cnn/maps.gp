# One test digit, the 16 feature maps after convolution + ReLU (8x8), and after 2x2 max-pooling (4x4).
load 'plots/common.gp'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 7.5in,4.2in font 'DejaVu Sans,9' linewidth 1.2
} else {
    set terminal pngcairo enhanced color size 1300,720 font 'DejaVu Sans,12' linewidth 1.2
}
set output out.'.'.ext
unset key
unset grid
unset xtics
unset ytics
unset colorbox
set size ratio -1
set multiplot title "Feature maps of one test digit: input (left); the 16 maps after conv + ReLU (8x8, top two rows)\nand after 2x2 max-pooling (4x4, bottom two rows), the 16 x 16 = 256 features the dense layer sees"
# the input, large, on the left
set palette gray negative
set cbrange [0:1]
set origin 0.0, 0.18
set size 0.24, 0.62
set xrange [-0.5:7.5]
set yrange [7.5:-0.5]
set title "input (pixel / 16)"
plot datadir.'/maps.dat' index 0 matrix with image
# maps: each on its own scale from 0 (white) to its maximum (dark)
set palette positive defined (0 'white', 1 '#08306b')
set cbrange [*:*]
w = 0.094
set lmargin 0.4
set rmargin 0.4
set tmargin 1.3
set bmargin 0.2
do for [o=0:15] {
    set origin 0.245 + (o % 8) * w, 0.66 - (o / 8) * 0.20
    set size w, 0.20
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    set title sprintf("map %d", o) offset 0,-0.5
    plot datadir.'/maps.dat' index 1 + o matrix with image
    set origin 0.245 + (o % 8) * w, 0.24 - (o / 8) * 0.20
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    set title sprintf("pooled %d", o) offset 0,-0.5
    plot datadir.'/maps.dat' index 17 + o matrix with image
}
unset multiplot
