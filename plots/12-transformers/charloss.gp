# The optional character model: training loss of a one-layer causal attention model on
# Shakespeare's Sonnet 18, against the entropies of the unigram and bigram statistics of the text.
load 'plots/common.gp'
set title "One causal attention layer (d = 32, context 32) trained on Sonnet 18"
set xlabel "Adam step"
set ylabel "cross-entropy (nats per character)"
set xrange [0:1500]
set yrange [0:4]
set key top right font ',11'
plot datadir.'/charloss.dat' using 1:2 with lines lc rgb '#0060ad' lw 1 title "training loss (mean of 8 windows)", \
     '' using 1:3 with lines ls 4 title "unigram entropy of the text", \
     '' using 1:4 with lines ls 2 title "bigram (conditional) entropy of the text"
