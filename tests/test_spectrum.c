/* test_spectrum.c -- the SVD Z = U Lambda V^T of CNN paper eq. (11)/(36), the rank r, the gap
 * Delta lambda = lambda_1 - lambda_2 and Assumption 4 (eq. 12/37), condense/spectrum.h.
 *
 * Independent routes:
 *  - the defining relations of a thin SVD, checked directly: U^T U = I, V^T V = I,
 *    Z v_j = lambda_j u_j, Z^T u_j = lambda_j v_j, lambda descending and >= 0;
 *  - a second algorithm: lambda_j^2 are the eigenvalues of Z^T Z, from gsl_eigen_symm
 *    (symmetric QR, no singular vectors) on Z^T Z formed here;
 *  - matrices built with a known SVD: Z = sum_j s_j a_j b_j^T with a_j, b_j orthonormalized here
 *    (modified Gram-Schmidt, twice), and rank-2 products P Q;
 *  - the sign convention recomputed from its definition in the header.
 *
 * Tolerances (eps = DBL_EPSILON, n = max(rows, cols), k = min(rows, cols)):
 *  - orthonormality: GSL's one-sided Jacobi stops when every pair of columns satisfies
 *    |x . y| <= 5 n eps |x| |y| (its tolerance 10 n eps on 2 x . y), so the normalized columns are
 *    orthogonal to 5 n eps; the other factor accumulates ~ k sweeps of rotations, O(k eps) per
 *    sweep.  Bound used: (10 n + 50 k) eps.
 *  - residuals |Z v_j - lambda_j u_j|_inf, |Z^T u_j - lambda_j v_j|_inf: backward error of the
 *    SVD plus the non-orthogonality above times lambda_1: 50 n eps lambda_1.
 *  - lambda_j against sqrt(mu_j), mu_j the eigenvalues of the computed Z^T Z: forming Z^T Z errs
 *    by <= rows eps || |Z| ||_F^2 <= rows k eps lambda_1^2 in norm, the symmetric eigensolver by
 *    O(cols eps lambda_1^2), so |mu_j - lambda_j^2| <= E := 10 (rows k + cols) eps lambda_1^2 and
 *    |sqrt(mu_j) - lambda_j| <= min(sqrt(E), E / lambda_j) (for small lambda_j the square root
 *    amplifies: eps lambda_1^2 / lambda_j).
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_vector.h>

#include "condense/data.h"
#include "condense/error.h"
#include "condense/linearization.h"
#include "condense/spectrum.h"

#define EPS DBL_EPSILON

#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#define assert_fails(expr, expected)                                                               \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        assert_status(expr, expected);                                                             \
        assert_true(strlen(condense_errmsg()) > 0);                                                \
    } while (0)

static size_t max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}
static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

static gsl_matrix *random_matrix(size_t rows, size_t cols, gsl_rng *r)
{
    gsl_matrix *Z = gsl_matrix_alloc(rows, cols);
    assert_non_null(Z);
    for (size_t i = 0; i < rows; ++i)
        for (size_t j = 0; j < cols; ++j)
            gsl_matrix_set(Z, i, j, 2.0 * gsl_rng_uniform(r) - 1.0);
    return Z;
}

/* p orthonormal vectors of length n (p <= n) as the columns of an n x p matrix: modified
 * Gram-Schmidt applied twice to random vectors (written here, not taken from the library). */
static gsl_matrix *orthonormal(size_t n, size_t p, gsl_rng *r)
{
    gsl_matrix *Q = random_matrix(n, p, r);
    for (size_t j = 0; j < p; ++j) {
        gsl_vector_view qj = gsl_matrix_column(Q, j);
        for (int pass = 0; pass < 2; ++pass)
            for (size_t i = 0; i < j; ++i) {
                gsl_vector_view qi = gsl_matrix_column(Q, i);
                double dot = 0.0;
                for (size_t t = 0; t < n; ++t)
                    dot += gsl_vector_get(&qi.vector, t) * gsl_vector_get(&qj.vector, t);
                for (size_t t = 0; t < n; ++t)
                    gsl_vector_set(&qj.vector, t,
                                   gsl_vector_get(&qj.vector, t) -
                                       dot * gsl_vector_get(&qi.vector, t));
            }
        double norm = 0.0;
        for (size_t t = 0; t < n; ++t)
            norm += gsl_vector_get(&qj.vector, t) * gsl_vector_get(&qj.vector, t);
        assert_true(norm > 1e-6); /* random vectors: never close to dependent */
        for (size_t t = 0; t < n; ++t)
            gsl_vector_set(&qj.vector, t, gsl_vector_get(&qj.vector, t) / sqrt(norm));
    }
    return Q;
}

/* Z = sum_j s_j a_j b_j^T, a_j the columns of Aa (rows x p), b_j those of Bb (cols x p). */
static gsl_matrix *from_svd(const gsl_matrix *Aa, const double *s, const gsl_matrix *Bb)
{
    const size_t rows = Aa->size1, cols = Bb->size1, p = Aa->size2;
    gsl_matrix *Z = gsl_matrix_calloc(rows, cols);
    assert_non_null(Z);
    for (size_t i = 0; i < rows; ++i)
        for (size_t c = 0; c < cols; ++c) {
            double sum = 0.0;
            for (size_t j = 0; j < p; ++j)
                sum += s[j] * gsl_matrix_get(Aa, i, j) * gsl_matrix_get(Bb, c, j);
            gsl_matrix_set(Z, i, c, sum);
        }
    return Z;
}

static condense_spectrum *svd(const gsl_matrix *Z, double rank_tol)
{
    condense_spectrum *s = NULL;
    assert_status(condense_spectrum_alloc(Z, rank_tol, &s), CONDENSE_OK);
    assert_non_null(s);
    return s;
}

/* The sign convention of spectrum.h, recomputed: <v, 1> > 0, or, when the sum is within
 * (cols) eps sum |v_i| of zero, the first entry of largest magnitude is positive. */
static int sign_ok(const gsl_vector *v)
{
    double sum = 0.0, l1 = 0.0, big = 0.0;
    size_t first = 0;
    for (size_t i = 0; i < v->size; ++i) {
        const double x = gsl_vector_get(v, i);
        sum += x;
        l1 += fabs(x);
        if (fabs(x) > big) {
            big = fabs(x);
            first = i;
        }
    }
    if (fabs(sum) > (double)v->size * EPS * l1) return sum > 0.0;
    return gsl_vector_get(v, first) > 0.0;
}

/* max |M^T M - I| for the k columns of M. */
static double orth_error(const gsl_matrix *M)
{
    double worst = 0.0;
    for (size_t a = 0; a < M->size2; ++a)
        for (size_t b = 0; b < M->size2; ++b) {
            double dot = 0.0;
            for (size_t i = 0; i < M->size1; ++i)
                dot += gsl_matrix_get(M, i, a) * gsl_matrix_get(M, i, b);
            worst = fmax(worst, fabs(dot - (a == b ? 1.0 : 0.0)));
        }
    return worst;
}

/* Every property of a thin SVD with the header's conventions, for any Z. */
static void check_svd(const gsl_matrix *Z, const condense_spectrum *s, const char *name)
{
    const size_t rows = Z->size1, cols = Z->size2, k = min_sz(rows, cols), n = max_sz(rows, cols);
    assert_int_equal(s->rows, rows);
    assert_int_equal(s->cols, cols);
    assert_int_equal(s->k, k);
    assert_int_equal(s->lambda->size, k);
    assert_true(s->U->size1 == rows && s->U->size2 == k);
    assert_true(s->V->size1 == cols && s->V->size2 == k);
    const double l1 = gsl_vector_get(s->lambda, 0);

    /* descending, non-negative */
    for (size_t j = 0; j < k; ++j) {
        assert_true(gsl_vector_get(s->lambda, j) >= 0.0);
        if (j > 0 && gsl_vector_get(s->lambda, j) > gsl_vector_get(s->lambda, j - 1))
            fail_msg("%s: lambda_%zu = %.17g > lambda_%zu = %.17g", name, j + 1,
                     gsl_vector_get(s->lambda, j), j, gsl_vector_get(s->lambda, j - 1));
    }

    /* orthonormal factors */
    const double orth_tol = (10.0 * (double)n + 50.0 * (double)k) * EPS;
    const double eU = orth_error(s->U), eV = orth_error(s->V);
    if (eU > orth_tol || eV > orth_tol)
        fail_msg("%s: |U^T U - I| = %.3g eps, |V^T V - I| = %.3g eps, tolerance %.3g eps", name,
                 eU / EPS, eV / EPS, orth_tol / EPS);

    /* Z v_j = lambda_j u_j and Z^T u_j = lambda_j v_j */
    const double res_tol = 50.0 * (double)n * EPS * l1;
    for (size_t j = 0; j < k; ++j) {
        const double lj = gsl_vector_get(s->lambda, j);
        for (size_t i = 0; i < rows; ++i) {
            double acc = 0.0;
            for (size_t c = 0; c < cols; ++c)
                acc += gsl_matrix_get(Z, i, c) * gsl_matrix_get(s->V, c, j);
            if (fabs(acc - lj * gsl_matrix_get(s->U, i, j)) > res_tol)
                fail_msg("%s: (Z v_%zu - lambda u_%zu)_%zu = %.3g, tolerance %.3g", name, j + 1,
                         j + 1, i + 1, acc - lj * gsl_matrix_get(s->U, i, j), res_tol);
        }
        for (size_t c = 0; c < cols; ++c) {
            double acc = 0.0;
            for (size_t i = 0; i < rows; ++i)
                acc += gsl_matrix_get(Z, i, c) * gsl_matrix_get(s->U, i, j);
            if (fabs(acc - lj * gsl_matrix_get(s->V, c, j)) > res_tol)
                fail_msg("%s: (Z^T u_%zu - lambda v_%zu)_%zu = %.3g, tolerance %.3g", name, j + 1,
                         j + 1, c + 1, acc - lj * gsl_matrix_get(s->V, c, j), res_tol);
        }
    }

    /* lambda_j^2 = eigenvalues of Z^T Z (gsl_eigen_symm), the cols - k others ~ 0 */
    gsl_matrix *G = gsl_matrix_alloc(cols, cols);
    for (size_t a = 0; a < cols; ++a)
        for (size_t b = 0; b < cols; ++b) {
            double acc = 0.0;
            for (size_t i = 0; i < rows; ++i)
                acc += gsl_matrix_get(Z, i, a) * gsl_matrix_get(Z, i, b);
            gsl_matrix_set(G, a, b, acc);
        }
    gsl_vector *mu = gsl_vector_alloc(cols);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(cols);
    assert_int_equal(gsl_eigen_symm(G, mu, w), 0);
    gsl_sort_vector(mu);
    gsl_vector_reverse(mu); /* descending, to pair with lambda */
    const double E = 10.0 * (double)(rows * k + cols) * EPS * l1 * l1;
    for (size_t j = 0; j < cols; ++j) {
        const double m = gsl_vector_get(mu, j);
        if (j < k) {
            const double lj = gsl_vector_get(s->lambda, j);
            const double tol = lj > 0.0 ? fmin(sqrt(E), E / lj) : sqrt(E);
            if (fabs(sqrt(fmax(m, 0.0)) - lj) > tol)
                fail_msg("%s: lambda_%zu = %.17g but sqrt(mu_%zu) = %.17g (tolerance %.3g)", name,
                         j + 1, lj, j + 1, sqrt(fmax(m, 0.0)), tol);
        } else if (fabs(m) > E) {
            fail_msg("%s: eigenvalue %zu of Z^T Z beyond rank k = %zu is %.3g, tolerance %.3g",
                     name, j + 1, k, m, E);
        }
    }
    gsl_eigen_symm_free(w);
    gsl_vector_free(mu);
    gsl_matrix_free(G);

    /* the sign convention */
    for (size_t j = 1; j <= k; ++j) {
        gsl_vector_const_view v = condense_spectrum_v(s, j);
        if (!sign_ok(&v.vector)) fail_msg("%s: v_%zu violates the sign convention", name, j);
    }

    /* rank and gap from their definitions */
    size_t r = 0;
    for (size_t j = 0; j < k; ++j)
        r += gsl_vector_get(s->lambda, j) > s->rank_tol;
    assert_int_equal(s->r, r);
    const double l2 = k > 1 ? gsl_vector_get(s->lambda, 1) : 0.0;
    assert_true(s->delta_lambda == l1 - l2);
}

/* ---- random Z ------------------------------------------------------------------------------ */

static void test_random_shapes(void **state)
{
    (void)state;
    static const size_t shapes[][2] = {{30, 10}, {6, 19}, {12, 12}, {1, 7}, {7, 1}, {1, 1}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    for (size_t c = 0; c < sizeof shapes / sizeof shapes[0]; ++c)
        for (int rep = 0; rep < 3; ++rep) {
            gsl_matrix *Z = random_matrix(shapes[c][0], shapes[c][1], r);
            char name[64];
            snprintf(name, sizeof name, "random %zu x %zu #%d", shapes[c][0], shapes[c][1], rep);
            condense_spectrum *s = svd(Z, -1.0);
            check_svd(Z, s, name);
            /* default rank_tol = max(rows, cols) eps lambda_1; random Z has full rank k */
            const double want_tol =
                (double)max_sz(Z->size1, Z->size2) * EPS * condense_spectrum_lambda(s, 1);
            assert_true(s->rank_tol == want_tol);
            assert_int_equal(s->r, s->k);
            condense_spectrum_free(s);
            gsl_matrix_free(Z);
        }
    gsl_rng_free(r);
}

/* Z of the library's own construction (condense_Z_alloc): tall (7 x 7 input, m = 3: 25 x 10)
 * and wide (3 x 3 x 3 input, m = 3: 1 x 28; 4 x 4 x 3, m = 3: 4 x 28). */
static void test_Z_from_data(void **state)
{
    (void)state;
    static const size_t cases[][4] = {{7, 7, 1, 3}, {3, 3, 3, 3}, {4, 4, 3, 3}, {6, 5, 2, 2}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 36);
    for (size_t c = 0; c < 4; ++c) {
        condense_data *d = NULL;
        assert_status(
            condense_data_synthetic(6, cases[c][0], cases[c][1], cases[c][2], 4.0, 100 + c, &d),
            CONDENSE_OK);
        gsl_matrix *Z = NULL;
        assert_status(condense_Z_alloc(d, cases[c][3], &Z), CONDENSE_OK);
        char name[64];
        snprintf(name, sizeof name, "Z from data %zu x %zu", Z->size1, Z->size2);
        condense_spectrum *s = svd(Z, -1.0);
        check_svd(Z, s, name);
        condense_spectrum_free(s);
        gsl_matrix_free(Z);
        condense_data_free(d);
    }
    gsl_rng_free(r);
}

/* ---- constructed spectra ------------------------------------------------------------------- */

/* Z = P Q with P rows x 2, Q 2 x cols random: rank 2 exactly in real arithmetic; in floating
 * point lambda_3.. are rounding noise (<= a few eps lambda_1), below the default rank_tol. */
static void test_rank_deficient(void **state)
{
    (void)state;
    static const size_t shapes[][2] = {{20, 8}, {5, 17}, {9, 9}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2);
    for (size_t c = 0; c < 3; ++c) {
        gsl_matrix *P = random_matrix(shapes[c][0], 2, r), *Q = random_matrix(2, shapes[c][1], r);
        gsl_matrix *Z = gsl_matrix_alloc(shapes[c][0], shapes[c][1]);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, P, Q, 0.0, Z);
        char name[64];
        snprintf(name, sizeof name, "rank 2, %zu x %zu", shapes[c][0], shapes[c][1]);
        condense_spectrum *s = svd(Z, -1.0);
        if (s->r != 2)
            fail_msg("%s: r = %zu (lambda_2 = %.3g, lambda_3 = %.3g, rank_tol = %.3g)", name, s->r,
                     condense_spectrum_lambda(s, 2), condense_spectrum_lambda(s, 3), s->rank_tol);
        /* the two nonzero ones are far above rounding: the factors are well conditioned */
        assert_true(condense_spectrum_lambda(s, 2) > 1e-3 * condense_spectrum_lambda(s, 1));
        /* U, V orthonormal in full, also beyond the rank */
        check_svd(Z, s, name);
        condense_spectrum_free(s);
        gsl_matrix_free(Z);
        gsl_matrix_free(P);
        gsl_matrix_free(Q);
    }
    gsl_rng_free(r);
}

/* Z = sum_{j<=4} s_j a_j b_j^T with s = (5, 3, 1.5, 0.25): lambda_j = s_j, lambda_5.. = 0,
 * Delta lambda = 2, u_j = +-a_j and v_j = +-b_j with the sign fixed by sign(<b_j, 1>).
 * Tolerances: forming Z rounds each entry by <= 4 eps sum_j s_j |a_ij b_cj|, so ||dZ||_2 <=
 * ||dZ||_F <= 4 eps sqrt(rows cols) s_1 =: D (|a_ij|, |b_cj| <= 1); singular values move by at
 * most D (Weyl), singular vectors by D / gap_j (Wedin), gap_j the distance of s_j to the rest of
 * the spectrum; plus the SVD's own error 50 n eps s_1 as in check_svd. */
static void test_known_singular_values(void **state)
{
    (void)state;
    static const size_t shapes[][2] = {{13, 6}, {5, 11}, {8, 8}};
    static const double sv[4] = {5.0, 3.0, 1.5, 0.25};
    static const double gap[4] = {2.0, 1.5, 1.25, 0.25};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4);
    for (size_t c = 0; c < 3; ++c) {
        const size_t rows = shapes[c][0], cols = shapes[c][1], n = max_sz(rows, cols);
        gsl_matrix *Aa = orthonormal(rows, 4, r), *Bb = orthonormal(cols, 4, r);
        gsl_matrix *Z = from_svd(Aa, sv, Bb);
        char name[64];
        snprintf(name, sizeof name, "known SVD %zu x %zu", rows, cols);
        condense_spectrum *s = svd(Z, -1.0);
        check_svd(Z, s, name);
        const double D = 4.0 * EPS * sqrt((double)(rows * cols)) * sv[0];
        const double val_tol = D + 50.0 * (double)n * EPS * sv[0];
        for (size_t j = 1; j <= s->k; ++j) {
            const double want = j <= 4 ? sv[j - 1] : 0.0;
            if (fabs(condense_spectrum_lambda(s, j) - want) > val_tol)
                fail_msg("%s: lambda_%zu = %.17g, constructed %.17g", name, j,
                         condense_spectrum_lambda(s, j), want);
        }
        assert_int_equal(s->r, 4);
        assert_true(fabs(s->delta_lambda - 2.0) <= 2.0 * val_tol);
        for (size_t j = 1; j <= 4; ++j) {
            gsl_vector_view a = gsl_matrix_column(Aa, j - 1), b = gsl_matrix_column(Bb, j - 1);
            double sum_b = 0.0;
            for (size_t t = 0; t < cols; ++t)
                sum_b += gsl_vector_get(&b.vector, t);
            assert_true(fabs(sum_b) > 1e-3); /* random b_j: the sign is decided by the sum */
            const double sign = sum_b > 0.0 ? 1.0 : -1.0;
            const double vec_tol = val_tol / gap[j - 1] * 10.0;
            gsl_vector_const_view u = condense_spectrum_u(s, j), v = condense_spectrum_v(s, j);
            for (size_t t = 0; t < rows; ++t)
                if (fabs(gsl_vector_get(&u.vector, t) - sign * gsl_vector_get(&a.vector, t)) >
                    vec_tol)
                    fail_msg("%s: u_%zu differs from %+g a_%zu at %zu", name, j, sign, j, t);
            for (size_t t = 0; t < cols; ++t)
                if (fabs(gsl_vector_get(&v.vector, t) - sign * gsl_vector_get(&b.vector, t)) >
                    vec_tol)
                    fail_msg("%s: v_%zu differs from %+g b_%zu at %zu", name, j, sign, j, t);
        }
        condense_spectrum_free(s);

        /* a chosen rank_tol between s_3 and s_4 gives r = 3 and is kept as given */
        s = svd(Z, 1.0);
        assert_int_equal(s->r, 3);
        assert_true(s->rank_tol == 1.0);
        condense_spectrum_free(s);
        /* rank_tol above lambda_1: r = 0, and Assumption 4 (which needs r >= 1) fails although
         * Delta lambda = 2 exceeds any small relative margin */
        s = svd(Z, 6.0);
        assert_int_equal(s->r, 0);
        int holds = -1;
        double gap_rel = -1.0;
        assert_status(condense_assumption4(s, 1e-8, &holds, &gap_rel), CONDENSE_OK);
        assert_int_equal(holds, 0);
        assert_true(fabs(gap_rel - 0.4) <= 2.0 * val_tol);
        condense_spectrum_free(s);

        gsl_matrix_free(Z);
        gsl_matrix_free(Aa);
        gsl_matrix_free(Bb);
    }
    gsl_rng_free(r);
}

/* The tie-break of the sign convention: v_1 = +-(-1, 2, -1)/sqrt(6) has <v_1, 1> = 0 in exact
 * arithmetic, so the computed sum is rounding noise of either sign; the convention then makes
 * the first entry of largest magnitude (the middle one) positive whichever sign the input had.
 * Z = 2 a_1 b_1^T + a_2 b_2^T with b_2 = (1, 1, 1)/sqrt(3) (so v_2 = +b_2: sum > 0).  Across the
 * variants at least one computed v_1 has a floating-point sum <= 0: a rule looking at the sign
 * of the sum alone would have flipped it, so the tie-break branch is exercised. */
static void test_sign_tie_break(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 6);
    const double s6 = sqrt(6.0), s3 = sqrt(3.0);
    int nonpositive_sums = 0;
    for (int variant = 0; variant < 16; ++variant) {
        const double sign_in = variant % 2 == 0 ? 1.0 : -1.0;
        const int wide = variant % 4 >= 2;
        const size_t other = 5 + (size_t)variant / 4;
        gsl_matrix *Aa = orthonormal(other, 2, r);
        gsl_matrix *Bb = gsl_matrix_alloc(3, 2);
        const double b1[3] = {-1.0 / s6, 2.0 / s6, -1.0 / s6};
        for (size_t t = 0; t < 3; ++t) {
            gsl_matrix_set(Bb, t, 0, sign_in * b1[t]);
            gsl_matrix_set(Bb, t, 1, 1.0 / s3);
        }
        const double sv[2] = {2.0, 1.0};
        gsl_matrix *Z = from_svd(Aa, sv, Bb);
        if (wide) { /* the same with Z^T, so that v_j lives in the rows x k factor */
            gsl_matrix *T = gsl_matrix_alloc(3, other);
            gsl_matrix_transpose_memcpy(T, Z);
            gsl_matrix_free(Z);
            Z = T;
        }
        condense_spectrum *s = svd(Z, -1.0);
        check_svd(Z, s, "tie-break");
        /* in the wide case v_1 is +-a_1 (generic sum): only the tall case has the tie */
        if (!wide) {
            gsl_vector_const_view v = condense_spectrum_v(s, 1);
            const double tol = 100.0 * EPS;
            for (size_t t = 0; t < 3; ++t)
                if (fabs(gsl_vector_get(&v.vector, t) - b1[t]) > tol)
                    fail_msg("variant %d: v_1[%zu] = %.17g, expected %.17g", variant, t,
                             gsl_vector_get(&v.vector, t), b1[t]);
            const double sum = gsl_vector_get(&v.vector, 0) + gsl_vector_get(&v.vector, 1) +
                               gsl_vector_get(&v.vector, 2);
            nonpositive_sums += sum <= 0.0;
            gsl_vector_const_view v2 = condense_spectrum_v(s, 2);
            for (size_t t = 0; t < 3; ++t)
                assert_true(fabs(gsl_vector_get(&v2.vector, t) - 1.0 / s3) <= tol);
        }
        condense_spectrum_free(s);
        gsl_matrix_free(Z);
        gsl_matrix_free(Aa);
        gsl_matrix_free(Bb);
    }
    assert_true(nonpositive_sums >= 1);
    gsl_rng_free(r);
}

/* ---- Assumption 4 -------------------------------------------------------------------------- */

static void test_assumption4(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12);
    gsl_matrix *Aa = orthonormal(9, 3, r), *Bb = orthonormal(6, 3, r);

    /* a gap: s = (3, 1, 0.5), gap_rel = 2/3 up to the rounding of Z (~ 1e-14) */
    const double gapped[3] = {3.0, 1.0, 0.5};
    gsl_matrix *Z = from_svd(Aa, gapped, Bb);
    condense_spectrum *s = svd(Z, -1.0);
    int holds = -1;
    double gap_rel = -1.0;
    assert_status(condense_assumption4(s, 1e-8, &holds, &gap_rel), CONDENSE_OK);
    assert_int_equal(holds, 1);
    assert_true(fabs(gap_rel - 2.0 / 3.0) <= 1e-13);
    /* the margin is relative: 0.6 < 2/3 < 0.7 */
    assert_status(condense_assumption4(s, 0.6, &holds, &gap_rel), CONDENSE_OK);
    assert_int_equal(holds, 1);
    assert_status(condense_assumption4(s, 0.7, &holds, &gap_rel), CONDENSE_OK);
    assert_int_equal(holds, 0);
    condense_spectrum_free(s);
    gsl_matrix_free(Z);

    /* no gap: s_1 = s_2 = 2; the computed Delta lambda is rounding (<= ~1e-14 relative), far
     * below the margin 1e-8 */
    const double tied[3] = {2.0, 2.0, 1.0};
    Z = from_svd(Aa, tied, Bb);
    s = svd(Z, -1.0);
    assert_status(condense_assumption4(s, 1e-8, &holds, &gap_rel), CONDENSE_OK);
    assert_int_equal(holds, 0);
    assert_true(gap_rel >= 0.0 && gap_rel <= 1e-13);
    assert_true(fabs(condense_spectrum_lambda(s, 2) - 2.0) <= 1e-13);
    condense_spectrum_free(s);
    gsl_matrix_free(Z);

    /* k = 1 (one row): lambda_2 := 0, so Delta lambda = lambda_1 and gap_rel = 1 */
    gsl_matrix *row = random_matrix(1, 5, r);
    s = svd(row, -1.0);
    assert_true(s->delta_lambda == condense_spectrum_lambda(s, 1));
    assert_status(condense_assumption4(s, 0.5, &holds, &gap_rel), CONDENSE_OK);
    assert_int_equal(holds, 1);
    assert_true(gap_rel == 1.0);
    condense_spectrum_free(s);
    gsl_matrix_free(row);

    gsl_matrix_free(Aa);
    gsl_matrix_free(Bb);
    gsl_rng_free(r);
}

/* ---- zero, tiny and huge Z ----------------------------------------------------------------- */

/* Z = 0: rank 0, every lambda 0, Delta lambda 0, Assumption 4 does not hold (even with tol 0),
 * and the factors are still orthonormal (an orthonormal completion, spectrum.h). */
static void test_zero_matrix(void **state)
{
    (void)state;
    static const size_t shapes[][2] = {{6, 3}, {2, 5}, {4, 4}, {1, 1}};
    for (size_t c = 0; c < 4; ++c) {
        gsl_matrix *Z = gsl_matrix_calloc(shapes[c][0], shapes[c][1]);
        condense_spectrum *s = svd(Z, -1.0);
        check_svd(Z, s, "zero");
        assert_int_equal(s->r, 0);
        assert_true(s->rank_tol == 0.0);
        assert_true(s->delta_lambda == 0.0);
        for (size_t j = 1; j <= s->k; ++j)
            assert_true(condense_spectrum_lambda(s, j) == 0.0);
        int holds = -1;
        double gap_rel = -1.0;
        assert_status(condense_assumption4(s, 0.0, &holds, &gap_rel), CONDENSE_OK);
        assert_int_equal(holds, 0);
        assert_true(gap_rel == 0.0);
        condense_spectrum_free(s);
        gsl_matrix_free(Z);
    }
}

/* Scaling Z by 2^600 or 2^-600 scales every lambda_j by exactly that power and leaves U and V
 * bit for bit (the library scales its copy by a power of two before GSL's Jacobi, whose
 * squared norms would otherwise overflow or underflow: unscaled, GSL returned ten equal
 * "singular values" 5.5e300 for the rank-1 matrix 1e300 * ones(30, 10)).  And that rank-1
 * matrix itself: lambda_1 = 1e300 sqrt(rows cols), the rest 0. */
static void test_extreme_scales(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 600);
    gsl_matrix *Z = random_matrix(9, 4, r);
    condense_spectrum *s = svd(Z, -1.0);
    for (int e = -600; e <= 600; e += 1200) {
        gsl_matrix *Ze = gsl_matrix_alloc(9, 4);
        for (size_t i = 0; i < 36; ++i)
            Ze->data[i] = ldexp(Z->data[i], e);
        condense_spectrum *se = svd(Ze, -1.0);
        for (size_t j = 1; j <= 4; ++j)
            assert_true(condense_spectrum_lambda(se, j) ==
                        ldexp(condense_spectrum_lambda(s, j), e));
        assert_true(memcmp(se->U->data, s->U->data, 36 * sizeof(double)) == 0);
        assert_true(memcmp(se->V->data, s->V->data, 16 * sizeof(double)) == 0);
        assert_int_equal(se->r, 4);
        condense_spectrum_free(se);
        gsl_matrix_free(Ze);
    }
    condense_spectrum_free(s);
    gsl_matrix_free(Z);

    Z = gsl_matrix_alloc(30, 10);
    gsl_matrix_set_all(Z, 1e300);
    s = svd(Z, -1.0);
    assert_true(fabs(condense_spectrum_lambda(s, 1) - 1e300 * sqrt(300.0)) <=
                100.0 * EPS * 1e300 * sqrt(300.0));
    assert_int_equal(s->r, 1);
    for (size_t j = 2; j <= 10; ++j)
        assert_true(condense_spectrum_lambda(s, j) <= s->rank_tol);
    condense_spectrum_free(s);
    gsl_matrix_free(Z);
    gsl_rng_free(r);
}

/* ---- accessors ------------------------------------------------------------------------------ */

/* Z = [-3] (1 x 1): lambda_1 = 3, v_1 = (1) by the sign convention, so u_1 = (-1). */
static void test_accessors(void **state)
{
    (void)state;
    gsl_matrix *Z = gsl_matrix_alloc(1, 1);
    gsl_matrix_set(Z, 0, 0, -3.0);
    condense_spectrum *s = svd(Z, -1.0);
    assert_int_equal(s->k, 1);
    assert_true(condense_spectrum_lambda(s, 1) == 3.0);
    assert_true(s->delta_lambda == 3.0);
    gsl_vector_const_view u = condense_spectrum_u(s, 1), v = condense_spectrum_v(s, 1);
    assert_int_equal(u.vector.size, 1);
    assert_true(gsl_vector_get(&u.vector, 0) == -1.0);
    assert_true(gsl_vector_get(&v.vector, 0) == 1.0);
    condense_spectrum_free(s);
    gsl_matrix_free(Z);

    /* in range: the views are the columns of U and V; out of range: NAN and empty views */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    Z = random_matrix(5, 3, r);
    s = svd(Z, -1.0);
    for (size_t j = 1; j <= 3; ++j) {
        assert_true(condense_spectrum_lambda(s, j) == gsl_vector_get(s->lambda, j - 1));
        gsl_vector_const_view uj = condense_spectrum_u(s, j), vj = condense_spectrum_v(s, j);
        assert_int_equal(uj.vector.size, 5);
        assert_int_equal(vj.vector.size, 3);
        for (size_t t = 0; t < 5; ++t)
            assert_true(gsl_vector_get(&uj.vector, t) == gsl_matrix_get(s->U, t, j - 1));
        for (size_t t = 0; t < 3; ++t)
            assert_true(gsl_vector_get(&vj.vector, t) == gsl_matrix_get(s->V, t, j - 1));
    }
    assert_true(isnan(condense_spectrum_lambda(s, 0)));
    assert_true(isnan(condense_spectrum_lambda(s, 4)));
    assert_true(isnan(condense_spectrum_lambda(NULL, 1)));
    const gsl_vector_const_view bad[] = {
        condense_spectrum_u(s, 0), condense_spectrum_u(s, 4), condense_spectrum_u(NULL, 1),
        condense_spectrum_v(s, 0), condense_spectrum_v(s, 4), condense_spectrum_v(NULL, 1)};
    for (size_t t = 0; t < 6; ++t)
        assert_true(bad[t].vector.size == 0 && bad[t].vector.data == NULL);
    condense_spectrum_free(s);
    gsl_matrix_free(Z);
    gsl_rng_free(r);
    condense_spectrum_free(NULL); /* a no-op */
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    gsl_matrix *Z = gsl_matrix_calloc(3, 2);
    condense_spectrum marker;
    condense_spectrum *s = &marker;

    assert_fails(condense_spectrum_alloc(NULL, -1.0, &s), CONDENSE_EINVAL);
    assert_fails(condense_spectrum_alloc(Z, -1.0, NULL), CONDENSE_EINVAL);
    gsl_matrix empty = {0, 2, 2, NULL, NULL, 0}; /* hand-made header, rejected on its size */
    assert_fails(condense_spectrum_alloc(&empty, -1.0, &s), CONDENSE_ESIZE);
    gsl_matrix empty2 = {2, 0, 0, NULL, NULL, 0};
    assert_fails(condense_spectrum_alloc(&empty2, -1.0, &s), CONDENSE_ESIZE);
    assert_fails(condense_spectrum_alloc(Z, NAN, &s), CONDENSE_EDOM);
    assert_fails(condense_spectrum_alloc(Z, INFINITY, &s), CONDENSE_EDOM);
    gsl_matrix_set(Z, 2, 1, NAN);
    assert_fails(condense_spectrum_alloc(Z, -1.0, &s), CONDENSE_EDOM);
    gsl_matrix_set(Z, 2, 1, -INFINITY);
    assert_fails(condense_spectrum_alloc(Z, -1.0, &s), CONDENSE_EDOM);
    /* finite entries whose singular value is not: 1e308 * ones(4, 3) has lambda_1 = 3.5e308 */
    gsl_matrix *big = gsl_matrix_alloc(4, 3);
    gsl_matrix_set_all(big, 1e308);
    assert_fails(condense_spectrum_alloc(big, -1.0, &s), CONDENSE_EDOM);
    gsl_matrix_free(big);
    assert_true(s == &marker); /* untouched by every failure */

    /* condense_assumption4 */
    gsl_matrix_set(Z, 2, 1, 1.0);
    s = svd(Z, -1.0);
    int holds = -7;
    double gap_rel = -7.0;
    assert_fails(condense_assumption4(NULL, 0.0, &holds, &gap_rel), CONDENSE_EINVAL);
    assert_fails(condense_assumption4(s, 0.0, NULL, &gap_rel), CONDENSE_EINVAL);
    assert_fails(condense_assumption4(s, 0.0, &holds, NULL), CONDENSE_EINVAL);
    assert_fails(condense_assumption4(s, -1e-3, &holds, &gap_rel), CONDENSE_EDOM);
    assert_fails(condense_assumption4(s, NAN, &holds, &gap_rel), CONDENSE_EDOM);
    assert_fails(condense_assumption4(s, INFINITY, &holds, &gap_rel), CONDENSE_EDOM);
    assert_true(holds == -7 && gap_rel == -7.0);
    condense_spectrum_free(s);
    gsl_matrix_free(Z);
}

int main(void)
{
    condense_gsl_quiet();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_shapes),  cmocka_unit_test(test_Z_from_data),
        cmocka_unit_test(test_rank_deficient), cmocka_unit_test(test_known_singular_values),
        cmocka_unit_test(test_sign_tie_break), cmocka_unit_test(test_assumption4),
        cmocka_unit_test(test_zero_matrix),    cmocka_unit_test(test_extreme_scales),
        cmocka_unit_test(test_accessors),      cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
