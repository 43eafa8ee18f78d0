/* verify_lemma1.c -- CNN paper Lemma 1, eq. (49), measured: the bound on the initial
 * parameters holds with probability at least 1 - delta. */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "condense/bounds.h"
#include "condense/error.h"
#include "condense/init.h"
#include "verify_internal.h"

/* Lemma 1: P(max_beta max(|theta^0_{W,beta}|_inf, |theta^0_{a,beta}|_inf) <= eta) >= 1 - delta,
 * checked three ways: the exact probability (1 - 2 Phi(-eta))^(M N), a Monte Carlo frequency,
 * and the bound 1 - delta. */
int condense_verify_lemma1(const condense_verify_instance *inst, condense_verify_result *res)
{
    CONDENSE_CHECK_NULL(inst);
    CONDENSE_CHECK_NULL(res);
    const condense_verify_config *cfg = &inst->cfg;
    const size_t M = cfg->M[0], N = inst->N_W + inst->N_a, T = cfg->mc_trials;
    const double delta = cfg->delta;
    const double eta = condense_lemma1_eta(M, inst->N_W, inst->N_a, delta);
    /* The M N entries are independent N(0,1): the event has probability
     * (1 - 2 Phi(-eta))^(M N), computed through log1p for accuracy near 1. */
    const double p_exact = exp((double)(M * N) * log1p(-2.0 * gsl_cdf_ugaussian_P(-eta)));

    gsl_rng *rng = NULL;
    CONDENSE_TRY(condense_rng_alloc(cfg->seed * 7919UL + 11UL, &rng));
    size_t hits = 0;
    for (size_t trial = 0; trial < T; ++trial) {
        double worst = 0.0;
        for (size_t j = 0; j < M * N; ++j) /* the draws of eq. (28), in any fixed order */
            worst = fmax(worst, fabs(gsl_ran_gaussian(rng, 1.0)));
        hits += worst <= eta;
    }
    gsl_rng_free(rng);
    const double freq = (double)hits / (double)T;
    /* Binomial standard deviation of the frequency at the bound's probability. */
    const double sd = sqrt(delta * (1.0 - delta) / (double)T);
    const double sd_exact = sqrt(fmax(p_exact * (1.0 - p_exact), 1.0 / (double)T) / (double)T);

    condense_verify_begin(res, "Lemma 1", "eq. (49)");
    condense_verify_text(res->claim, sizeof res->claim,
                         "with probability >= 1 - delta over theta^0, every initial entry of "
                         "every theta_{W,beta}, theta_{a,beta} is at most eta = sqrt(2 log(2 M "
                         "(N_W + N_a) / delta)) in absolute value");
    condense_verify_text(res->hypotheses, sizeof res->hypotheses,
                         "theta^0 entries i.i.d. N(0,1) (eq. 28); M = %zu, N_W = %zu, N_a = %zu, "
                         "delta = %g",
                         M, inst->N_W, inst->N_a, delta);
    condense_verify_text(res->measured, sizeof res->measured,
                         "eta = %.6g; exact probability (1 - 2 Phi(-eta))^(M N) = %.8f; Monte "
                         "Carlo frequency %.6f over %zu draws (3 sd = %.2g)",
                         eta, p_exact, freq, T, 3.0 * sd_exact);
    res->margin = p_exact - (1.0 - delta);
    condense_verify_text(res->margin_text, sizeof res->margin_text,
                         "exact probability minus 1 - delta");
    /* PASS: the exact probability meets the bound, and the frequency agrees with both (within
     * 3 standard deviations, a false-failure rate of ~1e-3 for this fixed seed). */
    res->pass = p_exact >= 1.0 - delta && freq >= 1.0 - delta - 3.0 * sd &&
                fabs(freq - p_exact) <= 3.0 * sd_exact + 1.0 / (double)T;
    return CONDENSE_OK;
}
