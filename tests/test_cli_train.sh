#!/usr/bin/env bash
# test_cli_train.sh -- `condense train`: small synthetic runs of every optimizer and model whose
# files exist with the right shapes (D symmetric with a unit diagonal), a tiny real-data run
# when ../shared/data exists, the gnuplot step (present, missing, failing), and every class of
# bad usage (exit 2) and failure (exit 1).  Under `make check-valgrind` each run goes through
# memcheck.
set -u
: "${CONDENSE:?CONDENSE must point at the condense program}"
run_prefix=()
if [ -n "${VALGRIND:-}" ]; then
    run_prefix=(${LIBTOOL:-libtool} --mode=execute "$VALGRIND" -q --error-exitcode=99
        --leak-check=full --errors-for-leak-kinds=definite,indirect)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-train-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() { # check DESCRIPTION CONDITION...
    local what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}

# expect STATUS PATTERN ARGS...: condense's exit status and a pattern in stdout+stderr.
expect() {
    local want=$1 pattern=$2
    shift 2
    "${run_prefix[@]}" "$CONDENSE" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -eq "$want" ] && grep -Eq -- "$pattern" "$tmp/out" "$tmp/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: condense $* -> exit $got (want $want), pattern '$pattern'"
        sed 's/^/  out: /' "$tmp/out" | head -20
        sed 's/^/  err: /' "$tmp/err" | head -20
    fi
}

# rows FILE: the number of data rows of a CSV (comment lines '#' and the header excluded).
rows() { grep -v '^#' "$1" | grep -cv '^[a-z]'; }

# D_ok FILE C: C rows of C entries, unit diagonal (|D_bb - 1| <= 1e-12: |u|^2 / (|u| |u|) is
# 1 up to a few ulps) and symmetric (D is computed entry by entry: |D_ab - D_ba| <= 1e-12).
D_ok() {
    awk -F, -v C="$2" '
        /^#/ { next }
        { r++; if (NF != C) bad = 1; for (j = 1; j <= NF; j++) D[r, j] = $j }
        END {
            if (r != C) bad = 1
            for (a = 1; a <= C; a++) {
                if (D[a, a] < 1 - 1e-12 || D[a, a] > 1 + 1e-12) bad = 1
                for (b = 1; b <= C; b++) {
                    d = D[a, b] - D[b, a]
                    if (d > 1e-12 || d < -1e-12 || D[a, b] < -1 - 1e-12 || D[a, b] > 1 + 1e-12) bad = 1
                }
            }
            exit bad
        }' "$1"
}

# npy_shape FILE SHAPE: the .npy header records that shape, e.g. "(3, 3, 3, 4)".
npy_shape() { head -c 128 "$1" | grep -aqF "'shape': $2"; }

# --- help
expect 0 'Usage: condense train' train --help
expect 0 'train ' --help

# --- a two-layer GD run on synthetic data (seconds): every file, the right shapes
out=$tmp/gd
expect 0 'epoch 6/6' train --out "$out" --n 12 --size 7x6 --C0 2 --channels 5 --epochs 6 \
    --lr 0.01 --gamma 1 --save-at 0,3,6 --no-plot
check "loss.csv: epochs + 1 rows" [ "$(rows "$out/loss.csv")" -eq 7 ]
check "loss.csv: header" grep -q '^epoch,t,loss,accuracy$' "$out/loss.csv"
check "loss.csv records version, seed, parameters" \
    grep -q '^# condense .* -- train; seed 1$' "$out/loss.csv"
check "loss.csv records the normalization" grep -q 'normalization' "$out/loss.csv"
check "meta.txt written" grep -q 'optimizer gd, lr 0.01, epochs 6' "$out/meta.txt"
for e in 0 3 6; do
    check "epoch $e: D 5 x 5, symmetric, unit diagonal" D_ok "$out/e${e}_conv1_D.csv" 5
    check "epoch $e: kernels.csv 5 rows" [ "$(rows "$out/e${e}_conv1_kernels.csv")" -eq 5 ]
    check "epoch $e: W (3, 3, 2, 5)" npy_shape "$out/e${e}_conv1_W.npy" "(3, 3, 2, 5)"
    check "epoch $e: b (5,)" npy_shape "$out/e${e}_conv1_b.npy" "(5,)"
    check "epoch $e: a = V (1, 100)" npy_shape "$out/e${e}_out_V.npy" "(1, 100)"
done
check "two-layer: no output bias" [ ! -e "$out/e6_out_v.npy" ]
check "kernels.csv: columns" grep -q '^beta,cos_ones,amplitude,cos_ones_weights,cos_v1$' \
    "$out/e6_conv1_kernels.csv"
# the cosines are cosines: every one in [-1, 1] (and not NaN)
awk -F, '/^[0-9]/ { for (k = 4; k <= 5; k++) if (!($k >= -1 && $k <= 1)) bad = 1 } END { exit bad }' \
    "$out/e6_conv1_kernels.csv"
check "kernels.csv: cos with 1 and with v_1 in [-1, 1]" [ $? -eq 0 ]
# an independent route for cos_ones_weights and cos_ones: NumPy on the saved W and b (when
# Debian's python3 has numpy), to 1e-12
PY=/usr/bin/python3
if [ -x "$PY" ] && "$PY" -c 'import numpy' 2>/dev/null; then
    "$PY" - "$out" <<'PYEOF'
import sys, numpy as np
d = sys.argv[1]
W = np.load(d + "/e6_conv1_W.npy"); b = np.load(d + "/e6_conv1_b.npy")
rows = [l.split(",") for l in open(d + "/e6_conv1_kernels.csv") if l[0].isdigit()]
for beta, r in enumerate(rows):
    w = W[..., beta].ravel()
    full = np.append(w, b[beta])
    cw = w.sum() / (np.linalg.norm(w) * np.sqrt(w.size))
    c1 = full.sum() / (np.linalg.norm(full) * np.sqrt(full.size))
    assert abs(cw - float(r[3])) <= 1e-12 and abs(c1 - float(r[1])) <= 1e-12, (beta, cw, c1, r)
PYEOF
    check "kernels.csv: cos with 1 (weights; weights and bias) = NumPy's to 1e-12" [ $? -eq 0 ]
else
    echo "skipped: NumPy check of kernels.csv (no numpy in /usr/bin/python3)"
fi
check "plot.gp written" grep -qF "e6_conv1_D.csv' matrix" "$out/plot.gp"
# GD decreases the loss at this small step
awk -F, '!/^#/ && /^[0-9]/ { l[$1] = $3 } END { exit !(l[6] < l[0]) }' "$out/loss.csv"
check "GD lowers the loss" [ $? -eq 0 ]

# --- the deep model with Adam, cross-entropy, d = 3 classes, hidden layer
out=$tmp/deep
expect 0 'epoch 3/3' train --model deep --out "$out" --n 8 --size 9x9 --C0 1 --layers 2 \
    --channels 3 --m 3 --hidden 6 --outputs 3 --epochs 3 --lr 1e-3 --no-plot
check "deep: D of layer 2 3 x 3" D_ok "$out/e3_conv2_D.csv" 3
check "deep: U (6, 75)" npy_shape "$out/e3_hidden_U.npy" "(6, 75)"
check "deep: c (6,)" npy_shape "$out/e3_hidden_c.npy" "(6,)"
check "deep: V (3, 6)" npy_shape "$out/e3_out_V.npy" "(3, 6)"
check "deep: v (3,)" npy_shape "$out/e3_out_v.npy" "(3,)"
check "deep: conv2 W (3, 3, 3, 3)" npy_shape "$out/e3_conv2_W.npy" "(3, 3, 3, 3)"
# softmax MSE with d = 2 and GD
expect 0 'epoch 2/2' train --out "$tmp/smse" --n 6 --size 5x5 --C0 1 --channels 2 --outputs 2 \
    --loss mse --optimizer gd --epochs 2 --lr 0.1 --no-plot --model deep --model two-layer \
    --layers 1 --hidden 0
check "softmax MSE: d = 2 outputs of the two-layer model" npy_shape "$tmp/smse/e2_out_V.npy" "(2, 18)"

# --- the real flow of the two-layer model
out=$tmp/flow
expect 0 'epoch 4/4' train --optimizer flow --out "$out" --n 6 --size 6x6 --C0 1 --channels 3 \
    --epochs 4 --lr 0.5 --gamma 1.5 --no-plot
check "flow: loss.csv 5 rows" [ "$(rows "$out/loss.csv")" -eq 5 ]
check "flow: D" D_ok "$out/e4_conv1_D.csv" 3

# --- gnuplot: used when present; missing or failing is a note, not an error
if [ -z "${VALGRIND:-}" ]; then
    if command -v gnuplot >/dev/null 2>&1; then
        expect 0 'figures \(PNG and PDF\)' train --out "$tmp/plot" --n 4 --size 5x5 --C0 1 \
            --channels 2 --epochs 2 --lr 0.01
        check "loss.png made" [ -s "$tmp/plot/loss.png" ]
        check "D heatmap PDF made" [ -s "$tmp/plot/e2_conv1_D.pdf" ]
        check "kernels PNG made" [ -s "$tmp/plot/e2_conv1_kernels.png" ]
    else
        echo "skipped: gnuplot not installed"
    fi
fi
CONDENSE_GNUPLOT=/nonexistent/gnuplot expect 0 'note: .*not found' train --out "$tmp/np" \
    --n 4 --size 5x5 --C0 1 --channels 2 --epochs 1 --lr 0.01
CONDENSE_GNUPLOT=false expect 0 'note: .*exited with status 1' train --out "$tmp/np" --n 4 \
    --size 5x5 --C0 1 --channels 2 --epochs 1 --lr 0.01

# --- a stored .npy set (data/): all of it, and 10 samples of it by seed with 3 classes
stored=${srcdir:-$(dirname "$0")/..}/data/synthetic-16x16x1
expect 0 'epoch 2/2' train --dataset npy --data-dir "$stored" --out "$tmp/npy" --channels 3 \
    --epochs 2 --lr 0.01 --no-plot
check "npy: every stored sample" grep -q 'data npy, .*n = 64, 16 x 16 x 1, normalization as stored' "$tmp/npy/loss.csv"
expect 0 'epoch 2/2' train --dataset npy --data-dir "$stored" --n 10 --outputs 3 --loss ce \
    --out "$tmp/npy10" --channels 3 --epochs 2 --lr 0.01 --no-plot
check "npy: 10 samples" grep -q 'n = 10, 16 x 16 x 1' "$tmp/npy10/loss.csv"
expect 2 'npy needs --data-dir' train --out "$tmp/x" --dataset npy
expect 1 'error: .*x.npy' train --out "$tmp/x" --dataset npy --data-dir "$tmp/nowhere"

# --- a tiny real-data run
data=$(dirname "$CONDENSE")/../shared/data
if [ -d "$data" ]; then
    if [ -d "$data/cifar10" ]; then
        expect 0 'epoch 2/2' train --dataset cifar10 --data-dir "$data/cifar10" --n 20 \
            --channels 4 --epochs 2 --lr 1e-3 --normalize half --out "$tmp/cifar" --no-plot
        check "cifar10: W (3, 3, 3, 4)" npy_shape "$tmp/cifar/e2_conv1_W.npy" "(3, 3, 3, 4)"
        check "cifar10: records the normalization" grep -q 'cifar10.*n = 20, 32 x 32 x 3, normalization half' "$tmp/cifar/loss.csv"
    fi
    if [ -d "$data/mnist" ]; then
        expect 0 'epoch 2/2' train --dataset mnist --data-dir "$data/mnist" --n 20 \
            --channels 4 --outputs 10 --loss ce --epochs 2 --lr 1e-3 --out "$tmp/mnist" --no-plot
        check "mnist: D 4 x 4" D_ok "$tmp/mnist/e2_conv1_D.csv" 4
    fi
else
    echo "skipped: no ../shared/data"
fi

# --- bad usage: exit 2
expect 2 'needs --out' train
expect 2 "unknown option '--bogus'" train --out "$tmp/x" --bogus 1
expect 2 'unexpected argument' train --out "$tmp/x" extra
expect 2 'needs a value' train --out
expect 2 '--model needs' train --out "$tmp/x" --model wide
expect 2 '--layers needs' train --out "$tmp/x" --layers 0
expect 2 '--hidden needs' train --out "$tmp/x" --hidden -1
expect 2 '--optimizer needs' train --out "$tmp/x" --optimizer sgd
expect 2 '--lr needs' train --out "$tmp/x" --lr 0
expect 2 '--gamma needs' train --out "$tmp/x" --gamma x
expect 2 '--sigma2 needs' train --out "$tmp/x" --sigma2 -1
expect 2 '--seed needs' train --out "$tmp/x" --seed -3
expect 2 '--save-at needs' train --out "$tmp/x" --save-at 1,,2
expect 2 '--save-at needs' train --out "$tmp/x" --save-at 1x
expect 2 'beyond --epochs' train --out "$tmp/x" --epochs 5 --save-at 6
expect 2 '--size needs' train --out "$tmp/x" --size 5
expect 2 'real flow of the two-layer' train --out "$tmp/x" --optimizer flow --hidden 4
expect 2 'unknown activation|activation' train --out "$tmp/x" --activation nope
expect 2 'unknown loss' train --out "$tmp/x" --loss hinge
expect 2 'cross-entropy needs' train --out "$tmp/x" --loss ce --n 4 --epochs 1
expect 2 'dataset|unknown' train --out "$tmp/x" --dataset imagenet
expect 2 'normalization|unknown' train --out "$tmp/x" --dataset mnist --normalize zscore
expect 2 'exceeds' train --out "$tmp/x" --size 4x4 --m 5 --n 2 --epochs 1

# --- failures: exit 1 with a message
expect 1 'cannot create directory' train --out "$tmp/no/such/dir" --n 2 --epochs 1
touch "$tmp/file"
expect 1 'error: .*meta.txt' train --out "$tmp/file" --n 2 --size 5x5 --epochs 1
expect 1 'error: .*' train --out "$tmp/x" --dataset mnist --data-dir "$tmp/nowhere" --n 2
expect 1 'not finite' train --out "$tmp/x" --n 4 --size 5x5 --C0 1 --channels 2 --epochs 50 \
    --lr 1e300 --gamma 0 --no-plot

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
