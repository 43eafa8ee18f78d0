#!/usr/bin/env bash
# test_cli_spectrum.sh -- `condense spectrum`: bad usage (exit 2), a bad data directory (exit 1,
# naming the files looked for), synthetic runs (fresh draws and the stored sets of data/), the
# CSV files with their provenance, the plot with and without gnuplot, and real MNIST and
# CIFAR-10 runs at n = 50, T = 2 when ../shared/data exists.
set -u
: "${CONDENSE:?CONDENSE must point at the condense program}"
srcdir=${srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-spectrum-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
run_prefix=()
if [ -n "${VALGRIND:-}" ]; then
    run_prefix=(${LIBTOOL:-libtool} --mode=execute "$VALGRIND" -q --error-exitcode=99
        --leak-check=full --errors-for-leak-kinds=definite,indirect)
fi

check() { # check DESCRIPTION CONDITION...
    local what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}

# expect STATUS PATTERN ARGS...: the program's exit status and a pattern in its output.
expect() {
    local want=$1 pattern=$2
    shift 2
    "${run_prefix[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -eq "$want" ] && grep -Eq -- "$pattern" "$tmp/out" "$tmp/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $* -> exit $got (want $want), pattern '$pattern'"
        tail -n 15 "$tmp/out" | sed 's/^/  out: /'
        tail -n 15 "$tmp/err" | sed 's/^/  err: /'
    fi
}

S=("$CONDENSE" spectrum)
SYN=(--dataset synthetic --size 8x7 --n 12 --trials 3 --top 3)

# ---- bad usage: exit 2 ----
expect 0 'Usage: condense spectrum' "${S[@]}" --help
expect 2 "unknown option '--bogus'" "${S[@]}" --bogus 1
expect 2 "unexpected argument 'extra'" "${S[@]}" extra
expect 2 "option '--n' needs a value" "${S[@]}" --n
expect 2 "--dataset needs mnist" "${S[@]}" --dataset imagenet
expect 2 "--n needs a positive integer" "${S[@]}" --n 0
expect 2 "--m needs a positive integer" "${S[@]}" --m x
expect 2 "--trials needs a positive integer" "${S[@]}" --trials -3
expect 2 "--top needs a positive integer" "${S[@]}" --top 0
expect 2 "--normalize needs raw" "${S[@]}" --normalize zscore
expect 2 "--seed needs an integer" "${S[@]}" --seed 4294967296
expect 2 "--size needs WxH" "${S[@]}" --size 28
expect 2 "--C0 needs a positive integer" "${S[@]}" --C0 0
expect 2 "--c needs a number > 1" "${S[@]}" --c 1
expect 2 "unknown command" "$CONDENSE" spectra

# ---- a bad data directory: exit 1, naming the directory and the files ----
mkdir "$tmp/empty"
expect 1 "t10k-images-idx3-ubyte.*$tmp/empty|$tmp/empty.*t10k-images-idx3-ubyte" \
    "${S[@]}" --dataset mnist --data-dir "$tmp/empty" --n 5 --trials 1
expect 1 "$tmp/empty.*data_batch_" "${S[@]}" --dataset cifar10 --data-dir "$tmp/empty" --n 5
expect 1 "$tmp/empty/x.npy" "${S[@]}" --dataset synthetic --data-dir "$tmp/empty" --n 5
printf 'not an idx file at all' >"$tmp/empty/t10k-images-idx3-ubyte"
cp "$tmp/empty/t10k-images-idx3-ubyte" "$tmp/empty/t10k-labels-idx1-ubyte"
expect 1 "$tmp/empty/t10k-images-idx3-ubyte.*IDX" "${S[@]}" --data-dir "$tmp/empty" --n 5

# ---- synthetic, fresh draws: stdout summary, progress on stderr ----
expect 0 '^cos_v1_ones_all,' "${S[@]}" "${SYN[@]}"
check "progress line per trial with rate and remaining time" \
    grep -Eq 'trial 3/3 done; .* trials/s, about .* s left' "$tmp/err"
check "stdout provenance: version, seed, parameters" \
    grep -q '^# condense .*; spectrum; seed 1; dataset synthetic .*n = 12; m = 3; trials = 3; top = 3' "$tmp/out"
check "three eigenvalue rows" [ "$(grep -c '^lambda_sq,' "$tmp/out")" -eq 3 ]
expect 1 'top = 40' "${S[@]}" "${SYN[@]}" --top 40   # Z is 30 x 10: only 10
expect 1 'cannot draw n = 12' "${S[@]}" --dataset synthetic --data-dir "$srcdir/data/synthetic-16x16x3" --n 12000

# ---- --out: the CSV files, and the plot without gnuplot (a note, not an error) ----
CONDENSE_GNUPLOT=/nonexistent/gnuplot "${run_prefix[@]}" "${S[@]}" "${SYN[@]}" --seed 7 \
    --out "$tmp/s" >"$tmp/out" 2>"$tmp/err"
status=$?
check "synthetic --out exits 0 without gnuplot (status $status)" [ "$status" -eq 0 ]
check "without gnuplot: a visible note" grep -q 'note: gnuplot not found' "$tmp/err"
check "without gnuplot: no PNG" [ ! -e "$tmp/s/spectrum.png" ]
for f in trials.csv summary.csv eigenvalues.csv spectrum.gp; do
    check "$f written with provenance (seed 7)" grep -q '^# condense .*seed 7;' "$tmp/s/$f"
done
check "trials.csv: header and 3 trials" [ "$(grep -cE '^[0-9]+,[0-9]+,' "$tmp/s/trials.csv")" -eq 3 ]
check "trials.csv header" grep -q '^trial,seed,lambda_sq_1,lambda_sq_2,lambda_sq_3,delta_lambda,gap_rel,cos_channel_1,cos_all$' "$tmp/s/trials.csv"
check "no temporary files left" [ -z "$(ls "$tmp/s" | grep '\.tmp$')" ]
# Reproducible: the same seed gives the same numbers (both runs under the same prefix:
# memcheck's floating point differs from the native one in the last bits).
CONDENSE_GNUPLOT=/nonexistent/gnuplot "${run_prefix[@]}" "${S[@]}" "${SYN[@]}" --seed 7 >"$tmp/again" 2>/dev/null
check "same seed, same summary" diff <(grep -v '^#' "$tmp/again") <(grep -v '^#' "$tmp/s/summary.csv")
# A gnuplot that fails is an error.
CONDENSE_GNUPLOT=false "${S[@]}" "${SYN[@]}" --out "$tmp/s" >/dev/null 2>"$tmp/err"
status=$?
check "failing gnuplot: exit 1 (status $status)" [ "$status" -eq 1 ]
check "failing gnuplot: message" grep -q 'gnuplot failed' "$tmp/err"
# --out that cannot be a directory.
: >"$tmp/plainfile"
expect 1 "$tmp/plainfile" "${S[@]}" "${SYN[@]}" --out "$tmp/plainfile"
expect 1 'cannot create directory' "${S[@]}" "${SYN[@]}" --out "$tmp/no/such/dir"

if command -v gnuplot >/dev/null 2>&1; then
    "${S[@]}" "${SYN[@]}" --out "$tmp/g" >/dev/null 2>&1
    check "with gnuplot: spectrum.png" [ -s "$tmp/g/spectrum.png" ]
    check "with gnuplot: spectrum.pdf" grep -q '^%PDF' "$tmp/g/spectrum.pdf"
else
    echo "skipped: gnuplot not installed (plot checks)"
fi

# ---- the stored synthetic sets of data/ (three channels: three channel cosines) ----
expect 0 '^cos_v1_ones_channel,3,' "${S[@]}" --dataset synthetic \
    --data-dir "$srcdir/data/synthetic-16x16x3" --n 10 --trials 2 --top 2
check "stored set: provenance names the files" grep -q 'synthetic-16x16x3/x.npy' "$tmp/out"
in_unit() { awk -F, '/^cos_v1_ones/ { if (!($3 >= -1 && $3 <= 1)) bad = 1 } END { exit bad }' "$1"; }
check "stored set: every cosine in [-1, 1]" in_unit "$tmp/out"
# An independent route (NumPy, when installed): with n = all 32 samples every trial sees the
# whole set, so lambda_j^2 and the cosines are those of Z built from x.npy and y.npy directly.
py=/usr/bin/python3
if [ -x "$py" ] && "$py" -c 'import numpy' 2>/dev/null; then
    "$CONDENSE" spectrum --dataset synthetic --data-dir "$srcdir/data/synthetic-16x16x3" \
        --n 32 --trials 2 --top 4 --m 3 >"$tmp/all.csv" 2>/dev/null
    "$py" - "$srcdir/data/synthetic-16x16x3" "$tmp/all.csv" <<'PY' >"$tmp/np.txt" 2>&1
import sys
import numpy as np
x = np.load(sys.argv[1] + "/x.npy"); y = np.load(sys.argv[1] + "/y.npy")
n, W, H, C = x.shape; m = 3
z = np.tensordot(y, x, axes=1) / n
Z = np.array([np.concatenate([z[u:u + m, v:v + m, a].ravel() for a in range(C)] + [[y.mean()]])
              for u in range(W - m + 1) for v in range(H - m + 1)])
w, V = np.linalg.eigh(Z.T @ Z)
w, V = w[::-1], V[:, ::-1]
v1 = V[:, 0] * np.sign(V[:, 0].sum())
got = {}
for line in open(sys.argv[2]):
    f = line.strip().split(",")
    if f[0] in ("lambda_sq", "cos_v1_ones_channel"): got[(f[0], int(f[1]))] = float(f[2])
ok = all(abs(got[("lambda_sq", j + 1)] - w[j]) <= 1e-10 * w[0] for j in range(4))
for a in range(C):
    b = v1[a * m * m:(a + 1) * m * m]
    ok = ok and abs(got[("cos_v1_ones_channel", a + 1)] - b.sum() / (np.linalg.norm(b) * m)) <= 1e-8
print("numpy agrees" if ok else "numpy DISAGREES: %s %s" % (got, w[:4]))
PY
    check "stored set, n = all: NumPy's eigh of Z^T Z agrees" grep -q '^numpy agrees' "$tmp/np.txt"
    grep -q '^numpy agrees' "$tmp/np.txt" || cat "$tmp/np.txt"
else
    echo "skipped: no NumPy for the independent check"
fi

# ---- real data ----
shared="$srcdir/../shared/data"
if [ -d "$shared/mnist" ] && [ -d "$shared/cifar10" ]; then
    expect 0 '^cos_v1_ones_channel,1,' "${S[@]}" --dataset mnist --data-dir "$shared/mnist" \
        --n 50 --trials 2 --normalize standardize
    check "MNIST: normalization recorded" grep -q 'normalization standardize' "$tmp/out"
    expect 0 '^cos_v1_ones_channel,3,' "${S[@]}" --dataset cifar10 --data-dir "$shared/cifar10" \
        --n 50 --trials 2 --normalize half --out "$tmp/c"
    check "CIFAR-10: 5 eigenvalue rows" [ "$(grep -c '^lambda_sq,' "$tmp/c/summary.csv")" -eq 5 ]
else
    echo "skipped: no ../shared/data"
fi

# Fashion-MNIST from its default directory (Debian's dataset-fashion-mnist), natively only:
# its 60,000 training images are slow to inflate under memcheck.
if [ -d /usr/share/datasets/fashion-mnist ] && [ -z "${VALGRIND:-}" ]; then
    expect 0 '^cos_v1_ones_channel,1,' "${S[@]}" --dataset fashion-mnist --n 50 --trials 2
    check "Fashion-MNIST: default directory recorded" \
        grep -q 'dataset fashion-mnist (/usr/share/datasets/fashion-mnist)' "$tmp/out"
else
    echo "skipped: Fashion-MNIST not installed (or under valgrind)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
