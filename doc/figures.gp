# doc/figures.gp -- the manual's figures, drawn by `make doc` from the data that
# doc/gen-tables.sh extracted.  Run in the generated directory with
#   gnuplot -e "Mlist='16 64 ...'; teff=...; tbar0=..." figures.gp
# Columns of runs-M<M>.dat and flow.dat: t E_max phi rel_change ratio lin_ratio lin_dev;
# of kernels.dat: t beta cos_ones amplitude.
set terminal pdfcairo enhanced font "Helvetica,9" size 12cm,7cm
set grid lc rgb "#dddddd"
set key top left

set output "fig-ratio.pdf"
set key bottom right
set xlabel "t"
set ylabel "|{/Symbol q}_{W,v_1}| / |{/Symbol q}_W|   (eq. 15)"
set yrange [0:1.02]
plot for [M in Mlist] sprintf("runs-M%s.dat", M) using 1:5 with lines lw 2 title sprintf("real flow, M = %s", M), \
     for [M in Mlist] sprintf("runs-M%s.dat", M) using 1:6 with lines dt 2 lc rgb "black" notitle

set output "fig-relchange.pdf"
set key top left
set ylabel "|{/Symbol q}_W(t) - {/Symbol q}_W(0)| / |{/Symbol q}_W(0)|   (eq. 14)"
set yrange [*:*]
set logscale y
plot for [M in Mlist] sprintf("runs-M%s.dat", M) using 1:($4 > 0 ? $4 : 1/0) with lines lw 2 title sprintf("M = %s", M)

set output "fig-flow.pdf"
set key bottom right
set ylabel "E_{max}(t)  and  relative distance real - linear"
set arrow 1 from teff, graph 0 to teff, graph 1 nohead dt 3 lc rgb "red"
set label 1 "T_{eff}" at teff, graph 0.95 right offset -0.5,0 tc rgb "red"
set arrow 2 from tbar0, graph 0 to tbar0, graph 1 nohead dt 3 lc rgb "blue"
set label 2 "t_{bar 0}" at tbar0, graph 0.95 right offset -0.5,0 tc rgb "blue"
plot "flow.dat" using 1:2 with lines lw 2 title "E_{max} (eq. 47), real flow", \
     "flow.dat" using 1:($7 > 0 ? $7 : 1/0) with lines lw 2 title "|{/Symbol q}_{real} - {/Symbol q}_{lin}| / |{/Symbol q}_{lin}|"
unset arrow 1; unset arrow 2; unset label 1; unset label 2
unset logscale y

set output "fig-kernels.pdf"
set ylabel "cosine of {/Symbol q}_{W,{/Symbol b}} with the all-ones vector"
set yrange [-1.05:1.05]
set key off
plot "kernels.dat" using 1:3 with points pt 7 ps 0.15 lc rgb "#1f77b4"
