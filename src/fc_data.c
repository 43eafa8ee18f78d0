/* fc_data.c -- the training sets of the FC paper's experiments, Sec. 4 (see fc_data.h). */
#include <config.h>

#include <math.h>
#include <string.h>

#include "condense/error.h"
#include "condense/fc_data.h"

int condense_fc_target_dim(const char *target, size_t *d)
{
    CONDENSE_CHECK_NULL(target);
    CONDENSE_CHECK_NULL(d);
    if (strcmp(target, "sin1d") == 0)
        *d = 1;
    else if (strcmp(target, "sin5d") == 0)
        *d = 5;
    else
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown target '%s' (valid: sin1d, sin5d)", target);
    return CONDENSE_OK;
}

/* FC paper Sec. 4.2 (sin(3x) + sin(6x)/2) and Sec. 4.1 (sum_k 3.5 x_k sin(5 x_k + 1)). */
int condense_fc_target_value(const char *target, const double *x_bar, double *y)
{
    size_t d;
    CONDENSE_TRY(condense_fc_target_dim(target, &d));
    CONDENSE_CHECK_NULL(x_bar);
    CONDENSE_CHECK_NULL(y);
    if (d == 1) {
        *y = sin(3.0 * x_bar[0]) + sin(6.0 * x_bar[0]) / 2.0;
    } else {
        double s = 0.0;
        for (size_t k = 0; k < d; ++k)
            s += 3.5 * x_bar[k] * sin(5.0 * x_bar[k] + 1.0);
        *y = s;
    }
    return CONDENSE_OK;
}

int condense_fc_data_make(const char *target, size_t n, gsl_rng *rng, condense_data **data)
{
    size_t d;
    CONDENSE_TRY(condense_fc_target_dim(target, &d));
    CONDENSE_CHECK_NULL(data);
    if (n < (d == 1 ? 2u : 1u))
        CONDENSE_ERROR(CONDENSE_ESIZE, "target %s needs n >= %d samples, not %zu", target,
                       d == 1 ? 2 : 1, n);
    if (d > 1 && rng == NULL) CONDENSE_ERROR(CONDENSE_EINVAL, "target %s needs an rng", target);
    condense_data *out = NULL;
    CONDENSE_TRY(condense_data_alloc(n, d, 1, 1, &out));
    for (size_t i = 0; i < n; ++i) {
        double *x = out->x + i * d;
        if (d == 1)
            x[0] = -1.0 + 2.0 * (double)i / (double)(n - 1);
        else
            for (size_t k = 0; k < d; ++k)
                x[k] = -1.0 + 2.0 * gsl_rng_uniform(rng);
        condense_fc_target_value(target, x, &out->y[i]); /* target checked above */
    }
    *data = out;
    return CONDENSE_OK;
}
