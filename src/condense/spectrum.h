/* condense/spectrum.h -- the singular value decomposition of Z, CNN paper eq. (11)/(36), its
 * rank r, the spectral gap Delta lambda = lambda_1 - lambda_2 of Assumption 4 (eq. 12/37), and
 * the directions v_1, u_1.
 *
 * Z = U Lambda V^T with lambda_1 >= lambda_2 >= ... >= 0.  Only the thin factors are kept:
 * k = min(W_1 H_1, C_0 m^2 + 1) singular values, U (W_1 H_1 x k), V ((C_0 m^2 + 1) x k).
 * Sign convention (fixed, so runs are comparable): each pair (u_j, v_j) is flipped together so
 * that <v_j, 1> > 0, or, when <v_j, 1> = 0 to rounding (|sum_i v_ji| <= cols * DBL_EPSILON *
 * sum_i |v_ji|), so that the first entry of v_j of largest magnitude is positive.  Flipping
 * both keeps Z v_j = lambda_j u_j.
 * U^T U = I and V^T V = I hold for all k columns (to rounding).  Where lambda_j is at rounding
 * level, lambda_j <= max(rows, cols) DBL_EPSILON lambda_1, GSL's Jacobi returns zero or
 * unorthogonalized columns in the factor it normalizes (U, or V when Z is wide); those columns
 * are replaced by an orthonormal completion, so for such j, Z v_j = lambda_j u_j and
 * Z^T u_j = lambda_j v_j hold to that rounding level only (both sides are that small).
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
    size_t rows, cols;   /* W_1 H_1 and N_W = C_0 m^2 + 1 */
    size_t k;            /* min(rows, cols) */
    gsl_vector *lambda;  /* k singular values, descending */
    gsl_matrix *U;       /* rows x k, columns u_1..u_k */
    gsl_matrix *V;       /* cols x k, columns v_1..v_k */
    double rank_tol;     /* singular values <= rank_tol count as zero */
    size_t r;            /* rank(Z) under rank_tol */
    double delta_lambda; /* lambda_1 - lambda_2 (lambda_2 = 0 when k = 1) */
} condense_spectrum;

/* SVD of Z with GSL (one-sided Jacobi, gsl_linalg_SV_decomp_jacobi, for its relative
 * accuracy; Z^T is decomposed when Z has fewer rows than columns; Z is scaled by a power of two
 * first, exactly, so that GSL's squared norms neither overflow nor underflow).  rank_tol < 0
 * selects the default max(rows, cols) * DBL_EPSILON * lambda_1; s->rank_tol holds the value used.
 * Errors (*s untouched): CONDENSE_EINVAL for NULL, CONDENSE_ESIZE for an empty Z,
 * CONDENSE_EDOM for a non-finite rank_tol or entry of Z, or when lambda_1 overflows a double;
 * CONDENSE_ENUM if GSL fails.  Z = 0 is not an error: r = 0, every lambda_j = 0. */
int condense_spectrum_alloc(const gsl_matrix *Z, double rank_tol, condense_spectrum **s);
void condense_spectrum_free(condense_spectrum *s);

/* lambda_j, and views of u_j and v_j (j 1-based, 1 <= j <= k).  Out of range (or s NULL):
 * lambda is NAN and the view is empty (size 0, data NULL).  The views are spelled
 * _gsl_vector_const_view, GSL's own return type for const views (gsl_matrix_const_column):
 * gsl_vector_const_view is a const-qualified typedef of it, and a qualified return type draws
 * -Wignored-qualifiers (-Wextra).  The two name one type; assign the result to a
 * gsl_vector_const_view as usual. */
double condense_spectrum_lambda(const condense_spectrum *s, size_t j);
_gsl_vector_const_view condense_spectrum_u(const condense_spectrum *s, size_t j);
_gsl_vector_const_view condense_spectrum_v(const condense_spectrum *s, size_t j);

/* Assumption 4 (eq. 12/37), measured: lambda_1 > lambda_2 with a relative margin.
 * *gap_rel = Delta lambda / lambda_1 (0 when lambda_1 = 0); *holds = 1 when r >= 1 and
 * Delta lambda > tol * lambda_1 (tol >= 0, e.g. 1e-8 to stay clear of rounding), else 0.
 * CONDENSE_EINVAL for NULL, CONDENSE_EDOM for tol < 0 or non-finite (outputs untouched). */
int condense_assumption4(const condense_spectrum *s, double tol, int *holds, double *gap_rel);

#ifdef __cplusplus
}
#endif
#endif
