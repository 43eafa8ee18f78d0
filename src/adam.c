/* adam.c -- Adam (Kingma & Ba 2015, Algorithm 1), bias-corrected; see condense/adam.h.
 *
 * Hand-written: GSL has no Adam.  A step runs twice over the entries: first computing the new
 * moments and parameter of every entry without storing them, to find a non-finite one, then
 * storing them; the same arithmetic in the same order, so a refused step leaves the state as
 * it was and an accepted one is exactly the one-pass update. */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "condense/adam.h"
#include "condense/error.h"

int condense_adam_alloc(size_t dim, double beta1, double beta2, double eps, condense_adam **adam)
{
    CONDENSE_CHECK_NULL(adam);
    if (dim == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "Adam on 0 parameters");
    if (!(beta1 > 0.0 && beta1 < 1.0 && beta2 > 0.0 && beta2 < 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "Adam beta1 = %g, beta2 = %g: need both in (0, 1)", beta1,
                       beta2);
    if (!(isfinite(eps) && eps > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "Adam epsilon = %g: need a finite value > 0", eps);
    condense_adam *a = calloc(1, sizeof *a);
    if (a != NULL) {
        a->m = calloc(dim, sizeof(double));
        a->v = calloc(dim, sizeof(double));
    }
    if (a == NULL || a->m == NULL || a->v == NULL) {
        condense_adam_free(a);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate Adam's moments");
    }
    a->dim = dim;
    a->beta1 = beta1;
    a->beta2 = beta2;
    a->eps = eps;
    *adam = a;
    return CONDENSE_OK;
}

void condense_adam_free(condense_adam *adam)
{
    if (adam == NULL) return;
    free(adam->m);
    free(adam->v);
    free(adam);
}

void condense_adam_reset(condense_adam *adam)
{
    if (adam == NULL) return;
    for (size_t j = 0; j < adam->dim; ++j)
        adam->m[j] = adam->v[j] = 0.0;
    adam->k = 0;
}

/* Kingma & Ba (2015), Algorithm 1, one step, the parameter update divided by scale. */
int condense_adam_step_scaled(condense_adam *adam, double *x, const double *grad, double lr,
                              double scale)
{
    CONDENSE_CHECK_NULL(adam);
    CONDENSE_CHECK_NULL(x);
    CONDENSE_CHECK_NULL(grad);
    if (!(isfinite(lr) && lr > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "learning rate %g: need a finite value > 0", lr);
    if (!(isfinite(scale) && scale != 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "Adam coordinate scale %g: need a finite non-zero value",
                       scale);
    const unsigned long k = adam->k + 1;
    const double b1 = adam->beta1, b2 = adam->beta2;
    const double c1 = 1.0 - pow(b1, (double)k), c2 = 1.0 - pow(b2, (double)k);
    for (size_t j = 0; j < adam->dim; ++j) {
        const double g = grad[j];
        const double m = b1 * adam->m[j] + (1.0 - b1) * g;
        const double v = b2 * adam->v[j] + (1.0 - b2) * g * g;
        const double step = lr * (m / c1) / (sqrt(v / c2) + adam->eps);
        const double xn = x[j] - step / scale;
        if (!(isfinite(g) && isfinite(m) && isfinite(v) && isfinite(xn))) {
            adam->bad = j;
            if (!isfinite(g))
                CONDENSE_ERROR(CONDENSE_EDOM, "Adam step %lu: gradient entry %zu is %g", k, j, g);
            if (!(isfinite(m) && isfinite(v)))
                CONDENSE_ERROR(CONDENSE_EDOM,
                               "Adam step %lu: the moments of entry %zu (m = %g, v = %g) are not "
                               "finite (gradient %g)",
                               k, j, m, v, g);
            CONDENSE_ERROR(CONDENSE_EDOM,
                           "Adam step %lu: entry %zu would become %g (was %g, step %g, gradient "
                           "%g): not finite",
                           k, j, xn, x[j], step / scale, g);
        }
    }
    for (size_t j = 0; j < adam->dim; ++j) {
        const double g = grad[j];
        adam->m[j] = b1 * adam->m[j] + (1.0 - b1) * g;
        adam->v[j] = b2 * adam->v[j] + (1.0 - b2) * g * g;
        const double step = lr * (adam->m[j] / c1) / (sqrt(adam->v[j] / c2) + adam->eps);
        x[j] = x[j] - step / scale;
    }
    adam->k = k;
    return CONDENSE_OK;
}

int condense_adam_step(condense_adam *adam, double *theta, const double *grad, double lr)
{
    return condense_adam_step_scaled(adam, theta, grad, lr, 1.0);
}
