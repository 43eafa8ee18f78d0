#!/usr/bin/env bash
# test_cli_synth.sh -- `condense synth`: bad usage, and regenerating the synthetic data sets of
# data/ with the commands of `make synth-data` gives bit-identical x.npy and y.npy.
set -u
: "${CONDENSE:?CONDENSE must point at the condense program}"
srcdir=${srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-synth-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
run_prefix=()
if [ -n "${VALGRIND:-}" ]; then
    run_prefix=(${LIBTOOL:-libtool} --mode=execute "$VALGRIND" -q --error-exitcode=99
        --leak-check=full --errors-for-leak-kinds=definite,indirect)
fi
check() {
    local what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
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
        sed 's/^/  err: /' "$tmp/err" | tail -n 5
    fi
}

expect 0 'Usage: condense synth' "$CONDENSE" synth --help
expect 2 'needs --out DIR' "$CONDENSE" synth --n 3
expect 2 "unknown option '--x'" "$CONDENSE" synth --x 1
expect 2 "unexpected argument 'y'" "$CONDENSE" synth y
expect 2 "needs a value" "$CONDENSE" synth --out
expect 2 '--n needs' "$CONDENSE" synth --n 0 --out "$tmp/a"
expect 2 '--C0 needs' "$CONDENSE" synth --C0 x --out "$tmp/a"
expect 2 '--c needs a number > 1' "$CONDENSE" synth --c 0.5 --out "$tmp/a"
expect 2 '--seed needs' "$CONDENSE" synth --seed x --out "$tmp/a"
expect 2 '--size needs' "$CONDENSE" synth --size 3x --out "$tmp/a"
expect 1 'cannot create directory' "$CONDENSE" synth --out "$tmp/no/such" --n 2 --size 2x2

# The commands of `make synth-data`, into tmp; x.npy and y.npy must equal the committed ones
# byte for byte; meta.txt too from its second line on (its first line names the version).
regen() { # NAME ARGS...
    local name=$1
    shift
    "${run_prefix[@]}" "$CONDENSE" synth --out "$tmp/$name" "$@" >/dev/null 2>"$tmp/err"
    check "$name: synth exits 0" [ $? -eq 0 ]
    for f in x.npy y.npy; do
        check "$name/$f regenerates bit-identically" cmp -s "$tmp/$name/$f" "$srcdir/data/$name/$f"
    done
    check "$name/meta.txt matches" diff <(tail -n +2 "$tmp/$name/meta.txt") \
        <(tail -n +2 "$srcdir/data/$name/meta.txt")
    check "$name/meta.txt provenance" grep -q '^# condense .*; synth; seed ' "$tmp/$name/meta.txt"
}
regen synthetic-16x16x1 --n 64 --size 16x16 --C0 1 --c 4 --seed 1
regen synthetic-16x16x3 --n 32 --size 16x16 --C0 3 --c 4 --seed 2
check "the Makefile rule uses the same commands" \
    grep -q 'synth --out $(top_srcdir)/data/synthetic-16x16x3 --n 32 --size 16x16 --C0 3 --c 4 --seed 2' \
    "$srcdir/Makefile.am"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
