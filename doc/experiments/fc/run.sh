#!/bin/sh
# Reruns the FC paper's experiments (fc-initial-condensation.md, Fig. 1, 2(b), 3) and the line
# count table with `condense fc`; doc/experiments/fc/README.md describes each.
#   usage: sh doc/experiments/fc/run.sh CONDENSE_BIN OUTDIR
# MNIST is read from $CONDENSE_MNIST_DIR (default: condense's default, ../shared/data/mnist
# relative to the working directory); without it the MNIST figure is skipped with a note.
# Figures need gnuplot (apt-get install gnuplot-nox); without it only the CSVs are written.
set -eu
BIN=${1:?usage: sh run.sh CONDENSE_BIN OUTDIR}
OUT=${2:?usage: sh run.sh CONDENSE_BIN OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
case $BIN in /*) ;; */*) BIN=$(pwd)/$BIN ;; esac
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SEEDS=${CONDENSE_FC_SEEDS:-"1 2 3 4 5 6 7 8 9 10"}
ACTS="tanh xtanh x2tanh relu"
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1
plot() { # plot DIR SCRIPT: run a committed gnuplot script in DIR
    if [ $have_gnuplot = 1 ]; then (cd "$1" && gnuplot "$HERE/$2"); else
        echo "run.sh: gnuplot not found, $2 not run" >&2; fi
}
# value of "key: N" in a summary (the first number after the key)
field() { sed -n "s/^$2[^0-9]*\([0-9][0-9.e+-]*\).*/\1/p" "$1" | head -n 1; }
# the cosine matrix of DIR with the neurons ordered by line, within a line +u before -u (the
# sign of D with the line's first member), then the strays, then the discarded weights
sorted_cosine() {
    awk -F, 'FNR == 1 { file++ }
        file == 1 && !/^#/ { m++; l = $4 + 0; lab[m] = l < 0 ? 1000 - l : l
                             if (!(lab[m] in first)) first[lab[m]] = m }
        file == 2 && !/^#/ { row++; for (k = 1; k <= NF; ++k) D[row, k] = $k }
        END { for (j = 1; j <= m; ++j) {
                  neg = lab[j] < 1000 && D[j, first[lab[j]]] < 0
                  key[j] = lab[j] * 10000000 + neg * 100000 + j; order[j] = j }
              for (a = 1; a <= m; ++a) for (b = a + 1; b <= m; ++b)
                  if (key[order[b]] < key[order[a]]) { t = order[a]; order[a] = order[b]; order[b] = t }
              for (a = 1; a <= m; ++a) { line = ""
                  for (b = 1; b <= m; ++b) line = line (b > 1 ? "," : "") D[order[a], order[b]]
                  print line } }' "$1/directors.csv" "$1/cosine.csv" > "$1/cosine_sorted.csv"
}

start=$(date +%s)
# (a) Fig. 3: sin(3x) + sin(6x)/2, 40 points, 100 neurons, Adam lr 5e-4, N(0, 0.005^2), step 1000
mkdir -p "$OUT/fig3-sin1d"
echo "activation,R_S,rms_fit1,rms_fit2,rms_fit3,lines,strays,sec52_lines" > "$OUT/fig3-sin1d/summary.csv"
for a in $ACTS; do
    "$BIN" fc --target sin1d --activation "$a" --seed 1 --steps 1000 --field-steps 0,200,500,1000 \
        --out "$OUT/fig3-sin1d/$a" $([ $have_gnuplot = 1 ] && echo --plot) 2>/dev/null >/dev/null
    s=$OUT/fig3-sin1d/$a/summary.txt
    rms=$(sed -n 's/^polynomial fits.*order 1 \([^,]*\), order 2 \([^,]*\), order 3 \(.*\)$/\1,\2,\3/p' "$s")
    sec=$(field "$s" 'Sec. 5.2 stationary lines at the final e')
    echo "$a,$(field "$s" 'R_S after [0-9]* steps'),$rms,$(field "$s" 'condensed lines'),$(field "$s" 'stray neurons'),${sec:-}" \
        >> "$OUT/fig3-sin1d/summary.csv"
done
plot "$OUT/fig3-sin1d" fig3.gp
echo "run.sh: fig3-sin1d done ($(($(date +%s) - start)) s)" >&2

# (b) Fig. 1: sum_k 3.5 x_k sin(5 x_k + 1), 80 points, 50 neurons, Adam, N(0, 0.005^2)
mkdir -p "$OUT/fig1-sin5d"
echo "activation,R_S,lines,strays,discarded" > "$OUT/fig1-sin5d/summary.csv"
for a in $ACTS; do
    "$BIN" fc --target sin5d --activation "$a" --seed 1 --steps 1000 --out "$OUT/fig1-sin5d/$a" \
        2>/dev/null >/dev/null
    s=$OUT/fig1-sin5d/$a/summary.txt
    sorted_cosine "$OUT/fig1-sin5d/$a"
    echo "$a,$(field "$s" 'R_S after [0-9]* steps'),$(field "$s" 'condensed lines'),$(field "$s" 'stray neurons'),$(field "$s" 'stray neurons: [0-9]*; discarded')" \
        >> "$OUT/fig1-sin5d/summary.csv"
done
plot "$OUT/fig1-sin5d" fig1.gp
echo "run.sh: fig1-sin5d done ($(($(date +%s) - start)) s)" >&2

# (c) Fig. 2(b): MNIST, x^2 tanh x, 30 neurons, Adam, N(0, 0.001^2)
mkdir -p "$OUT/fig2b-mnist"
if "$BIN" fc --dataset mnist ${CONDENSE_MNIST_DIR:+--data-dir "$CONDENSE_MNIST_DIR"} --n 1000 \
    --activation x2tanh --init-std 0.001 --seed 1 --steps 1000 --out "$OUT/fig2b-mnist" >/dev/null; then
    sorted_cosine "$OUT/fig2b-mnist"
    plot "$OUT/fig2b-mnist" fig2b.gp
    echo "run.sh: fig2b-mnist done ($(($(date +%s) - start)) s)" >&2
else
    echo "run.sh: MNIST not found (set CONDENSE_MNIST_DIR): fig2b-mnist skipped" >&2
fi

# the line count over seeds (item: at most p lines, Sec. 5.2), at the step of Fig. 3 (1000)
mkdir -p "$OUT/lines"
t=$OUT/lines/lines.csv
echo "target,activation,seed,steps,lines,strays,discarded,groups_all,sec52_lines" > "$t"
for target in sin1d sin5d; do
    for a in $ACTS; do
        for seed in $SEEDS; do
            s=$("$BIN" fc --target $target --activation "$a" --seed "$seed" --steps 1000 2>/dev/null)
            all=$("$BIN" fc --target $target --activation "$a" --seed "$seed" --steps 1000 \
                --min-members 1 2>/dev/null | sed -n 's/^condensed lines: \([0-9]*\).*/\1/p')
            printf '%s\n' "$s" > "$OUT/lines/.summary"
            f=$OUT/lines/.summary
            echo "$target,$a,$seed,1000,$(field "$f" 'condensed lines'),$(field "$f" 'stray neurons'),$(field "$f" 'stray neurons: [0-9]*; discarded'),$all,$(field "$f" 'Sec. 5.2 stationary lines at the final e')" >> "$t"
        done
    done
done
rm -f "$OUT/lines/.summary"
echo "run.sh: lines done ($(($(date +%s) - start)) s)" >&2
