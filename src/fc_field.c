/* fc_field.c -- the velocity field of a test neuron and the dynamics of r = |w| and of the
 * director u = w / |w|, FC paper eq. (5)-(6).  See condense/fc_field.h. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "condense/error.h"
#include "condense/fc.h"
#include "condense/fc_field.h"
#include "condense/observables.h"

/* The FC shape of data (n >= 1 samples of d x 1 x 1, finite), finite e and w. */
static int check_inputs(const condense_activation *sigma, const condense_data *data,
                        const double *e, const double *w)
{
    CONDENSE_CHECK_NULL(sigma);
    CONDENSE_CHECK_NULL(sigma->type);
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(e);
    CONDENSE_CHECK_NULL(w);
    if (data->n == 0 || data->W0 == 0 || data->H0 != 1 || data->C0 != 1)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "FC data must be n >= 1 samples of d x 1 x 1 inputs, not n = %zu of "
                       "%zu x %zu x %zu",
                       data->n, data->W0, data->H0, data->C0);
    CONDENSE_TRY(condense_data_check_finite(data));
    for (size_t i = 0; i < data->n; ++i)
        if (!isfinite(e[i])) CONDENSE_ERROR(CONDENSE_EDOM, "e_%zu = %g is not finite", i + 1, e[i]);
    for (size_t k = 0; k <= data->W0; ++k)
        if (!isfinite(w[k])) CONDENSE_ERROR(CONDENSE_EDOM, "w[%zu] = %g is not finite", k, w[k]);
    return CONDENSE_OK;
}

/* g and grad g of eq. (5), unchecked; returns 0 when some value is not finite. */
static int g_and_grad(const condense_activation *sigma, const condense_data *data, const double *e,
                      const double *w, double *g, double *grad_g)
{
    const size_t d = data->W0;
    double sum = 0.0;
    memset(grad_g, 0, (d + 1) * sizeof(double));
    for (size_t i = 0; i < data->n; ++i) {
        const double *x = data->x + i * d;
        const double z = condense_fc_dot(w, x, d);
        sum += e[i] * condense_sigma(sigma, z);
        const double s1 = e[i] * condense_sigma1(sigma, z);
        for (size_t k = 0; k < d; ++k)
            grad_g[k] += s1 * x[k];
        grad_g[d] += s1;
    }
    *g = sum;
    int finite = isfinite(sum);
    for (size_t k = 0; k <= d; ++k)
        finite &= isfinite(grad_g[k]);
    return finite;
}

/* FC paper eq. (5): g_theta(w) = sum_i e_i sigma(w . x_i) and its gradient in w. */
int condense_fc_g(const condense_activation *sigma, const condense_data *data, const double *e,
                  const double *w, double *g, double *grad_g)
{
    CONDENSE_CHECK_NULL(g);
    CONDENSE_TRY(check_inputs(sigma, data, e, w));
    const size_t d = data->W0;
    double value, grad[d + 1];
    if (!g_and_grad(sigma, data, e, w, &value, grad))
        CONDENSE_ERROR(CONDENSE_EDOM, "g_theta(w) = %g or its gradient is not finite (eq. 5)",
                       value);
    *g = value;
    if (grad_g != NULL) memcpy(grad_g, grad, (d + 1) * sizeof(double));
    return CONDENSE_OK;
}

/* FC paper eq. (6): a_dot = -g/n, w_dot = -(a/n) grad g, r_dot = u . w_dot,
 * u_dot = (w_dot - (w_dot . u) u) / r. */
int condense_fc_velocity(const condense_activation *sigma, const condense_data *data,
                         const double *e, double a, const double *w, double *a_dot, double *w_dot,
                         double *r_dot, double *u_dot)
{
    CONDENSE_TRY(check_inputs(sigma, data, e, w));
    if (!isfinite(a)) CONDENSE_ERROR(CONDENSE_EDOM, "a = %g is not finite", a);
    const size_t d = data->W0;
    const double n = (double)data->n;
    double g, wd[d + 1];
    if (!g_and_grad(sigma, data, e, w, &g, wd))
        CONDENSE_ERROR(CONDENSE_EDOM, "g_theta(w) = %g or its gradient is not finite (eq. 5)", g);
    for (size_t k = 0; k <= d; ++k)
        wd[k] *= -a / n;
    const double r = condense_norm2(w, d + 1, 1);
    if ((r_dot != NULL || u_dot != NULL) && !(r > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "w = 0: r = |w| = 0 and the director u = w / r are "
                                      "undefined (eq. 5-6)");
    double rd = 0.0;
    for (size_t k = 0; r > 0.0 && k <= d; ++k)
        rd += (w[k] / r) * wd[k];
    if (a_dot != NULL) *a_dot = -g / n;
    if (w_dot != NULL) memcpy(w_dot, wd, (d + 1) * sizeof(double));
    if (r_dot != NULL) *r_dot = rd;
    if (u_dot != NULL)
        for (size_t k = 0; k <= d; ++k)
            u_dot[k] = (wd[k] - rd * (w[k] / r)) / r;
    return CONDENSE_OK;
}

/* FC paper eq. (6) in the (w, b) plane, d = 1: dphi/dt = u_perp . du/dt. */
int condense_fc_angular_velocity(const condense_activation *sigma, const condense_data *data,
                                 const double *e, double a, double phi, double r, double *omega)
{
    CONDENSE_CHECK_NULL(omega);
    CONDENSE_CHECK_NULL(data);
    if (data->W0 != 1)
        CONDENSE_ERROR(CONDENSE_ESIZE, "the angular velocity needs d = 1 input, not d = %zu",
                       data->W0);
    if (!(isfinite(phi) && isfinite(r) && r > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "phi = %g, r = %g: need finite values, r > 0", phi, r);
    const double u[2] = {cos(phi), sin(phi)}, w[2] = {r * u[0], r * u[1]};
    double u_dot[2];
    CONDENSE_TRY(condense_fc_velocity(sigma, data, e, a, w, NULL, NULL, NULL, u_dot));
    *omega = -u[1] * u_dot[0] + u[0] * u_dot[1];
    return CONDENSE_OK;
}
