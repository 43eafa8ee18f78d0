#!/usr/bin/env bash
# test_resume.sh -- `condense train --checkpoint-every N` and `--resume DIR`: for GD, Adam and the
# real flow, a run killed (SIGKILL) after its first checkpoint and resumed gives every output file
# byte for byte (cmp) as the run never interrupted; a run killed at other moments, then resumed
# and killed again and again, also ends with the same files; at any kill, each file present is
# complete (the --save-at files equal the uninterrupted run's, loss.csv has whole rows); no
# temporary file and no checkpoint remains once a run completes; and the errors of --resume.
# The kills depend on timing, so the runs here are native even under `make check-valgrind`
# (only the error cases go through memcheck).
set -u
shopt -s nullglob # an empty directory has no files, not a file named *
: "${CONDENSE:?CONDENSE must point at the condense program}"
run_prefix=()
if [ -n "${VALGRIND:-}" ]; then
    run_prefix=(${LIBTOOL:-libtool} --mode=execute "$VALGRIND" -q --error-exitcode=99
        --leak-check=full --errors-for-leak-kinds=definite,indirect)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condense-resume-XXXXXX")
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
        sed 's/^/  err: /' "$tmp/err" | head -10
    fi
}

# same_files A B: the same file names in A and B and every file identical (cmp).
same_files() {
    [ "$(cd "$1" && ls | sort)" = "$(cd "$2" && ls | sort)" ] || {
        diff <(cd "$1" && ls | sort) <(cd "$2" && ls | sort) | sed 's/^/  /'
        return 1
    }
    local f
    for f in "$1"/*; do cmp -s "$f" "$2/${f##*/}" || { echo "  differs: ${f##*/}"; return 1; }; done
}

# complete DIR REF: after a kill, each file of DIR (temporary files aside) is whole: a file the
# uninterrupted run REF also wrote and never rewrites (meta.txt, plot.gp, the --save-at files)
# equals REF's; loss.csv has its header and rows of 4 fields, ending with a newline; a
# checkpoint names arrays that exist.
complete() {
    local f name
    for f in "$1"/*; do
        name=${f##*/}
        case $name in
        *.tmp | *.tmp.*) ;;
        loss.csv)
            grep -q '^epoch,t,loss,accuracy$' "$f" || return 1
            [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || return 1
            awk -F, '!/^#/ && !/^epoch/ && NF != 4 { bad = 1 } END { exit bad }' "$f" || return 1
            ;;
        checkpoint.txt)
            local e
            e=$(sed -n 's/^epoch //p' "$f")
            [ -f "$1/checkpoint_e${e}_state.npy" ] || return 1
            ;;
        checkpoint_e*) ;;
        *) cmp -s "$f" "$2/$name" || { echo "  incomplete: $name"; return 1; } ;;
        esac
    done
}

# no_leftovers DIR: no temporary file and no checkpoint in DIR.
no_leftovers() { ! ls "$1" | grep -Eq '\.tmp($|\.)|^checkpoint'; }

# start_and_kill DIR ARGS...: start a run into DIR, wait for its first checkpoint, kill -9 it.
# Returns 1 if the run ended before a checkpoint was seen.
start_and_kill() {
    local dir=$1
    shift
    "$CONDENSE" train --out "$dir" "$@" 2>/dev/null &
    local pid=$! k
    for ((k = 0; k < 6000; ++k)); do
        [ -f "$dir/checkpoint.txt" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.005
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -f "$dir/checkpoint.txt" ]
}

common=(--n 24 --channels 6 --size 6x6 --epochs 40 --no-plot --checkpoint-every 8
    --save-at 0,20,40)
for opt in gd adam flow; do
    lr=1e-2
    [ $opt = adam ] && lr=1e-3
    args=("${common[@]}" --optimizer $opt --lr $lr)
    "$CONDENSE" train --out "$tmp/$opt-a" "${args[@]}" 2>/dev/null
    check "$opt: an uninterrupted run with checkpoints" test -f "$tmp/$opt-a/loss.csv"
    check "$opt: no checkpoint left once complete" no_leftovers "$tmp/$opt-a"
    if start_and_kill "$tmp/$opt-b" "${args[@]}"; then
        check "$opt: every file complete after kill -9" complete "$tmp/$opt-b" "$tmp/$opt-a"
        "$CONDENSE" train --resume "$tmp/$opt-b" 2>"$tmp/err"
        check "$opt: resume exits 0" test $? -eq 0
        check "$opt: resume says where it starts" grep -qE 'resuming .* at epoch (8|16|24|32)$' "$tmp/err"
        check "$opt: resumed = uninterrupted, byte for byte" same_files "$tmp/$opt-a" "$tmp/$opt-b"
        check "$opt: no temporary file or checkpoint after resume" no_leftovers "$tmp/$opt-b"
    else
        check "$opt: the run lived long enough to be killed after a checkpoint" false
    fi
done

# the flow with 0 epochs: the one observation at t = 0
"$CONDENSE" train --out "$tmp/flow0" --n 5 --size 6x6 --channels 2 --epochs 0 --optimizer flow \
    --no-plot --checkpoint-every 3 2>/dev/null
check "flow, 0 epochs: loss.csv with epoch 0 only" \
    test "$(grep -c '^[0-9]' "$tmp/flow0/loss.csv")" -eq 1

# Killed at several moments (after 0.05, 0.15, 0.3 s of each attempt), resumed each time.
args=("${common[@]}" --optimizer adam --lr 1e-3)
dir=$tmp/adam-c
"$CONDENSE" train --out "$dir" "${args[@]}" 2>/dev/null &
pid=$!
sleep 0.05
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
all_complete=1
for pause in 0.15 0.3 0.3 0.3 0.3 0.3 0.3 0.3 0.3 0.3; do
    complete "$dir" "$tmp/adam-a" || all_complete=0
    [ -f "$dir/checkpoint.txt" ] || break
    "$CONDENSE" train --resume "$dir" 2>/dev/null &
    pid=$!
    sleep $pause
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
done
check "adam, killed repeatedly: every file complete at every kill" test $all_complete -eq 1
if [ -f "$dir/checkpoint.txt" ]; then
    "$CONDENSE" train --resume "$dir" 2>/dev/null
elif [ ! -f "$dir/e40_out_V.npy" ]; then # killed before the first checkpoint: start again
    rm -rf "$dir"
    "$CONDENSE" train --out "$dir" "${args[@]}" 2>/dev/null
fi
check "adam, killed repeatedly: resumed = uninterrupted" same_files "$tmp/adam-a" "$dir"

# Errors.
mkdir -p "$tmp/empty"
expect 1 'no checkpoint' train --resume "$tmp/empty"
expect 2 'takes no other option' train --resume "$tmp/empty" --epochs 3
expect 2 'takes no other option' train --epochs 3 --resume "$tmp/empty"
expect 2 '--checkpoint-every needs a positive integer' train --out "$tmp/x" --checkpoint-every 0
# (natively: libtool's wrapper would split the argument at its line break)
"$CONDENSE" train --out "$tmp/x" --checkpoint-every 2 --activation "$(printf 'a\nb')" 2>"$tmp/err"
check "an option with a line break cannot be checkpointed (exit 2)" \
    test $? -eq 2 -a -n "$(grep 'line break' "$tmp/err")"
mkdir -p "$tmp/bad"
printf 'epoch 3\nrecorded 3\n' >"$tmp/bad/checkpoint.txt"
expect 1 'incomplete' train --resume "$tmp/bad"
printf 'epoch 3\nrecorded 3\nargs 1\narg --out\n' >"$tmp/bad/checkpoint.txt"
expect 1 "no integer 'adam_k'" train --resume "$tmp/bad"
printf 'epoch 3\nrecorded 3\nadam_k 0\nargs 1\narg --out\nextra\n' >"$tmp/bad/checkpoint.txt"
expect 1 "unexpected line 'extra'" train --resume "$tmp/bad"
printf '# x\nepoch 3\nrecorded 3\nadam_k 0\nargs 2\narg --out\narg x\n' >"$tmp/bad/checkpoint.txt"
expect 1 'not the options of a run with checkpoints' train --resume "$tmp/bad"
printf 'epoch 3\nrecorded 3\nadam_k 0\nargs 2\narg --bogus\narg 1\n' >"$tmp/bad/checkpoint.txt"
expect 2 "unknown option '--bogus'" train --resume "$tmp/bad"
# a checkpoint that does not fit the run, and one whose arrays are missing
printf 'epoch 50\nrecorded 50\nadam_k 0\nargs 6\narg --out\narg x\narg --epochs\narg 9\narg --checkpoint-every\narg 2\n' >"$tmp/bad/checkpoint.txt"
expect 1 'do not fit a run of 9 epochs' train --resume "$tmp/bad"
printf 'epoch 4\nrecorded 4\nadam_k 0\nargs 11\narg --out\narg x\narg --epochs\narg 9\narg --checkpoint-every\narg 2\narg --n\narg 5\narg --no-plot\narg --channels\n' >"$tmp/bad/checkpoint.txt"
expect 1 'incomplete' train --resume "$tmp/bad"
printf 'epoch 4\nrecorded 4\nadam_k 0\nargs 11\narg --out\narg x\narg --epochs\narg 9\narg --checkpoint-every\narg 2\narg --n\narg 5\narg --no-plot\narg --channels\narg 2\n' >"$tmp/bad/checkpoint.txt"
touch "$tmp/bad/stale.tmp" "$tmp/bad/e0_out_V.npy.tmp.Ab12Cd"
expect 1 'checkpoint_e4_state.npy' train --resume "$tmp/bad"
check "stale NAME.tmp removed" test ! -e "$tmp/bad/stale.tmp"
check "stale NAME.tmp.XXXXXX removed" test ! -e "$tmp/bad/e0_out_V.npy.tmp.Ab12Cd"

# a checkpoint.txt longer than the first read buffer (4096 bytes) still parses
long=$(printf 'd%.0s' $(seq 1 5000))
printf 'epoch 50\nrecorded 50\nadam_k 0\nargs 8\narg --out\narg x\narg --epochs\narg 9\narg --checkpoint-every\narg 2\narg --data-dir\narg %s\n' "$long" >"$tmp/bad/checkpoint.txt"
expect 1 'do not fit a run of 9 epochs' train --resume "$tmp/bad"
# a checkpoint that cannot be written is a failure (exit 1), named
mkdir -p "$tmp/w/checkpoint_e2_state.npy"
expect 1 'checkpoint_e2_state.npy' train --out "$tmp/w" --n 5 --size 6x6 --channels 2 --epochs 4 \
    --checkpoint-every 2 --no-plot

# ---- condense flow: the same for the ODE of verify_instance (segments of sampled times); the
# output names are relative, so the runs and the resumption happen in $tmp ----
fargs=(--M 64 --times 80 --checkpoint-every 10)
(cd "$tmp" && "$CONDENSE" flow "${fargs[@]}" --out fa.csv --kernels fak.csv --cosines faD.csv)
check "flow: an uninterrupted run with checkpoints" test -s "$tmp/fa.csv"
check "flow: records the restarts" grep -q 'restarts every 10 sampled times' "$tmp/fa.csv"
check "flow: no checkpoint left once complete" test ! -e "$tmp/fa.csv.checkpoint"
(cd "$tmp" && exec "$CONDENSE" flow "${fargs[@]}" --out fb.csv --kernels fbk.csv \
    --cosines fbD.csv) 2>/dev/null &
pid=$!
for ((k = 0; k < 6000; ++k)); do
    [ -f "$tmp/fb.csv.checkpoint/checkpoint.txt" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.005
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -f "$tmp/fb.csv.checkpoint/checkpoint.txt" ]; then
    check "flow: no output file yet, or a complete one" \
        test ! -e "$tmp/fb.csv" -o "$(tail -c 1 "$tmp/fb.csv" 2>/dev/null | od -An -c | tr -d ' ')" = '\n'
    cp -r "$tmp/fb.csv.checkpoint" "$tmp/saved.checkpoint" # for the error cases below
    (cd "$tmp" && "$CONDENSE" flow --resume fb.csv.checkpoint) 2>"$tmp/err"
    check "flow: resume exits 0" test $? -eq 0
    check "flow: resume says where it starts" grep -q 'resuming from .* at sampled time' "$tmp/err"
    for x in "" k D; do
        check "flow: resumed = uninterrupted (f${x}.csv)" cmp "$tmp/fa$x.csv" "$tmp/fb$x.csv"
    done
    check "flow: checkpoint directory removed after resume" test ! -e "$tmp/fb.csv.checkpoint"
    # a checkpoint of another M, or of another grid, does not fit the run
    mkdir -p "$tmp/m32"
    cp "$tmp"/saved.checkpoint/* "$tmp/m32/"
    sed -i 's/^M 64$/M 32/; /^arg --kernels$/,+3d' "$tmp/m32/checkpoint.txt"
    sed -i "s/^args .*/args $(grep -c '^arg ' "$tmp/m32/checkpoint.txt")/" "$tmp/m32/checkpoint.txt"
    expect 1 'does not fit this run' flow --resume "$tmp/m32"
    mkdir -p "$tmp/grid"
    cp "$tmp"/saved.checkpoint/* "$tmp/grid/"
    sed -i '/^arg 80$/s/80/90/' "$tmp/grid/checkpoint.txt"
    expect 1 'another grid' flow --resume "$tmp/grid"
    rm "$tmp"/grid/checkpoint_k*_theta_bar.npy
    expect 1 'theta_bar.npy' flow --resume "$tmp/grid"
    printf 'nt x\nargs 4\narg --checkpoint-every\narg 2\narg --out\narg %s\n' "$tmp/q.csv" \
        >"$tmp/grid/checkpoint.txt"
    expect 1 "no integer 'nt'" flow --resume "$tmp/grid"
else
    check "flow: the run lived long enough to be killed after a checkpoint" false
fi
# a number that is not one, in a file without a final line break
printf 'nt 3\nM 4\nn_field 1\nprop2_samples 0\nT_eff_found 0\nprop2_max x\nargs 4\narg --checkpoint-every\narg 2\narg --out\narg %s' \
    "$tmp/q.csv" >"$tmp/bad/checkpoint.txt"
expect 1 "no number 'prop2_max'" flow --resume "$tmp/bad"
printf 'nt 0\nM 4\nn_field 1\nprop2_samples 0\nT_eff_found 0\nprop2_max 0\nprop2_min_nonzero inf\nT_eff 0x1p-2\nargs 4\narg --checkpoint-every\narg 2\narg --out\narg %s\n' \
    "$tmp/q.csv" >"$tmp/bad/checkpoint.txt"
expect 1 'nt = 0, M = 4' flow --resume "$tmp/bad"
"$CONDENSE" flow --out "$tmp/q.csv" --checkpoint-every 2 --activation "$(printf 'a\nb')" 2>"$tmp/err"
check "flow: an option with a line break cannot be checkpointed (exit 2)" \
    test $? -eq 2 -a -n "$(grep 'line break' "$tmp/err")"
expect 1 'no checkpoint' flow --resume "$tmp/empty"
expect 2 'takes no other option' flow --resume "$tmp/empty" --M 3
expect 2 'needs --out FILE' flow --checkpoint-every 3
expect 2 '--checkpoint-every needs a positive integer' flow --checkpoint-every 0 --out "$tmp/q.csv"
printf 'nt 3\nargs 2\narg --M\narg 4\n' >"$tmp/bad/checkpoint.txt"
expect 1 'not the options of a run with checkpoints' flow --resume "$tmp/bad"
expect 1 'cannot create directory' flow --M 4 --times 3 --checkpoint-every 1 \
    --out "$tmp/no/such/f.csv"
mkdir -p "$tmp/fw.csv.checkpoint/checkpoint_k2_t.npy"
expect 1 'checkpoint_k2_t.npy' flow --M 4 --times 5 --checkpoint-every 1 --out "$tmp/fw.csv"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
