#!/usr/bin/env bash
# doc/experiments/run.sh -- the CNN paper's experiments, reproduced by condense.
#
# Usage: run.sh CONDENSE OUTDIR [NAME ...]
#   CONDENSE  the condense program;  OUTDIR  where each reproduction gets its directory;
#   NAME      run only these (default: all, in the order listed by `run.sh --list`).
# Environment: DATA (default ../shared/data) holds mnist/ and cifar10/ (see data/README.md);
#   SMOKE=1 runs every reproduction at a tiny size (a check that the commands work, used by CI;
#   the numbers mean nothing).
# Every reproduction writes OUTDIR/NAME/run.txt: the command, the condense version, the
# start date and the wall time.  `make experiments` runs this into doc/experiments/.
#
# Learning rates: condense's MSE is eq. (1), R = 1/(2n) sum_i |f_i - y_i|^2, while the paper's
# runs used PyTorch's MSELoss, the mean of the squares over n and the d outputs: its gradient
# is 2/d times ours, so a GD learning rate eta of the paper is --lr 2 eta / d here.  Adam is
# invariant to that scale, so Adam runs use the paper's eta as it is.
set -euo pipefail

if [ "${1:-}" = "--list" ]; then
    echo "spectra-mnist spectra-cifar10 fig12-mnist-gd fig6-cifar10-gd fig13-mnist-gd320"
    echo "fig10-mnist-activations fig11-mnist-deep-mse fig3-cifar10-deep-ce fc"
    
# The FC paper's experiments (doc/experiments/fc/README.md): about 2 minutes, so only the full
# run does them (SMOKE=1 leaves them to tests/test_cli_fc.sh).
if want fc && [ "$smoke" != 1 ]; then
    CONDENSE_MNIST_DIR="$data/mnist" sh "$(dirname "$0")/fc/run.sh" "$condense" "$out/fc"
fi
exit 0
fi
[ $# -ge 2 ] || { echo "usage: $0 CONDENSE OUTDIR [NAME ...]" >&2; exit 2; }
condense=$1
out=$2
shift 2
data=${DATA:-../shared/data}
smoke=${SMOKE:-0}
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($("$0" --list))

for d in mnist cifar10; do
    if [ ! -d "$data/$d" ]; then
        echo "run.sh: skipped: no $data/$d (set DATA to the directory holding mnist/ and cifar10/)" >&2
        
# The FC paper's experiments (doc/experiments/fc/README.md): about 2 minutes, so only the full
# run does them (SMOKE=1 leaves them to tests/test_cli_fc.sh).
if want fc && [ "$smoke" != 1 ]; then
    CONDENSE_MNIST_DIR="$data/mnist" sh "$(dirname "$0")/fc/run.sh" "$condense" "$out/fc"
fi
exit 0
    fi
done

# size N_SMOKE N_FULL: the full value, or the tiny one under SMOKE=1
size() { if [ "$smoke" = 1 ]; then echo "$1"; else echo "$2"; fi; }

# run NAME ARGS...: one reproduction, timed, with its record
run() {
    local name=$1
    shift
    local dir="$out/$name"
    mkdir -p "$dir"
    echo "== $name: condense $*" >&2
    local t0 t1
    t0=$(date +%s.%N)
    "$condense" "$@" --out "$dir"
    t1=$(date +%s.%N)
    {
        echo "command: condense $* --out $dir"
        echo "version: $("$condense" --version)"
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "machine: $(nproc) cores, OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "wall time: %.1f s\n", b - a }'
        if [ "$smoke" = 1 ]; then echo "SMOKE=1: tiny sizes, the numbers mean nothing"; fi
    } >"$dir/run.txt"
}

want() {
    local n
    for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

trials=$(size 2 50)
n=$(size 20 500)

# Fig. 7 / Fig. 14 and the withheld inner products (Sec. 5.4): the top eigenvalues of Z^T Z,
# the gap and cos(v_1 per channel, 1), n = 500 images per trial, m = 3, 50 trials, every
# normalization.
for ds in mnist cifar10; do
    want "spectra-$ds" || continue
    top=10 # Fig. 14: Z has C_0 m^2 + 1 = 10 columns for MNIST; Fig. 7 shows 15 for CIFAR-10
    [ "$ds" = cifar10 ] && top=15
    for norm in raw standardize half; do
        run "spectra-$ds/$norm" spectrum --dataset "$ds" --data-dir "$data/$ds" --n "$n" --m 3 \
            --trials "$trials" --top "$top" --normalize "$norm" --seed 1
    done
done

# Fig. 12: two-layer tanh CNN, 32 kernels, m = 3, GD, MSE, MNIST n = 500, lr 5e-6 (paper),
# gamma = 2, epoch 3600.
want fig12-mnist-gd &&
    run fig12-mnist-gd train --model two-layer --dataset mnist --data-dir "$data/mnist" --n "$n" \
        --channels 32 --m 3 --activation tanh --loss mse --optimizer gd --lr 1e-5 --gamma 2 \
        --epochs "$(size 3 3600)" --save-at "0,$(size 1 1200),$(size 2 2400),$(size 3 3600)" \
        --seed 1

# Fig. 6: the same on CIFAR-10, gamma = 4, epoch 4500.
want fig6-cifar10-gd &&
    run fig6-cifar10-gd train --model two-layer --dataset cifar10 --data-dir "$data/cifar10" \
        --n "$n" --channels 32 --m 3 --activation tanh --loss mse --optimizer gd --lr 1e-5 \
        --gamma 4 --epochs "$(size 3 4500)" \
        --save-at "0,$(size 1 1500),$(size 2 3000),$(size 3 4500)" --seed 1

# Fig. 13: 320 kernels on MNIST, epoch 7000.
want fig13-mnist-gd320 &&
    run fig13-mnist-gd320 train --model two-layer --dataset mnist --data-dir "$data/mnist" \
        --n "$n" --channels "$(size 8 320)" --m 3 --activation tanh --loss mse --optimizer gd \
        --lr 1e-5 --gamma 2 --epochs "$(size 3 7000)" --save-at "0,$(size 3 7000)" --seed 1

# Fig. 10: one convolution layer of 32 kernels, m = 5, then the 1-dimensional output (as the
# caption says), MSE, full-batch Adam, gamma = 2; sigmoid lr 5e-7 epoch 252, ReLU lr 5e-7
# epoch 302, tanh lr 5e-6 epoch 200.
if want fig10-mnist-activations; then
    for spec in sigmoid:5e-7:252 relu:5e-7:302 tanh:5e-6:200; do
        IFS=: read -r act lr ep <<<"$spec"
        ep=$(size 3 "$ep")
        run "fig10-mnist-activations/$act" train --model deep --layers 1 --channels 32 --m 5 \
            --hidden 0 --outputs 1 --loss mse --activation "$act" --optimizer adam --lr "$lr" \
            --gamma 2 --epochs "$ep" --save-at "0,$ep" --dataset mnist --data-dir "$data/mnist" \
            --n "$n" --seed 1
    done
fi

# Fig. 11: three tanh convolution layers of 32, m = 5, hidden 1024 ReLU, 1 output, MSE, Adam
# lr 5e-7, gamma = 2, epoch 100, MNIST.
want fig11-mnist-deep-mse &&
    run fig11-mnist-deep-mse train --model deep --layers 3 --channels 32 --m 5 \
        --hidden "$(size 16 1024)" --outputs 1 --loss mse --activation tanh --optimizer adam \
        --lr 5e-7 --gamma 2 --epochs "$(size 2 100)" --save-at "0,$(size 2 100)" \
        --dataset mnist --data-dir "$data/mnist" --n "$n" --seed 1

# Fig. 3 (the initial stage of Fig. 2): three tanh convolution layers of 32, m = 5, hidden 1024
# ReLU, 10 outputs, cross-entropy, Adam lr 2e-6, gamma = 2, epoch 300, CIFAR-10.
want fig3-cifar10-deep-ce &&
    run fig3-cifar10-deep-ce train --model deep --layers 3 --channels 32 --m 5 \
        --hidden "$(size 16 1024)" --outputs 10 --loss ce --activation tanh --optimizer adam \
        --lr 2e-6 --gamma 2 --epochs "$(size 2 300)" --save-at "0,$(size 1 100),$(size 2 300)" \
        --dataset cifar10 --data-dir "$data/cifar10" --n "$n" --seed 1

# The FC paper's experiments (doc/experiments/fc/README.md): about 2 minutes, so only the full
# run does them (SMOKE=1 leaves them to tests/test_cli_fc.sh).
if want fc && [ "$smoke" != 1 ]; then
    CONDENSE_MNIST_DIR="$data/mnist" sh "$(dirname "$0")/fc/run.sh" "$condense" "$out/fc"
fi
exit 0
