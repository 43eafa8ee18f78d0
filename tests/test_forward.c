/* test_forward.c -- independent checks of the forward pass of the (L+1)-layer CNN of the CNN
 * paper, App. B.2, eq. (17):
 *
 *   x^[1]_{u,v,beta} = sum_alpha sum_{p,q} x^[0]_{u+p,v+q,alpha} W^[1]_{p,q,alpha,beta} +
 * b^[1]_beta x^[l]_{u,v,beta} = sum_alpha sum_{p,q} sigma(x^[l-1]_{u+p,v+q,alpha})
 * W^[l]_{p,q,alpha,beta}
 *                      + b^[l]_beta                                               (l = 2..L)
 *   f = sum_{u,v,beta} a_{u,v,beta} sigma(x^[L]_{u,v,beta})
 *
 * with p, q in [0 : m_l - 1] (chi of eq. (17)) and W_l = W_{l-1} - m_l + 1 (valid
 * cross-correlation, NOTES.md).  The reference below is written from these formulas alone:
 * plain loops, its own activation functions, and its own offset arithmetic from the documented
 * C-order shapes (m,m,C_{l-1},C_l), (C_l), (W_L,H_L,C_L), (n,W_0,H_0,C_0).  It does not use the
 * library's accessors or its sigma.
 */
#include <float.h>
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

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/error.h"

#define MAXL CONDENSE_MAX_LAYERS

/* ---- the test's own activation functions ------------------------------------------------- */

static double my_tanh(double x)
{
    return tanh(x);
}
static double my_silu(double x)
{
    return x / (1.0 + exp(-x));
}
static double my_silu2(double x)
{
    return 2.0 * x / (1.0 + exp(-x));
}
static double my_xtanh(double x)
{
    return x * tanh(x);
}
static double my_x2tanh(double x)
{
    return x * x * tanh(x);
}
static double my_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}
static double my_relu(double x)
{
    return x > 0.0 ? x : 0.0;
}
static double my_identity(double x)
{
    return x;
}

static double sig(double x)
{
    return 1.0 / (1.0 + exp(-x));
}
static double d_tanh(double x)
{
    return 1.0 - tanh(x) * tanh(x);
}
static double d_silu(double x)
{
    return sig(x) + x * sig(x) * (1.0 - sig(x));
}
static double d_silu2(double x)
{
    return 2.0 * d_silu(x);
}
static double d_xtanh(double x)
{
    return tanh(x) + x * (1.0 - tanh(x) * tanh(x));
}
static double d_x2tanh(double x)
{
    return 2.0 * x * tanh(x) + x * x * (1.0 - tanh(x) * tanh(x));
}
static double d_sigmoid(double x)
{
    return sig(x) * (1.0 - sig(x));
}
static double d_relu(double x)
{
    return x > 0.0 ? 1.0 : 0.0;
}
static double d_identity(double x)
{
    (void)x;
    return 1.0;
}

typedef struct my_act {
    const char *name;
    double (*s)(double);
    double (*ds)(double);
} my_act;

/* In the documented order of condense_activation_at. */
static const my_act my_acts[] = {
    {"tanh", my_tanh, d_tanh},       {"silu", my_silu, d_silu},
    {"silu2", my_silu2, d_silu2},    {"xtanh", my_xtanh, d_xtanh},
    {"x2tanh", my_x2tanh, d_x2tanh}, {"sigmoid", my_sigmoid, d_sigmoid},
    {"relu", my_relu, d_relu},       {"identity", my_identity, d_identity},
};
#define N_ACTS (sizeof my_acts / sizeof my_acts[0])

/* A bound on |sigma(x + d) - sigma(x)| / |d| for tiny d: |sigma'(x)|, except ReLU whose kink
 * makes the local slope meaningless within rounding of 0: use its Lipschitz constant 1. */
static double slope_bound(const my_act *act, double x)
{
    if (act->s == my_relu) return 1.0;
    return fabs(act->ds(x));
}

/* ---- shapes ------------------------------------------------------------------------------- */

/* The test's own sizes, computed from the shape (W_l = W_{l-1} - m_l + 1). */
typedef struct ref_dims {
    size_t L;
    size_t W[MAXL + 1], H[MAXL + 1], C[MAXL + 1], m[MAXL + 1];
} ref_dims;

static ref_dims dims_of(const condense_cnn_shape *s)
{
    ref_dims d;
    memset(&d, 0, sizeof d);
    d.L = s->L;
    d.W[0] = s->W0;
    d.H[0] = s->H0;
    d.C[0] = s->C0;
    for (size_t l = 1; l <= s->L; ++l) {
        d.m[l] = s->m[l];
        d.C[l] = s->C[l];
        d.W[l] = d.W[l - 1] - s->m[l] + 1;
        d.H[l] = d.H[l - 1] - s->m[l] + 1;
    }
    return d;
}

static condense_cnn_shape make_shape(size_t L, size_t W0, size_t H0, size_t C0, const size_t *C,
                                     const size_t *m)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = L;
    s.W0 = W0;
    s.H0 = H0;
    s.C0 = C0;
    for (size_t l = 1; l <= L; ++l) {
        s.C[l] = C[l - 1];
        s.m[l] = m[l - 1];
    }
    return s;
}

/* ---- the reference forward pass ------------------------------------------------------------ */

/* Computes x^[l] for l = 1..L (arrays (W_l,H_l,C_l), C order, 0-based loops) and f for one
 * input x0 (array (W_0,H_0,C_0)).  Alongside, A^[l] and Af are the sums of the absolute values
 * of the terms of each sum, where a term's input carries its own propagated bound:
 *   A^[1]_{u,v,b} = |b_b| + sum |W| |x^[0]|,
 *   A^[l]_{u,v,b} = |b_b| + sum |W| (|sigma(x^[l-1])| + |sigma'(x^[l-1])| A^[l-1])   (l >= 2),
 *   Af           = sum |a| (|sigma(x^[L])| + |sigma'(x^[L])| A^[L]).
 * See test_reference_random for the error bound this gives. */
static void ref_forward(const ref_dims *d, const my_act *act, double *const *kernel,
                        double *const *bias, const double *a, const double *x0, double **x,
                        double **A, double *f, double *Af)
{
    for (size_t l = 1; l <= d->L; ++l) {
        const size_t m = d->m[l], Ci = d->C[l - 1], Co = d->C[l];
        const size_t Hi = d->H[l - 1];
        const double *in = l == 1 ? x0 : x[l - 1];
        for (size_t u = 0; u < d->W[l]; ++u)
            for (size_t v = 0; v < d->H[l]; ++v)
                for (size_t be = 0; be < Co; ++be) {
                    double s = bias[l][be], sa = fabs(bias[l][be]);
                    for (size_t p = 0; p < m; ++p)
                        for (size_t q = 0; q < m; ++q)
                            for (size_t al = 0; al < Ci; ++al) {
                                const size_t ii = ((u + p) * Hi + (v + q)) * Ci + al;
                                const double w = kernel[l][((p * m + q) * Ci + al) * Co + be];
                                double y, ay;
                                if (l == 1) {
                                    y = in[ii];
                                    ay = fabs(y);
                                } else {
                                    y = act->s(in[ii]);
                                    ay = fabs(y) + slope_bound(act, in[ii]) * A[l - 1][ii];
                                }
                                s += w * y;
                                sa += fabs(w) * ay;
                            }
                    x[l][(u * d->H[l] + v) * Co + be] = s;
                    A[l][(u * d->H[l] + v) * Co + be] = sa;
                }
    }
    const size_t L = d->L;
    double s = 0.0, sa = 0.0;
    for (size_t k = 0; k < d->W[L] * d->H[L] * d->C[L]; ++k) {
        s += a[k] * act->s(x[L][k]);
        sa += fabs(a[k]) * (fabs(act->s(x[L][k])) + slope_bound(act, x[L][k]) * A[L][k]);
    }
    *f = s;
    *Af = sa;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static condense_cnn *new_net(const condense_cnn_shape *s, const char *act_name)
{
    condense_activation act;
    assert_int_equal(condense_activation_lookup(act_name, 0, &act), CONDENSE_OK);
    condense_cnn *net = NULL;
    int st = condense_cnn_alloc(s, act, &net);
    if (st != CONDENSE_OK) fail_msg("condense_cnn_alloc: %d (%s)", st, condense_errmsg());
    assert_non_null(net);
    return net;
}

/* Parameters N(0, sd^2), drawn in the documented storage order. */
static void fill_params(condense_cnn *net, const ref_dims *d, gsl_rng *r, double sd)
{
    for (size_t l = 1; l <= d->L; ++l) {
        for (size_t k = 0; k < d->m[l] * d->m[l] * d->C[l - 1] * d->C[l]; ++k)
            net->kernel[l][k] = gsl_ran_gaussian(r, sd);
        for (size_t k = 0; k < d->C[l]; ++k)
            net->bias[l][k] = gsl_ran_gaussian(r, sd);
    }
    for (size_t k = 0; k < d->W[d->L] * d->H[d->L] * d->C[d->L]; ++k)
        net->a[k] = gsl_ran_gaussian(r, sd);
}

static condense_data *new_data(size_t n, size_t W0, size_t H0, size_t C0, gsl_rng *r)
{
    condense_data *data = NULL;
    int st = condense_data_alloc(n, W0, H0, C0, &data);
    if (st != CONDENSE_OK) fail_msg("condense_data_alloc: %d (%s)", st, condense_errmsg());
    if (r != NULL) {
        for (size_t k = 0; k < n * W0 * H0 * C0; ++k)
            data->x[k] = gsl_rng_uniform(r) * 2.0 - 1.0;
        for (size_t k = 0; k < n; ++k)
            data->y[k] = gsl_rng_uniform(r) * 2.0 - 1.0;
    }
    return data;
}

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

/* ---- reference comparison ----------------------------------------------------------------- */

/* One shape, one activation: compare f and every x^[l]_{u,v,beta}(i), i = 1..n.
 *
 * Tolerance.  Both computations add the same products in possibly different orders.  For one
 * sum of k terms with exactly known inputs, any order of floating-point summation errs by at
 * most (k - 1) u sum|terms| and each product by u |term| (u = DBL_EPSILON / 2), so by
 * k u sum|terms| in all; with k <= 4*4*3 + 1 = 49 terms in x^[l] and k <= 100 in f here,
 * that is at most 50 DBL_EPSILON sum|terms|.  For layer l >= 2 the inputs sigma(x^[l-1]) are not
 * exact: they carry the error of x^[l-1] times |sigma'| plus a few ulps from evaluating sigma (libm
 * vs the library's formula), which A^[l] above includes.  Hence, by induction over l, |x_lib -
 * x_ref| <= 64 DBL_EPSILON A^[l],   |f_lib - f_ref| <= 64 DBL_EPSILON Af, A and Af being the sums
 * of |terms| computed by ref_forward (second-order terms neglected). */
static double max_ratio_seen = 0.0; /* max |lib - ref| / (DBL_EPSILON * A), informational */
static size_t n_compared = 0;

static void note_ratio(double got, double ref, double A)
{
    ++n_compared;
    if (A > 0.0 && fabs(got - ref) / (DBL_EPSILON * A) > max_ratio_seen)
        max_ratio_seen = fabs(got - ref) / (DBL_EPSILON * A);
}

static void check_case(const condense_cnn_shape *s, const my_act *act, gsl_rng *r, size_t n)
{
    const ref_dims d = dims_of(s);
    condense_cnn *net = new_net(s, act->name);
    fill_params(net, &d, r, 0.7);
    condense_data *data = new_data(n, s->W0, s->H0, s->C0, r);
    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);

    double *x[MAXL + 1] = {NULL}, *A[MAXL + 1] = {NULL};
    for (size_t l = 1; l <= d.L; ++l) {
        x[l] = calloc(d.W[l] * d.H[l] * d.C[l], sizeof(double));
        A[l] = calloc(d.W[l] * d.H[l] * d.C[l], sizeof(double));
        assert_non_null(x[l]);
        assert_non_null(A[l]);
    }
    const size_t in_size = s->W0 * s->H0 * s->C0;
    for (size_t i = 1; i <= n; ++i) {
        double f_ref, Af;
        ref_forward(&d, act, net->kernel, net->bias, net->a, data->x + (i - 1) * in_size, x, A,
                    &f_ref, &Af);
        double f = NAN;
        int st = condense_cnn_forward(net, data, i, ws, &f);
        if (st != CONDENSE_OK)
            fail_msg("forward(%s, L=%zu, i=%zu): %d (%s)", act->name, d.L, i, st,
                     condense_errmsg());
        note_ratio(f, f_ref, Af);
        if (!(fabs(f - f_ref) <= 64.0 * DBL_EPSILON * Af))
            fail_msg("%s L=%zu W0=%zu H0=%zu C0=%zu i=%zu: f = %.17g, reference %.17g "
                     "(bound %.3g)",
                     act->name, d.L, s->W0, s->H0, s->C0, i, f, f_ref, 64.0 * DBL_EPSILON * Af);
        for (size_t l = 1; l <= d.L; ++l)
            for (size_t u = 1; u <= d.W[l]; ++u)
                for (size_t v = 1; v <= d.H[l]; ++v)
                    for (size_t be = 1; be <= d.C[l]; ++be) {
                        const size_t k = ((u - 1) * d.H[l] + (v - 1)) * d.C[l] + (be - 1);
                        const double got = *condense_ws_x(ws, l, u, v, be);
                        note_ratio(got, x[l][k], A[l][k]);
                        if (!(fabs(got - x[l][k]) <= 64.0 * DBL_EPSILON * A[l][k]))
                            fail_msg("%s L=%zu i=%zu: x^[%zu]_{%zu,%zu,%zu} = %.17g, "
                                     "reference %.17g",
                                     act->name, d.L, i, l, u, v, be, got, x[l][k]);
                    }
    }
    for (size_t l = 1; l <= d.L; ++l) {
        free(x[l]);
        free(A[l]);
    }
    condense_workspace_free(ws);
    condense_data_free(data);
    condense_cnn_free(net);
}

static void test_reference_explicit(void **state)
{
    (void)state;
    /* Hand-picked shapes: L = 1, 2, 3; C_0 = 1 and 3; non-square inputs; m_l = W_{l-1}
     * (square input: 1x1 output; non-square: one row) at the first and at a later layer. */
    static const struct {
        size_t L, W0, H0, C0, C[3], m[3];
    } cases[] = {
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
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20240601UL);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        condense_cnn_shape s =
            make_shape(cases[c].L, cases[c].W0, cases[c].H0, cases[c].C0, cases[c].C, cases[c].m);
        const ref_dims d = dims_of(&s);
        for (size_t l = 1; l <= d.L; ++l)
            assert_true(s.m[l] <= d.W[l - 1] && s.m[l] <= d.H[l - 1]);
        for (size_t k = 0; k < N_ACTS; ++k)
            check_case(&s, &my_acts[k], r, 3);
    }
    gsl_rng_free(r);
}

static void test_reference_random(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345UL);
    size_t done[4][4] = {{0}};
    for (size_t c = 0; c < 36; ++c) {
        const size_t L = 1 + c % 3;
        const size_t C0 = (c / 3) % 2 == 0 ? 1 : 3;
        size_t W0, H0, C[3], m[3], W, H;
        /* non-square input; at most 100 terms in f, so that the bound below holds */
        do {
            W0 = 1 + L + gsl_rng_uniform_int(r, 6);
            H0 = 1 + L + gsl_rng_uniform_int(r, 6);
            W = W0;
            H = H0;
            for (size_t l = 0; l < L; ++l) {
                size_t mmax = W < H ? W : H;
                if (mmax > 4) mmax = 4;
                m[l] = 1 + gsl_rng_uniform_int(r, mmax);
                C[l] = 1 + gsl_rng_uniform_int(r, 3);
                W = W - m[l] + 1;
                H = H - m[l] + 1;
            }
        } while (W0 == H0 || W * H * C[L - 1] > 100);
        condense_cnn_shape s = make_shape(L, W0, H0, C0, C, m);
        const my_act *act = &my_acts[c % N_ACTS];
        check_case(&s, act, r, 2);
        done[L][C0]++;
    }
    assert_true(done[1][1] > 0 && done[2][1] > 0 && done[3][1] > 0);
    assert_true(done[1][3] > 0 && done[2][3] > 0 && done[3][3] > 0);
    gsl_rng_free(r);
    printf("# %zu values compared with the reference; max |lib - ref| / (eps A) = %.3g "
           "(bound 64)\n",
           n_compared, max_ratio_seen);
}

/* ---- a case computed by hand -------------------------------------------------------------- */

static void test_hand_case(void **state)
{
    (void)state;
    /* 3x3 input, one channel, m = 2, identity activation, L = 1.  u indexes rows, v columns:
     *
     *   x^[0] = [1 2 3; 4 5 6; 7 8 9],  W_{0,0} = 1, W_{0,1} = 2, W_{1,0} = -1, W_{1,1} = 3,
     *   b = 1,  a = [1 -1; 2 0].
     *
     * x^[1]_{u,v} = x_{u,v} W_00 + x_{u,v+1} W_01 + x_{u+1,v} W_10 + x_{u+1,v+1} W_11 + b:
     *   x^[1]_{1,1} = 1*1 + 2*2 - 4*1 + 5*3 + 1 = 1 + 4 - 4 + 15 + 1 = 17
     *   x^[1]_{1,2} = 2*1 + 3*2 - 5*1 + 6*3 + 1 = 2 + 6 - 5 + 18 + 1 = 22
     *   x^[1]_{2,1} = 4*1 + 5*2 - 7*1 + 8*3 + 1 = 4 + 10 - 7 + 24 + 1 = 32
     *   x^[1]_{2,2} = 5*1 + 6*2 - 8*1 + 9*3 + 1 = 5 + 12 - 8 + 27 + 1 = 37
     * f = 1*17 - 1*22 + 2*32 + 0*37 = 59.
     * (Convolution with a flipped kernel, or swapping p and q / u and v, gives other numbers:
     * e.g. swapping p and q gives x^[1]_{1,1} = 1 - 2 + 8 + 15 + 1 = 23.)  All values are small
     * integers, so the result is exact in any summation order. */
    const size_t C[] = {1}, m[] = {2};
    condense_cnn_shape s = make_shape(1, 3, 3, 1, C, m);
    condense_cnn *net = new_net(&s, "identity");
    const double kernel[4] = {1, 2, -1, 3}; /* (p,q) = (0,0), (0,1), (1,0), (1,1) */
    memcpy(net->kernel[1], kernel, sizeof kernel);
    net->bias[1][0] = 1;
    const double a[4] = {1, -1, 2, 0};
    memcpy(net->a, a, sizeof a);
    condense_data *data = new_data(1, 3, 3, 1, NULL);
    for (size_t k = 0; k < 9; ++k)
        data->x[k] = (double)(k + 1);
    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    double f = 0;
    assert_int_equal(condense_cnn_forward(net, data, 1, ws, &f), CONDENSE_OK);
    assert_true(f == 59.0);
    assert_true(*condense_ws_x(ws, 1, 1, 1, 1) == 17.0);
    assert_true(*condense_ws_x(ws, 1, 1, 2, 1) == 22.0);
    assert_true(*condense_ws_x(ws, 1, 2, 1, 1) == 32.0);
    assert_true(*condense_ws_x(ws, 1, 2, 2, 1) == 37.0);
    assert_true(ws->x[1][0] == 17.0 && ws->x[1][1] == 22.0);
    assert_true(ws->x[1][2] == 32.0 && ws->x[1][3] == 37.0);
    condense_workspace_free(ws);
    condense_data_free(data);
    condense_cnn_free(net);
}

/* Two layers, two channels, by hand: 3x2 input with C_0 = 2, m_1 = 2 -> 2x1x2, identity,
 * m_2 = 1 -> 2x1x1.
 *   x^[0]_{u,v,alpha}: alpha = 1: [1 2; 3 4; 5 6], alpha = 2: [0 1; 1 0; 2 -1]
 *   W^[1]_{p,q,alpha,beta}: beta = 1 sums all entries of channel 1 only (W = 1 for alpha = 1,
 *   0 for alpha = 2); beta = 2 takes W_{1,1,2,2} = 2 only.  b^[1] = (0, 1).
 *   x^[1]_{1,1,1} = 1 + 2 + 3 + 4 = 10,  x^[1]_{2,1,1} = 3 + 4 + 5 + 6 = 18,
 *   x^[1]_{1,1,2} = 2 * x_{2,2,2} + 1 = 2 * 0 + 1 = 1,  x^[1]_{2,1,2} = 2 * x_{3,2,2} + 1 = -1.
 *   W^[2]_{0,0,1,1} = 1, W^[2]_{0,0,2,1} = -3, b^[2] = 2:
 *   x^[2]_{1,1,1} = 10 - 3 + 2 = 9,  x^[2]_{2,1,1} = 18 + 3 + 2 = 23.
 *   a = (1, 2): f = 9 + 46 = 55. */
static void test_hand_case_two_layers(void **state)
{
    (void)state;
    const size_t C[] = {2, 1}, m[] = {2, 1};
    condense_cnn_shape s = make_shape(2, 3, 2, 2, C, m);
    condense_cnn *net = new_net(&s, "identity");
    assert_int_equal(net->W[1], 2);
    assert_int_equal(net->H[1], 1);
    /* kernel[1] has shape (2,2,2,2): offset ((p*2+q)*2 + alpha-1)*2 + beta-1 */
    for (size_t p = 0; p < 2; ++p)
        for (size_t q = 0; q < 2; ++q)
            net->kernel[1][((p * 2 + q) * 2 + 0) * 2 + 0] = 1.0;
    net->kernel[1][((1 * 2 + 1) * 2 + 1) * 2 + 1] = 2.0;
    net->bias[1][0] = 0.0;
    net->bias[1][1] = 1.0;
    net->kernel[2][0] = 1.0;  /* (0,0,1,1) */
    net->kernel[2][1] = -3.0; /* (0,0,2,1) */
    net->bias[2][0] = 2.0;
    net->a[0] = 1.0;
    net->a[1] = 2.0;
    condense_data *data = new_data(1, 3, 2, 2, NULL);
    const double ch1[6] = {1, 2, 3, 4, 5, 6}, ch2[6] = {0, 1, 1, 0, 2, -1};
    for (size_t k = 0; k < 6; ++k) {
        data->x[2 * k] = ch1[k];
        data->x[2 * k + 1] = ch2[k];
    }
    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    double f = 0;
    assert_int_equal(condense_cnn_forward(net, data, 1, ws, &f), CONDENSE_OK);
    assert_true(*condense_ws_x(ws, 1, 1, 1, 1) == 10.0);
    assert_true(*condense_ws_x(ws, 1, 2, 1, 1) == 18.0);
    assert_true(*condense_ws_x(ws, 1, 1, 1, 2) == 1.0);
    assert_true(*condense_ws_x(ws, 1, 2, 1, 2) == -1.0);
    assert_true(*condense_ws_x(ws, 2, 1, 1, 1) == 9.0);
    assert_true(*condense_ws_x(ws, 2, 2, 1, 1) == 23.0);
    assert_true(f == 55.0);
    condense_workspace_free(ws);
    condense_data_free(data);
    condense_cnn_free(net);
}

/* ---- storage layout ----------------------------------------------------------------------- */

static void test_layout(void **state)
{
    (void)state;
    const size_t C[] = {2, 3, 2}, m[] = {3, 2, 4};
    condense_cnn_shape s = make_shape(3, 9, 8, 3, C, m);
    condense_cnn *net = new_net(&s, "tanh");
    assert_int_equal(net->L, 3);
    assert_int_equal(net->W[0], 9);
    assert_int_equal(net->H[0], 8);
    assert_int_equal(net->C[0], 3);
    for (size_t l = 1; l <= 3; ++l) {
        assert_int_equal(net->m[l], m[l - 1]);
        assert_int_equal(net->C[l], C[l - 1]);
        assert_int_equal(net->W[l], net->W[l - 1] - net->m[l] + 1);
        assert_int_equal(net->H[l], net->H[l - 1] - net->m[l] + 1);
        assert_non_null(net->kernel[l]);
        assert_non_null(net->bias[l]);
    }
    assert_int_equal(net->W[3], 9 - 2 - 1 - 3);
    assert_int_equal(net->H[3], 8 - 2 - 1 - 3);
    assert_non_null(net->a);
    assert_true(net->sigma.type == &condense_act_tanh);

    size_t total = 0;
    for (size_t l = 1; l <= 3; ++l) {
        const size_t mm = net->m[l], Ci = net->C[l - 1], Co = net->C[l];
        assert_int_equal(condense_cnn_W_size(net, l), mm * mm * Ci * Co);
        assert_int_equal(condense_cnn_b_size(net, l), Co);
        total += mm * mm * Ci * Co + Co;
        for (size_t p = 0; p < mm; ++p)
            for (size_t q = 0; q < mm; ++q)
                for (size_t al = 1; al <= Ci; ++al)
                    for (size_t be = 1; be <= Co; ++be)
                        assert_ptr_equal(condense_W(net, l, p, q, al, be),
                                         net->kernel[l] + ((p * mm + q) * Ci + al - 1) * Co + be -
                                             1);
        for (size_t be = 1; be <= Co; ++be)
            assert_ptr_equal(condense_b(net, l, be), net->bias[l] + be - 1);
        /* freshly allocated parameters are zero */
        for (size_t k = 0; k < mm * mm * Ci * Co; ++k)
            assert_true(net->kernel[l][k] == 0.0);
        for (size_t k = 0; k < Co; ++k)
            assert_true(net->bias[l][k] == 0.0);
    }
    const size_t WL = net->W[3], HL = net->H[3], CL = net->C[3];
    assert_int_equal(condense_cnn_a_size(net), WL * HL * CL);
    total += WL * HL * CL;
    assert_int_equal(condense_cnn_nparams(net), total);
    for (size_t u = 1; u <= WL; ++u)
        for (size_t v = 1; v <= HL; ++v)
            for (size_t be = 1; be <= CL; ++be)
                assert_ptr_equal(condense_a(net, u, v, be),
                                 net->a + ((u - 1) * HL + v - 1) * CL + be - 1);

    condense_data *data = new_data(4, 9, 8, 3, NULL);
    assert_int_equal(data->n, 4);
    for (size_t i = 1; i <= 4; ++i)
        for (size_t u = 1; u <= 9; ++u)
            for (size_t v = 1; v <= 8; ++v)
                for (size_t al = 1; al <= 3; ++al)
                    assert_ptr_equal(condense_data_x(data, i, u, v, al),
                                     data->x + (((i - 1) * 9 + u - 1) * 8 + v - 1) * 3 + al - 1);
    for (size_t i = 1; i <= 4; ++i)
        assert_ptr_equal(condense_data_y(data, i), data->y + i - 1);

    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    assert_int_equal(ws->L, 3);
    for (size_t l = 1; l <= 3; ++l) {
        assert_int_equal(ws->W[l], net->W[l]);
        assert_int_equal(ws->H[l], net->H[l]);
        assert_int_equal(ws->C[l], net->C[l]);
        assert_non_null(ws->x[l]);
        assert_non_null(ws->z[l]);
        for (size_t u = 1; u <= ws->W[l]; ++u)
            for (size_t v = 1; v <= ws->H[l]; ++v)
                for (size_t be = 1; be <= ws->C[l]; ++be) {
                    const size_t off = ((u - 1) * ws->H[l] + v - 1) * ws->C[l] + be - 1;
                    assert_ptr_equal(condense_ws_x(ws, l, u, v, be), ws->x[l] + off);
                    assert_ptr_equal(condense_ws_z(ws, l, u, v, be), ws->z[l] + off);
                }
    }
    condense_workspace_free(ws);
    condense_data_free(data);
    condense_cnn_free(net);
}

/* pack/unpack: W^[1], b^[1], ..., W^[L], b^[L], a, each in storage order; clone. */
static void test_pack_clone(void **state)
{
    (void)state;
    const size_t C[] = {2, 3}, m[] = {2, 3};
    condense_cnn_shape s = make_shape(2, 6, 7, 3, C, m);
    condense_cnn *net = new_net(&s, "silu");
    const ref_dims d = dims_of(&s);
    double *slot[2000];
    size_t np = 0;
    for (size_t l = 1; l <= d.L; ++l) {
        for (size_t k = 0; k < d.m[l] * d.m[l] * d.C[l - 1] * d.C[l]; ++k)
            slot[np++] = net->kernel[l] + k;
        for (size_t k = 0; k < d.C[l]; ++k)
            slot[np++] = net->bias[l] + k;
    }
    for (size_t k = 0; k < d.W[d.L] * d.H[d.L] * d.C[d.L]; ++k)
        slot[np++] = net->a + k;
    assert_int_equal(condense_cnn_nparams(net), np);
    for (size_t k = 0; k < np; ++k)
        *slot[k] = (double)k + 0.5;
    double *theta = calloc(np, sizeof(double));
    assert_non_null(theta);
    condense_cnn_pack(net, theta);
    for (size_t k = 0; k < np; ++k)
        assert_true(theta[k] == (double)k + 0.5);
    for (size_t k = 0; k < np; ++k)
        theta[k] = -3.0 * (double)k;
    condense_cnn_unpack(net, theta);
    for (size_t k = 0; k < np; ++k)
        assert_true(*slot[k] == -3.0 * (double)k);

    condense_cnn *copy = NULL, *zero = NULL;
    assert_int_equal(condense_cnn_clone(net, 1, &copy), CONDENSE_OK);
    assert_int_equal(condense_cnn_clone(net, 0, &zero), CONDENSE_OK);
    double *t2 = calloc(np, sizeof(double));
    assert_non_null(t2);
    condense_cnn_pack(copy, t2);
    for (size_t k = 0; k < np; ++k)
        assert_true(t2[k] == theta[k]);
    condense_cnn_pack(zero, t2);
    for (size_t k = 0; k < np; ++k)
        assert_true(t2[k] == 0.0);
    for (size_t l = 0; l <= d.L; ++l) {
        assert_int_equal(copy->W[l], d.W[l]);
        assert_int_equal(zero->H[l], d.H[l]);
        assert_int_equal(zero->C[l], d.C[l]);
    }
    /* distinct storage */
    assert_true(copy->a != net->a && zero->kernel[1] != net->kernel[1]);
    free(t2);
    free(theta);
    condense_cnn_free(zero);
    condense_cnn_free(copy);
    condense_cnn_free(net);
}

/* ---- error paths -------------------------------------------------------------------------- */

static void test_forward_errors(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7UL);
    const size_t C[] = {2, 2}, m[] = {2, 2};
    condense_cnn_shape s = make_shape(2, 5, 6, 3, C, m);
    const ref_dims d = dims_of(&s);
    condense_cnn *net = new_net(&s, "tanh");
    fill_params(net, &d, r, 0.5);
    condense_data *data = new_data(3, 5, 6, 3, r);
    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    double f = 0;

    EXPECT_STATUS(condense_cnn_forward(NULL, data, 1, ws, &f), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_forward(net, NULL, 1, ws, &f), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_forward(net, data, 1, NULL, &f), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_forward(net, data, 1, ws, NULL), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_forward(net, data, 0, ws, &f), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_forward(net, data, 4, ws, &f), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_forward(net, data, (size_t)-1, ws, &f), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_forward(net, data, 3, ws, &f), CONDENSE_OK);

    /* data whose W_0, H_0 or C_0 differs from the network's */
    const size_t bad[][3] = {{6, 6, 3}, {5, 5, 3}, {5, 6, 1}, {6, 5, 3}, {5, 7, 3}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        condense_data *other = new_data(3, bad[k][0], bad[k][1], bad[k][2], r);
        EXPECT_STATUS(condense_cnn_forward(net, other, 1, ws, &f), CONDENSE_ESIZE);
        EXPECT_STATUS(condense_cnn_check_data(net, other), CONDENSE_ESIZE);
        condense_data_free(other);
    }
    EXPECT_STATUS(condense_cnn_check_data(net, data), CONDENSE_OK);

    condense_workspace_free(ws);
    condense_data_free(data);
    condense_cnn_free(net);
    gsl_rng_free(r);
}

static condense_cnn sentinel_net;

static void expect_alloc_fails(const condense_cnn_shape *s, int want, const char *what)
{
    condense_activation act;
    assert_int_equal(condense_activation_lookup("tanh", 0, &act), CONDENSE_OK);
    condense_cnn *net = &sentinel_net;
    condense_error_clear();
    int st = condense_cnn_alloc(s, act, &net);
    expect_status(st, want, what);
    if (net != &sentinel_net && net != NULL)
        fail_msg("%s: failed alloc set *net to %p (neither untouched nor NULL)", what, (void *)net);
}

static void test_alloc_errors(void **state)
{
    (void)state;
    const size_t C3[] = {2, 2, 2}, m3[] = {2, 2, 2};
    condense_cnn_shape s;

    s = make_shape(1, 5, 5, 1, C3, m3);
    s.L = 0;
    expect_alloc_fails(&s, CONDENSE_ESIZE, "L = 0");

    size_t Cbig[MAXL + 1], mbig[MAXL + 1];
    for (size_t l = 0; l <= MAXL; ++l) {
        Cbig[l] = 1;
        mbig[l] = 1;
    }
    s = make_shape(MAXL, 5, 5, 1, Cbig, mbig);
    {
        /* L = MAXL itself is fine */
        condense_activation act;
        assert_int_equal(condense_activation_lookup("tanh", 0, &act), CONDENSE_OK);
        condense_cnn *net = NULL;
        assert_int_equal(condense_cnn_alloc(&s, act, &net), CONDENSE_OK);
        assert_int_equal(net->L, MAXL);
        assert_int_equal(net->W[MAXL], 5);
        condense_cnn_free(net);
    }
    s.L = MAXL + 1;
    expect_alloc_fails(&s, CONDENSE_ESIZE, "L = CONDENSE_MAX_LAYERS + 1");
    s.L = 1000;
    expect_alloc_fails(&s, CONDENSE_ESIZE, "L = 1000");

    s = make_shape(2, 5, 5, 0, C3, m3);
    expect_alloc_fails(&s, CONDENSE_ESIZE, "C0 = 0");
    s = make_shape(2, 0, 5, 1, C3, m3);
    expect_alloc_fails(&s, CONDENSE_ESIZE, "W0 = 0");
    s = make_shape(2, 5, 0, 1, C3, m3);
    expect_alloc_fails(&s, CONDENSE_ESIZE, "H0 = 0");

    s = make_shape(3, 6, 6, 1, C3, m3);
    s.C[1] = 0;
    expect_alloc_fails(&s, CONDENSE_ESIZE, "C[1] = 0");
    s = make_shape(3, 6, 6, 1, C3, m3);
    s.C[3] = 0;
    expect_alloc_fails(&s, CONDENSE_ESIZE, "C[3] = 0");
    s = make_shape(3, 6, 6, 1, C3, m3);
    s.m[1] = 0;
    expect_alloc_fails(&s, CONDENSE_ESIZE, "m[1] = 0");
    s = make_shape(3, 6, 6, 1, C3, m3);
    s.m[2] = 0;
    expect_alloc_fails(&s, CONDENSE_ESIZE, "m[2] = 0");

    {
        const size_t C[] = {2}, m[] = {5};
        s = make_shape(1, 4, 6, 1, C, m);
        expect_alloc_fails(&s, CONDENSE_ESIZE, "m = 5 > W0 = 4");
        s = make_shape(1, 6, 4, 1, C, m);
        expect_alloc_fails(&s, CONDENSE_ESIZE, "m = 5 > H0 = 4");
    }
    {
        /* W0 = H0 = 5, m_1 = 3 -> W_1 = 3; m_2 = 4 > W_1 */
        const size_t C[] = {2, 2}, m[] = {3, 4};
        s = make_shape(2, 5, 5, 1, C, m);
        expect_alloc_fails(&s, CONDENSE_ESIZE, "m_2 = 4 > W_1 = 3");
        /* W0 = 9, H0 = 5: W_1 = 7, H_1 = 3; m_2 = 4 > H_1 only */
        s = make_shape(2, 9, 5, 1, C, m);
        expect_alloc_fails(&s, CONDENSE_ESIZE, "m_2 = 4 > H_1 = 3");
    }
    {
        /* each layer fits its own input check only if sizes are tracked through all layers */
        const size_t C[] = {1, 1, 1}, m[] = {2, 2, 3};
        s = make_shape(3, 5, 5, 1, C, m); /* W_1 = 4, W_2 = 3, m_3 = 3: fits, 1x1 */
        condense_activation act;
        assert_int_equal(condense_activation_lookup("tanh", 0, &act), CONDENSE_OK);
        condense_cnn *net = NULL;
        assert_int_equal(condense_cnn_alloc(&s, act, &net), CONDENSE_OK);
        assert_int_equal(net->W[3], 1);
        assert_int_equal(net->H[3], 1);
        condense_cnn_free(net);
        s.m[3] = 4; /* m_3 = 4 > W_2 = 3 although 4 <= W_0 */
        expect_alloc_fails(&s, CONDENSE_ESIZE, "m_3 = 4 > W_2 = 3");
    }
    {
        /* NULL arguments: invalid argument (error.h) */
        const size_t C[] = {2}, m[] = {2};
        s = make_shape(1, 4, 4, 1, C, m);
        condense_activation act;
        assert_int_equal(condense_activation_lookup("tanh", 0, &act), CONDENSE_OK);
        EXPECT_STATUS(condense_cnn_alloc(&s, act, NULL), CONDENSE_EINVAL);
        condense_cnn *net = &sentinel_net;
        EXPECT_STATUS(condense_cnn_alloc(NULL, act, &net), CONDENSE_EINVAL);
        assert_true(net == &sentinel_net || net == NULL);
    }
}

/* A non-finite pixel or parameter that makes f non-finite: CONDENSE_EDOM.  The identity
 * activation propagates an infinity or NaN to every position it reaches, and every chosen
 * entry reaches f (a has no zero entry). */
static void test_nonfinite(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 99UL);
    const size_t C[] = {2, 1}, m[] = {2, 2};
    condense_cnn_shape s = make_shape(2, 4, 5, 3, C, m);
    const ref_dims d = dims_of(&s);
    condense_cnn *net = new_net(&s, "identity");
    fill_params(net, &d, r, 0.5);
    for (size_t k = 0; k < condense_cnn_a_size(net); ++k)
        if (net->a[k] == 0.0) net->a[k] = 1.0;
    condense_data *data = new_data(2, 4, 5, 3, r);
    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    double f = 0;
    EXPECT_STATUS(condense_cnn_forward(net, data, 2, ws, &f), CONDENSE_OK);
    assert_true(isfinite(f));

    double *targets[] = {condense_data_x(data, 2, 1, 1, 1),
                         condense_data_x(data, 2, 4, 5, 3),
                         net->kernel[1],
                         net->kernel[2] + 3,
                         net->bias[1] + 1,
                         net->bias[2],
                         net->a + 5};
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; ++t)
        for (size_t b = 0; b < 3; ++b) {
            const double keep = *targets[t];
            *targets[t] = bad[b];
            condense_error_clear();
            const int st = condense_cnn_forward(net, data, 2, ws, &f);
            if (st != CONDENSE_EDOM)
                fail_msg("non-finite entry %zu (value %g): forward returned %d, f = %g", t, bad[b],
                         st, f);
            assert_true(condense_errmsg()[0] != '\0');
            *targets[t] = keep;
        }
    /* the other sample is unaffected by a bad pixel of sample 2 */
    *condense_data_x(data, 2, 3, 3, 2) = NAN;
    EXPECT_STATUS(condense_cnn_forward(net, data, 1, ws, &f), CONDENSE_OK);
    EXPECT_STATUS(condense_cnn_forward(net, data, 2, ws, &f), CONDENSE_EDOM);

    condense_workspace_free(ws);
    condense_data_free(data);
    condense_cnn_free(net);
    gsl_rng_free(r);
}

/* ---- activation lookup -------------------------------------------------------------------- */

static void test_activation_lookup(void **state)
{
    (void)state;
    assert_int_equal(condense_activation_count(), N_ACTS);
    const double xs[] = {-3.0, -1.0, -0.3, 0.0, 0.2, 1.0, 2.5};
    for (size_t k = 0; k < N_ACTS; ++k) {
        const my_act *me = &my_acts[k];
        condense_activation act;
        memset(&act, 0, sizeof act);
        EXPECT_STATUS(condense_activation_lookup(me->name, 0, &act), CONDENSE_OK);
        assert_non_null(act.type);
        assert_string_equal(act.type->name, me->name);
        assert_true(act.scale == 1.0);
        assert_ptr_equal(condense_activation_at((unsigned)k), act.type);
        for (size_t j = 0; j < sizeof xs / sizeof xs[0]; ++j) {
            const double x = xs[j];
            const double want = me->s(x), got = condense_sigma(&act, x);
            if (!(fabs(got - want) <= 8.0 * DBL_EPSILON * (1.0 + fabs(want))))
                fail_msg("%s(%g) = %.17g, expected %.17g", me->name, x, got, want);
            if (me->s == my_relu && x == 0.0) continue; /* no derivative at the kink */
            const double dwant = me->ds(x), dgot = condense_sigma1(&act, x);
            if (!(fabs(dgot - dwant) <= 64.0 * DBL_EPSILON * (1.0 + fabs(x)) * (1.0 + fabs(x))))
                fail_msg("%s'(%g) = %.17g, expected %.17g", me->name, x, dgot, dwant);
        }
    }
    assert_null(condense_activation_at((unsigned)N_ACTS));
    condense_activation act;
    EXPECT_STATUS(condense_activation_lookup("no-such-activation", 0, &act), CONDENSE_EINVAL);
    /* Remark 1 normalization: silu / silu'(0) = 2 silu = silu2 */
    EXPECT_STATUS(condense_activation_lookup("silu", 1, &act), CONDENSE_OK);
    assert_true(fabs(act.scale - 2.0) <= 1e-12);
    assert_true(fabs(condense_sigma(&act, 0.7) - my_silu2(0.7)) <= 1e-12);
    EXPECT_STATUS(condense_activation_lookup("xtanh", 1, &act), CONDENSE_EUNDEF);
    EXPECT_STATUS(condense_activation_lookup("relu", 1, &act), CONDENSE_EUNDEF);
}

/* The activation a network was built with is the one its forward pass uses: a one-position
 * network f = a * sigma(w x + b) evaluated for every activation. */
static void test_activation_in_forward(void **state)
{
    (void)state;
    const size_t C[] = {1}, m[] = {1};
    condense_cnn_shape s = make_shape(1, 1, 1, 1, C, m);
    for (size_t k = 0; k < N_ACTS; ++k) {
        condense_cnn *net = new_net(&s, my_acts[k].name);
        net->kernel[1][0] = 0.75;
        net->bias[1][0] = -0.25;
        net->a[0] = 1.5;
        condense_data *data = new_data(1, 1, 1, 1, NULL);
        data->x[0] = 0.6; /* x^[1] = 0.75 * 0.6 - 0.25 (= 0.2 up to rounding) */
        condense_workspace *ws = NULL;
        assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
        double f = 0;
        assert_int_equal(condense_cnn_forward(net, data, 1, ws, &f), CONDENSE_OK);
        const double x1 = 0.75 * 0.6 + -0.25;
        const double want = 1.5 * my_acts[k].s(x1);
        if (!(fabs(f - want) <= 16.0 * DBL_EPSILON * (1.0 + fabs(want))))
            fail_msg("%s: f = %.17g, expected %.17g", my_acts[k].name, f, want);
        condense_workspace_free(ws);
        condense_data_free(data);
        condense_cnn_free(net);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_lookup),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_pack_clone),
        cmocka_unit_test(test_hand_case),
        cmocka_unit_test(test_hand_case_two_layers),
        cmocka_unit_test(test_activation_in_forward),
        cmocka_unit_test(test_reference_explicit),
        cmocka_unit_test(test_reference_random),
        cmocka_unit_test(test_forward_errors),
        cmocka_unit_test(test_alloc_errors),
        cmocka_unit_test(test_nonfinite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
