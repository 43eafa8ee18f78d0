/* spectra.c -- the spectrum of Z over random draws of the data (CNN paper eq. (11)/(36) and
 * Assumption 4, eq. (12)/(37); the direction of Theorem 1, eq. (14)): see spectra.h. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "condense/error.h"
#include "condense/linearization.h"
#include "condense/observables.h"
#include "condense/spectra.h"
#include "condense/spectrum.h"

/* Eq. (11)/(36) and (12)/(37) on one draw; cos_alpha of v_1 (spectra.h) with condense_cosine
 * (eq. 5) against the all-ones vector. */
int condense_spectra_trial(const condense_data *data, size_t m, size_t top, double *eig,
                           double *delta_lambda, double *gap_rel, double *cos)
{
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(eig);
    CONDENSE_CHECK_NULL(delta_lambda);
    CONDENSE_CHECK_NULL(gap_rel);
    CONDENSE_CHECK_NULL(cos);
    gsl_matrix *Z = NULL;
    CONDENSE_TRY(condense_Z_alloc(data, m, &Z));
    condense_spectrum *s = NULL;
    int status = condense_spectrum_alloc(Z, -1.0, &s);
    gsl_matrix_free(Z);
    CONDENSE_TRY(status);
    const size_t C0 = data->C0, m2 = m * m, cols = s->cols;
    double *v1 = malloc(2 * cols * sizeof *v1), *ones = v1 + cols;
    double *c = malloc((C0 + 1) * sizeof *c);
    if (v1 == NULL || c == NULL)
        status = condense_error_set(CONDENSE_ENOMEM, __func__, "out of memory");
    else if (top == 0 || top > s->k)
        status = condense_error_set(CONDENSE_ESIZE, __func__,
                                    "top = %zu eigenvalues of Z^T Z asked, Z has %zu (need 1 <= "
                                    "top <= min(W_1 H_1, C_0 m^2 + 1))",
                                    top, s->k);
    else if (!(condense_spectrum_lambda(s, 1) > 0.0))
        status = condense_error_set(CONDENSE_EUNDEF, __func__,
                                    "Z = 0 (z_{s,t,alpha} = 0 and z = 0): v_1 is undefined");
    if (status == CONDENSE_OK) {
        gsl_vector_const_view v = condense_spectrum_v(s, 1);
        for (size_t k = 0; k < cols; ++k) {
            v1[k] = gsl_vector_get(&v.vector, k);
            ones[k] = 1.0;
        }
        for (size_t alpha = 0; alpha < C0 && status == CONDENSE_OK; ++alpha)
            status = condense_cosine(v1 + alpha * m2, ones, m2, &c[alpha]);
        if (status == CONDENSE_OK) status = condense_cosine(v1, ones, C0 * m2, &c[C0]);
    }
    if (status == CONDENSE_OK) {
        const double l1 = condense_spectrum_lambda(s, 1);
        const double l2 = s->k > 1 ? condense_spectrum_lambda(s, 2) : 0.0;
        for (size_t j = 1; j <= top; ++j) {
            const double lj = condense_spectrum_lambda(s, j);
            eig[j - 1] = lj * lj;
        }
        *delta_lambda = l1 - l2;
        *gap_rel = (l1 - l2) / l1;
        memcpy(cos, c, (C0 + 1) * sizeof *c);
    }
    free(v1);
    free(c);
    condense_spectrum_free(s);
    return status;
}

int condense_mean_std(const double *x, size_t count, size_t stride, double *mean, double *std)
{
    CONDENSE_CHECK_NULL(x);
    CONDENSE_CHECK_NULL(mean);
    CONDENSE_CHECK_NULL(std);
    if (count == 0 || stride == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "mean of %zu values with stride %zu", count, stride);
    const double mu = gsl_stats_mean(x, stride, count);
    *std = count > 1 ? gsl_stats_sd_m(x, stride, count, mu) : 0.0;
    *mean = mu;
    return CONDENSE_OK;
}

void condense_spectra_free(condense_spectra *s)
{
    if (s == NULL) return;
    free(s->seeds);
    free(s->eig);
    free(s->delta_lambda);
    free(s->gap_rel);
    free(s->cos);
    free(s->eig_mean);
    free(s->eig_std);
    free(s->cos_mean);
    free(s->cos_std);
    free(s);
}

static int spectra_alloc(size_t trials, size_t top, size_t C0, condense_spectra **out)
{
    condense_spectra *s = calloc(1, sizeof *s);
    if (s == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "out of memory");
    s->trials = trials, s->top = top, s->C0 = C0;
    s->seeds = malloc(trials * sizeof *s->seeds);
    s->eig = malloc(trials * top * sizeof *s->eig);
    s->delta_lambda = malloc(trials * sizeof *s->delta_lambda);
    s->gap_rel = malloc(trials * sizeof *s->gap_rel);
    s->cos = malloc(trials * (C0 + 1) * sizeof *s->cos);
    s->eig_mean = malloc(top * sizeof *s->eig_mean);
    s->eig_std = malloc(top * sizeof *s->eig_std);
    s->cos_mean = malloc((C0 + 1) * sizeof *s->cos_mean);
    s->cos_std = malloc((C0 + 1) * sizeof *s->cos_std);
    if (!s->seeds || !s->eig || !s->delta_lambda || !s->gap_rel || !s->cos || !s->eig_mean ||
        !s->eig_std || !s->cos_mean || !s->cos_std) {
        condense_spectra_free(s);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the results of %zu trials", trials);
    }
    *out = s;
    return CONDENSE_OK;
}

/* Mean and standard deviation of every quantity over the trials. */
static void spectra_summarize(condense_spectra *s)
{
    const size_t T = s->trials;
    for (size_t j = 0; j < s->top; ++j)
        condense_mean_std(s->eig + j, T, s->top, &s->eig_mean[j], &s->eig_std[j]);
    condense_mean_std(s->delta_lambda, T, 1, &s->delta_lambda_mean, &s->delta_lambda_std);
    condense_mean_std(s->gap_rel, T, 1, &s->gap_rel_mean, &s->gap_rel_std);
    for (size_t a = 0; a <= s->C0; ++a)
        condense_mean_std(s->cos + a, T, s->C0 + 1, &s->cos_mean[a], &s->cos_std[a]);
}

/* The trials, with images from set, else from pool, else synthetic. */
static int spectra_run(const condense_spectra_config *cfg, const condense_image_set *set,
                       const condense_data *pool, condense_spectra_progress progress, void *user,
                       condense_spectra **out)
{
    CONDENSE_CHECK_NULL(cfg);
    CONDENSE_CHECK_NULL(out);
    if (cfg->n == 0 || cfg->m == 0 || cfg->trials == 0 || cfg->top == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "n = %zu, m = %zu, trials = %zu, top = %zu: zero size",
                       cfg->n, cfg->m, cfg->trials, cfg->top);
    if (set != NULL && cfg->n > set->count)
        CONDENSE_ERROR(CONDENSE_ESIZE, "cannot draw n = %zu images from a set of %zu", cfg->n,
                       set->count);
    if (pool != NULL && cfg->n > pool->n)
        CONDENSE_ERROR(CONDENSE_ESIZE, "cannot draw n = %zu samples from a set of %zu", cfg->n,
                       pool->n);
    const size_t C0 = set != NULL ? set->channels : pool != NULL ? pool->C0 : cfg->C0;
    condense_spectra *s = NULL;
    CONDENSE_TRY(spectra_alloc(cfg->trials, cfg->top, C0, &s));
    condense_gsl_quiet();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int status =
        rng == NULL ? condense_error_set(CONDENSE_ENOMEM, __func__, "out of memory") : CONDENSE_OK;
    if (rng != NULL) gsl_rng_set(rng, cfg->seed);
    for (size_t t = 0; t < cfg->trials && status == CONDENSE_OK; ++t) {
        /* seed_t: the t-th output of mt19937 seeded with the base seed (spectra.h) */
        s->seeds[t] = gsl_rng_get(rng);
        condense_data *d = NULL;
        if (set != NULL)
            status =
                condense_image_set_sample(set, cfg->kind, cfg->n, s->seeds[t], cfg->norm, &d, NULL);
        else if (pool != NULL)
            status = condense_data_sample(pool, cfg->n, s->seeds[t], &d, NULL);
        else
            status =
                condense_data_synthetic(cfg->n, cfg->W0, cfg->H0, cfg->C0, cfg->c, s->seeds[t], &d);
        if (status == CONDENSE_OK)
            status =
                condense_spectra_trial(d, cfg->m, cfg->top, s->eig + t * cfg->top,
                                       &s->delta_lambda[t], &s->gap_rel[t], s->cos + t * (C0 + 1));
        condense_data_free(d);
        if (status == CONDENSE_OK && progress != NULL) progress(t + 1, cfg->trials, user);
    }
    gsl_rng_free(rng);
    if (status != CONDENSE_OK) {
        condense_spectra_free(s);
        return status;
    }
    spectra_summarize(s);
    *out = s;
    return CONDENSE_OK;
}

int condense_spectra_run(const condense_spectra_config *cfg, const condense_image_set *set,
                         condense_spectra_progress progress, void *user, condense_spectra **out)
{
    return spectra_run(cfg, set, NULL, progress, user, out);
}

int condense_spectra_run_data(const condense_spectra_config *cfg, const condense_data *pool,
                              condense_spectra_progress progress, void *user,
                              condense_spectra **out)
{
    CONDENSE_CHECK_NULL(pool);
    return spectra_run(cfg, NULL, pool, progress, user, out);
}
