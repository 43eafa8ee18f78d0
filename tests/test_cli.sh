#!/usr/bin/env bash
# test_cli.sh -- the command line: help, version, the main job, and every class of bad usage
# (exit 2) and failure (exit 1).  Under `make check-valgrind` each run goes through memcheck.
set -u
: "${CONDENSE:?CONDENSE must point at the condense program}"
run_prefix=()
if [ -n "${VALGRIND:-}" ]; then
    run_prefix=(${LIBTOOL:-libtool} --mode=execute "$VALGRIND" -q --error-exitcode=99
        --leak-check=full --errors-for-leak-kinds=definite,indirect)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# expect STATUS PATTERN ARGS...: run condense, check the exit status and that stdout+stderr
# matches the extended regular expression PATTERN.
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

# --- help and version
expect 0 'Usage: condense' --help
expect 0 'Usage: condense' -h
expect 0 '^condense [0-9]+\.[0-9]+\.[0-9]+$' --version
expect 0 '^condense [0-9]+\.[0-9]+\.[0-9]+$' -V

# --- the main job on its built-in default, and eval with every option
expect 0 '^R_S ' 
expect 0 '^\|grad R_S\| ' eval
expect 0 'activation silu2' eval --seed 7 --n 3 --size 7x6 --C0 3 --channels 2,3 --m 2,2 \
    --activation silu2 --eps 0.5 --c 3
expect 0 'normalized, Remark 1' eval --activation silu --normalize --n 2
expect 0 'experiment scheme gamma = 1.5' eval --gamma 1.5 --sigma2 0.001 --n 2
# m^2 C_0 C_1 = 9 weights + C_1 = 2 biases + W_1 H_1 C_1 = 3*3*2 = 18 outputs: 38
expect 0 '^parameters 38$' eval --channels 2 --m 3 --size 5x5 --n 2
expect 0 'layer 3' eval --channels 2,2,2 --m 2 --size 6x6 --n 2

# --- the fast path gives the direct path's numbers (printed to 16 digits: compare R_S to 1e-12)
"$CONDENSE" eval --seed 9 --n 3 --channels 3,2 --m 2 --size 7x6 --C0 2 >"$tmp/d" 2>&1
"$CONDENSE" eval --seed 9 --n 3 --channels 3,2 --m 2 --size 7x6 --C0 2 --path fast >"$tmp/f" 2>&1
rd=$(sed -n 's/^R_S *//p' "$tmp/d"); rf=$(sed -n 's/^R_S *//p' "$tmp/f")
if awk -v a="$rd" -v b="$rf" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-12 * (a < 0 ? -a : a)) }'; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: fast R_S $rf != direct $rd"; fi
expect 2 "--path needs 'direct' or 'fast'" eval --path slow

# --- reproducibility: the same seed gives the same output, another seed another
"$CONDENSE" eval --seed 5 --n 3 >"$tmp/a" 2>&1
"$CONDENSE" eval --seed 5 --n 3 >"$tmp/b" 2>&1
"$CONDENSE" eval --seed 6 --n 3 >"$tmp/c" 2>&1
if cmp -s "$tmp/a" "$tmp/b" && ! cmp -s "$tmp/a" "$tmp/c"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: eval is not reproducible from its seed"; fi

# --- save, then load: the same f and R_S
expect 0 '^R_S ' eval --seed 3 --n 3 --channels 2 --save "$tmp/p"
for f in W1.npy b1.npy a.npy meta.txt; do
    if [ -s "$tmp/p/$f" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: --save did not write $f"; fi
done
if grep -q '^seed: 3$' "$tmp/p/meta.txt" && grep -q '^producer: condense ' "$tmp/p/meta.txt"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: meta.txt lacks seed or version"; fi
"$CONDENSE" eval --seed 3 --n 3 --channels 2 | grep -E '^(R_S|[0-9])' >"$tmp/r1"
"$CONDENSE" eval --seed 3 --n 3 --channels 2 --load "$tmp/p" --eps 0.9 \
    | grep -E '^(R_S|[0-9])' >"$tmp/r2"
if cmp -s "$tmp/r1" "$tmp/r2"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: loading saved parameters does not reproduce f and R_S"; fi

# --- activations
expect 0 'x2tanh .* 3 +3 ' activations
expect 0 'relu .*undefined +undefined' activations
expect 2 'takes no arguments' activations extra

# --- bad usage: exit 2 with a clear message
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "unknown option '--bogus'" --bogus
expect 2 "unknown option '--bogus'" eval --bogus
expect 2 "needs a value" eval --n
expect 2 '--n needs a positive integer' eval --n 0
expect 2 '--n needs a positive integer' eval --n -3
expect 2 '--n needs a positive integer' eval --n 3x
expect 2 '--seed needs an integer' eval --seed -1
expect 2 '--seed needs an integer' eval --seed 99999999999
expect 2 '--size needs WxH' eval --size 8
expect 2 '--size needs WxH with positive' eval --size 0x8
expect 2 '--size needs WxH with positive' eval --size 8x
expect 2 '--C0 needs a positive' eval --C0 0
expect 2 '--channels needs a list' eval --channels 2,,3
expect 2 '--channels needs a list' eval --channels 2,
expect 2 '--channels needs a list' eval --channels ,2
expect 2 '--channels needs a list' eval --channels 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1
expect 2 '--m needs a list' eval --m a
expect 2 '--m lists more filter sizes' eval --channels 2 --m 2,2
expect 2 '--m lists fewer filter sizes' eval --channels 2,2,2 --m 2,2
expect 2 '--eps needs a positive number' eval --eps 0
expect 2 '--eps needs a positive number' eval --eps nan
expect 2 '--eps needs a positive number' eval --eps inf
expect 2 '--gamma needs a number' eval --gamma x
expect 2 '--sigma2 needs a number >= 0' eval --sigma2 -1
expect 2 '--c needs a number > 1' eval --c 1
expect 2 'unknown activation|valid' eval --activation softsign
expect 2 'larger than the layer' eval --size 4x4 --m 5
expect 2 'larger than the layer' eval --size 6x6 --channels 2,2 --m 3,5

# --- failures: exit 1 with a clear message
expect 1 "normaliz" eval --activation xtanh --normalize
expect 1 'cannot create directory|No such file' eval --save "$tmp/no/such/dir"
expect 1 'No such file' eval --load "$tmp/empty"
expect 1 'shape|size' eval --channels 3 --load "$tmp/p"
printf 'garbage' >"$tmp/p/a.npy"
expect 1 'a.npy' eval --seed 3 --n 3 --channels 2 --load "$tmp/p"
expect 1 'sigma_1 of layer 1' eval --gamma 1000 --n 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
