/* test_cnn.c -- the network object of the (L+1)-layer CNN (CNN paper Sec. 3.2 = App. B.2):
 * its sizes, storage, flat parameter vector, arithmetic helpers, argument checks and the
 * per-sample workspace.
 *
 * Expected values come from outside the implementation:
 *   - the layer sizes W_l = W_{l-1} - m_l + 1 (valid convolution, stride 1) are worked out by
 *     hand for every shape below and written into the table as literals;
 *   - the storage order is the one documented in condense/cnn.h: W^[l] is a C-order array
 *     (m_l, m_l, C_{l-1}, C_l), b^[l] is (C_l), a is (W_L, H_L, C_L), x^[l] and z^[l] are
 *     (W_l, H_l, C_l); the flat theta is "for l = 1..L: W^[l] then b^[l]; then a".  The tests
 *     walk these arrays with running counters (last index fastest) instead of using offset
 *     formulas wherever they can, and check the formulas of the accessors separately.
 *
 * Tolerances: every check here is exact (==, memcmp, or pointer equality).  Pack, unpack,
 * clone and zero copy or clear doubles, so no rounding is involved; axpy is fed integers and
 * half-integers below 2^26 with alpha = -2.5, so y + alpha x is a multiple of 1/4 below 2^53
 * and therefore exactly representable: the product and the sum are exact in IEEE double
 * arithmetic (with or without fused multiply-add), so zero tolerance is the correct one.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/error.h"

#define MAXL CONDENSE_MAX_LAYERS

/* ---- the test shapes, with their sizes worked out by hand ---------------------------------- */

typedef struct shape_case {
    const char *name;
    size_t L, W0, H0, C0;
    size_t C[5], m[5];         /* layers 1..L ([0] unused) */
    size_t W[5], H[5];         /* expected W_l, H_l, l = 0..L */
    size_t Wsize[5], bsize[5]; /* expected m_l^2 C_{l-1} C_l and C_l, l = 1..L */
    size_t asize, nparams;     /* expected W_L H_L C_L and the total */
} shape_case;

/* All with C_0 = 3 and non-square inputs.  Fields: name, L, W0, H0, C0, C[], m[], W[], H[],
 * Wsize[], bsize[], asize, nparams. */
/* clang-format off */
static const shape_case cases[] = {
    /* 7x5, m=3: W1 = 7-3+1 = 5, H1 = 5-3+1 = 3.  W: 9*3*4 = 108, b: 4, a: 5*3*4 = 60. */
    {"S1 L=1", 1, 7, 5, 3, {0, 4}, {0, 3}, {7, 5}, {5, 3},
     {0, 108}, {0, 4}, 60, 108 + 4 + 60},
    /* 9x6, m=(3,2): 7x4, then 6x3.  W: 9*3*2 = 54, 4*2*5 = 40; b: 2, 5; a: 6*3*5 = 90. */
    {"S2 L=2", 2, 9, 6, 3, {0, 2, 5}, {0, 3, 2}, {9, 7, 6}, {6, 4, 3},
     {0, 54, 40}, {0, 2, 5}, 90, 54 + 2 + 40 + 5 + 90},
    /* 10x12, m=(1,4,2): 10x12, 7x9, 6x8.  W: 1*3*4 = 12, 16*4*2 = 128, 4*2*3 = 24; a: 144. */
    {"S3 L=3", 3, 10, 12, 3, {0, 4, 2, 3}, {0, 1, 4, 2}, {10, 10, 7, 6}, {12, 12, 9, 8},
     {0, 12, 128, 24}, {0, 4, 2, 3}, 144, 12 + 4 + 128 + 2 + 24 + 3 + 144},
    /* 4x6, m=(4,1): m_1 = W_0 gives 1x3, then 1x3.  W: 16*3*2 = 96, 1*2*1 = 2; a: 3. */
    {"S4 L=2 m1=W0", 2, 4, 6, 3, {0, 2, 1}, {0, 4, 1}, {4, 1, 1}, {6, 3, 3},
     {0, 96, 2}, {0, 2, 1}, 3, 96 + 2 + 2 + 1 + 3},
};
/* clang-format on */
#define N_CASES (sizeof cases / sizeof cases[0])

static condense_cnn_shape shape_of_case(const shape_case *c)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = c->L;
    s.W0 = c->W0;
    s.H0 = c->H0;
    s.C0 = c->C0;
    for (size_t l = 1; l <= c->L; ++l) {
        s.C[l] = c->C[l];
        s.m[l] = c->m[l];
    }
    return s;
}

static condense_activation tanh_act(double scale)
{
    condense_activation act = {&condense_act_tanh, scale};
    return act;
}

static condense_cnn *new_net_shape(const condense_cnn_shape *s)
{
    condense_cnn *net = NULL;
    int st = condense_cnn_alloc(s, tanh_act(1.0), &net);
    if (st != CONDENSE_OK) fail_msg("condense_cnn_alloc: %d (%s)", st, condense_errmsg());
    assert_non_null(net);
    return net;
}

static condense_cnn *new_net(const shape_case *c)
{
    const condense_cnn_shape s = shape_of_case(c);
    return new_net_shape(&s);
}

/* Sizes of the arrays as the test computes them from the documented shapes. */
static size_t kernel_len(const condense_cnn *n, size_t l)
{
    return n->m[l] * n->m[l] * n->C[l - 1] * n->C[l];
}
static size_t a_len(const condense_cnn *n)
{
    return n->W[n->L] * n->H[n->L] * n->C[n->L];
}

/* Bit-identical parameters (same shape assumed). */
static int nets_identical(const condense_cnn *x, const condense_cnn *y)
{
    if (x->L != y->L) return 0;
    for (size_t l = 1; l <= x->L; ++l) {
        if (memcmp(x->kernel[l], y->kernel[l], kernel_len(x, l) * sizeof(double)) != 0) return 0;
        if (memcmp(x->bias[l], y->bias[l], x->C[l] * sizeof(double)) != 0) return 0;
    }
    return memcmp(x->a, y->a, a_len(x) * sizeof(double)) == 0;
}

/* A distinct code for every parameter (indices below 32; l < 32): W codes are positive
 * integers, b codes negative integers, a codes positive half-integers, so no two coincide. */
static double W_code(size_t l, size_t p, size_t q, size_t alpha, size_t beta)
{
    return 1.0 + (double)((((l * 32 + p) * 32 + q) * 32 + (alpha - 1)) * 32 + (beta - 1));
}
static double b_code(size_t l, size_t beta)
{
    return -1.0 - (double)(l * 32 + (beta - 1));
}
static double a_code(size_t u, size_t v, size_t beta)
{
    return 0.5 + (double)((u * 32 + v) * 32 + beta);
}

/* Set every parameter to its code through the public accessors. */
static void fill_codes(condense_cnn *net)
{
    for (size_t l = 1; l <= net->L; ++l) {
        assert_true(net->m[l] < 32 && net->C[l - 1] <= 32 && net->C[l] <= 32);
        for (size_t p = 0; p < net->m[l]; ++p)
            for (size_t q = 0; q < net->m[l]; ++q)
                for (size_t al = 1; al <= net->C[l - 1]; ++al)
                    for (size_t be = 1; be <= net->C[l]; ++be)
                        *condense_W(net, l, p, q, al, be) = W_code(l, p, q, al, be);
        for (size_t be = 1; be <= net->C[l]; ++be)
            *condense_b(net, l, be) = b_code(l, be);
    }
    for (size_t u = 1; u <= net->W[net->L]; ++u)
        for (size_t v = 1; v <= net->H[net->L]; ++v)
            for (size_t be = 1; be <= net->C[net->L]; ++be)
                *condense_a(net, u, v, be) = a_code(u, v, be);
}

static void fill_random(condense_cnn *net, gsl_rng *r)
{
    for (size_t l = 1; l <= net->L; ++l) {
        for (size_t k = 0; k < kernel_len(net, l); ++k)
            net->kernel[l][k] = gsl_rng_uniform(r) - 0.5;
        for (size_t k = 0; k < net->C[l]; ++k)
            net->bias[l][k] = gsl_rng_uniform(r) - 0.5;
    }
    for (size_t k = 0; k < a_len(net); ++k)
        net->a[k] = gsl_rng_uniform(r) - 0.5;
}

/* A failing call: exact status and a fresh, non-empty message. */
static void expect_status(int got, int want, const char *what)
{
    if (got != want)
        fail_msg("%s: status %d (%s), expected %d (%s); message \"%s\"", what, got,
                 condense_strerror(got), want, condense_strerror(want), condense_errmsg());
    if (want != CONDENSE_OK && condense_errmsg()[0] == '\0')
        fail_msg("%s: failed with status %d but recorded no message", what, got);
}

/* ---- condense_cnn_alloc: sizes ------------------------------------------------------------ */

static void check_case_sizes(const condense_cnn *net, const shape_case *c)
{
    assert_int_equal(net->L, c->L);
    for (size_t l = 0; l <= c->L; ++l) {
        if (net->W[l] != c->W[l] || net->H[l] != c->H[l])
            fail_msg("%s: W_%zu x H_%zu = %zu x %zu, expected %zu x %zu", c->name, l, l, net->W[l],
                     net->H[l], c->W[l], c->H[l]);
    }
    assert_int_equal(net->C[0], c->C0);
    assert_int_equal(net->m[0], 0); /* documented: m[0] = 0 */
    assert_null(net->kernel[0]);    /* documented: kernel[0] = NULL */
    assert_null(net->bias[0]);      /* documented: bias[0] = NULL */
    for (size_t l = 1; l <= c->L; ++l) {
        assert_int_equal(net->C[l], c->C[l]);
        assert_int_equal(net->m[l], c->m[l]);
        assert_non_null(net->kernel[l]);
        assert_non_null(net->bias[l]);
        if (condense_cnn_W_size(net, l) != c->Wsize[l])
            fail_msg("%s: W_size(%zu) = %zu, expected %zu", c->name, l, condense_cnn_W_size(net, l),
                     c->Wsize[l]);
        if (condense_cnn_b_size(net, l) != c->bsize[l])
            fail_msg("%s: b_size(%zu) = %zu, expected %zu", c->name, l, condense_cnn_b_size(net, l),
                     c->bsize[l]);
    }
    assert_non_null(net->a);
    if (condense_cnn_a_size(net) != c->asize)
        fail_msg("%s: a_size = %zu, expected %zu", c->name, condense_cnn_a_size(net), c->asize);
    if (condense_cnn_nparams(net) != c->nparams)
        fail_msg("%s: nparams = %zu, expected %zu", c->name, condense_cnn_nparams(net), c->nparams);
}

static void test_alloc_sizes(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_CASES; ++k) {
        const condense_cnn_shape s = shape_of_case(&cases[k]);
        condense_cnn *net = NULL;
        /* A non-unit scale so that a stored default could not pass for the given one. */
        int st = condense_cnn_alloc(&s, tanh_act(2.5), &net);
        if (st != CONDENSE_OK) fail_msg("%s: alloc %d (%s)", cases[k].name, st, condense_errmsg());
        check_case_sizes(net, &cases[k]);
        assert_ptr_equal(net->sigma.type, &condense_act_tanh);
        assert_true(net->sigma.scale == 2.5);
        /* every parameter is zero after alloc (read with the test's own sizes) */
        for (size_t l = 1; l <= net->L; ++l) {
            for (size_t i = 0; i < cases[k].Wsize[l]; ++i)
                if (net->kernel[l][i] != 0.0)
                    fail_msg("%s: W^[%zu] entry %zu = %g after alloc", cases[k].name, l, i,
                             net->kernel[l][i]);
            for (size_t i = 0; i < cases[k].bsize[l]; ++i)
                if (net->bias[l][i] != 0.0)
                    fail_msg("%s: b^[%zu] entry %zu = %g after alloc", cases[k].name, l, i,
                             net->bias[l][i]);
        }
        for (size_t i = 0; i < cases[k].asize; ++i)
            if (net->a[i] != 0.0)
                fail_msg("%s: a entry %zu = %g after alloc", cases[k].name, i, net->a[i]);
        condense_cnn_free(net);
    }
}

/* L = CONDENSE_MAX_LAYERS is allowed: 2x3x3 input, m_l = 1, C_l = 2 keep every layer 2x3. */
static void test_alloc_max_layers(void **state)
{
    (void)state;
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = MAXL;
    s.W0 = 2;
    s.H0 = 3;
    s.C0 = 3;
    for (size_t l = 1; l <= MAXL; ++l) {
        s.C[l] = 2;
        s.m[l] = 1;
    }
    condense_cnn *net = new_net_shape(&s);
    assert_int_equal(net->L, MAXL);
    for (size_t l = 0; l <= MAXL; ++l) {
        assert_int_equal(net->W[l], 2);
        assert_int_equal(net->H[l], 3);
    }
    assert_int_equal(condense_cnn_W_size(net, 1), 1 * 3 * 2);
    for (size_t l = 2; l <= MAXL; ++l)
        assert_int_equal(condense_cnn_W_size(net, l), 1 * 2 * 2);
    assert_int_equal(condense_cnn_a_size(net), 2 * 3 * 2);
    /* (6 + 2) for l = 1, (4 + 2) for the other 15 layers, 12 for a */
    assert_int_equal(condense_cnn_nparams(net), 8 + 15 * 6 + 12);
    condense_cnn_free(net);
}

/* ---- condense_cnn_alloc: errors ----------------------------------------------------------- */

static condense_cnn sentinel_net;

static void expect_alloc_fails(const condense_cnn_shape *s, condense_activation act, int want,
                               const char *what)
{
    condense_cnn *net = &sentinel_net;
    condense_error_clear();
    int st = condense_cnn_alloc(s, act, &net);
    if (st == CONDENSE_OK) {
        condense_cnn_free(net);
        fail_msg("%s: alloc succeeded, expected status %d", what, want);
    }
    expect_status(st, want, what);
    if (net != &sentinel_net) fail_msg("%s: failed alloc wrote *net = %p", what, (void *)net);
}

static void test_alloc_errors(void **state)
{
    (void)state;
    const condense_activation ok = tanh_act(1.0);
    condense_cnn_shape base = shape_of_case(&cases[1]); /* 9x6x3, m = (3, 2), C = (2, 5) */
    condense_cnn_shape s;

    /* NULL arguments */
    condense_error_clear();
    expect_status(condense_cnn_alloc(&base, ok, NULL), CONDENSE_EINVAL, "net = NULL");
    expect_alloc_fails(NULL, ok, CONDENSE_EINVAL, "shape = NULL");

    /* activation */
    condense_activation bad = {NULL, 1.0};
    expect_alloc_fails(&base, bad, CONDENSE_EINVAL, "activation type NULL");
    expect_alloc_fails(&base, tanh_act(0.0), CONDENSE_EINVAL, "activation scale 0");
    expect_alloc_fails(&base, tanh_act(-0.0), CONDENSE_EINVAL, "activation scale -0");
    expect_alloc_fails(&base, tanh_act(NAN), CONDENSE_EINVAL, "activation scale NaN");

    /* number of layers */
    s = base;
    s.L = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "L = 0");
    {
        /* Only MAXL + 1 slots exist, so the check must come before any use of C[L], m[L].  The
         * shape lives in a heap block of its exact size, with the ignored C[0], m[0] set to 1:
         * an implementation that let L = MAXL + 1 through would read m[MAXL + 1] past the
         * block, which valgrind reports (and C[MAXL + 1] would alias m[0] = 1, not 0). */
        condense_cnn_shape *h = malloc(sizeof *h);
        assert_non_null(h);
        *h = base;
        h->C[0] = 1;
        h->m[0] = 1;
        for (size_t l = 1; l <= MAXL; ++l) {
            h->C[l] = 1;
            h->m[l] = 1;
        }
        h->L = MAXL + 1;
        expect_alloc_fails(h, ok, CONDENSE_ESIZE, "L = CONDENSE_MAX_LAYERS + 1");
        h->L = 1000;
        expect_alloc_fails(h, ok, CONDENSE_ESIZE, "L = 1000");
        free(h);
    }

    /* input sizes */
    s = base;
    s.W0 = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "W0 = 0");
    s = base;
    s.H0 = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "H0 = 0");
    s = base;
    s.C0 = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "C0 = 0");

    /* channels and filters, in the first and in the last layer */
    s = base;
    s.C[1] = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "C_1 = 0");
    s = base;
    s.C[2] = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "C_2 = 0");
    s = base;
    s.m[1] = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "m_1 = 0");
    s = base;
    s.m[2] = 0;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "m_2 = 0");

    /* m_1 > W_0 only (3 x 5 input, m = 4 <= H_0) and m_1 > H_0 only (5 x 3 input) */
    s = base;
    s.L = 1;
    s.W0 = 3;
    s.H0 = 5;
    s.m[1] = 4;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "m_1 = 4 > W_0 = 3 (H_0 = 5)");
    s.W0 = 5;
    s.H0 = 3;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "m_1 = 4 > H_0 = 3 (W_0 = 5)");
    /* the boundary m_1 = W_0 = 3 < H_0 is fine (covered by S4 in test_alloc_sizes too) */

    /* layer 2: 6 x 8 input, m_1 = 3 gives W_1 x H_1 = 4 x 6; m_2 = 5 > W_1 but <= H_1, and
     * (transposed input) 8 x 6 gives 6 x 4 and m_2 = 5 > H_1 only */
    s = base;
    s.L = 2;
    s.W0 = 6;
    s.H0 = 8;
    s.m[1] = 3;
    s.m[2] = 5;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "m_2 = 5 > W_1 = 4 (H_1 = 6)");
    s.W0 = 8;
    s.H0 = 6;
    expect_alloc_fails(&s, ok, CONDENSE_ESIZE, "m_2 = 5 > H_1 = 4 (W_1 = 6)");
    /* and m_2 = W_1 = 4 is fine: W_2 x H_2 = 1 x 3 */
    s.W0 = 6;
    s.H0 = 8;
    s.m[2] = 4;
    condense_cnn *net = new_net_shape(&s);
    assert_int_equal(net->W[2], 1);
    assert_int_equal(net->H[2], 3);
    condense_cnn_free(net);
}

static void test_free_null(void **state)
{
    (void)state;
    /* Documented no-ops: a crash here fails the test (cmocka reports the signal). */
    condense_cnn_free(NULL);
    condense_workspace_free(NULL);
}

/* ---- clone -------------------------------------------------------------------------------- */

static void test_clone(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    for (size_t k = 0; k < N_CASES; ++k) {
        condense_cnn *net = NULL;
        const condense_cnn_shape s = shape_of_case(&cases[k]);
        assert_int_equal(condense_cnn_alloc(&s, tanh_act(-0.75), &net), CONDENSE_OK);
        fill_random(net, r);

        condense_cnn *copy = NULL;
        assert_int_equal(condense_cnn_clone(net, 1, &copy), CONDENSE_OK);
        check_case_sizes(copy, &cases[k]);
        assert_ptr_equal(copy->sigma.type, &condense_act_tanh);
        assert_true(copy->sigma.scale == -0.75);
        if (!nets_identical(net, copy)) fail_msg("%s: clone(copy=1) differs", cases[k].name);
        /* its own storage: changing the copy leaves the original alone */
        assert_ptr_not_equal(copy->a, net->a);
        for (size_t l = 1; l <= net->L; ++l) {
            assert_ptr_not_equal(copy->kernel[l], net->kernel[l]);
            assert_ptr_not_equal(copy->bias[l], net->bias[l]);
        }
        const double a0 = net->a[0];
        copy->a[0] = a0 + 1.0;
        assert_true(net->a[0] == a0);

        condense_cnn *zero = NULL;
        assert_int_equal(condense_cnn_clone(net, 0, &zero), CONDENSE_OK);
        check_case_sizes(zero, &cases[k]);
        assert_int_equal(condense_cnn_same_shape(net, zero), CONDENSE_OK);
        assert_ptr_equal(zero->sigma.type, &condense_act_tanh);
        assert_true(zero->sigma.scale == -0.75);
        for (size_t l = 1; l <= zero->L; ++l) {
            for (size_t i = 0; i < cases[k].Wsize[l]; ++i)
                assert_true(zero->kernel[l][i] == 0.0);
            for (size_t i = 0; i < cases[k].bsize[l]; ++i)
                assert_true(zero->bias[l][i] == 0.0);
        }
        for (size_t i = 0; i < cases[k].asize; ++i)
            assert_true(zero->a[i] == 0.0);

        condense_cnn_free(zero);
        condense_cnn_free(copy);
        condense_cnn_free(net);
    }
    gsl_rng_free(r);
}

static void test_clone_errors(void **state)
{
    (void)state;
    condense_cnn *net = new_net(&cases[0]);
    condense_cnn *out = &sentinel_net;
    condense_error_clear();
    expect_status(condense_cnn_clone(NULL, 1, &out), CONDENSE_EINVAL, "clone(NULL)");
    assert_ptr_equal(out, &sentinel_net);
    condense_error_clear();
    expect_status(condense_cnn_clone(NULL, 0, &out), CONDENSE_EINVAL, "clone(NULL, copy 0)");
    assert_ptr_equal(out, &sentinel_net);
    condense_error_clear();
    expect_status(condense_cnn_clone(net, 1, NULL), CONDENSE_EINVAL, "clone(net, out = NULL)");
    condense_cnn_free(net);
}

/* ---- pack / unpack ------------------------------------------------------------------------ */

#define GUARD 4
#define GUARD_VALUE (-123456.875)

static void test_pack_order(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_CASES; ++k) {
        const shape_case *c = &cases[k];
        condense_cnn *net = new_net(c);
        fill_codes(net);
        const size_t np = c->nparams; /* hand-computed */
        double *theta = malloc((np + GUARD) * sizeof(double));
        assert_non_null(theta);
        for (size_t i = 0; i < np + GUARD; ++i)
            theta[i] = GUARD_VALUE;
        condense_cnn_pack(net, theta);

        /* The documented order, walked with one running counter: for l = 1..L, W^[l] in
         * C order of (m_l, m_l, C_{l-1}, C_l) (beta fastest), then b^[l]; then a in C order
         * of (W_L, H_L, C_L). */
        size_t off = 0;
        for (size_t l = 1; l <= c->L; ++l) {
            const size_t Cin = l == 1 ? c->C0 : c->C[l - 1];
            for (size_t p = 0; p < c->m[l]; ++p)
                for (size_t q = 0; q < c->m[l]; ++q)
                    for (size_t al = 1; al <= Cin; ++al)
                        for (size_t be = 1; be <= c->C[l]; ++be, ++off)
                            if (theta[off] != W_code(l, p, q, al, be))
                                fail_msg("%s: theta[%zu] = %.17g, expected W^[%zu]_{%zu,%zu,%zu,"
                                         "%zu} = %.17g",
                                         c->name, off, theta[off], l, p, q, al, be,
                                         W_code(l, p, q, al, be));
            for (size_t be = 1; be <= c->C[l]; ++be, ++off)
                if (theta[off] != b_code(l, be))
                    fail_msg("%s: theta[%zu] = %.17g, expected b^[%zu]_%zu = %.17g", c->name, off,
                             theta[off], l, be, b_code(l, be));
        }
        for (size_t u = 1; u <= c->W[c->L]; ++u)
            for (size_t v = 1; v <= c->H[c->L]; ++v)
                for (size_t be = 1; be <= c->C[c->L]; ++be, ++off)
                    if (theta[off] != a_code(u, v, be))
                        fail_msg("%s: theta[%zu] = %.17g, expected a_{%zu,%zu,%zu} = %.17g",
                                 c->name, off, theta[off], u, v, be, a_code(u, v, be));
        assert_int_equal(off, np);
        for (size_t i = np; i < np + GUARD; ++i)
            if (theta[i] != GUARD_VALUE) fail_msg("%s: pack wrote past nparams", c->name);

        /* unpack of the packed vector reproduces the network */
        condense_cnn *back = new_net(c);
        condense_cnn_unpack(back, theta);
        if (!nets_identical(net, back)) fail_msg("%s: unpack(pack(net)) differs from net", c->name);

        free(theta);
        condense_cnn_free(back);
        condense_cnn_free(net);
    }
}

static void test_unpack_pack_identity(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    for (size_t k = 0; k < N_CASES; ++k) {
        const size_t np = cases[k].nparams;
        double *v = malloc(np * sizeof(double)), *w = malloc((np + GUARD) * sizeof(double));
        assert_non_null(v);
        assert_non_null(w);
        for (size_t i = 0; i < np; ++i)
            v[i] = gsl_rng_uniform(r) * 4.0 - 2.0;
        for (size_t i = 0; i < np + GUARD; ++i)
            w[i] = GUARD_VALUE;
        condense_cnn *net = new_net(&cases[k]);
        condense_cnn_unpack(net, v);
        condense_cnn_pack(net, w);
        if (memcmp(v, w, np * sizeof(double)) != 0)
            fail_msg("%s: pack(unpack(v)) != v", cases[k].name);
        for (size_t i = np; i < np + GUARD; ++i)
            assert_true(w[i] == GUARD_VALUE);
        free(v);
        free(w);
        condense_cnn_free(net);
    }
    gsl_rng_free(r);
}

/* ---- accessors: offsets, distinctness, coverage ------------------------------------------- */

static void test_accessors(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_CASES; ++k) {
        const shape_case *c = &cases[k];
        condense_cnn *net = new_net(c);
        for (size_t l = 1; l <= c->L; ++l) {
            const size_t m = c->m[l], Cin = l == 1 ? c->C0 : c->C[l - 1], Cout = c->C[l];
            char *seen = calloc(c->Wsize[l], 1);
            assert_non_null(seen);
            size_t count = 0;
            for (size_t p = 0; p < m; ++p)
                for (size_t q = 0; q < m; ++q)
                    for (size_t al = 1; al <= Cin; ++al)
                        for (size_t be = 1; be <= Cout; ++be) {
                            double *ptr = condense_W(net, l, p, q, al, be);
                            const ptrdiff_t off = ptr - net->kernel[l];
                            const ptrdiff_t want =
                                (ptrdiff_t)(((p * m + q) * Cin + al - 1) * Cout + be - 1);
                            if (off != want)
                                fail_msg("%s: condense_W(%zu,%zu,%zu,%zu,%zu) at %td, expected %td",
                                         c->name, l, p, q, al, be, off, want);
                            assert_true(off >= 0 && (size_t)off < c->Wsize[l]);
                            assert_int_equal(seen[off], 0);
                            seen[off] = 1;
                            *ptr = 1.0; /* in bounds of the allocation (valgrind checks) */
                            ++count;
                        }
            assert_int_equal(count, c->Wsize[l]);
            free(seen);

            seen = calloc(Cout, 1);
            assert_non_null(seen);
            count = 0;
            for (size_t be = 1; be <= Cout; ++be) {
                double *ptr = condense_b(net, l, be);
                const ptrdiff_t off = ptr - net->bias[l];
                assert_int_equal(off, (ptrdiff_t)(be - 1));
                assert_int_equal(seen[off], 0);
                seen[off] = 1;
                *ptr = 1.0;
                ++count;
            }
            assert_int_equal(count, c->bsize[l]);
            free(seen);
        }
        const size_t WL = c->W[c->L], HL = c->H[c->L], CL = c->C[c->L];
        char *seen = calloc(c->asize, 1);
        assert_non_null(seen);
        size_t count = 0;
        for (size_t u = 1; u <= WL; ++u)
            for (size_t v = 1; v <= HL; ++v)
                for (size_t be = 1; be <= CL; ++be) {
                    double *ptr = condense_a(net, u, v, be);
                    const ptrdiff_t off = ptr - net->a;
                    const ptrdiff_t want = (ptrdiff_t)(((u - 1) * HL + (v - 1)) * CL + be - 1);
                    if (off != want)
                        fail_msg("%s: condense_a(%zu,%zu,%zu) at %td, expected %td", c->name, u, v,
                                 be, off, want);
                    assert_int_equal(seen[off], 0);
                    seen[off] = 1;
                    *ptr = 1.0;
                    ++count;
                }
        assert_int_equal(count, c->asize);
        free(seen);
        condense_cnn_free(net);
    }
}

/* ---- zero, axpy, same_shape --------------------------------------------------------------- */

static void test_zero(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_CASES; ++k) {
        condense_cnn *net = new_net(&cases[k]);
        fill_codes(net); /* every code is non-zero */
        condense_cnn_zero(net);
        for (size_t l = 1; l <= net->L; ++l) {
            for (size_t i = 0; i < cases[k].Wsize[l]; ++i)
                assert_true(net->kernel[l][i] == 0.0);
            for (size_t i = 0; i < cases[k].bsize[l]; ++i)
                assert_true(net->bias[l][i] == 0.0);
        }
        for (size_t i = 0; i < cases[k].asize; ++i)
            assert_true(net->a[i] == 0.0);
        condense_cnn_free(net);
    }
}

static void test_axpy(void **state)
{
    (void)state;
    const double alpha = -2.5;
    for (size_t k = 0; k < N_CASES; ++k) {
        const shape_case *c = &cases[k];
        condense_cnn *x = new_net(c), *y = new_net(c);
        fill_codes(x);
        fill_codes(y);
        /* y gets different values: 3 * code + 1 (still exact, below 2^27) */
        for (size_t l = 1; l <= c->L; ++l) {
            for (size_t i = 0; i < c->Wsize[l]; ++i)
                y->kernel[l][i] = 3.0 * y->kernel[l][i] + 1.0;
            for (size_t i = 0; i < c->bsize[l]; ++i)
                y->bias[l][i] = 3.0 * y->bias[l][i] + 1.0;
        }
        for (size_t i = 0; i < c->asize; ++i)
            y->a[i] = 3.0 * y->a[i] + 1.0;
        condense_cnn *y0 = NULL;
        assert_int_equal(condense_cnn_clone(y, 1, &y0), CONDENSE_OK);

        assert_int_equal(condense_cnn_axpy(alpha, x, y), CONDENSE_OK);
        /* exact: see the header comment */
        for (size_t l = 1; l <= c->L; ++l) {
            for (size_t i = 0; i < c->Wsize[l]; ++i)
                if (y->kernel[l][i] != y0->kernel[l][i] + alpha * x->kernel[l][i])
                    fail_msg("%s: axpy W^[%zu] entry %zu = %.17g, expected %.17g", c->name, l, i,
                             y->kernel[l][i], y0->kernel[l][i] + alpha * x->kernel[l][i]);
            for (size_t i = 0; i < c->bsize[l]; ++i)
                if (y->bias[l][i] != y0->bias[l][i] + alpha * x->bias[l][i])
                    fail_msg("%s: axpy b^[%zu] entry %zu", c->name, l, i);
        }
        for (size_t i = 0; i < c->asize; ++i)
            if (y->a[i] != y0->a[i] + alpha * x->a[i])
                fail_msg("%s: axpy a entry %zu = %.17g, expected %.17g", c->name, i, y->a[i],
                         y0->a[i] + alpha * x->a[i]);
        condense_cnn_free(y0);
        condense_cnn_free(y);
        condense_cnn_free(x);
    }

    /* errors leave y unchanged */
    condense_cnn *x2 = new_net(&cases[1]), *y1 = new_net(&cases[0]), *y2 = new_net(&cases[1]);
    fill_codes(x2);
    fill_codes(y1);
    fill_codes(y2);
    condense_cnn_shape s = shape_of_case(&cases[1]);
    s.C[2] = 4; /* same L, sizes and m; only C_2 differs */
    condense_cnn *yC = new_net_shape(&s);
    fill_codes(yC);
    condense_cnn *y1_0 = NULL, *y2_0 = NULL, *yC_0 = NULL;
    assert_int_equal(condense_cnn_clone(y1, 1, &y1_0), CONDENSE_OK);
    assert_int_equal(condense_cnn_clone(y2, 1, &y2_0), CONDENSE_OK);
    assert_int_equal(condense_cnn_clone(yC, 1, &yC_0), CONDENSE_OK);

    condense_error_clear();
    expect_status(condense_cnn_axpy(1.0, x2, y1), CONDENSE_ESIZE, "axpy different L");
    assert_true(nets_identical(y1, y1_0));
    condense_error_clear();
    expect_status(condense_cnn_axpy(1.0, x2, yC), CONDENSE_ESIZE, "axpy different C_2");
    assert_true(nets_identical(yC, yC_0));
    condense_error_clear();
    expect_status(condense_cnn_axpy(1.0, NULL, y2), CONDENSE_EINVAL, "axpy x = NULL");
    assert_true(nets_identical(y2, y2_0));
    condense_error_clear();
    expect_status(condense_cnn_axpy(1.0, x2, NULL), CONDENSE_EINVAL, "axpy y = NULL");

    condense_cnn_free(yC_0);
    condense_cnn_free(y2_0);
    condense_cnn_free(y1_0);
    condense_cnn_free(yC);
    condense_cnn_free(y2);
    condense_cnn_free(y1);
    condense_cnn_free(x2);
}

static void test_same_shape(void **state)
{
    (void)state;
    condense_cnn *a = new_net(&cases[1]), *b = new_net(&cases[1]), *L1 = new_net(&cases[0]);
    assert_int_equal(condense_cnn_same_shape(a, b), CONDENSE_OK);
    assert_int_equal(condense_cnn_same_shape(a, a), CONDENSE_OK);

    condense_error_clear();
    expect_status(condense_cnn_same_shape(a, L1), CONDENSE_ESIZE, "same_shape different L");
    condense_error_clear();
    expect_status(condense_cnn_same_shape(L1, a), CONDENSE_ESIZE, "same_shape different L (2)");

    condense_cnn_shape s = shape_of_case(&cases[1]);
    s.C[1] = 3;
    condense_cnn *c1 = new_net_shape(&s);
    condense_error_clear();
    expect_status(condense_cnn_same_shape(a, c1), CONDENSE_ESIZE, "same_shape different C_1");

    s = shape_of_case(&cases[1]);
    s.C0 = 1;
    condense_cnn *c0 = new_net_shape(&s);
    condense_error_clear();
    expect_status(condense_cnn_same_shape(a, c0), CONDENSE_ESIZE, "same_shape different C_0");

    /* m = (2, 3) instead of (3, 2) on the 9 x 6 input: W_1 x H_1 = 8 x 5 but the same
     * W_2 x H_2 = 6 x 3, C_l and L: only the filters differ */
    s = shape_of_case(&cases[1]);
    s.m[1] = 2;
    s.m[2] = 3;
    condense_cnn *mm = new_net_shape(&s);
    assert_int_equal(mm->W[2], 6);
    assert_int_equal(mm->H[2], 3);
    condense_error_clear();
    expect_status(condense_cnn_same_shape(a, mm), CONDENSE_ESIZE, "same_shape different m");

    condense_error_clear();
    expect_status(condense_cnn_same_shape(NULL, a), CONDENSE_EINVAL, "same_shape(NULL, y)");
    condense_error_clear();
    expect_status(condense_cnn_same_shape(a, NULL), CONDENSE_EINVAL, "same_shape(x, NULL)");

    condense_cnn_free(mm);
    condense_cnn_free(c0);
    condense_cnn_free(c1);
    condense_cnn_free(L1);
    condense_cnn_free(b);
    condense_cnn_free(a);
}

/* ---- check_finite ------------------------------------------------------------------------- */

/* Does msg name W^[l] (accepting the spellings W^[l], W^{[l]}, W[l])? */
static int names_W(const char *msg, size_t l)
{
    char b1[32], b2[32], b3[32];
    snprintf(b1, sizeof b1, "W^[%zu]", l);
    snprintf(b2, sizeof b2, "W^{[%zu]}", l);
    snprintf(b3, sizeof b3, "W[%zu]", l);
    return strstr(msg, b1) != NULL || strstr(msg, b2) != NULL || strstr(msg, b3) != NULL;
}
static int names_b(const char *msg, size_t l)
{
    char b1[32], b2[32], b3[32];
    snprintf(b1, sizeof b1, "b^[%zu]", l);
    snprintf(b2, sizeof b2, "b^{[%zu]}", l);
    snprintf(b3, sizeof b3, "b[%zu]", l);
    return strstr(msg, b1) != NULL || strstr(msg, b2) != NULL || strstr(msg, b3) != NULL;
}
static int is_ident(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}
/* msg contains "a" as a word of its own (a entry, a_{u,v,beta}, a[...]). */
static int names_a(const char *msg)
{
    for (const char *s = msg; *s != '\0'; ++s)
        if (*s == 'a' && (s == msg || !is_ident(s[-1])) &&
            (s[1] == '\0' || s[1] == '_' || !is_ident(s[1])))
            return 1;
    return 0;
}

static void test_check_finite(void **state)
{
    (void)state;
    const shape_case *c = &cases[2]; /* L = 3 */
    condense_cnn *net = new_net(c);
    fill_codes(net);
    condense_error_clear();
    assert_int_equal(condense_cnn_check_finite(net), CONDENSE_OK);

    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t j = 0; j < 3; ++j) {
        /* W^[2], first, middle and last entry */
        const size_t wpos[] = {0, c->Wsize[2] / 2, c->Wsize[2] - 1};
        for (size_t t = 0; t < 3; ++t) {
            const double keep = net->kernel[2][wpos[t]];
            net->kernel[2][wpos[t]] = bad[j];
            condense_error_clear();
            expect_status(condense_cnn_check_finite(net), CONDENSE_EDOM, "non-finite in W^[2]");
            if (!names_W(condense_errmsg(), 2) || names_W(condense_errmsg(), 1) ||
                names_b(condense_errmsg(), 2))
                fail_msg("message for W^[2] entry %zu = %g: \"%s\"", wpos[t], bad[j],
                         condense_errmsg());
            net->kernel[2][wpos[t]] = keep;
        }
        /* b^[1], every entry */
        for (size_t t = 0; t < c->bsize[1]; ++t) {
            const double keep = net->bias[1][t];
            net->bias[1][t] = bad[j];
            condense_error_clear();
            expect_status(condense_cnn_check_finite(net), CONDENSE_EDOM, "non-finite in b^[1]");
            if (!names_b(condense_errmsg(), 1) || names_W(condense_errmsg(), 1))
                fail_msg("message for b^[1] entry %zu = %g: \"%s\"", t, bad[j], condense_errmsg());
            net->bias[1][t] = keep;
        }
        /* a, first and last entry */
        const size_t apos[] = {0, c->asize - 1};
        for (size_t t = 0; t < 2; ++t) {
            const double keep = net->a[apos[t]];
            net->a[apos[t]] = bad[j];
            condense_error_clear();
            expect_status(condense_cnn_check_finite(net), CONDENSE_EDOM, "non-finite in a");
            const char *msg = condense_errmsg();
            if (!names_a(msg) || strstr(msg, "W^[") != NULL || strstr(msg, "b^[") != NULL)
                fail_msg("message for a entry %zu = %g: \"%s\"", apos[t], bad[j], msg);
            net->a[apos[t]] = keep;
        }
    }
    /* restored: finite again */
    assert_int_equal(condense_cnn_check_finite(net), CONDENSE_OK);
    condense_error_clear();
    expect_status(condense_cnn_check_finite(NULL), CONDENSE_EINVAL, "check_finite(NULL)");
    condense_cnn_free(net);
}

/* ---- check_data --------------------------------------------------------------------------- */

static condense_data *new_data(size_t n, size_t W0, size_t H0, size_t C0)
{
    condense_data *d = NULL;
    int st = condense_data_alloc(n, W0, H0, C0, &d);
    if (st != CONDENSE_OK) fail_msg("condense_data_alloc: %d (%s)", st, condense_errmsg());
    return d;
}

static void test_check_data(void **state)
{
    (void)state;
    condense_cnn *net = new_net(&cases[0]); /* input 7 x 5 x 3 */
    condense_data *ok = new_data(2, 7, 5, 3), *dW = new_data(2, 6, 5, 3),
                  *dH = new_data(2, 7, 4, 3), *dC = new_data(2, 7, 5, 1),
                  *dT = new_data(2, 5, 7, 3);
    assert_int_equal(condense_cnn_check_data(net, ok), CONDENSE_OK);
    condense_error_clear();
    expect_status(condense_cnn_check_data(net, dW), CONDENSE_ESIZE, "check_data W0 6 != 7");
    condense_error_clear();
    expect_status(condense_cnn_check_data(net, dH), CONDENSE_ESIZE, "check_data H0 4 != 5");
    condense_error_clear();
    expect_status(condense_cnn_check_data(net, dC), CONDENSE_ESIZE, "check_data C0 1 != 3");
    condense_error_clear();
    expect_status(condense_cnn_check_data(net, dT), CONDENSE_ESIZE, "check_data 5x7 vs 7x5");
    condense_error_clear();
    expect_status(condense_cnn_check_data(NULL, ok), CONDENSE_EINVAL, "check_data(NULL, d)");
    condense_error_clear();
    expect_status(condense_cnn_check_data(net, NULL), CONDENSE_EINVAL, "check_data(net, NULL)");
    condense_data_free(ok);
    condense_data_free(dW);
    condense_data_free(dH);
    condense_data_free(dC);
    condense_data_free(dT);
    condense_cnn_free(net);
}

/* ---- workspace ---------------------------------------------------------------------------- */

static void check_ws_layer(const condense_workspace *ws, size_t l, size_t Wl, size_t Hl, size_t Cl,
                           const char *name)
{
    for (int which = 0; which < 2; ++which) {
        double *base = which == 0 ? ws->x[l] : ws->z[l];
        assert_non_null(base);
        const size_t size = Wl * Hl * Cl;
        char *seen = calloc(size, 1);
        assert_non_null(seen);
        size_t count = 0;
        for (size_t u = 1; u <= Wl; ++u)
            for (size_t v = 1; v <= Hl; ++v)
                for (size_t be = 1; be <= Cl; ++be) {
                    double *ptr = which == 0 ? condense_ws_x(ws, l, u, v, be)
                                             : condense_ws_z(ws, l, u, v, be);
                    const ptrdiff_t off = ptr - base;
                    const ptrdiff_t want = (ptrdiff_t)(((u - 1) * Hl + (v - 1)) * Cl + be - 1);
                    if (off != want)
                        fail_msg("%s: condense_ws_%c(%zu,%zu,%zu,%zu) at %td, expected %td", name,
                                 which == 0 ? 'x' : 'z', l, u, v, be, off, want);
                    assert_int_equal(seen[off], 0);
                    seen[off] = 1;
                    *ptr = 2.0; /* in bounds of the allocation (valgrind checks) */
                    ++count;
                }
        assert_int_equal(count, size);
        free(seen);
    }
    assert_ptr_not_equal(ws->x[l], ws->z[l]);
}

static void test_workspace(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_CASES; ++k) {
        const shape_case *c = &cases[k];
        condense_cnn *net = new_net(c);
        condense_workspace *ws = NULL;
        assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
        assert_non_null(ws);
        assert_int_equal(ws->L, c->L);
        for (size_t l = 0; l <= c->L; ++l) {
            assert_int_equal(ws->W[l], c->W[l]);
            assert_int_equal(ws->H[l], c->H[l]);
            assert_int_equal(ws->C[l], l == 0 ? c->C0 : c->C[l]);
        }
        for (size_t l = 1; l <= c->L; ++l)
            check_ws_layer(ws, l, c->W[l], c->H[l], c->C[l], c->name);
        assert_int_equal(condense_workspace_check(ws, net), CONDENSE_OK);
        condense_workspace_free(ws);
        condense_cnn_free(net);
    }
}

static condense_workspace sentinel_ws;

static void test_workspace_errors(void **state)
{
    (void)state;
    condense_cnn *n1 = new_net(&cases[0]), *n2 = new_net(&cases[1]);
    condense_cnn_shape s = shape_of_case(&cases[1]);
    s.C[1] = 3; /* same L and input, another channel count */
    condense_cnn *n2c = new_net_shape(&s);
    condense_workspace *ws2 = NULL;
    assert_int_equal(condense_workspace_alloc(n2, &ws2), CONDENSE_OK);

    assert_int_equal(condense_workspace_check(ws2, n2), CONDENSE_OK);
    condense_error_clear();
    expect_status(condense_workspace_check(ws2, n1), CONDENSE_ESIZE, "workspace of L=2 on L=1");
    condense_error_clear();
    expect_status(condense_workspace_check(ws2, n2c), CONDENSE_ESIZE, "workspace other C_1");
    condense_error_clear();
    expect_status(condense_workspace_check(NULL, n2), CONDENSE_EINVAL, "workspace_check(NULL)");
    condense_error_clear();
    expect_status(condense_workspace_check(ws2, NULL), CONDENSE_EINVAL,
                  "workspace_check(ws, NULL)");

    condense_workspace *ws = &sentinel_ws;
    condense_error_clear();
    expect_status(condense_workspace_alloc(NULL, &ws), CONDENSE_EINVAL, "workspace_alloc(NULL)");
    assert_ptr_equal(ws, &sentinel_ws);
    condense_error_clear();
    expect_status(condense_workspace_alloc(n1, NULL), CONDENSE_EINVAL,
                  "workspace_alloc(net, NULL)");

    condense_workspace_free(ws2);
    condense_cnn_free(n2c);
    condense_cnn_free(n2);
    condense_cnn_free(n1);
}

/* ---- condense_pass_check ------------------------------------------------------------------ */

static void test_pass_check(void **state)
{
    (void)state;
    condense_cnn *net = new_net(&cases[0]), *other = new_net(&cases[1]);
    condense_data *data = new_data(3, 7, 5, 3), *bad = new_data(3, 5, 7, 3);
    condense_workspace *ws = NULL, *ws_other = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    assert_int_equal(condense_workspace_alloc(other, &ws_other), CONDENSE_OK);

    /* i is 1-based: 1..n are fine, 0 and n + 1 are not */
    for (size_t i = 1; i <= 3; ++i)
        assert_int_equal(condense_pass_check(net, data, i, ws), CONDENSE_OK);
    condense_error_clear();
    expect_status(condense_pass_check(net, data, 0, ws), CONDENSE_EINVAL, "pass_check i = 0");
    condense_error_clear();
    expect_status(condense_pass_check(net, data, 4, ws), CONDENSE_EINVAL, "pass_check i = n+1");

    condense_error_clear();
    expect_status(condense_pass_check(NULL, data, 1, ws), CONDENSE_EINVAL, "pass_check net NULL");
    condense_error_clear();
    expect_status(condense_pass_check(net, NULL, 1, ws), CONDENSE_EINVAL, "pass_check data NULL");
    condense_error_clear();
    expect_status(condense_pass_check(net, data, 1, NULL), CONDENSE_EINVAL, "pass_check ws NULL");
    condense_error_clear();
    expect_status(condense_pass_check(net, bad, 1, ws), CONDENSE_ESIZE, "pass_check data size");
    condense_error_clear();
    expect_status(condense_pass_check(net, data, 1, ws_other), CONDENSE_ESIZE,
                  "pass_check workspace of another network");

    condense_workspace_free(ws_other);
    condense_workspace_free(ws);
    condense_data_free(bad);
    condense_data_free(data);
    condense_cnn_free(other);
    condense_cnn_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_sizes),  cmocka_unit_test(test_alloc_max_layers),
        cmocka_unit_test(test_alloc_errors), cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_clone),        cmocka_unit_test(test_clone_errors),
        cmocka_unit_test(test_pack_order),   cmocka_unit_test(test_unpack_pack_identity),
        cmocka_unit_test(test_accessors),    cmocka_unit_test(test_zero),
        cmocka_unit_test(test_axpy),         cmocka_unit_test(test_same_shape),
        cmocka_unit_test(test_check_finite), cmocka_unit_test(test_check_data),
        cmocka_unit_test(test_workspace),    cmocka_unit_test(test_workspace_errors),
        cmocka_unit_test(test_pass_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
