# spectrum.gp -- the top eigenvalues of Z^T Z, mean and std over trials.
# Run in this directory: gnuplot spectrum.gp (writes spectrum.png, spectrum.pdf).
# condense 0.1.0; spectrum; seed 1; dataset mnist (/work/shared/data/mnist); n = 500; m = 3; trials = 50; top = 10; normalization half; trial t seed = t-th gsl_rng_get of mt19937(seed); cos excludes the bias
if (!exists('png')) png = 'spectrum.png'
if (!exists('pdf')) pdf = 'spectrum.pdf'
set datafile separator ','
set title "mnist: eigenvalues of Z^T Z (n = 500, m = 3, 50 trials, half)" noenhanced
set xlabel 'j'
set ylabel 'lambda_j^2 (mean +- std)' noenhanced
set logscale y
set xrange [0.3:10.7]
set xtics 1
set boxwidth 0.6
set style fill solid 0.5
set key off
plot_it = "plot 'eigenvalues.csv' skip 2 using 1:2 with boxes lc rgb '#4477aa', '' skip 2 using 1:2:3 with yerrorbars lc rgb 'black' pt 7 ps 0.5"
set terminal pngcairo size 800,500
set output png
eval plot_it
set terminal pdfcairo size 6in,3.75in
set output pdf
eval plot_it
unset output
