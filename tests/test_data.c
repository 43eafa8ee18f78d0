/* test_data.c -- checks of condense/data.h: the training set {x_i, y_i} of eq. (1) of the CNN
 * paper, Assumption 2 (1/c <= |x_{u,v,alpha}(i)|, |y_i| <= c) and the synthetic data set.
 *
 * Expected values come from routes independent of src/data.c: the storage layout is checked by
 * enumerating the documented C order (i slowest, alpha fastest) with a running counter, the
 * Assumption 2 constant by a brute-force maximum written here, and hand-chosen data sets whose
 * constant is known exactly (powers of two).
 */
#include <ctype.h>
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

#include "condense/data.h"
#include "condense/error.h"

/* A status check that prints the library's message when it fails. */
#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* After a failure the library must have recorded a message (error.h). */
static void assert_message_recorded(void)
{
    assert_true(strlen(condense_errmsg()) > 0);
}

/* Every decimal integer appearing in `msg` (at most `cap`), for checking that a message names
 * a position without depending on its exact wording. */
static size_t integers_in(const char *msg, unsigned long *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = msg; *p != '\0' && n < cap;) {
        if (isdigit((unsigned char)*p)) {
            char *end;
            out[n++] = strtoul(p, &end, 10);
            p = end;
        } else {
            ++p;
        }
    }
    return n;
}

static int message_has_integer(const char *msg, unsigned long k)
{
    unsigned long ints[64];
    const size_t n = integers_in(msg, ints, 64);
    for (size_t j = 0; j < n; ++j)
        if (ints[j] == k) return 1;
    return 0;
}

/* Case-insensitive substring search. */
static int message_has_word(const char *msg, const char *word)
{
    const size_t lw = strlen(word);
    for (const char *p = msg; *p != '\0'; ++p) {
        size_t k = 0;
        while (k < lw && p[k] != '\0' &&
               tolower((unsigned char)p[k]) == tolower((unsigned char)word[k]))
            ++k;
        if (k == lw) return 1;
    }
    return 0;
}

/* ---- condense_data_alloc / condense_data_free ---------------------------------------------- */

/* The accessors must address the documented C order (n, W0, H0, C0): enumerating i, u, v, alpha
 * with alpha fastest must visit x[0], x[1], ... in turn (exact pointer equality: this is integer
 * offset arithmetic, no tolerance).  y_i is y[i - 1]. */
static void test_alloc_layout(void **state)
{
    (void)state;
    const size_t sizes[][4] = {{1, 1, 1, 1}, {2, 3, 4, 5}, {3, 5, 2, 1}, {4, 1, 6, 3}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
        const size_t n = sizes[s][0], W0 = sizes[s][1], H0 = sizes[s][2], C0 = sizes[s][3];
        condense_data *d = NULL;
        assert_status(condense_data_alloc(n, W0, H0, C0, &d), CONDENSE_OK);
        assert_non_null(d);
        assert_int_equal(d->n, n);
        assert_int_equal(d->W0, W0);
        assert_int_equal(d->H0, H0);
        assert_int_equal(d->C0, C0);
        size_t k = 0;
        for (size_t i = 1; i <= n; ++i)
            for (size_t u = 1; u <= W0; ++u)
                for (size_t v = 1; v <= H0; ++v)
                    for (size_t alpha = 1; alpha <= C0; ++alpha)
                        assert_ptr_equal(condense_data_x(d, i, u, v, alpha), d->x + k++);
        assert_int_equal(k, n * W0 * H0 * C0);
        for (size_t i = 1; i <= n; ++i)
            assert_ptr_equal(condense_data_y(d, i), d->y + (i - 1));

        /* A hand-computed offset: for (n, W0, H0, C0) = (2, 3, 4, 5), x_{3,2,4}(2) is at
         * ((1*3 + 2)*4 + 1)*5 + 3 = 108. */
        if (n == 2 && W0 == 3 && H0 == 4 && C0 == 5)
            assert_ptr_equal(condense_data_x(d, 2, 3, 2, 4), d->x + 108);

        /* All zero after alloc ("all zero", exact).  Written through the accessors afterwards,
         * every entry must also be distinct storage (no aliasing): write k and read back. */
        for (size_t j = 0; j < n * W0 * H0 * C0; ++j)
            assert_true(d->x[j] == 0.0);
        for (size_t j = 0; j < n; ++j)
            assert_true(d->y[j] == 0.0);
        k = 0;
        for (size_t i = 1; i <= n; ++i)
            for (size_t u = 1; u <= W0; ++u)
                for (size_t v = 1; v <= H0; ++v)
                    for (size_t alpha = 1; alpha <= C0; ++alpha)
                        *condense_data_x(d, i, u, v, alpha) = (double)k++;
        for (size_t j = 0; j < n * W0 * H0 * C0; ++j)
            assert_true(d->x[j] == (double)j);
        condense_data_free(d);
    }
}

/* Zero sizes: CONDENSE_ESIZE with a message, and no data set handed out. */
static void test_alloc_zero_sizes(void **state)
{
    (void)state;
    const size_t sizes[][4] = {
        {0, 2, 2, 2}, {2, 0, 2, 2}, {2, 2, 0, 2}, {2, 2, 2, 0}, {0, 0, 0, 0}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
        condense_data *d = NULL;
        condense_error_clear();
        assert_status(condense_data_alloc(sizes[s][0], sizes[s][1], sizes[s][2], sizes[s][3], &d),
                      CONDENSE_ESIZE);
        assert_null(d);
        assert_message_recorded();
    }
}

/* Sizes whose element count (or byte count) does not fit in size_t must be refused as
 * CONDENSE_ESIZE before any allocation (a wrapped product would allocate a small block and
 * later writes would overflow it).  No crash, no leak (valgrind). */
static void test_alloc_overflow(void **state)
{
    (void)state;
    const size_t big = SIZE_MAX / 2;
    const size_t sizes[][4] = {
        {big, 4, 4, 4},                                         /* n * 64 entries overflows */
        {1, SIZE_MAX, 2, 1},                                    /* W0 * H0 overflows */
        {1, 1, SIZE_MAX, 3},                                    /* H0 * C0 overflows */
        {1, (size_t)1 << 22, (size_t)1 << 22, (size_t)1 << 22}, /* 2^66 entries */
        {SIZE_MAX / 8 + 1, 1, 1, 1}, /* entries fit in size_t, bytes (x 8) do not */
        {2, SIZE_MAX / 2 + 1, 1, 1}, /* n * W0 overflows */
    };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
        condense_data *d = NULL;
        condense_error_clear();
        assert_status(condense_data_alloc(sizes[s][0], sizes[s][1], sizes[s][2], sizes[s][3], &d),
                      CONDENSE_ESIZE);
        assert_null(d);
        assert_message_recorded();
    }
}

static void test_alloc_null_and_free(void **state)
{
    (void)state;
    condense_error_clear();
    assert_status(condense_data_alloc(2, 2, 2, 2, NULL), CONDENSE_EINVAL);
    assert_message_recorded();
    condense_data_free(NULL); /* documented no-op: must not crash */
}

/* ---- condense_data_check_finite ------------------------------------------------------------- */

/* A data set of sizes (6, 7, 8, 9) filled with distinct finite values. */
static condense_data *finite_set(void)
{
    condense_data *d = NULL;
    assert_status(condense_data_alloc(6, 7, 8, 9, &d), CONDENSE_OK);
    for (size_t j = 0; j < 6 * 7 * 8 * 9; ++j)
        d->x[j] = ((double)j - 1000.0) / 7.0;
    for (size_t j = 0; j < 6; ++j)
        d->y[j] = (double)j - 2.5;
    return d;
}

static void test_check_finite(void **state)
{
    (void)state;
    condense_data *d = finite_set();
    assert_status(condense_data_check_finite(d), CONDENSE_OK);

    /* Extreme finite values are finite: DBL_MAX, the smallest subnormal, signed zero. */
    d->x[0] = DBL_MAX;
    d->x[1] = -DBL_MAX;
    d->x[2] = DBL_TRUE_MIN;
    d->x[3] = -0.0;
    d->y[0] = -DBL_MAX;
    d->y[1] = DBL_TRUE_MIN;
    assert_status(condense_data_check_finite(d), CONDENSE_OK);

    /* A NaN in the pixel x_{3,4,2}(5) (1-based, as in the paper).  The sizes 6, 7, 8, 9 are
     * none of 5, 3, 4, 2, so the message naming these four integers names the position. */
    *condense_data_x(d, 5, 3, 4, 2) = NAN;
    condense_error_clear();
    assert_status(condense_data_check_finite(d), CONDENSE_EDOM);
    {
        const char *msg = condense_errmsg();
        assert_true(message_has_integer(msg, 5));
        assert_true(message_has_integer(msg, 3));
        assert_true(message_has_integer(msg, 4));
        assert_true(message_has_integer(msg, 2));
        assert_true(message_has_word(msg, "nan"));
    }
    *condense_data_x(d, 5, 3, 4, 2) = 1.0;
    assert_status(condense_data_check_finite(d), CONDENSE_OK);

    /* -inf in the last pixel of the last sample: the scan must reach the end. */
    *condense_data_x(d, 6, 7, 8, 9) = -INFINITY;
    assert_status(condense_data_check_finite(d), CONDENSE_EDOM);
    *condense_data_x(d, 6, 7, 8, 9) = 1.0;

    /* +inf in the label y_4. */
    *condense_data_y(d, 4) = INFINITY;
    condense_error_clear();
    assert_status(condense_data_check_finite(d), CONDENSE_EDOM);
    {
        const char *msg = condense_errmsg();
        assert_true(message_has_integer(msg, 4));
        assert_true(message_has_word(msg, "inf"));
        assert_true(message_has_word(msg, "y"));
    }
    *condense_data_y(d, 4) = 0.0;

    /* NaN in the last label. */
    *condense_data_y(d, 6) = NAN;
    assert_status(condense_data_check_finite(d), CONDENSE_EDOM);
    *condense_data_y(d, 6) = 0.0;
    assert_status(condense_data_check_finite(d), CONDENSE_OK);

    condense_error_clear();
    assert_status(condense_data_check_finite(NULL), CONDENSE_EINVAL);
    assert_message_recorded();
    condense_data_free(d);
}

/* ---- condense_data_assumption2_c ------------------------------------------------------------ */

/* The brute-force reference: c = max over every entry of 1/|x|, |x| and |y| (Assumption 2, as
 * the proof of Proposition 2 uses it, holds iff 1/c <= |x| <= c for all pixels and |y| <= c
 * for all labels; the smallest such c is this max). */
static double brute_c(const condense_data *d)
{
    double c = 0.0;
    const size_t N = d->n * d->W0 * d->H0 * d->C0;
    for (size_t k = 0; k < N; ++k) {
        const double inv = 1.0 / fabs(d->x[k]);
        if (inv > c) c = inv;
        if (fabs(d->x[k]) > c) c = fabs(d->x[k]);
    }
    for (size_t i = 0; i < d->n; ++i)
        if (fabs(d->y[i]) > c) c = fabs(d->y[i]);
    return c;
}

/* Random data from the test's own generator.  Tolerance 0: 1/t is a correctly rounded and
 * monotone function of t, so max_k fl(1/|x_k|) = fl(1 / min_k |x_k|) bit for bit; max|y| is a
 * comparison, exact. */
static void test_assumption2_random(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, 2024);
    for (int trial = 0; trial < 20; ++trial) {
        const size_t n = 1 + gsl_rng_uniform_int(r, 6), W0 = 1 + gsl_rng_uniform_int(r, 5),
                     H0 = 1 + gsl_rng_uniform_int(r, 5), C0 = 1 + gsl_rng_uniform_int(r, 3);
        condense_data *d = NULL;
        assert_status(condense_data_alloc(n, W0, H0, C0, &d), CONDENSE_OK);
        /* Half the trials have labels that can dominate, half small labels. */
        const double ymax = trial % 2 == 0 ? 50.0 : 0.5;
        for (size_t k = 0; k < n * W0 * H0 * C0; ++k) {
            const double mag = 0.01 + 1.99 * gsl_rng_uniform(r);
            d->x[k] = gsl_rng_uniform(r) < 0.5 ? -mag : mag;
        }
        for (size_t i = 0; i < n; ++i)
            d->y[i] = ymax * (2.0 * gsl_rng_uniform(r) - 1.0);
        double c = -1.0;
        assert_status(condense_data_assumption2_c(d, &c), CONDENSE_OK);
        const double ref = brute_c(d);
        if (c != ref) {
            print_error("trial %d: c = %.17g, brute force %.17g\n", trial, c, ref);
            fail();
        }
        /* And the defining property: 1/c <= |x| fails for no entry once rounding of 1/c is
         * allowed for (c * |x| >= 1 - DBL_EPSILON: one rounding in the product, one in c). */
        for (size_t k = 0; k < n * W0 * H0 * C0; ++k) {
            assert_true(c * fabs(d->x[k]) >= 1.0 - DBL_EPSILON);
            assert_true(fabs(d->x[k]) <= c);
        }
        for (size_t i = 0; i < n; ++i)
            assert_true(fabs(d->y[i]) <= c);
        condense_data_free(d);
    }
    gsl_rng_free(r);
}

/* Hand-made sets with exactly known c (powers of two and short binary fractions, so every
 * quantity is exact and the tolerance is 0). */
static void test_assumption2_hand(void **state)
{
    (void)state;
    condense_data *d = NULL;
    double c;
    assert_status(condense_data_alloc(3, 2, 2, 2, &d), CONDENSE_OK);

    /* Labels dominate: |x| in [0.5, 1] gives 1/|x| <= 2; the label -37.5 gives c = 37.5. */
    for (size_t k = 0; k < 3 * 8; ++k)
        d->x[k] = (k % 3 == 0 ? -1.0 : 1.0) * (0.5 + 0.5 * (double)(k % 5) / 4.0);
    d->y[0] = 1.0;
    d->y[1] = -37.5;
    d->y[2] = 3.0;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_OK);
    assert_true(c == 37.5);

    /* Pixels dominate: one pixel -2^-10 gives 1/|x| = 1024 > max|y| = 37.5. */
    *condense_data_x(d, 2, 1, 2, 2) = -1.0 / 1024.0;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_OK);
    assert_true(c == 1024.0);

    /* A large pixel dominates: |x| = 2048 > 1024 (the upper bound |x| <= c the proof of
     * Proposition 2 needs). */
    *condense_data_x(d, 1, 1, 1, 1) = 2048.0;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_OK);
    assert_true(c == 2048.0);
    *condense_data_x(d, 1, 1, 1, 1) = -1.0;

    /* All labels 0 and all pixels +-1: c = 1. */
    for (size_t k = 0; k < 3 * 8; ++k)
        d->x[k] = k % 2 ? 1.0 : -1.0;
    for (size_t i = 0; i < 3; ++i)
        d->y[i] = 0.0;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_OK);
    assert_true(c == 1.0);

    /* One zero pixel (also -0.0): no c exists, EDOM and c = INFINITY. */
    *condense_data_x(d, 3, 2, 1, 1) = 0.0;
    c = 42.0;
    condense_error_clear();
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_EDOM);
    assert_true(isinf(c) && c > 0);
    assert_message_recorded();
    *condense_data_x(d, 3, 2, 1, 1) = -0.0;
    c = 42.0;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_EDOM);
    assert_true(isinf(c) && c > 0);
    *condense_data_x(d, 3, 2, 1, 1) = 1.0;

    /* Non-finite data: EDOM (there is no meaningful c). */
    *condense_data_y(d, 2) = NAN;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_EDOM);
    *condense_data_y(d, 2) = 0.0;
    *condense_data_x(d, 1, 1, 1, 1) = INFINITY;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_EDOM);
    *condense_data_x(d, 1, 1, 1, 1) = 1.0;
    assert_status(condense_data_assumption2_c(d, &c), CONDENSE_OK);
    assert_true(c == 1.0);

    condense_error_clear();
    assert_status(condense_data_assumption2_c(NULL, &c), CONDENSE_EINVAL);
    assert_message_recorded();
    assert_status(condense_data_assumption2_c(d, NULL), CONDENSE_EINVAL);
    condense_data_free(d);
}

/* ---- condense_data_synthetic ---------------------------------------------------------------- */

/* Assumption 2 with the given c, checked entry by entry and through condense_data_assumption2_c.
 * |x| in [1/c, 1] and |y| <= c are checked exactly against the double 1/c, the spec's bound.
 * The measured constant may exceed c by rounding: it is fl(1/fl(1/c)) at worst, two roundings
 * of relative size <= DBL_EPSILON/2 each, so the tolerance is c * (1 + 2 DBL_EPSILON). */
static void check_synthetic(const condense_data *d, size_t n, size_t W0, size_t H0, size_t C0,
                            double c)
{
    assert_int_equal(d->n, n);
    assert_int_equal(d->W0, W0);
    assert_int_equal(d->H0, H0);
    assert_int_equal(d->C0, C0);
    const double lo = 1.0 / c;
    for (size_t k = 0; k < n * W0 * H0 * C0; ++k) {
        const double a = fabs(d->x[k]);
        if (!(a >= lo && a <= 1.0)) {
            print_error("x[%zu] = %.17g not in [1/c, 1] = [%.17g, 1]\n", k, d->x[k], lo);
            fail();
        }
    }
    for (size_t i = 0; i < n; ++i) {
        if (!(fabs(d->y[i]) <= c)) {
            print_error("y[%zu] = %.17g not in [-c, c], c = %.17g\n", i, d->y[i], c);
            fail();
        }
    }
    double measured;
    assert_status(condense_data_assumption2_c(d, &measured), CONDENSE_OK);
    assert_true(measured <= c * (1.0 + 2.0 * DBL_EPSILON));
    assert_status(condense_data_check_finite(d), CONDENSE_OK);
}

static void test_synthetic_assumption2(void **state)
{
    (void)state;
    const struct {
        size_t n, W0, H0, C0;
        double c;
    } cases[] = {
        {1, 1, 1, 1, 1.5}, {10, 5, 5, 1, 2.0},       {7, 4, 6, 3, 10.0},  {3, 8, 8, 2, 3.0},
        {5, 3, 3, 1, 1e6}, {4, 6, 5, 2, 1.0 + 1e-9}, {20, 7, 7, 3, 1.25}, {2, 10, 1, 4, 100.0},
    };
    for (size_t s = 0; s < sizeof cases / sizeof cases[0]; ++s) {
        condense_data *d = NULL;
        assert_status(condense_data_synthetic(cases[s].n, cases[s].W0, cases[s].H0, cases[s].C0,
                                              cases[s].c, 17 + s, &d),
                      CONDENSE_OK);
        assert_non_null(d);
        check_synthetic(d, cases[s].n, cases[s].W0, cases[s].H0, cases[s].C0, cases[s].c);
        condense_data_free(d);
    }
}

/* The same seed gives bit-identical data (memcmp: reproducibility is exact by design); a
 * different seed different data (the labels are continuous draws, so equal bytes for two
 * seeds would mean the seed is ignored). */
static void test_synthetic_seed(void **state)
{
    (void)state;
    const size_t n = 8, W0 = 5, H0 = 4, C0 = 2, N = n * W0 * H0 * C0;
    condense_data *a = NULL, *b = NULL, *c = NULL;
    assert_status(condense_data_synthetic(n, W0, H0, C0, 4.0, 123, &a), CONDENSE_OK);
    assert_status(condense_data_synthetic(n, W0, H0, C0, 4.0, 123, &b), CONDENSE_OK);
    assert_status(condense_data_synthetic(n, W0, H0, C0, 4.0, 124, &c), CONDENSE_OK);
    assert_memory_equal(a->x, b->x, N * sizeof(double));
    assert_memory_equal(a->y, b->y, n * sizeof(double));
    assert_memory_not_equal(a->y, c->y, n * sizeof(double));
    assert_memory_not_equal(a->x, c->x, N * sizeof(double));
    /* Not a constant set: the labels of one set are not all equal. */
    int labels_vary = 0;
    for (size_t i = 1; i < n; ++i)
        labels_vary |= a->y[i] != a->y[0];
    assert_true(labels_vary);
    condense_data_free(a);
    condense_data_free(b);
    condense_data_free(c);
}

static void test_synthetic_errors(void **state)
{
    (void)state;
    /* c must be finite and > 1 (Assumption 2 with c <= 1 would need |x| >= 1/c >= 1 and
     * |x| <= 1 at once, and the spec asks for c > 1). */
    const double bad_c[] = {1.0, 0.5, 0.0, -2.0, NAN, INFINITY, -INFINITY};
    for (size_t s = 0; s < sizeof bad_c / sizeof bad_c[0]; ++s) {
        condense_data *d = NULL;
        condense_error_clear();
        assert_status(condense_data_synthetic(3, 4, 4, 1, bad_c[s], 1, &d), CONDENSE_EDOM);
        assert_null(d);
        assert_message_recorded();
    }
    const size_t zero[][4] = {{0, 4, 4, 1}, {3, 0, 4, 1}, {3, 4, 0, 1}, {3, 4, 4, 0}};
    for (size_t s = 0; s < sizeof zero / sizeof zero[0]; ++s) {
        condense_data *d = NULL;
        assert_status(
            condense_data_synthetic(zero[s][0], zero[s][1], zero[s][2], zero[s][3], 2.0, 1, &d),
            CONDENSE_ESIZE);
        assert_null(d);
    }
    condense_data *d = NULL;
    assert_status(condense_data_synthetic(SIZE_MAX / 2, 4, 4, 4, 2.0, 1, &d), CONDENSE_ESIZE);
    assert_null(d);
    condense_error_clear();
    assert_status(condense_data_synthetic(3, 4, 4, 1, 2.0, 1, NULL), CONDENSE_EINVAL);
    assert_message_recorded();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_layout),     cmocka_unit_test(test_alloc_zero_sizes),
        cmocka_unit_test(test_alloc_overflow),   cmocka_unit_test(test_alloc_null_and_free),
        cmocka_unit_test(test_check_finite),     cmocka_unit_test(test_assumption2_random),
        cmocka_unit_test(test_assumption2_hand), cmocka_unit_test(test_synthetic_assumption2),
        cmocka_unit_test(test_synthetic_seed),   cmocka_unit_test(test_synthetic_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
