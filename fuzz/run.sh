#!/usr/bin/env bash
# fuzz/run.sh -- build the libFuzzer targets of fuzz/ with clang (-fsanitize=fuzzer,address,
# undefined) and run each for a bounded time on its seed corpus; replay the kept crash inputs
# of fuzz/regressions/NAME/ first.  Not part of `make all` or `make check` (`make fuzz` runs
# it).  Needs clang and libFuzzer (Debian: clang, libclang-rt-14-dev), GSL and zlib.
#
# Usage: fuzz/run.sh [SECONDS [TARGET...]]   (default 30 s each, every target)
# Environment: CLANG (default clang), FUZZ_BUILD (default ./fuzz-build), FUZZ_JOBS (default 2).
# Exit status 0 when no target crashed; 1 (naming the target and the crash input, kept under
# FUZZ_BUILD/crashes/) otherwise; 2 when the targets could not be built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
all_targets="idx cifar10 npy data_store cli_eval cli_spectrum cli_train cli_fc cli_synth"
targets=${*:-$all_targets}
cc=${CLANG:-clang}
build=${FUZZ_BUILD:-$PWD/fuzz-build}
jobs=${FUZZ_JOBS:-2}
mkdir -p "$build/obj" "$build/crashes"
build=$(cd "$build" && pwd)

command -v "$cc" >/dev/null || { echo "fuzz/run.sh: $cc not found: install the Debian packages clang and libclang-rt-14-dev" >&2; exit 2; }
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$build/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$build/probe.c" -o "$build/probe" 2>/dev/null || {
    echo "fuzz/run.sh: $cc cannot link -fsanitize=fuzzer: install the Debian package libclang-rt-14-dev" >&2
    exit 2
}

# config.h: the one macro the sources use from it.
version=$(sed -n 's/^AC_INIT(\[condense\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
printf '#define PACKAGE_STRING "condense %s"\n#define CONDENSE_BLAS_NAME "GSL CBLAS"\n' "$version" \
    >"$build/config.h"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=c11 -g -O1 -Wno-unknown-pragmas $SAN -I$build -I$top/src $(pkg-config --cflags gsl zlib)"
LIBS="$(pkg-config --libs gsl zlib) -lm"

# The library's sources as Makefile.am lists them, and the command line's.
lib_sources=$(sed -n '/^libcondense_la_SOURCES/,/^$/p' "$top/Makefile.am" | grep -o 'src/[a-z0-9_]*\.c')
cli_sources=$(sed -n '/^condense_SOURCES/,/^$/p' "$top/Makefile.am" | grep -o 'src/cli[a-z0-9_]*\.c')

echo "== fuzz: compiling the library and the command line with $cc (-fsanitize=fuzzer-no-link,address,undefined)"
compile() { # source, object, extra flags
    local src=$1 obj=$2
    shift 2
    if [ ! -e "$obj" ] || [ "$top/$src" -nt "$obj" ] || [ -n "$(find "$top/src" -name '*.h' -newer "$obj" | head -1)" ]; then
        "$cc" $CFLAGS -fsanitize=fuzzer-no-link "$@" -c "$top/$src" -o "$obj"
    fi
}
export -f compile
export CFLAGS top cc
failed_build=0
for s in $lib_sources; do echo "$s $build/obj/$(basename "$s" .c).o"; done |
    xargs -P "$jobs" -n 2 bash -c 'compile "$0" "$1"' || failed_build=1
for s in $cli_sources; do echo "$s $build/obj/$(basename "$s" .c).o"; done |
    xargs -P "$jobs" -n 2 bash -c 'compile "$0" "$1" -Dmain=condense_cli_main' || failed_build=1
[ $failed_build = 0 ] || { echo "fuzz/run.sh: compiling the sources failed" >&2; exit 2; }
lib_objs=$(for s in $lib_sources; do echo "$build/obj/$(basename "$s" .c).o"; done)

for t in $targets; do
    extra=""
    case $t in # the command line's objects, but the one the target includes
        cli_eval) skip=cli ;;
        cli_synth) skip="cli_synth cli_verify" ;;
        cli_*) skip=${t} ;;
        *) skip=all ;;
    esac
    if [ "$skip" != all ]; then
        for s in $cli_sources; do
            b=$(basename "$s" .c)
            case " $skip " in *" $b "*) continue ;; esac
            extra="$extra $build/obj/$b.o"
        done
        [ "$t" = cli_synth ] && extra="$extra $build/obj/cli_synth.o" # cli_synth.c is not included
    fi
    "$cc" $CFLAGS -fsanitize=fuzzer "$here/fuzz_$t.c" $lib_objs $extra $LIBS -o "$build/fuzz_$t" || {
        echo "fuzz/run.sh: building fuzz_$t failed" >&2
        exit 2
    }
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TMPDIR="$build/tmp"
mkdir -p "$TMPDIR"
status=0
printf '%-14s %10s %8s %10s  %s\n' target executions corpus exec/s result
for t in $targets; do
    log="$build/fuzz_$t.log"
    # Replay the kept crash inputs (each must now run clean).
    if [ -d "$here/regressions/$t" ] && [ -n "$(ls -A "$here/regressions/$t")" ]; then
        if ! "$build/fuzz_$t" -close_fd_mask=3 "$here/regressions/$t"/* >"$build/fuzz_$t.replay.log" 2>&1; then
            echo "fuzz/run.sh: fuzz_$t fails again on an input of fuzz/regressions/$t/:" >&2
            tail -40 "$build/fuzz_$t.replay.log" >&2
            status=1
            continue
        fi
    fi
    mkdir -p "$build/corpus/$t"
    rc=0
    "$build/fuzz_$t" -max_total_time="$secs" -close_fd_mask=3 -rss_limit_mb=2048 -timeout=10 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
        "$build/corpus/$t" "$here/corpus/$t" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus=$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -1)
    if [ $rc = 0 ]; then
        printf '%-14s %10s %8s %10s  %s\n' "$t" "${runs:-?}" "${corpus:-?}" "${rate:-?}" "no crash"
    else
        printf '%-14s %10s %8s %10s  %s\n' "$t" "${runs:-?}" "${corpus:-?}" "${rate:-?}" "CRASH (exit $rc)"
        echo "fuzz/run.sh: fuzz_$t found a failure; its input is $(ls -t "$build/crashes/$t-"* 2>/dev/null | head -1)." >&2
        echo "The end of its log ($log):" >&2
        grep -v '^#[0-9]' "$log" | tail -40 >&2
        status=1
    fi
done
rm -rf "$TMPDIR"
exit $status
