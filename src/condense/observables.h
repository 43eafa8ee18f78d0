/* condense/observables.h -- what condensation looks like, measured: CNN paper eq. (5), the
 * quantities of Theorem 1, eq. (14)-(15), and the per-kernel views of the figures.
 * Vectors theta_W = vec({theta_{W,beta}}) as in theta.h: M blocks of N_W entries. */
#ifndef CONDENSE_OBSERVABLES_H
#define CONDENSE_OBSERVABLES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors common to all functions below: CONDENSE_EINVAL for a NULL required pointer,
 * CONDENSE_ESIZE for a zero length or count, CONDENSE_EDOM for a non-finite entry (outputs
 * untouched) or a zero vector where a direction is needed, CONDENSE_ENOMEM.  Cosines are
 * clamped to [-1, 1] (rounding of a unit vectors' dot product can leave it an ulp outside). */

/* |x|_2 of n entries taken every `stride` doubles, by the scaled sum of squares of the
 * reference BLAS dnrm2: no overflow or underflow for any finite entries. */
double condense_norm2(const double *x, size_t n, size_t stride);

/* Eq. (5): D(u_1, u_2) = u_1.u_2 / (|u_1| |u_2|).  CONDENSE_EDOM when a vector is zero (*D
 * untouched).  Scale-free in floating point too: no overflow for huge or tiny entries. */
int condense_cosine(const double *u1, const double *u2, size_t len, double *D);

/* Eq. (5) for every pair of `count` vectors of length len stored one after another: D is
 * count x count, row-major.  A zero vector gives NaN in its row and column (reported as
 * CONDENSE_EDOM after filling the rest). */
int condense_cosine_matrix(const double *vectors, size_t count, size_t len, double *D);

/* Eq. (14): |theta_W(t) - theta_W(0)| / |theta_W(0)|.  CONDENSE_EDOM if theta_W(0) = 0. */
int condense_relative_change(const double *theta_W_t, const double *theta_W_0, size_t len,
                             double *ratio);

/* Eq. (15): |theta_{W,v_1}| / |theta_W| with theta_{W,v_1} = (<theta_{W,beta}, v_1>)_beta.
 * theta_W has M blocks of N_W entries, v_1 has N_W entries.  v_1 is used as v_1 / |v_1|: for
 * the unit v_1 of the SVD this is eq. (15) exactly, and the ratio lies in [0, 1].
 * CONDENSE_EDOM if theta_W = 0 or v_1 = 0. */
int condense_condensation_ratio(const double *theta_W, size_t M, size_t N_W, const double *v_1,
                                double *ratio);

/* Per kernel beta: the cosine of theta_{W,beta} with the all-ones vector 1 of length N_W,
 * and the amplitude |theta_{W,beta}| (M entries each; either may be NULL).  A zero kernel has
 * cosine NaN (and the status CONDENSE_EDOM after filling the rest; with cos_ones NULL no cosine
 * is asked for and a zero kernel is no error: its amplitude is 0). */
int condense_kernel_views(const double *theta_W, size_t M, size_t N_W, double *cos_ones,
                          double *amplitude);

#ifdef __cplusplus
}
#endif
#endif
