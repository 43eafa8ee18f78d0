/* observables.c -- what condensation looks like, measured: the cosine similarity of CNN paper
 * eq. (5), the two ratios of Theorem 1, eq. (14)-(15), and the per-kernel views of the
 * figures (cosine with the all-ones vector and amplitude). */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "condense/error.h"
#include "condense/observables.h"

/* CONDENSE_EDOM naming the first non-finite entry of v[0..len). */
static int check_finite(const double *v, size_t len, const char *what)
{
    for (size_t k = 0; k < len; ++k)
        if (!isfinite(v[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "%s[%zu] = %g is not finite", what, k, v[k]);
    return CONDENSE_OK;
}

/* The Euclidean norm by the scaled sum of squares of the reference BLAS dnrm2 (Hammarling):
 * no overflow for entries near DBL_MAX, no underflow for tiny ones.  Hand-written rather than
 * gsl_blas_dnrm2 because that call goes to whichever CBLAS is linked, and OpenBLAS's x86-64
 * dnrm2 accumulates in x87 extended precision, which Valgrind emulates in double: under
 * memcheck it then overflows for entries near 1e200.  One algorithm everywhere also makes the
 * observables independent of the BLAS. */
double condense_norm2(const double *x, size_t n, size_t stride)
{
    double scale = 0.0, ssq = 1.0;
    for (size_t k = 0; k < n; ++k) {
        const double ax = fabs(x[k * stride]);
        if (ax == 0.0) continue;
        if (scale < ax) {
            ssq = 1.0 + ssq * (scale / ax) * (scale / ax);
            scale = ax;
        } else {
            ssq += (ax / scale) * (ax / scale);
        }
    }
    return scale * sqrt(ssq);
}

static double norm2(const double *v, size_t len)
{
    return condense_norm2(v, len, 1);
}

/* A cosine is in [-1, 1]; rounding of unit vectors' dot product can leave it an ulp outside. */
static double clamp_cosine(double D)
{
    return D > 1.0 ? 1.0 : (D < -1.0 ? -1.0 : D);
}

/* sum_k (u1_k / n1) (u2_k / n2): the dot product of the two unit vectors, hand-written because
 * gsl_blas_ddot of the raw vectors overflows for entries above ~1e154 (and underflows for tiny
 * ones) although the cosine is scale-free; dividing first keeps every term in [-1, 1]. */
static double unit_dot(const double *u1, double n1, const double *u2, double n2, size_t len)
{
    double s = 0.0;
    for (size_t k = 0; k < len; ++k)
        s += (u1[k] / n1) * (u2[k] / n2);
    return s;
}

/* CNN paper eq. (5): D(u_1, u_2) = u_1 . u_2 / (|u_1| |u_2|). */
int condense_cosine(const double *u1, const double *u2, size_t len, double *D)
{
    CONDENSE_CHECK_NULL(u1);
    CONDENSE_CHECK_NULL(u2);
    CONDENSE_CHECK_NULL(D);
    if (len == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "vectors of length 0");
    CONDENSE_TRY(check_finite(u1, len, "u1"));
    CONDENSE_TRY(check_finite(u2, len, "u2"));
    const double n1 = norm2(u1, len), n2 = norm2(u2, len);
    if (n1 == 0.0 || n2 == 0.0)
        CONDENSE_ERROR(CONDENSE_EDOM, "cosine of a zero vector (|u1| = %g, |u2| = %g)", n1, n2);
    *D = clamp_cosine(unit_dot(u1, n1, u2, n2, len));
    return CONDENSE_OK;
}

/* CNN paper eq. (5) for all pairs, as in the kernel-similarity heat maps: the rows are
 * normalized, and the Gram matrix of the unit rows is one gsl_blas_dsyrk. */
int condense_cosine_matrix(const double *vectors, size_t count, size_t len, double *D)
{
    CONDENSE_CHECK_NULL(vectors);
    CONDENSE_CHECK_NULL(D);
    if (count == 0 || len == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "%zu vectors of length %zu: zero size", count, len);
    CONDENSE_TRY(check_finite(vectors, count * len, "vectors"));
    gsl_matrix *unit = gsl_matrix_alloc(count, len);
    if (unit == NULL)
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu x %zu doubles", count, len);
    size_t zeros = 0, first_zero = 0;
    for (size_t k = 0; k < count; ++k) {
        const double nk = norm2(vectors + k * len, len);
        if (nk == 0.0 && zeros++ == 0) first_zero = k;
        for (size_t j = 0; j < len; ++j) /* a zero row stays zero */
            gsl_matrix_set(unit, k, j, nk == 0.0 ? 0.0 : vectors[k * len + j] / nk);
    }
    gsl_matrix_view Dv = gsl_matrix_view_array(D, count, count);
    /* Upper triangle of unit unit^T; the lower one is mirrored so D is exactly symmetric. */
    const int status = gsl_blas_dsyrk(CblasUpper, CblasNoTrans, 1.0, unit, 0.0, &Dv.matrix);
    gsl_matrix_free(unit);
    if (status != 0) CONDENSE_ERROR(CONDENSE_ENUM, "gsl_blas_dsyrk failed (GSL status %d)", status);
    /* A zero row of `unit` is exactly zero, so its Gram diagonal is exactly 0, while a unit
     * row's is 1 up to rounding: the diagonal tells the zero vectors apart.  Rows are visited
     * from the last so that the diagonal entries still needed (j > k) are not yet rewritten. */
    for (size_t k = count; k-- > 0;) {
        const int zero_k = D[k * count + k] == 0.0;
        for (size_t j = k + 1; j < count; ++j) {
            double d = clamp_cosine(D[k * count + j]);
            if (zero_k || isnan(D[j * count + j])) d = NAN;
            D[k * count + j] = D[j * count + k] = d;
        }
        D[k * count + k] = zero_k ? NAN : 1.0; /* D(u, u) = 1 exactly for u != 0 */
    }
    if (zeros > 0)
        CONDENSE_ERROR(CONDENSE_EDOM, "%zu zero vector(s) (first: index %zu): NaN in their rows",
                       zeros, first_zero);
    return CONDENSE_OK;
}

/* CNN paper eq. (14): |theta_W(t) - theta_W(0)| / |theta_W(0)|; the difference goes to a
 * buffer so that condense_norm2 (scaled, overflow-safe) measures it. */
int condense_relative_change(const double *theta_W_t, const double *theta_W_0, size_t len,
                             double *ratio)
{
    CONDENSE_CHECK_NULL(theta_W_t);
    CONDENSE_CHECK_NULL(theta_W_0);
    CONDENSE_CHECK_NULL(ratio);
    if (len == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "vectors of length 0");
    CONDENSE_TRY(check_finite(theta_W_t, len, "theta_W_t"));
    CONDENSE_TRY(check_finite(theta_W_0, len, "theta_W_0"));
    const double n0 = norm2(theta_W_0, len);
    if (n0 == 0.0) CONDENSE_ERROR(CONDENSE_EDOM, "|theta_W(0)| = 0: the ratio is undefined");
    double *diff = malloc(len * sizeof *diff);
    if (diff == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu doubles", len);
    for (size_t k = 0; k < len; ++k)
        diff[k] = theta_W_t[k] - theta_W_0[k];
    const double nd = norm2(diff, len);
    free(diff);
    if (!isfinite(nd))
        CONDENSE_ERROR(CONDENSE_EDOM, "|theta_W(t) - theta_W(0)| overflows (%g)", nd);
    *ratio = nd / n0;
    return CONDENSE_OK;
}

/* CNN paper eq. (15): |P_1 theta_W| / |theta_W|, P_1 theta_W = (<theta_{W,beta}, v_1>)_beta =
 * Theta v_1 with Theta the M x N_W matrix whose rows are the kernels (one gsl_blas_dgemv).
 * v_1 is divided by |v_1|: for the unit v_1 of the SVD this is eq. (15) itself, and any other
 * scaling of the same direction gives the same ratio (then always in [0, 1]). */
int condense_condensation_ratio(const double *theta_W, size_t M, size_t N_W, const double *v_1,
                                double *ratio)
{
    CONDENSE_CHECK_NULL(theta_W);
    CONDENSE_CHECK_NULL(v_1);
    CONDENSE_CHECK_NULL(ratio);
    if (M == 0 || N_W == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "M = %zu kernels of N_W = %zu entries: zero size", M, N_W);
    CONDENSE_TRY(check_finite(theta_W, M * N_W, "theta_W"));
    CONDENSE_TRY(check_finite(v_1, N_W, "v_1"));
    const double nW = norm2(theta_W, M * N_W), nv = norm2(v_1, N_W);
    if (nW == 0.0) CONDENSE_ERROR(CONDENSE_EDOM, "|theta_W| = 0: the ratio is undefined");
    if (nv == 0.0) CONDENSE_ERROR(CONDENSE_EDOM, "v_1 is the zero vector");
    /* One block: the M projections and v_1 / |v_1|, so that no product exceeds the kernels'
     * own scale (raw v_1 entries of 1e200 would overflow the projections). */
    double *buf = malloc((M + N_W) * sizeof *buf);
    if (buf == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu doubles", M + N_W);
    double *unit_v = buf + M;
    for (size_t k = 0; k < N_W; ++k)
        unit_v[k] = v_1[k] / nv;
    gsl_matrix_const_view Theta = gsl_matrix_const_view_array(theta_W, M, N_W);
    gsl_vector_const_view v = gsl_vector_const_view_array(unit_v, N_W);
    gsl_vector_view proj = gsl_vector_view_array(buf, M);
    const int status =
        gsl_blas_dgemv(CblasNoTrans, 1.0, &Theta.matrix, &v.vector, 0.0, &proj.vector);
    const double np = condense_norm2(buf, M, 1);
    free(buf);
    if (status != 0) CONDENSE_ERROR(CONDENSE_ENUM, "gsl_blas_dgemv failed (GSL status %d)", status);
    const double r = np / nW;
    if (!isfinite(r))
        CONDENSE_ERROR(CONDENSE_EDOM, "ratio |P_1 theta_W| / |theta_W| = %g is not finite", r);
    *ratio = r > 1.0 ? 1.0 : r; /* Cauchy-Schwarz: <= 1; rounding may add an ulp */
    return CONDENSE_OK;
}

/* The figures' per-kernel views: cos(theta_{W,beta}, 1) = sum_k theta_k / (sqrt(N_W) |theta|)
 * (eq. (5) with u_2 = 1, |1| = sqrt(N_W)) and |theta_{W,beta}|. */
int condense_kernel_views(const double *theta_W, size_t M, size_t N_W, double *cos_ones,
                          double *amplitude)
{
    CONDENSE_CHECK_NULL(theta_W);
    if (M == 0 || N_W == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "M = %zu kernels of N_W = %zu entries: zero size", M, N_W);
    CONDENSE_TRY(check_finite(theta_W, M * N_W, "theta_W"));
    const double sqrt_nw = sqrt((double)N_W);
    size_t zeros = 0, first_zero = 0;
    for (size_t beta = 1; beta <= M; ++beta) {
        const double *k = theta_W + (beta - 1) * N_W;
        const double nk = norm2(k, N_W);
        if (amplitude != NULL) amplitude[beta - 1] = nk;
        if (cos_ones == NULL) continue;
        if (nk == 0.0) {
            if (zeros++ == 0) first_zero = beta;
            cos_ones[beta - 1] = NAN;
            continue;
        }
        double s = 0.0; /* sum of the unit kernel's entries: scale-safe as in unit_dot */
        for (size_t j = 0; j < N_W; ++j)
            s += k[j] / nk;
        cos_ones[beta - 1] = clamp_cosine(s / sqrt_nw);
    }
    if (zeros > 0)
        CONDENSE_ERROR(CONDENSE_EDOM, "%zu zero kernel(s) (first: beta = %zu): cosine NaN", zeros,
                       first_zero);
    return CONDENSE_OK;
}
