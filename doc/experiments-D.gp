# doc/experiments-D.gp -- the cosine matrix D of eq. (5) as a heatmap on [-1, 1], as in the
# paper's figures.  Called by doc/gen-experiments.sh with csv, out and ttl set.
set datafile separator ','
set datafile commentschars '#'
set terminal pdfcairo size 4in,3.4in
set output out
set title ttl noenhanced
set palette defined (-1 '#3b4cc0', 0 '#f7f7f7', 1 '#b40426')
set cbrange [-1:1]
set size square
set xlabel 'kernel'
set ylabel 'kernel'
set yrange [*:*] reverse
set autoscale xfix
set autoscale yfix
plot csv matrix using ($1+1):($2+1):3 with image notitle
unset output
