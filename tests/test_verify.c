/* test_verify.c -- the verification machinery (verify.h): configuration checks, Assumption 1
 * enforcement, the need for runs, a tiny end-to-end instance, and the log-log slope used by
 * the trend checks.  (The quick built-in instance itself is run by tests/test_verify.sh.) */
#include <config.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "condense/error.h"
#include "condense/verify.h"
#include "verify_internal.h"

/* A configuration small enough for memcheck: M in {4, 8}, 6 sampled times. */
static void tiny(condense_verify_config *cfg)
{
    condense_verify_default(cfg, 1);
    cfg->n_M = 2;
    cfg->M[0] = 4;
    cfg->M[1] = 8;
    cfg->n_times = 6;
    cfg->prop2_times = 3;
    cfg->prop2_max_M = 8;
    cfg->mc_trials = 20;
}

static void expect_alloc_error(const condense_verify_config *cfg, int status, const char *text)
{
    condense_verify_instance *inst = (condense_verify_instance *)0x1;
    condense_error_clear();
    assert_int_equal(condense_verify_instance_alloc(cfg, &inst), status);
    assert_ptr_equal(inst, (condense_verify_instance *)0x1); /* untouched */
    if (strstr(condense_errmsg(), text) == NULL) fail_msg("message '%s'", condense_errmsg());
}

static void test_config_errors(void **state)
{
    (void)state;
    condense_verify_config cfg;
    tiny(&cfg);
    cfg.gamma = 0.0; /* eps^2 = M^-gamma = 1: not a small initialization */
    expect_alloc_error(&cfg, CONDENSE_EDOM, "need gamma > 0");
    tiny(&cfg);
    cfg.gamma = NAN;
    expect_alloc_error(&cfg, CONDENSE_EDOM, "gamma");
    tiny(&cfg);
    cfg.delta = 1.0;
    expect_alloc_error(&cfg, CONDENSE_EDOM, "delta");
    tiny(&cfg);
    cfg.n_M = 0;
    expect_alloc_error(&cfg, CONDENSE_ESIZE, "M-sweep");
    tiny(&cfg);
    cfg.n_M = CONDENSE_VERIFY_MAX_M + 1;
    expect_alloc_error(&cfg, CONDENSE_ESIZE, "M-sweep");
    tiny(&cfg);
    cfg.M[1] = 4;
    expect_alloc_error(&cfg, CONDENSE_EINVAL, "increasing");
    tiny(&cfg);
    cfg.M[0] = 0;
    expect_alloc_error(&cfg, CONDENSE_EINVAL, "increasing");
    tiny(&cfg);
    cfg.n_times = 1;
    expect_alloc_error(&cfg, CONDENSE_ESIZE, "sampled times");
    tiny(&cfg);
    cfg.epsabs = cfg.epsrel = 0.0;
    expect_alloc_error(&cfg, CONDENSE_EDOM, "tolerances");
    tiny(&cfg);
    cfg.t_end = -1.0;
    expect_alloc_error(&cfg, CONDENSE_EDOM, "t_end");
    tiny(&cfg);
    cfg.activation = NULL;
    expect_alloc_error(&cfg, CONDENSE_EINVAL, "NULL");
    assert_int_equal(condense_verify_instance_alloc(NULL, NULL), CONDENSE_EINVAL);
    condense_verify_instance_free(NULL);
}

/* Assumption 1 (eq. 6-7) is enforced: multiplicity 1, finite C_L, sigma(0) = 0, sigma'(0) = 1.
 * xtanh has r = 2, relu no multiplicity, sigmoid sigma(0) = 1/2, silu sigma'(0) = 1/2; tanh,
 * silu2 and identity satisfy it. */
static void test_assumption1(void **state)
{
    (void)state;
    condense_verify_config cfg;
    const char *bad[] = {"xtanh", "x2tanh", "relu", "sigmoid", "silu"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k) {
        tiny(&cfg);
        cfg.activation = bad[k];
        expect_alloc_error(&cfg, CONDENSE_EDOM, "Assumption 1");
    }
    tiny(&cfg);
    cfg.activation = "softsign";
    expect_alloc_error(&cfg, CONDENSE_EINVAL, "softsign");
    const char *good[] = {"tanh", "silu2", "identity"};
    for (size_t k = 0; k < sizeof good / sizeof *good; ++k) {
        tiny(&cfg);
        cfg.activation = good[k];
        condense_verify_instance *inst = NULL;
        assert_int_equal(condense_verify_instance_alloc(&cfg, &inst), CONDENSE_OK);
        condense_verify_instance_free(inst);
    }
}

/* The results that read runs refuse to work before the runs; the others work at once. */
static void test_needs_runs(void **state)
{
    (void)state;
    condense_verify_config cfg;
    tiny(&cfg);
    condense_verify_instance *inst = NULL;
    assert_int_equal(condense_verify_instance_alloc(&cfg, &inst), CONDENSE_OK);
    condense_verify_result res;
    assert_int_equal(condense_verify_prop2(inst, &res), CONDENSE_EINVAL);
    assert_non_null(strstr(condense_errmsg(), "condense_verify_instance_run"));
    assert_int_equal(condense_verify_teff(inst, &res), CONDENSE_EINVAL);
    assert_int_equal(condense_verify_theorem1_14(inst, &res), CONDENSE_EINVAL);
    assert_int_equal(condense_verify_theorem1_15(inst, &res), CONDENSE_EINVAL);
    assert_int_equal(condense_verify_rate64(inst, &res), CONDENSE_EINVAL);
    assert_int_equal(condense_verify_lemma1(inst, &res), CONDENSE_OK);
    assert_int_equal(condense_verify_prop3(inst, &res), CONDENSE_OK);
    condense_verify_result all[CONDENSE_VERIFY_N_RESULTS];
    size_t count = 99;
    assert_int_equal(condense_verify_all(inst, all, &count), CONDENSE_EINVAL);
    assert_int_equal(count, 2); /* Lemma 1 and Proposition 1 come before the first run-reader */
    assert_int_equal(condense_verify_lemma1(NULL, &res), CONDENSE_EINVAL);
    assert_int_equal(condense_verify_lemma1(inst, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_verify_all(inst, NULL, &count), CONDENSE_EINVAL);
    assert_int_equal(condense_verify_instance_run(NULL, NULL, NULL), CONDENSE_EINVAL);
    condense_verify_instance_free(inst);
}

static size_t progress_calls;
static void count_progress(size_t done, size_t total, void *user)
{
    assert_int_equal(total, 2);
    assert_int_equal(done, ++progress_calls);
    assert_ptr_equal(user, &progress_calls);
}

/* A tiny instance end to end: the runs are recorded consistently with their definitions. */
static void test_tiny_instance(void **state)
{
    (void)state;
    condense_verify_config cfg;
    tiny(&cfg);
    condense_verify_instance *inst = NULL;
    assert_int_equal(condense_verify_instance_alloc(&cfg, &inst), CONDENSE_OK);
    progress_calls = 0;
    assert_int_equal(condense_verify_instance_run(inst, count_progress, &progress_calls),
                     CONDENSE_OK);
    assert_int_equal(progress_calls, 2);
    for (size_t k = 0; k < inst->n_runs; ++k) {
        const condense_verify_run *run = &inst->runs[k];
        /* Assumption 3: eps^2 = M^-gamma, to rounding of pow. */
        assert_true(fabs(run->eps * run->eps * pow((double)run->M, cfg.gamma) - 1.0) < 1e-12);
        /* A run stops once T_eff is located and t_0, t_bar_0 are passed (or at its end). */
        assert_true(run->nt >= 1 && run->nt <= cfg.n_times + 1);
        assert_true(run->t[0] == 0.0);
        if (run->T_eff_found) {
            assert_true(run->t[run->nt - 1] >= run->T_eff);
            assert_true(run->t[run->nt - 1] >= run->t0_bar);
        }
        for (size_t j = 0; j < run->nt; ++j) {
            if (j > 0) {
                assert_true(run->t[j] >= run->t[j - 1]);
                /* eq. (52): phi is the running maximum of E_max */
                assert_true(run->phi[j] == fmax(run->phi[j - 1], run->E_max[j]));
            }
            assert_true(run->ratio[j] >= 0.0 && run->ratio[j] <= 1.0 + 1e-12);
            assert_true(run->lin_ratio[j] >= 0.0 && run->lin_ratio[j] <= 1.0 + 1e-12);
        }
        assert_true(run->rel_change[0] == 0.0); /* theta_W(0) against itself */
        /* Both flows start at the same point; the closed form reproduces theta(0) up to the
         * rounding of its r rank-one updates (a few ulps per entry: 1e-13 relative). */
        assert_true(run->lin_dev[0] < 1e-13);
        assert_true(run->prop2_samples > 0);
        assert_true(run->n_field > 0);
    }
    condense_verify_result res[CONDENSE_VERIFY_N_RESULTS];
    size_t count = 0;
    assert_int_equal(condense_verify_all(inst, res, &count), CONDENSE_OK);
    assert_int_equal(count, CONDENSE_VERIFY_N_RESULTS);
    char text[8192];
    for (size_t k = 0; k < count; ++k) {
        assert_true(strlen(res[k].name) > 0 && strlen(res[k].claim) > 0);
        assert_true(strlen(res[k].hypotheses) > 0 && strlen(res[k].measured) > 0);
        condense_verify_format(&res[k], text, sizeof text);
        assert_non_null(strstr(text, res[k].pass ? "PASS" : "FAIL"));
        assert_non_null(strstr(text, res[k].name));
    }
    /* Proposition 2's bound is rigorous: it holds even on this tiny instance. */
    assert_true(res[2].pass);
    for (size_t k = 0; k < count; ++k)
        assert_int_equal(res[k].not_applicable, 0); /* gamma = 4, Assumption 4 holds */

    /* Hypotheses that fail make results NOT APPLICABLE, never PASS or FAIL silently: gamma <= 1
     * (T_eff, Theorem 1 (14), (15), rate (64): results 4-7), then Assumption 4 (5-7). */
    const double gamma = inst->cfg.gamma;
    inst->cfg.gamma = 1.0;
    assert_int_equal(condense_verify_all(inst, res, &count), CONDENSE_OK);
    for (size_t k = 0; k < count; ++k) {
        const int want = k >= 4 && k <= 7;
        assert_int_equal(res[k].not_applicable, want);
        if (!want) continue;
        assert_int_equal(res[k].pass, 0);
        assert_true(isnan(res[k].margin));
        assert_non_null(strstr(res[k].margin_text, "needs gamma > 1"));
        assert_true(strlen(res[k].measured) > 0); /* the measurement is still shown */
        condense_verify_format(&res[k], text, sizeof text);
        assert_non_null(strstr(text, ": NOT APPLICABLE\n"));
    }
    inst->cfg.gamma = gamma;
    inst->assumption4 = 0;
    assert_int_equal(condense_verify_all(inst, res, &count), CONDENSE_OK);
    for (size_t k = 0; k < count; ++k) {
        const int want = k >= 5 && k <= 7;
        assert_int_equal(res[k].not_applicable, want);
        if (want) assert_non_null(strstr(res[k].margin_text, "needs Assumption 4"));
    }
    inst->assumption4 = 1;
    condense_verify_describe(inst, text, sizeof text);
    assert_non_null(strstr(text, "Assumption 4"));
    /* Truncation of a tiny buffer is safe. */
    condense_verify_describe(inst, text, 16);
    assert_int_equal(strlen(text), 15);
    condense_verify_instance_free(inst);
}

/* The trend checks fit log y = a + s log x: on exact power laws the slope is recovered to
 * rounding (gsl_fit_linear on exact data: residual ~ eps * |log y|, so 1e-12). */
static void test_loglog_slope(void **state)
{
    (void)state;
    const double x[5] = {16, 64, 256, 1024, 4096};
    double y[5];
    for (int k = 0; k < 5; ++k)
        y[k] = 3.0 * pow(x[k], -0.7);
    assert_true(fabs(condense_verify_loglog_slope(x, y, 5) + 0.7) < 1e-12);
    for (int k = 0; k < 5; ++k)
        y[k] = 0.5 * pow(x[k], 1.25);
    assert_true(fabs(condense_verify_loglog_slope(x, y, 5) - 1.25) < 1e-12);
    /* Non-positive and non-finite y are skipped; fewer than two points give NaN. */
    y[1] = 0.0;
    y[2] = -1.0;
    y[3] = INFINITY;
    assert_true(isnan(condense_verify_loglog_slope(x, y, 4)));
    assert_true(fabs(condense_verify_loglog_slope(x, y, 5) - 1.25) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors), cmocka_unit_test(test_assumption1),
        cmocka_unit_test(test_needs_runs),    cmocka_unit_test(test_tiny_instance),
        cmocka_unit_test(test_loglog_slope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
