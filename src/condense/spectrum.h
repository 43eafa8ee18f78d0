/* condense/spectrum.h -- the singular value decomposition of Z, CNN paper eq. (11)/(36), its
 * rank r, the spectral gap Delta lambda = lambda_1 - lambda_2 of Assumption 4 (eq. 12/37), and
 * the directions v_1, u_1.
 *
 * Z = U Lambda V^T with lambda_1 >= lambda_2 >= ... >= 0.  Only the thin factors are kept:
 * k = min(W_1 H_1, C_0 m^2 + 1) singular values, U (W_1 H_1 x k), V ((C_0 m^2 + 1) x k).
 * Sign convention (fixed, so runs are comparable): each pair (u_j, v_j) is flipped together so
 * that <v_j, 1> > 0, or, when <v_j, 1> = 0 to rounding, so that the first entry of v_j of
 * largest magnitude is positive.  Then Z v_j = lambda_j u_j holds for every j.
 */
#ifndef CONDENSE_SPECTRUM_H
#define CONDENSE_SPECTRUM_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct condense_spectrum {
    size_t rows, cols; /* W_1 H_1 and N_W = C_0 m^2 + 1 */
    size_t k;          /* min(rows, cols) */
    gsl_vector *lambda; /* k singular values, descending */
    gsl_matrix *U;      /* rows x k, columns u_1..u_k */
    gsl_matrix *V;      /* cols x k, columns v_1..v_k */
    double rank_tol;    /* singular values <= rank_tol count as zero */
    size_t r;           /* rank(Z) under rank_tol */
    double delta_lambda; /* lambda_1 - lambda_2 (lambda_2 = 0 when k = 1) */
} condense_spectrum;

/* SVD of Z with GSL (one-sided Jacobi, gsl_linalg_SV_decomp_jacobi, for its relative
 * accuracy; Z^T is decomposed when Z has fewer rows than columns).  rank_tol < 0 selects the
 * default max(rows, cols) * DBL_EPSILON * lambda_1. */
int condense_spectrum_alloc(const gsl_matrix *Z, double rank_tol, condense_spectrum **s);
void condense_spectrum_free(condense_spectrum *s);

/* lambda_j, and views of u_j and v_j (j 1-based, j <= k). */
double condense_spectrum_lambda(const condense_spectrum *s, size_t j);
gsl_vector_const_view condense_spectrum_u(const condense_spectrum *s, size_t j);
gsl_vector_const_view condense_spectrum_v(const condense_spectrum *s, size_t j);

/* Assumption 4 (eq. 12/37), measured: lambda_1 > lambda_2 with a relative margin.
 * *gap_rel = Delta lambda / lambda_1; *holds = 1 when r >= 1 and Delta lambda > tol * lambda_1
 * (tol >= 0, e.g. 1e-8 to stay clear of rounding), else 0. */
int condense_assumption4(const condense_spectrum *s, double tol, int *holds, double *gap_rel);

#ifdef __cplusplus
}
#endif
#endif
