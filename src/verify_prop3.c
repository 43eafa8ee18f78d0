/* verify_prop3.c -- CNN paper Proposition 3, eq. (51): sqrt(M N_W / 2) <= |theta_W^0| <=
 * sqrt(3 M N_W / 2) with probability >= 1 - delta once M is large enough. */
#include <config.h>

#include <math.h>

#include <gsl/gsl_randist.h>

#include "condense/bounds.h"
#include "condense/error.h"
#include "condense/init.h"
#include "verify_internal.h"

/* The exact probability (chi-square) for every M of the sweep, and a Monte Carlo frequency at
 * the smallest M.  "M large enough" is read off the instance: the smallest M of the sweep from
 * which on the exact probability stays >= 1 - delta. */
int condense_verify_prop3(const condense_verify_instance *inst, condense_verify_result *res)
{
    CONDENSE_CHECK_NULL(inst);
    CONDENSE_CHECK_NULL(res);
    const condense_verify_config *cfg = &inst->cfg;
    const size_t N_W = inst->N_W, T = cfg->mc_trials, M0 = cfg->M[0];
    double p[CONDENSE_VERIFY_MAX_M];
    for (size_t k = 0; k < cfg->n_M; ++k)
        CONDENSE_TRY(condense_prop3_probability(cfg->M[k], N_W, &p[k]));
    double lo, hi;
    CONDENSE_TRY(condense_prop3_bounds(M0, N_W, &lo, &hi));
    gsl_rng *rng = NULL;
    CONDENSE_TRY(condense_rng_alloc(cfg->seed * 7919UL + 17UL, &rng));
    size_t hits = 0;
    for (size_t trial = 0; trial < T; ++trial) {
        double s = 0.0;
        for (size_t j = 0; j < M0 * N_W; ++j) {
            const double w = gsl_ran_gaussian(rng, 1.0);
            s += w * w;
        }
        hits += lo <= sqrt(s) && sqrt(s) <= hi;
    }
    gsl_rng_free(rng);
    const double freq = (double)hits / (double)T;
    const double sd = sqrt(fmax(p[0] * (1.0 - p[0]), 1.0 / (double)T) / (double)T);

    /* The smallest M of the sweep from which on every exact probability is >= 1 - delta. */
    size_t from = cfg->n_M;
    while (from > 0 && p[from - 1] >= 1.0 - cfg->delta)
        --from;
    condense_verify_begin(res, "Proposition 3", "eq. (51)");
    condense_verify_text(res->claim, sizeof res->claim,
                         "if M = Omega(log(2/delta)), then with probability >= 1 - delta, "
                         "sqrt(M N_W / 2) <= |theta_W^0| <= sqrt(3 M N_W / 2)");
    condense_verify_text(res->hypotheses, sizeof res->hypotheses,
                         "theta^0 ~ N(0,1) (eq. 28), N_W = %zu, delta = %g; the constant in "
                         "Omega is not explicit in the paper, so 'M large enough' is measured: "
                         "the exact probability is >= 1 - delta from M = %zu on",
                         N_W, cfg->delta, from < cfg->n_M ? cfg->M[from] : (size_t)0);
    condense_verify_text(res->measured, sizeof res->measured,
                         "exact P (|theta_W^0|^2 ~ chi^2(M N_W)) per M:");
    for (size_t k = 0; k < cfg->n_M; ++k)
        condense_verify_append(res->measured, sizeof res->measured, " %zu: 1 - %.3g;", cfg->M[k],
                               1.0 - p[k]);
    condense_verify_append(res->measured, sizeof res->measured,
                           " Monte Carlo at M = %zu: %.5f over %zu draws (exact %.5f)", M0, freq, T,
                           p[0]);
    res->margin = p[cfg->n_M - 1] - (1.0 - cfg->delta);
    condense_verify_text(res->margin_text, sizeof res->margin_text,
                         "exact probability at the largest M minus 1 - delta");
    res->pass = from < cfg->n_M && fabs(freq - p[0]) <= 3.0 * sd + 1.0 / (double)T;
    return CONDENSE_OK;
}
