#!/usr/bin/env bash
# test_cli_verify.sh -- `condense verify --quick` (every stated result on the small built-in
# instance must PASS), `condense flow`, a proofs/ program, and their bad usage.  Under
# `make check-valgrind` the same commands run under memcheck on a smaller sweep (the full
# quick instance is run natively by `make check`; memcheck would take too long on it).
set -u
: "${CONDENSE:?CONDENSE must point at the condense program}"
top=$(dirname "$CONDENSE")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-verify-XXXXXX")
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

if [ -z "${VALGRIND:-}" ]; then
    # The README's main job in its quick form: every result PASS, with margins.
    "$CONDENSE" verify --quick --out "$tmp/v" >"$tmp/verify.txt" 2>"$tmp/verify.err"
    status=$?
    check "verify --quick exits 0 (status $status)" [ "$status" -eq 0 ]
    check "verify --quick: 10 results PASS" [ "$(grep -cE ' PASS +[-0-9.e+]+  ' "$tmp/verify.txt")" -eq 10 ]
    check "verify --quick: closing line" grep -q '^verify: 10 passed, 0 failed$' "$tmp/verify.txt"
    check "verify --quick: progress on stderr" grep -q 'run 4/4 (M = 1024) done' "$tmp/verify.err"
    check "summary.csv: provenance, header, 10 rows" \
        [ "$(grep -c '^"' "$tmp/v/summary.csv")" -eq 10 ]
    check "summary.csv records version and seed" grep -q '^# condense .*; seed 1;' "$tmp/v/summary.csv"
    check "runs.csv has the observables" grep -q '^M,eps,t,E_max,phi,rel_change,ratio' "$tmp/v/runs.csv"
    check "runs.csv has rows of every M" [ "$(cut -d, -f1 "$tmp/v/runs.csv" | grep -E '^[0-9]+$' | sort -u | wc -l)" -eq 4 ]
    if [ "$fail" -ne 0 ]; then cat "$tmp/verify.txt" "$tmp/verify.err"; fi
    expect 0 'PASS' "$top/proofs/proof_lemma1" --quick
    expect 0 'PASS' "$top/proofs/proof_prop3" --quick
fi

# A small sweep (memcheck-sized): the machinery end to end; PASS is not required at this size.
"${run_prefix[@]}" "$CONDENSE" verify --M 4,8 --times 12 --trials 50 --out "$tmp/s" \
    >"$tmp/out" 2>&1
status=$?
ran() { [ "$1" -eq 0 ] || [ "$1" -eq 1 ]; } # PASS or FAIL, but no crash or memcheck error
check "small verify runs (status $status)" ran "$status"
check "small verify writes summary.csv" [ -s "$tmp/s/summary.csv" ]

# flow: the real and the linear flow side by side.
expect 0 '^M,eps,t,E_max' "$CONDENSE" flow --M 8 --times 15
"${run_prefix[@]}" "$CONDENSE" flow --M 8 --times 15 --eps 0.01 --out "$tmp/flow.csv" >"$tmp/out" 2>&1
status=$?
quiet_ok() { [ "$1" -eq 0 ] && [ ! -s "$2" ]; }
check "flow --out exits 0 and prints nothing (status $status)" quiet_ok "$status" "$tmp/out"
check "flow --out writes the CSV with provenance" grep -q '^# condense .*seed 1' "$tmp/flow.csv"
check "flow --out records T_eff" grep -q 'T_eff = ' "$tmp/flow.csv"
# 15 grid times, plus t_bar_0 = [((gamma-1)/8) log 8 - log 2] / lambda_1 > 0 (gamma = 4.43).
check "flow --out: 16 rows" [ "$(grep -cE '^8,' "$tmp/flow.csv")" -eq 16 ]
# The per-kernel views and the cosine matrix of eq. (5): D is symmetric with unit diagonal.
"${run_prefix[@]}" "$CONDENSE" flow --M 6 --times 5 --kernels "$tmp/k.csv" --cosines "$tmp/D.csv" \
    >/dev/null 2>&1
check "flow --kernels: M rows per time" [ "$(grep -cE '^[0-9.e+-]+,[0-9]+,' "$tmp/k.csv")" -ge 30 ]
# D_{beta,beta} = 1 up to rounding of |u|^2 / (|u| |u|) (a few ulps: 1e-12 allowed).
awk -F, '!/^#/ { r++; if ($r + 0 < 1 - 1e-12 || $r + 0 > 1 + 1e-12) bad = 1 } END { exit bad }' \
    "$tmp/D.csv"
check "flow --cosines: unit diagonal" [ $? -eq 0 ]
check "flow --cosines: 6 rows of 6" [ "$(grep -v '^#' "$tmp/D.csv" | awk -F, 'NF == 6' | wc -l)" -eq 6 ]
expect 0 '^M,eps,t,E_max' "$CONDENSE" flow --M 8 --times 6 --path fast
expect 2 "--path needs" "$CONDENSE" flow --path slow
expect 0 'Usage: condense flow' "$CONDENSE" flow --help
expect 0 'Usage: condense verify' "$CONDENSE" verify --help

# Bad usage and impossible parameters: exit 2; failures: exit 1.
# gamma <= 1 is outside Theorem 1: the four results that need gamma > 1 are NOT APPLICABLE
# (margin NaN, the reason given), the others measured; never a PASS, so exit 1.
"${run_prefix[@]}" "$CONDENSE" verify --M 4,8 --times 12 --trials 50 --gamma 1 --out "$tmp/g1" \
    >"$tmp/out" 2>&1
status=$?
check "verify --gamma 1 exits 1 (status $status)" [ "$status" -eq 1 ]
check "verify --gamma 1: 4 rows NOT APPLICABLE with the reason" \
    [ "$(grep -cE 'NOT APPLICABLE +nan  NOT APPLICABLE: needs gamma > 1' "$tmp/out")" -eq 4 ]
check "verify --gamma 1: eq. (14) among them" \
    grep -qE '^Theorem 1 \(relative change\) +eq. \(14\) +NOT APPLICABLE' "$tmp/out"
check "verify --gamma 1: closing line counts them" \
    grep -qE '^verify: [0-9]+ passed, [0-9]+ failed, 4 NOT APPLICABLE' "$tmp/out"
check "verify --gamma 1: summary.csv says so" \
    [ "$(grep -c ',NOT APPLICABLE,nan,' "$tmp/g1/summary.csv")" -eq 4 ]
expect 2 'gamma needs a number > 0' "$CONDENSE" verify --gamma 0
expect 2 'flow needs gamma > 1' "$CONDENSE" flow --M 8 --gamma 1
expect 2 'increasing' "$CONDENSE" verify --M 64,16
expect 2 'list of 1 to 8' "$CONDENSE" verify --M 1,2,3,4,5,6,7,8,9
expect 2 'times needs' "$CONDENSE" verify --times 1
expect 2 'trials needs' "$CONDENSE" verify --trials 0
expect 2 "unknown option '--bogus'" "$CONDENSE" verify --bogus 1
expect 2 "unexpected argument" "$CONDENSE" verify extra
expect 2 'needs a value' "$CONDENSE" verify --out
expect 1 'cannot create directory' "$CONDENSE" verify --M 4 --times 3 --out "$tmp/no/such/dir"
expect 2 'gamma' "$CONDENSE" flow --M 16 --eps 0.5
expect 2 'needs --M >= 2' "$CONDENSE" flow --M 1 --eps 0.5
expect 2 'Assumption 1' "$CONDENSE" flow --M 8 --activation xtanh
expect 2 'unknown activation|valid' "$CONDENSE" flow --M 8 --activation nope
expect 2 'm|size|larger' "$CONDENSE" flow --M 8 --m 9
expect 2 '--size needs' "$CONDENSE" flow --size 6
expect 2 '--t-end needs' "$CONDENSE" flow --t-end -1
expect 2 '--M needs' "$CONDENSE" flow --M 0
expect 1 'No such file|error' "$CONDENSE" flow --M 4 --times 3 --out "$tmp/no/such/file.csv"
expect 2 'unknown argument' "$top/proofs/proof_lemma1" --bogus

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
