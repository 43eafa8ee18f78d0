/* test_bounds.c -- checks of condense/bounds.h: the explicit estimates of CNN paper
 * App. C.3-C.5 (Proposition 2's constants, Lemma 1 eq. 49, Proposition 3 eq. 51, T_eff
 * eq. 54, t_0 eq. 58, t_bar_0, the lower bound eq. 59 and the rate eq. 64).
 *
 * Independent routes used for the expected values:
 *  - closed forms are substituted back into the equation that defines them (eta into the
 *    union bound 2 M N exp(-eta^2/2) = delta, t_0 into eq. (58), t_bar_0, (59), (64) through
 *    exp(lambda_1 t) = ... rewritten with pow instead of log);
 *  - probabilities are compared with a seeded Monte Carlo (gsl_rng mt19937) and, for
 *    Proposition 3, with the chi-square CDF of even degree k written as a Poisson sum
 *    P(chi^2_k <= x) = 1 - exp(-x/2) sum_{j < k/2} (x/2)^j / j!  (no incomplete gamma);
 *  - Proposition 2's constants are evaluated by hand for a small case (exact binary numbers).
 * Every tolerance is stated with its reason next to the assertion.
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

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/bounds.h"
#include "condense/error.h"

#define U DBL_EPSILON /* unit roundoff (x2): the scale of every rounding tolerance below */

#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* |got - want| <= rel |want|, with a message naming both. */
static void assert_rel(double got, double want, double rel, const char *what)
{
    if (!(fabs(got - want) <= rel * fabs(want))) {
        print_error("%s: got %.17g, want %.17g, relative error %.3g > %.3g\n", what, got, want,
                    fabs(got - want) / fabs(want), rel);
        fail();
    }
}

/* A double-valued function returned NaN for invalid input and recorded a message. */
#define assert_nan_with_message(expr)                                                              \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        const double v_ = (expr);                                                                  \
        if (!isnan(v_)) {                                                                          \
            print_error("%s = %g, expected NaN\n", #expr, v_);                                     \
            fail();                                                                                \
        }                                                                                          \
        assert_true(strlen(condense_errmsg()) > 0);                                                \
    } while (0)

/* An int-valued function failed with `expected` and recorded a message. */
#define assert_fails(expr, expected)                                                               \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        assert_status(expr, expected);                                                             \
        assert_true(strlen(condense_errmsg()) > 0);                                                \
    } while (0)

/* ---- Proposition 2 -------------------------------------------------------------------------- */

/* By hand: c = 2, C_L = 1.5, N_W = 5, N_a = 9 (m = 2, C_0 = 1, W_1 = H_1 = 3):
 *   K_2 = C_L^2 c^2 N_W N_a / 2 = 2.25 * 4 * 45 / 2 = 202.5,
 *   K_1 = C_L c^3 N_W sqrt(N_a) = 1.5 * 8 * 5 * 3 = 180,
 *   B(M = 3, eps = 0.125, E_max = 2) = 202.5 * 3 * (0.25)^2 + 180 * 0.25 = 37.96875 + 45
 *                                    = 82.96875.
 * All inputs and intermediate values are exact binary numbers (sqrt(9) = 3 is exact in IEEE),
 * so the results are exact: compared with ==. */
static void test_prop2_by_hand(void **state)
{
    (void)state;
    condense_prop2 p;
    assert_status(condense_prop2_init(2.0, 1.5, 5, 9, &p), CONDENSE_OK);
    assert_true(p.c == 2.0 && p.C_L == 1.5 && p.N_W == 5 && p.N_a == 9);
    assert_true(p.K_2 == 202.5);
    assert_true(p.K_1 == 180.0);
    assert_true(condense_prop2_bound(&p, 3, 0.125, 2.0) == 82.96875);
    /* E_max = 0: the residual bound is 0 (f = g = 0 at theta = 0). */
    assert_true(condense_prop2_bound(&p, 3, 0.125, 0.0) == 0.0);
    /* c = C_L = 1, N_W = N_a = 1: K_2 = 1/2, K_1 = 1. */
    assert_status(condense_prop2_init(1.0, 1.0, 1, 1, &p), CONDENSE_OK);
    assert_true(p.K_2 == 0.5 && p.K_1 == 1.0);
}

static void test_prop2_errors(void **state)
{
    (void)state;
    condense_prop2 p, sentinel;
    memset(&sentinel, 0x5a, sizeof sentinel);
    const struct {
        double c, C_L;
        size_t N_W, N_a;
        int status;
    } bad[] = {
        {2.0, 1.0, 0, 9, CONDENSE_ESIZE},     {2.0, 1.0, 5, 0, CONDENSE_ESIZE},
        {0.5, 1.0, 5, 9, CONDENSE_EDOM},      {0.0, 1.0, 5, 9, CONDENSE_EDOM},
        {NAN, 1.0, 5, 9, CONDENSE_EDOM},      {INFINITY, 1.0, 5, 9, CONDENSE_EDOM},
        {2.0, 0.0, 5, 9, CONDENSE_EDOM},      {2.0, -1.0, 5, 9, CONDENSE_EDOM},
        {2.0, INFINITY, 5, 9, CONDENSE_EDOM}, {2.0, NAN, 5, 9, CONDENSE_EDOM},
        {1e200, 1.0, 5, 9, CONDENSE_EDOM}, /* c^3 overflows: K_1 = inf */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        memcpy(&p, &sentinel, sizeof p);
        assert_fails(condense_prop2_init(bad[k].c, bad[k].C_L, bad[k].N_W, bad[k].N_a, &p),
                     bad[k].status);
        assert_memory_equal(&p, &sentinel, sizeof p); /* output untouched */
    }
    assert_fails(condense_prop2_init(2.0, 1.0, 5, 9, NULL), CONDENSE_EINVAL);

    assert_status(condense_prop2_init(2.0, 1.0, 5, 9, &p), CONDENSE_OK);
    assert_nan_with_message(condense_prop2_bound(NULL, 3, 0.1, 1.0));
    assert_nan_with_message(condense_prop2_bound(&p, 0, 0.1, 1.0));
    assert_nan_with_message(condense_prop2_bound(&p, 3, 0.0, 1.0));
    assert_nan_with_message(condense_prop2_bound(&p, 3, -0.1, 1.0));
    assert_nan_with_message(condense_prop2_bound(&p, 3, INFINITY, 1.0));
    assert_nan_with_message(condense_prop2_bound(&p, 3, NAN, 1.0));
    assert_nan_with_message(condense_prop2_bound(&p, 3, 0.1, -1.0));
    assert_nan_with_message(condense_prop2_bound(&p, 3, 0.1, INFINITY));
    assert_nan_with_message(condense_prop2_bound(&p, 3, 0.1, NAN));
}

/* ---- Lemma 1 -------------------------------------------------------------------------------- */

/* eta substituted back: 2 M N exp(-eta^2/2) = delta.  eta carries a relative error of a few
 * ulp from the logarithm L = log(2MN/delta) (L <= 40 here); exp(-eta^2/2) = exp(-L) then has
 * relative error <= L * few u <= 40 * 4 u ~ 2e-14: tolerance 1e-12 is safe, and a wrong
 * formula (e.g. N_W alone instead of N_W + N_a) misses by a factor > 1.5. */
static void test_lemma1_substitution(void **state)
{
    (void)state;
    const struct {
        size_t M, N_W, N_a;
        double delta;
    } cases[] = {{1, 1, 1, 0.5},       {8, 10, 16, 0.1},        {8, 10, 16, 0.5},
                 {320, 28, 729, 1e-3}, {100000, 76, 900, 1e-9}, {3, 5, 9, 0.999}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const double eta =
            condense_lemma1_eta(cases[k].M, cases[k].N_W, cases[k].N_a, cases[k].delta);
        const double N = (double)(cases[k].N_W + cases[k].N_a);
        const double back = 2.0 * (double)cases[k].M * N * exp(-eta * eta / 2.0);
        assert_rel(back, cases[k].delta, 1e-12, "2 M N exp(-eta^2/2) vs delta");
    }
}

/* Monte Carlo: T draws of theta^0 (M kernels of N_W + N_a standard normals); the event of
 * eq. (49) is max |entry| <= eta.  Lemma 1 says p = P(event) >= 1 - delta.  The frequency f of
 * T independent Bernoulli(p) draws has standard deviation sqrt(p (1-p) / T), and for
 * p >= 1 - delta >= 1/2 we have p (1-p) <= delta (1-delta) (p(1-p) decreases on [1/2, 1]), so
 * f >= 1 - delta - 3 sqrt(delta (1-delta) / T) unless a 3-sigma fluctuation occurs (probability
 * ~0.13 % by the normal approximation; the seed is fixed, so the test is deterministic).
 * Sharper: the exact probability is (1 - 2 Q(eta))^(M N) (independent entries, Q the normal
 * upper tail from gsl_cdf_ugaussian_Q), which must be >= 1 - delta, and f must lie within
 * 3 sigma of it.  The check can fail: with the threshold eta = 2 instead of eta the event has
 * probability (1 - 2 Q(2))^208 ~ 6e-5 and the frequency falls far below the bound. */
static void test_lemma1_monte_carlo(void **state)
{
    (void)state;
    const size_t M = 8, N_W = 10, N_a = 16, T = 2000, N = M * (N_W + N_a);
    const double deltas[] = {0.1, 0.5};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 20240601UL);
    for (size_t d = 0; d < 2; ++d) {
        const double delta = deltas[d];
        const double eta = condense_lemma1_eta(M, N_W, N_a, delta);
        size_t hits = 0, hits_wrong = 0;
        for (size_t t = 0; t < T; ++t) {
            double mx = 0.0;
            for (size_t k = 0; k < N; ++k)
                mx = fmax(mx, fabs(gsl_ran_gaussian(rng, 1.0)));
            hits += mx <= eta;
            hits_wrong += mx <= 2.0;
        }
        const double f = (double)hits / (double)T;
        const double slack = 3.0 * sqrt(delta * (1.0 - delta) / (double)T);
        assert_true(f >= 1.0 - delta - slack);
        const double p_exact = pow(1.0 - 2.0 * gsl_cdf_ugaussian_Q(eta), (double)N);
        assert_true(p_exact >= 1.0 - delta);
        assert_true(fabs(f - p_exact) <= 3.0 * sqrt(p_exact * (1.0 - p_exact) / (double)T) +
                                             1.0 / (double)T); /* + one count of granularity */
        /* The same check with a wrong threshold fails. */
        const double f_wrong = (double)hits_wrong / (double)T;
        assert_false(f_wrong >= 1.0 - delta - slack);
    }
    gsl_rng_free(rng);
}

static void test_lemma1_errors(void **state)
{
    (void)state;
    assert_nan_with_message(condense_lemma1_eta(0, 10, 16, 0.1));
    assert_nan_with_message(condense_lemma1_eta(8, 0, 16, 0.1));
    assert_nan_with_message(condense_lemma1_eta(8, 10, 0, 0.1));
    assert_nan_with_message(condense_lemma1_eta(8, 10, 16, 0.0));
    assert_nan_with_message(condense_lemma1_eta(8, 10, 16, 1.0));
    assert_nan_with_message(condense_lemma1_eta(8, 10, 16, -0.5));
    assert_nan_with_message(condense_lemma1_eta(8, 10, 16, NAN));
}

/* ---- Proposition 3 -------------------------------------------------------------------------- */

/* Eq. (51): lower^2 = k/2 and upper^2 = 3k/2 with k = M N_W.  sqrt is correctly rounded and k/2,
 * 3k/2 are exact for these k, so lower^2 and upper^2 are within 2 ulp (1 from sqrt, doubled by
 * squaring, + 1 for the product): relative 4 U. */
static void test_prop3_bounds(void **state)
{
    (void)state;
    const size_t cases[][2] = {{1, 1}, {8, 10}, {320, 28}, {100000, 76}};
    for (size_t k = 0; k < 4; ++k) {
        double lo = 0, hi = 0;
        assert_status(condense_prop3_bounds(cases[k][0], cases[k][1], &lo, &hi), CONDENSE_OK);
        const double kk = (double)(cases[k][0] * cases[k][1]);
        assert_rel(lo * lo, kk / 2.0, 4 * U, "lower^2 vs M N_W / 2");
        assert_rel(hi * hi, 1.5 * kk, 4 * U, "upper^2 vs 3 M N_W / 2");
        assert_rel(hi / lo, sqrt(3.0), 4 * U, "upper / lower vs sqrt(3)");
    }
}

/* P(chi^2_k <= x) for even k as the Poisson sum 1 - sum_{j < k/2} exp(-x/2) (x/2)^j / j!, the
 * terms in logarithms so that neither (x/2)^j nor exp(-x/2) over- or underflows. */
static double chisq_even_cdf(unsigned k, double x)
{
    double s = 0.0;
    for (unsigned j = 0; j < k / 2; ++j)
        s += exp((double)j * log(x / 2.0) - lgamma((double)j + 1.0) - x / 2.0);
    return 1.0 - s;
}

/* The exact probability against the Poisson-sum CDF (even k): both are sums of at most k/2
 * positive terms of ~1e-16 relative error each, the result a difference of two numbers in
 * [0, 1] that is >= 0.3 here: absolute 1e-13 covers k/2 * 4 U * (sum of terms <= 2) for
 * k <= 200, and is far below what a wrong formula (another degree, the bounds of the norm
 * instead of its square) would change. */
static void test_prop3_probability_exact(void **state)
{
    (void)state;
    const size_t cases[][2] = {{1, 2}, {2, 5}, {8, 10}, {20, 10}, {1, 200}};
    for (size_t c = 0; c < 5; ++c) {
        const unsigned k = (unsigned)(cases[c][0] * cases[c][1]);
        double p = -1.0;
        assert_status(condense_prop3_probability(cases[c][0], cases[c][1], &p), CONDENSE_OK);
        const double want = chisq_even_cdf(k, 1.5 * k) - chisq_even_cdf(k, 0.5 * k);
        if (!(fabs(p - want) <= 1e-13)) {
            print_error("k = %u: P = %.17g, Poisson sum %.17g\n", k, p, want);
            fail();
        }
    }
}

/* Monte Carlo: |theta^0_W|^2 is a sum of k = M N_W squared standard normals; the frequency of
 * k/2 <= |theta_W|^2 <= 3k/2 over T = 2000 draws is within 3 sigma = 3 sqrt(p(1-p)/T) of the
 * exact p (plus one count of granularity).  Odd and even k. */
static void test_prop3_monte_carlo(void **state)
{
    (void)state;
    const size_t cases[][2] = {{8, 10}, {1, 5}, {3, 3}};
    const size_t T = 2000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 7UL);
    for (size_t c = 0; c < 3; ++c) {
        const size_t k = cases[c][0] * cases[c][1];
        double p = -1.0;
        assert_status(condense_prop3_probability(cases[c][0], cases[c][1], &p), CONDENSE_OK);
        size_t hits = 0;
        for (size_t t = 0; t < T; ++t) {
            double s = 0.0;
            for (size_t j = 0; j < k; ++j) {
                const double g = gsl_ran_gaussian(rng, 1.0);
                s += g * g;
            }
            hits += s >= 0.5 * (double)k && s <= 1.5 * (double)k;
        }
        const double f = (double)hits / (double)T;
        assert_true(fabs(f - p) <= 3.0 * sqrt(p * (1.0 - p) / (double)T) + 1.0 / (double)T);
    }
    gsl_rng_free(rng);
}

/* Proposition 3 claims probability >= 1 - delta once M = Omega(log(2/delta)).  The exact value
 * shows it: for M N_W = 80 already 1 - P ~ 2.6e-3 (tails 5.3e-5 + 2.5e-3), so P >= 0.99; for
 * M N_W = 1000 both tails are below 1e-21, P >= 1 - 1e-12.  For small M the claim needs the
 * condition: M N_W = 5 gives P ~ 0.59 < 0.9 (so the check below is not vacuous).  P increases
 * with M. */
static void test_prop3_large_M(void **state)
{
    (void)state;
    double p80 = 0, p1000 = 0, p5 = 0;
    assert_status(condense_prop3_probability(8, 10, &p80), CONDENSE_OK);
    assert_status(condense_prop3_probability(100, 10, &p1000), CONDENSE_OK);
    assert_status(condense_prop3_probability(1, 5, &p5), CONDENSE_OK);
    assert_true(p80 >= 1.0 - 0.01);
    assert_true(p80 < 1.0 - 0.001); /* not yet 1: the upper tail is ~2.5e-3 */
    assert_true(p1000 >= 1.0 - 1e-12);
    assert_true(p5 < 1.0 - 0.1);
    double prev = 0.0;
    for (size_t M = 1; M <= 64; M *= 2) {
        double pm = 0;
        assert_status(condense_prop3_probability(M, 10, &pm), CONDENSE_OK);
        assert_true(pm > prev);
        prev = pm;
    }
}

static void test_prop3_errors(void **state)
{
    (void)state;
    double lo = -7.0, hi = -7.0, p = -7.0;
    assert_fails(condense_prop3_bounds(0, 10, &lo, &hi), CONDENSE_ESIZE);
    assert_fails(condense_prop3_bounds(8, 0, &lo, &hi), CONDENSE_ESIZE);
    assert_fails(condense_prop3_bounds(8, 10, NULL, &hi), CONDENSE_EINVAL);
    assert_fails(condense_prop3_bounds(8, 10, &lo, NULL), CONDENSE_EINVAL);
    assert_true(lo == -7.0 && hi == -7.0);
    assert_fails(condense_prop3_probability(0, 10, &p), CONDENSE_ESIZE);
    assert_fails(condense_prop3_probability(8, 0, &p), CONDENSE_ESIZE);
    assert_fails(condense_prop3_probability(8, 10, NULL), CONDENSE_EINVAL);
    assert_true(p == -7.0);
}

/* ---- Effective time ------------------------------------------------------------------------- */

/* Eq. (54) on both sides of the threshold phi* = (M^(-tau) / (M eps^2))^(1/3),
 * tau = (gamma - 1)/4, computed here with pow.  phi* carries a relative error of a few ulp;
 * phi = phi* (1 -+ 1e-9) is therefore strictly on one side, and the library's logarithmic
 * comparison (error ~ 1e-15 |log| in the exponent, i.e. relative 1e-13 in phi^3) must agree.
 * The eps = 1e-200 case has eps^2 = 0 in doubles: a direct product would say "not exceeded"
 * for every phi. */
static void test_teff_exceeded(void **state)
{
    (void)state;
    const struct {
        size_t M;
        double eps, gamma;
    } cases[] = {
        {10, 0.1, 2.0}, {1000, 1e-3, 1.5}, {1, 0.5, 3.0}, {64, 1e-200, 2.0}, {5, 0.3, 0.5}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const double M = (double)cases[k].M, tau = (cases[k].gamma - 1.0) / 4.0;
        const double phistar =
            cbrt(pow(M, -tau) / M) / pow(cases[k].eps, 2.0 / 3.0); /* eps^2 kept out of range */
        int ex = -1;
        assert_status(condense_teff_exceeded(cases[k].M, cases[k].eps, cases[k].gamma,
                                             phistar * (1.0 + 1e-9), &ex),
                      CONDENSE_OK);
        assert_int_equal(ex, 1);
        assert_status(condense_teff_exceeded(cases[k].M, cases[k].eps, cases[k].gamma,
                                             phistar * (1.0 - 1e-9), &ex),
                      CONDENSE_OK);
        assert_int_equal(ex, 0);
    }
    int ex = -1;
    assert_status(condense_teff_exceeded(10, 0.1, 2.0, 0.0, &ex), CONDENSE_OK);
    assert_int_equal(ex, 0); /* phi = 0: M eps^2 phi^3 = 0 < M^(-tau) */
}

static void test_teff_exceeded_errors(void **state)
{
    (void)state;
    int ex = -7;
    assert_fails(condense_teff_exceeded(10, 0.1, 2.0, 1.0, NULL), CONDENSE_EINVAL);
    assert_fails(condense_teff_exceeded(0, 0.1, 2.0, 1.0, &ex), CONDENSE_ESIZE);
    const double bad_eps[] = {0.0, -0.1, INFINITY, NAN};
    for (size_t k = 0; k < 4; ++k)
        assert_fails(condense_teff_exceeded(10, bad_eps[k], 2.0, 1.0, &ex), CONDENSE_EDOM);
    assert_fails(condense_teff_exceeded(10, 0.1, INFINITY, 1.0, &ex), CONDENSE_EDOM);
    assert_fails(condense_teff_exceeded(10, 0.1, NAN, 1.0, &ex), CONDENSE_EDOM);
    const double bad_phi[] = {-1.0, INFINITY, NAN};
    for (size_t k = 0; k < 3; ++k)
        assert_fails(condense_teff_exceeded(10, 0.1, 2.0, bad_phi[k], &ex), CONDENSE_EDOM);
    assert_int_equal(ex, -7);
}

/* t_0 substituted back into eq. (58): 2 sqrt(2 N log(2 M N / delta)) exp(lambda_1 t_0) vs
 * M^((gamma-1)/4) / 2, both sides evaluated here with pow/sqrt/exp.  exp(lambda_1 t_0) has
 * relative error ~ |lambda_1 t_0| u <= 50 u: relative 1e-12. */
static void test_t0_substitution(void **state)
{
    (void)state;
    const struct {
        size_t M, N_W, N_a;
        double delta, gamma, lambda_1;
    } cases[] = {{1000, 10, 16, 0.1, 2.0, 0.7},
                 {100000, 28, 729, 0.05, 3.0, 3.5},
                 {8, 5, 9, 0.5, 1.2, 0.01},
                 {1, 1, 1, 0.9, 5.0, 1.0}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const double M = (double)cases[k].M, N = (double)(cases[k].N_W + cases[k].N_a);
        const double t0 = condense_t0(cases[k].M, cases[k].N_W, cases[k].N_a, cases[k].delta,
                                      cases[k].gamma, cases[k].lambda_1);
        const double lhs =
            2.0 * sqrt(2.0 * N * log(2.0 * M * N / cases[k].delta)) * exp(cases[k].lambda_1 * t0);
        const double rhs = pow(M, (cases[k].gamma - 1.0) / 4.0) / 2.0;
        assert_rel(lhs, rhs, 1e-12, "eq. (58) at t_0");
    }
}

/* t_bar_0, (59) and (64) against hand formulas through other routes:
 *   exp(lambda_1 t_bar_0) = M^((gamma-1)/8) / 2,
 *   exp(lambda_1 T)      = M^((gamma-1)/4 - eta_0) / 4           for (59),
 *   rate                 = exp(-((gamma-1)/8) (Delta lambda / lambda_1) log M)  for (64),
 * relative 1e-12 (exponents below 50 in size: 50 u from exp/pow).  Exact hand values:
 * M = 2^16, gamma = 3: t_bar_0 = (0.25 * 16 log 2 - log 2) / lambda_1 = 3 log 2 / lambda_1;
 * M = 2^8, gamma = 3, Delta lambda / lambda_1 = 1/2: rate = 2^(-8 * 2/8 * 1/2) = 1/2. */
static void test_times_hand(void **state)
{
    (void)state;
    const size_t Ms[] = {1, 10, 1000, 65536, 10000000};
    const double gammas[] = {1.5, 2.0, 3.0};
    const double lambda_1 = 1.7;
    for (size_t a = 0; a < 5; ++a)
        for (size_t b = 0; b < 3; ++b) {
            const double M = (double)Ms[a], g = gammas[b];
            const double tb = condense_t0_bar(Ms[a], g, lambda_1);
            assert_rel(exp(lambda_1 * tb), pow(M, (g - 1.0) / 8.0) / 2.0, 1e-12, "t_bar_0");
            const double eta_0 = (g - 1.0) / 50.0; /* > (gamma-1)/100 */
            const double tl = condense_teff_lower(Ms[a], g, eta_0, lambda_1);
            assert_rel(exp(lambda_1 * tl), pow(M, (g - 1.0) / 4.0 - eta_0) / 4.0, 1e-12,
                       "eq. (59)");
            const double dl = 0.6;
            const double r = condense_rate64(Ms[a], g, dl, lambda_1);
            assert_rel(r, exp(-((g - 1.0) / 8.0) * (dl / lambda_1) * log(M)), 1e-12, "eq. (64)");
        }
    assert_rel(condense_t0_bar(65536, 3.0, 2.0), 3.0 * log(2.0) / 2.0, 4 * U, "t_bar_0 by hand");
    assert_rel(condense_rate64(256, 3.0, 1.0, 2.0), 0.5, 4 * U, "rate (64) by hand");
    /* no gap: no rate; a full gap (lambda_2 = 0): M^(-(gamma-1)/8) */
    assert_true(condense_rate64(1000, 3.0, 0.0, 2.0) == 1.0);
    assert_rel(condense_rate64(1000, 3.0, 2.0, 2.0), pow(1000.0, -0.25), 4 * U, "full gap");
    /* Eq. (59) claims t_0 > the lower bound for M large enough: t_0 - (59) =
     * [eta_0 log M - log(2 N log(2 M N / delta)) / 2] / lambda_1, positive once M^eta_0 exceeds
     * sqrt(2 N log(2MN/delta)) (~34 for N = 26, M = 1e7).  With eta_0 = 0.3 (M^0.3 ~ 126) it
     * holds at M = 1e7; with eta_0 = 0.04 (M^0.04 ~ 1.9) it does not yet: "large enough" is
     * M ~ 1e38 there. */
    const double t0 = condense_t0(10000000, 10, 16, 0.1, 3.0, 1.0);
    assert_true(t0 > condense_teff_lower(10000000, 3.0, 0.3, 1.0));
    assert_false(t0 > condense_teff_lower(10000000, 3.0, 0.04, 1.0));
}

static void test_times_errors(void **state)
{
    (void)state;
    /* t_0 */
    assert_nan_with_message(condense_t0(0, 10, 16, 0.1, 2.0, 1.0));
    assert_nan_with_message(condense_t0(8, 0, 16, 0.1, 2.0, 1.0));
    assert_nan_with_message(condense_t0(8, 10, 0, 0.1, 2.0, 1.0));
    assert_nan_with_message(condense_t0(8, 10, 16, 0.0, 2.0, 1.0));
    assert_nan_with_message(condense_t0(8, 10, 16, 1.0, 2.0, 1.0));
    assert_nan_with_message(condense_t0(8, 10, 16, 0.1, NAN, 1.0));
    assert_nan_with_message(condense_t0(8, 10, 16, 0.1, INFINITY, 1.0));
    assert_nan_with_message(condense_t0(8, 10, 16, 0.1, 2.0, 0.0));
    assert_nan_with_message(condense_t0(8, 10, 16, 0.1, 2.0, -1.0));
    assert_nan_with_message(condense_t0(8, 10, 16, 0.1, 2.0, INFINITY));
    assert_nan_with_message(condense_t0(8, 10, 16, 0.1, 2.0, NAN));
    /* t_bar_0 */
    assert_nan_with_message(condense_t0_bar(0, 2.0, 1.0));
    assert_nan_with_message(condense_t0_bar(8, NAN, 1.0));
    assert_nan_with_message(condense_t0_bar(8, 2.0, 0.0));
    /* (59): domain eta_0 > (gamma - 1)/100 > 0 */
    assert_nan_with_message(condense_teff_lower(0, 2.0, 0.5, 1.0));
    assert_nan_with_message(condense_teff_lower(8, 2.0, 0.5, 0.0));
    assert_nan_with_message(condense_teff_lower(8, 2.0, 0.01, 1.0)); /* = (gamma-1)/100 */
    assert_nan_with_message(condense_teff_lower(8, 1.0, 0.5, 1.0));  /* gamma = 1 */
    assert_nan_with_message(condense_teff_lower(8, 0.5, 0.5, 1.0));  /* gamma < 1 */
    assert_nan_with_message(condense_teff_lower(8, 2.0, NAN, 1.0));
    assert_nan_with_message(condense_teff_lower(8, 2.0, INFINITY, 1.0));
    assert_false(isnan(condense_teff_lower(8, 2.0, 0.0100001, 1.0))); /* just inside */
    /* (64) */
    assert_nan_with_message(condense_rate64(0, 2.0, 0.5, 1.0));
    assert_nan_with_message(condense_rate64(8, 2.0, 0.5, 0.0));
    assert_nan_with_message(condense_rate64(8, NAN, 0.5, 1.0));
    assert_nan_with_message(condense_rate64(8, 2.0, -0.1, 1.0));
    assert_nan_with_message(condense_rate64(8, 2.0, 1.5, 1.0));
    assert_nan_with_message(condense_rate64(8, 2.0, NAN, 1.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prop2_by_hand),
        cmocka_unit_test(test_prop2_errors),
        cmocka_unit_test(test_lemma1_substitution),
        cmocka_unit_test(test_lemma1_monte_carlo),
        cmocka_unit_test(test_lemma1_errors),
        cmocka_unit_test(test_prop3_bounds),
        cmocka_unit_test(test_prop3_probability_exact),
        cmocka_unit_test(test_prop3_monte_carlo),
        cmocka_unit_test(test_prop3_large_M),
        cmocka_unit_test(test_prop3_errors),
        cmocka_unit_test(test_teff_exceeded),
        cmocka_unit_test(test_teff_exceeded_errors),
        cmocka_unit_test(test_t0_substitution),
        cmocka_unit_test(test_times_hand),
        cmocka_unit_test(test_times_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
