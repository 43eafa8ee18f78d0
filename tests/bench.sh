#!/usr/bin/env bash
# bench.sh -- `make bench`: condense's direct and fast paths beside PyTorch, in one run on one
# machine.  A benchmark, never a test: nothing asserts a time.  Each configuration runs in its
# own process (tests/bench.c, tests/bench_torch.py) so that each peak RSS is its own; their
# `key=value` lines are collected and `bench report` prints the table and writes the CSV.
#
# Environment:
#   CONDENSE_BENCH   the built bench program (required)
#   TOP_SRCDIR       the source directory, for tests/bench_torch.py (required)
#   OMP_NUM_THREADS  threads for condense and torch.set_num_threads (default: nproc)
#   CONDENSE_BENCH_SEED           seed of the data and the parameters (default 1)
#   CONDENSE_BENCH_DIRECT_BUDGET  seconds the direct GD path may spend per M (default 300);
#                                 fewer than 10 steps are timed when it would take longer
#   CONDENSE_BENCH_CSV            where the CSV goes (default ./bench-results.csv)
#   CONDENSE_BENCH_NO_INSTALL=1   never install python3-torch (torch columns become n/a)
#   PYTHON                        a Python with torch and numpy to try first
set -eu
: "${CONDENSE_BENCH:?CONDENSE_BENCH must point at the built bench program}"
: "${TOP_SRCDIR:?TOP_SRCDIR must point at the source directory}"

start=$(date +%s)
THREADS=${OMP_NUM_THREADS:-$(nproc)}
export OMP_NUM_THREADS=$THREADS
SEED=${CONDENSE_BENCH_SEED:-1}
STEPS=10
DIRECT_BUDGET=${CONDENSE_BENCH_DIRECT_BUDGET:-300}
CSV=${CONDENSE_BENCH_CSV:-$PWD/bench-results.csv}
TORCH_SCRIPT=$TOP_SRCDIR/tests/bench_torch.py

tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results.txt
mkdir -p "$tmp/flow"
: >"$results"
failed=0

say() { echo "bench: $*" >&2; }
record() { echo "$1" >>"$results"; }

# run PREFIX CMD...: one configuration in its own process; its key=value lines go to the
# results.  A failure is reported, recorded as PREFIX.na and remembered for the exit status.
run() {
    local prefix=$1 t0 rc=0
    shift
    t0=$(date +%s)
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    cat "$tmp/out" >>"$results"
    if [ "$rc" -ne 0 ]; then
        say "$prefix FAILED (exit $rc):"
        sed 's/^/    /' "$tmp/err" >&2
        record "$prefix.na=failed (exit $rc)"
        failed=1
        return 1
    fi
    say "$prefix done in $(($(date +%s) - t0)) s"
}

# A Python that imports torch and numpy: $PYTHON, then python3 on PATH, then Debian's own
# /usr/bin/python3 (python3-torch installs for it only, so a python3 earlier on PATH, e.g.
# pyenv's, does not see it).
find_python() {
    local py
    for py in "${PYTHON:-}" python3 /usr/bin/python3; do
        [ -n "$py" ] || continue
        command -v "$py" >/dev/null 2>&1 || continue
        if "$py" -c 'import torch, numpy' >/dev/null 2>&1; then
            echo "$py"
            return 0
        fi
    done
    return 1
}

install_torch() {
    local sudo=()
    if [ "${CONDENSE_BENCH_NO_INSTALL:-0}" = 1 ]; then
        say "torch not found and CONDENSE_BENCH_NO_INSTALL=1: the torch columns will be n/a"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            say "torch not found, and python3-torch cannot be installed (not root, no sudo" \
                "without a password): the torch columns will be n/a"
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "torch not found and there is no apt-get: the torch columns will be n/a"
        return 1
    fi
    say "installing python3-torch for the benchmark only (Debian's package, with apt-get;" \
        "log in $tmp/apt.log)"
    if ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch \
        >"$tmp/apt.log" 2>&1 ||
        { ${sudo[@]+"${sudo[@]}"} apt-get update >>"$tmp/apt.log" 2>&1 &&
            ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch \
                >>"$tmp/apt.log" 2>&1; }; then
        return 0
    fi
    say "installing python3-torch failed (last lines of the log below): the torch columns" \
        "will be n/a"
    tail -5 "$tmp/apt.log" | sed 's/^/    /' >&2
    return 1
}

PY=
if PY=$(find_python); then
    :
elif install_torch && PY=$(find_python); then
    :
else
    PY=
fi

# ---- provenance ---------------------------------------------------------------------------
record "info.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
record "info.cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: *//' ||
    echo unknown), $(nproc) cores"
run info "$CONDENSE_BENCH" info || true
if [ -n "$PY" ]; then
    run torch-info "$PY" "$TORCH_SCRIPT" info "$THREADS" || true
else
    record "info.torch=n/a (not installed)"
fi
say "threads $THREADS, seed $SEED, python ${PY:-none}"

# ---- 1. GD steps, and the dgemm reference -------------------------------------------------
run prepare "$CONDENSE_BENCH" prepare "$tmp/gd" "$SEED" || {
    say "cannot prepare the data: stopping"
    exit 1
}
run dgemm "$CONDENSE_BENCH" dgemm 1024 5 || true
for M in 32 320; do
    run "gd.fast.$M" "$CONDENSE_BENCH" gd "$tmp/gd" "$M" fast "$STEPS" 1e9 || true
    if [ -n "$PY" ]; then
        run "gd.torch.$M" "$PY" "$TORCH_SCRIPT" gd "$tmp/gd" "$M" "$STEPS" "$THREADS" || true
    else
        record "gd.torch.$M.na=torch not available"
    fi
    run "gd.direct.$M" "$CONDENSE_BENCH" gd "$tmp/gd" "$M" direct "$STEPS" "$DIRECT_BUDGET" ||
        true
    # compare TAG A B: both must have saved their parameters after all STEPS steps.
    for pair in fast:torch direct:fast; do
        a=${pair%%:*}
        b=${pair#*:}
        tag="${a}_${b}.$M"
        if [ -d "$tmp/gd/out-$a-M$M" ] && [ -d "$tmp/gd/out-$b-M$M" ]; then
            run "cmp.$tag" "$CONDENSE_BENCH" compare "$tag" "$tmp/gd/init-M$M" \
                "$tmp/gd/out-$a-M$M" "$tmp/gd/out-$b-M$M" || true
        else
            for side in "$a" "$b"; do
                [ ! -d "$tmp/gd/out-$side-M$M" ] || continue
                if [ "$side" = torch ] && [ -z "$PY" ]; then
                    record "cmp.$tag.na=torch not available"
                elif grep -q "^gd\.$side\.$M\.na=" "$results"; then
                    record "cmp.$tag.na=$side failed"
                else
                    record "cmp.$tag.na=$side ran fewer than $STEPS steps on all samples\
 (CONDENSE_BENCH_DIRECT_BUDGET or the 60 s subset rule)"
                fi
                break
            done
        fi
    done
done

# ---- 2. the real flow of the verification instance ----------------------------------------
for M in 256 4096; do
    for path in direct fast; do
        run "flow.$path.$M" "$CONDENSE_BENCH" flow "$tmp/flow" "$M" "$path" || true
    done
    if [ -d "$tmp/flow/flow-out-fast-M$M" ] && [ -d "$tmp/flow/flow-out-direct-M$M" ]; then
        run "cmp.flow.$M" "$CONDENSE_BENCH" compare "flow.$M" "$tmp/flow/flow-init-M$M" \
            "$tmp/flow/flow-out-fast-M$M" "$tmp/flow/flow-out-direct-M$M" || true
    fi
done

# ---- the table and the CSV ----------------------------------------------------------------
"$CONDENSE_BENCH" report "$results" "$CSV"
say "total $(($(date +%s) - start)) s"
if [ "$failed" -ne 0 ]; then
    say "some configurations failed (see above)"
    exit 1
fi
