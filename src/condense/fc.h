/* condense/fc.h -- the two-layer fully-connected network of the FC paper (Xu, Zhou, Luo, Zhang,
 * "Towards understanding the condensation of two-layer neural networks at initial training"),
 * Sec. 3, eq. (1)-(4):
 *
 *   f_theta(x) = sum_{j=1}^m a_j sigma(w_j . x),   w_j = (w_bar_j, b_j),  x = (x_bar, 1),
 *   R_S(theta) = (1 / 2n) sum_i (f_theta(x_i) - f*(x_i))^2,
 *   da_j/dt = -(1/n) sum_i e_i sigma(w_j . x_i),  dw_j/dt = -(a_j/n) sum_i e_i sigma'(w_j . x_i)
 * x_i,
 *
 * with e_i = f_theta(x_i) - f*(x_i) (Sec. 5).  The samples are a condense_data (data.h) whose
 * inputs are x_bar_i in R^d stored as W_0 = d, H_0 = C_0 = 1, and y_i = f*(x_i); the entry 1
 * of x_i = (x_bar_i, 1) is implicit.  So w . x_i = sum_{k<d} w_k x_bar_{i,k} + w_d, the bias
 * b = w_d last.
 *
 * Parameters are one flat vector theta of m (d + 2) doubles: a_1..a_m, then w_1..w_m (each
 * d + 1 entries, bias last).  net->a and net->w point into net->theta.
 *
 * Errors follow error.h: CONDENSE_EINVAL for NULL arguments, CONDENSE_ESIZE for zero or
 * inconsistent sizes, CONDENSE_EDOM for non-finite numbers; outputs untouched on failure. */
#ifndef CONDENSE_FC_H
#define CONDENSE_FC_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct condense_fc {
    size_t d;   /* input dimension: w_j and x_i have d + 1 entries */
    size_t m;   /* number of hidden neurons */
    size_t dim; /* m (d + 2) parameters */
    condense_activation sigma;
    double *theta; /* dim doubles: (a_1..a_m, w_1..w_m) */
    double *a;     /* theta: the m output weights */
    double *w;     /* theta + m: m rows of d + 1, w_j = (w_bar_j, b_j) */
} condense_fc;

/* A network with d inputs and m neurons, parameters 0.  CONDENSE_ESIZE for d = 0 or m = 0;
 * CONDENSE_EINVAL for an activation without type. */
int condense_fc_alloc(size_t d, size_t m, condense_activation sigma, condense_fc **net);
void condense_fc_free(condense_fc *net);

/* Every parameter drawn i.i.d. N(0, std^2) from rng (a_1..a_m first, then w_1..w_m).
 * CONDENSE_EDOM for std not finite or < 0. */
int condense_fc_init_normal(condense_fc *net, gsl_rng *rng, double std);

/* CONDENSE_ESIZE unless data has n >= 1 samples of W_0 = d, H_0 = C_0 = 1 inputs; CONDENSE_EDOM
 * for a non-finite x or y. */
int condense_fc_check_data(const condense_fc *net, const condense_data *data);

/* w . x for w of d + 1 entries and x = (x_bar, 1), x_bar of d entries. */
double condense_fc_dot(const double *w, const double *x_bar, size_t d);

/* FC paper eq. (1): f_theta(x) at x = (x_bar, 1), x_bar of d entries.  CONDENSE_EDOM when
 * x_bar or the result is not finite. */
int condense_fc_output(const condense_fc *net, const double *x_bar, double *f);

/* e_i = f_theta(x_i) - f*(x_i) for i = 1..n (FC paper Sec. 5), into e (n doubles). */
int condense_fc_residuals(const condense_fc *net, const condense_data *data, double *e);

/* FC paper eq. (2): R_S = (1 / 2n) sum_i e_i^2. */
int condense_fc_risk(const condense_fc *net, const condense_data *data, double *R_S);

/* FC paper eq. (3)-(4): the gradient-flow field dtheta = -grad R_S (dim doubles, layout of
 * theta).  e (n doubles) receives the residuals e_i as a by-product. */
int condense_fc_field(const condense_fc *net, const condense_data *data, double *e, double *dtheta);

#ifdef __cplusplus
}
#endif
#endif
