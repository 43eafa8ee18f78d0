/* spectrum.c -- the singular value decomposition Z = U Lambda V^T of CNN paper eq. (11)/(36),
 * the rank r, the spectral gap Delta lambda = lambda_1 - lambda_2 of Assumption 4 (eq. 12/37)
 * and the fixed sign convention of the singular pairs. */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "condense/error.h"
#include "condense/spectrum.h"

void condense_spectrum_free(condense_spectrum *s)
{
    if (s == NULL) return;
    gsl_vector_free(s->lambda);
    gsl_matrix_free(s->U);
    gsl_matrix_free(s->V);
    free(s);
}

/* CONDENSE_EDOM on a non-finite entry; *maxabs = max |Z_ij|. */
static int check_finite(const gsl_matrix *Z, double *maxabs)
{
    double mx = 0.0;
    for (size_t i = 0; i < Z->size1; ++i)
        for (size_t j = 0; j < Z->size2; ++j) {
            const double x = gsl_matrix_get(Z, i, j);
            if (!isfinite(x))
                CONDENSE_ERROR(CONDENSE_EDOM, "Z_{%zu,%zu} = %g is not finite", i + 1, j + 1, x);
            mx = fmax(mx, fabs(x));
        }
    *maxabs = mx;
    return CONDENSE_OK;
}

/* One-sided Jacobi returns exact zero columns (singular value declared zero) or normalized
 * rounding noise (singular value at rounding level, columns never orthogonalized because GSL
 * skips "noisy" columns) beyond the numerical rank.  Replace columns r0 + 1 .. k of F (n x k, the
 * first r0 orthonormal) by Q e_j from a Householder QR of those r0 columns (GSL): Q is
 * orthogonal and its first r0 columns span them, so the new columns are orthonormal and
 * orthogonal to the kept ones, and U^T U = V^T V = I holds for the whole thin factors. */
static int complete_columns(gsl_matrix *F, size_t r0)
{
    const size_t n = F->size1, k = F->size2;
    gsl_matrix *QR = NULL;
    gsl_vector *tau = NULL;
    int gs = GSL_SUCCESS;
    if (r0 > 0 && r0 < k) {
        QR = gsl_matrix_alloc(n, r0);
        tau = gsl_vector_alloc(r0);
        gsl_matrix_const_view lead = gsl_matrix_const_submatrix(F, 0, 0, n, r0);
        gs = QR == NULL || tau == NULL ? GSL_ENOMEM : gsl_matrix_memcpy(QR, &lead.matrix);
        if (gs == GSL_SUCCESS) gs = gsl_linalg_QR_decomp(QR, tau);
    }
    for (size_t j = r0; j < k && gs == GSL_SUCCESS; ++j) {
        gsl_vector_view col = gsl_matrix_column(F, j);
        gsl_vector_set_basis(&col.vector, j);
        if (r0 > 0) gs = gsl_linalg_QR_Qvec(QR, tau, &col.vector); /* Q = I when r0 = 0 */
    }
    gsl_matrix_free(QR);
    gsl_vector_free(tau);
    if (gs != GSL_SUCCESS) CONDENSE_ERROR(CONDENSE_ENUM, "completing U or V: %s", gsl_strerror(gs));
    return CONDENSE_OK;
}

/* The sign convention of spectrum.h: flip (u_j, v_j) together so that <v_j, 1> > 0; when the
 * sum is zero to rounding -- within cols eps sum_i |v_ji|, a bound on the rounding of a sum of
 * cols terms -- so that the first entry of v_j of largest magnitude is positive. */
static void fix_signs(condense_spectrum *s)
{
    for (size_t j = 0; j < s->k; ++j) {
        gsl_vector_view u = gsl_matrix_column(s->U, j);
        gsl_vector_view v = gsl_matrix_column(s->V, j);
        double sum = 0.0;
        for (size_t i = 0; i < s->cols; ++i)
            sum += gsl_vector_get(&v.vector, i);
        const double rounding = (double)s->cols * DBL_EPSILON * gsl_blas_dasum(&v.vector);
        const int flip = fabs(sum) > rounding
                             ? sum < 0.0
                             : gsl_vector_get(&v.vector, gsl_blas_idamax(&v.vector)) < 0.0;
        if (flip) {
            gsl_vector_scale(&u.vector, -1.0);
            gsl_vector_scale(&v.vector, -1.0);
        }
    }
}

/* CNN paper eq. (11)/(36) by one-sided Jacobi on a copy of Z (rows >= cols) or of Z^T: with
 * Z^T = U' S V'^T, Z = V' S U'^T, so the roles of the two factors swap.  The copy is scaled by
 * 2^-e, e the binary exponent of max |Z_ij|, so that its entries lie in [-1, 1]: GSL's Jacobi
 * squares column norms and dot products, which overflow for entries beyond ~1e154 (and
 * underflow below ~1e-154) and then return wrong singular values; powers of two scale exactly,
 * and lambda_j = 2^e * (singular value of the scaled copy).  Fills s, whose fields are
 * allocated (or NULL: out of memory). */
static int decompose(const gsl_matrix *Z, double maxabs, double rank_tol, condense_spectrum *s)
{
    const int allocated = s->lambda != NULL && s->U != NULL && s->V != NULL;
    if (!allocated) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the SVD of Z");
    const int tall = s->rows >= s->cols;
    gsl_matrix *work = tall ? s->U : s->V; /* (max x k): becomes the normalized columns */
    gsl_matrix *Q = tall ? s->V : s->U;    /* (k x k): the accumulated rotations */
    int e = 0;
    frexp(maxabs, &e);
    for (size_t i = 0; i < s->rows; ++i)
        for (size_t j = 0; j < s->cols; ++j) {
            const double x = ldexp(gsl_matrix_get(Z, i, j), -e);
            if (tall)
                gsl_matrix_set(work, i, j, x);
            else
                gsl_matrix_set(work, j, i, x);
        }
    const int gs = gsl_linalg_SV_decomp_jacobi(work, Q, s->lambda);
    if (gs != GSL_SUCCESS) CONDENSE_ERROR(CONDENSE_ENUM, "GSL's Jacobi SVD: %s", gsl_strerror(gs));
    for (size_t j = 0; j < s->k; ++j)
        gsl_vector_set(s->lambda, j, ldexp(gsl_vector_get(s->lambda, j), e));

    /* GSL orders the columns by decreasing norm during the sweeps rather than sorting at the
     * end: check the order instead of trusting it, and check that no norm overflowed. */
    for (size_t j = 0; j < s->k; ++j) {
        const double l = gsl_vector_get(s->lambda, j);
        const double before = j > 0 ? gsl_vector_get(s->lambda, j - 1) : INFINITY;
        if (!isfinite(l)) CONDENSE_ERROR(CONDENSE_EDOM, "singular value %zu overflows", j + 1);
        if (l > before) CONDENSE_ERROR(CONDENSE_ENUM, "GSL: lambda unsorted at %zu", j + 1);
    }

    /* Singular values up to max(rows, cols) eps lambda_1 (the default rank_tol) are rounding:
     * their Jacobi columns are not trustworthy and are completed instead. */
    const double lambda1 = gsl_vector_get(s->lambda, 0);
    const double noise = (double)(tall ? s->rows : s->cols) * DBL_EPSILON * lambda1;
    size_t r0 = 0;
    while (r0 < s->k && gsl_vector_get(s->lambda, r0) > noise)
        ++r0;
    CONDENSE_TRY(complete_columns(work, r0));
    fix_signs(s);

    s->rank_tol = rank_tol < 0.0 ? noise : rank_tol;
    s->r = 0;
    while (s->r < s->k && gsl_vector_get(s->lambda, s->r) > s->rank_tol)
        ++s->r;
    s->delta_lambda = lambda1 - (s->k > 1 ? gsl_vector_get(s->lambda, 1) : 0.0);
    return CONDENSE_OK;
}

/* CNN paper eq. (11)/(36): Z = U Lambda V^T, thin, with rank and gap. */
int condense_spectrum_alloc(const gsl_matrix *Z, double rank_tol, condense_spectrum **s)
{
    CONDENSE_CHECK_NULL(Z);
    CONDENSE_CHECK_NULL(s);
    if (Z->size1 == 0 || Z->size2 == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "Z of %zu x %zu is empty", Z->size1, Z->size2);
    if (isnan(rank_tol) || isinf(rank_tol))
        CONDENSE_ERROR(CONDENSE_EDOM, "rank_tol = %g: need a finite number (< 0: default)",
                       rank_tol);
    double maxabs = 0.0;
    CONDENSE_TRY(check_finite(Z, &maxabs));
    condense_gsl_quiet();

    condense_spectrum *sp = calloc(1, sizeof *sp);
    if (sp == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the spectrum");
    sp->rows = Z->size1;
    sp->cols = Z->size2;
    sp->k = sp->rows < sp->cols ? sp->rows : sp->cols;
    sp->lambda = gsl_vector_alloc(sp->k);
    sp->U = gsl_matrix_alloc(sp->rows, sp->k);
    sp->V = gsl_matrix_alloc(sp->cols, sp->k);
    const int status = decompose(Z, maxabs, rank_tol, sp);
    if (status != CONDENSE_OK) {
        condense_spectrum_free(sp);
        return status;
    }
    *s = sp;
    return CONDENSE_OK;
}

double condense_spectrum_lambda(const condense_spectrum *s, size_t j)
{
    if (s == NULL || j < 1 || j > s->k) return NAN;
    return gsl_vector_get(s->lambda, j - 1);
}

/* The empty view returned for an out-of-range j: size 0, data NULL. */
static _gsl_vector_const_view empty_view(void)
{
    _gsl_vector_const_view e = {{0, 0, NULL, NULL, 0}};
    return e;
}

_gsl_vector_const_view condense_spectrum_u(const condense_spectrum *s, size_t j)
{
    if (s == NULL || j < 1 || j > s->k) return empty_view();
    return gsl_matrix_const_column(s->U, j - 1);
}

_gsl_vector_const_view condense_spectrum_v(const condense_spectrum *s, size_t j)
{
    if (s == NULL || j < 1 || j > s->k) return empty_view();
    return gsl_matrix_const_column(s->V, j - 1);
}

/* CNN paper Assumption 4, eq. (12)/(37): lambda_1 > lambda_2, measured with a relative margin. */
int condense_assumption4(const condense_spectrum *s, double tol, int *holds, double *gap_rel)
{
    CONDENSE_CHECK_NULL(s);
    CONDENSE_CHECK_NULL(holds);
    CONDENSE_CHECK_NULL(gap_rel);
    if (!(isfinite(tol) && tol >= 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "tol = %g: need a finite tol >= 0", tol);
    const double lambda1 = gsl_vector_get(s->lambda, 0);
    /* Z = 0 has no direction at all: gap 0 rather than 0/0. */
    *gap_rel = lambda1 > 0.0 ? s->delta_lambda / lambda1 : 0.0;
    *holds = s->r >= 1 && s->delta_lambda > tol * lambda1;
    return CONDENSE_OK;
}
