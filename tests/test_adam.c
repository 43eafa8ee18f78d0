/* test_adam.c -- Adam (adam.h; Kingma & Ba 2015, Algorithm 1), checked against the closed
 * forms of its first steps written out by hand:
 *
 *   - step 1: m_1 = (1 - beta1) g, v_1 = (1 - beta2) g^2, so m_hat = g and v_hat = g^2 up to
 *     rounding and theta_1 = theta_0 - lr g / (|g| + eps), whatever beta1, beta2 (that is the
 *     bias correction: without it the step would be lr (1 - beta1) / sqrt(1 - beta2) sign(g),
 *     0.1 / 0.0316 = 3.2 times larger for 0.9, 0.999).  Each side is a handful of roundings
 *     (relative u = 2^-53 each) on a step of size <= lr: tolerance 16 u (|theta_0| + lr).
 *   - step 2: m_2 = beta1 (1 - beta1) g_1 + (1 - beta1) g_2, v_2 = beta2 (1 - beta2) g_1^2 +
 *     (1 - beta2) g_2^2, m_hat = m_2 / (1 - beta1^2), v_hat = v_2 / (1 - beta2^2); same
 *     tolerance.  The moments m, v themselves against these formulas, 8 u relative.
 *   - a constant gradient g for 40 steps: in exact arithmetic m_k = (1 - beta1^k) g and
 *     v_k = (1 - beta2^k) g^2, so every step is lr g / (|g| + eps); rounding grows by a few u
 *     per step: 40 * 8 u relative of the step.
 *   - the scaled step (theta = scale x): scale = 1 is the plain step bit for bit (documented);
 *     for scale = 1e-3 the trajectory scale * x equals the plain trajectory on theta to 16 u
 *     relative per step (one extra division and multiplication).
 *   - every error: NULL arguments, bad lr / scale, bad hyperparameters, a non-finite gradient,
 *     moments that overflow, a parameter that would overflow -- each leaves theta, m, v and k
 *     as they were and names the entry.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "condense/adam.h"
#include "condense/error.h"

#define U DBL_EPSILON

static void assert_msg_has(const char *part)
{
    if (strstr(condense_errmsg(), part) == NULL)
        fail_msg("message '%s' lacks '%s'", condense_errmsg(), part);
}

static void test_first_two_steps(void **state)
{
    (void)state;
    const double b1s[3] = {0.9, 0.5, 0.99}, b2s[3] = {0.999, 0.9, 0.999999};
    const double g1[4] = {0.3, -2.0, 1e-3, -7e-2}, g2[4] = {-0.1, 1.0, 2e-3, 0.5};
    const double lr = 1e-3, eps = 1e-8;
    for (int c = 0; c < 3; ++c) {
        const double b1 = b1s[c], b2 = b2s[c];
        double theta[4] = {1.0, 2.0, -1.0, 0.5}, t0[4], t1[4];
        memcpy(t0, theta, sizeof theta);
        condense_adam *a = NULL;
        assert_int_equal(condense_adam_alloc(4, b1, b2, eps, &a), CONDENSE_OK);
        assert_int_equal(a->k, 0);
        assert_int_equal(condense_adam_step(a, theta, g1, lr), CONDENSE_OK);
        assert_int_equal(a->k, 1);
        for (int j = 0; j < 4; ++j) {
            const double want = t0[j] - lr * g1[j] / (fabs(g1[j]) + eps);
            assert_true(fabs(theta[j] - want) <= 16 * U * (fabs(t0[j]) + lr));
            /* bias correction: not the uncorrected step lr (1 - b1) / sqrt(1 - b2) */
            const double raw = lr * (1 - b1) / sqrt(1 - b2);
            assert_true(fabs(fabs(t0[j] - theta[j]) - raw) > 0.1 * lr);
            assert_true(fabs(a->m[j] - (1 - b1) * g1[j]) <= 8 * U * fabs(a->m[j]));
            assert_true(fabs(a->v[j] - (1 - b2) * g1[j] * g1[j]) <= 8 * U * a->v[j]);
        }
        memcpy(t1, theta, sizeof theta);
        assert_int_equal(condense_adam_step(a, theta, g2, lr), CONDENSE_OK);
        assert_int_equal(a->k, 2);
        for (int j = 0; j < 4; ++j) {
            const double m2 = b1 * (1 - b1) * g1[j] + (1 - b1) * g2[j];
            const double v2 = b2 * (1 - b2) * g1[j] * g1[j] + (1 - b2) * g2[j] * g2[j];
            const double want =
                t1[j] - lr * (m2 / (1 - b1 * b1)) / (sqrt(v2 / (1 - b2 * b2)) + eps);
            assert_true(fabs(theta[j] - want) <= 16 * U * (fabs(t1[j]) + lr));
            assert_true(fabs(a->m[j] - m2) <=
                        8 * U * (fabs(b1 * (1 - b1) * g1[j]) + fabs((1 - b1) * g2[j])));
            assert_true(fabs(a->v[j] - v2) <= 8 * U * v2);
        }
        /* reset: a fresh run repeats step 1 exactly */
        condense_adam_reset(a);
        assert_int_equal(a->k, 0);
        double again[4];
        memcpy(again, t0, sizeof again);
        assert_int_equal(condense_adam_step(a, again, g1, lr), CONDENSE_OK);
        assert_memory_equal(again, t1, sizeof again);
        condense_adam_free(a);
    }
    condense_adam_reset(NULL);
    condense_adam_free(NULL);
}

static void test_constant_gradient(void **state)
{
    (void)state;
    const double g[3] = {0.5, -3.0, 1e-4}, lr = 1e-2, eps = 1e-12;
    double theta[3] = {0.0, 0.0, 0.0};
    condense_adam *a = NULL;
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, eps, &a), CONDENSE_OK);
    for (int k = 1; k <= 40; ++k) {
        double before[3];
        memcpy(before, theta, sizeof theta);
        assert_int_equal(condense_adam_step(a, theta, g, lr), CONDENSE_OK);
        for (int j = 0; j < 3; ++j) {
            const double step = lr * g[j] / (fabs(g[j]) + eps);
            assert_true(fabs((before[j] - theta[j]) - step) <=
                        40 * 8 * U * fabs(step) + 4 * U * fabs(theta[j]));
        }
    }
    condense_adam_free(a);
}

static void test_scaled(void **state)
{
    (void)state;
    const double g[3] = {0.7, -0.2, 5.0}, lr = 1e-3, s = 1e-3;
    double x1[3] = {0.1, -0.4, 2.0}, th[3], xs[3];
    memcpy(th, x1, sizeof th);
    condense_adam *a = NULL, *b = NULL;
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, 1e-8, &a), CONDENSE_OK);
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, 1e-8, &b), CONDENSE_OK);
    /* scale 1: the plain step to the bit */
    for (int k = 0; k < 3; ++k) {
        assert_int_equal(condense_adam_step_scaled(a, x1, g, lr, 1.0), CONDENSE_OK);
        assert_int_equal(condense_adam_step(b, th, g, lr), CONDENSE_OK);
    }
    assert_memory_equal(x1, th, sizeof th);
    /* scale s: s x follows theta */
    condense_adam_reset(a);
    condense_adam_reset(b);
    for (int j = 0; j < 3; ++j)
        xs[j] = th[j] / s;
    for (int k = 1; k <= 5; ++k) {
        assert_int_equal(condense_adam_step_scaled(a, xs, g, lr, s), CONDENSE_OK);
        assert_int_equal(condense_adam_step(b, th, g, lr), CONDENSE_OK);
        for (int j = 0; j < 3; ++j)
            assert_true(fabs(s * xs[j] - th[j]) <= 16 * U * k * (fabs(th[j]) + lr));
    }
    condense_adam_free(a);
    condense_adam_free(b);
}

/* theta, m, v, k as they were before a refused step */
static void assert_unchanged(const condense_adam *a, const double *theta, const double *t0,
                             const double *m0, const double *v0, unsigned long k0)
{
    assert_memory_equal(theta, t0, a->dim * sizeof(double));
    assert_memory_equal(a->m, m0, a->dim * sizeof(double));
    assert_memory_equal(a->v, v0, a->dim * sizeof(double));
    assert_int_equal(a->k, k0);
}

static void test_errors(void **state)
{
    (void)state;
    condense_adam *a = NULL;
    assert_int_equal(condense_adam_alloc(0, 0.9, 0.999, 1e-8, &a), CONDENSE_ESIZE);
    assert_int_equal(condense_adam_alloc(3, 1.0, 0.999, 1e-8, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, 0.0, 0.999, 1e-8, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, NAN, 0.999, 1e-8, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.0, 1e-8, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, 0.9, 1.0, 1e-8, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, 0.0, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, -1.0, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, INFINITY, &a), CONDENSE_EDOM);
    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, 1e-8, NULL), CONDENSE_EINVAL);
    assert_null(a);

    assert_int_equal(condense_adam_alloc(3, 0.9, 0.999, 1e-8, &a), CONDENSE_OK);
    double theta[3] = {1.0, -1.0, 0.5}, g[3] = {0.1, 0.2, -0.3};
    assert_int_equal(condense_adam_step(a, theta, g, 1e-3), CONDENSE_OK); /* moments non-zero */
    double t0[3], m0[3], v0[3];
    memcpy(t0, theta, sizeof t0);
    memcpy(m0, a->m, sizeof m0);
    memcpy(v0, a->v, sizeof v0);

    assert_int_equal(condense_adam_step(NULL, theta, g, 1e-3), CONDENSE_EINVAL);
    assert_int_equal(condense_adam_step(a, NULL, g, 1e-3), CONDENSE_EINVAL);
    assert_int_equal(condense_adam_step(a, theta, NULL, 1e-3), CONDENSE_EINVAL);
    const double bad_lr[4] = {0.0, -1e-3, NAN, INFINITY};
    for (int k = 0; k < 4; ++k)
        assert_int_equal(condense_adam_step(a, theta, g, bad_lr[k]), CONDENSE_EDOM);
    const double bad_scale[3] = {0.0, NAN, -INFINITY};
    for (int k = 0; k < 3; ++k)
        assert_int_equal(condense_adam_step_scaled(a, theta, g, 1e-3, bad_scale[k]), CONDENSE_EDOM);
    assert_unchanged(a, theta, t0, m0, v0, 1);

    /* a non-finite gradient entry */
    double gn[3] = {0.1, NAN, 0.0};
    assert_int_equal(condense_adam_step(a, theta, gn, 1e-3), CONDENSE_EDOM);
    assert_msg_has("Adam step 2: gradient entry 1 is nan");
    assert_int_equal(a->bad, 1);
    assert_unchanged(a, theta, t0, m0, v0, 1);

    /* g = 1e200 is finite but g^2 = inf: the second moment overflows at entry 2 */
    double gbig[3] = {0.1, 0.2, 1e200};
    assert_int_equal(condense_adam_step(a, theta, gbig, 1e-3), CONDENSE_EDOM);
    assert_msg_has("moments of entry 2");
    assert_msg_has("v = inf");
    assert_int_equal(a->bad, 2);
    assert_unchanged(a, theta, t0, m0, v0, 1);

    /* a step of ~lr = 1e308 from theta_0 = -1.7e308 leaves the doubles at entry 0 (the step is
     * lr m_hat / sqrt(v_hat) with m_hat, v_hat of order one) */
    theta[0] = -1.7e308;
    t0[0] = theta[0];
    double gpos[3] = {1.0, 0.2, -0.3};
    assert_int_equal(condense_adam_step(a, theta, gpos, 1e308), CONDENSE_EDOM);
    assert_msg_has("entry 0 would become -inf");
    assert_int_equal(a->bad, 0);
    assert_unchanged(a, theta, t0, m0, v0, 1);
    /* the same through a tiny scale: a step ~1 divided by 1e-310 overflows */
    theta[0] = 1.0;
    t0[0] = 1.0;
    assert_int_equal(condense_adam_step_scaled(a, theta, g, 1.0, 1e-310), CONDENSE_EDOM);
    assert_msg_has("would become");
    assert_unchanged(a, theta, t0, m0, v0, 1);
    condense_adam_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_two_steps),
        cmocka_unit_test(test_constant_gradient),
        cmocka_unit_test(test_scaled),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
