# Denoising score matching: the loss during training, and samples from the learned score.
load 'plots/common.gp'
set multiplot layout 1,2 title "Learning the score (3-48-48-2 SiLU network, batch 128, Adam with cosine decay)"
set xlabel "training step"
set ylabel "DSM loss  E|{/Symbol e}_{/Symbol q} - z|^2"
set key top right
set xtics 1000
set yrange [0.5:1.2]
stats datadir.'/floor.dat' using 1 nooutput
floor = STATS_max
plot datadir.'/loss.dat' using 1:2 with lines ls 1 title "batch loss (mean of 100)", \
     floor ls 2 title sprintf("exact score: %.3f", floor)
unset xtics
set xtics 2
set size ratio -1
set xrange [-4.5:4.5]
set yrange [-4.5:5.8]
set xlabel "x_1"
set ylabel "x_2"
set key top center horizontal
v0 = 0.25
set object 1 circle at  2, 2 size 2*sqrt(v0) fs empty border rgb '#dd181f' lw 2 front
set object 2 circle at -2, 2 size 2*sqrt(v0) fs empty border rgb '#dd181f' lw 2 front
set object 3 circle at -2,-2 size 2*sqrt(v0) fs empty border rgb '#dd181f' lw 2 front
set object 4 circle at  2,-2 size 2*sqrt(v0) fs empty border rgb '#dd181f' lw 2 front
set title "2000 samples, reverse SDE with the learned score"
plot datadir.'/learned.dat' using 1:2 with points pt 7 ps 0.2 lc rgb '#0060ad' title "generated", \
     NaN with lines lc rgb '#dd181f' lw 2 title "data: 2-sd circles"
unset multiplot
