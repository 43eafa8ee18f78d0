# FC paper Fig. 1: D(w_j, w_k) (eq. 7) of the 50 input weights after training on the 5-d target,
# neurons ordered by line (strays, then discarded weights, last).  Run in the fig1-sin5d
# output directory of run.sh (after cosine_sorted.csv has been made there).
set datafile separator ','
set datafile commentschars '#'
acts = 'tanh xtanh x2tanh relu'
names = "'tanh(x)' 'x tanh(x)' 'x^2 tanh(x)' 'ReLU(x)'"
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:50.5]
set yrange [50.5:0.5]
set xtics 10
set ytics 10
do for [t in 'png pdf'] {
    if (t eq 'png') { set terminal pngcairo size 1000,900 } else { set terminal pdfcairo size 8in,7.2in }
    set output 'fig1.'.t
    set multiplot layout 2,2
    do for [k = 1:4] {
        a = word(acts, k)
        lines = system(sprintf("sed -n 's/^condensed lines: \\([0-9]*\\).*/\\1/p' %s/summary.txt", a))
        strays = system(sprintf("sed -n 's/^stray neurons: \\([0-9]*\\).*/\\1/p' %s/summary.txt", a))
        set title sprintf('(%c) %s: %s lines, %s strays', 96 + k, word(names, k), lines, strays)
        plot a.'/cosine_sorted.csv' matrix using ($1+1):($2+1):3 with image notitle
    }
    unset multiplot
}
