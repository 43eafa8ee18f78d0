/* condense/linearization.h -- the effective linear dynamics of the two-layer CNN,
 * CNN paper App. C.2 (one channel) and App. D (C_0 channels).
 *
 *   z_{s,t,alpha} = (1/n) sum_i y_i x_{s,t,alpha}(i),  z = (1/n) sum_i y_i      eq. (31)/(66)
 *   Z in R^{W_1 H_1 x (C_0 m^2 + 1)}: row (u,v), u in [W_1] major, v in [H_1] minor, is
 *     (z_{u+p,v+q,1} for p = 0..m-1 major, q = 0..m-1 minor; ... alpha = 2..C_0 ...; z)
 *                                                          eq. (35); eq. (70) per NOTES.md
 *   A = [[0, Z^T], [Z, 0]], of size N_W + N_a with N_W = C_0 m^2 + 1, N_a = W_1 H_1
 *                                                                      eq. (10)/(34)
 * so that d theta_beta / dt = A theta_beta (eq. 33/68) in the theta_beta layout of theta.h.
 */
#ifndef CONDENSE_LINEARIZATION_H
#define CONDENSE_LINEARIZATION_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Eq. (31)/(66): z_{s,t,alpha} for all s in [W_0], t in [H_0], alpha in [C_0] into z_st
 * (array (W_0, H_0, C_0), C order), and z into *z.  Errors (outputs untouched):
 * CONDENSE_EINVAL for NULL, CONDENSE_ESIZE for a zero size, CONDENSE_EDOM for a non-finite
 * x or y. */
int condense_z(const condense_data *data, double *z_st, double *z);

/* Eq. (35)/(70): allocate and fill Z for filter size m (1 <= m <= min(W_0, H_0)).
 * The caller frees it with gsl_matrix_free.  Errors (*Z untouched): CONDENSE_EINVAL for NULL,
 * CONDENSE_ESIZE for m = 0 or m > min(W_0, H_0), CONDENSE_EDOM for non-finite data. */
int condense_Z_alloc(const condense_data *data, size_t m, gsl_matrix **Z);

/* Eq. (10)/(34): allocate A = [[0, Z^T], [Z, 0]] (square, N_W + N_a; N_W = columns of Z,
 * N_a = rows), Z copied as is.  Errors (*A untouched): CONDENSE_EINVAL for NULL,
 * CONDENSE_ESIZE for an empty Z or one whose A would not fit in memory addresses. */
int condense_A_alloc(const gsl_matrix *Z, gsl_matrix **A);

#ifdef __cplusplus
}
#endif
#endif
