#!/bin/sh
# setup.sh -- install condense's build dependencies (Debian), then configure and build.
# Usage: ./setup.sh [configure options...]
# Uses sudo for apt-get when not run as root.  clang and libclang-rt-14-dev are for the fuzz
# targets (make fuzz, fuzz/run.sh).  The TeX, gnuplot and poppler packages are for
# the manual (make doc, make doc-check).  Set CONDENSE_SKIP_APT=1 to skip the install.
set -eu
cd "$(dirname "$0")"
PACKAGES="build-essential autoconf automake libtool autoconf-archive pkg-config \
libgsl-dev libcmocka-dev libopenblas-openmp-dev lcov valgrind clang-format \
zlib1g-dev dataset-fashion-mnist gnuplot-nox clang libclang-rt-14-dev \
texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern poppler-utils"
if [ "${CONDENSE_SKIP_APT:-0}" != 1 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
fi
# Optional, for `./configure --with-mpi` (condense sweep under mpirun):
#   apt-get install -y libopenmpi-dev openmpi-bin
autoreconf -fi
./configure "$@"
make -j"$(nproc 2>/dev/null || echo 2)"
