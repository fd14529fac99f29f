# Attention maps of 16 tokens that carry their position (x_p = 1.5 PE(p) + noise): every query
# row is a softmax over the keys; the causal mask zeroes the upper triangle exactly.
load 'plots/common.gp'
set terminal pngcairo enhanced color size 1100,560 font 'DejaVu Sans,13' linewidth 1.5
if (ext eq 'pdf') set terminal pdfcairo enhanced color size 6.5in,3.3in font 'DejaVu Sans,10' linewidth 1.5
set output out.'.'.ext
set multiplot layout 1,2 title "Attention weights A_{ij} = softmax_j(x_i . x_j / sqrt(d)), tokens x_p = 1.5 PE(p) + noise (d = 16)"
set xlabel "key position j"
set ylabel "query position i"
set xrange [-0.5:15.5]
set yrange [15.5:-0.5]
set cbrange [0:0.6]
set cblabel "weight A_{ij}" offset -0.5,0
set cbtics ("0" 0, "0.2" 0.2, "0.4" 0.4, "{/Symbol \263} 0.6" 0.6)
set palette defined (0 '#ffffff', 0.15 '#c6dbef', 0.4 '#4292c6', 1 '#08306b')
set size square
unset grid
unset key
set title "no mask: weight falls off with |i - j|"
plot datadir.'/attn_full.dat' matrix with image notitle
set title "causal mask: A_{ij} = 0 for j > i"
plot datadir.'/attn_causal.dat' matrix with image notitle
unset multiplot
