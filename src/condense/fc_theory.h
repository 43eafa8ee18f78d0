/* condense/fc_theory.h -- the stationary directors of the FC paper's analysis, Sec. 5: the
 * leading-order director dynamics Q w = 0 for small parameters, with e_i = f_theta(x_i) -
 * f*(x_i) held fixed (fc.h, condense_fc_residuals), x_i = (x_bar_i, 1).
 *
 * Errors: CONDENSE_EINVAL for NULL arguments, CONDENSE_ESIZE for data not of the FC shape
 * (and for d != 1 in case 2), CONDENSE_EDOM for non-finite inputs or a p < 1, CONDENSE_EUNDEF
 * when the stationary set is not isolated lines, CONDENSE_ENUM when GSL fails; outputs
 * untouched on failure. */
#ifndef CONDENSE_FC_THEORY_H
#define CONDENSE_FC_THEORY_H

#include <stddef.h>

#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* FC paper Sec. 5.1 (p = 1): the one stationary director u = sum_i e_i x_i / |sum_i e_i x_i|
 * (d + 1 doubles, bias entry last).  CONDENSE_EUNDEF when sum_i e_i x_i = 0. */
int condense_fc_case1_director(const condense_data *data, const double *e, double *u);

/* FC paper Sec. 5.2 (d = 1, singularity order p >= 1): the coefficients c[0..p] of
 *   P(u_hat) = sum_i e_i (u_hat x_i1 + x_i2)^(p-1) x_i1 - u_hat sum_i e_i (u_hat x_i1 +
 *   x_i2)^(p-1) x_i2 = sum_k c[k] u_hat^k,
 * with u = (u_1, u_2) = (w, b) / |(w, b)|, u_hat = u_1 / u_2, x_i = (x_i1, x_i2) = (x_i, 1).
 * CONDENSE_EDOM for p < 1 or p > 32. */
int condense_fc_case2_poly(const condense_data *data, const double *e, int p, double *c);

/* A root z of P counts as real when |Im z| <= CONDENSE_FC_REAL_ROOT_TOL max(1, |z|): the
 * companion-matrix eigenvalues of gsl_poly_complex_solve carry an error ~ 1e-16 |z| for simple
 * roots and ~ 1e-8 |z| for double roots (sqrt of the unit round-off), both far below 1e-6. */
#define CONDENSE_FC_REAL_ROOT_TOL 1e-6

/* FC paper Sec. 5.2: the stationary lines, as angles phi in [0, pi) of the directors u =
 * (cos phi, sin phi), sorted increasing: phi = atan2(1, u_hat) for each real root u_hat of P
 * (solved with gsl_poly_complex_solve), and phi = 0 (the line u_2 = 0, u_hat = infinity) when
 * the leading coefficients vanish so that the degree of P drops.  phi has room for p entries;
 * *count receives how many were found (0..p).  A coefficient counts as zero when |c_k| <=
 * 1e-13 max_j |c_j| (rounding of the sums that make it).  CONDENSE_EUNDEF when every
 * coefficient vanishes (every direction stationary). */
int condense_fc_case2_lines(const condense_data *data, const double *e, int p, double *phi,
                            size_t *count);

#ifdef __cplusplus
}
#endif
#endif
