/* condense/data.h -- a training set {x_i, y_i}, i = 1..n, as in eq. (1) of the CNN paper:
 * inputs x_i = x^[0](i) in R^{W_0 x H_0 x C_0}, scalar labels y_i. */
#ifndef CONDENSE_DATA_H
#define CONDENSE_DATA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct condense_data {
    size_t n, W0, H0, C0;
    double *x; /* array (n, W_0, H_0, C_0), C order */
    double *y; /* array (n) */
} condense_data;

/* Allocate n samples of W0 x H0 x C0 inputs, all zero.  CONDENSE_ESIZE on a zero size. */
int condense_data_alloc(size_t n, size_t W0, size_t H0, size_t C0, condense_data **data);
void condense_data_free(condense_data *data);

/* x_{u,v,alpha}(i) and y_i: i, u, v, alpha 1-based. */
static inline double *condense_data_x(const condense_data *d, size_t i, size_t u, size_t v,
                                      size_t alpha)
{
    return d->x + (((i - 1) * d->W0 + (u - 1)) * d->H0 + (v - 1)) * d->C0 + (alpha - 1);
}
static inline double *condense_data_y(const condense_data *d, size_t i)
{
    return d->y + (i - 1);
}

/* CONDENSE_EDOM if any x_{u,v,alpha}(i) or y_i is NaN or infinite (naming the first). */
int condense_data_check_finite(const condense_data *data);

/* Assumption 2 of the CNN paper, measured: the smallest c > 0 with 1/c <= |x_{u,v,alpha}(i)|
 * <= c and |y_i| <= c for all entries, i.e. c = max(1 / min|x|, max|x|, max|y|).  (The
 * printed assumption bounds |x| from below only; the proof of Proposition 2 uses |x| <= c.)
 * CONDENSE_EDOM (and *c = INFINITY) when some x entry is 0 or so small that 1/|x| overflows: no
 * finite c exists. */
int condense_data_assumption2_c(const condense_data *data, double *c);

/* A seeded synthetic set that satisfies Assumption 2 with the given c > 1: every pixel has
 * magnitude in [1/c, 1]; labels y_i = c tanh(mean pixel of x_i) in (-c, c), correlated with
 * the images so that Z has a spectral gap.  Drawn in a documented order (data.c) from a GSL
 * mt19937 generator seeded with `seed`. */
int condense_data_synthetic(size_t n, size_t W0, size_t H0, size_t C0, double c, unsigned long seed,
                            condense_data **data);

#ifdef __cplusplus
}
#endif
#endif
