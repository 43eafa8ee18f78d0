/* data.c -- the training set {(x_i, y_i)} of eq. (1), Assumption 2, and a synthetic set. */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/data.h"
#include "condense/error.h"

int condense_data_alloc(size_t n, size_t W0, size_t H0, size_t C0, condense_data **data)
{
    CONDENSE_CHECK_NULL(data);
    if (n == 0 || W0 == 0 || H0 == 0 || C0 == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "data set of n = %zu samples of %zu x %zu x %zu: zero size",
                       n, W0, H0, C0);
    /* Refuse sizes whose element count overflows size_t before calloc sees them. */
    if (W0 > SIZE_MAX / H0 || W0 * H0 > SIZE_MAX / C0 || W0 * H0 * C0 > SIZE_MAX / n / 8)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "data set of n = %zu samples of %zu x %zu x %zu is too large", n, W0, H0,
                       C0);
    condense_data *d = calloc(1, sizeof *d);
    if (d == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the data set");
    d->n = n;
    d->W0 = W0;
    d->H0 = H0;
    d->C0 = C0;
    d->x = calloc(n * W0 * H0 * C0, sizeof(double));
    d->y = calloc(n, sizeof(double));
    if (d->x == NULL || d->y == NULL) {
        condense_data_free(d);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu samples", n);
    }
    *data = d;
    return CONDENSE_OK;
}

void condense_data_free(condense_data *data)
{
    if (data == NULL) return;
    free(data->x);
    free(data->y);
    free(data);
}

int condense_data_check_finite(const condense_data *data)
{
    CONDENSE_CHECK_NULL(data);
    for (size_t i = 1; i <= data->n; ++i) {
        if (!isfinite(*condense_data_y(data, i)))
            CONDENSE_ERROR(CONDENSE_EDOM, "label y_%zu is %g", i, *condense_data_y(data, i));
        for (size_t u = 1; u <= data->W0; ++u)
            for (size_t v = 1; v <= data->H0; ++v)
                for (size_t alpha = 1; alpha <= data->C0; ++alpha) {
                    const double x = *condense_data_x(data, i, u, v, alpha);
                    if (!isfinite(x))
                        CONDENSE_ERROR(CONDENSE_EDOM, "input x_{%zu,%zu,%zu}(%zu) is %g", u, v,
                                       alpha, i, x);
                }
    }
    return CONDENSE_OK;
}

/* CNN paper, Assumption 2: the smallest c with 1/c <= |x_{u,v,alpha}(i)| <= c and |y_i| <= c.
 * The printed assumption bounds |x| from below only, but the proof of Proposition 2 uses
 * |x| <= c, so c bounds |x| from above too. */
int condense_data_assumption2_c(const condense_data *data, double *c)
{
    CONDENSE_CHECK_NULL(c);
    CONDENSE_TRY(condense_data_check_finite(data));
    double min_x = INFINITY, max_x = 0.0, max_y = 0.0;
    for (size_t k = 0; k < data->n * data->W0 * data->H0 * data->C0; ++k) {
        min_x = fmin(min_x, fabs(data->x[k]));
        max_x = fmax(max_x, fabs(data->x[k]));
    }
    for (size_t i = 0; i < data->n; ++i)
        max_y = fmax(max_y, fabs(data->y[i]));
    if (min_x == 0.0) {
        *c = INFINITY;
        CONDENSE_ERROR(CONDENSE_EDOM, "an input entry is 0, so no c satisfies 1/c <= |x| "
                                      "(Assumption 2 fails)");
    }
    *c = fmax(fmax(1.0 / min_x, max_x), max_y);
    if (!isfinite(*c))
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "an input entry |x| = %g is so small that 1/|x| overflows: "
                       "no finite c satisfies Assumption 2",
                       min_x);
    return CONDENSE_OK;
}

/* A synthetic set satisfying Assumption 2.  Each image is a shared smooth pattern times a
 * per-sample amplitude of random sign, plus noise; magnitudes are then clamped into [1/c, 1].
 * The label is c tanh(mean pixel value), so labels are correlated with the images the way
 * class labels are with real images: then z = (1/n) sum_i y_i x_i is dominated by the shared
 * pattern and Z has a clear top singular direction (a spectral gap, Assumption 4).
 * Draw order: for i = 1..n, the amplitude, its sign, then the pixel noises in storage order. */
int condense_data_synthetic(size_t n, size_t W0, size_t H0, size_t C0, double c, unsigned long seed,
                            condense_data **data)
{
    CONDENSE_CHECK_NULL(data);
    if (!(isfinite(c) && c > 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "Assumption 2 constant c = %g: need a finite c > 1", c);
    condense_data *d = NULL;
    CONDENSE_TRY(condense_data_alloc(n, W0, H0, C0, &d));
    condense_gsl_quiet(); /* a failing gsl_rng_alloc must return NULL, not abort */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) {
        condense_data_free(d);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate a random number generator");
    }
    gsl_rng_set(rng, seed);
    for (size_t i = 1; i <= n; ++i) {
        double amplitude = 0.5 + 0.5 * gsl_rng_uniform(rng);
        if (gsl_rng_uniform(rng) < 0.5) amplitude = -amplitude;
        double mean = 0.0;
        for (size_t u = 1; u <= W0; ++u)
            for (size_t v = 1; v <= H0; ++v)
                for (size_t alpha = 1; alpha <= C0; ++alpha) {
                    const double pattern =
                        0.6 + 0.3 * sin(1.3 * (double)u + 0.7 * (double)v + (double)alpha);
                    const double x = amplitude * pattern + 0.1 * gsl_ran_gaussian(rng, 1.0);
                    const double mag = fmin(fmax(fabs(x), 1.0 / c), 1.0);
                    *condense_data_x(d, i, u, v, alpha) = x < 0 ? -mag : mag;
                    mean += *condense_data_x(d, i, u, v, alpha);
                }
        mean /= (double)(W0 * H0 * C0);
        *condense_data_y(d, i) = c * tanh(mean);
    }
    gsl_rng_free(rng);
    *data = d;
    return CONDENSE_OK;
}
