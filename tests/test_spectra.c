/* test_spectra.c -- tests of src/spectra.c: the spectrum of Z over random draws.
 *
 * Independent routes: Z is built here by brute-force loops from eq. (31)/(35)/(70) (not by
 * condense_Z_alloc), Z^T Z is formed explicitly and diagonalized by gsl_eigen_symmv (not the
 * SVD of spectrum.c), and the channel cosines of v_1 are computed by loops over that
 * eigenvector.  Means and standard deviations are checked against the sum-of-squares formula.
 * The trials' seeds are recomputed here from the documented rule (spectra.h). */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_rng.h>

#include "condense/data.h"
#include "condense/dataset.h"
#include "condense/error.h"
#include "condense/spectra.h"

/* Z by loops: row (u, v) = (u-1) H_1 + (v-1); column (alpha-1) m^2 + p m + q, then z. */
static gsl_matrix *brute_Z(const condense_data *d, size_t m)
{
    const size_t W1 = d->W0 - m + 1, H1 = d->H0 - m + 1, cols = d->C0 * m * m + 1;
    gsl_matrix *Z = gsl_matrix_calloc(W1 * H1, cols);
    assert_non_null(Z);
    double zb = 0.0;
    for (size_t i = 1; i <= d->n; ++i)
        zb += *condense_data_y(d, i) / (double)d->n;
    for (size_t u = 1; u <= W1; ++u)
        for (size_t v = 1; v <= H1; ++v) {
            const size_t row = (u - 1) * H1 + (v - 1);
            for (size_t a = 1; a <= d->C0; ++a)
                for (size_t p = 0; p < m; ++p)
                    for (size_t q = 0; q < m; ++q) {
                        double z = 0.0;
                        for (size_t i = 1; i <= d->n; ++i)
                            z += *condense_data_y(d, i) * *condense_data_x(d, i, u + p, v + q, a);
                        gsl_matrix_set(Z, row, (a - 1) * m * m + p * m + q, z / (double)d->n);
                    }
            gsl_matrix_set(Z, row, cols - 1, zb);
        }
    return Z;
}

/* The eigen-decomposition of Z^T Z formed by loops: eigenvalues descending into mu, the
 * eigenvector of the largest into e1 (sign: sum of entries > 0). */
static void brute_eigen(const gsl_matrix *Z, double *mu, double *e1)
{
    const size_t N = Z->size2;
    gsl_matrix *G = gsl_matrix_alloc(N, N), *E = gsl_matrix_alloc(N, N);
    gsl_vector *ev = gsl_vector_alloc(N);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(N);
    for (size_t a = 0; a < N; ++a)
        for (size_t b = 0; b < N; ++b) {
            double g = 0.0;
            for (size_t r = 0; r < Z->size1; ++r)
                g += gsl_matrix_get(Z, r, a) * gsl_matrix_get(Z, r, b);
            gsl_matrix_set(G, a, b, g);
        }
    assert_int_equal(gsl_eigen_symmv(G, ev, E, w), 0);
    gsl_eigen_symmv_sort(ev, E, GSL_EIGEN_SORT_VAL_DESC);
    double sum = 0.0;
    for (size_t k = 0; k < N; ++k) {
        mu[k] = gsl_vector_get(ev, k);
        sum += gsl_matrix_get(E, k, 0);
    }
    for (size_t k = 0; k < N; ++k)
        e1[k] = (sum > 0 ? 1.0 : -1.0) * gsl_matrix_get(E, k, 0);
    gsl_eigen_symmv_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(E);
    gsl_matrix_free(G);
}

static void check_trial(const condense_data *d, size_t m, size_t top)
{
    gsl_matrix *Z = brute_Z(d, m);
    const size_t N = Z->size2, C0 = d->C0, m2 = m * m;
    double *mu = malloc(N * sizeof *mu), *e1 = malloc(N * sizeof *e1);
    double *eig = malloc(top * sizeof *eig), *cos = malloc((C0 + 1) * sizeof *cos);
    assert_non_null(mu);
    assert_non_null(e1);
    assert_non_null(eig);
    assert_non_null(cos);
    brute_eigen(Z, mu, e1);
    double dl, gr;
    assert_int_equal(condense_spectra_trial(d, m, top, eig, &dl, &gr, cos), CONDENSE_OK);
    /* Eigenvalues: both routes are backward stable, so each lambda_j^2 is exact to
     * O(eps ||Z^T Z||) = O(eps mu_1); 64 N eps mu_1 is that with room. */
    const double tol_mu = 64.0 * (double)N * DBL_EPSILON * mu[0];
    for (size_t j = 0; j < top; ++j)
        if (!(fabs(eig[j] - mu[j]) <= tol_mu))
            fail_msg("eig %zu: %.17g vs %.17g", j, eig[j], mu[j]);
    /* Delta lambda = sqrt(mu_1) - sqrt(mu_2) (mu_2 may be O(eps) negative: clamp at 0); the
     * error of a square root of mu +- tol is at most sqrt(tol). */
    const double l1 = sqrt(mu[0]), l2 = N > 1 && Z->size1 > 1 ? sqrt(fmax(mu[1], 0.0)) : 0.0;
    assert_true(fabs(dl - (l1 - l2)) <= 2.0 * sqrt(tol_mu));
    assert_true(fabs(gr - (l1 - l2) / l1) <= 4.0 * sqrt(tol_mu) / l1);
    /* Channel cosines by loops over e1.  The eigenvector is accurate to
     * sin(angle) <= O(eps mu_1) / (mu_1 - mu_2) (Davis-Kahan); a cosine of a block of norm b
     * moves by at most 2 |dv| / b. */
    const double dv = 1e3 * DBL_EPSILON * mu[0] / (mu[0] - mu[1]);
    double all_s = 0.0, all_q = 0.0;
    for (size_t a = 0; a < C0; ++a) {
        double s = 0.0, q = 0.0;
        for (size_t k = 0; k < m2; ++k) {
            s += e1[a * m2 + k];
            q += e1[a * m2 + k] * e1[a * m2 + k];
        }
        all_s += s, all_q += q;
        const double expect = s / (sqrt(q) * (double)m);
        if (!(fabs(cos[a] - expect) <= 2.0 * dv / sqrt(q)))
            fail_msg("cos_%zu: %.17g vs %.17g", a + 1, cos[a], expect);
    }
    const double expect_all = all_s / (sqrt(all_q) * sqrt((double)(C0 * m2)));
    assert_true(fabs(cos[C0] - expect_all) <= 2.0 * dv / sqrt(all_q));
    gsl_matrix_free(Z);
    free(mu);
    free(e1);
    free(eig);
    free(cos);
}

static void test_trial_against_eigen(void **state)
{
    (void)state;
    condense_data *d = NULL;
    /* two channels, 7 x 6, m = 3: Z is 20 x 19 */
    assert_int_equal(condense_data_synthetic(12, 7, 6, 2, 4.0, 5, &d), CONDENSE_OK);
    check_trial(d, 3, 5);
    check_trial(d, 2, 9); /* Z is 30 x 9: all of them */
    check_trial(d, 1, 3); /* m = 1: Z is 42 x 3 */
    condense_data_free(d);
    /* one channel, 10 x 10, mixed signs of labels (they are correlated with the images) */
    assert_int_equal(condense_data_synthetic(20, 10, 10, 1, 3.0, 77, &d), CONDENSE_OK);
    check_trial(d, 3, 10);
    condense_data_free(d);
    /* three channels, wide Z: 4 x 4 with m = 3 gives Z of 4 x 28 (k = 4) */
    assert_int_equal(condense_data_synthetic(6, 4, 4, 3, 2.0, 9, &d), CONDENSE_OK);
    check_trial(d, 3, 4);
    condense_data_free(d);
}

/* m = W_0 = H_0: Z is the single row r, so lambda_1^2 = |r|^2, lambda_2 = 0, v_1 = r / |r|. */
static void test_trial_single_row(void **state)
{
    (void)state;
    condense_data *d = NULL;
    assert_int_equal(condense_data_synthetic(5, 3, 3, 2, 4.0, 2, &d), CONDENSE_OK);
    gsl_matrix *Z = brute_Z(d, 3);
    assert_int_equal(Z->size1, 1);
    double r2 = 0.0, s1 = 0.0, q1 = 0.0;
    for (size_t k = 0; k < Z->size2; ++k)
        r2 += gsl_matrix_get(Z, 0, k) * gsl_matrix_get(Z, 0, k);
    for (size_t k = 0; k < 9; ++k) {
        s1 += gsl_matrix_get(Z, 0, k);
        q1 += gsl_matrix_get(Z, 0, k) * gsl_matrix_get(Z, 0, k);
    }
    double eig[1], dl, gr, cos[3];
    assert_int_equal(condense_spectra_trial(d, 3, 1, eig, &dl, &gr, cos), CONDENSE_OK);
    assert_true(fabs(eig[0] - r2) <= 64 * DBL_EPSILON * r2);
    assert_true(fabs(dl - sqrt(r2)) <= 64 * DBL_EPSILON * sqrt(r2));
    assert_true(fabs(gr - 1.0) <= 64 * DBL_EPSILON);
    /* v_1 = +-r/|r|, its sign making <v_1, 1> > 0 */
    double sall = 0.0;
    for (size_t k = 0; k < Z->size2; ++k)
        sall += gsl_matrix_get(Z, 0, k);
    const double sign = sall > 0 ? 1.0 : -1.0;
    assert_true(fabs(cos[0] - sign * s1 / (sqrt(q1) * 3.0)) <= 64 * DBL_EPSILON);
    /* top = 2 > k = 1 */
    double eig2[2] = {-1, -1};
    assert_int_equal(condense_spectra_trial(d, 3, 2, eig2, &dl, &gr, cos), CONDENSE_ESIZE);
    assert_true(eig2[0] == -1 && eig2[1] == -1);
    gsl_matrix_free(Z);
    condense_data_free(d);
}

static void test_trial_errors(void **state)
{
    (void)state;
    condense_data *d = NULL;
    assert_int_equal(condense_data_synthetic(4, 5, 5, 1, 4.0, 3, &d), CONDENSE_OK);
    double eig[2] = {-7, -7}, dl = -7, gr = -7, cos[2] = {-7, -7};
    assert_int_equal(condense_spectra_trial(NULL, 3, 2, eig, &dl, &gr, cos), CONDENSE_EINVAL);
    assert_int_equal(condense_spectra_trial(d, 3, 2, NULL, &dl, &gr, cos), CONDENSE_EINVAL);
    assert_int_equal(condense_spectra_trial(d, 3, 2, eig, NULL, &gr, cos), CONDENSE_EINVAL);
    assert_int_equal(condense_spectra_trial(d, 3, 2, eig, &dl, NULL, cos), CONDENSE_EINVAL);
    assert_int_equal(condense_spectra_trial(d, 3, 2, eig, &dl, &gr, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_spectra_trial(d, 0, 2, eig, &dl, &gr, cos), CONDENSE_ESIZE);
    assert_int_equal(condense_spectra_trial(d, 6, 2, eig, &dl, &gr, cos), CONDENSE_ESIZE);
    assert_int_equal(condense_spectra_trial(d, 3, 0, eig, &dl, &gr, cos), CONDENSE_ESIZE);
    assert_int_equal(condense_spectra_trial(d, 3, 11, eig, &dl, &gr, cos), CONDENSE_ESIZE);
    assert_non_null(strstr(condense_errmsg(), "top = 11"));
    /* non-finite data */
    d->x[3] = NAN;
    assert_int_equal(condense_spectra_trial(d, 3, 2, eig, &dl, &gr, cos), CONDENSE_EDOM);
    /* y = 0: Z = 0, no v_1 */
    d->x[3] = 0.5;
    for (size_t i = 0; i < d->n; ++i)
        d->y[i] = 0.0;
    assert_int_equal(condense_spectra_trial(d, 3, 2, eig, &dl, &gr, cos), CONDENSE_EUNDEF);
    /* a kernel block of v_1 that is 0: x = 0 everywhere, y != 0 -- Z is only its bias column,
     * v_1 = e_bias, and the m^2 kernel entries are 0 */
    for (size_t i = 0; i < d->n; ++i)
        d->y[i] = 1.0;
    memset(d->x, 0, d->n * 25 * sizeof *d->x);
    assert_int_equal(condense_spectra_trial(d, 3, 2, eig, &dl, &gr, cos), CONDENSE_EDOM);
    assert_true(eig[0] == -7 && eig[1] == -7 && dl == -7 && gr == -7 && cos[0] == -7 &&
                cos[1] == -7);
    condense_data_free(d);
}

/* ---- mean and standard deviation -------------------------------------------------------- */

static void test_mean_std(void **state)
{
    (void)state;
    /* values x_k = 3 + sin(k) at stride 2 (the odd slots hold garbage) */
    double x[2 * 9];
    for (size_t k = 0; k < 9; ++k) {
        x[2 * k] = 3.0 + sin((double)k);
        x[2 * k + 1] = 1e300;
    }
    double mean, std;
    assert_int_equal(condense_mean_std(x, 9, 2, &mean, &std), CONDENSE_OK);
    /* second formula: sum and sum of squares, var = (S2 - S1^2 / T) / (T - 1); its cancellation
     * error is O(eps S2), S2 / T <= 16, so 64 eps * 16 bounds |var - var'| */
    double S1 = 0.0, S2 = 0.0;
    for (size_t k = 0; k < 9; ++k)
        S1 += x[2 * k], S2 += x[2 * k] * x[2 * k];
    const double mean2 = S1 / 9.0, var2 = (S2 - S1 * S1 / 9.0) / 8.0;
    assert_true(fabs(mean - mean2) <= 8 * DBL_EPSILON * 4.0);
    assert_true(fabs(std * std - var2) <= 64 * DBL_EPSILON * 16.0 * 9.0);
    /* one value: the mean is it, the spread 0 */
    assert_int_equal(condense_mean_std(x, 1, 1, &mean, &std), CONDENSE_OK);
    assert_true(mean == x[0] && std == 0.0);
    /* errors, outputs untouched */
    mean = std = -1;
    assert_int_equal(condense_mean_std(NULL, 1, 1, &mean, &std), CONDENSE_EINVAL);
    assert_int_equal(condense_mean_std(x, 1, 1, NULL, &std), CONDENSE_EINVAL);
    assert_int_equal(condense_mean_std(x, 1, 1, &mean, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_mean_std(x, 0, 1, &mean, &std), CONDENSE_ESIZE);
    assert_int_equal(condense_mean_std(x, 1, 0, &mean, &std), CONDENSE_ESIZE);
    assert_true(mean == -1 && std == -1);
}

/* ---- the trials ------------------------------------------------------------------------- */

static size_t g_calls, g_last_done;
static void count_progress(size_t done, size_t total, void *user)
{
    assert_int_equal(done, g_calls + 1);
    assert_int_equal(total, *(size_t *)user);
    g_calls++;
    g_last_done = done;
}

/* seed_t by the documented rule: the t-th gsl_rng_get of mt19937 seeded with seed. */
static void expected_seeds(unsigned long seed, size_t T, unsigned long *seeds)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t t = 0; t < T; ++t)
        seeds[t] = gsl_rng_get(r);
    gsl_rng_free(r);
}

/* Per-trial values equal condense_spectra_trial on the documented draw; the summary is the
 * mean and standard deviation of those (second formula). */
static void check_run(const condense_spectra *s, const condense_spectra_config *cfg,
                      const condense_image_set *set)
{
    const size_t T = cfg->trials, top = cfg->top, C0 = s->C0;
    unsigned long seeds[16];
    expected_seeds(cfg->seed, T, seeds);
    double eig[16], dl, gr, cos[8];
    for (size_t t = 0; t < T; ++t) {
        assert_int_equal(s->seeds[t], seeds[t]);
        condense_data *d = NULL;
        if (set != NULL)
            assert_int_equal(
                condense_image_set_sample(set, cfg->kind, cfg->n, seeds[t], cfg->norm, &d, NULL),
                CONDENSE_OK);
        else
            assert_int_equal(
                condense_data_synthetic(cfg->n, cfg->W0, cfg->H0, cfg->C0, cfg->c, seeds[t], &d),
                CONDENSE_OK);
        assert_int_equal(condense_spectra_trial(d, cfg->m, top, eig, &dl, &gr, cos), CONDENSE_OK);
        assert_memory_equal(eig, s->eig + t * top, top * sizeof *eig);
        assert_memory_equal(cos, s->cos + t * (C0 + 1), (C0 + 1) * sizeof *cos);
        assert_true(dl == s->delta_lambda[t] && gr == s->gap_rel[t]);
        condense_data_free(d);
    }
    /* summaries by sums (tolerances as in test_mean_std, scaled by the values' size) */
    for (size_t q = 0; q < top + 2 + C0 + 1; ++q) {
        double S1 = 0.0, S2 = 0.0, big = 0.0, mean, std;
        for (size_t t = 0; t < T; ++t) {
            const double v = q < top        ? s->eig[t * top + q]
                             : q == top     ? s->delta_lambda[t]
                             : q == top + 1 ? s->gap_rel[t]
                                            : s->cos[t * (C0 + 1) + (q - top - 2)];
            S1 += v, S2 += v * v, big = fmax(big, fabs(v));
        }
        mean = q < top        ? s->eig_mean[q]
               : q == top     ? s->delta_lambda_mean
               : q == top + 1 ? s->gap_rel_mean
                              : s->cos_mean[q - top - 2];
        std = q < top        ? s->eig_std[q]
              : q == top     ? s->delta_lambda_std
              : q == top + 1 ? s->gap_rel_std
                             : s->cos_std[q - top - 2];
        const double var2 = T > 1 ? (S2 - S1 * S1 / (double)T) / (double)(T - 1) : 0.0;
        assert_true(fabs(mean - S1 / (double)T) <= 8 * DBL_EPSILON * (double)T * big);
        assert_true(fabs(std * std - var2) <= 64 * DBL_EPSILON * (double)T * big * big);
    }
}

static void test_run_synthetic(void **state)
{
    (void)state;
    condense_spectra_config cfg = {
        .n = 10, .m = 3, .trials = 4, .top = 3, .seed = 17, .W0 = 6, .H0 = 5, .C0 = 2, .c = 4.0};
    condense_spectra *s = NULL;
    size_t total = cfg.trials;
    g_calls = 0;
    assert_int_equal(condense_spectra_run(&cfg, NULL, count_progress, &total, &s), CONDENSE_OK);
    assert_int_equal(g_calls, 4);
    assert_int_equal(s->trials, 4);
    assert_int_equal(s->top, 3);
    assert_int_equal(s->C0, 2);
    check_run(s, &cfg, NULL);
    condense_spectra_free(s);
    condense_spectra_free(NULL);
    /* one trial, no progress callback: std 0 */
    cfg.trials = 1;
    assert_int_equal(condense_spectra_run(&cfg, NULL, NULL, NULL, &s), CONDENSE_OK);
    check_run(s, &cfg, NULL);
    assert_true(s->eig_std[0] == 0.0 && s->cos_std[2] == 0.0);
    condense_spectra_free(s);
}

static void test_run_image_set(void **state)
{
    (void)state;
    /* a hand-built set of 30 images 6 x 6 x 3 with bytes (i * 41 + p * 17 + p * p) % 256 */
    condense_image_set set = {.count = 30, .rows = 6, .cols = 6, .channels = 3, .classes = 10};
    unsigned char pixels[30 * 108], labels[30];
    for (size_t i = 0; i < 30; ++i) {
        labels[i] = (unsigned char)((i * 7) % 10);
        for (size_t p = 0; p < 108; ++p)
            pixels[i * 108 + p] = (unsigned char)((i * 41 + p * 17 + p * p) % 256);
    }
    set.pixels = pixels, set.labels = labels;
    condense_spectra_config cfg = {.n = 12,
                                   .m = 3,
                                   .trials = 3,
                                   .top = 4,
                                   .seed = 5,
                                   .kind = CONDENSE_DATASET_CIFAR10,
                                   .norm = CONDENSE_NORMALIZE_STANDARDIZE};
    condense_spectra *s = NULL;
    assert_int_equal(condense_spectra_run(&cfg, &set, NULL, NULL, &s), CONDENSE_OK);
    assert_int_equal(s->C0, 3);
    check_run(s, &cfg, &set);
    condense_spectra_free(s);

    /* errors: *out untouched */
    condense_spectra sentinel_storage, *sentinel = &sentinel_storage;
    s = sentinel;
    assert_int_equal(condense_spectra_run(NULL, &set, NULL, NULL, &s), CONDENSE_EINVAL);
    assert_int_equal(condense_spectra_run(&cfg, &set, NULL, NULL, NULL), CONDENSE_EINVAL);
    condense_spectra_config bad = cfg;
    bad.n = 0;
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_ESIZE);
    bad = cfg, bad.m = 0;
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_ESIZE);
    bad = cfg, bad.trials = 0;
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_ESIZE);
    bad = cfg, bad.top = 0;
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_ESIZE);
    bad = cfg, bad.n = 31;
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_ESIZE);
    bad = cfg, bad.top = 17; /* Z is 16 x 28: k = 16 */
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_ESIZE);
    bad = cfg, bad.m = 7;
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_ESIZE);
    bad = cfg, bad.norm = (condense_normalization)9;
    assert_int_equal(condense_spectra_run(&bad, &set, NULL, NULL, &s), CONDENSE_EINVAL);
    condense_spectra_config syn = {
        .n = 4, .m = 2, .trials = 2, .top = 1, .seed = 1, .W0 = 4, .H0 = 4, .C0 = 1, .c = 1.0};
    assert_int_equal(condense_spectra_run(&syn, NULL, NULL, NULL, &s), CONDENSE_EDOM);
    assert_ptr_equal(s, sentinel);
}

/* The trials over a stored set: trial t is condense_data_sample(pool, n, seed_t). */
static void test_run_data(void **state)
{
    (void)state;
    condense_data *pool = NULL;
    assert_int_equal(condense_data_synthetic(25, 6, 6, 2, 4.0, 8, &pool), CONDENSE_OK);
    condense_spectra_config cfg = {.n = 9, .m = 3, .trials = 3, .top = 2, .seed = 21};
    condense_spectra *s = NULL;
    assert_int_equal(condense_spectra_run_data(&cfg, pool, NULL, NULL, &s), CONDENSE_OK);
    assert_int_equal(s->C0, 2);
    unsigned long seeds[3];
    expected_seeds(21, 3, seeds);
    for (size_t t = 0; t < 3; ++t) {
        condense_data *d = NULL;
        assert_int_equal(condense_data_sample(pool, 9, seeds[t], &d, NULL), CONDENSE_OK);
        double eig[2], dl, gr, cos[3];
        assert_int_equal(condense_spectra_trial(d, 3, 2, eig, &dl, &gr, cos), CONDENSE_OK);
        assert_memory_equal(eig, s->eig + 2 * t, sizeof eig);
        assert_memory_equal(cos, s->cos + 3 * t, sizeof cos);
        condense_data_free(d);
    }
    condense_spectra_free(s);
    condense_spectra sentinel_storage, *sentinel = &sentinel_storage;
    s = sentinel;
    assert_int_equal(condense_spectra_run_data(&cfg, NULL, NULL, NULL, &s), CONDENSE_EINVAL);
    cfg.n = 26;
    assert_int_equal(condense_spectra_run_data(&cfg, pool, NULL, NULL, &s), CONDENSE_ESIZE);
    assert_ptr_equal(s, sentinel);
    condense_data_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trial_against_eigen),
        cmocka_unit_test(test_trial_single_row),
        cmocka_unit_test(test_trial_errors),
        cmocka_unit_test(test_mean_std),
        cmocka_unit_test(test_run_synthetic),
        cmocka_unit_test(test_run_image_set),
        cmocka_unit_test(test_run_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
