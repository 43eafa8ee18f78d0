#!/usr/bin/env bash
# test_cli_sweep.sh -- `condense sweep`: bad usage, a tiny serial sweep of each kind, rows
# against `condense flow` and `condense spectrum`, resuming after an interruption (a partial
# last line, rows out of order, a killed process), and, when condense was built with MPI and
# mpirun exists, the same sweep under mpirun -np 2 compared byte for byte with the serial file.
set -u
: "${CONDENSE:?CONDENSE must point at the condense program}"
top=$(dirname "$CONDENSE")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-sweep-XXXXXX")
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

# The tiny instance: 4 images of 4 x 4, m = 2, 6 sampled times.
tiny=(--n 4 --size 4x4 --m 2 --times 6)
rows() { grep -vE '^(#|run,)' "$1"; }

# ---- bad usage: exit 2 ----------------------------------------------------------------------
# Under memcheck only the first few run under Valgrind (each start costs seconds there).
saved_prefix=("${run_prefix[@]}")
expect 0 'Usage: condense sweep' "$CONDENSE" sweep --help
expect 0 'sup_rel_change_t0_bar' "$CONDENSE" sweep --help
expect 2 '--run .* is required' "$CONDENSE" sweep --out "$tmp/x.csv"
expect 2 '--out FILE is required' "$CONDENSE" sweep --run flow
expect 2 '--run needs' "$CONDENSE" sweep --run walk --out "$tmp/x.csv"
expect 2 '--M needs a comma list' "$CONDENSE" sweep --run flow --M 4,,8 --out "$tmp/x.csv"
expect 2 '--M needs a comma list' "$CONDENSE" sweep --run flow --M 0 --out "$tmp/x.csv"
run_prefix=()
expect 2 '--gamma needs a comma list' "$CONDENSE" sweep --run flow --gamma 2,x --out "$tmp/x.csv"
expect 2 'gamma > 1' "$CONDENSE" sweep --run flow --gamma 2,1 --out "$tmp/x.csv"
expect 2 'not both' "$CONDENSE" sweep --run flow --gamma 2 --eps 0.1 --out "$tmp/x.csv"
expect 2 'Assumption 3' "$CONDENSE" sweep --run flow --eps 0.5 --M 16 --out "$tmp/x.csv"
expect 2 'Assumption 1' "$CONDENSE" sweep --run theorem1 --activation xtanh --out "$tmp/x.csv"
expect 2 'unknown activation' "$CONDENSE" sweep --run flow --activation tanh,nope --out "$tmp/x.csv"
expect 2 '--activation needs' "$CONDENSE" sweep --run flow --activation tanh, --out "$tmp/x.csv"
expect 2 '--seed needs a comma' "$CONDENSE" sweep --run flow --seed , --out "$tmp/x.csv"
expect 2 '--seed needs integers' "$CONDENSE" sweep --run flow --seed 1,-2 --out "$tmp/x.csv"
expect 2 '--trials needs' "$CONDENSE" sweep --run flow --trials 0 --out "$tmp/x.csv"
expect 2 '--n needs' "$CONDENSE" sweep --run flow --n 0 --out "$tmp/x.csv"
expect 2 '--size needs' "$CONDENSE" sweep --run flow --size 4 --out "$tmp/x.csv"
expect 2 '--C0 needs' "$CONDENSE" sweep --run flow --C0 0 --out "$tmp/x.csv"
expect 2 '--c needs' "$CONDENSE" sweep --run flow --c 1 --out "$tmp/x.csv"
expect 2 '--times needs' "$CONDENSE" sweep --run flow --times 1 --out "$tmp/x.csv"
expect 2 '--t-end needs' "$CONDENSE" sweep --run flow --t-end 0 --out "$tmp/x.csv"
expect 2 '--path needs' "$CONDENSE" sweep --run flow --path slow --out "$tmp/x.csv"
expect 2 '--data is for' "$CONDENSE" sweep --run flow --data "$tmp" --out "$tmp/x.csv"
expect 2 'does not use' "$CONDENSE" sweep --run spectrum --M 4,8 --out "$tmp/x.csv"
expect 2 'does not fit' "$CONDENSE" sweep --run flow --m 7 --out "$tmp/x.csv"
expect 2 "unknown option '--bogus'" "$CONDENSE" sweep --run flow --bogus 1 --out "$tmp/x.csv"
expect 2 'unexpected argument' "$CONDENSE" sweep --run flow extra
expect 2 'needs a value' "$CONDENSE" sweep --run flow --out
check "bad usage wrote no file" [ ! -e "$tmp/x.csv" ]
run_prefix=("${saved_prefix[@]}")

# ---- a tiny serial sweep ----------------------------------------------------------------------
grid=(--M 4,8 --gamma 2,4 --trials 2)
expect 0 '8/8 runs done.*runs/min, about' "$CONDENSE" sweep --run flow "${grid[@]}" "${tiny[@]}" \
    --out "$tmp/a.csv"
check "flow sweep: 8 rows" [ "$(rows "$tmp/a.csv" | wc -l)" -eq 8 ]
check "flow sweep: provenance (version, seeds, grid)" \
    grep -q '^# condense .*; sweep --run flow; base seeds 1; trials 2; .*gamma 2,4; M 4,8 (8 runs)' \
    "$tmp/a.csv"
check "flow sweep: the header" grep -q '^run,activation,m,gamma,eps,M,seed,trial,seed_run,lambda_1,' \
    "$tmp/a.csv"
# grid order: gamma outer, then M, then trial
order=$(rows "$tmp/a.csv" | cut -d, -f4,6,8 | tr '\n' ' ')
check "flow sweep: grid order ($order)" [ "$order" = "2,4,1 2,4,2 2,8,1 2,8,2 4,4,1 4,4,2 4,8,1 4,8,2 " ]
# A row against `condense flow` with the same seed: sup of lin_dev over its rows.
row=$(rows "$tmp/a.csv" | awk -F, '$4 == 4 && $6 == 8 && $8 == 2')
seed_run=$(echo "$row" | cut -d, -f9)
"${run_prefix[@]}" "$CONDENSE" flow --M 8 --gamma 4 --seed "$seed_run" "${tiny[@]}" \
    --out "$tmp/flow.csv" >/dev/null 2>&1
want=$(awk -F, '/^[0-9]/ { if ($9 + 0 > s) s = $9 + 0 } END { printf "%.17g", s }' "$tmp/flow.csv")
got=$(echo "$row" | cut -d, -f14)
same() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0 && a != "") }'; }
check "flow row = sup lin_dev of condense flow --seed $seed_run ($got vs $want)" same "$got" "$want"

# Two base seeds: one row each, in grid order.
"${run_prefix[@]}" "$CONDENSE" sweep --run flow --M 4 --seed 2,3 "${tiny[@]}" --out "$tmp/seeds.csv" \
    >"$tmp/out" 2>&1
check "two base seeds: rows of seed 2 and 3" [ "$(rows "$tmp/seeds.csv" | cut -d, -f7 | tr '\n' ' ')" = "2 3 " ]

# theorem1 with eps, and spectrum against `condense spectrum`.
"${run_prefix[@]}" "$CONDENSE" sweep --run theorem1 --M 8,16 --eps 0.01 "${tiny[@]}" \
    --out "$tmp/t.csv" >"$tmp/out" 2>&1
check "theorem1 sweep with --eps: 2 rows" [ "$(rows "$tmp/t.csv" | wc -l)" -eq 2 ]
check "theorem1 sweep: eps column 0.01" [ "$(rows "$tmp/t.csv" | cut -d, -f5 | sort -u)" = 0.01 ]
"${run_prefix[@]}" "$CONDENSE" sweep --run spectrum --m 2,3 --trials 3 --n 6 --size 6x6 \
    --out "$tmp/s.csv" >"$tmp/out" 2>&1
check "spectrum sweep: 6 rows" [ "$(rows "$tmp/s.csv" | wc -l)" -eq 6 ]
"${run_prefix[@]}" "$CONDENSE" spectrum --dataset synthetic --m 3 --trials 3 --n 6 --size 6x6 \
    --out "$tmp/sp" >/dev/null 2>&1
want=$(awk -F, '/^[0-9]/ { print $1 "," $2 "," $8 }' "$tmp/sp/trials.csv" | tr '\n' ' ')
got=$(rows "$tmp/s.csv" | awk -F, '$3 == 3 { print $8 "," $9 "," $12 }' | tr '\n' ' ')
check "spectrum rows: seeds and Delta lambda of condense spectrum ($got vs $want)" [ "$got" = "$want" ]
if [ -f "$top/data/synthetic-16x16x1/x.npy" ] || [ -f "$(dirname "$0")/../data/synthetic-16x16x1/x.npy" ]; then
    dir="$(dirname "$0")/../data/synthetic-16x16x1"
    [ -f "$dir/x.npy" ] || dir="$top/data/synthetic-16x16x1"
    expect 0 '2/2 runs done' "$CONDENSE" sweep --run spectrum --data "$dir" --n 8 --trials 2 \
        --out "$tmp/d.csv"
    check "spectrum of a stored set: provenance" grep -q 'stored set' "$tmp/d.csv"
fi
expect 1 'error' "$CONDENSE" sweep --run spectrum --data "$tmp/none" --out "$tmp/d2.csv"

# ---- resuming ---------------------------------------------------------------------------------
# A file cut in the middle of its fourth row: three rows are kept, the partial one redone.
{ grep -E '^(#|run,)' "$tmp/a.csv"; rows "$tmp/a.csv" | head -n 3; rows "$tmp/a.csv" | sed -n 4p | head -c 25; } >"$tmp/b.csv"
expect 0 'has 3 of the 8 runs already' "$CONDENSE" sweep --run flow "${grid[@]}" "${tiny[@]}" \
    --out "$tmp/b.csv"
check "resumed after a partial line: identical file" cmp -s "$tmp/a.csv" "$tmp/b.csv"
# Rows out of order and a duplicate: the rewrite puts them in grid order.
{ grep -E '^(#|run,)' "$tmp/a.csv"; rows "$tmp/a.csv" | tac; rows "$tmp/a.csv" | head -n 1; } >"$tmp/c.csv"
expect 0 'has 8 of the 8 runs already' "$CONDENSE" sweep --run flow "${grid[@]}" "${tiny[@]}" \
    --out "$tmp/c.csv"
check "rows out of order: identical file after the rewrite" cmp -s "$tmp/a.csv" "$tmp/c.csv"
# A file of another sweep kind, or with rows of another grid, is refused (exit 1).
cp "$tmp/a.csv" "$tmp/e.csv"
expect 1 'another kind' "$CONDENSE" sweep --run theorem1 "${grid[@]}" "${tiny[@]}" --out "$tmp/e.csv"
expect 1 'not in the grid' "$CONDENSE" sweep --run flow --M 4 --gamma 2,4 --trials 2 "${tiny[@]}" \
    --out "$tmp/e.csv"
expect 1 'other settings \(data synthetic n = 4.*times 6' "$CONDENSE" sweep --run flow "${grid[@]}" \
    --n 4 --size 4x4 --m 2 --times 7 --out "$tmp/e.csv"
check "a refused file is left as it was" cmp -s "$tmp/a.csv" "$tmp/e.csv"
expect 1 'error' "$CONDENSE" sweep --run flow "${grid[@]}" "${tiny[@]}" --out "$tmp/no/such/f.csv"

if [ -z "${VALGRIND:-}" ]; then
    # A killed sweep (SIGKILL once a row is in the file) restarted: the same file as one run.
    big=(--M 4,8,16,32 --gamma 2,3,4 --trials 3 "${tiny[@]}")
    "$CONDENSE" sweep --run flow "${big[@]}" --out "$tmp/full.csv" 2>/dev/null
    "$CONDENSE" sweep --run flow "${big[@]}" --out "$tmp/k.csv" 2>/dev/null &
    pid=$!
    for _ in $(seq 1 200); do
        [ "$(rows "$tmp/k.csv" 2>/dev/null | wc -l)" -ge 2 ] && break
        sleep 0.02
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    before=$(rows "$tmp/k.csv" | wc -l)
    "$CONDENSE" sweep --run flow "${big[@]}" --out "$tmp/k.csv" 2>"$tmp/err"
    check "killed after $before rows and restarted: exit 0" [ $? -eq 0 ]
    check "killed and restarted: identical to the uninterrupted file" cmp -s "$tmp/full.csv" "$tmp/k.csv"

    # ---- MPI -----------------------------------------------------------------------------------
    if grep -q '^#define CONDENSE_MPI 1' "$top/config.h" 2>/dev/null && command -v mpirun >/dev/null; then
        mpi=(mpirun -np 2 --oversubscribe)
        if [ "$(id -u)" -eq 0 ]; then
            mpi+=(--allow-run-as-root)
            export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        fi
        OMP_NUM_THREADS=1 "${mpi[@]}" "$CONDENSE" sweep --run flow "${big[@]}" --out "$tmp/mpi.csv" \
            >"$tmp/out" 2>&1
        check "mpirun -np 2 sweep exits 0" [ $? -eq 0 ]
        check "mpirun -np 2: identical to the serial file" cmp -s "$tmp/full.csv" "$tmp/mpi.csv"
        # resuming under MPI from a partial serial file
        { grep -E '^(#|run,)' "$tmp/full.csv"; rows "$tmp/full.csv" | head -n 5; } >"$tmp/mpi2.csv"
        OMP_NUM_THREADS=1 "${mpi[@]}" "$CONDENSE" sweep --run flow "${big[@]}" --out "$tmp/mpi2.csv" \
            >"$tmp/out" 2>&1
        check "mpirun -np 2 resumed: identical to the serial file" cmp -s "$tmp/full.csv" "$tmp/mpi2.csv"
        OMP_NUM_THREADS=1 "${mpi[@]}" "$CONDENSE" sweep --run theorem1 "${big[@]}" \
            --out "$tmp/full.csv" >"$tmp/out" 2>&1
        check "mpirun -np 2 on a file of another kind: exit 1" [ $? -eq 1 ]
    else
        echo "skipped: no MPI build (or no mpirun)"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
