/* test_theta.c -- the per-kernel parameter vector theta_beta of the two-layer CNN and
 * theta_W = vec({theta_{W,beta}}), CNN paper Sec. 5 and App. C.2 eq. (33), App. D.
 *
 * The expected vectors are built by an explicit enumeration written exactly as the paper lists
 * theta_beta (Sec. 5):
 *
 *   theta_beta = (W_{0,0,1,beta}, W_{0,1,1,beta}, ..., W_{0,m-1,1,beta};
 *                 W_{1,0,1,beta}, ..., W_{m-1,m-1,1,beta};       alpha = 1: p major, q minor
 *                 ... the same for alpha = 2, ..., C_0;
 *                 b_beta;
 *                 a_{1,1,beta}, a_{1,2,beta}, ..., a_{1,H_1,beta};
 *                 a_{2,1,beta}, ..., a_{W_1,H_1,beta})            u major, v minor
 *
 * in R^{C_0 m^2 + 1 + W_1 H_1}, with W_1 = W_0 - m + 1, H_1 = H_0 - m + 1.  Every parameter holds
 * a distinct code of its own indices, so the expected vector is a list of codes and never read
 * back from the network.  The parameters are written into the network's documented storage
 * (C-order arrays (m, m, C_0, C_1) for W, (C_1) for b, (W_1, H_1, C_1) for a, condense/cnn.h)
 * with the test's own offset arithmetic, not the library's accessors.
 *
 * Tolerance: all comparisons are exact (== or memcmp): packing and unpacking only copy doubles.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/error.h"
#include "condense/theta.h"

#define GUARD 4
#define SENTINEL (-987654.125) /* never a code: codes are >= 1e6 + 1, -beta or x.5 */

/* ---- codes of the parameters (all indices < 100) ------------------------------------------ */

static double W_code(size_t alpha, size_t p, size_t q, size_t beta)
{
    return 1e6 * (double)alpha + 1e4 * (double)p + 1e2 * (double)q + (double)beta;
}
static double b_code(size_t beta)
{
    return -(double)beta;
}
static double a_code(size_t u, size_t v, size_t beta)
{
    return 0.5 + 1e4 * (double)u + 1e2 * (double)v + (double)beta;
}

/* ---- the test's own view of a two-layer network ------------------------------------------- */

typedef struct dims {
    size_t W0, H0, C0, m, M; /* M = C_1 */
    size_t W1, H1;           /* W_0 - m + 1, H_0 - m + 1 */
} dims;

static dims make_dims(size_t W0, size_t H0, size_t C0, size_t m, size_t M)
{
    dims d = {W0, H0, C0, m, M, W0 - m + 1, H0 - m + 1};
    return d;
}

/* Offsets in the documented C-order storage. */
static size_t W_off(const dims *d, size_t p, size_t q, size_t alpha, size_t beta)
{
    return ((p * d->m + q) * d->C0 + (alpha - 1)) * d->M + (beta - 1);
}
static size_t a_off(const dims *d, size_t u, size_t v, size_t beta)
{
    return ((u - 1) * d->H1 + (v - 1)) * d->M + (beta - 1);
}
static size_t W_total(const dims *d)
{
    return d->m * d->m * d->C0 * d->M;
}
static size_t a_total(const dims *d)
{
    return d->W1 * d->H1 * d->M;
}

static condense_cnn *new_two_layer(const dims *d)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = 1;
    s.W0 = d->W0;
    s.H0 = d->H0;
    s.C0 = d->C0;
    s.C[1] = d->M;
    s.m[1] = d->m;
    condense_activation act = {&condense_act_tanh, 1.0};
    condense_cnn *net = NULL;
    int st = condense_cnn_alloc(&s, act, &net);
    if (st != CONDENSE_OK) fail_msg("condense_cnn_alloc: %d (%s)", st, condense_errmsg());
    /* the storage sizes this test relies on */
    assert_int_equal(net->W[1], d->W1);
    assert_int_equal(net->H[1], d->H1);
    return net;
}

static void fill_codes(condense_cnn *net, const dims *d)
{
    for (size_t p = 0; p < d->m; ++p)
        for (size_t q = 0; q < d->m; ++q)
            for (size_t al = 1; al <= d->C0; ++al)
                for (size_t be = 1; be <= d->M; ++be)
                    net->kernel[1][W_off(d, p, q, al, be)] = W_code(al, p, q, be);
    for (size_t be = 1; be <= d->M; ++be)
        net->bias[1][be - 1] = b_code(be);
    for (size_t u = 1; u <= d->W1; ++u)
        for (size_t v = 1; v <= d->H1; ++v)
            for (size_t be = 1; be <= d->M; ++be)
                net->a[a_off(d, u, v, be)] = a_code(u, v, be);
}

/* The paper's theta_beta of the coded network, by explicit enumeration; returns its length. */
static size_t expected_theta_beta(const dims *d, size_t beta, double *e)
{
    size_t k = 0;
    for (size_t alpha = 1; alpha <= d->C0; ++alpha) /* alpha major */
        for (size_t p = 0; p < d->m; ++p)           /* then p */
            for (size_t q = 0; q < d->m; ++q)       /* then q */
                e[k++] = W_code(alpha, p, q, beta);
    e[k++] = b_code(beta);
    for (size_t u = 1; u <= d->W1; ++u)     /* u major */
        for (size_t v = 1; v <= d->H1; ++v) /* v minor */
            e[k++] = a_code(u, v, beta);
    return k;
}

/* Copies of the raw arrays, to compare whole networks bit for bit. */
typedef struct snapshot {
    double *W, *b, *a;
} snapshot;

static snapshot take(const condense_cnn *net, const dims *d)
{
    snapshot s;
    s.W = malloc(W_total(d) * sizeof(double));
    s.b = malloc(d->M * sizeof(double));
    s.a = malloc(a_total(d) * sizeof(double));
    assert_non_null(s.W);
    assert_non_null(s.b);
    assert_non_null(s.a);
    memcpy(s.W, net->kernel[1], W_total(d) * sizeof(double));
    memcpy(s.b, net->bias[1], d->M * sizeof(double));
    memcpy(s.a, net->a, a_total(d) * sizeof(double));
    return s;
}

static int same_as(const condense_cnn *net, const dims *d, const snapshot *s)
{
    return memcmp(s->W, net->kernel[1], W_total(d) * sizeof(double)) == 0 &&
           memcmp(s->b, net->bias[1], d->M * sizeof(double)) == 0 &&
           memcmp(s->a, net->a, a_total(d) * sizeof(double)) == 0;
}

static void drop(snapshot *s)
{
    free(s->W);
    free(s->b);
    free(s->a);
}

static double *new_vec(size_t len)
{
    double *v = malloc((len + GUARD) * sizeof(double));
    assert_non_null(v);
    for (size_t i = 0; i < len + GUARD; ++i)
        v[i] = SENTINEL;
    return v;
}

static void expect_guard(const double *v, size_t len, const char *what)
{
    for (size_t i = len; i < len + GUARD; ++i)
        if (v[i] != SENTINEL) fail_msg("%s: wrote past the %zu entries (index %zu)", what, len, i);
}

/* The cases: C_0 in {1, 3}, m in {1, 2, 3}, M in {1, 5}, on 7 x 5 and 4 x 6 inputs. */
#define N_CASES 24
static size_t all_cases(dims *out)
{
    static const size_t C0s[] = {1, 3}, ms[] = {1, 2, 3}, Ms[] = {1, 5};
    static const size_t WH[][2] = {{7, 5}, {4, 6}};
    size_t n = 0;
    for (size_t i = 0; i < 2; ++i)
        for (size_t j = 0; j < 2; ++j)
            for (size_t k = 0; k < 3; ++k)
                for (size_t t = 0; t < 2; ++t)
                    out[n++] = make_dims(WH[i][0], WH[i][1], C0s[j], ms[k], Ms[t]);
    return n;
}

static void describe(const dims *d, char *buf, size_t n)
{
    snprintf(buf, n, "W0 x H0 = %zu x %zu, C0 = %zu, m = %zu, M = %zu", d->W0, d->H0, d->C0, d->m,
             d->M);
}

/* ---- sizes -------------------------------------------------------------------------------- */

static void test_sizes(void **state)
{
    (void)state;
    dims cs[N_CASES];
    assert_int_equal(all_cases(cs), N_CASES);
    for (size_t ic = 0; ic < N_CASES; ++ic) {
        const dims d = cs[ic];
        char name[128];
        describe(&d, name, sizeof name);
        condense_cnn *net = new_two_layer(&d);
        const size_t want_W = d.C0 * d.m * d.m + 1, want_a = d.W1 * d.H1;
        if (condense_theta_W_beta_size(net) != want_W)
            fail_msg("%s: theta_W_beta_size %zu, expected C0 m^2 + 1 = %zu", name,
                     condense_theta_W_beta_size(net), want_W);
        if (condense_theta_a_beta_size(net) != want_a)
            fail_msg("%s: theta_a_beta_size %zu, expected W1 H1 = %zu", name,
                     condense_theta_a_beta_size(net), want_a);
        if (condense_theta_beta_size(net) != want_W + want_a)
            fail_msg("%s: theta_beta_size %zu, expected %zu", name, condense_theta_beta_size(net),
                     want_W + want_a);
        condense_cnn_free(net);
    }
    /* one case by hand: 7 x 5 x 3, m = 3: 3*9 + 1 = 28, 5*3 = 15, 43 */
    dims d = make_dims(7, 5, 3, 3, 2);
    condense_cnn *net = new_two_layer(&d);
    assert_int_equal(condense_theta_W_beta_size(net), 28);
    assert_int_equal(condense_theta_a_beta_size(net), 15);
    assert_int_equal(condense_theta_beta_size(net), 43);
    condense_cnn_free(net);
}

/* ---- theta_beta pack: the paper's order --------------------------------------------------- */

static void test_pack_layout(void **state)
{
    (void)state;
    dims cs[N_CASES];
    assert_int_equal(all_cases(cs), N_CASES);
    for (size_t ic = 0; ic < N_CASES; ++ic) {
        const dims d = cs[ic];
        char name[128];
        describe(&d, name, sizeof name);
        condense_cnn *net = new_two_layer(&d);
        fill_codes(net, &d);
        snapshot before = take(net, &d);
        const size_t len = d.C0 * d.m * d.m + 1 + d.W1 * d.H1;
        double *e = malloc(len * sizeof(double));
        assert_non_null(e);
        for (size_t beta = 1; beta <= d.M; ++beta) {
            assert_int_equal(expected_theta_beta(&d, beta, e), len);
            double *v = new_vec(len);
            int st = condense_theta_beta_pack(net, beta, v);
            if (st != CONDENSE_OK)
                fail_msg("%s: pack(%zu) = %d (%s)", name, beta, st, condense_errmsg());
            for (size_t k = 0; k < len; ++k)
                if (v[k] != e[k])
                    fail_msg("%s, beta = %zu: theta_beta[%zu] = %.17g, expected %.17g", name, beta,
                             k, v[k], e[k]);
            expect_guard(v, len, name);
            free(v);
        }
        if (!same_as(net, &d, &before)) fail_msg("%s: pack modified the network", name);
        drop(&before);
        free(e);
        condense_cnn_free(net);
    }
}

/* A hand-written instance of the listing, independent of the enumeration helper: C_0 = 2,
 * m = 2, W_0 x H_0 = 3 x 4 (so W_1 x H_1 = 2 x 3), M = 2, kernel beta = 2. */
static void test_pack_literal(void **state)
{
    (void)state;
    const dims d = make_dims(3, 4, 2, 2, 2);
    condense_cnn *net = new_two_layer(&d);
    fill_codes(net, &d);
    const double want[] = {/* alpha = 1: W_{0,0}, W_{0,1}, W_{1,0}, W_{1,1} */
                           1000002, 1000102, 1010002, 1010102,
                           /* alpha = 2 */
                           2000002, 2000102, 2010002, 2010102,
                           /* b_2 */
                           -2,
                           /* a_{1,1..3,2}; a_{2,1..3,2} */
                           10102.5, 10202.5, 10302.5, 20102.5, 20202.5, 20302.5};
    const size_t len = sizeof want / sizeof want[0];
    assert_int_equal(condense_theta_beta_size(net), len);
    double *v = new_vec(len);
    assert_int_equal(condense_theta_beta_pack(net, 2, v), CONDENSE_OK);
    for (size_t k = 0; k < len; ++k)
        if (v[k] != want[k]) fail_msg("theta_2[%zu] = %.17g, expected %.17g", k, v[k], want[k]);
    expect_guard(v, len, "literal");
    free(v);
    condense_cnn_free(net);
}

/* ---- theta_beta unpack -------------------------------------------------------------------- */

static void test_unpack(void **state)
{
    (void)state;
    dims cs[N_CASES];
    assert_int_equal(all_cases(cs), N_CASES);
    for (size_t ic = 0; ic < N_CASES; ++ic) {
        const dims d = cs[ic];
        char name[128];
        describe(&d, name, sizeof name);
        const size_t lenW = d.C0 * d.m * d.m + 1, len = lenW + d.W1 * d.H1;
        condense_cnn *net = new_two_layer(&d);
        for (size_t beta = 1; beta <= d.M; ++beta) {
            fill_codes(net, &d);
            /* new values, distinct from every code and from each other */
            double *v = malloc(len * sizeof(double));
            assert_non_null(v);
            for (size_t k = 0; k < len; ++k)
                v[k] = -1000.0 - (double)k - 0.25;

            /* The expected network: codes, with kernel beta's entries replaced from v in the
             * paper's order, written with the test's own offsets. */
            snapshot want = take(net, &d);
            size_t k = 0;
            for (size_t alpha = 1; alpha <= d.C0; ++alpha)
                for (size_t p = 0; p < d.m; ++p)
                    for (size_t q = 0; q < d.m; ++q)
                        want.W[W_off(&d, p, q, alpha, beta)] = v[k++];
            want.b[beta - 1] = v[k++];
            for (size_t u = 1; u <= d.W1; ++u)
                for (size_t vv = 1; vv <= d.H1; ++vv)
                    want.a[a_off(&d, u, vv, beta)] = v[k++];
            assert_int_equal(k, len);

            int st = condense_theta_beta_unpack(net, beta, v);
            if (st != CONDENSE_OK)
                fail_msg("%s: unpack(%zu) = %d (%s)", name, beta, st, condense_errmsg());
            if (!same_as(net, &d, &want)) {
                for (size_t i = 0; i < W_total(&d); ++i)
                    if (net->kernel[1][i] != want.W[i])
                        fail_msg("%s, beta = %zu: W storage %zu = %.17g, expected %.17g", name,
                                 beta, i, net->kernel[1][i], want.W[i]);
                for (size_t i = 0; i < d.M; ++i)
                    if (net->bias[1][i] != want.b[i])
                        fail_msg("%s, beta = %zu: b_%zu = %.17g, expected %.17g", name, beta, i + 1,
                                 net->bias[1][i], want.b[i]);
                fail_msg("%s, beta = %zu: a differs after unpack", name, beta);
            }

            /* pack(beta) after unpack(beta, v) returns v */
            double *w = new_vec(len);
            assert_int_equal(condense_theta_beta_pack(net, beta, w), CONDENSE_OK);
            if (memcmp(v, w, len * sizeof(double)) != 0)
                fail_msg("%s, beta = %zu: pack(unpack(v)) != v", name, beta);
            expect_guard(w, len, name);
            free(w);
            drop(&want);
            free(v);
        }
        condense_cnn_free(net);
    }
}

/* pack then unpack of every kernel leaves a random network bit-identical. */
static void test_pack_unpack_roundtrip(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2024);
    dims cs[N_CASES];
    assert_int_equal(all_cases(cs), N_CASES);
    for (size_t ic = 0; ic < N_CASES; ++ic) {
        const dims d = cs[ic];
        char name[128];
        describe(&d, name, sizeof name);
        condense_cnn *net = new_two_layer(&d);
        for (size_t i = 0; i < W_total(&d); ++i)
            net->kernel[1][i] = gsl_rng_uniform(r) - 0.5;
        for (size_t i = 0; i < d.M; ++i)
            net->bias[1][i] = gsl_rng_uniform(r) - 0.5;
        for (size_t i = 0; i < a_total(&d); ++i)
            net->a[i] = gsl_rng_uniform(r) - 0.5;
        snapshot before = take(net, &d);
        const size_t len = condense_theta_beta_size(net);
        double *v = new_vec(len);
        for (size_t beta = 1; beta <= d.M; ++beta) {
            assert_int_equal(condense_theta_beta_pack(net, beta, v), CONDENSE_OK);
            assert_int_equal(condense_theta_beta_unpack(net, beta, v), CONDENSE_OK);
        }
        if (!same_as(net, &d, &before)) fail_msg("%s: pack/unpack changed the network", name);
        free(v);
        drop(&before);
        condense_cnn_free(net);
    }
    gsl_rng_free(r);
}

/* ---- theta_W ------------------------------------------------------------------------------ */

static void test_theta_W(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 77);
    dims cs[N_CASES];
    assert_int_equal(all_cases(cs), N_CASES);
    for (size_t ic = 0; ic < N_CASES; ++ic) {
        const dims d = cs[ic];
        char name[128];
        describe(&d, name, sizeof name);
        const size_t lenW = d.C0 * d.m * d.m + 1, len = lenW + d.W1 * d.H1, total = d.M * lenW;
        /* The cases are small; saying so bounds the sizes for gcc -O2, whose object-size
         * analysis otherwise warns about a malloc of a "possibly huge" total. */
        if (total > 1000000 || len > 1000000) {
            fail_msg("%s: unexpectedly large case", name);
            continue;
        }
        condense_cnn *net = new_two_layer(&d);
        fill_codes(net, &d);

        /* block beta of theta_W = the first C_0 m^2 + 1 entries of the paper's theta_beta */
        double *tW = new_vec(total), *e = malloc(len * sizeof(double));
        assert_non_null(e);
        assert_int_equal(condense_theta_W_pack(net, tW), CONDENSE_OK);
        for (size_t beta = 1; beta <= d.M; ++beta) {
            expected_theta_beta(&d, beta, e);
            for (size_t k = 0; k < lenW; ++k)
                if (tW[(beta - 1) * lenW + k] != e[k])
                    fail_msg("%s: theta_W block %zu entry %zu = %.17g, expected %.17g", name, beta,
                             k, tW[(beta - 1) * lenW + k], e[k]);
        }
        expect_guard(tW, total, name);

        /* unpack of a random vector, then pack, is the identity, and a is untouched */
        snapshot before = take(net, &d);
        double *v = malloc(total * sizeof(double));
        assert_non_null(v);
        for (size_t k = 0; k < total; ++k)
            v[k] = gsl_rng_uniform(r) * 2.0 - 1.0;
        assert_int_equal(condense_theta_W_unpack(net, v), CONDENSE_OK);
        if (memcmp(net->a, before.a, a_total(&d) * sizeof(double)) != 0)
            fail_msg("%s: theta_W_unpack modified a", name);
        /* the W and b entries follow the paper's order within each block */
        for (size_t beta = 1; beta <= d.M; ++beta) {
            size_t k = (beta - 1) * lenW;
            for (size_t alpha = 1; alpha <= d.C0; ++alpha)
                for (size_t p = 0; p < d.m; ++p)
                    for (size_t q = 0; q < d.m; ++q, ++k)
                        if (net->kernel[1][W_off(&d, p, q, alpha, beta)] != v[k])
                            fail_msg("%s: W_{%zu,%zu,%zu,%zu} != theta_W[%zu]", name, p, q, alpha,
                                     beta, k);
            if (net->bias[1][beta - 1] != v[k])
                fail_msg("%s: b_%zu != theta_W[%zu]", name, beta, k);
        }
        double *w = new_vec(total);
        assert_int_equal(condense_theta_W_pack(net, w), CONDENSE_OK);
        if (memcmp(v, w, total * sizeof(double)) != 0)
            fail_msg("%s: theta_W_pack(theta_W_unpack(v)) != v", name);
        expect_guard(w, total, name);

        free(w);
        free(v);
        drop(&before);
        free(e);
        free(tW);
        condense_cnn_free(net);
    }
    gsl_rng_free(r);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void expect_error(int got, int want, const char *what)
{
    if (got != want)
        fail_msg("%s: status %d (%s), expected %d (%s)", what, got, condense_strerror(got), want,
                 condense_strerror(want));
    if (condense_errmsg()[0] == '\0') fail_msg("%s: no error message recorded", what);
}

static void expect_untouched(const double *v, size_t len, const char *what)
{
    for (size_t i = 0; i < len; ++i)
        if (v[i] != SENTINEL)
            fail_msg("%s: output vector written on error (entry %zu = %g)", what, i, v[i]);
}

static void test_errors_L2(void **state)
{
    (void)state;
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = 2;
    s.W0 = 6;
    s.H0 = 5;
    s.C0 = 2;
    s.C[1] = 3;
    s.C[2] = 2;
    s.m[1] = 2;
    s.m[2] = 2;
    condense_activation act = {&condense_act_tanh, 1.0};
    condense_cnn *net = NULL;
    assert_int_equal(condense_cnn_alloc(&s, act, &net), CONDENSE_OK);
    for (size_t i = 0; i < 2 * 2 * 2 * 3; ++i)
        net->kernel[1][i] = (double)i + 0.5;
    /* copies of the L = 2 network's parameters, to see that unpack wrote nothing */
    condense_cnn *copy = NULL;
    assert_int_equal(condense_cnn_clone(net, 1, &copy), CONDENSE_OK);

    /* Large enough for anything a wrong implementation could write (nparams). */
    const size_t big = condense_cnn_nparams(net) + 64;
    double *v = new_vec(big);
    const char *what[] = {"theta_beta_pack", "theta_beta_unpack", "theta_W_pack", "theta_W_unpack"};
    for (int f = 0; f < 4; ++f) {
        condense_error_clear();
        int st = f == 0   ? condense_theta_beta_pack(net, 1, v)
                 : f == 1 ? condense_theta_beta_unpack(net, 1, v)
                 : f == 2 ? condense_theta_W_pack(net, v)
                          : condense_theta_W_unpack(net, v);
        expect_error(st, CONDENSE_EINVAL, what[f]);
        if (strchr(condense_errmsg(), 'L') == NULL)
            fail_msg("%s on L = 2: message does not mention L: \"%s\"", what[f], condense_errmsg());
        expect_untouched(v, big, what[f]);
        /* the network is unchanged (checked for the unpacks; harmless for the packs) */
        for (size_t l = 1; l <= 2; ++l) {
            const size_t nW = net->m[l] * net->m[l] * net->C[l - 1] * net->C[l];
            if (memcmp(net->kernel[l], copy->kernel[l], nW * sizeof(double)) != 0 ||
                memcmp(net->bias[l], copy->bias[l], net->C[l] * sizeof(double)) != 0)
                fail_msg("%s on L = 2 modified layer %zu", what[f], l);
        }
        if (memcmp(net->a, copy->a, net->W[2] * net->H[2] * net->C[2] * sizeof(double)) != 0)
            fail_msg("%s on L = 2 modified a", what[f]);
    }
    free(v);
    condense_cnn_free(copy);
    condense_cnn_free(net);
}

static void test_errors_beta_null(void **state)
{
    (void)state;
    const dims d = make_dims(7, 5, 3, 2, 5);
    condense_cnn *net = new_two_layer(&d);
    fill_codes(net, &d);
    snapshot before = take(net, &d);
    const size_t len = condense_theta_beta_size(net), total = d.M * condense_theta_W_beta_size(net);
    double *v = new_vec(total > len ? total : len);
    const size_t vlen = total > len ? total : len;
    const size_t bad_beta[] = {0, d.M + 1};

    for (size_t j = 0; j < 2; ++j) {
        char what[64];
        snprintf(what, sizeof what, "pack beta = %zu (M = %zu)", bad_beta[j], d.M);
        condense_error_clear();
        expect_error(condense_theta_beta_pack(net, bad_beta[j], v), CONDENSE_EINVAL, what);
        expect_untouched(v, vlen, what);
        snprintf(what, sizeof what, "unpack beta = %zu (M = %zu)", bad_beta[j], d.M);
        condense_error_clear();
        expect_error(condense_theta_beta_unpack(net, bad_beta[j], v), CONDENSE_EINVAL, what);
        if (!same_as(net, &d, &before)) fail_msg("%s modified the network", what);
    }

    condense_error_clear();
    expect_error(condense_theta_beta_pack(NULL, 1, v), CONDENSE_EINVAL, "pack(NULL net)");
    expect_untouched(v, vlen, "pack(NULL net)");
    condense_error_clear();
    expect_error(condense_theta_beta_pack(net, 1, NULL), CONDENSE_EINVAL, "pack(NULL vector)");
    condense_error_clear();
    expect_error(condense_theta_beta_unpack(NULL, 1, v), CONDENSE_EINVAL, "unpack(NULL net)");
    condense_error_clear();
    expect_error(condense_theta_beta_unpack(net, 1, NULL), CONDENSE_EINVAL, "unpack(NULL vector)");
    condense_error_clear();
    expect_error(condense_theta_W_pack(NULL, v), CONDENSE_EINVAL, "W_pack(NULL net)");
    expect_untouched(v, vlen, "W_pack(NULL net)");
    condense_error_clear();
    expect_error(condense_theta_W_pack(net, NULL), CONDENSE_EINVAL, "W_pack(NULL vector)");
    condense_error_clear();
    expect_error(condense_theta_W_unpack(NULL, v), CONDENSE_EINVAL, "W_unpack(NULL net)");
    condense_error_clear();
    expect_error(condense_theta_W_unpack(net, NULL), CONDENSE_EINVAL, "W_unpack(NULL vector)");
    if (!same_as(net, &d, &before)) fail_msg("a failing call modified the network");

    /* the boundaries beta = 1 and beta = M are accepted */
    assert_int_equal(condense_theta_beta_pack(net, 1, v), CONDENSE_OK);
    assert_int_equal(condense_theta_beta_pack(net, d.M, v), CONDENSE_OK);

    free(v);
    drop(&before);
    condense_cnn_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_pack_layout),
        cmocka_unit_test(test_pack_literal),
        cmocka_unit_test(test_unpack),
        cmocka_unit_test(test_pack_unpack_roundtrip),
        cmocka_unit_test(test_theta_W),
        cmocka_unit_test(test_errors_L2),
        cmocka_unit_test(test_errors_beta_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
