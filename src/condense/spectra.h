/* condense/spectra.h -- the spectrum of Z over random draws of the data: for T trials of n
 * images, the top eigenvalues of Z^T Z (= lambda_j^2, eq. (11)/(36) of the CNN paper), the
 * spectral gap Delta lambda = lambda_1 - lambda_2 of Assumption 4 (eq. 12/37), and how close v_1
 * is to the all-ones direction of each input channel -- the direction Theorem 1 says the
 * kernels condense on (eq. 14) -- with means and standard deviations over the trials.
 *
 * Z is W_1 H_1 x (C_0 m^2 + 1), its columns ordered (p, q) within channel alpha = 1..C_0, then
 * the bias column (linearization.h; eq. (70) per NOTES.md).  The cosine of channel alpha is
 *     cos_alpha = <v_1[alpha], 1> / (||v_1[alpha]|| sqrt(m^2)),
 * v_1[alpha] the m^2 entries of v_1 of channel alpha.  The bias entry of v_1 is EXCLUDED: it is
 * the direction of b_beta, not of the kernel W_{.,.,alpha,beta} whose condensation Theorem 1
 * describes.  cos_all is the same for all C_0 m^2 kernel entries together (again without the
 * bias).  v_1's sign is spectrum.h's (<v_1, 1> > 0 over all its entries, bias included), so
 * cos_alpha can be negative.
 *
 * Trial t = 1..T draws its images with seed_t = the t-th output of gsl_rng_get of a GSL mt19937
 * generator seeded with the base seed (so trials are independent streams and two base seeds
 * do not share trials).  Real data: n images of the set sampled by seed_t
 * (condense_image_set_sample); a stored set: n of its samples (condense_data_sample); synthetic
 * data: condense_data_synthetic(..., seed_t). */
#ifndef CONDENSE_SPECTRA_H
#define CONDENSE_SPECTRA_H

#include <stddef.h>

#include "condense/data.h"
#include "condense/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One draw's quantities from data and filter size m: eig[j-1] = lambda_j^2 for j = 1..top,
 * *delta_lambda = lambda_1 - lambda_2 (lambda_2 = 0 when Z has one singular value), *gap_rel =
 * Delta lambda / lambda_1, cos[alpha-1] = cos_alpha for alpha = 1..C_0 and cos[C_0] = cos_all.
 * Errors (outputs untouched): CONDENSE_EINVAL for NULL, CONDENSE_ESIZE for m = 0, m > min(W_0,
 * H_0), top = 0 or top > min(W_1 H_1, C_0 m^2 + 1), CONDENSE_EDOM for non-finite data,
 * CONDENSE_EUNDEF when lambda_1 = 0 (Z = 0: no v_1), CONDENSE_EDOM (condense_cosine's) when
 * a channel's block of v_1 is 0 (no direction to compare), CONDENSE_ENUM when the SVD fails. */
int condense_spectra_trial(const condense_data *data, size_t m, size_t top, double *eig,
                           double *delta_lambda, double *gap_rel, double *cos);

/* Where the images of each trial come from, and the sizes. */
typedef struct condense_spectra_config {
    size_t n, m, trials, top;
    unsigned long seed;
    /* real data (set != NULL in condense_spectra_run): its kind and pixel normalization */
    condense_dataset_kind kind;
    condense_normalization norm;
    /* synthetic data (set == NULL): condense_data_synthetic(n, W0, H0, C0, c, seed_t) */
    size_t W0, H0, C0;
    double c;
} condense_spectra_config;

/* The results: per trial, and mean and standard deviation over the trials (the sample
 * standard deviation, divisor T - 1; 0 when T = 1). */
typedef struct condense_spectra {
    size_t trials, top, C0;
    unsigned long *seeds;       /* trials: seed_t */
    double *eig;                /* trials x top: lambda_j^2 */
    double *delta_lambda;       /* trials */
    double *gap_rel;            /* trials */
    double *cos;                /* trials x (C0 + 1): cos_1..cos_C0, cos_all */
    double *eig_mean, *eig_std; /* top */
    double delta_lambda_mean, delta_lambda_std, gap_rel_mean, gap_rel_std;
    double *cos_mean, *cos_std; /* C0 + 1 */
} condense_spectra;

/* Called after each trial (done = 1..total). */
typedef void (*condense_spectra_progress)(size_t done, size_t total, void *user);

/* Run the cfg->trials trials (images from set, or synthetic when set is NULL) and summarize.
 * Errors (*out untouched): CONDENSE_EINVAL for NULL cfg/out or an unknown kind or
 * normalization, CONDENSE_ESIZE for a zero n/m/trials/top, n > set->count, or sizes
 * condense_spectra_trial refuses, CONDENSE_EDOM for a synthetic c that is not > 1, and any
 * error of a trial. */
int condense_spectra_run(const condense_spectra_config *cfg, const condense_image_set *set,
                         condense_spectra_progress progress, void *user, condense_spectra **out);

/* The same with the images of each trial drawn from a stored set: condense_data_sample(pool,
 * cfg->n, seed_t) (cfg->kind, norm, W0, H0, C0 and c are not used).  Errors as above, with
 * CONDENSE_EINVAL for a NULL pool and CONDENSE_ESIZE for n > pool->n. */
int condense_spectra_run_data(const condense_spectra_config *cfg, const condense_data *pool,
                              condense_spectra_progress progress, void *user,
                              condense_spectra **out);
void condense_spectra_free(condense_spectra *s);

/* Mean and sample standard deviation (divisor count - 1; 0 when count = 1) of count values
 * x[0], x[stride], ..., with gsl_stats.  CONDENSE_EINVAL for NULL, CONDENSE_ESIZE for count or
 * stride 0. */
int condense_mean_std(const double *x, size_t count, size_t stride, double *mean, double *std);

#ifdef __cplusplus
}
#endif
#endif
