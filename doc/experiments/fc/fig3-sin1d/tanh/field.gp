# condense 0.1.0; condense fc; seed 1; target sin1d, n = 40; m = 100; activation tanh; optimizer adam, lr = 0.0005, steps 1000; init N(0, 0.005^2); lines: |cos| >= 0.99, min norm 0.001 max, min members 2
# FC paper Fig. 4: gnuplot field.gp (in this directory) writes field_STEP.png
set datafile separator ','
set terminal pngcairo size 640,640
set size ratio -1
set xlabel 'w'
set ylabel 'b'
unset key
set output 'field_0.png'
set title 'tanh, step 0'
set autoscale xy
stats 'field_0.csv' using 1 nooutput
L = STATS_max
h = L / 21
set xrange [-L:L]
set yrange [-L:L]
plot 'field_0.csv' using 1:2:($3*h*0.8):($4*h*0.8) with vectors lc 'gray', \
     'lines_0.csv' using 2:3:($4-$2):($5-$3) with vectors nohead dt 2 lc 'red', \
     'neurons_0.csv' using 2:3 with points pt 7 ps 0.6 lc 'dark-green', \
     'neurons_0.csv' using 2:3:($4*h):($5*h) with vectors lc 'orange'
set output 'field_200.png'
set title 'tanh, step 200'
set autoscale xy
stats 'field_200.csv' using 1 nooutput
L = STATS_max
h = L / 21
set xrange [-L:L]
set yrange [-L:L]
plot 'field_200.csv' using 1:2:($3*h*0.8):($4*h*0.8) with vectors lc 'gray', \
     'lines_200.csv' using 2:3:($4-$2):($5-$3) with vectors nohead dt 2 lc 'red', \
     'neurons_200.csv' using 2:3 with points pt 7 ps 0.6 lc 'dark-green', \
     'neurons_200.csv' using 2:3:($4*h):($5*h) with vectors lc 'orange'
set output 'field_500.png'
set title 'tanh, step 500'
set autoscale xy
stats 'field_500.csv' using 1 nooutput
L = STATS_max
h = L / 21
set xrange [-L:L]
set yrange [-L:L]
plot 'field_500.csv' using 1:2:($3*h*0.8):($4*h*0.8) with vectors lc 'gray', \
     'lines_500.csv' using 2:3:($4-$2):($5-$3) with vectors nohead dt 2 lc 'red', \
     'neurons_500.csv' using 2:3 with points pt 7 ps 0.6 lc 'dark-green', \
     'neurons_500.csv' using 2:3:($4*h):($5*h) with vectors lc 'orange'
set output 'field_1000.png'
set title 'tanh, step 1000'
set autoscale xy
stats 'field_1000.csv' using 1 nooutput
L = STATS_max
h = L / 21
set xrange [-L:L]
set yrange [-L:L]
plot 'field_1000.csv' using 1:2:($3*h*0.8):($4*h*0.8) with vectors lc 'gray', \
     'lines_1000.csv' using 2:3:($4-$2):($5-$3) with vectors nohead dt 2 lc 'red', \
     'neurons_1000.csv' using 2:3 with points pt 7 ps 0.6 lc 'dark-green', \
     'neurons_1000.csv' using 2:3:($4*h):($5*h) with vectors lc 'orange'
