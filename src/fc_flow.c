/* fc_flow.c -- the gradient flow of the two-layer FC network, FC paper eq. (3)-(4), integrated
 * with GSL odeiv2 in the style of real_flow.c, and the discrete trainers GD and Adam.
 *
 * Adam is the library's one implementation (adam.h), here without rescaling.  A step that would
 * leave the doubles is refused and the network keeps the last good state. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "condense/adam.h"
#include "condense/error.h"
#include "condense/fc.h"
#include "condense/fc_flow.h"

/* Scratch of a run: e (n) and the field (dim), one allocation. */
static int scratch_alloc(const condense_fc *net, const condense_data *data, size_t extra,
                         double **buf)
{
    CONDENSE_TRY(condense_fc_check_data(net, data));
    *buf = malloc((data->n + (1 + extra) * net->dim) * sizeof(double));
    if (*buf == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the FC flow's scratch");
    return CONDENSE_OK;
}

/* Call the observer; keep its message if it recorded one. */
static int observe(condense_fc_observer obs, size_t k, double t, const condense_fc *net, void *user)
{
    if (obs == NULL) return CONDENSE_OK;
    condense_error_clear();
    const int status = obs(k, t, net, user);
    if (status == CONDENSE_OK) return CONDENSE_OK;
    if (condense_errmsg()[0] != '\0') return status;
    CONDENSE_ERROR(status, "the observer stopped the run at step %zu, t = %.17g", k, t);
}

/* ---- the ODE ------------------------------------------------------------------------------ */

typedef struct ode_context {
    condense_fc *net;
    const condense_data *data;
    double *e;
    int status;
    char msg[1024];
} ode_context;

/* gsl_odeiv2_system function: eq. (3)-(4) at y; a failure is kept for the caller. */
static int ode_rhs(double t, const double y[], double dydt[], void *params)
{
    (void)t;
    ode_context *ctx = params;
    memcpy(ctx->net->theta, y, ctx->net->dim * sizeof(double));
    const int status = condense_fc_field(ctx->net, ctx->data, ctx->e, dydt);
    if (status == CONDENSE_OK) return GSL_SUCCESS;
    ctx->status = status;
    snprintf(ctx->msg, sizeof ctx->msg, "%s", condense_errmsg());
    return GSL_EBADFUNC;
}

/* FC paper eq. (3)-(4), integrated by GSL odeiv2 (rk8pd). */
int condense_fc_flow_integrate(condense_fc *net, const condense_data *data, const double *times,
                               size_t n, double epsabs, double epsrel, condense_fc_observer obs,
                               void *user)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(times);
    if (n == 0) CONDENSE_ERROR(CONDENSE_EINVAL, "no times to integrate to (n = 0)");
    for (size_t k = 0; k < n; ++k)
        if (!isfinite(times[k]) || (k > 0 && times[k] < times[k - 1]))
            CONDENSE_ERROR(CONDENSE_EINVAL, "times[%zu] = %g: need finite, non-decreasing times", k,
                           times[k]);
    if (!(isfinite(epsabs) && epsabs >= 0.0 && isfinite(epsrel) && epsrel >= 0.0 &&
          epsabs + epsrel > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "tolerances epsabs = %g, epsrel = %g: need finite values >= 0, not both 0",
                       epsabs, epsrel);
    double *buf = NULL;
    CONDENSE_TRY(scratch_alloc(net, data, 0, &buf));
    double *y = buf + data->n;
    memcpy(y, net->theta, net->dim * sizeof(double));
    double hstart = 1e-6;
    for (size_t k = 1; k < n; ++k)
        if (times[k] > times[k - 1]) {
            hstart = 1e-3 * (times[k] - times[k - 1]);
            break;
        }
    condense_gsl_quiet();
    ode_context ctx = {net, data, buf, CONDENSE_OK, ""};
    gsl_odeiv2_system sys = {ode_rhs, NULL, net->dim, &ctx};
    gsl_odeiv2_driver *driver =
        gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, hstart, epsabs, epsrel);
    if (driver == NULL) {
        free(buf);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the GSL ODE driver");
    }
    int status = observe(obs, 0, times[0], net, user);
    double t = times[0];
    for (size_t k = 1; k < n && status == CONDENSE_OK; ++k) {
        const int gsl_status = gsl_odeiv2_driver_apply(driver, &t, times[k], y);
        memcpy(net->theta, y, net->dim * sizeof(double));
        if (gsl_status == GSL_EBADFUNC && ctx.status != CONDENSE_OK)
            status = condense_error_set(ctx.status, __func__,
                                        "field failed while integrating to times[%zu] = %g "
                                        "(state kept at t = %.17g): %s",
                                        k, times[k], t, ctx.msg);
        else if (gsl_status != GSL_SUCCESS)
            status = condense_error_set(CONDENSE_ENUM, __func__,
                                        "GSL odeiv2 (rk8pd) failed at t = %.17g on the way to "
                                        "times[%zu] = %g: %s",
                                        t, k, times[k], gsl_strerror(gsl_status));
        else
            status = observe(obs, k, times[k], net, user);
    }
    gsl_odeiv2_driver_free(driver);
    free(buf);
    return status;
}

/* ---- discrete trainers -------------------------------------------------------------------- */

static int check_steps(double lr, size_t every)
{
    if (!(isfinite(lr) && lr > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "learning rate lr = %g: need a finite lr > 0", lr);
    if (every == 0) CONDENSE_ERROR(CONDENSE_EINVAL, "every = 0: need every >= 1");
    return CONDENSE_OK;
}

/* The field at step k, its failure message naming the method and the step. */
static int step_field(condense_fc *net, const condense_data *data, double *e, double *field,
                      const char *method, size_t k)
{
    const int status = condense_fc_field(net, data, e, field);
    if (status == CONDENSE_OK) return CONDENSE_OK;
    char inner[1024];
    snprintf(inner, sizeof inner, "%s", condense_errmsg());
    CONDENSE_ERROR(status, "%s step %zu: %s", method, k, inner);
}

/* One optimizer: GD (beta1 = 0) or Adam. */
typedef struct trainer {
    const char *method;
    double lr, beta1, beta2, adam_eps;
} trainer;

/* One step from net->theta with the field at it: GD (adam NULL) or Adam; the network keeps the
 * last good state when the step would leave the doubles. */
static int step_once(condense_fc *net, const trainer *tr, condense_adam *adam, double *field,
                     size_t k)
{
    const size_t dim = net->dim;
    if (adam == NULL) {
        /* FC paper eq. (3)-(4) discretized: theta <- theta - lr grad R_S = theta + lr field */
        for (size_t j = 0; j < dim; ++j)
            if (!isfinite(net->theta[j] + tr->lr * field[j]))
                CONDENSE_ERROR(CONDENSE_EDOM,
                               "%s step %zu (t = %.17g) makes theta[%zu] = %g (not finite; was "
                               "%g, field %g)",
                               tr->method, k, (double)(k - 1) * tr->lr, j,
                               net->theta[j] + tr->lr * field[j], net->theta[j], field[j]);
        for (size_t j = 0; j < dim; ++j)
            net->theta[j] += tr->lr * field[j];
        return CONDENSE_OK;
    }
    /* Kingma & Ba, Algorithm 1 (adam.h), with g = grad R_S = -field */
    for (size_t j = 0; j < dim; ++j)
        field[j] = -field[j];
    if (condense_adam_step(adam, net->theta, field, tr->lr) == CONDENSE_OK) return CONDENSE_OK;
    char inner[1024];
    snprintf(inner, sizeof inner, "%s", condense_errmsg());
    CONDENSE_ERROR(CONDENSE_EDOM, "%s step %zu (t = %.17g), theta[%zu]: %s", tr->method, k,
                   (double)(k - 1) * tr->lr, adam->bad, inner);
}

static int train(condense_fc *net, const condense_data *data, const trainer *tr, size_t steps,
                 size_t every, condense_fc_observer obs, void *user)
{
    condense_adam *adam = NULL;
    if (tr->beta1 > 0.0)
        CONDENSE_TRY(condense_adam_alloc(net->dim, tr->beta1, tr->beta2, tr->adam_eps, &adam));
    double *buf = NULL;
    int status = scratch_alloc(net, data, 0, &buf);
    if (status != CONDENSE_OK) {
        condense_adam_free(adam);
        return status;
    }
    double *e = buf, *field = buf + data->n;
    status = observe(obs, 0, 0.0, net, user);
    for (size_t k = 1; k <= steps && status == CONDENSE_OK; ++k) {
        status = step_field(net, data, e, field, tr->method, k);
        if (status == CONDENSE_OK) status = step_once(net, tr, adam, field, k);
        if (status == CONDENSE_OK && (k % every == 0 || k == steps))
            status = observe(obs, k, (double)k * tr->lr, net, user);
    }
    free(buf);
    condense_adam_free(adam);
    return status;
}

/* FC paper eq. (3)-(4) discretized with a fixed step. */
int condense_fc_gd(condense_fc *net, const condense_data *data, double lr, size_t steps,
                   size_t every, condense_fc_observer obs, void *user)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_TRY(check_steps(lr, every));
    const trainer tr = {"GD", lr, 0.0, 0.0, 0.0};
    return train(net, data, &tr, steps, every, obs, user);
}

/* Full-batch Adam on FC paper eq. (2), as in the paper's experiments (Sec. 4). */
int condense_fc_adam(condense_fc *net, const condense_data *data, double lr, double beta1,
                     double beta2, double adam_eps, size_t steps, size_t every,
                     condense_fc_observer obs, void *user)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_TRY(check_steps(lr, every));
    if (!(beta1 > 0.0 && beta1 < 1.0)) /* beta1 = 0 would mean GD to train(); adam.h checks */
        CONDENSE_ERROR(CONDENSE_EDOM, "Adam beta1 = %g: need a value in (0, 1)", beta1);
    const trainer tr = {"Adam", lr, beta1, beta2, adam_eps};
    return train(net, data, &tr, steps, every, obs, user);
}
