/* fc.c -- the two-layer fully-connected network of the FC paper, Sec. 3: the output (eq. 1),
 * the risk (eq. 2) and the gradient-flow field (eq. 3-4).  See condense/fc.h. */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "condense/error.h"
#include "condense/fc.h"

int condense_fc_alloc(size_t d, size_t m, condense_activation sigma, condense_fc **net)
{
    CONDENSE_CHECK_NULL(net);
    if (d == 0 || m == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "FC network with d = %zu inputs, m = %zu neurons: zero size",
                       d, m);
    if (d > SIZE_MAX / 16 / m)
        CONDENSE_ERROR(CONDENSE_ESIZE, "FC network with d = %zu, m = %zu is too large", d, m);
    if (sigma.type == NULL) CONDENSE_ERROR(CONDENSE_EINVAL, "activation without a type");
    condense_fc *f = calloc(1, sizeof *f);
    double *theta = calloc(m * (d + 2), sizeof(double));
    if (f == NULL || theta == NULL) {
        free(f);
        free(theta);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the FC network (d = %zu, m = %zu)", d, m);
    }
    f->d = d;
    f->m = m;
    f->dim = m * (d + 2);
    f->sigma = sigma;
    f->theta = theta;
    f->a = theta;
    f->w = theta + m;
    *net = f;
    return CONDENSE_OK;
}

void condense_fc_free(condense_fc *net)
{
    if (net == NULL) return;
    free(net->theta);
    free(net);
}

int condense_fc_init_normal(condense_fc *net, gsl_rng *rng, double std)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(rng);
    if (!(isfinite(std) && std >= 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "initialization std = %g: need a finite std >= 0", std);
    for (size_t k = 0; k < net->dim; ++k)
        net->theta[k] = gsl_ran_gaussian(rng, std);
    return CONDENSE_OK;
}

int condense_fc_check_data(const condense_fc *net, const condense_data *data)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(data);
    if (data->n == 0 || data->W0 != net->d || data->H0 != 1 || data->C0 != 1)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "FC data must be n >= 1 samples of %zu x 1 x 1 inputs, not n = %zu of "
                       "%zu x %zu x %zu",
                       net->d, data->n, data->W0, data->H0, data->C0);
    return condense_data_check_finite(data);
}

double condense_fc_dot(const double *w, const double *x_bar, size_t d)
{
    double s = 0.0;
    for (size_t k = 0; k < d; ++k)
        s += w[k] * x_bar[k];
    return s + w[d]; /* the bias b times the entry 1 of x = (x_bar, 1) */
}

/* FC paper eq. (1) without argument checks. */
static double output(const condense_fc *net, const double *x_bar)
{
    const size_t d = net->d;
    double f = 0.0;
    for (size_t j = 0; j < net->m; ++j)
        f += net->a[j] *
             condense_sigma(&net->sigma, condense_fc_dot(net->w + j * (d + 1), x_bar, d));
    return f;
}

/* FC paper eq. (1): f_theta(x) = sum_j a_j sigma(w_j . x). */
int condense_fc_output(const condense_fc *net, const double *x_bar, double *f)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(x_bar);
    CONDENSE_CHECK_NULL(f);
    for (size_t k = 0; k < net->d; ++k)
        if (!isfinite(x_bar[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "input x_bar[%zu] = %g is not finite", k, x_bar[k]);
    const double value = output(net, x_bar);
    if (!isfinite(value))
        CONDENSE_ERROR(CONDENSE_EDOM, "f_theta(x) = %g is not finite (eq. 1)", value);
    *f = value;
    return CONDENSE_OK;
}

/* e_i = f_theta(x_i) - f*(x_i) (FC paper Sec. 5), checked finite. */
static int residuals(const condense_fc *net, const condense_data *data, double *e)
{
    for (size_t i = 0; i < data->n; ++i) {
        const double value = output(net, data->x + i * net->d) - data->y[i];
        if (!isfinite(value))
            CONDENSE_ERROR(CONDENSE_EDOM, "e_%zu = f_theta(x_%zu) - f*(x_%zu) = %g is not finite",
                           i + 1, i + 1, i + 1, value);
        e[i] = value;
    }
    return CONDENSE_OK;
}

/* FC paper Sec. 5: e_i = f_theta(x_i) - f*(x_i). */
int condense_fc_residuals(const condense_fc *net, const condense_data *data, double *e)
{
    CONDENSE_CHECK_NULL(e);
    CONDENSE_TRY(condense_fc_check_data(net, data));
    return residuals(net, data, e);
}

/* FC paper eq. (2): R_S = (1 / 2n) sum_i e_i^2. */
int condense_fc_risk(const condense_fc *net, const condense_data *data, double *R_S)
{
    CONDENSE_CHECK_NULL(R_S);
    CONDENSE_TRY(condense_fc_check_data(net, data));
    double sum = 0.0;
    for (size_t i = 0; i < data->n; ++i) {
        const double e = output(net, data->x + i * net->d) - data->y[i];
        sum += e * e;
    }
    const double R = sum / (2.0 * (double)data->n);
    if (!isfinite(R)) CONDENSE_ERROR(CONDENSE_EDOM, "R_S = %g is not finite (eq. 2)", R);
    *R_S = R;
    return CONDENSE_OK;
}

/* FC paper eq. (3)-(4): da_j/dt = -(1/n) sum_i e_i sigma(w_j . x_i),
 * dw_j/dt = -(a_j/n) sum_i e_i sigma'(w_j . x_i) x_i. */
int condense_fc_field(const condense_fc *net, const condense_data *data, double *e, double *dtheta)
{
    CONDENSE_CHECK_NULL(e);
    CONDENSE_CHECK_NULL(dtheta);
    CONDENSE_TRY(condense_fc_check_data(net, data));
    for (size_t k = 0; k < net->dim; ++k)
        if (!isfinite(net->theta[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "parameter theta[%zu] = %g is not finite", k,
                           net->theta[k]);
    CONDENSE_TRY(residuals(net, data, e));
    const size_t d = net->d, n = data->n;
    const double c = -1.0 / (double)n;
    for (size_t j = 0; j < net->m; ++j) {
        const double *w = net->w + j * (d + 1);
        double *dw = dtheta + net->m + j * (d + 1);
        double da = 0.0;
        memset(dw, 0, (d + 1) * sizeof(double));
        for (size_t i = 0; i < n; ++i) {
            const double *x = data->x + i * d;
            const double z = condense_fc_dot(w, x, d);
            da += e[i] * condense_sigma(&net->sigma, z);
            const double s1 = e[i] * condense_sigma1(&net->sigma, z);
            for (size_t k = 0; k < d; ++k)
                dw[k] += s1 * x[k];
            dw[d] += s1;
        }
        dtheta[j] = c * da;
        for (size_t k = 0; k <= d; ++k)
            dw[k] *= c * net->a[j];
    }
    return CONDENSE_OK;
}
