# plot.gp -- figures of the Theorem 1 sweep (run.sh writes theorem1-mean.csv, then runs this):
#   theorem1.png/.pdf   sup relative change (eq. 14) and 1 - sup condensation ratio (eq. 15)
#                       over t <= T_eff against M, one line per gamma (means over the trials)
#   phase.png/.pdf      the (gamma, M) plane coloured by sup ratio (eq. 15); crosses mark the
#                       cells where T_eff = 0 in every trial (the window of Theorem 1 is empty)
set datafile separator ','
gammas = '1.5 2 2.5 3 3.5 4'
set logscale x 4
set format x '4^{%L}'
set xrange [12:21000]
set key outside right
set grid
do for [fmt in 'png pdf'] {
    if (fmt eq 'png') { set terminal pngcairo size 1200,500 font ',11'; set output 'theorem1.png' } \
    else { set terminal pdfcairo size 12in,5in font ',10'; set output 'theorem1.pdf' }
    set multiplot layout 1,2 title 'Theorem 1 on the built-in instance (tanh, m = 3, n = 12, 6x6), sup over t <= T_{eff}, mean of 2 trials; cells with T_{eff} = 0 not drawn'
    set xlabel 'M (number of kernels)'
    set ylabel 'sup |theta_W(t) - theta_W(0)| / |theta_W(0)|   (eq. 14)'
    set logscale y
    plot for [g in gammas] 'theorem1-mean.csv' every ::1 using ($1 == g + 0 && $3 > 0 ? $2 : 1/0):3 \
        with linespoints lw 2 title sprintf('gamma = %s', g)
    set ylabel '1 - sup |theta_{W,v_1}(t)| / |theta_W(t)|   (eq. 15)'
    plot for [g in gammas] 'theorem1-mean.csv' every ::1 using ($1 == g + 0 && $7 > 0 ? $2 : 1/0):5 \
        with linespoints lw 2 title sprintf('gamma = %s', g)
    unset multiplot
    unset logscale y
}
set logscale x 4
do for [fmt in 'png pdf'] {
    if (fmt eq 'png') { set terminal pngcairo size 900,600 font ',11'; set output 'phase.png' } \
    else { set terminal pdfcairo size 9in,6in font ',10'; set output 'phase.pdf' }
    set title 'sup over t <= T_{eff} of the condensation ratio (eq. 15), mean of 2 trials; x: T_{eff} = 0'
    set xlabel 'M (number of kernels)'
    set ylabel 'gamma  (eps^2 = M^{-gamma})'
    set yrange [1.25:4.25]
    set xrange [8:32768]
    set cbrange [0:1]
    set cblabel 'sup ratio'
    set palette defined (0 '#2c3e99', 0.5 '#f0e442', 1 '#b2182b')
    unset key
    set style fill solid 1.0 noborder
    plot 'theorem1-mean.csv' every ::1 using 2:1:($2 / 2):($2 * 2):($1 - 0.25):($1 + 0.25):4 \
            with boxxyerror fc palette, \
         '' every ::1 using 2:1:(sprintf('%.4f', $4)) with labels font ',9', \
         '' every ::1 using ($7 == 0 ? $2 : 1/0):($1 - 0.15) with points pt 2 ps 1.2 lc rgb 'black'
}
