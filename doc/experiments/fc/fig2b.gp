# FC paper Fig. 2(b): D(w_j, w_k) (eq. 7) of the 30 input weights of the x^2 tanh x network
# trained on MNIST, neurons ordered by line.  Run in the fig2b-mnist output directory of run.sh.
set datafile separator ','
set datafile commentschars '#'
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:30.5]
set yrange [30.5:0.5]
set xtics 5
set ytics 5
lines = system("sed -n 's/^condensed lines: \\([0-9]*\\).*/\\1/p' summary.txt")
strays = system("sed -n 's/^stray neurons: \\([0-9]*\\).*/\\1/p' summary.txt")
set title sprintf('MNIST, x^2 tanh(x), 30 neurons, step 1000: %s lines, %s strays', lines, strays)
do for [t in 'png pdf'] {
    if (t eq 'png') { set terminal pngcairo size 600,560 } else { set terminal pdfcairo size 5in,4.6in }
    set output 'fig2b.'.t
    plot 'cosine_sorted.csv' matrix using ($1+1):($2+1):3 with image notitle
}
