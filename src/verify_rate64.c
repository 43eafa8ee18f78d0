/* verify_rate64.c -- CNN paper eq. (64): the spectral gap sets the rate of condensation,
 * 1 - ratio at t_bar_0 <~ M^(-((gamma-1)/8) Delta lambda / lambda_1). */
#include <config.h>

#include <math.h>

#include "condense/bounds.h"
#include "condense/error.h"
#include "verify_internal.h"

/* (64) is an upper bound up to constants: the measured 1 - ratio(t_bar_0) must decay at least
 * as fast in M as the predicted power, i.e. its log-log slope must not exceed the predicted
 * exponent (a small allowance, 10% of the exponent, for the finite sweep). */
int condense_verify_rate64(const condense_verify_instance *inst, condense_verify_result *res)
{
    CONDENSE_TRY(condense_verify_need_runs(inst));
    CONDENSE_CHECK_NULL(res);
    const double lambda_1 = condense_spectrum_lambda(inst->spec, 1);
    const double predicted = -((inst->cfg.gamma - 1.0) / 8.0) * inst->gap_rel;
    condense_verify_begin(res, "Rate of condensation", "eq. (64)");
    condense_verify_text(res->claim, sizeof res->claim,
                         "at t_bar_0 = [((gamma-1)/8) log M - log 2] / lambda_1 the non-v_1 part "
                         "decays like exp(-Delta lambda t_bar_0) ~ M^(-((gamma-1)/8) Delta "
                         "lambda / lambda_1): the larger the gap, the faster the condensation");
    condense_verify_text(res->hypotheses, sizeof res->hypotheses,
                         "Assumption 4: Delta lambda / lambda_1 = %.4g (%s), lambda_1 = %.6g, "
                         "gamma = %g; only runs with t_bar_0 > 0 count",
                         inst->gap_rel, inst->assumption4 ? "holds" : "FAILS", lambda_1,
                         inst->cfg.gamma);
    double x[CONDENSE_VERIFY_MAX_M], y[CONDENSE_VERIFY_MAX_M];
    size_t n = 0;
    for (size_t k = 0; k < inst->n_runs; ++k) {
        const condense_verify_run *run = &inst->runs[k];
        if (!(run->t0_bar > 0.0) || !isfinite(run->ratio_t0_bar)) continue;
        x[n] = (double)run->M;
        y[n] = 1.0 - run->ratio_t0_bar;
        condense_verify_append(
            res->measured, sizeof res->measured, "%sM = %zu: 1 - ratio = %.4g (rate %.4g)",
            n ? "; " : "", run->M, y[n],
            condense_rate64(run->M, inst->cfg.gamma, inst->gap_rel * lambda_1, lambda_1));
        ++n;
    }
    const double slope = condense_verify_loglog_slope(x, y, n);
    condense_verify_append(res->measured, sizeof res->measured,
                           "; measured log-log slope %.4g, predicted exponent %.4g", slope,
                           predicted);
    res->margin = predicted - slope;
    condense_verify_text(res->margin_text, sizeof res->margin_text,
                         "predicted exponent minus measured slope (>= 0: at least as fast)");
    res->pass = n >= 2 && isfinite(slope) && slope <= predicted + 0.1 * fabs(predicted) &&
                inst->assumption4;
    condense_verify_inapplicable(inst, res, 1, 1);
    return CONDENSE_OK;
}
