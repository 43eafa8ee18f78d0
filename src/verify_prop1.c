/* verify_prop1.c -- CNN paper Proposition 1, eq. (44): the closed-form solution of the linear
 * dynamics, checked against exp(tA) and against numerical integration. */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "condense/error.h"
#include "condense/init.h"
#include "condense/linear_flow.h"
#include "verify_internal.h"

#include <gsl/gsl_randist.h>

/* The largest relative 2-norm difference |x - y| / |y|. */
static double rel_diff(const double *x, const double *y, size_t n)
{
    double d = 0.0, s = 0.0;
    for (size_t j = 0; j < n; ++j) {
        d += (x[j] - y[j]) * (x[j] - y[j]);
        s += y[j] * y[j];
    }
    return sqrt(d / s);
}

/* Proposition 1 on 8 random theta_beta(0) and t lambda_1 in {0.5, 5, 20}: the three routes
 * must agree to 1e-10 relative. */
int condense_verify_prop1(const condense_verify_instance *inst, condense_verify_result *res)
{
    CONDENSE_CHECK_NULL(inst);
    CONDENSE_CHECK_NULL(res);
    const size_t N = inst->N_W + inst->N_a;
    const double lambda_1 = condense_spectrum_lambda(inst->spec, 1);
    const double tl[3] = {0.5, 5.0, 20.0};
    const double tol = 1e-10;
    double *x0 = malloc(N * sizeof(double)), *a = malloc(N * sizeof(double)),
           *b = malloc(N * sizeof(double)), *c = malloc(N * sizeof(double));
    gsl_rng *rng = NULL;
    condense_expA *e = NULL;
    int status = (x0 && a && b && c) ? CONDENSE_OK
                                     : condense_error_set(CONDENSE_ENOMEM, __func__, "no memory");
    if (status == CONDENSE_OK) status = condense_rng_alloc(inst->cfg.seed * 7919UL + 13UL, &rng);
    if (status == CONDENSE_OK) status = condense_expA_alloc(inst->A, &e);
    double worst_expm = 0.0, worst_ode = 0.0;
    for (int trial = 0; status == CONDENSE_OK && trial < 8; ++trial) {
        for (size_t j = 0; j < N; ++j)
            x0[j] = gsl_ran_gaussian(rng, 1.0);
        for (int k = 0; status == CONDENSE_OK && k < 3; ++k) {
            const double t = tl[k] / lambda_1;
            status = condense_linear_flow(inst->spec, x0, t, a);
            if (status == CONDENSE_OK) status = condense_expA_apply(e, t, x0, b);
            if (status == CONDENSE_OK) status = condense_linear_ode(inst->A, x0, t, 0.0, 1e-13, c);
            if (status == CONDENSE_OK) {
                worst_expm = fmax(worst_expm, rel_diff(b, a, N));
                worst_ode = fmax(worst_ode, rel_diff(c, a, N));
            }
        }
    }
    free(x0);
    free(a);
    free(b);
    free(c);
    gsl_rng_free(rng);
    condense_expA_free(e);
    CONDENSE_TRY(status);

    condense_verify_begin(res, "Proposition 1", "eq. (44)");
    condense_verify_text(res->claim, sizeof res->claim,
                         "the linear dynamics d theta_beta/dt = A theta_beta is solved by "
                         "theta_{W,beta}(t) = sum_k [c e^{lambda_k t} + d e^{-lambda_k t}] v_k + "
                         "frozen part, and the same for theta_{a,beta} with u_k");
    condense_verify_text(res->hypotheses, sizeof res->hypotheses,
                         "Z = U Lambda V^T (GSL SVD), rank r = %zu, lambda_1 = %.6g; 8 random "
                         "theta_beta(0), t lambda_1 in {0.5, 5, 20}",
                         inst->spec->r, lambda_1);
    condense_verify_text(res->measured, sizeof res->measured,
                         "max relative difference closed form vs exp(tA) (eigendecomposition): "
                         "%.3g; closed form vs odeiv2 rk8pd (epsrel 1e-13): %.3g",
                         worst_expm, worst_ode);
    const double worst = fmax(worst_expm, worst_ode);
    res->margin = log10(tol / fmax(worst, 1e-300));
    condense_verify_text(res->margin_text, sizeof res->margin_text,
                         "decades below the tolerance 1e-10");
    res->pass = worst <= tol;
    return CONDENSE_OK;
}
