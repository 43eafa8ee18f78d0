/* fc_theory.c -- the stationary directors of the FC paper's analysis, Sec. 5.1 (p = 1) and
 * Sec. 5.2 (d = 1).  See condense/fc_theory.h. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_poly.h>

#include "condense/error.h"
#include "condense/fc_theory.h"
#include "condense/observables.h"

/* A coefficient of P is zero when |c_k| <= COEFF_ZERO max_j |c_j|: each c_k is a sum of n
 * terms whose rounding is ~ n 1e-16 of the largest; 1e-13 covers n up to ~1000. */
#define COEFF_ZERO 1e-13

#define MAX_P 32

static int check_inputs(const condense_data *data, const double *e)
{
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(e);
    if (data->n == 0 || data->W0 == 0 || data->H0 != 1 || data->C0 != 1)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "FC data must be n >= 1 samples of d x 1 x 1 inputs, not n = %zu of "
                       "%zu x %zu x %zu",
                       data->n, data->W0, data->H0, data->C0);
    CONDENSE_TRY(condense_data_check_finite(data));
    for (size_t i = 0; i < data->n; ++i)
        if (!isfinite(e[i])) CONDENSE_ERROR(CONDENSE_EDOM, "e_%zu = %g is not finite", i + 1, e[i]);
    return CONDENSE_OK;
}

/* FC paper Sec. 5.1: u = sum_i e_i x_i / |sum_i e_i x_i|. */
int condense_fc_case1_director(const condense_data *data, const double *e, double *u)
{
    CONDENSE_CHECK_NULL(u);
    CONDENSE_TRY(check_inputs(data, e));
    const size_t d = data->W0;
    double s[d + 1];
    memset(s, 0, sizeof s);
    for (size_t i = 0; i < data->n; ++i) {
        for (size_t k = 0; k < d; ++k)
            s[k] += e[i] * data->x[i * d + k];
        s[d] += e[i]; /* the entry 1 of x_i = (x_bar_i, 1) */
    }
    const double norm = condense_norm2(s, d + 1, 1);
    if (!(norm > 0.0))
        CONDENSE_ERROR(CONDENSE_EUNDEF, "sum_i e_i x_i = 0: no stationary director (Sec. 5.1)");
    if (!isfinite(norm)) CONDENSE_ERROR(CONDENSE_EDOM, "|sum_i e_i x_i| = %g is not finite", norm);
    for (size_t k = 0; k <= d; ++k)
        u[k] = s[k] / norm;
    return CONDENSE_OK;
}

/* FC paper Sec. 5.2: with x_i2 = 1, expand (u_hat x_i1 + 1)^(p-1) = sum_k C(p-1, k) x_i1^k
 * u_hat^k; then c_k = sum_i e_i [C(p-1, k) x_i1^(k+1) - C(p-1, k-1) x_i1^(k-1)]. */
int condense_fc_case2_poly(const condense_data *data, const double *e, int p, double *c)
{
    CONDENSE_CHECK_NULL(c);
    CONDENSE_TRY(check_inputs(data, e));
    if (data->W0 != 1)
        CONDENSE_ERROR(CONDENSE_ESIZE, "Sec. 5.2 is the case d = 1, not d = %zu", data->W0);
    if (p < 1 || p > MAX_P)
        CONDENSE_ERROR(CONDENSE_EDOM, "singularity order p = %d: need 1 <= p <= %d", p, MAX_P);
    double binom[MAX_P + 1], coef[MAX_P + 1];
    binom[0] = 1.0; /* C(p-1, k), k = 0..p-1, by the multiplicative formula */
    for (int k = 1; k < p; ++k)
        binom[k] = binom[k - 1] * (double)(p - k) / (double)k;
    memset(coef, 0, sizeof coef);
    for (size_t i = 0; i < data->n; ++i) {
        const double x1 = data->x[i], ei = e[i];
        double pw = 1.0; /* x1^k */
        for (int k = 0; k < p; ++k) {
            coef[k] += ei * binom[k] * pw * x1;
            coef[k + 1] -= ei * binom[k] * pw;
            pw *= x1;
        }
    }
    for (int k = 0; k <= p; ++k)
        if (!isfinite(coef[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "coefficient c_%d = %g is not finite", k, coef[k]);
    memcpy(c, coef, (size_t)(p + 1) * sizeof(double));
    return CONDENSE_OK;
}

static int compare_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* FC paper Sec. 5.2: the real roots u_hat of P as lines phi = atan2(1, u_hat). */
int condense_fc_case2_lines(const condense_data *data, const double *e, int p, double *phi,
                            size_t *count)
{
    CONDENSE_CHECK_NULL(phi);
    CONDENSE_CHECK_NULL(count);
    double c[MAX_P + 1];
    CONDENSE_TRY(condense_fc_case2_poly(data, e, p, c));
    double cmax = 0.0;
    for (int k = 0; k <= p; ++k)
        cmax = fmax(cmax, fabs(c[k]));
    if (!(cmax > 0.0))
        CONDENSE_ERROR(CONDENSE_EUNDEF,
                       "every coefficient of P vanishes: every direction is stationary");
    int deg = p;
    while (fabs(c[deg]) <= COEFF_ZERO * cmax)
        --deg;
    double lines[MAX_P];
    size_t found = 0;
    if (deg < p) lines[found++] = 0.0; /* u_2 = 0: u_hat = infinity is a root */
    if (deg >= 1) {
        double z[2 * MAX_P];
        condense_gsl_quiet();
        gsl_poly_complex_workspace *ws = gsl_poly_complex_workspace_alloc((size_t)deg + 1);
        if (ws == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the GSL workspace");
        const int status = gsl_poly_complex_solve(c, (size_t)deg + 1, ws, z);
        gsl_poly_complex_workspace_free(ws);
        if (status != GSL_SUCCESS)
            CONDENSE_ERROR(CONDENSE_ENUM, "gsl_poly_complex_solve (degree %d): %s", deg,
                           gsl_strerror(status));
        for (int k = 0; k < deg; ++k) {
            const double re = z[2 * k], im = z[2 * k + 1];
            if (fabs(im) <= CONDENSE_FC_REAL_ROOT_TOL * fmax(1.0, hypot(re, im)))
                lines[found++] = atan2(1.0, re);
        }
    }
    qsort(lines, found, sizeof(double), compare_double);
    memcpy(phi, lines, found * sizeof(double));
    *count = found;
    return CONDENSE_OK;
}
