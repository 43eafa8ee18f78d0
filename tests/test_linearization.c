/* test_linearization.c -- the objects of the effective linear dynamics of the two-layer CNN:
 * z_{s,t,alpha} and z (CNN paper eq. 31/66), Z (eq. 35; eq. 70 as completed in NOTES.md) and
 * A = [[0, Z^T], [Z, 0]] (eq. 10/34), condense/linearization.h.
 *
 * Independent routes:
 *  - z_{s,t,alpha} and z are summed here from the documented storage of the data (array
 *    (n, W_0, H_0, C_0), C order) with the test's own offsets, plus one literal set whose sums are
 *    small integers (exact).
 *  - Z for C_0 = 1 is rebuilt by reading the eq. (35) listing row by row: row (u,v) is
 *    "z_{u,v} .. z_{u,v+m-1}; z_{u+1,v} .. z_{u+1,v+m-1}; ...; z_{u+m-1,v+m-1}; z", appended
 *    entry by entry with a running counter (no column formula).  For C_0 = 3 the NOTES.md layout
 *    is rebuilt by concatenating the single-channel listings of each channel plane and then z.
 *    A literal 3 x 2, m = 2 instance is written out by hand.
 *  - A is checked block by block (exact: it only copies Z).
 *  - The defining property d theta_beta/dt = A theta_beta of eq. (32)/(67): the right-hand side of
 *    eq. (67) is computed in the paper's index form (sums over u, v of a z, and over alpha, p, q
 *    of z W, plus b z) for a random two-layer network, stored in a network of the same shape
 *    through the paper-index accessors, packed with condense_theta_beta_pack (layout tested in
 *    test_theta), and compared with A times the packed theta_beta.
 *
 * Tolerances (eps = DBL_EPSILON): a sum of N products computed in two different orders differs
 * by at most 2 N eps sum |terms| (the standard bound gamma_N ~ N eps for each order).  That bound
 * is used wherever both sides sum; copies are compared with ==.
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
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/error.h"
#include "condense/linearization.h"
#include "condense/theta.h"

#define EPS DBL_EPSILON
#define SENTINEL (-7654.375)

#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* A failing call must record a message; cleared before each call so a stale one cannot pass. */
#define assert_fails(expr, expected)                                                               \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        assert_status(expr, expected);                                                             \
        assert_true(strlen(condense_errmsg()) > 0);                                                \
    } while (0)

/* ---- the test's own view of a data set ---------------------------------------------------- */

/* x_{s,t,alpha}(i) from the documented storage, array (n, W_0, H_0, C_0) in C order. */
static double X(const condense_data *d, size_t i, size_t s, size_t t, size_t alpha)
{
    return d->x[(((i - 1) * d->W0 + (s - 1)) * d->H0 + (t - 1)) * d->C0 + (alpha - 1)];
}

/* Eq. (31)/(66) summed here: z_{s,t,alpha} = (1/n) sum_i y_i x_{s,t,alpha}(i); *abs receives
 * (1/n) sum_i |y_i x_{s,t,alpha}(i)|, the scale of its rounding error. */
static double my_z_st(const condense_data *d, size_t s, size_t t, size_t alpha, double *abs)
{
    double sum = 0.0, sum_abs = 0.0;
    for (size_t i = 1; i <= d->n; ++i) {
        sum += d->y[i - 1] * X(d, i, s, t, alpha);
        sum_abs += fabs(d->y[i - 1] * X(d, i, s, t, alpha));
    }
    if (abs != NULL) *abs = sum_abs / (double)d->n;
    return sum / (double)d->n;
}

static double my_z(const condense_data *d, double *abs)
{
    double sum = 0.0, sum_abs = 0.0;
    for (size_t i = 0; i < d->n; ++i) {
        sum += d->y[i];
        sum_abs += fabs(d->y[i]);
    }
    if (abs != NULL) *abs = sum_abs / (double)d->n;
    return sum / (double)d->n;
}

/* Tolerance for a library z against my_z*: both sum n terms (possibly in different orders) and
 * divide by n: 2 (n + 1) eps (1/n) sum |terms|. */
static double z_tol(const condense_data *d, double abs)
{
    return 2.0 * (double)(d->n + 1) * EPS * abs;
}

static condense_data *random_data(size_t n, size_t W0, size_t H0, size_t C0, gsl_rng *r)
{
    condense_data *d = NULL;
    assert_status(condense_data_alloc(n, W0, H0, C0, &d), CONDENSE_OK);
    for (size_t k = 0; k < n * W0 * H0 * C0; ++k)
        d->x[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (size_t i = 0; i < n; ++i)
        d->y[i] = 4.0 * gsl_rng_uniform(r) - 2.0;
    return d;
}

/* ---- z_{s,t,alpha} and z ------------------------------------------------------------------ */

static void test_z_random(void **state)
{
    (void)state;
    static const size_t shapes[][4] = {{7, 5, 7, 1}, {3, 6, 4, 3}, {1, 2, 3, 2}, {11, 4, 4, 1}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    for (size_t c = 0; c < sizeof shapes / sizeof shapes[0]; ++c) {
        condense_data *d = random_data(shapes[c][0], shapes[c][1], shapes[c][2], shapes[c][3], r);
        const size_t len = d->W0 * d->H0 * d->C0;
        double *z_st = malloc((len + 2) * sizeof(double));
        assert_non_null(z_st);
        for (size_t k = 0; k < len + 2; ++k)
            z_st[k] = SENTINEL;
        double z = SENTINEL;
        assert_status(condense_z(d, z_st, &z), CONDENSE_OK);
        /* (W_0, H_0, C_0) C order: s slowest, alpha fastest, walked with a running counter. */
        size_t k = 0;
        for (size_t s = 1; s <= d->W0; ++s)
            for (size_t t = 1; t <= d->H0; ++t)
                for (size_t alpha = 1; alpha <= d->C0; ++alpha, ++k) {
                    double abs;
                    const double want = my_z_st(d, s, t, alpha, &abs);
                    if (fabs(z_st[k] - want) > z_tol(d, abs))
                        fail_msg("shape %zu: z_{%zu,%zu,%zu} = %.17g, summed here %.17g", c, s, t,
                                 alpha, z_st[k], want);
                }
        assert_true(z_st[len] == SENTINEL && z_st[len + 1] == SENTINEL); /* no write past */
        double abs;
        const double want = my_z(d, &abs);
        if (fabs(z - want) > z_tol(d, abs)) fail_msg("z = %.17g, summed here %.17g", z, want);
        free(z_st);
        condense_data_free(d);
    }
    gsl_rng_free(r);
}

/* n = 2, W_0 x H_0 x C_0 = 1 x 2 x 2: x(1) = (1, 2, 3, 4), x(2) = (5, 6, 7, 8) in storage order,
 * y = (1, 3).  z_{1,1,1} = (1 + 15)/2 = 8, z_{1,1,2} = (2 + 18)/2 = 10, z_{1,2,1} = (3 + 21)/2 =
 * 12, z_{1,2,2} = (4 + 24)/2 = 14, z = 2: small integers, exact in any order. */
static void test_z_literal(void **state)
{
    (void)state;
    condense_data *d = NULL;
    assert_status(condense_data_alloc(2, 1, 2, 2, &d), CONDENSE_OK);
    for (size_t k = 0; k < 8; ++k)
        d->x[k] = (double)(k + 1);
    d->y[0] = 1.0;
    d->y[1] = 3.0;
    double z_st[4], z;
    assert_status(condense_z(d, z_st, &z), CONDENSE_OK);
    assert_true(z_st[0] == 8.0 && z_st[1] == 10.0 && z_st[2] == 12.0 && z_st[3] == 14.0);
    assert_true(z == 2.0);
    condense_data_free(d);
}

/* ---- Z ------------------------------------------------------------------------------------ */

/* Eq. (35), read as printed: row (u,v) of the one-channel Z lists z_{u,v}, z_{u,v+1}, ...,
 * z_{u,v+m-1}; then z_{u+1,v}, ..., z_{u+1,v+m-1}; ...; up to z_{u+m-1,v+m-1}, then z.  The
 * rows run (1,1), (1,2), ..., (1,H_1), (2,1), ..., (W_1,H_1).  Channel `alpha` of the data is
 * used as "the" channel; with_z appends the z column.  `transposed` reads the listing with the
 * offsets swapped (z_{u+q,v+p}), a plausible mistake used to show the comparison can fail.
 * Returns a (W_1 H_1) x (m^2 [+1]) row-major array. */
static double *listing_35(const condense_data *d, size_t alpha, size_t m, int with_z,
                          int transposed)
{
    const size_t W1 = d->W0 - m + 1, H1 = d->H0 - m + 1, width = m * m + (with_z ? 1 : 0);
    double *e = malloc(W1 * H1 * width * sizeof(double));
    assert_non_null(e);
    size_t k = 0;
    for (size_t u = 1; u <= W1; ++u)
        for (size_t v = 1; v <= H1; ++v) {
            for (size_t row_off = 0; row_off < m; ++row_off)     /* z_{u,.}; z_{u+1,.}; ... */
                for (size_t col_off = 0; col_off < m; ++col_off) /* z_{.,v} .. z_{.,v+m-1} */
                    e[k++] = transposed ? my_z_st(d, u + col_off, v + row_off, alpha, NULL)
                                        : my_z_st(d, u + row_off, v + col_off, alpha, NULL);
            if (with_z) e[k++] = my_z(d, NULL);
        }
    assert_int_equal(k, W1 * H1 * width);
    return e;
}

/* NOTES.md layout for C_0 channels: [listing of channel 1 | ... | listing of channel C_0 | z]. */
static double *expected_Z(const condense_data *d, size_t m, int transposed)
{
    const size_t rows = (d->W0 - m + 1) * (d->H0 - m + 1), m2 = m * m;
    const size_t cols = d->C0 * m2 + 1;
    double *e = malloc(rows * cols * sizeof(double));
    assert_non_null(e);
    for (size_t alpha = 1; alpha <= d->C0; ++alpha) {
        double *block = listing_35(d, alpha, m, 0, transposed);
        for (size_t i = 0; i < rows; ++i)
            memcpy(e + i * cols + (alpha - 1) * m2, block + i * m2, m2 * sizeof(double));
        free(block);
    }
    for (size_t i = 0; i < rows; ++i)
        e[i * cols + cols - 1] = my_z(d, NULL);
    return e;
}

/* Largest |Z_ij - e_ij| / tol_ij, tol from the rounding of the two sums (z_tol). */
static double Z_mismatch(const condense_data *d, const gsl_matrix *Z, const double *e)
{
    double abs_max = 0.0, worst = 0.0;
    for (size_t s = 1; s <= d->W0; ++s)
        for (size_t t = 1; t <= d->H0; ++t)
            for (size_t alpha = 1; alpha <= d->C0; ++alpha) {
                double abs;
                my_z_st(d, s, t, alpha, &abs);
                abs_max = fmax(abs_max, abs);
            }
    double abs_y;
    my_z(d, &abs_y);
    const double tol = z_tol(d, fmax(abs_max, abs_y));
    for (size_t i = 0; i < Z->size1; ++i)
        for (size_t j = 0; j < Z->size2; ++j)
            worst = fmax(worst, fabs(gsl_matrix_get(Z, i, j) - e[i * Z->size2 + j]) / tol);
    return worst;
}

static void check_Z_case(const condense_data *d, size_t m)
{
    gsl_matrix *Z = NULL;
    assert_status(condense_Z_alloc(d, m, &Z), CONDENSE_OK);
    const size_t W1 = d->W0 - m + 1, H1 = d->H0 - m + 1;
    if (Z->size1 != W1 * H1 || Z->size2 != d->C0 * m * m + 1)
        fail_msg("W0 x H0 x C0 = %zu x %zu x %zu, m = %zu: Z is %zu x %zu, expected %zu x %zu",
                 d->W0, d->H0, d->C0, m, Z->size1, Z->size2, W1 * H1, d->C0 * m * m + 1);
    double *e = expected_Z(d, m, 0);
    const double worst = Z_mismatch(d, Z, e);
    if (worst > 1.0)
        fail_msg("W0 x H0 x C0 = %zu x %zu x %zu, m = %zu: Z differs from the eq. (35) listing "
                 "(%.3g x tolerance)",
                 d->W0, d->H0, d->C0, m, worst);
    free(e);
    if (m >= 2) {
        /* The comparison is not vacuous: the listing read with p and q swapped is rejected. */
        double *wrong = expected_Z(d, m, 1);
        assert_true(Z_mismatch(d, Z, wrong) > 1e6);
        free(wrong);
    }
    gsl_matrix_free(Z);
}

/* Non-square inputs, m = 1, 2, 3 and m = min(W_0, H_0) (= W_0 for 5 x 7 and 4 x 6, = H_0 for
 * 6 x 4). */
static void test_Z_one_channel(void **state)
{
    (void)state;
    static const size_t WH[][2] = {{5, 7}, {6, 4}, {4, 6}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 35);
    for (size_t c = 0; c < 3; ++c) {
        condense_data *d = random_data(4, WH[c][0], WH[c][1], 1, r);
        const size_t mmax = WH[c][0] < WH[c][1] ? WH[c][0] : WH[c][1];
        const size_t ms[] = {1, 2, 3, mmax};
        for (size_t k = 0; k < 4; ++k)
            check_Z_case(d, ms[k]);
        condense_data_free(d);
    }
    gsl_rng_free(r);
}

static void test_Z_three_channels(void **state)
{
    (void)state;
    static const size_t WH[][2] = {{5, 7}, {6, 4}, {3, 3}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 70);
    for (size_t c = 0; c < 3; ++c) {
        condense_data *d = random_data(3, WH[c][0], WH[c][1], 3, r);
        const size_t mmax = WH[c][0] < WH[c][1] ? WH[c][0] : WH[c][1];
        const size_t ms[] = {1, 2, 3, mmax};
        for (size_t k = 0; k < 4; ++k)
            check_Z_case(d, ms[k]);
        condense_data_free(d);
    }
    gsl_rng_free(r);
}

/* W_0 x H_0 = 3 x 2, C_0 = 1, m = 2, n = 1, y_1 = 1, so z_{s,t} = x_{s,t} = 10 s + t and z = 1.
 * W_1 x H_1 = 2 x 1, and eq. (35) reads
 *   Z = [ z_{1,1} z_{1,2} z_{2,1} z_{2,2} z ]   = [ 11 12 21 22 1 ]
 *       [ z_{2,1} z_{2,2} z_{3,1} z_{3,2} z ]     [ 21 22 31 32 1 ]. */
static void test_Z_literal(void **state)
{
    (void)state;
    condense_data *d = NULL;
    assert_status(condense_data_alloc(1, 3, 2, 1, &d), CONDENSE_OK);
    for (size_t s = 1; s <= 3; ++s)
        for (size_t t = 1; t <= 2; ++t)
            d->x[(s - 1) * 2 + (t - 1)] = 10.0 * (double)s + (double)t;
    d->y[0] = 1.0;
    const double want[2][5] = {{11, 12, 21, 22, 1}, {21, 22, 31, 32, 1}};
    gsl_matrix *Z = NULL;
    assert_status(condense_Z_alloc(d, 2, &Z), CONDENSE_OK);
    assert_int_equal(Z->size1, 2);
    assert_int_equal(Z->size2, 5);
    for (size_t i = 0; i < 2; ++i)
        for (size_t j = 0; j < 5; ++j)
            if (gsl_matrix_get(Z, i, j) != want[i][j])
                fail_msg("Z_{%zu,%zu} = %g, expected %g", i + 1, j + 1, gsl_matrix_get(Z, i, j),
                         want[i][j]);
    gsl_matrix_free(Z);

    /* The same with C_0 = 2, channel 2 holding 100 + 10 s + t: eq. (70) per NOTES.md appends
     * channel 2's block after channel 1's, then z. */
    condense_data *d2 = NULL;
    assert_status(condense_data_alloc(1, 3, 2, 2, &d2), CONDENSE_OK);
    for (size_t s = 1; s <= 3; ++s)
        for (size_t t = 1; t <= 2; ++t) {
            d2->x[((s - 1) * 2 + (t - 1)) * 2 + 0] = 10.0 * (double)s + (double)t;
            d2->x[((s - 1) * 2 + (t - 1)) * 2 + 1] = 100.0 + 10.0 * (double)s + (double)t;
        }
    d2->y[0] = 1.0;
    const double want2[2][9] = {{11, 12, 21, 22, 111, 112, 121, 122, 1},
                                {21, 22, 31, 32, 121, 122, 131, 132, 1}};
    assert_status(condense_Z_alloc(d2, 2, &Z), CONDENSE_OK);
    assert_int_equal(Z->size2, 9);
    for (size_t i = 0; i < 2; ++i)
        for (size_t j = 0; j < 9; ++j)
            if (gsl_matrix_get(Z, i, j) != want2[i][j])
                fail_msg("C_0 = 2: Z_{%zu,%zu} = %g, expected %g", i + 1, j + 1,
                         gsl_matrix_get(Z, i, j), want2[i][j]);
    gsl_matrix_free(Z);
    condense_data_free(d2);
    condense_data_free(d);
}

/* ---- A ------------------------------------------------------------------------------------ */

static void check_A_blocks(const gsl_matrix *Z)
{
    gsl_matrix *A = NULL;
    assert_status(condense_A_alloc(Z, &A), CONDENSE_OK);
    const size_t Na = Z->size1, NW = Z->size2, N = NW + Na;
    assert_int_equal(A->size1, N);
    assert_int_equal(A->size2, N);
    for (size_t i = 0; i < N; ++i)
        for (size_t j = 0; j < N; ++j) {
            const double a = gsl_matrix_get(A, i, j);
            double want;
            if (i < NW && j < NW)
                want = 0.0; /* 0_{N_W x N_W} */
            else if (i < NW)
                want = gsl_matrix_get(Z, j - NW, i); /* Z^T */
            else if (j < NW)
                want = gsl_matrix_get(Z, i - NW, j); /* Z */
            else
                want = 0.0; /* 0_{N_a x N_a} */
            if (a != want) fail_msg("A_{%zu,%zu} = %.17g, expected %.17g", i, j, a, want);
            if (a != gsl_matrix_get(A, j, i)) fail_msg("A is not symmetric at (%zu,%zu)", i, j);
        }
    gsl_matrix_free(A);
}

static void test_A_blocks(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 10);
    /* Z from data (tall: 5 x 3 x 2 input, m = 2 -> 8 x 9, wide) and random Z of both shapes */
    condense_data *d = random_data(3, 5, 3, 2, r);
    gsl_matrix *Z = NULL;
    assert_status(condense_Z_alloc(d, 2, &Z), CONDENSE_OK);
    check_A_blocks(Z);
    gsl_matrix_free(Z);
    assert_status(condense_Z_alloc(d, 1, &Z), CONDENSE_OK); /* 15 x 3 */
    check_A_blocks(Z);
    gsl_matrix_free(Z);
    condense_data_free(d);
    static const size_t shapes[][2] = {{7, 3}, {2, 9}, {1, 1}};
    for (size_t c = 0; c < 3; ++c) {
        Z = gsl_matrix_alloc(shapes[c][0], shapes[c][1]);
        for (size_t i = 0; i < Z->size1 * Z->size2; ++i)
            Z->data[i] = gsl_rng_uniform(r) - 0.5;
        check_A_blocks(Z);
        gsl_matrix_free(Z);
    }
    gsl_rng_free(r);
}

/* ---- d theta_beta / dt = A theta_beta, eq. (32)/(67) ---------------------------------------- */

static condense_cnn *random_net(size_t W0, size_t H0, size_t C0, size_t m, size_t M, gsl_rng *r)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = 1;
    s.W0 = W0;
    s.H0 = H0;
    s.C0 = C0;
    s.C[1] = M;
    s.m[1] = m;
    condense_activation act = {&condense_act_tanh, 1.0};
    condense_cnn *net = NULL;
    assert_status(condense_cnn_alloc(&s, act, &net), CONDENSE_OK);
    double *theta = malloc(condense_cnn_nparams(net) * sizeof(double));
    assert_non_null(theta);
    for (size_t k = 0; k < condense_cnn_nparams(net); ++k)
        theta[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    condense_cnn_unpack(net, theta);
    free(theta);
    return net;
}

/* The right-hand side of eq. (67) for kernel beta, in the paper's index form, written into the
 * kernel-beta parameters of `rhs` (a network of the same shape); `tol` (same shape) receives
 * for each entry 2 (N + n + 1) eps sum |coefficient| |z|_abs, where N is the number of terms:
 * the rounding of this sum, of A theta's sum, and of the z's inside Z.  `transposed` uses
 * z_{u+q,v+p,alpha} in the W equation (a plausible mistake, to show the check can fail). */
static void rhs_67(const condense_cnn *net, const condense_data *d, size_t beta, condense_cnn *rhs,
                   condense_cnn *tol, int transposed)
{
    const size_t m = net->m[1], W1 = net->W[1], H1 = net->H[1], C0 = net->C[0];
    double z_abs;
    const double z = my_z(d, &z_abs);
    /* dW_{p,q,alpha,beta}/dt = sum_{u,v} a_{u,v,beta} z_{u+p,v+q,alpha} */
    for (size_t alpha = 1; alpha <= C0; ++alpha)
        for (size_t p = 0; p < m; ++p)
            for (size_t q = 0; q < m; ++q) {
                double sum = 0.0, bound = 0.0;
                for (size_t u = 1; u <= W1; ++u)
                    for (size_t v = 1; v <= H1; ++v) {
                        double abs;
                        const double zz = transposed ? my_z_st(d, u + q, v + p, alpha, &abs)
                                                     : my_z_st(d, u + p, v + q, alpha, &abs);
                        sum += *condense_a(net, u, v, beta) * zz;
                        bound += fabs(*condense_a(net, u, v, beta)) * abs;
                    }
                *condense_W(rhs, 1, p, q, alpha, beta) = sum;
                *condense_W(tol, 1, p, q, alpha, beta) =
                    2.0 * (double)(W1 * H1 + d->n + 1) * EPS * bound;
            }
    /* db_beta/dt = sum_{u,v} a_{u,v,beta} z */
    double sum = 0.0, bound = 0.0;
    for (size_t u = 1; u <= W1; ++u)
        for (size_t v = 1; v <= H1; ++v) {
            sum += *condense_a(net, u, v, beta) * z;
            bound += fabs(*condense_a(net, u, v, beta)) * z_abs;
        }
    *condense_b(rhs, 1, beta) = sum;
    *condense_b(tol, 1, beta) = 2.0 * (double)(W1 * H1 + d->n + 1) * EPS * bound;
    /* da_{u,v,beta}/dt = sum_alpha sum_{p,q} z_{u+p,v+q,alpha} W_{p,q,alpha,beta} + b_beta z */
    for (size_t u = 1; u <= W1; ++u)
        for (size_t v = 1; v <= H1; ++v) {
            double s = 0.0, bd = 0.0;
            for (size_t alpha = 1; alpha <= C0; ++alpha)
                for (size_t p = 0; p < m; ++p)
                    for (size_t q = 0; q < m; ++q) {
                        double abs;
                        const double zz = my_z_st(d, u + p, v + q, alpha, &abs);
                        s += zz * *condense_W(net, 1, p, q, alpha, beta);
                        bd += abs * fabs(*condense_W(net, 1, p, q, alpha, beta));
                    }
            s += *condense_b(net, 1, beta) * z;
            bd += fabs(*condense_b(net, 1, beta)) * z_abs;
            *condense_a(rhs, u, v, beta) = s;
            *condense_a(tol, u, v, beta) = 2.0 * (double)(C0 * m * m + 1 + d->n + 1) * EPS * bd;
        }
}

/* Largest |(A theta_beta)_k - rhs_k| / tol_k over k (tol_k > 0 always: random data). */
static double dynamics_mismatch(const gsl_matrix *A, const condense_cnn *net,
                                const condense_cnn *rhs, const condense_cnn *tol, size_t beta)
{
    const size_t N = condense_theta_beta_size(net);
    gsl_vector *theta = gsl_vector_alloc(N), *Atheta = gsl_vector_alloc(N);
    gsl_vector *want = gsl_vector_alloc(N), *tv = gsl_vector_alloc(N);
    assert_status(condense_theta_beta_pack(net, beta, theta->data), CONDENSE_OK);
    assert_status(condense_theta_beta_pack(rhs, beta, want->data), CONDENSE_OK);
    assert_status(condense_theta_beta_pack(tol, beta, tv->data), CONDENSE_OK);
    assert_int_equal(gsl_blas_dgemv(CblasNoTrans, 1.0, A, theta, 0.0, Atheta), 0);
    double worst = 0.0;
    for (size_t k = 0; k < N; ++k)
        worst = fmax(worst, fabs(gsl_vector_get(Atheta, k) - gsl_vector_get(want, k)) /
                                gsl_vector_get(tv, k));
    gsl_vector_free(theta);
    gsl_vector_free(Atheta);
    gsl_vector_free(want);
    gsl_vector_free(tv);
    return worst;
}

static void test_A_dynamics(void **state)
{
    (void)state;
    static const size_t cases[][4] = {/* W0, H0, C0, m */
                                      {6, 5, 1, 1}, {6, 5, 1, 2}, {5, 7, 1, 3}, {6, 5, 3, 2},
                                      {4, 6, 3, 3}, {5, 4, 3, 4}, {4, 4, 2, 4}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 67);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        const size_t W0 = cases[c][0], H0 = cases[c][1], C0 = cases[c][2], m = cases[c][3];
        const size_t M = 3;
        condense_data *d = random_data(5, W0, H0, C0, r);
        condense_cnn *net = random_net(W0, H0, C0, m, M, r);
        condense_cnn *rhs = NULL, *tol = NULL;
        assert_status(condense_cnn_clone(net, 0, &rhs), CONDENSE_OK);
        assert_status(condense_cnn_clone(net, 0, &tol), CONDENSE_OK);
        gsl_matrix *Z = NULL, *A = NULL;
        assert_status(condense_Z_alloc(d, m, &Z), CONDENSE_OK);
        assert_status(condense_A_alloc(Z, &A), CONDENSE_OK);
        for (size_t beta = 1; beta <= M; ++beta) {
            rhs_67(net, d, beta, rhs, tol, 0);
            const double worst = dynamics_mismatch(A, net, rhs, tol, beta);
            if (worst > 1.0)
                fail_msg("W0 x H0 x C0 = %zu x %zu x %zu, m = %zu, beta = %zu: A theta_beta "
                         "differs from eq. (67) by %.3g x tolerance",
                         W0, H0, C0, m, beta, worst);
            if (m >= 2 && beta == 1) {
                /* not vacuous: eq. (67) with the filter offsets swapped is rejected */
                rhs_67(net, d, beta, rhs, tol, 1);
                assert_true(dynamics_mismatch(A, net, rhs, tol, beta) > 1e6);
            }
        }
        gsl_matrix_free(A);
        gsl_matrix_free(Z);
        condense_cnn_free(tol);
        condense_cnn_free(rhs);
        condense_cnn_free(net);
        condense_data_free(d);
    }
    gsl_rng_free(r);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void test_z_errors(void **state)
{
    (void)state;
    condense_data *d = NULL;
    assert_status(condense_data_alloc(2, 3, 4, 2, &d), CONDENSE_OK);
    double z_st[24], z = SENTINEL;
    for (size_t k = 0; k < 24; ++k)
        z_st[k] = SENTINEL;

    assert_fails(condense_z(NULL, z_st, &z), CONDENSE_EINVAL);
    assert_fails(condense_z(d, NULL, &z), CONDENSE_EINVAL);
    assert_fails(condense_z(d, z_st, NULL), CONDENSE_EINVAL);

    /* a hand-made set with n = 0: (1/n) undefined */
    condense_data empty = *d;
    empty.n = 0;
    assert_fails(condense_z(&empty, z_st, &z), CONDENSE_ESIZE);

    /* non-finite input (last entry) and label: CONDENSE_EDOM, outputs untouched */
    d->x[2 * 3 * 4 * 2 - 1] = NAN;
    assert_fails(condense_z(d, z_st, &z), CONDENSE_EDOM);
    d->x[2 * 3 * 4 * 2 - 1] = 0.0;
    d->y[1] = INFINITY;
    assert_fails(condense_z(d, z_st, &z), CONDENSE_EDOM);
    for (size_t k = 0; k < 24; ++k)
        assert_true(z_st[k] == SENTINEL);
    assert_true(z == SENTINEL);
    condense_data_free(d);
}

static void test_Z_errors(void **state)
{
    (void)state;
    condense_data *d = NULL;
    assert_status(condense_data_alloc(2, 3, 5, 2, &d), CONDENSE_OK); /* W_0 = 3 < H_0 = 5 */
    condense_data *e = NULL;
    assert_status(condense_data_alloc(2, 5, 3, 1, &e), CONDENSE_OK); /* H_0 = 3 < W_0 = 5 */
    gsl_matrix marker;
    gsl_matrix *Z = &marker;

    assert_fails(condense_Z_alloc(NULL, 1, &Z), CONDENSE_EINVAL);
    assert_fails(condense_Z_alloc(d, 1, NULL), CONDENSE_EINVAL);
    assert_fails(condense_Z_alloc(d, 0, &Z), CONDENSE_ESIZE);
    assert_fails(condense_Z_alloc(d, 4, &Z), CONDENSE_ESIZE); /* m > W_0 */
    assert_fails(condense_Z_alloc(e, 4, &Z), CONDENSE_ESIZE); /* m > H_0 although m <= W_0 */
    assert_fails(condense_Z_alloc(e, SIZE_MAX, &Z), CONDENSE_ESIZE);
    d->x[7] = -INFINITY;
    assert_fails(condense_Z_alloc(d, 2, &Z), CONDENSE_EDOM);
    d->x[7] = 0.0;
    e->y[0] = NAN;
    assert_fails(condense_Z_alloc(e, 3, &Z), CONDENSE_EDOM);
    /* a hand-made set with n = 0 reaches condense_z's check through Z_alloc */
    condense_data empty = *d;
    empty.n = 0;
    assert_fails(condense_Z_alloc(&empty, 1, &Z), CONDENSE_ESIZE);
    assert_true(Z == &marker); /* *Z untouched by every failure */

    /* the boundary m = min(W_0, H_0) is accepted: 1 x 3 (resp. 3 x 1) rows */
    assert_status(condense_Z_alloc(d, 3, &Z), CONDENSE_OK);
    assert_int_equal(Z->size1, 3);
    assert_int_equal(Z->size2, 2 * 9 + 1);
    gsl_matrix_free(Z);
    condense_data_free(d);
    condense_data_free(e);
}

static void test_A_errors(void **state)
{
    (void)state;
    gsl_matrix *Z = gsl_matrix_calloc(2, 3);
    gsl_matrix marker;
    gsl_matrix *A = &marker;
    assert_fails(condense_A_alloc(NULL, &A), CONDENSE_EINVAL);
    assert_fails(condense_A_alloc(Z, NULL), CONDENSE_EINVAL);
    /* hand-made headers (never dereferenced: rejected on their sizes) */
    gsl_matrix empty = {0, 3, 3, NULL, NULL, 0};
    assert_fails(condense_A_alloc(&empty, &A), CONDENSE_ESIZE);
    gsl_matrix empty2 = {3, 0, 0, NULL, NULL, 0};
    assert_fails(condense_A_alloc(&empty2, &A), CONDENSE_ESIZE);
    gsl_matrix huge = {SIZE_MAX / 16, 4, 4, NULL, NULL, 0}; /* (N_W + N_a)^2 * 8 overflows */
    assert_fails(condense_A_alloc(&huge, &A), CONDENSE_ESIZE);
    gsl_matrix wrap = {SIZE_MAX, 4, 4, NULL, NULL, 0}; /* N_W + N_a itself wraps around */
    assert_fails(condense_A_alloc(&wrap, &A), CONDENSE_ESIZE);
    assert_true(A == &marker);
    gsl_matrix_free(Z);
}

int main(void)
{
    condense_gsl_quiet();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_z_random),      cmocka_unit_test(test_z_literal),
        cmocka_unit_test(test_Z_one_channel), cmocka_unit_test(test_Z_three_channels),
        cmocka_unit_test(test_Z_literal),     cmocka_unit_test(test_A_blocks),
        cmocka_unit_test(test_A_dynamics),    cmocka_unit_test(test_z_errors),
        cmocka_unit_test(test_Z_errors),      cmocka_unit_test(test_A_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
