# condense 0.1.0 -- train; seed 1
# model deep: 3 conv layer(s) x 32 channels, m = 5, activation tanh, hidden 1024, d = 10, output bias yes, loss ce, 13172170 parameters
# optimizer adam, lr 2e-06, epochs 300, Adam beta1 0.9 beta2 0.999 eps 1e-08; init gamma 2 (sigma_1 of layer 1 = 5.22449e-06), sigma_2 0.0001
# data cifar10, dir /work/shared/data/cifar10, n = 500, 32 x 32 x 3, normalization raw
# Run in this directory: gnuplot plot.gp
set datafile separator ','
set datafile commentschars '#'
set terminal pngcairo size 800,600
set output 'loss.png'
set logscale y
set xlabel 'epoch'
set ylabel 'loss' tc default
set title 'training loss'
plot 'loss.csv' using 1:3 skip 1 with lines lw 2 title 'loss'
unset logscale y
set output 'e0_conv1_D.png'
set title 'D(u,v), eq. (5): conv layer 1, epoch 0'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e0_conv1_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e0_conv1_kernels.png'
set title 'conv layer 1, epoch 0'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e0_conv1_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e0_conv2_D.png'
set title 'D(u,v), eq. (5): conv layer 2, epoch 0'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e0_conv2_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e0_conv2_kernels.png'
set title 'conv layer 2, epoch 0'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e0_conv2_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e0_conv3_D.png'
set title 'D(u,v), eq. (5): conv layer 3, epoch 0'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e0_conv3_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e0_conv3_kernels.png'
set title 'conv layer 3, epoch 0'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e0_conv3_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e100_conv1_D.png'
set title 'D(u,v), eq. (5): conv layer 1, epoch 100'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e100_conv1_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e100_conv1_kernels.png'
set title 'conv layer 1, epoch 100'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e100_conv1_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e100_conv2_D.png'
set title 'D(u,v), eq. (5): conv layer 2, epoch 100'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e100_conv2_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e100_conv2_kernels.png'
set title 'conv layer 2, epoch 100'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e100_conv2_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e100_conv3_D.png'
set title 'D(u,v), eq. (5): conv layer 3, epoch 100'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e100_conv3_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e100_conv3_kernels.png'
set title 'conv layer 3, epoch 100'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e100_conv3_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e300_conv1_D.png'
set title 'D(u,v), eq. (5): conv layer 1, epoch 300'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e300_conv1_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e300_conv1_kernels.png'
set title 'conv layer 1, epoch 300'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e300_conv1_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e300_conv2_D.png'
set title 'D(u,v), eq. (5): conv layer 2, epoch 300'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e300_conv2_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e300_conv2_kernels.png'
set title 'conv layer 2, epoch 300'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e300_conv2_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e300_conv3_D.png'
set title 'D(u,v), eq. (5): conv layer 3, epoch 300'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e300_conv3_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e300_conv3_kernels.png'
set title 'conv layer 3, epoch 300'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e300_conv3_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set terminal pdfcairo size 6in,4.5in
set output 'loss.pdf'
set logscale y
set xlabel 'epoch'
set ylabel 'loss' tc default
set title 'training loss'
plot 'loss.csv' using 1:3 skip 1 with lines lw 2 title 'loss'
unset logscale y
set output 'e0_conv1_D.pdf'
set title 'D(u,v), eq. (5): conv layer 1, epoch 0'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e0_conv1_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e0_conv1_kernels.pdf'
set title 'conv layer 1, epoch 0'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e0_conv1_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e0_conv2_D.pdf'
set title 'D(u,v), eq. (5): conv layer 2, epoch 0'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e0_conv2_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e0_conv2_kernels.pdf'
set title 'conv layer 2, epoch 0'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e0_conv2_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e0_conv3_D.pdf'
set title 'D(u,v), eq. (5): conv layer 3, epoch 0'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e0_conv3_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e0_conv3_kernels.pdf'
set title 'conv layer 3, epoch 0'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e0_conv3_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e100_conv1_D.pdf'
set title 'D(u,v), eq. (5): conv layer 1, epoch 100'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e100_conv1_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e100_conv1_kernels.pdf'
set title 'conv layer 1, epoch 100'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e100_conv1_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e100_conv2_D.pdf'
set title 'D(u,v), eq. (5): conv layer 2, epoch 100'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e100_conv2_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e100_conv2_kernels.pdf'
set title 'conv layer 2, epoch 100'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e100_conv2_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e100_conv3_D.pdf'
set title 'D(u,v), eq. (5): conv layer 3, epoch 100'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e100_conv3_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e100_conv3_kernels.pdf'
set title 'conv layer 3, epoch 100'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e100_conv3_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e300_conv1_D.pdf'
set title 'D(u,v), eq. (5): conv layer 1, epoch 300'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e300_conv1_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e300_conv1_kernels.pdf'
set title 'conv layer 1, epoch 300'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e300_conv1_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e300_conv2_D.pdf'
set title 'D(u,v), eq. (5): conv layer 2, epoch 300'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e300_conv2_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e300_conv2_kernels.pdf'
set title 'conv layer 2, epoch 300'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e300_conv2_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
set output 'e300_conv3_D.pdf'
set title 'D(u,v), eq. (5): conv layer 3, epoch 300'
set xlabel 'kernel'
set ylabel 'kernel' tc default
set cbrange [-1:1]
set palette defined (-1 '#440154', 0 '#21918c', 1 '#fde725')
set size ratio -1
set xrange [0.5:32.5]
set yrange [32.5:0.5]
set xtics 4
set ytics 4
plot 'e300_conv3_D.csv' matrix using ($1+1):($2+1):3 with image notitle
set size noratio
set autoscale
set xtics autofreq
set ytics autofreq
set output 'e300_conv3_kernels.pdf'
set title 'conv layer 3, epoch 300'
set xlabel 'kernel beta'
set ylabel 'amplitude' tc rgb 'red'
set y2label 'cosine with 1' tc rgb 'blue'
set y2range [-1.05:1.05]
set ytics nomirror
set y2tics
set key below
set xrange [0.5:32.5]
plot 'e300_conv3_kernels.csv' using 1:3 skip 1 axes x1y1 with points pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 with points pt 5 lc rgb 'blue' title 'cos with 1'
unset y2tics
unset y2label
set ytics mirror
set key default
set autoscale
