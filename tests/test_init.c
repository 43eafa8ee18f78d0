/* test_init.c -- checks of condense/init.h: the seeded generator, eq. (3)-(4) of the CNN paper
 * (every W^[l], b^[l], a entry ~ N(0, eps^2)) and the experiments' scheme of Sec. 4.1
 * (W^[l], b^[l] ~ N(0, sigma_1^2) with sigma_1 = ((c_in + c_out) m^2 / 2)^(-gamma), and
 * a ~ N(0, sigma_2^2)).
 *
 * Independent routes: the documented draw order (for l = 1..L: W^[l] in storage order, then
 * b^[l]; then a) is replayed with the test's own identically seeded gsl_rng_mt19937 and
 * gsl_ran_gaussian; sigma_1 is computed by hand or in long double through expl/logl; the
 * distribution is checked by sample statistics with explicit 5-sigma bounds.
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

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/error.h"
#include "condense/init.h"

#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* |actual - expected| <= reltol * |expected|, printing both on failure. */
#define assert_rel(actual, expected, reltol)                                                       \
    do {                                                                                           \
        const double a_ = (actual), e_ = (expected), t_ = (reltol);                                \
        if (!(fabs(a_ - e_) <= t_ * fabs(e_))) {                                                   \
            print_error("%s = %.17g, expected %.17g (relative tolerance %g, off by %g)\n",         \
                        #actual, a_, e_, t_, fabs(a_ - e_) / fabs(e_));                            \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static void assert_message_recorded(void)
{
    assert_true(strlen(condense_errmsg()) > 0);
}

/* ---- networks ------------------------------------------------------------------------------ */

static condense_cnn *make_net(size_t L, size_t W0, size_t H0, size_t C0, const size_t *C,
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
    condense_activation act;
    assert_status(condense_activation_lookup("tanh", 0, &act), CONDENSE_OK);
    condense_cnn *net = NULL;
    assert_status(condense_cnn_alloc(&s, act, &net), CONDENSE_OK);
    return net;
}

/* A 3-layer net with C0 = 3: 9x8 input, C = (4, 5, 2), m = (3, 3, 2): outputs 7x6, 5x4, 4x3. */
static condense_cnn *make_net3(void)
{
    const size_t C[] = {4, 5, 2}, m[] = {3, 3, 2};
    return make_net(3, 9, 8, 3, C, m);
}

/* The wide single-layer net of the statistics tests: C0 = 1, M = 4000 channels, m = 3, 5x5
 * input: 9 * 4000 = 36000 W entries, 4000 b entries, 3 * 3 * 4000 = 36000 a entries. */
static condense_cnn *make_wide(void)
{
    const size_t C[] = {4000}, m[] = {3};
    return make_net(1, 5, 5, 1, C, m);
}

/* theta as one freshly allocated vector (the documented pack order), to compare networks. */
static double *packed(const condense_cnn *net)
{
    double *theta = malloc(condense_cnn_nparams(net) * sizeof *theta);
    assert_non_null(theta);
    condense_cnn_pack(net, theta);
    return theta;
}

static void assert_net_equals(const condense_cnn *net, const double *theta)
{
    double *now = packed(net);
    assert_memory_equal(now, theta, condense_cnn_nparams(net) * sizeof *theta);
    free(now);
}

static gsl_rng *seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, seed);
    return r;
}

static gsl_rng *lib_rng(unsigned long seed)
{
    gsl_rng *r = NULL;
    assert_status(condense_rng_alloc(seed, &r), CONDENSE_OK);
    assert_non_null(r);
    return r;
}

/* ---- sample statistics ----------------------------------------------------------------------- */

/* x[0..N-1] should be i.i.d. N(0, sd^2).  Three 5-sigma checks (each fails with probability
 * ~6e-7 for a correct sampler; the seed is fixed, so the outcome is deterministic):
 *   sample mean m:           E m = 0, sd(m) = sd / sqrt(N)               -> |m| <= 5 sd/sqrt(N)
 *   v = (1/N) sum x^2:       E v = sd^2, sd(v) = sd^2 sqrt(2/N)           (known mean 0)
 *                                                      -> |v - sd^2| <= 5 sd^2 sqrt(2/N)
 *   fraction with |x| < sd:  p0 = erf(1/sqrt 2) = 0.6826894921370859, binomial sd
 *                            sqrt(p0 (1 - p0) / N)   -> within 5 of those; this one tells a
 *                            normal from, e.g., a uniform of equal variance (p = 0.577). */
static void check_normal_sample(const double *x, size_t N, double sd, const char *what)
{
    double sum = 0.0, sum2 = 0.0;
    size_t inside = 0;
    for (size_t k = 0; k < N; ++k) {
        sum += x[k];
        sum2 += x[k] * x[k];
        inside += fabs(x[k]) < sd;
    }
    const double n = (double)N, mean = sum / n, v = sum2 / n;
    const double p0 = 0.6826894921370859, frac = (double)inside / n;
    const double mean_bound = 5.0 * sd / sqrt(n);
    const double var_bound = 5.0 * sd * sd * sqrt(2.0 / n);
    const double frac_bound = 5.0 * sqrt(p0 * (1.0 - p0) / n);
    if (!(fabs(mean) <= mean_bound && fabs(v - sd * sd) <= var_bound &&
          fabs(frac - p0) <= frac_bound)) {
        print_error("%s (N = %zu, sd = %g): mean %g (bound %g), mean square %g vs %g (bound %g), "
                    "P(|x| < sd) %g vs %g (bound %g)\n",
                    what, N, sd, mean, mean_bound, v, sd * sd, var_bound, frac, p0, frac_bound);
        fail();
    }
}

/* ---- condense_rng_alloc ---------------------------------------------------------------------- */

/* The library's generator is GSL's mt19937 seeded with `seed`: the raw outputs must be the same
 * integers (exact: same algorithm, same state). */
static void test_rng_alloc(void **state)
{
    (void)state;
    const unsigned long seeds[] = {0, 1, 12345, 4294967295UL};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; ++s) {
        gsl_rng *mine = seeded(seeds[s]);
        gsl_rng *lib = lib_rng(seeds[s]);
        assert_string_equal(gsl_rng_name(lib), "mt19937");
        for (int k = 0; k < 16; ++k)
            assert_int_equal(gsl_rng_get(lib), gsl_rng_get(mine));
        gsl_rng_free(lib);
        gsl_rng_free(mine);
    }
    /* Different seeds give different streams (the first outputs of mt19937 for seeds 1 and 2
     * differ). */
    gsl_rng *a = lib_rng(1), *b = lib_rng(2);
    assert_true(gsl_rng_get(a) != gsl_rng_get(b));
    gsl_rng_free(a);
    gsl_rng_free(b);

    condense_error_clear();
    assert_status(condense_rng_alloc(1, NULL), CONDENSE_EINVAL);
    assert_message_recorded();
}

/* ---- condense_init_normal -------------------------------------------------------------------- */

/* Same seed: bit-identical networks (memcmp).  Different seed: different parameters. */
static void test_normal_reproducible(void **state)
{
    (void)state;
    condense_cnn *n1 = make_net3(), *n2 = make_net3(), *n3 = make_net3();
    gsl_rng *r1 = lib_rng(77), *r2 = lib_rng(77), *r3 = lib_rng(78);
    assert_status(condense_init_normal(n1, 0.1, r1), CONDENSE_OK);
    assert_status(condense_init_normal(n2, 0.1, r2), CONDENSE_OK);
    assert_status(condense_init_normal(n3, 0.1, r3), CONDENSE_OK);
    double *t1 = packed(n1), *t3 = packed(n3);
    assert_net_equals(n2, t1);
    /* Every one of the continuous draws differs between the two seeds' networks (a shared
     * value would have probability 0); at least the vectors must differ. */
    assert_memory_not_equal(t1, t3, condense_cnn_nparams(n1) * sizeof(double));
    size_t equal = 0;
    for (size_t k = 0; k < condense_cnn_nparams(n1); ++k)
        equal += t1[k] == t3[k];
    assert_int_equal(equal, 0);
    free(t1);
    free(t3);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    gsl_rng_free(r3);
    condense_cnn_free(n1);
    condense_cnn_free(n2);
    condense_cnn_free(n3);
}

/* The documented order: for l = 1..L, W^[l] in storage order (the memory order of
 * net->kernel[l], i.e. C order p, q, alpha, beta), then b^[l]; then a (memory order).  Replayed
 * with gsl_ran_gaussian(ref, eps) on an identically seeded mt19937: the same function on the
 * same state with the same sigma, so equality is exact (tolerance 0).  Afterwards both
 * generators must be at the same point: no extra or missing draws. */
static void test_normal_draw_order(void **state)
{
    (void)state;
    const double eps = 0.037;
    condense_cnn *net = make_net3();
    gsl_rng *lib = lib_rng(2023), *ref = seeded(2023);
    assert_status(condense_init_normal(net, eps, lib), CONDENSE_OK);
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t nW = net->m[l] * net->m[l] * net->C[l - 1] * net->C[l];
        for (size_t k = 0; k < nW; ++k)
            assert_true(net->kernel[l][k] == gsl_ran_gaussian(ref, eps));
        for (size_t k = 0; k < net->C[l]; ++k)
            assert_true(net->bias[l][k] == gsl_ran_gaussian(ref, eps));
    }
    const size_t L = net->L, na = net->W[L] * net->H[L] * net->C[L];
    for (size_t k = 0; k < na; ++k)
        assert_true(net->a[k] == gsl_ran_gaussian(ref, eps));
    assert_int_equal(gsl_rng_get(lib), gsl_rng_get(ref));

    /* Storage order of W^[1] spelled out: W^[1]_{p,q,alpha,beta} for (C0, C1, m) = (3, 4, 3)
     * is kernel[1][((p*3 + q)*3 + alpha-1)*4 + beta-1]; W_{2,1,3,2} is entry 93, the 94th draw
     * of the stream. */
    gsl_rng_set(ref, 2023);
    double w93 = 0.0;
    for (int k = 0; k <= 93; ++k)
        w93 = gsl_ran_gaussian(ref, eps);
    assert_true(*condense_W(net, 1, 2, 1, 3, 2) == w93);

    gsl_rng_free(lib);
    gsl_rng_free(ref);
    condense_cnn_free(net);
}

static void test_normal_statistics(void **state)
{
    (void)state;
    const double eps = 0.01;
    condense_cnn *net = make_wide();
    gsl_rng *r = lib_rng(31337);
    assert_status(condense_init_normal(net, eps, r), CONDENSE_OK);
    assert_int_equal(condense_cnn_W_size(net, 1), 36000);
    assert_int_equal(condense_cnn_a_size(net), 36000);
    check_normal_sample(net->kernel[1], 36000, eps, "W^[1]");
    check_normal_sample(net->bias[1], 4000, eps, "b^[1]");
    check_normal_sample(net->a, 36000, eps, "a");
    gsl_rng_free(r);
    condense_cnn_free(net);
}

/* eps must be finite and > 0; NULL arguments are refused; the network is untouched (memcmp
 * with a copy taken before the call). */
static void test_normal_errors(void **state)
{
    (void)state;
    condense_cnn *net = make_net3();
    gsl_rng *r = lib_rng(5);
    assert_status(condense_init_normal(net, 1.0, r), CONDENSE_OK);
    double *before = packed(net);
    const double bad[] = {0.0, -0.0, -1.0, -DBL_MIN, NAN, INFINITY, -INFINITY};
    for (size_t s = 0; s < sizeof bad / sizeof bad[0]; ++s) {
        condense_error_clear();
        assert_status(condense_init_normal(net, bad[s], r), CONDENSE_EDOM);
        assert_message_recorded();
        assert_net_equals(net, before);
    }
    condense_error_clear();
    assert_status(condense_init_normal(NULL, 0.1, r), CONDENSE_EINVAL);
    assert_message_recorded();
    assert_status(condense_init_normal(net, 0.1, NULL), CONDENSE_EINVAL);
    assert_net_equals(net, before);
    free(before);
    gsl_rng_free(r);
    condense_cnn_free(net);
}

/* ---- condense_init_sigma1 -------------------------------------------------------------------- */

/* Hand-computed values.  pow in glibc is accurate to < 1 ulp, so where the exact value is
 * representable (or one correctly rounded division away) 2 DBL_EPSILON relative covers the
 * library's pow plus the reference's single rounding. */
static void test_sigma1_hand(void **state)
{
    (void)state;
    /* c_in = 1, c_out = 32, m = 3, gamma = 2: (33 * 9 / 2)^(-2) = 148.5^(-2) = 1 / 22052.25
     * (22052.25 is exact in binary). */
    assert_rel(condense_init_sigma1(1, 32, 3, 2.0), 1.0 / 22052.25, 2 * DBL_EPSILON);
    /* (1 + 1) * 2^2 / 2 = 4, 4^(-1/2) = 1/2 exactly. */
    assert_rel(condense_init_sigma1(1, 1, 2, 0.5), 0.5, 2 * DBL_EPSILON);
    /* (1 + 2) * 1 / 2 = 3/2, (3/2)^(-1) = 2/3. */
    assert_rel(condense_init_sigma1(1, 2, 1, 1.0), 2.0 / 3.0, 2 * DBL_EPSILON);
    /* gamma = 0: sigma_1 = 1 for any layer; fan (1 + 1) * 1 / 2 = 1: sigma_1 = 1 for any
     * gamma. */
    assert_rel(condense_init_sigma1(64, 64, 5, 0.0), 1.0, 2 * DBL_EPSILON);
    assert_rel(condense_init_sigma1(1, 1, 1, 3.7), 1.0, 2 * DBL_EPSILON);
    /* Negative gamma: (2 + 2) * 9 / 2 = 18, 18^1 = 18. */
    assert_rel(condense_init_sigma1(2, 2, 3, -1.0), 18.0, 2 * DBL_EPSILON);
    /* The channel counts enter as a sum: (3, 5) and (5, 3) and (1, 7) give the same value. */
    assert_true(condense_init_sigma1(3, 5, 3, 1.3) == condense_init_sigma1(5, 3, 3, 1.3));
    assert_true(condense_init_sigma1(3, 5, 3, 1.3) == condense_init_sigma1(1, 7, 3, 1.3));
}

/* An independent reference for fan^(-gamma), with a bound on its relative error plus the
 * library's (glibc pow: < 1 ulp = DBL_EPSILON relative), in units of DBL_EPSILON:
 *   gamma = 1/2:  1 / sqrt(fan), two correctly rounded operations: 1 + 1 = 2;
 *   gamma = 2, 4: 1 / fan^2, 1 / (fan^2)^2 with the powers exact (checked: below 2^53 and
 *                 fan a multiple of 1/2), one rounding: 0.5 + 1 -> 2;
 *   otherwise:    exp(-gamma log fan) in double.  log fan carries a half-ulp error, i.e. a
 *                 relative error <= DBL_EPSILON/2 of |log fan|, and the product another half
 *                 ulp of |gamma log fan|: the argument is off by <= |gamma log fan| DBL_EPSILON
 *                 (absolute), which exp turns into the same relative error; plus exp's and
 *                 pow's own ulp: |gamma log fan| + 3.
 * (Long double would be more accurate, but valgrind evaluates x87 long double in double
 * precision, so a long double reference would not be what it claims under valgrind.) */
static double ref_fan_pow(double fan, double gamma, double *tol)
{
    if (gamma == 0.5) {
        *tol = 2.0 * DBL_EPSILON;
        return 1.0 / sqrt(fan);
    }
    if (gamma == 2.0 || gamma == 4.0) {
        const double f2 = fan * fan;
        assert_true(f2 < 0x1p53 && fan * 2.0 == floor(fan * 2.0));
        *tol = 2.0 * DBL_EPSILON;
        return gamma == 2.0 ? 1.0 / f2 : 1.0 / (f2 * f2);
    }
    *tol = (gamma * fabs(log(fan)) + 3.0) * DBL_EPSILON;
    return exp(-gamma * log(fan));
}

/* c_in = 3, c_out = 32, m = 5, gamma = 1.2: (35 * 25 / 2)^(-1.2) = 437.5^(-1.2), against
 * exp(-1.2 log 437.5) in double.  log 437.5 = 6.08 has a half-ulp error of 2 DBL_EPSILON
 * (absolute, ulp(6.08) = 4 DBL_EPSILON), times 1.2 -> 2.4; the product -7.3 adds its half ulp,
 * 2: the argument is off by <= 4.4 DBL_EPSILON, which is the relative error exp passes on; plus
 * exp's and pow's own (< 1.5 ulp): tolerance 8 DBL_EPSILON.  (The brief's 4 DBL_EPSILON is what
 * the two usually agree to, 1.4 here, but is not a guaranteed bound for this route.) */
static void test_sigma1_non_integer_gamma(void **state)
{
    (void)state;
    const double gamma = 1.2;
    assert_rel(condense_init_sigma1(3, 32, 5, gamma), exp(-gamma * log(437.5)), 8 * DBL_EPSILON);
    /* The experiments' layer shapes (MNIST-like 1 -> 32 with m = 5, CIFAR-like 3 -> 32 with
     * m = 3, deeper 32 -> 32, 32 -> 64) for several gamma, against ref_fan_pow and its bound.
     * The fans are written out by hand: (1+32)*25/2 = 412.5, (3+32)*9/2 = 157.5,
     * (32+32)*9/2 = 288, (32+64)*9/2 = 432. */
    const size_t cases[][3] = {{1, 32, 5}, {3, 32, 3}, {32, 32, 3}, {32, 64, 3}};
    const double fans[] = {412.5, 157.5, 288.0, 432.0};
    const double gammas[] = {0.5, 2.0, 4.0, 1.7, 1.2};
    for (size_t s = 0; s < sizeof cases / sizeof cases[0]; ++s)
        for (size_t g = 0; g < sizeof gammas / sizeof gammas[0]; ++g) {
            double tol;
            const double ref = ref_fan_pow(fans[s], gammas[g], &tol);
            assert_rel(condense_init_sigma1(cases[s][0], cases[s][1], cases[s][2], gammas[g]), ref,
                       tol);
        }
}

/* sigma_1 is a real formula of size_t arguments: intermediate integer products must not wrap.
 * m = 2^32: (1 + 1) * 2^64 / 2 = 2^64, so sigma_1 = 2^-64 for gamma = 1 (exact in binary).
 * c_in = c_out = 2^63: (2^64) * 1 / 2 = 2^63, sigma_1 = 2^-63.  (m^2 or c_in + c_out computed
 * in size_t would wrap to 0 and give +inf.) */
static void test_sigma1_no_integer_overflow(void **state)
{
    (void)state;
    if (SIZE_MAX < UINT64_MAX) skip();
    /* Both computed first, so that a failure reports both (tolerance: exact powers of two,
     * pow < 1 ulp -> 2 DBL_EPSILON). */
    const double big_m = condense_init_sigma1(1, 1, (size_t)1 << 32, 1.0);
    const double big_c = condense_init_sigma1((size_t)1 << 63, (size_t)1 << 63, 1, 1.0);
    const double want_m = ldexp(1.0, -64), want_c = ldexp(1.0, -63);
    if (!(fabs(big_m - want_m) <= 2 * DBL_EPSILON * want_m &&
          fabs(big_c - want_c) <= 2 * DBL_EPSILON * want_c)) {
        print_error("m = 2^32: %.17g (expected 2^-64 = %.17g); c_in = c_out = 2^63: %.17g "
                    "(expected 2^-63 = %.17g)\n",
                    big_m, want_m, big_c, want_c);
        fail();
    }
}

/* ---- condense_init_experiment -----------------------------------------------------------------
 */

/* Exact replay of the draw order on a 3-layer net: entry = g * sigma with g the standard
 * normal gsl_ran_gaussian(ref, 1.0) of the same stream position and sigma = sigma_1 of the
 * entry's layer (or sigma_2 for a).  gsl_ran_gaussian(r, s) multiplies by s in a different
 * order than g * s (two roundings each way: 2 DBL_EPSILON), and sigma_1 differs from the test's
 * ref_fan_pow by at most ref_fan_pow's bound: relative tolerance tol + 2 DBL_EPSILON.  An entry
 * drawn with another layer's sigma_1 would be off by the ratio of the two (>= 1.06 here). */
static void test_experiment_draws(void **state)
{
    (void)state;
    const double sigma_2 = 1e-4;
    const double gammas[] = {0.5, 2.0, 1.2};
    /* Layer fans (C_{l-1} + C_l) m_l^2 / 2: (3+4)*9/2 = 31.5, (4+5)*9/2 = 40.5,
     * (5+2)*4/2 = 14: three different sigma_1. */
    const size_t fan_in[] = {0, 3, 4, 5}, fan_out[] = {0, 4, 5, 2}, msz[] = {0, 3, 3, 2};
    const double fans[] = {0.0, 31.5, 40.5, 14.0};
    for (size_t g = 0; g < sizeof gammas / sizeof gammas[0]; ++g) {
        const double gamma = gammas[g];
        condense_cnn *net = make_net3();
        gsl_rng *lib = lib_rng(99 + g), *ref = seeded(99 + g);
        assert_status(condense_init_experiment(net, gamma, sigma_2, lib), CONDENSE_OK);
        for (size_t l = 1; l <= 3; ++l) {
            assert_int_equal(net->C[l - 1], fan_in[l]);
            assert_int_equal(net->C[l], fan_out[l]);
            assert_int_equal(net->m[l], msz[l]);
            double tol;
            const double s1 = ref_fan_pow(fans[l], gamma, &tol);
            tol += 2 * DBL_EPSILON;
            const size_t nW = msz[l] * msz[l] * fan_in[l] * fan_out[l];
            for (size_t k = 0; k < nW; ++k)
                assert_rel(net->kernel[l][k], gsl_ran_gaussian(ref, 1.0) * s1, tol);
            for (size_t k = 0; k < fan_out[l]; ++k)
                assert_rel(net->bias[l][k], gsl_ran_gaussian(ref, 1.0) * s1, tol);
        }
        const size_t na = 4 * 3 * 2; /* W_3 x H_3 x C_3 = 4 x 3 x 2 */
        assert_int_equal(condense_cnn_a_size(net), na);
        for (size_t k = 0; k < na; ++k)
            assert_rel(net->a[k], gsl_ran_gaussian(ref, 1.0) * sigma_2, 2 * DBL_EPSILON);
        assert_int_equal(gsl_rng_get(lib), gsl_rng_get(ref));

        /* Reproducible: the same seed again gives the same bits. */
        condense_cnn *again = make_net3();
        gsl_rng *lib2 = lib_rng(99 + g);
        assert_status(condense_init_experiment(again, gamma, sigma_2, lib2), CONDENSE_OK);
        double *t = packed(net);
        assert_net_equals(again, t);
        free(t);
        gsl_rng_free(lib2);
        condense_cnn_free(again);
        gsl_rng_free(lib);
        gsl_rng_free(ref);
        condense_cnn_free(net);
    }
}

/* The distribution, on the wide net: W and b ~ N(0, sigma_1^2) with
 * sigma_1 = ((1 + 4000) * 9 / 2)^(-1/2) = 18004.5^(-1/2) ~ 7.45e-3, a ~ N(0, sigma_2^2) with the
 * paper's sigma_2 = 1e-4.  5-sigma statistical bounds as in check_normal_sample. */
static void test_experiment_statistics(void **state)
{
    (void)state;
    condense_cnn *net = make_wide();
    gsl_rng *r = lib_rng(4242);
    assert_status(condense_init_experiment(net, 0.5, 1e-4, r), CONDENSE_OK);
    const double s1 = 1.0 / sqrt(18004.5);
    check_normal_sample(net->kernel[1], 36000, s1, "W^[1] (experiment)");
    check_normal_sample(net->bias[1], 4000, s1, "b^[1] (experiment)");
    check_normal_sample(net->a, 36000, 1e-4, "a (experiment)");
    gsl_rng_free(r);
    condense_cnn_free(net);
}

/* sigma_2 = 0: a is exactly 0 (0 * g = +-0 compares equal to 0), also when a held other values
 * before; the convolution parameters are still drawn (nonzero). */
static void test_experiment_sigma2_zero(void **state)
{
    (void)state;
    condense_cnn *net = make_net3();
    const size_t na = condense_cnn_a_size(net);
    for (size_t k = 0; k < na; ++k)
        net->a[k] = 1.0;
    gsl_rng *r = lib_rng(8);
    assert_status(condense_init_experiment(net, 1.0, 0.0, r), CONDENSE_OK);
    for (size_t k = 0; k < na; ++k)
        assert_true(net->a[k] == 0.0);
    size_t nonzero = 0;
    for (size_t l = 1; l <= net->L; ++l)
        for (size_t k = 0; k < condense_cnn_W_size(net, l); ++k)
            nonzero += net->kernel[l][k] != 0.0;
    assert_int_equal(nonzero, 3 * 3 * 3 * 4 + 3 * 3 * 4 * 5 + 2 * 2 * 5 * 2);
    gsl_rng_free(r);
    condense_cnn_free(net);
}

/* Errors, each leaving the network bit-identical (memcmp with a copy). */
static void test_experiment_errors(void **state)
{
    (void)state;
    condense_cnn *net = make_net3();
    gsl_rng *r = lib_rng(6);
    assert_status(condense_init_normal(net, 1.0, r), CONDENSE_OK);
    double *before = packed(net);

    const double bad_gamma[] = {NAN, INFINITY, -INFINITY};
    for (size_t s = 0; s < sizeof bad_gamma / sizeof bad_gamma[0]; ++s) {
        condense_error_clear();
        assert_status(condense_init_experiment(net, bad_gamma[s], 1e-4, r), CONDENSE_EDOM);
        assert_message_recorded();
        assert_net_equals(net, before);
    }
    const double bad_sigma2[] = {-1e-4, -DBL_MIN, NAN, INFINITY, -INFINITY};
    for (size_t s = 0; s < sizeof bad_sigma2 / sizeof bad_sigma2[0]; ++s) {
        condense_error_clear();
        assert_status(condense_init_experiment(net, 1.0, bad_sigma2[s], r), CONDENSE_EDOM);
        assert_message_recorded();
        assert_net_equals(net, before);
    }
    /* gamma = 1000: 31.5^(-1000) underflows to 0, a zero standard deviation for W and b: EDOM.
     * gamma = -1000: 31.5^1000 overflows to +inf: not a finite standard deviation, EDOM. */
    assert_true(pow(31.5, -1000.0) == 0.0 && isinf(pow(31.5, 1000.0)));
    assert_status(condense_init_experiment(net, 1000.0, 1e-4, r), CONDENSE_EDOM);
    assert_net_equals(net, before);
    assert_status(condense_init_experiment(net, -1000.0, 1e-4, r), CONDENSE_EDOM);
    assert_net_equals(net, before);

    condense_error_clear();
    assert_status(condense_init_experiment(NULL, 1.0, 1e-4, r), CONDENSE_EINVAL);
    assert_message_recorded();
    assert_status(condense_init_experiment(net, 1.0, 1e-4, NULL), CONDENSE_EINVAL);
    assert_net_equals(net, before);
    free(before);

    /* Only a later layer's sigma_1 underflows: layer 1 has fan (1 + 1) * 1 / 2 = 1, so
     * sigma_1 = 1 for every gamma; layer 2 has (1 + 4) * 9 / 2 = 22.5, 22.5^(-1000) = 0.  The
     * failure must be found before layer 1 is drawn. */
    const size_t C[] = {1, 4}, m[] = {1, 3};
    condense_cnn *net2 = make_net(2, 6, 6, 1, C, m);
    assert_status(condense_init_normal(net2, 0.5, r), CONDENSE_OK);
    double *before2 = packed(net2);
    assert_status(condense_init_experiment(net2, 1000.0, 1e-4, r), CONDENSE_EDOM);
    assert_net_equals(net2, before2);
    free(before2);
    condense_cnn_free(net2);

    gsl_rng_free(r);
    condense_cnn_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_alloc),
        cmocka_unit_test(test_normal_reproducible),
        cmocka_unit_test(test_normal_draw_order),
        cmocka_unit_test(test_normal_statistics),
        cmocka_unit_test(test_normal_errors),
        cmocka_unit_test(test_sigma1_hand),
        cmocka_unit_test(test_sigma1_non_integer_gamma),
        cmocka_unit_test(test_sigma1_no_integer_overflow),
        cmocka_unit_test(test_experiment_draws),
        cmocka_unit_test(test_experiment_statistics),
        cmocka_unit_test(test_experiment_sigma2_zero),
        cmocka_unit_test(test_experiment_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
