#!/usr/bin/env bash
# test_cli_fc.sh -- `condense fc` (the FC paper's experiments): bad usage exits 2, small runs
# write every file with the stated shapes, the 1-d tanh run condenses on one line.  Under
# `make check-valgrind` the commands run under memcheck.
set -u
: "${CONDENSE:?CONDENSE must point at the condense program}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-fc-XXXXXX")
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

# data rows (lines not starting with #) and the number of fields of the first one
rows() { grep -vc '^#' "$1"; }
cols() { grep -v '^#' "$1" | head -n 1 | awk -F, '{print NF}'; }

# ---- bad usage ----
expect 0 'Usage: condense fc' "$CONDENSE" fc --help
expect 0 'fc  ' "$CONDENSE" --help
expect 2 'unknown target' "$CONDENSE" fc --target nope
expect 2 'unknown activation|valid' "$CONDENSE" fc --activation nope
expect 2 '--optimizer needs' "$CONDENSE" fc --optimizer sgd
expect 2 '--steps needs' "$CONDENSE" fc --steps 0
expect 2 '--m needs' "$CONDENSE" fc --m x
expect 2 '--n needs' "$CONDENSE" fc --n -3
expect 2 '--grid needs' "$CONDENSE" fc --grid 1
expect 2 '--lr needs' "$CONDENSE" fc --lr -1
expect 2 '--init-std needs' "$CONDENSE" fc --init-std 0
expect 2 '--cos needs' "$CONDENSE" fc --cos 1.5
expect 2 '--min-norm needs' "$CONDENSE" fc --min-norm 1
expect 2 '--min-members needs' "$CONDENSE" fc --min-members 0
expect 2 '--min-members needs' "$CONDENSE" fc --min-members x
expect 2 'unknown|valid|mnist' "$CONDENSE" fc --dataset nope
expect 2 'unknown|valid|raw' "$CONDENSE" fc --dataset mnist --normalize zscore
expect 2 '--seed needs' "$CONDENSE" fc --seed -1
expect 2 '--field-steps needs' "$CONDENSE" fc --field-steps 1,,2
expect 2 '--field-steps needs' "$CONDENSE" fc --field-steps 3,
expect 2 '--field-steps needs' "$CONDENSE" fc --field-steps 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
expect 2 '--field-steps needs' "$CONDENSE" fc --field-steps 99999999999
expect 2 'unknown option' "$CONDENSE" fc --bogus 1
expect 2 'unexpected argument' "$CONDENSE" fc stray
expect 2 'needs a value' "$CONDENSE" fc --steps
expect 2 'at least 2 samples' "$CONDENSE" fc --n 1
# --plot with gnuplot missing (a note, exit 0) or failing (a note, exit 0); any --out name
CONDENSE_GNUPLOT=/nonexistent/gnuplot expect 0 'gnuplot not found' "$CONDENSE" fc --steps 2 --m 3 --plot --out "$tmp/it's"
CONDENSE_GNUPLOT=false expect 0 'field.gp failed' "$CONDENSE" fc --steps 2 --m 3 --plot --out "$tmp/it's"
expect 1 'cannot create directory' "$CONDENSE" fc --steps 2 --out "$tmp/no/such/dir"

# ---- a 1-d run (tanh, the paper's settings but fewer steps): files and shapes ----
out=$tmp/tanh
expect 0 'step 300/300' "$CONDENSE" fc --activation tanh --steps 300 --field-steps 0,150,300 \
    --grid 11 --out "$out"
for f in summary.txt output.csv train.csv directors.csv cosine.csv field.gp \
    field_0.csv field_150.csv field_300.csv neurons_0.csv neurons_300.csv lines_300.csv; do
    check "$f written" test -s "$out/$f"
done
check "no temporary files left" test -z "$(ls "$out" | grep '\.tmp$')"
check "provenance in output.csv" grep -q 'seed 1; target sin1d' "$out/output.csv"
check "output.csv: 201 rows of x,f,fit1,fit2,fit3" test "$(rows "$out/output.csv")" -eq 201 -a "$(cols "$out/output.csv")" -eq 5
check "train.csv: 40 samples" test "$(rows "$out/train.csv")" -eq 40
check "directors.csv: 100 neurons, j,a,norm,line,u1,u2" test "$(rows "$out/directors.csv")" -eq 100 -a "$(cols "$out/directors.csv")" -eq 6
check "cosine.csv: 100 x 100" test "$(rows "$out/cosine.csv")" -eq 100 -a "$(cols "$out/cosine.csv")" -eq 100
check "field_150.csv: 11 x 11 grid of w,b,dw,db" test "$(rows "$out/field_150.csv")" -eq 121 -a "$(cols "$out/field_150.csv")" -eq 4
check "neurons_300.csv: 100 rows" test "$(rows "$out/neurons_300.csv")" -eq 100 -a "$(cols "$out/neurons_300.csv")" -eq 6
check "tanh (p = 1): one stationary line" test "$(rows "$out/lines_300.csv")" -eq 1
check "tanh condenses on 1 line" grep -q '^condensed lines: 1 ' "$out/summary.txt"
check "Sec. 5.1 director reported" grep -q 'Sec. 5.1 director' "$out/summary.txt"
check "p declared and measured" grep -q 'order p: 1 (declared.*measured 1$' "$out/summary.txt"
# the field directions are unit vectors (or 0)
check "unit directions" awk -F, '!/^#/ {n = $3*$3 + $4*$4; if (n > 1e-12 && (n < 1 - 1e-6 || n > 1 + 1e-6)) bad = 1} END {exit bad}' "$out/field_150.csv"
# the linear fit is good for tanh at the initial stage (Fig. 3a): rms of order 1 below 1e-2
check "tanh output is nearly linear" awk '/^polynomial fits/ {exit !($8 + 0 < 1e-2)}' "$out/summary.txt"

# ---- other activations, GD, the 5-d target, stdout summary ----
expect 0 'Sec. 5.2 stationary lines at the final e: [0-3],' "$CONDENSE" fc --activation x2tanh --steps 20 --m 10 --out "$tmp/x2"
check "x2tanh lines file" test -s "$tmp/x2/lines_20.csv"
expect 0 'measured: undefined' "$CONDENSE" fc --activation relu --steps 20 --m 10 --optimizer gd --lr 0.1 --out "$tmp/relu" --plot
check "relu: empty lines file (p undefined)" test "$(rows "$tmp/relu/lines_20.csv")" -eq 0
if command -v gnuplot >/dev/null 2>&1 && [ -z "${VALGRIND:-}" ]; then
    check "gnuplot made field_20.png" test -s "$tmp/relu/field_20.png"
fi
expect 0 'condensed lines' "$CONDENSE" fc --target sin5d --steps 20 --out "$tmp/d5"
check "5-d: directors.csv 50 rows of 10 fields" test "$(rows "$tmp/d5/directors.csv")" -eq 50 -a "$(cols "$tmp/d5/directors.csv")" -eq 10
check "5-d: cosine.csv 50 x 50" test "$(rows "$tmp/d5/cosine.csv")" -eq 50 -a "$(cols "$tmp/d5/cosine.csv")" -eq 50
check "5-d: no field files" test ! -e "$tmp/d5/field_0.csv"
expect 0 'condensed lines: [0-9]+' "$CONDENSE" fc --steps 5 --m 4 --n 6
# strays: with --min-members 20 at most 2 of the 50 5-d neurons' groups are lines; the stray
# labels (-2) in directors.csv are as many as reported, and every line has >= 20 members
expect 0 'stray neurons: [0-9]+; discarded' "$CONDENSE" fc --target sin5d --steps 20 --min-members 20 --out "$tmp/share"
check "--min-members: labels -2 for strays, as many as reported" test \
    "$(grep -v '^#' "$tmp/share/directors.csv" | awk -F, '$4 == -2' | wc -l)" -eq \
    "$(sed -n 's/^stray neurons: \([0-9]*\);.*/\1/p' "$tmp/share/summary.txt")"
check "--min-members 20: at most 2 lines" awk '/^condensed lines/ {exit !($3 <= 2)}' "$tmp/share/summary.txt"
check "--min-members 20: every line has >= 20 members" awk -F, '!/^#/ && $4 >= 0 {c[$4]++} END {for (l in c) if (c[l] < 20) exit 1}' "$tmp/share/directors.csv"
# --dataset: images flattened (MNIST 28 x 28: d = 784, directors of 785 entries); a missing
# directory is a failure naming it
expect 1 'error: .*nowhere' "$CONDENSE" fc --dataset mnist --data-dir "$tmp/nowhere" --n 2 --normalize standardize
data=../shared/data
[ -d "$data" ] || data=$(dirname "$0")/../../shared/data
if [ -d "$data/mnist" ]; then
    expect 0 'dataset mnist \(half, y = class index\), n = 12; m = 3' "$CONDENSE" fc --dataset mnist \
        --data-dir "$data/mnist" --normalize half --n 12 --m 3 --steps 3 --out "$tmp/mnist"
    check "mnist: directors 3 rows of 4 + 785 fields" test "$(rows "$tmp/mnist/directors.csv")" -eq 3 -a "$(cols "$tmp/mnist/directors.csv")" -eq 789
    check "mnist: no output.csv (d > 1)" test ! -e "$tmp/mnist/output.csv"
else
    echo "skipped: no ../shared/data/mnist (the --dataset mnist run)"
fi
# a GD step so large that the parameters overflow: a failure, exit 1
expect 1 'not finite' "$CONDENSE" fc --optimizer gd --lr 1e300 --steps 5 --m 4 --activation x2tanh

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
