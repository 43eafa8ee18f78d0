/* data_store.c -- a training set {x_i, y_i} (eq. (1) of the CNN paper) stored as .npy files,
 * and subsets of one drawn by seed (dataset.h). */
#include <config.h>

/* mkdir is POSIX. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/dataset.h"
#include "condense/error.h"
#include "condense/npy.h"

static int join(char *out, size_t size, const char *dir, const char *name)
{
    const int len = snprintf(out, size, "%s/%s", dir, name);
    if (len < 0 || (size_t)len >= size)
        CONDENSE_ERROR(CONDENSE_EINVAL, "path '%s/%s' is too long", dir, name);
    return CONDENSE_OK;
}

/* A file of S bytes holds at most S / 8 doubles: a header announcing more is refused before
 * anything is allocated for it, so that a few hostile bytes cannot make the loader allocate
 * gigabytes (found by fuzz/fuzz_data_store.c).  The exact data length is checked by
 * condense_npy_load. */
static int check_room(const char *path, size_t ndim, const size_t *shape)
{
    size_t count = 1; /* npy.c has checked that count * 8 fits in size_t */
    for (size_t k = 0; k < ndim; ++k)
        count = shape[k] == 0 || count == 0 ? 0 : count * shape[k];
    struct stat st; /* a file that cannot be stat-ed any more fails in condense_npy_load */
    if (stat(path, &st) == 0 && count > (size_t)st.st_size / sizeof(double))
        CONDENSE_ERROR(CONDENSE_EFORMAT,
                       "'%s': its shape announces %zu values (%zu bytes) but the file has only "
                       "%lld bytes (truncated?)",
                       path, count, count * sizeof(double), (long long)st.st_size);
    return CONDENSE_OK;
}

int condense_data_npy_save(const char *dir, const condense_data *data)
{
    CONDENSE_CHECK_NULL(dir);
    CONDENSE_CHECK_NULL(data);
    char xp[4096], yp[4096];
    CONDENSE_TRY(join(xp, sizeof xp, dir, "x.npy"));
    CONDENSE_TRY(join(yp, sizeof yp, dir, "y.npy"));
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        CONDENSE_ERROR(CONDENSE_EIO, "cannot create directory '%s': %s", dir, strerror(errno));
    const size_t xs[4] = {data->n, data->W0, data->H0, data->C0}, ys[1] = {data->n};
    CONDENSE_TRY(condense_npy_save(xp, data->x, 4, xs));
    return condense_npy_save(yp, data->y, 1, ys);
}

int condense_data_npy_load(const char *dir, condense_data **data)
{
    CONDENSE_CHECK_NULL(dir);
    CONDENSE_CHECK_NULL(data);
    char xp[4096], yp[4096];
    CONDENSE_TRY(join(xp, sizeof xp, dir, "x.npy"));
    CONDENSE_TRY(join(yp, sizeof yp, dir, "y.npy"));
    size_t xn = 0, yn = 0, xs[CONDENSE_NPY_MAX_DIMS], ys[CONDENSE_NPY_MAX_DIMS];
    CONDENSE_TRY(condense_npy_shape(xp, &xn, xs));
    CONDENSE_TRY(condense_npy_shape(yp, &yn, ys));
    if (xn != 4)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': %zu dimensions, expected 4 (n, W_0, H_0, C_0)", xp,
                       xn);
    if (yn != 1 || ys[0] != xs[0])
        CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': shape does not match the %zu samples of '%s'", yp,
                       xs[0], xp);
    CONDENSE_TRY(check_room(xp, xn, xs));
    CONDENSE_TRY(check_room(yp, yn, ys));
    condense_data *d = NULL;
    CONDENSE_TRY(condense_data_alloc(xs[0], xs[1], xs[2], xs[3], &d));
    int status = condense_npy_load(xp, d->x, 4, xs);
    if (status == CONDENSE_OK) status = condense_npy_load(yp, d->y, 1, ys);
    if (status != CONDENSE_OK) {
        condense_data_free(d);
        return status;
    }
    *data = d;
    return CONDENSE_OK;
}

int condense_data_sample(const condense_data *all, size_t n, unsigned long seed,
                         condense_data **data, size_t *indices)
{
    CONDENSE_CHECK_NULL(all);
    CONDENSE_CHECK_NULL(data);
    if (n == 0 || n > all->n)
        CONDENSE_ERROR(CONDENSE_ESIZE, "cannot draw n = %zu samples from a set of %zu", n, all->n);
    condense_data *d = NULL;
    CONDENSE_TRY(condense_data_alloc(n, all->W0, all->H0, all->C0, &d));
    size_t *pos = malloc((all->n + n) * sizeof *pos);
    condense_gsl_quiet();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const int status = pos == NULL || rng == NULL
                           ? condense_error_set(CONDENSE_ENOMEM, __func__, "out of memory")
                           : CONDENSE_OK;
    if (status == CONDENSE_OK) {
        size_t *chosen = pos + all->n;
        gsl_rng_set(rng, seed);
        for (size_t k = 0; k < all->n; ++k)
            pos[k] = k;
        gsl_ran_choose(rng, chosen, n, pos, all->n, sizeof *pos);
        const size_t size = all->W0 * all->H0 * all->C0;
        for (size_t i = 0; i < n; ++i) {
            memcpy(d->x + i * size, all->x + chosen[i] * size, size * sizeof *d->x);
            d->y[i] = all->y[chosen[i]];
        }
        if (indices != NULL) memcpy(indices, chosen, n * sizeof *chosen);
        *data = d;
        d = NULL;
    }
    gsl_rng_free(rng);
    free(pos);
    condense_data_free(d);
    return status;
}
