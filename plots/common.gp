# Shared preamble of every figure.  The Makefile passes datadir (where run.c wrote its data),
# out (the output path without extension) and ext ('png' for READMEs, 'pdf' for slides).
# The font is named exactly (DejaVu Sans, from Debian's fonts-dejavu-core, which make deps
# installs), so that `make figures` reproduces the committed PNGs byte for byte.
if (!exists("ext")) ext = 'png'
if (ext eq 'pdf') {
    set terminal pdfcairo enhanced color size 5in,3.4in font 'DejaVu Sans,10' linewidth 1.5
} else {
    set terminal pngcairo enhanced color size 900,600 font 'DejaVu Sans,13' linewidth 1.5
}
set output out.'.'.ext
set grid lc rgb '#dddddd'
set key box opaque
set style line 1 lc rgb '#0060ad' pt 7 ps 1.0   # simulation
set style line 2 lc rgb '#dd181f' lw 2          # theory
set style line 3 lc rgb '#2ca02c' pt 5 ps 1.0   # second simulation
set style line 4 lc rgb '#555555' dt 2 lw 1.5   # reference line
