/* dataset.c -- the real data sets of the CNN paper's experiments (Sec. 4.1, App. A.1): names,
 * where they are looked for, sampling n images by seed, and the pixel normalizations.  The
 * labels y_i are the class indices (NOTES.md). */
#include <config.h>

/* opendir/readdir and fnmatch are POSIX. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/dataset.h"
#include "condense/error.h"
#include "dataset_internal.h"

static const char *const dataset_names[] = {"mnist", "fashion-mnist", "cifar10"};
static const char *const normalization_names[] = {"raw", "standardize", "half"};
#define NDATASETS (sizeof dataset_names / sizeof dataset_names[0])
#define NNORMALIZATIONS (sizeof normalization_names / sizeof normalization_names[0])

int condense_dataset_lookup(const char *name, condense_dataset_kind *kind)
{
    CONDENSE_CHECK_NULL(name);
    CONDENSE_CHECK_NULL(kind);
    for (size_t k = 0; k < NDATASETS; ++k)
        if (strcmp(name, dataset_names[k]) == 0) {
            *kind = (condense_dataset_kind)k;
            return CONDENSE_OK;
        }
    CONDENSE_ERROR(CONDENSE_EINVAL, "unknown data set '%s' (known: mnist, fashion-mnist, cifar10)",
                   name);
}

const char *condense_dataset_name(condense_dataset_kind kind)
{
    return (size_t)kind < NDATASETS ? dataset_names[kind] : "unknown";
}

int condense_normalization_lookup(const char *name, condense_normalization *norm)
{
    CONDENSE_CHECK_NULL(name);
    CONDENSE_CHECK_NULL(norm);
    for (size_t k = 0; k < NNORMALIZATIONS; ++k)
        if (strcmp(name, normalization_names[k]) == 0) {
            *norm = (condense_normalization)k;
            return CONDENSE_OK;
        }
    CONDENSE_ERROR(CONDENSE_EINVAL, "unknown normalization '%s' (known: raw, standardize, half)",
                   name);
}

const char *condense_normalization_name(condense_normalization norm)
{
    return (size_t)norm < NNORMALIZATIONS ? normalization_names[norm] : "unknown";
}

const char *condense_dataset_default_dir(condense_dataset_kind kind)
{
    switch (kind) {
    case CONDENSE_DATASET_MNIST:
        return "../shared/data/mnist";
    case CONDENSE_DATASET_FASHION_MNIST:
        return "/usr/share/datasets/fashion-mnist"; /* dpkg -L dataset-fashion-mnist */
    case CONDENSE_DATASET_CIFAR10:
        return "../shared/data/cifar10";
    }
    return NULL;
}

/* The customary per-channel mean and standard deviation of the pixels (byte / 255) of each data
 * set (dataset.h), used by CONDENSE_NORMALIZE_STANDARDIZE. */
static void standardize_constants(condense_dataset_kind kind, size_t alpha, double *mean,
                                  double *std)
{
    static const double cifar_mean[3] = {0.4914, 0.4822, 0.4465};
    static const double cifar_std[3] = {0.2470, 0.2435, 0.2616};
    if (kind == CONDENSE_DATASET_CIFAR10) {
        *mean = cifar_mean[alpha % 3];
        *std = cifar_std[alpha % 3];
    } else if (kind == CONDENSE_DATASET_FASHION_MNIST) {
        *mean = 0.2860;
        *std = 0.3530;
    } else {
        *mean = 0.1307;
        *std = 0.3081;
    }
}

int condense_image_set_sample(const condense_image_set *set, condense_dataset_kind kind, size_t n,
                              unsigned long seed, condense_normalization norm, condense_data **data,
                              size_t *indices)
{
    CONDENSE_CHECK_NULL(set);
    CONDENSE_CHECK_NULL(data);
    if ((size_t)kind >= NDATASETS)
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown data set kind %d", (int)kind);
    if ((size_t)norm >= NNORMALIZATIONS)
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown normalization %d", (int)norm);
    if (n == 0 || n > set->count)
        CONDENSE_ERROR(CONDENSE_ESIZE, "cannot draw n = %zu images from a set of %zu", n,
                       set->count);
    condense_data *d = NULL;
    CONDENSE_TRY(condense_data_alloc(n, set->rows, set->cols, set->channels, &d));
    /* all = 0..count-1, then the n chosen of them */
    size_t *all = malloc((set->count + n) * sizeof *all);
    condense_gsl_quiet();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const int status = all == NULL || rng == NULL
                           ? condense_error_set(CONDENSE_ENOMEM, __func__, "out of memory")
                           : CONDENSE_OK;
    if (status == CONDENSE_OK) {
        size_t *chosen = all + set->count;
        gsl_rng_set(rng, seed);
        for (size_t k = 0; k < set->count; ++k)
            all[k] = k;
        /* gsl_ran_choose: n of count without replacement, in the order of the file. */
        gsl_ran_choose(rng, chosen, n, all, set->count, sizeof *all);
        const size_t C0 = set->channels, size = set->rows * set->cols * C0;
        for (size_t i = 0; i < n; ++i) {
            const unsigned char *src = set->pixels + chosen[i] * size;
            double *dst = d->x + i * size;
            for (size_t p = 0; p < size; ++p) {
                double mean = 0.5, std = 0.5; /* CONDENSE_NORMALIZE_HALF */
                if (norm == CONDENSE_NORMALIZE_RAW)
                    mean = 0.0, std = 1.0;
                else if (norm == CONDENSE_NORMALIZE_STANDARDIZE)
                    standardize_constants(kind, p % C0, &mean, &std);
                dst[p] = ((double)src[p] / 255.0 - mean) / std;
            }
            d->y[i] = (double)set->labels[chosen[i]];
        }
        if (indices != NULL) memcpy(indices, chosen, n * sizeof *chosen);
        *data = d;
        d = NULL;
    }
    gsl_rng_free(rng);
    free(all);
    condense_data_free(d);
    return status;
}

/* ---- condense_dataset_load --------------------------------------------------------------- */

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The first of `names` (without, then with ".gz") present in dir, into path. */
static int find_file(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    if (file_exists(path)) return 1;
    snprintf(path, size, "%s/%s.gz", dir, name);
    return file_exists(path);
}

static int load_idx(const char *dir, condense_image_set **set)
{
    char images[4096], labels[4096];
    int found = find_file(dir, "train-images-idx3-ubyte", images, sizeof images) &&
                find_file(dir, "train-labels-idx1-ubyte", labels, sizeof labels);
    if (!found)
        found = find_file(dir, "t10k-images-idx3-ubyte", images, sizeof images) &&
                find_file(dir, "t10k-labels-idx1-ubyte", labels, sizeof labels);
    if (!found)
        CONDENSE_ERROR(CONDENSE_EIO,
                       "no IDX files in '%s': looked for train-images-idx3-ubyte[.gz] + "
                       "train-labels-idx1-ubyte[.gz] and t10k-images-idx3-ubyte[.gz] + "
                       "t10k-labels-idx1-ubyte[.gz]",
                       dir);
    return condense_idx_read(images, labels, set);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_cifar(const char *dir, condense_image_set **set)
{
    static const char missing[] = "no CIFAR-10 batches in '%s': looked for data_batch_*.bin, "
                                  "test_batch.bin and test_batch.partial.bin";
    DIR *dp = opendir(dir);
    if (dp == NULL) CONDENSE_ERROR(CONDENSE_EIO, missing, dir);
    char **paths = NULL;
    size_t npaths = 0, cap = 0;
    int status = CONDENSE_OK;
    struct dirent *e;
    while (status == CONDENSE_OK && (e = readdir(dp)) != NULL) {
        if (fnmatch("data_batch_*.bin", e->d_name, 0) != 0 &&
            strcmp(e->d_name, "test_batch.bin") != 0 &&
            strcmp(e->d_name, "test_batch.partial.bin") != 0)
            continue;
        const size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char **grown = npaths < cap ? paths : realloc(paths, (2 * cap + 8) * sizeof *paths);
        char *path = malloc(len);
        if (grown == NULL || path == NULL) {
            free(path);
            status = condense_error_set(CONDENSE_ENOMEM, __func__, "out of memory");
            break;
        }
        if (npaths == cap) cap = 2 * cap + 8;
        paths = grown;
        paths[npaths] = path;
        snprintf(paths[npaths++], len, "%s/%s", dir, e->d_name);
    }
    closedir(dp);
    if (status == CONDENSE_OK && npaths == 0)
        status = condense_error_set(CONDENSE_EIO, __func__, missing, dir);
    if (status == CONDENSE_OK) {
        qsort(paths, npaths, sizeof *paths, compare_names);
        status = condense_cifar10_read((const char *const *)paths, npaths, set);
    }
    for (size_t k = 0; k < npaths; ++k)
        free(paths[k]);
    free(paths);
    return status;
}

int condense_dataset_read(condense_dataset_kind kind, const char *dir, condense_image_set **set)
{
    CONDENSE_CHECK_NULL(set);
    if ((size_t)kind >= NDATASETS)
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown data set kind %d", (int)kind);
    if (dir == NULL) dir = condense_dataset_default_dir(kind);
    return kind == CONDENSE_DATASET_CIFAR10 ? load_cifar(dir, set) : load_idx(dir, set);
}

int condense_dataset_load(condense_dataset_kind kind, const char *dir, size_t n, unsigned long seed,
                          condense_normalization norm, condense_data **data)
{
    CONDENSE_CHECK_NULL(data);
    condense_image_set *set = NULL;
    CONDENSE_TRY(condense_dataset_read(kind, dir, &set));
    const int status = condense_image_set_sample(set, kind, n, seed, norm, data, NULL);
    condense_image_set_free(set);
    return status;
}
