/* verify_prop2.c -- CNN paper Proposition 2, eq. (48), with every constant written back
 * (bounds.h): |f_beta| <= B |theta_{a,beta}| and |g_beta| <= B |theta_{W,beta}| along real
 * runs. */
#include <config.h>

#include <math.h>

#include "condense/bounds.h"
#include "condense/error.h"
#include "verify_internal.h"

/* The measured ratios |f|/(B|theta_a|), |g|/(B|theta_W|), maximized over beta, sampled times
 * and runs, must not exceed 1: the bound is rigorous, so any excess is a defect. */
int condense_verify_prop2(const condense_verify_instance *inst, condense_verify_result *res)
{
    CONDENSE_TRY(condense_verify_need_runs(inst));
    CONDENSE_CHECK_NULL(res);
    condense_prop2 p;
    CONDENSE_TRY(condense_prop2_init(inst->c, inst->C_L, inst->N_W, inst->N_a, &p));
    double worst = 0.0, tightest = INFINITY;
    size_t samples = 0;
    condense_verify_begin(res, "Proposition 2", "eq. (48)");
    condense_verify_text(res->measured, sizeof res->measured, "per M: max ratio");
    for (size_t k = 0; k < inst->n_runs; ++k) {
        const condense_verify_run *run = &inst->runs[k];
        if (run->prop2_samples == 0) continue;
        worst = fmax(worst, run->prop2_max);
        tightest = fmin(tightest, run->prop2_min_nonzero);
        samples += run->prop2_samples;
        condense_verify_append(res->measured, sizeof res->measured, "%s M = %zu: %.3g",
                               samples == run->prop2_samples ? "" : ";", run->M, run->prop2_max);
    }
    if (samples == 0)
        CONDENSE_ERROR(CONDENSE_EINVAL,
                       "no run measured Proposition 2 (prop2_max_M = %zu is "
                       "below every M)",
                       inst->cfg.prop2_max_M);
    condense_verify_append(res->measured, sizeof res->measured,
                           "; overall max %.3g, min %.3g, over %zu (kernel, time, residual) "
                           "samples",
                           worst, tightest, samples);
    condense_verify_text(res->claim, sizeof res->claim,
                         "for every beta and t, |f_beta| <= B |theta_{a,beta}| and |g_beta| <= B "
                         "|theta_{W,beta}|, B = K_2 M eps^2 E_max^2 + K_1 eps E_max (the paper's "
                         "M eps^2 E_max^2 + eps E_max with its omitted constants written back)");
    condense_verify_text(res->hypotheses, sizeof res->hypotheses,
                         "Assumption 1: C_L = %g; Assumption 2 (with |x| <= c, as the proof uses "
                         "it): c = %.6g; K_2 = C_L^2 c^2 N_W N_a / 2 = %.6g, K_1 = C_L c^3 N_W "
                         "sqrt(N_a) = %.6g; eps^2 = M^-gamma",
                         inst->C_L, inst->c, p.K_2, p.K_1);
    res->margin = 1.0 - worst;
    condense_verify_text(res->margin_text, sizeof res->margin_text,
                         "1 minus the largest |residual| / bound");
    res->pass = worst <= 1.0;
    return CONDENSE_OK;
}
