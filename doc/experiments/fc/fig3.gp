# FC paper Fig. 3: the network output at step 1000 (blue) against its least-squares polynomial
# fit (red dashed: order 1, 2, 3, 1 for tanh, x tanh x, x^2 tanh x, ReLU) and the training
# data (green).  Run in the fig3-sin1d output directory of run.sh.
set datafile separator ','
set datafile commentschars '#'
acts = 'tanh xtanh x2tanh relu'
names = "'tanh(x)' 'x tanh(x)' 'x^2 tanh(x)' 'ReLU(x)'"
order = '1 2 3 1'
do for [t in 'png pdf'] {
    if (t eq 'png') { set terminal pngcairo size 1000,800 } else { set terminal pdfcairo size 8in,6.4in }
    set output 'fig3.'.t
    set multiplot layout 2,2
    do for [k = 1:4] {
        a = word(acts, k)
        p = int(word(order, k))
        lines = system(sprintf("sed -n 's/^condensed lines: \\([0-9]*\\).*/\\1/p' %s/summary.txt", a))
        set title sprintf('(%c) %s, step 1000: %s lines; fit of order %d', 96 + k, word(names, k), lines, p)
        set xlabel 'x'
        set ylabel 'f'
        set key top left
        plot a.'/train.csv' using 1:2 with points pt 7 ps 0.5 lc rgb 'forest-green' title 'training data', \
             a.'/output.csv' using 1:2 with lines lw 2 lc rgb 'blue' title 'NN output', \
             a.'/output.csv' using 1:(column(2 + p)) with lines lw 2 dt 2 lc rgb 'red' title sprintf('order-%d fit', p)
    }
    unset multiplot
}
