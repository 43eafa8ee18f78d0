/* test_fast.c -- the fast path (fast.h: im2col, CBLAS, OpenMP across samples) against the
 * direct reference (forward.c, backward.c, risk.c) for the risk of eq. (1), the errors e_i and
 * the GD field of eq. (23).
 *
 * Independence.  The direct path is a different algorithm: scalar sums over every offset,
 * filtered by chi, exactly as eq. (2) and (21) are printed (and checked in test_forward.c
 * against a brute-force pass and in test_gradient.c against finite differences).  The fast
 * path gathers patches, multiplies matrices and scatters back (col2im).  Agreement on every
 * shape the other tests cover -- L = 1, 2, 3, C_0 = 1 and 3, non-square inputs, m_l = 1..4
 * including m_l = W_{l-1} and 1x1 outputs -- and all built-in activations checks the gathering
 * order, the transposes, the overlap sums of col2im and the per-thread accumulation.
 *
 * Tolerance REL_TOL = 1e-12, relative to the 2-norm of the direct result (each of R_S, e, every
 * block W^[l], b^[l], a of the field, and x^[l], z^[l] left in the workspace, separately).  Both
 * paths evaluate the same finite sums of the same products; only the order of the additions
 * differs (BLAS loop order, thread blocks, the reference's loops).  A sum of k terms computed
 * in any order errs by at most (k - 1) u sum|terms| (u = 2^-53 = 1.1e-16; Higham, Accuracy
 * and Stability of Numerical Algorithms, eq. 4.4), and by about sqrt(k) u sum|terms| in
 * practice, the roundings behaving like independent random signs (Higham Sec. 2.8).  The
 * longest sums here have k <= C_{l-1} m^2 <= 48 terms per output of a layer and W_l H_l n <=
 * 42 x 7 ~ 300 per field entry (676 x 4 ~ 2700 in the MNIST-sized case): sqrt(k) u <= 6e-15.
 * Relative to the result this is multiplied by the condition number kappa = sum|terms| /
 * |result| of the quantity, propagated through at most three layers of O(1) slopes.  kappa
 * is O(1) for f, x^[l], z^[l] with O(1) random inputs and parameters, and larger where the
 * result cancels: e_i = f_i - y_i when f_i happens to lie near y_i (and with it R_S and, for
 * n = 1, the whole field, which is proportional to e_1), and the bias gradient, a sum of z's
 * of both signs.  So expect ~1e-15 typically and ~1e-13 where kappa ~ 10 - 100.  Seen: at
 * most 4.9e-14 (R_S of an x2tanh instance with n = 1 and |e_1| small against |f_1|; next, b^[1]
 * of an identity instance), printed at the end of test_agree: a margin of 20 below 1e-12.
 * The check is not vacuous: a change of 1e-9 in one parameter moves dW^[1] by ~5e-10 relative,
 * 500 times the tolerance, and is rejected (test_sensitivity).
 * ABS_FLOOR: when every term of a direct result is exactly 0 (possible for ReLU), so is every
 * term of the fast one and both results are exactly 0; the floor only keeps the relative
 * measure defined, and is far below every nonzero result here.
 *
 * Threads.  With OpenMP the fast results are computed with 1 and with 2 threads: each must meet
 * the direct result, the two must agree to REL_TOL (the same sums, split into other blocks),
 * and a repeated call with the same thread count must give bitwise the same numbers
 * (fast.h: reproducible for a fixed count, the accumulators added in thread order).
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/error.h"
#include "condense/fast.h"
#include "fast_internal.h"

#define REL_TOL 1e-12
#define ABS_FLOOR 1e-290

/* ---- instances ----------------------------------------------------------------------------- */

typedef struct config {
    size_t L, W0, H0, C0, C[3], m[3];
} config;

/* The shapes of test_gradient.c and test_forward.c. */
static const config configs[] = {
    {1, 5, 4, 1, {2}, {2}},
    {1, 4, 5, 3, {2}, {3}},
    {2, 6, 5, 1, {2, 2}, {3, 2}},
    {2, 5, 6, 3, {2, 3}, {2, 3}},
    {2, 4, 5, 1, {2, 1}, {2, 3}}, /* 3x4, then m_2 = W_1 = 3: 1x2 */
    {3, 7, 6, 1, {2, 2, 2}, {2, 3, 2}},
    {3, 6, 7, 3, {2, 2, 1}, {3, 2, 2}},
    {1, 5, 7, 1, {2}, {3}},             /* 3x5 output */
    {1, 4, 4, 3, {2}, {4}},             /* m = W_0 = H_0: 1x1 output */
    {1, 3, 6, 3, {1}, {3}},             /* m = W_0 < H_0: 1x4 output */
    {1, 6, 5, 1, {3}, {1}},             /* m = 1 */
    {2, 6, 8, 1, {3, 2}, {2, 3}},       /* 5x7 then 3x5 */
    {2, 5, 7, 3, {2, 2}, {3, 3}},       /* 3x5, then m_2 = W_1: 1x3 */
    {2, 5, 5, 3, {2, 3}, {2, 4}},       /* 4x4, then m_2 = W_1 = H_1: 1x1 */
    {2, 4, 4, 1, {2, 2}, {4, 1}},       /* 1x1 after layer 1, m_2 = 1 */
    {3, 8, 9, 3, {2, 3, 2}, {3, 2, 4}}, /* 6x7, 5x6, 2x3 */
    {3, 6, 5, 1, {1, 2, 1}, {1, 2, 4}}, /* 6x5, 5x4, 2x1 */
    {3, 7, 6, 3, {2, 2, 3}, {2, 3, 3}}, /* 6x5, 4x3, 2x1 */
    {3, 5, 5, 3, {3, 2, 2}, {2, 2, 3}}, /* 4x4, 3x3, then m_3 = W_2 = H_2: 1x1 */
};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

static const char *const act_names[] = {"tanh",   "silu",    "silu2", "xtanh",
                                        "x2tanh", "sigmoid", "relu",  "identity"};
#define N_ACTS (sizeof act_names / sizeof act_names[0])

static condense_cnn_shape shape_of(const config *c)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = c->L;
    s.W0 = c->W0;
    s.H0 = c->H0;
    s.C0 = c->C0;
    for (size_t l = 1; l <= c->L; ++l) {
        s.C[l] = c->C[l - 1];
        s.m[l] = c->m[l - 1];
    }
    return s;
}

typedef struct fixture {
    condense_cnn *net;
    condense_data *data;
    condense_workspace *ws_direct, *ws_fast;
    condense_cnn *g_direct, *g_fast;
} fixture;

static void check_ok(int status, const char *what)
{
    if (status != CONDENSE_OK) fail_msg("%s: status %d (%s)", what, status, condense_errmsg());
}

/* Parameters N(0, 0.5^2), pixels and labels uniform in [-1, 1], as in test_gradient.c. */
static void fill_random(condense_cnn *net, condense_data *data, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, seed);
    for (size_t l = 1; l <= net->L; ++l) {
        for (size_t k = 0; k < condense_cnn_W_size(net, l); ++k)
            net->kernel[l][k] = gsl_ran_gaussian(r, 0.5);
        for (size_t k = 0; k < condense_cnn_b_size(net, l); ++k)
            net->bias[l][k] = gsl_ran_gaussian(r, 0.5);
    }
    for (size_t k = 0; k < condense_cnn_a_size(net); ++k)
        net->a[k] = gsl_ran_gaussian(r, 0.5);
    for (size_t k = 0; k < data->n * data->W0 * data->H0 * data->C0; ++k)
        data->x[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (size_t k = 0; k < data->n; ++k)
        data->y[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    gsl_rng_free(r);
}

/* The fast workspace's buffers are made for `threads` threads (1 without OpenMP). */
static void fixture_init(fixture *fx, const condense_cnn_shape *s, const char *act_name, size_t n,
                         unsigned long seed, int threads)
{
    memset(fx, 0, sizeof *fx);
    condense_activation act;
    check_ok(condense_activation_lookup(act_name, 0, &act), "activation_lookup");
    check_ok(condense_cnn_alloc(s, act, &fx->net), "cnn_alloc");
    check_ok(condense_data_alloc(n, s->W0, s->H0, s->C0, &fx->data), "data_alloc");
    check_ok(condense_workspace_alloc(fx->net, &fx->ws_direct), "workspace_alloc");
    check_ok(condense_workspace_alloc(fx->net, &fx->ws_fast), "workspace_alloc");
    check_ok(condense_cnn_clone(fx->net, 0, &fx->g_direct), "clone");
    check_ok(condense_cnn_clone(fx->net, 0, &fx->g_fast), "clone");
    fill_random(fx->net, fx->data, seed);
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    check_ok(condense_workspace_set_path(fx->ws_fast, fx->net, CONDENSE_PATH_FAST), "set_path");
}

static void fixture_free(fixture *fx)
{
    condense_cnn_free(fx->g_fast);
    condense_cnn_free(fx->g_direct);
    condense_workspace_free(fx->ws_fast);
    condense_workspace_free(fx->ws_direct);
    condense_data_free(fx->data);
    condense_cnn_free(fx->net);
}

/* ---- comparisons --------------------------------------------------------------------------- */

static double max_rel_seen = 0.0;    /* largest fast-vs-direct difference, relative */
static double max_rel_threads = 0.0; /* largest 1-thread-vs-2-thread difference, relative */

/* |got - ref|_2 / max(|ref|_2, ABS_FLOOR), the measure of the tolerance above; both vectors are
 * scaled by their largest entry first, so that results of size 1e200 (test_nonfinite) do not
 * overflow the squares. */
static double rel_diff(const double *got, const double *ref, size_t count)
{
    double s = 0.0;
    for (size_t k = 0; k < count; ++k)
        s = fmax(s, fmax(fabs(got[k]), fabs(ref[k])));
    if (s == 0.0) return 0.0;
    double d2 = 0.0, r2 = 0.0;
    for (size_t k = 0; k < count; ++k) {
        const double d = got[k] / s - ref[k] / s;
        d2 += d * d;
        r2 += (ref[k] / s) * (ref[k] / s);
    }
    return sqrt(d2) / fmax(sqrt(r2), ABS_FLOOR / s);
}

static int close_enough(const double *got, const double *ref, size_t count)
{
    return rel_diff(got, ref, count) <= REL_TOL; /* false for NaN too */
}

static void expect_close(const char *what, const char *ctx, const double *got, const double *ref,
                         size_t count, double *max_seen)
{
    const double rel = rel_diff(got, ref, count);
    if (!(rel <= REL_TOL))
        fail_msg("%s (%s): relative difference %.3g > %.0e", what, ctx, rel, REL_TOL);
    if (rel > *max_seen) *max_seen = rel;
}

/* Every block of theta separately (a small block is not hidden by a large one), and x^[l],
 * z^[l] of the last sample left in the workspaces. */
static void expect_close_nets(const char *ctx, const condense_cnn *got, const condense_cnn *ref,
                              double *max_seen)
{
    for (size_t l = 1; l <= ref->L; ++l) {
        expect_close("dW", ctx, got->kernel[l], ref->kernel[l], condense_cnn_W_size(ref, l),
                     max_seen);
        expect_close("db", ctx, got->bias[l], ref->bias[l], condense_cnn_b_size(ref, l), max_seen);
    }
    expect_close("da", ctx, got->a, ref->a, condense_cnn_a_size(ref), max_seen);
}

static void expect_close_ws(const char *ctx, const condense_workspace *got,
                            const condense_workspace *ref, int with_z)
{
    for (size_t l = 1; l <= ref->L; ++l) {
        const size_t size = ref->W[l] * ref->H[l] * ref->C[l];
        expect_close("ws x^[l]", ctx, got->x[l], ref->x[l], size, &max_rel_seen);
        if (with_z) expect_close("ws z^[l]", ctx, got->z[l], ref->z[l], size, &max_rel_seen);
    }
}

static int nets_equal_bitwise(const condense_cnn *x, const condense_cnn *y)
{
    for (size_t l = 1; l <= x->L; ++l)
        if (memcmp(x->kernel[l], y->kernel[l], condense_cnn_W_size(x, l) * sizeof(double)) ||
            memcmp(x->bias[l], y->bias[l], condense_cnn_b_size(x, l) * sizeof(double)))
            return 0;
    return memcmp(x->a, y->a, condense_cnn_a_size(x) * sizeof(double)) == 0;
}

/* ---- agreement on every shape and activation ----------------------------------------------- */

#ifdef _OPENMP
static const int thread_counts[] = {1, 2};
#else
static const int thread_counts[] = {1};
#endif
#define N_COUNTS (sizeof thread_counts / sizeof thread_counts[0])

/* One instance: direct once; fast with each thread count (buffers made for the largest). */
static void compare_instance(fixture *fx, const char *ctx)
{
    const size_t n = fx->data->n;
    double R_d, R_d2, e_d[8], R_f[N_COUNTS], R_f2[N_COUNTS], e_f[N_COUNTS][8];
    condense_cnn *g_f[N_COUNTS] = {NULL};
    check_ok(condense_risk(fx->net, fx->data, fx->ws_direct, &R_d, e_d), "direct risk");
    check_ok(condense_gd_field(fx->net, fx->data, fx->ws_direct, fx->g_direct, &R_d2),
             "direct gd_field");
    for (size_t c = 0; c < N_COUNTS; ++c) {
#ifdef _OPENMP
        omp_set_num_threads(thread_counts[c]);
#endif
        check_ok(condense_cnn_clone(fx->net, 0, &g_f[c]), "clone");
        check_ok(condense_fast_risk(fx->net, fx->data, fx->ws_fast, &R_f[c], e_f[c]), "fast risk");
        expect_close("R_S", ctx, &R_f[c], &R_d, 1, &max_rel_seen);
        expect_close("e", ctx, e_f[c], e_d, n, &max_rel_seen);
        check_ok(condense_fast_gd_field(fx->net, fx->data, fx->ws_fast, g_f[c], &R_f2[c]),
                 "fast gd_field");
        expect_close("R_S of gd_field", ctx, &R_f2[c], &R_d2, 1, &max_rel_seen);
        expect_close_nets(ctx, g_f[c], fx->g_direct, &max_rel_seen);
        expect_close_ws(ctx, fx->ws_fast, fx->ws_direct, 1);

        /* the same thread count again: bitwise the same numbers */
        double R_again, e_again[8];
        check_ok(condense_fast_risk(fx->net, fx->data, fx->ws_fast, &R_again, e_again), "again");
        assert_memory_equal(&R_again, &R_f[c], sizeof R_again);
        assert_memory_equal(e_again, e_f[c], n * sizeof(double));
        check_ok(condense_fast_gd_field(fx->net, fx->data, fx->ws_fast, fx->g_fast, &R_again),
                 "again");
        assert_true(nets_equal_bitwise(fx->g_fast, g_f[c]));
        assert_memory_equal(&R_again, &R_f2[c], sizeof R_again);
    }
    for (size_t c = 1; c < N_COUNTS; ++c) {
        expect_close("R_S threads", ctx, &R_f[c], &R_f[0], 1, &max_rel_threads);
        expect_close("e threads", ctx, e_f[c], e_f[0], n, &max_rel_threads);
        expect_close_nets(ctx, g_f[c], g_f[0], &max_rel_threads);
    }
    /* the dispatch of condense_risk / condense_gd_field: exactly the fast functions */
    double R_disp, e_disp[8];
    check_ok(condense_risk(fx->net, fx->data, fx->ws_fast, &R_disp, e_disp), "dispatch risk");
    assert_memory_equal(&R_disp, &R_f[N_COUNTS - 1], sizeof R_disp);
    assert_memory_equal(e_disp, e_f[N_COUNTS - 1], n * sizeof(double));
    check_ok(condense_gd_field(fx->net, fx->data, fx->ws_fast, fx->g_fast, NULL), "dispatch gd");
    assert_true(nets_equal_bitwise(fx->g_fast, g_f[N_COUNTS - 1]));
    for (size_t c = 0; c < N_COUNTS; ++c)
        condense_cnn_free(g_f[c]);
}

static void test_agree(void **state)
{
    (void)state;
    size_t instances = 0;
    for (size_t c = 0; c < N_CONFIGS; ++c)
        for (size_t a = 0; a < N_ACTS; ++a) {
            const size_t n = 1 + (c + a) % 7; /* every n = 1..7 occurs for every shape */
            const condense_cnn_shape s = shape_of(&configs[c]);
            fixture fx;
            fixture_init(&fx, &s, act_names[a], n, 7000UL + 31UL * c + a,
                         thread_counts[N_COUNTS - 1]);
            char ctx[96];
            snprintf(ctx, sizeof ctx, "config %zu, %s, n = %zu", c, act_names[a], n);
            compare_instance(&fx, ctx);
            fixture_free(&fx);
            ++instances;
        }
    printf("# %zu instances; largest fast-vs-direct relative difference %.2e, largest "
           "1-vs-2-thread difference %.2e (tolerance %.0e)\n",
           instances, max_rel_seen, max_rel_threads, REL_TOL);
}

/* The MNIST shape of the paper's experiments (28x28, L = 1, M = 32, m = 3), n = 4. */
static void test_mnist_smoke(void **state)
{
    (void)state;
    const config c = {1, 28, 28, 1, {32}, {3}};
    const condense_cnn_shape s = shape_of(&c);
    fixture fx;
    fixture_init(&fx, &s, "tanh", 4, 2828UL, thread_counts[N_COUNTS - 1]);
    compare_instance(&fx, "MNIST 28x28, M = 32");
    /* the fused L = 1 step by blocks of rows: one block above (676 rows <= 32768 / 32); here
     * 100 rows (six blocks and a partial one) and single rows */
    condense_fast_buffers_set_block(fx.ws_fast->fast, 100);
    compare_instance(&fx, "MNIST 28x28, M = 32, blocks of 100 rows");
    condense_fast_buffers_set_block(fx.ws_fast->fast, 1);
    compare_instance(&fx, "MNIST 28x28, M = 32, blocks of 1 row");
    condense_fast_buffers_set_block(fx.ws_fast->fast, 0);
    condense_fast_buffers_set_block(NULL, 3); /* ignored */
    fixture_free(&fx);
}

/* The tolerance rejects a real difference: one kernel entry changed by 1e-9 (relative) moves
 * the field by ~1e-10 relative, which close_enough must reject, while the unchanged instance
 * passes. */
static void test_sensitivity(void **state)
{
    (void)state;
    const condense_cnn_shape s = shape_of(&configs[5]); /* L = 3 */
    fixture fx;
    fixture_init(&fx, &s, "tanh", 3, 4242UL, 1);
    check_ok(condense_gd_field(fx.net, fx.data, fx.ws_direct, fx.g_direct, NULL), "direct");
    check_ok(condense_fast_gd_field(fx.net, fx.data, fx.ws_fast, fx.g_fast, NULL), "fast");
    assert_true(
        close_enough(fx.g_fast->kernel[1], fx.g_direct->kernel[1], condense_cnn_W_size(fx.net, 1)));
    fx.net->kernel[1][0] *= 1.0 + 1e-9;
    check_ok(condense_fast_gd_field(fx.net, fx.data, fx.ws_fast, fx.g_fast, NULL), "fast");
    const double rel =
        rel_diff(fx.g_fast->kernel[1], fx.g_direct->kernel[1], condense_cnn_W_size(fx.net, 1));
    printf("# a 1e-9 change of W^[1] entry 0 moves dW^[1] by %.2e relative\n", rel);
    assert_false(
        close_enough(fx.g_fast->kernel[1], fx.g_direct->kernel[1], condense_cnn_W_size(fx.net, 1)));
    fixture_free(&fx);
}

/* ---- paths, names and selection ------------------------------------------------------------ */

static void expect_status(int got, int want, const char *what)
{
    if (got != want)
        fail_msg("%s: status %d, expected %d (message: '%s')", what, got, want, condense_errmsg());
    if (want != CONDENSE_OK && condense_errmsg()[0] == '\0')
        fail_msg("%s: status %d but condense_errmsg() is empty", what, got);
}

#define EXPECT_STATUS(call, want)                                                                  \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        expect_status((call), (want), #call);                                                      \
    } while (0)

static void test_names(void **state)
{
    (void)state;
    condense_path p = CONDENSE_PATH_FAST;
    EXPECT_STATUS(condense_path_from_name("direct", &p), CONDENSE_OK);
    assert_int_equal(p, CONDENSE_PATH_DIRECT);
    EXPECT_STATUS(condense_path_from_name("fast", &p), CONDENSE_OK);
    assert_int_equal(p, CONDENSE_PATH_FAST);
    assert_string_equal(condense_path_name(CONDENSE_PATH_DIRECT), "direct");
    assert_string_equal(condense_path_name(CONDENSE_PATH_FAST), "fast");
    assert_null(condense_path_name((condense_path)2));
    /* round trip */
    const condense_path both[] = {CONDENSE_PATH_DIRECT, CONDENSE_PATH_FAST};
    for (size_t k = 0; k < 2; ++k) {
        EXPECT_STATUS(condense_path_from_name(condense_path_name(both[k]), &p), CONDENSE_OK);
        assert_int_equal(p, both[k]);
    }
    /* failures leave *path untouched */
    const char *const bad[] = {"Fast", "", "direct ", "fastest", "im2col"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        p = CONDENSE_PATH_FAST;
        EXPECT_STATUS(condense_path_from_name(bad[k], &p), CONDENSE_EINVAL);
        assert_int_equal(p, CONDENSE_PATH_FAST);
    }
    EXPECT_STATUS(condense_path_from_name(NULL, &p), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_path_from_name("fast", NULL), CONDENSE_EINVAL);
}

static void test_set_path(void **state)
{
    (void)state;
    const condense_cnn_shape s = shape_of(&configs[3]);
    fixture fx;
    fixture_init(&fx, &s, "silu", 4, 99UL, 1);
    condense_workspace *ws = fx.ws_direct;
    assert_int_equal(ws->path, CONDENSE_PATH_DIRECT); /* after alloc */
    assert_null(ws->fast);

    /* errors: nothing changes */
    const config other_c = {2, 5, 6, 3, {3, 3}, {2, 3}}; /* other C_1 */
    const condense_cnn_shape os = shape_of(&other_c);
    condense_cnn *other = NULL;
    check_ok(condense_cnn_alloc(&os, fx.net->sigma, &other), "alloc");
    EXPECT_STATUS(condense_workspace_set_path(NULL, fx.net, CONDENSE_PATH_FAST), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_workspace_set_path(ws, NULL, CONDENSE_PATH_FAST), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_workspace_set_path(ws, other, CONDENSE_PATH_FAST), CONDENSE_ESIZE);
    EXPECT_STATUS(condense_workspace_set_path(ws, fx.net, (condense_path)2), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_workspace_set_path(ws, fx.net, (condense_path)-1), CONDENSE_EINVAL);
    assert_int_equal(ws->path, CONDENSE_PATH_DIRECT);
    assert_null(ws->fast);
    /* a FAST workspace stays FAST, with the same buffers, after a failed selection */
    const struct condense_fast_buffers *fb = fx.ws_fast->fast;
    assert_non_null(fb);
    EXPECT_STATUS(condense_workspace_set_path(fx.ws_fast, other, CONDENSE_PATH_DIRECT),
                  CONDENSE_ESIZE);
    assert_int_equal(fx.ws_fast->path, CONDENSE_PATH_FAST);
    assert_ptr_equal(fx.ws_fast->fast, fb);
    condense_cnn_free(other);

    /* the fast functions refuse a workspace without the fast path selected: outputs untouched */
    double R = -7.0, e[4] = {-7.0, -7.0, -7.0, -7.0};
    condense_cnn_zero(fx.g_fast);
    fx.g_fast->a[0] = -7.0;
    EXPECT_STATUS(condense_fast_risk(fx.net, fx.data, ws, &R, e), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_fast_gd_field(fx.net, fx.data, ws, fx.g_fast, &R), CONDENSE_EINVAL);
    assert_true(R == -7.0 && e[0] == -7.0 && e[3] == -7.0 && fx.g_fast->a[0] == -7.0);

    /* DIRECT on a fresh workspace allocates nothing */
    EXPECT_STATUS(condense_workspace_set_path(ws, fx.net, CONDENSE_PATH_DIRECT), CONDENSE_OK);
    assert_null(ws->fast);

    /* FAST, then back to DIRECT: the direct code again (bitwise the direct numbers of a
     * workspace that never saw the fast path), buffers kept; the fast functions refuse it */
    double R_ref, e_ref[4], R_back, e_back[4];
    condense_workspace *plain = NULL;
    check_ok(condense_workspace_alloc(fx.net, &plain), "alloc");
    check_ok(condense_risk(fx.net, fx.data, plain, &R_ref, e_ref), "risk");
    check_ok(condense_gd_field(fx.net, fx.data, plain, fx.g_direct, NULL), "gd");
    EXPECT_STATUS(condense_workspace_set_path(ws, fx.net, CONDENSE_PATH_FAST), CONDENSE_OK);
    assert_int_equal(ws->path, CONDENSE_PATH_FAST);
    fb = ws->fast;
    assert_non_null(fb);
    EXPECT_STATUS(condense_workspace_set_path(ws, fx.net, CONDENSE_PATH_DIRECT), CONDENSE_OK);
    assert_int_equal(ws->path, CONDENSE_PATH_DIRECT);
    assert_ptr_equal(ws->fast, fb);
    check_ok(condense_risk(fx.net, fx.data, ws, &R_back, e_back), "risk");
    check_ok(condense_gd_field(fx.net, fx.data, ws, fx.g_fast, NULL), "gd");
    assert_memory_equal(&R_back, &R_ref, sizeof R_ref);
    assert_memory_equal(e_back, e_ref, sizeof e_ref);
    assert_true(nets_equal_bitwise(fx.g_fast, fx.g_direct));
    EXPECT_STATUS(condense_fast_risk(fx.net, fx.data, ws, &R, e), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_fast_gd_field(fx.net, fx.data, ws, fx.g_fast, &R), CONDENSE_EINVAL);
    /* and FAST again reuses the buffers */
    EXPECT_STATUS(condense_workspace_set_path(ws, fx.net, CONDENSE_PATH_FAST), CONDENSE_OK);
    assert_ptr_equal(ws->fast, fb);
    check_ok(condense_risk(fx.net, fx.data, ws, &R_back, e_back), "risk");
    assert_true(close_enough(&R_back, &R_ref, 1) && close_enough(e_back, e_ref, 4));
    condense_workspace_free(plain);
    fixture_free(&fx);
}

/* The defensive size checks of condense_workspace_set_path, on networks described but not
 * allocated (it reads only their sizes before the checks): CBLAS int overflow -> ESIZE, and a
 * patch matrix of 2^48 bytes, beyond a 47-bit address space whatever the overcommit policy
 * -> ENOMEM (the other buffers of that shape, never touched, are at most 100 MB each).  The
 * workspace is a matching description too; on failure it is left as it was. */
static void test_set_path_sizes(void **state)
{
    (void)state;
    static const struct {
        size_t W0, C0, m, C1;
        int want;
    } cases[] = {
        {46342, 1, 2, 1, CONDENSE_ESIZE},               /* W_1 H_1 = 46341^2 > INT_MAX */
        {4, 1, 2, (size_t)INT_MAX / 8, CONDENSE_ESIZE}, /* W_1 H_1 C_1 = 9 (2^28 - 1) > INT_MAX */
        {4, (size_t)1 << 30, 2, 1, CONDENSE_ESIZE},     /* C_0 m^2 = 2^32 > INT_MAX */
        {2049, (size_t)1 << 21, 2, 1, CONDENSE_ENOMEM}, /* P: 2^22 x 2^23 doubles */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        condense_cnn net;
        condense_workspace ws;
        memset(&net, 0, sizeof net);
        memset(&ws, 0, sizeof ws);
        net.L = ws.L = 1;
        net.W[0] = net.H[0] = ws.W[0] = ws.H[0] = cases[k].W0;
        net.C[0] = ws.C[0] = cases[k].C0;
        net.m[1] = cases[k].m;
        net.W[1] = net.H[1] = ws.W[1] = ws.H[1] = cases[k].W0 - cases[k].m + 1;
        net.C[1] = ws.C[1] = cases[k].C1;
        EXPECT_STATUS(condense_workspace_set_path(&ws, &net, CONDENSE_PATH_FAST), cases[k].want);
        assert_int_equal(ws.path, CONDENSE_PATH_DIRECT);
        assert_null(ws.fast);
    }
}

/* The buffers are made for the thread count at selection; a later call uses at most that many
 * (never allocating), and selecting FAST again with more threads makes new buffers. */
static void test_thread_buffers(void **state)
{
    (void)state;
    const condense_cnn_shape s = shape_of(&configs[6]);
    fixture fx;
    fixture_init(&fx, &s, "tanh", 7, 1234UL, 1);
    assert_int_equal(condense_fast_buffers_threads(fx.ws_fast->fast), 1);
    assert_int_equal(condense_fast_buffers_threads(NULL), 0);
    double R1, R2;
    check_ok(condense_fast_gd_field(fx.net, fx.data, fx.ws_fast, fx.g_fast, &R1), "fast");
#ifdef _OPENMP
    omp_set_num_threads(2);
    /* still one thread's buffers: the same numbers bitwise */
    check_ok(condense_fast_gd_field(fx.net, fx.data, fx.ws_fast, fx.g_direct, &R2), "fast");
    assert_true(nets_equal_bitwise(fx.g_fast, fx.g_direct));
    assert_memory_equal(&R1, &R2, sizeof R1);
    check_ok(condense_workspace_set_path(fx.ws_fast, fx.net, CONDENSE_PATH_FAST), "set_path");
    assert_int_equal(condense_fast_buffers_threads(fx.ws_fast->fast), 2);
    check_ok(condense_fast_gd_field(fx.net, fx.data, fx.ws_fast, fx.g_direct, &R2), "fast");
    expect_close_nets("1 vs 2 threads", fx.g_direct, fx.g_fast, &max_rel_threads);
    /* fewer threads than buffers: the buffers stay */
    omp_set_num_threads(1);
    const struct condense_fast_buffers *fb = fx.ws_fast->fast;
    check_ok(condense_workspace_set_path(fx.ws_fast, fx.net, CONDENSE_PATH_FAST), "set_path");
    assert_ptr_equal(fx.ws_fast->fast, fb);
    check_ok(condense_fast_gd_field(fx.net, fx.data, fx.ws_fast, fx.g_direct, &R2), "fast");
    assert_true(nets_equal_bitwise(fx.g_fast, fx.g_direct));
#else
    (void)R2;
#endif
    fixture_free(&fx);
}

/* ---- argument errors: those of the direct functions, outputs untouched ---------------------- */

static void test_errors(void **state)
{
    (void)state;
    const condense_cnn_shape s = shape_of(&configs[3]); /* L = 2, 5x6x3, C = (2,3), m = (2,3) */
    fixture fx;
    fixture_init(&fx, &s, "tanh", 3, 11UL, thread_counts[N_COUNTS - 1]);
    condense_cnn *net = fx.net, *g = fx.g_fast;
    condense_data *data = fx.data;
    condense_workspace *ws = fx.ws_fast;
    double R = -7.0, e[3] = {-7.0, -7.0, -7.0};
    condense_cnn_zero(g);
    g->a[0] = -7.0;
#define UNTOUCHED() assert_true(R == -7.0 && e[0] == -7.0 && e[2] == -7.0 && g->a[0] == -7.0)

    /* the fast functions and the dispatch through condense_risk / condense_gd_field */
    for (int via = 0; via < 2; ++via) {
        int (*risk)(const condense_cnn *, const condense_data *, condense_workspace *, double *,
                    double *) = via ? condense_risk : condense_fast_risk;
        int (*field)(const condense_cnn *, const condense_data *, condense_workspace *,
                     condense_cnn *, double *) = via ? condense_gd_field : condense_fast_gd_field;
        EXPECT_STATUS(risk(NULL, data, ws, &R, e), CONDENSE_EINVAL);
        EXPECT_STATUS(risk(net, NULL, ws, &R, e), CONDENSE_EINVAL);
        EXPECT_STATUS(risk(net, data, ws, NULL, e), CONDENSE_EINVAL);
        EXPECT_STATUS(field(NULL, data, ws, g, &R), CONDENSE_EINVAL);
        EXPECT_STATUS(field(net, NULL, ws, g, &R), CONDENSE_EINVAL);
        EXPECT_STATUS(field(net, data, ws, NULL, &R), CONDENSE_EINVAL);
        UNTOUCHED();
    }
    EXPECT_STATUS(condense_fast_risk(net, data, NULL, &R, e), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_fast_gd_field(net, data, NULL, g, &R), CONDENSE_EINVAL);
    UNTOUCHED();

    /* a gradient network of another shape */
    static const config others[] = {
        {2, 5, 6, 3, {3, 3}, {2, 3}}, {2, 5, 6, 3, {2, 3}, {2, 2}},
        {1, 5, 6, 3, {2}, {2}},       {3, 5, 6, 3, {2, 3, 1}, {2, 3, 1}},
        {2, 6, 6, 3, {2, 3}, {2, 3}}, {2, 5, 6, 1, {2, 3}, {2, 3}},
    };
    for (size_t k = 0; k < sizeof others / sizeof others[0]; ++k) {
        const condense_cnn_shape os = shape_of(&others[k]);
        condense_cnn *other = NULL;
        condense_workspace *ows = NULL;
        check_ok(condense_cnn_alloc(&os, net->sigma, &other), "alloc");
        check_ok(condense_workspace_alloc(other, &ows), "alloc");
        check_ok(condense_workspace_set_path(ows, other, CONDENSE_PATH_FAST), "set_path");
        EXPECT_STATUS(condense_fast_gd_field(net, data, ws, other, &R), CONDENSE_ESIZE);
        /* a (fast) workspace of another network */
        EXPECT_STATUS(condense_fast_risk(net, data, ows, &R, e), CONDENSE_ESIZE);
        EXPECT_STATUS(condense_fast_gd_field(net, data, ows, g, &R), CONDENSE_ESIZE);
        condense_workspace_free(ows);
        condense_cnn_free(other);
    }
    UNTOUCHED();

    /* data of another input shape */
    const size_t bad[][3] = {{6, 6, 3}, {5, 5, 3}, {5, 6, 1}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        condense_data *other = NULL;
        check_ok(condense_data_alloc(3, bad[k][0], bad[k][1], bad[k][2], &other), "alloc");
        EXPECT_STATUS(condense_fast_risk(net, other, ws, &R, e), CONDENSE_ESIZE);
        EXPECT_STATUS(condense_fast_gd_field(net, other, ws, g, &R), CONDENSE_ESIZE);
        condense_data_free(other);
    }
    UNTOUCHED();
#undef UNTOUCHED

    /* n = 0 (impossible through condense_data_alloc) behaves as on the direct path: the risk
     * 0/0 is not finite; the field is 0 with R_S = NaN */
    condense_data empty = *data;
    empty.n = 0;
    double Rd = 0.0;
    EXPECT_STATUS(condense_risk(net, &empty, fx.ws_direct, &Rd, NULL), CONDENSE_EDOM);
    EXPECT_STATUS(condense_fast_risk(net, &empty, ws, &R, NULL), CONDENSE_EDOM);
    EXPECT_STATUS(condense_gd_field(net, &empty, fx.ws_direct, fx.g_direct, &Rd), CONDENSE_OK);
    EXPECT_STATUS(condense_fast_gd_field(net, &empty, ws, g, &R), CONDENSE_OK);
    assert_true(isnan(R) && isnan(Rd));
    assert_true(nets_equal_bitwise(g, fx.g_direct));

    /* after all this, valid calls still work */
    EXPECT_STATUS(condense_fast_risk(net, data, ws, &R, NULL), CONDENSE_OK);
    EXPECT_STATUS(condense_fast_gd_field(net, data, ws, g, NULL), CONDENSE_OK);
    fixture_free(&fx);
}

/* ---- non-finite values: CONDENSE_EDOM, the first bad sample named, nothing leaks ------------ */

static void expect_edom_sample(size_t i)
{
    char want[32];
    snprintf(want, sizeof want, "f(x_%zu,", i);
    if (strstr(condense_errmsg(), want) == NULL)
        fail_msg("message '%s' does not name sample %zu", condense_errmsg(), i);
}

static void test_nonfinite(void **state)
{
    (void)state;
    const condense_cnn_shape s = shape_of(&configs[5]); /* L = 3 */
    for (size_t c = 0; c < N_COUNTS; ++c) {
        fixture fx;
        fixture_init(&fx, &s, "tanh", 6, 555UL, thread_counts[c]);
        condense_data *data = fx.data;
        const size_t in = data->W0 * data->H0 * data->C0;
        double R = -7.0, Rd;
        condense_cnn_zero(fx.g_fast);
        fx.g_fast->a[0] = -7.0;
        /* NaN pixels in samples 5 and 2: both paths name sample 2 (with 2 threads the two
         * lie in different threads' blocks, 1..3 and 4..6) */
        data->x[4 * in + 3] = NAN;
        data->x[1 * in + 7] = NAN;
        EXPECT_STATUS(condense_risk(fx.net, data, fx.ws_direct, &Rd, NULL), CONDENSE_EDOM);
        expect_edom_sample(2);
        EXPECT_STATUS(condense_fast_risk(fx.net, data, fx.ws_fast, &R, NULL), CONDENSE_EDOM);
        expect_edom_sample(2);
        EXPECT_STATUS(condense_fast_gd_field(fx.net, data, fx.ws_fast, fx.g_fast, &R),
                      CONDENSE_EDOM);
        expect_edom_sample(2);
        assert_true(R == -7.0 && fx.g_fast->a[0] == -7.0 && fx.g_fast->a[1] == 0.0);
        /* only sample 5 bad now */
        data->x[1 * in + 7] = 0.5;
        EXPECT_STATUS(condense_fast_risk(fx.net, data, fx.ws_fast, &R, NULL), CONDENSE_EDOM);
        expect_edom_sample(5);
        EXPECT_STATUS(condense_fast_gd_field(fx.net, data, fx.ws_fast, fx.g_fast, &R),
                      CONDENSE_EDOM);
        expect_edom_sample(5);
        data->x[4 * in + 3] = 0.5;
        /* an infinite a entry: f = +-inf for every sample (sigma(x^[L]) != 0), the first is
         * named (an infinite pixel would not do: tanh maps +-inf to +-1, f stays finite) */
        const double a1 = fx.net->a[1];
        fx.net->a[1] = INFINITY;
        EXPECT_STATUS(condense_fast_risk(fx.net, data, fx.ws_fast, &R, NULL), CONDENSE_EDOM);
        expect_edom_sample(1);
        fx.net->a[1] = a1;
        /* a NaN parameter: every sample fails, the first is named */
        const double a0 = fx.net->a[0];
        fx.net->a[0] = NAN;
        EXPECT_STATUS(condense_fast_gd_field(fx.net, data, fx.ws_fast, fx.g_fast, &R),
                      CONDENSE_EDOM);
        expect_edom_sample(1);
        fx.net->a[0] = a0;
        assert_true(R == -7.0 && fx.g_fast->a[0] == -7.0);
        /* finite f but e_i^2 overflows: the risk is not finite on both paths; the field
         * returns R_S = inf as the direct one does */
        data->y[3] = 1e200;
        EXPECT_STATUS(condense_risk(fx.net, data, fx.ws_direct, &Rd, NULL), CONDENSE_EDOM);
        EXPECT_STATUS(condense_fast_risk(fx.net, data, fx.ws_fast, &R, NULL), CONDENSE_EDOM);
        assert_true(R == -7.0);
        EXPECT_STATUS(condense_gd_field(fx.net, data, fx.ws_direct, fx.g_direct, &Rd), CONDENSE_OK);
        EXPECT_STATUS(condense_fast_gd_field(fx.net, data, fx.ws_fast, fx.g_fast, &R), CONDENSE_OK);
        assert_true(isinf(R) && isinf(Rd));
        expect_close_nets("y = 1e200", fx.g_fast, fx.g_direct, &max_rel_seen);
        /* and the workspace is fine afterwards */
        data->y[3] = 0.25;
        compare_instance(&fx, "after non-finite values");
        fixture_free(&fx);
    }
}

/* ---- sigma and sigma' of an array -------------------------------------------------------------
 *
 * condense_fast_sigma01 against the activation's own functions (activation.c), entry by entry.
 * Every activation but tanh runs the same functions, so the results must be equal bit for bit.
 * tanh runs the hand-written kernel of fast.c, checked against libm's tanh and the reference's
 * sech^2 = 1/cosh^2 (activation.c), an independent route.  Tolerance SIGMA_ULPS u relative,
 * u = 2^-53: the kernel's chain (argument reduction, Horner sum of e^r - 1, scaling by 2^k, one
 * subtraction without cancellation, a reciprocal, one or two products) has
 * about ten roundings of O(1) amplification, so <= ~10 u; libm's tanh and cosh err by <= 2 ulp
 * each (glibc's documented bounds), the reference's 1/cosh^2 by <= ~6 u.  SIGMA_ULPS = 32
 * leaves a factor ~2 over their sum and is still 1/28000 of the 1e-12 of the path agreement.
 * Where |x| > 354 the kernel returns sech^2 = 4 e^-708 ~ 1.3e-307 instead of the (subnormal or
 * zero) reference: SECH2_ABS = 1.4e-307 absolute covers that and nothing else. */
#define SIGMA_ULPS 32.0
#define SECH2_ABS 1.4e-307

static int close_ulps(double got, double ref, double abs_tol)
{
    if (isnan(ref)) return isnan(got);
    if (isinf(ref)) return got == ref;
    return fabs(got - ref) <= SIGMA_ULPS * DBL_EPSILON / 2.0 * fabs(ref) + abs_tol;
}

static void test_sigma01(void **state)
{
    (void)state;
    /* a grid over every regime of the kernel (k = 0 for |x| <= 0.17, the reduction for larger,
     * the clamp beyond 354), plus 0, -0, subnormals, huge, +-inf and NaN */
    enum { NGRID = 4001, NX = NGRID + 12 };
    double *x = malloc(NX * sizeof(double)), *s = malloc(NX * sizeof(double)),
           *s1 = malloc(NX * sizeof(double)), *buf = malloc(NX * sizeof(double));
    assert_non_null(x);
    assert_non_null(s);
    assert_non_null(s1);
    assert_non_null(buf);
    for (size_t k = 0; k < NGRID; ++k) { /* +-10^t, t in [-12, 3], both signs alternating */
        const double t = -12.0 + 15.0 * (double)k / (NGRID - 1);
        x[k] = (k % 2 ? -1.0 : 1.0) * pow(10.0, t);
    }
    const double special[12] = {0.0,   -0.0,     5e-324, -2.2e-308, 0.1733,    -0.3466,
                                354.0, -354.001, 710.0,  1e300,     -INFINITY, INFINITY};
    memcpy(x + NGRID, special, sizeof special);
    double worst_t = 0.0, worst_s1 = 0.0;
    for (unsigned i = 0; i < condense_activation_count(); ++i) {
        for (int normalize = 0; normalize <= 1; ++normalize) {
            condense_activation act;
            if (condense_activation_lookup(condense_activation_at(i)->name, normalize, &act) !=
                CONDENSE_OK)
                continue; /* relu cannot be normalized */
            for (int pass = 0; pass < 2; ++pass) {
                const double c = pass == 0 ? 1.0 : 0.37;
                condense_fast_sigma01(&act, NX, c, x, s, s1);
                /* in place: the same results */
                memcpy(buf, x, NX * sizeof(double));
                condense_fast_sigma01(&act, NX, c, buf, buf, s1);
                for (size_t k = 0; k < NX; ++k) {
                    const double z = c * x[k];
                    const double rs = condense_sigma(&act, z), rs1 = condense_sigma1(&act, z);
                    if (memcmp(&buf[k], &s[k], sizeof(double)) != 0)
                        fail_msg("%s: in-place sigma(%g) differs", act.type->name, z);
                    if (act.type != &condense_act_tanh) {
                        if (!(s[k] == rs || (isnan(s[k]) && isnan(rs))) ||
                            !(s1[k] == rs1 || (isnan(s1[k]) && isnan(rs1))))
                            fail_msg("%s at %g: %.17g %.17g, reference %.17g %.17g", act.type->name,
                                     z, s[k], s1[k], rs, rs1);
                        continue;
                    }
                    const double lt = act.scale * tanh(z); /* libm, not activation.c */
                    if (!close_ulps(s[k], lt, 0.0) || !close_ulps(s1[k], rs1, SECH2_ABS))
                        fail_msg("tanh kernel at %.17g: tanh %.17g (libm %.17g), sech^2 %.17g "
                                 "(reference %.17g)",
                                 z, s[k], lt, s1[k], rs1);
                    if (signbit(s[k]) != signbit(lt)) fail_msg("tanh(%g): wrong sign", z);
                    if (isfinite(lt) && lt != 0.0)
                        worst_t = fmax(worst_t, fabs(s[k] - lt) / fabs(lt));
                    if (isfinite(rs1) && rs1 > 1e-300)
                        worst_s1 = fmax(worst_s1, fabs(s1[k] - rs1) / rs1);
                }
            }
        }
    }
    /* every version of the tanh kernel this CPU runs (the best one was used above) */
    int versions = 0;
    for (int v = 0; v <= 2; ++v) {
        if (condense_fast_tanh_sech2_version(v, NX, 1.0, 0.37, x, s, s1) != 0) continue;
        ++versions;
        for (size_t k = 0; k < NX; ++k) {
            const double z = 0.37 * x[k], lt = tanh(z), rs1 = 1.0 / (cosh(z) * cosh(z));
            if (!close_ulps(s[k], lt, 0.0) || !close_ulps(s1[k], rs1, SECH2_ABS))
                fail_msg("tanh kernel version %d at %.17g: %.17g %.17g, libm %.17g %.17g", v, z,
                         s[k], s1[k], lt, rs1);
        }
    }
    assert_true(versions >= 1); /* the baseline always runs */
    assert_int_equal(condense_fast_tanh_sech2_version(3, NX, 1.0, 1.0, x, s, s1), -1);
    assert_int_equal(condense_fast_tanh_sech2_version(-1, NX, 1.0, 1.0, x, s, s1), -1);
    printf("tanh kernel: %d version(s) checked on this CPU\n", versions);
    /* NaN in, NaN out */
    condense_activation th;
    assert_int_equal(condense_activation_lookup("tanh", 0, &th), CONDENSE_OK);
    const double nan_in = NAN;
    condense_fast_sigma01(&th, 1, 1.0, &nan_in, s, s1);
    assert_true(isnan(s[0]) && isnan(s1[0]));
    printf("tanh kernel: largest relative difference %.2g (tanh, against libm), %.2g (sech^2, "
           "against 1/cosh^2); tolerance %.2g\n",
           worst_t, worst_s1, SIGMA_ULPS * DBL_EPSILON / 2.0);
    free(x);
    free(s);
    free(s1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agree),          cmocka_unit_test(test_mnist_smoke),
        cmocka_unit_test(test_sensitivity),    cmocka_unit_test(test_names),
        cmocka_unit_test(test_set_path),       cmocka_unit_test(test_set_path_sizes),
        cmocka_unit_test(test_thread_buffers), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nonfinite),      cmocka_unit_test(test_sigma01),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
