/* verify_theorem1.c -- CNN paper Theorem 1, eq. (14) and (15), as a trend over the M-sweep:
 * a limit in M cannot be shown by one run (NOTES.md). */
#include <config.h>

#include <math.h>

#include "condense/error.h"
#include "verify_internal.h"

static void hypotheses(const condense_verify_instance *inst, condense_verify_result *res)
{
    condense_verify_text(
        res->hypotheses, sizeof res->hypotheses,
        "Assumption 1 (%s, C_L = %g), 2 (c = %.4g), 3 (eps^2 = M^-gamma, gamma = "
        "%g, Theorem 1 needs > 1), 4 (Delta lambda / lambda_1 = %.4g: %s); sup over the sampled "
        "t in [0, T_eff]",
        inst->sigma.type->name, inst->C_L, inst->c, inst->cfg.gamma, inst->gap_rel,
        inst->assumption4 ? "holds" : "FAILS");
}

/* Eq. (14): sup_{t <= T_eff} |theta_W(t) - theta_W(0)| / |theta_W(0)| -> infinity: the sup
 * must increase strictly along the sweep, with a positive log-log slope. */
int condense_verify_theorem1_14(const condense_verify_instance *inst, condense_verify_result *res)
{
    CONDENSE_TRY(condense_verify_need_runs(inst));
    CONDENSE_CHECK_NULL(res);
    condense_verify_begin(res, "Theorem 1 (relative change)", "eq. (14)");
    condense_verify_text(res->claim, sizeof res->claim,
                         "lim_{M->inf} sup_{t in [0,T_eff]} |theta_W(t) - theta_W(0)| / "
                         "|theta_W(0)| = +infinity (kernels move far from their initial values)");
    hypotheses(inst, res);
    double x[CONDENSE_VERIFY_MAX_M], y[CONDENSE_VERIFY_MAX_M];
    int increasing = 1;
    for (size_t k = 0; k < inst->n_runs; ++k) {
        x[k] = (double)inst->runs[k].M;
        y[k] = inst->runs[k].sup_rel_change;
        if (k > 0 && !(y[k] > y[k - 1])) increasing = 0;
        condense_verify_append(res->measured, sizeof res->measured, "%sM = %zu: %.4g",
                               k ? "; " : "sup relative change: ", inst->runs[k].M, y[k]);
    }
    const double slope = condense_verify_loglog_slope(x, y, inst->n_runs);
    condense_verify_append(res->measured, sizeof res->measured, "; log-log slope %.3g", slope);
    res->margin = slope;
    condense_verify_text(res->margin_text, sizeof res->margin_text,
                         "log-log slope of the sup against M (> 0: grows without bound)");
    res->pass = increasing && slope > 0.0 && inst->assumption4;
    condense_verify_inapplicable(inst, res, 1, 1);
    return CONDENSE_OK;
}

/* Eq. (15): sup_{t <= T_eff} |theta_{W,v_1}(t)| / |theta_W(t)| -> 1: 1 - sup must decrease
 * strictly along the sweep. */
int condense_verify_theorem1_15(const condense_verify_instance *inst, condense_verify_result *res)
{
    CONDENSE_TRY(condense_verify_need_runs(inst));
    CONDENSE_CHECK_NULL(res);
    condense_verify_begin(res, "Theorem 1 (condensation)", "eq. (15)");
    condense_verify_text(res->claim, sizeof res->claim,
                         "lim_{M->inf} sup_{t in [0,T_eff]} |theta_{W,v_1}(t)| / |theta_W(t)| = 1 "
                         "(all kernels line up with v_1, the top right singular vector of Z)");
    hypotheses(inst, res);
    double x[CONDENSE_VERIFY_MAX_M], y[CONDENSE_VERIFY_MAX_M];
    int decreasing = 1;
    for (size_t k = 0; k < inst->n_runs; ++k) {
        x[k] = (double)inst->runs[k].M;
        y[k] = 1.0 - inst->runs[k].sup_ratio;
        if (k > 0 && !(y[k] < y[k - 1])) decreasing = 0;
        condense_verify_append(res->measured, sizeof res->measured, "%sM = %zu: %.4g",
                               k ? "; " : "1 - sup ratio: ", inst->runs[k].M, y[k]);
    }
    const double slope = condense_verify_loglog_slope(x, y, inst->n_runs);
    condense_verify_append(res->measured, sizeof res->measured, "; log-log slope %.3g", slope);
    res->margin = -slope;
    condense_verify_text(res->margin_text, sizeof res->margin_text,
                         "minus the log-log slope of 1 - sup ratio against M (> 0: tends to 1)");
    res->pass = decreasing && slope < 0.0 && inst->assumption4;
    condense_verify_inapplicable(inst, res, 1, 1);
    return CONDENSE_OK;
}
