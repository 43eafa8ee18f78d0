#!/bin/sh
# doc/gen-experiments.sh -- the manual's tables and figures of the real-data experiments and of
# the fully-connected results, made during `make doc` from the results `make experiments`
# committed under doc/experiments/ (those runs take an hour; the manual re-reads their CSV
# files and re-draws their figures with the scripts that came with them, so every table and
# figure file is produced in the build, and no number is typed by hand).
# Usage: sh gen-experiments.sh EXPDIR GENDIR GNUPLOT
# Writes GENDIR/exp-spectra.tex, exp-gd.tex, exp-adam.tex, exp-fc-lines.tex (table rows) and,
# under GENDIR/exp/, the figures the chapters include.
set -eu
e=${1:?usage: gen-experiments.sh EXPDIR GENDIR GNUPLOT}
g=${2:?usage: gen-experiments.sh EXPDIR GENDIR GNUPLOT}
gp=${3:?usage: gen-experiments.sh EXPDIR GENDIR GNUPLOT}
need() { [ -s "$1" ] || { echo "gen-experiments.sh: missing $1 (run make experiments)" >&2; exit 1; }; }
mkdir -p "$g/exp"

# -- spectra: one row per data set and normalization (summary.csv: quantity,index,mean,std) ---
: >"$g/exp-spectra.tex"
for ds in mnist cifar10; do
    for norm in raw standardize half; do
        f="$e/spectra-$ds/$norm/summary.csv"
        need "$f"
        awk -F, -v ds="$ds" -v norm="$norm" '
            /^#/ || $1 == "quantity" { next }
            $1 == "lambda_sq" && $2 == 1 { l1 = sprintf("%.4g $\\pm$ %.2g", $3, $4) }
            $1 == "lambda_sq" && $2 == 2 { l2 = sprintf("%.4g $\\pm$ %.2g", $3, $4) }
            $1 == "gap_rel" { gap = sprintf("%.3f $\\pm$ %.3f", $3, $4) }
            $1 == "cos_v1_ones_channel" { c = c (c == "" ? "" : ", ") sprintf("%.6f $\\pm$ %.0e", $3, $4) }
            END { printf "%s & %s & %s & %s & %s & %s \\\\\n", ds, norm, l1, l2, gap, c }' \
            "$f" >>"$g/exp-spectra.tex"
    done
    # the eigenvalue bars, redrawn from the committed eigenvalues.csv with the run's own script
    d="$g/exp/spectra-$ds"
    mkdir -p "$d"
    cp "$e/spectra-$ds/raw/eigenvalues.csv" "$e/spectra-$ds/raw/spectrum.gp" "$d/"
    (cd "$d" && "$gp" -e "png='/dev/null'" spectrum.gp)
done

# -- the GD runs: per saved epoch, how close the kernels are to +-v_1 and to +-1 ---------------
: >"$g/exp-gd.tex"
for run in fig12-mnist-gd fig6-cifar10-gd; do
    need "$e/$run/run.txt"
    for f in "$e/$run"/e*_conv1_kernels.csv; do
        ep=$(basename "$f" | sed 's/^e\([0-9]*\)_.*/\1/')
        printf '%s %s\n' "$ep" "$f"
    done | sort -n | while read -r ep f; do
        awk -F, -v run="$run" -v ep="$ep" '
            /^#/ { next }
            $1 == "beta" { for (k = 1; k <= NF; k++) col[$k] = k
                           cv = col["cos_v1"]; co = col["cos_ones_weights"] ? col["cos_ones_weights"] : col["cos_ones"]
                           next }
            { a = $cv < 0 ? -$cv : $cv; o = $co < 0 ? -$co : $co; s += a; so += o; n++
              if (a > 0.9) c9++; if (a > 0.99) c99++ }
            END { printf "%s & %d & %.4f & %d & %d & %.4f (%s) \\\\\n", run, ep, s / n, c9, c99, so / n,
                         col["cos_ones_weights"] ? "W" : "W, b" }' \
            "$f" >>"$g/exp-gd.tex"
    done
    # the cosine matrix D at the last saved epoch, redrawn from its CSV
    last=$(ls "$e/$run"/e*_conv1_D.csv | sed 's/.*\/e\([0-9]*\)_.*/\1/' | sort -n | tail -1)
    cp "$e/$run/e${last}_conv1_D.csv" "$g/exp/$run-D.csv"
    "$gp" -e "csv='$g/exp/$run-D.csv'; out='$g/exp/$run-D.pdf'; ttl='$run, epoch $last'" \
        "$(dirname "$0")/experiments-D.gp"
done

# -- Adam runs (Figs. 10, 11, 3): per convolution layer and saved epoch, the mean |D(u, v)| over
#    pairs of distinct kernels and the share of pairs with |D| > 0.9 (1 when every kernel lies on
#    one line); D of the last saved epoch redrawn for every layer -------------------------------
: >"$g/exp-adam.tex"
for run in fig10-mnist-activations/sigmoid fig10-mnist-activations/relu \
    fig10-mnist-activations/tanh fig11-mnist-deep-mse fig3-cifar10-deep-ce; do
    need "$e/$run/run.txt"
    tag=$(echo "$run" | tr / -)
    for f in "$e/$run"/e*_conv*_D.csv; do
        ep=$(basename "$f" | sed 's/^e\([0-9]*\)_conv\([0-9]*\)_D.csv$/\1 \2/')
        printf '%s %s\n' "$ep" "$f"
    done | sort -n -k1,1 -k2,2 | while read -r ep l f; do
        awk -F, -v run="$run" -v ep="$ep" -v l="$l" '
            /^#/ { next }
            { r++; for (k = 1; k <= NF; k++) if (k != r) { a = $k < 0 ? -$k : $k; s += a; n++; if (a > 0.9) c++ } }
            END { printf "%s & %d & %d & %.3f & %.3f \\\\\n", run, l, ep, s / n, c / n }' \
            "$f" >>"$g/exp-adam.tex"
    done
    last=$(ls "$e/$run"/e*_conv1_D.csv | sed 's/.*\/e\([0-9]*\)_.*/\1/' | sort -n | tail -1)
    for f in "$e/$run"/e"${last}"_conv*_D.csv; do
        l=$(basename "$f" | sed 's/.*_conv\([0-9]*\)_D.csv/\1/')
        cp "$f" "$g/exp/$tag-$l-D.csv"
        "$gp" -e "csv='$g/exp/$tag-$l-D.csv'; out='$g/exp/$tag-$l-D.pdf'; ttl='$run, layer $l, epoch $last'" \
            "$(dirname "$0")/experiments-D.gp"
    done
done
sed -i 's/fig10-mnist-activations\//fig10 /; s/-mnist-deep-mse//; s/-cifar10-deep-ce//' "$g/exp-adam.tex"

# -- FC: the line counts over seeds (lines/lines.csv) and Fig. 3 redrawn ------------------------
need "$e/fc/lines/lines.csv"
awk -F, 'NR > 1 { k = $1 "," $2; if (!(k in n)) order[++m] = k; n[k]++; L[k] = L[k] " " $5; S[k] = S[k] " " $6 }
    END { for (i = 1; i <= m; i++) { split(order[i], p, ","); a = p[2]; gsub(/_/, "\\_", a)
          printf "%s & %s & %d &%s &%s \\\\\n", p[1], a, n[order[i]], L[order[i]], S[order[i]] } }' \
    "$e/fc/lines/lines.csv" >"$g/exp-fc-lines.tex"
rm -rf "$g/exp/fig3-sin1d" && cp -r "$e/fc/fig3-sin1d" "$g/exp/fig3-sin1d"
(cd "$g/exp/fig3-sin1d" && rm -f fig3.png fig3.pdf && "$gp" "$(cd "$e/fc" && pwd)/fig3.gp")
need "$g/exp/fig3-sin1d/fig3.pdf"
