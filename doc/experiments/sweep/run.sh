#!/bin/sh
# run.sh -- the Theorem 1 sweep of doc/experiments/sweep (see README.md): run it (resumable:
# rerunning skips the rows theorem1.csv already has), average the trials, draw the figures.
#   CONDENSE   the program (default: ../../../condense, the build in the source tree)
#   LAUNCH     a launcher, e.g. LAUNCH="mpirun -np 8" with a --with-mpi build (default: none)
set -eu
cd "$(dirname "$0")"
CONDENSE=${CONDENSE:-../../../condense}
LAUNCH=${LAUNCH:-}
# shellcheck disable=SC2086
$LAUNCH "$CONDENSE" sweep --run theorem1 --M 16,64,256,1024,4096,16384 \
    --gamma 1.5,2,2.5,3,3.5,4 --trials 2 --out theorem1.csv
# Means over the trials per (gamma, M): columns gamma,M,sup_rel_change,sup_ratio,
# one_minus_sup_ratio,T_eff,T_eff_positive (the fraction of trials with T_eff > 0).
awk -F, '
    /^#/ || /^run,/ { next }
    { k = $4 "," $6; if (!(k in n)) order[++K] = k
      n[k]++; rel[k] += $16; rat[k] += $17; teff[k] += $12; pos[k] += ($12 > 0) }
    END { print "gamma,M,sup_rel_change,sup_ratio,one_minus_sup_ratio,T_eff,T_eff_positive"
          for (j = 1; j <= K; ++j) { k = order[j]
              printf "%s,%.10g,%.10g,%.10g,%.10g,%.4g\n", k, rel[k] / n[k], rat[k] / n[k],
                     1 - rat[k] / n[k], teff[k] / n[k], pos[k] / n[k] } }' theorem1.csv \
    >theorem1-mean.csv
if command -v gnuplot >/dev/null; then gnuplot plot.gp; else echo "run.sh: no gnuplot: no figures"; fi
