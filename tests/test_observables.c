/* test_observables.c -- checks of condense/observables.h: the cosine similarity of CNN paper
 * eq. (5), the ratios of Theorem 1 eq. (14)-(15), and the per-kernel views of the figures.
 *
 * Independent routes: exact values of hand-built vectors (parallel, antiparallel, orthogonal,
 * Pythagorean triples), the identity D(u, w) = 1 - |u/|u| - w/|w||^2 / 2 evaluated in long
 * double with the test's own norms, and long-double sums of squares for the ratios.
 *
 * Rounding tolerances (U = DBL_EPSILON = 2u): a cosine of vectors of length len is computed
 * from two norms (dnrm2: relative error <= (len + 2) u each), len quotients-products (3u each)
 * and a sum of len terms of size <= 1 whose absolute values add to <= 1 (error <= len u).
 * Together |error| <= (3 len + 7) u < (2 len + 4) U; we allow TOL(len) = (2 len + 8) U.  The
 * long-double references are ~2000 times more accurate and do not add to it. */
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

#include <gsl/gsl_rng.h>

#include "condense/error.h"
#include "condense/observables.h"

#define U DBL_EPSILON
#define TOL(len) ((2.0 * (double)(len) + 8.0) * U)

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

static void assert_close(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s: got %.17g, want %.17g, |diff| %.3g > %.3g\n", what, got, want,
                    fabs(got - want), tol);
        fail();
    }
}

static void fill_random(gsl_rng *rng, double *v, size_t len)
{
    for (size_t k = 0; k < len; ++k)
        v[k] = 2.0 * gsl_rng_uniform(rng) - 1.0;
}

/* The test's own norm, in long double. */
static long double norm_ld(const double *v, size_t len)
{
    long double s = 0.0L;
    for (size_t k = 0; k < len; ++k)
        s += (long double)v[k] * v[k];
    return sqrtl(s);
}

/* D(u, w) = 1 - |u/|u| - w/|w||^2 / 2 (|a - b|^2 = 2 - 2 a.b for unit a, b), in long double. */
static double cosine_via_distance(const double *u, const double *w, size_t len)
{
    const long double nu = norm_ld(u, len), nw = norm_ld(w, len);
    long double d2 = 0.0L;
    for (size_t k = 0; k < len; ++k) {
        const long double diff = u[k] / nu - w[k] / nw;
        d2 += diff * diff;
    }
    return (double)(1.0L - d2 / 2.0L);
}

/* ---- eq. (5) -------------------------------------------------------------------------------- */

static void test_cosine_exact_values(void **state)
{
    (void)state;
    const double u[5] = {1.0, -2.0, 3.5, 0.25, 7.0};
    double w[5], D = 0;
    for (size_t k = 0; k < 5; ++k)
        w[k] = 3.0 * u[k];
    assert_status(condense_cosine(u, w, 5, &D), CONDENSE_OK);
    assert_close(D, 1.0, TOL(5), "parallel");
    assert_true(D <= 1.0); /* clamped: never an ulp above 1 */
    for (size_t k = 0; k < 5; ++k)
        w[k] = -0.5 * u[k];
    assert_status(condense_cosine(u, w, 5, &D), CONDENSE_OK);
    assert_close(D, -1.0, TOL(5), "antiparallel");
    assert_true(D >= -1.0);
    /* u . o = 2 - 2 + 7 - 7 + 0 = 0 exactly in the true dot product. */
    const double o[5] = {2.0, 1.0, 2.0, -28.0, 0.0};
    assert_status(condense_cosine(u, o, 5, &D), CONDENSE_OK);
    assert_close(D, 0.0, TOL(5), "orthogonal");
    /* A Pythagorean pair: (3, 4) and (4, 3): D = 24/25. */
    const double a[2] = {3.0, 4.0}, b[2] = {4.0, 3.0};
    assert_status(condense_cosine(a, b, 2, &D), CONDENSE_OK);
    assert_close(D, 24.0 / 25.0, TOL(2), "(3,4).(4,3)/25");
    /* len = 1: the sign of the product */
    const double p = -3.0, q = 5.0;
    assert_status(condense_cosine(&p, &q, 1, &D), CONDENSE_OK);
    assert_true(D == -1.0);
}

/* Scale invariance: D(s u, t w) = sign(s t) D(u, w).  Powers of two scale the norms exactly
 * (dnrm2 scales by the largest entry), so the results are bitwise equal; a sign flip only flips
 * signs; 1e+-150 scalings (whose raw dot product would overflow or underflow) agree to TOL. */
static void test_cosine_scale_invariance(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 11UL);
    const size_t len = 17;
    double u[17], w[17], su[17], sw[17], D0 = 0, D = 0;
    fill_random(rng, u, len);
    fill_random(rng, w, len);
    assert_status(condense_cosine(u, w, len, &D0), CONDENSE_OK);
    const double scales[][2] = {{8.0, 0.125},     {-4.0, 2.0},  {1e150, 1e150},
                                {1e-150, 1e-160}, {1e200, 3.0}, {-1e-200, -1e100}};
    for (size_t s = 0; s < sizeof scales / sizeof scales[0]; ++s) {
        for (size_t k = 0; k < len; ++k) {
            su[k] = scales[s][0] * u[k];
            sw[k] = scales[s][1] * w[k];
        }
        assert_status(condense_cosine(su, sw, len, &D), CONDENSE_OK);
        const double sign = (scales[s][0] > 0) == (scales[s][1] > 0) ? 1.0 : -1.0;
        if (s < 2)
            assert_true(D == sign * D0);
        else
            assert_close(D, sign * D0, 2 * TOL(len), "scaled cosine");
    }
    gsl_rng_free(rng);
}

/* Against the distance identity on random vectors of several lengths, including nearly
 * parallel pairs (w = u + small noise), where 1 - D is tiny. */
static void test_cosine_vs_distance(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 12UL);
    double u[64], w[64];
    const size_t lens[] = {1, 2, 3, 9, 28, 64};
    for (size_t l = 0; l < 6; ++l)
        for (int rep = 0; rep < 20; ++rep) {
            const size_t len = lens[l];
            fill_random(rng, u, len);
            fill_random(rng, w, len);
            if (rep % 4 == 3)
                for (size_t k = 0; k < len; ++k)
                    w[k] = u[k] + 1e-6 * w[k];
            double D = 0;
            assert_status(condense_cosine(u, w, len, &D), CONDENSE_OK);
            assert_close(D, cosine_via_distance(u, w, len), TOL(len), "cosine vs distance");
        }
    gsl_rng_free(rng);
}

static void test_cosine_errors(void **state)
{
    (void)state;
    const double u[3] = {1, 2, 3}, z[3] = {0, 0, 0};
    double bad[3] = {1, NAN, 3}, D = -7.0;
    assert_fails(condense_cosine(NULL, u, 3, &D), CONDENSE_EINVAL);
    assert_fails(condense_cosine(u, NULL, 3, &D), CONDENSE_EINVAL);
    assert_fails(condense_cosine(u, u, 3, NULL), CONDENSE_EINVAL);
    assert_fails(condense_cosine(u, u, 0, &D), CONDENSE_ESIZE);
    assert_fails(condense_cosine(u, z, 3, &D), CONDENSE_EDOM);
    assert_fails(condense_cosine(z, u, 3, &D), CONDENSE_EDOM);
    assert_fails(condense_cosine(u, bad, 3, &D), CONDENSE_EDOM);
    bad[1] = INFINITY;
    assert_fails(condense_cosine(bad, u, 3, &D), CONDENSE_EDOM);
    assert_true(D == -7.0); /* untouched */
}

/* The matrix: symmetric (exactly), unit diagonal (exactly), every entry against the distance
 * identity; a row that duplicates another up to scale gives 1, its negative -1. */
static void test_cosine_matrix(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 13UL);
    enum { C = 7, L = 9 };
    double V[C * L], D[C * C];
    fill_random(rng, V, C * L);
    for (size_t k = 0; k < L; ++k) {
        V[5 * L + k] = 2.5 * V[1 * L + k];
        V[6 * L + k] = -0.5 * V[1 * L + k];
    }
    assert_status(condense_cosine_matrix(V, C, L, D), CONDENSE_OK);
    for (size_t i = 0; i < C; ++i) {
        assert_true(D[i * C + i] == 1.0);
        for (size_t j = 0; j < C; ++j) {
            assert_true(D[i * C + j] == D[j * C + i]);
            assert_true(D[i * C + j] >= -1.0 && D[i * C + j] <= 1.0);
            assert_close(D[i * C + j], cosine_via_distance(V + i * L, V + j * L, L), TOL(L),
                         "matrix entry vs distance");
        }
    }
    assert_close(D[1 * C + 5], 1.0, TOL(L), "duplicate row");
    assert_close(D[1 * C + 6], -1.0, TOL(L), "negated row");
    assert_close(D[5 * C + 6], -1.0, TOL(L), "negated pair");
    /* count = 1: [1] */
    double one = 0;
    assert_status(condense_cosine_matrix(V, 1, L, &one), CONDENSE_OK);
    assert_true(one == 1.0);
    gsl_rng_free(rng);
}

/* A zero vector: NaN in its row and column (diagonal included), the rest filled, EDOM. */
static void test_cosine_matrix_zero(void **state)
{
    (void)state;
    enum { C = 4, L = 3 };
    double V[C * L] = {1, 0, 0, 0, 0, 0, 0, 2, 0, 1, 1, 0}, D[C * C];
    condense_error_clear();
    assert_status(condense_cosine_matrix(V, C, L, D), CONDENSE_EDOM);
    assert_true(strlen(condense_errmsg()) > 0);
    for (size_t i = 0; i < C; ++i)
        for (size_t j = 0; j < C; ++j) {
            const double d = D[i * C + j];
            if (i == 1 || j == 1)
                assert_true(isnan(d));
            else
                assert_close(d, cosine_via_distance(V + i * L, V + j * L, L), TOL(L), "rest");
        }
    assert_close(D[0 * C + 3], 1.0 / sqrt(2.0), TOL(L), "(1,0,0).(1,1,0)/sqrt 2");
    assert_true(D[0 * C + 2] == 0.0); /* exact zeros: orthogonal axes */
    /* all zero: all NaN */
    double Z[2 * L] = {0}, DZ[4];
    assert_fails(condense_cosine_matrix(Z, 2, L, DZ), CONDENSE_EDOM);
    for (size_t k = 0; k < 4; ++k)
        assert_true(isnan(DZ[k]));
}

static void test_cosine_matrix_errors(void **state)
{
    (void)state;
    double V[6] = {1, 2, 3, 4, 5, 6}, D[4] = {-7, -7, -7, -7};
    assert_fails(condense_cosine_matrix(NULL, 2, 3, D), CONDENSE_EINVAL);
    assert_fails(condense_cosine_matrix(V, 2, 3, NULL), CONDENSE_EINVAL);
    assert_fails(condense_cosine_matrix(V, 0, 3, D), CONDENSE_ESIZE);
    assert_fails(condense_cosine_matrix(V, 2, 0, D), CONDENSE_ESIZE);
    V[4] = NAN;
    assert_fails(condense_cosine_matrix(V, 2, 3, D), CONDENSE_EDOM);
    for (size_t k = 0; k < 4; ++k)
        assert_true(D[k] == -7.0); /* untouched: the check precedes any write */
}

/* ---- eq. (14) ------------------------------------------------------------------------------- */

/* Hand cases with exact answers (Pythagorean numbers: dnrm2 of (3, 4) is 5 up to one rounding
 * of the scaled square root), and random vectors against long-double sums. */
static void test_relative_change(void **state)
{
    (void)state;
    const double t0[2] = {3.0, 4.0};
    const double same[2] = {3.0, 4.0}, dbl[2] = {6.0, 8.0}, zero[2] = {0.0, 0.0},
                 orth[2] = {-1.0, 7.0}; /* diff (-4, 3): |diff| = 5 */
    double r = -1;
    assert_status(condense_relative_change(same, t0, 2, &r), CONDENSE_OK);
    assert_true(r == 0.0);
    assert_status(condense_relative_change(dbl, t0, 2, &r), CONDENSE_OK);
    assert_close(r, 1.0, TOL(2), "theta_W(t) = 2 theta_W(0)");
    assert_status(condense_relative_change(zero, t0, 2, &r), CONDENSE_OK);
    assert_close(r, 1.0, TOL(2), "theta_W(t) = 0");
    assert_status(condense_relative_change(orth, t0, 2, &r), CONDENSE_OK);
    assert_close(r, 1.0, TOL(2), "diff (-4, 3)");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 14UL);
    double a[40], b[40], d[40];
    for (int rep = 0; rep < 10; ++rep) {
        fill_random(rng, a, 40);
        fill_random(rng, b, 40);
        for (size_t k = 0; k < 40; ++k)
            d[k] = a[k] - b[k]; /* exact or one rounding, as in the library */
        assert_status(condense_relative_change(a, b, 40, &r), CONDENSE_OK);
        const double want = (double)(norm_ld(d, 40) / norm_ld(b, 40));
        assert_close(r, want, want * TOL(40), "relative change vs long double");
    }
    gsl_rng_free(rng);
}

static void test_relative_change_errors(void **state)
{
    (void)state;
    const double a[2] = {1, 2}, z[2] = {0, 0}, bad[2] = {1, NAN};
    double r = -7.0;
    assert_fails(condense_relative_change(NULL, a, 2, &r), CONDENSE_EINVAL);
    assert_fails(condense_relative_change(a, NULL, 2, &r), CONDENSE_EINVAL);
    assert_fails(condense_relative_change(a, a, 2, NULL), CONDENSE_EINVAL);
    assert_fails(condense_relative_change(a, a, 0, &r), CONDENSE_ESIZE);
    assert_fails(condense_relative_change(a, z, 2, &r), CONDENSE_EDOM);
    assert_fails(condense_relative_change(bad, a, 2, &r), CONDENSE_EDOM);
    assert_fails(condense_relative_change(a, bad, 2, &r), CONDENSE_EDOM);
    const double big[2] = {1.5e308, 0.0}, nbig[2] = {-1.5e308, 1.0}; /* difference overflows */
    assert_fails(condense_relative_change(big, nbig, 2, &r), CONDENSE_EDOM);
    assert_true(r == -7.0);
}

/* ---- eq. (15) ------------------------------------------------------------------------------- */

/* Hand-built: v_1 = (1, 1, 1, 1)/2 (unit).  Kernels c_beta v_1: ratio 1.  Kernels orthogonal to
 * v_1, c (1, -1, 0, 0) and c (0, 0, 1, -1): every <theta_beta, v_1> = 0.5c - 0.5c = 0 exactly,
 * ratio 0 exactly.  One of each, both unit: ratio 1/sqrt(2).  A non-unit v_1 (3 v_1) gives the
 * same ratio. */
static void test_condensation_ratio_hand(void **state)
{
    (void)state;
    enum { M = 3, N = 4 };
    const double v1[N] = {0.5, 0.5, 0.5, 0.5}, v1x3[N] = {1.5, 1.5, 1.5, 1.5};
    const double c[M] = {2.0, -0.75, 1e-3};
    double par[M * N], ort[M * N], r = -1;
    for (size_t b = 0; b < M; ++b)
        for (size_t k = 0; k < N; ++k) {
            par[b * N + k] = c[b] * v1[k];
            ort[b * N + k] = c[b] * (b % 2 == 0 ? (k == 0   ? 1.0
                                                   : k == 1 ? -1.0
                                                            : 0.0)
                                                : (k == 2   ? 1.0
                                                   : k == 3 ? -1.0
                                                            : 0.0));
        }
    assert_status(condense_condensation_ratio(par, M, N, v1, &r), CONDENSE_OK);
    assert_close(r, 1.0, TOL(M * N), "all kernels parallel to v_1");
    assert_status(condense_condensation_ratio(par, M, N, v1x3, &r), CONDENSE_OK);
    assert_close(r, 1.0, TOL(M * N), "the same with 3 v_1");
    const double v1huge[N] = {1e200, 1e200, 1e200, 1e200}; /* raw products would overflow */
    assert_status(condense_condensation_ratio(par, M, N, v1huge, &r), CONDENSE_OK);
    assert_close(r, 1.0, TOL(M * N), "the same with 2e200 v_1");
    assert_status(condense_condensation_ratio(ort, M, N, v1, &r), CONDENSE_OK);
    assert_true(r == 0.0);
    const double mix[2 * N] = {0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.5 * sqrt(2.0), -0.5 * sqrt(2.0)};
    assert_status(condense_condensation_ratio(mix, 2, N, v1, &r), CONDENSE_OK);
    assert_close(r, sqrt(0.5), TOL(2 * N), "one parallel, one orthogonal unit kernel");
}

/* Random kernels and a random v_1 against sum_beta <theta_beta, v>^2 / (|v|^2 |theta|^2) in
 * long double.  The result is a norm of M projections each computed with the error of a dot
 * product of length N_W: relative TOL(N_W + M). */
static void test_condensation_ratio_random(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 15UL);
    enum { M = 12, N = 10 };
    double th[M * N], v[N];
    for (int rep = 0; rep < 10; ++rep) {
        fill_random(rng, th, M * N);
        fill_random(rng, v, N);
        long double s = 0.0L;
        for (size_t b = 0; b < M; ++b) {
            long double dot = 0.0L;
            for (size_t k = 0; k < N; ++k)
                dot += (long double)th[b * N + k] * v[k];
            s += dot * dot;
        }
        const double want = (double)(sqrtl(s) / norm_ld(v, N) / norm_ld(th, M * N));
        double r = -1;
        assert_status(condense_condensation_ratio(th, M, N, v, &r), CONDENSE_OK);
        assert_close(r, want, want * TOL(N + M), "ratio vs long double");
        assert_true(r >= 0.0 && r <= 1.0);
    }
    gsl_rng_free(rng);
}

static void test_condensation_ratio_errors(void **state)
{
    (void)state;
    const double th[4] = {1, 2, 3, 4}, v[2] = {1, 0}, z[4] = {0}, bad[4] = {1, NAN, 3, 4};
    double r = -7.0;
    assert_fails(condense_condensation_ratio(NULL, 2, 2, v, &r), CONDENSE_EINVAL);
    assert_fails(condense_condensation_ratio(th, 2, 2, NULL, &r), CONDENSE_EINVAL);
    assert_fails(condense_condensation_ratio(th, 2, 2, v, NULL), CONDENSE_EINVAL);
    assert_fails(condense_condensation_ratio(th, 0, 2, v, &r), CONDENSE_ESIZE);
    assert_fails(condense_condensation_ratio(th, 2, 0, v, &r), CONDENSE_ESIZE);
    assert_fails(condense_condensation_ratio(z, 2, 2, v, &r), CONDENSE_EDOM);
    assert_fails(condense_condensation_ratio(th, 2, 2, z, &r), CONDENSE_EDOM);
    assert_fails(condense_condensation_ratio(bad, 2, 2, v, &r), CONDENSE_EDOM);
    assert_fails(condense_condensation_ratio(th, 2, 2, bad, &r), CONDENSE_EDOM);
    /* a projection beyond DBL_MAX: <(1.5e308, 1.5e308), (1, 1)/sqrt 2> = 2.1e308 */
    const double big[2] = {1.5e308, 1.5e308}, ones[2] = {1.0, 1.0};
    assert_fails(condense_condensation_ratio(big, 1, 2, ones, &r), CONDENSE_EDOM);
    assert_true(r == -7.0);
}

/* ---- kernel views --------------------------------------------------------------------------- */

/* Kernels c 1 (cos 1, amplitude |c| sqrt(N_W)), -1 (cos -1), (1, -1, 1, -1, 0) (cos 0 exactly:
 * the entries of the unit kernel are +-1/2 and 0 and cancel exactly), and a random one against
 * the long-double formula sum theta / (sqrt(N_W) |theta|). */
static void test_kernel_views(void **state)
{
    (void)state;
    enum { M = 4, N = 5 };
    double th[M * N], cs[M], amp[M];
    for (size_t k = 0; k < N; ++k) {
        th[0 * N + k] = 0.75;
        th[1 * N + k] = -1.0;
        th[2 * N + k] = k == 4 ? 0.0 : (k % 2 == 0 ? 1.0 : -1.0);
        th[3 * N + k] = 0.1 * (double)(k * k) - 0.7;
    }
    assert_status(condense_kernel_views(th, M, N, cs, amp), CONDENSE_OK);
    assert_close(cs[0], 1.0, TOL(N), "c 1");
    assert_close(amp[0], 0.75 * sqrt(5.0), 0.75 * sqrt(5.0) * TOL(N), "|c 1|");
    assert_close(cs[1], -1.0, TOL(N), "-1");
    assert_close(amp[1], sqrt(5.0), sqrt(5.0) * TOL(N), "|-1|");
    assert_true(cs[2] == 0.0);
    assert_close(amp[2], 2.0, 2.0 * TOL(N), "|(1,-1,1,-1,0)|");
    long double s = 0.0L;
    for (size_t k = 0; k < N; ++k)
        s += th[3 * N + k];
    const long double n3 = norm_ld(th + 3 * N, N);
    assert_close(cs[3], (double)(s / (sqrtl(5.0L) * n3)), TOL(N), "random kernel");
    assert_close(amp[3], (double)n3, (double)n3 * TOL(N), "random amplitude");
    /* Either output may be NULL. */
    double cs2[M], amp2[M];
    assert_status(condense_kernel_views(th, M, N, cs2, NULL), CONDENSE_OK);
    assert_memory_equal(cs2, cs, sizeof cs);
    assert_status(condense_kernel_views(th, M, N, NULL, amp2), CONDENSE_OK);
    assert_memory_equal(amp2, amp, sizeof amp);
    assert_status(condense_kernel_views(th, M, N, NULL, NULL), CONDENSE_OK);
}

/* A zero kernel: cosine NaN, amplitude 0, the others filled, EDOM; no cosine asked: OK. */
static void test_kernel_views_zero(void **state)
{
    (void)state;
    const double th[3 * 2] = {1, 1, 0, 0, 3, -3};
    double cs[3], amp[3];
    condense_error_clear();
    assert_status(condense_kernel_views(th, 3, 2, cs, amp), CONDENSE_EDOM);
    assert_true(strlen(condense_errmsg()) > 0);
    assert_close(cs[0], 1.0, TOL(2), "(1,1)");
    assert_true(isnan(cs[1]));
    assert_true(cs[2] == 0.0);
    assert_true(amp[1] == 0.0);
    assert_close(amp[2], 3.0 * sqrt(2.0), 3.0 * sqrt(2.0) * TOL(2), "|(3,-3)|");
    double amp2[3];
    assert_status(condense_kernel_views(th, 3, 2, NULL, amp2), CONDENSE_OK);
    assert_memory_equal(amp2, amp, sizeof amp);
}

static void test_kernel_views_errors(void **state)
{
    (void)state;
    const double th[4] = {1, 2, 3, 4}, bad[4] = {1, 2, INFINITY, 4};
    double cs[2] = {-7, -7}, amp[2] = {-7, -7};
    assert_fails(condense_kernel_views(NULL, 2, 2, cs, amp), CONDENSE_EINVAL);
    assert_fails(condense_kernel_views(th, 0, 2, cs, amp), CONDENSE_ESIZE);
    assert_fails(condense_kernel_views(th, 2, 0, cs, amp), CONDENSE_ESIZE);
    assert_fails(condense_kernel_views(bad, 2, 2, cs, amp), CONDENSE_EDOM);
    assert_true(cs[0] == -7 && cs[1] == -7 && amp[0] == -7 && amp[1] == -7);
}

/* condense_norm2: against the naive sqrt(sum x^2) where that cannot overflow (relative
 * TOL(n): both round n squares and one sqrt), exactly scale-covariant under powers of two far
 * beyond the naive sum's range, zero for zeros, and the stride picks every stride-th entry. */
static void test_norm2(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 5UL);
    double x[40], y[40];
    fill_random(rng, x, 40);
    double naive = 0.0;
    for (size_t k = 0; k < 40; ++k)
        naive += x[k] * x[k];
    naive = sqrt(naive);
    const double n = condense_norm2(x, 40, 1);
    assert_close(n, naive, TOL(40) * naive, "norm2 vs naive");
    for (size_t k = 0; k < 40; ++k)
        y[k] = ldexp(x[k], 700); /* x * 2^700: the naive sum of squares would overflow */
    assert_true(condense_norm2(y, 40, 1) == ldexp(n, 700));
    for (size_t k = 0; k < 40; ++k)
        y[k] = ldexp(x[k], -700);
    assert_true(condense_norm2(y, 40, 1) == ldexp(n, -700));
    double every_other = 0.0;
    for (size_t k = 0; k < 40; k += 2)
        every_other += x[k] * x[k];
    assert_close(condense_norm2(x, 20, 2), sqrt(every_other), TOL(20) * sqrt(every_other),
                 "stride 2");
    memset(y, 0, sizeof y);
    assert_true(condense_norm2(y, 40, 1) == 0.0);
    assert_true(condense_norm2(y, 0, 1) == 0.0);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm2),
        cmocka_unit_test(test_cosine_exact_values),
        cmocka_unit_test(test_cosine_scale_invariance),
        cmocka_unit_test(test_cosine_vs_distance),
        cmocka_unit_test(test_cosine_errors),
        cmocka_unit_test(test_cosine_matrix),
        cmocka_unit_test(test_cosine_matrix_zero),
        cmocka_unit_test(test_cosine_matrix_errors),
        cmocka_unit_test(test_relative_change),
        cmocka_unit_test(test_relative_change_errors),
        cmocka_unit_test(test_condensation_ratio_hand),
        cmocka_unit_test(test_condensation_ratio_random),
        cmocka_unit_test(test_condensation_ratio_errors),
        cmocka_unit_test(test_kernel_views),
        cmocka_unit_test(test_kernel_views_zero),
        cmocka_unit_test(test_kernel_views_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
