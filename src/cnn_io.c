/* cnn_io.c -- save and load a network's theta as .npy files, for exchange with other tools. */
#define _POSIX_C_SOURCE 200809L
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "condense/cnn_io.h"
#include "condense/error.h"
#include "condense/npy.h"
#include "condense/version.h"

/* dir/name into buf, refusing paths that do not fit. */
static int join(char *buf, size_t size, const char *dir, const char *name)
{
    const int len = snprintf(buf, size, "%s/%s", dir, name);
    if (len < 0 || (size_t)len >= size)
        CONDENSE_ERROR(CONDENSE_EINVAL, "path '%s/%s' is too long", dir, name);
    return CONDENSE_OK;
}

/* meta.txt: written to a temporary file, flushed to disk and renamed, never half-written. */
static int write_meta(const condense_cnn *net, const char *dir, const char *provenance)
{
    char path[4096], tmp[4200];
    CONDENSE_TRY(join(path, sizeof path, dir, "meta.txt"));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) CONDENSE_ERROR(CONDENSE_EIO, "%s: %s", tmp, strerror(errno));
    fprintf(f, "producer: %s\n", condense_version());
    fprintf(f, "L: %zu\ninput: %zu x %zu x %zu\n", net->L, net->W[0], net->H[0], net->C[0]);
    for (size_t l = 1; l <= net->L; ++l)
        fprintf(f, "layer %zu: C = %zu, m = %zu, output %zu x %zu\n", l, net->C[l], net->m[l],
                net->W[l], net->H[l]);
    fprintf(f, "activation: %s (scale %.17g)\n", net->sigma.type->name, net->sigma.scale);
    fprintf(f, "files: W<l>.npy (m, m, C_{l-1}, C_l) p,q,alpha,beta; b<l>.npy (C_l); "
               "a.npy (W_L, H_L, C_L)\n");
    if (provenance != NULL) fprintf(f, "%s\n", provenance);
    const int failed = fflush(f) != 0 || fsync(fileno(f)) != 0;
    const int err = errno;
    if (fclose(f) != 0 || failed) {
        remove(tmp);
        CONDENSE_ERROR(CONDENSE_EIO, "%s: %s", tmp, strerror(failed ? err : errno));
    }
    if (rename(tmp, path) != 0) {
        const int rerr = errno;
        remove(tmp);
        CONDENSE_ERROR(CONDENSE_EIO, "%s: %s", path, strerror(rerr));
    }
    return CONDENSE_OK;
}

int condense_cnn_save(const condense_cnn *net, const char *dir, const char *provenance)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(dir);
    char path[4096], name[32];
    /* The longest name ("meta.txt" or "W16.npy") must fit before anything is created. */
    CONDENSE_TRY(join(path, sizeof path, dir, "meta.txt.tmp"));
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        CONDENSE_ERROR(CONDENSE_EIO, "cannot create directory %s: %s", dir, strerror(errno));
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t shape_W[4] = {net->m[l], net->m[l], net->C[l - 1], net->C[l]};
        snprintf(name, sizeof name, "W%zu.npy", l);
        CONDENSE_TRY(join(path, sizeof path, dir, name));
        CONDENSE_TRY(condense_npy_save(path, net->kernel[l], 4, shape_W));
        const size_t shape_b[1] = {net->C[l]};
        snprintf(name, sizeof name, "b%zu.npy", l);
        CONDENSE_TRY(join(path, sizeof path, dir, name));
        CONDENSE_TRY(condense_npy_save(path, net->bias[l], 1, shape_b));
    }
    const size_t shape_a[3] = {net->W[net->L], net->H[net->L], net->C[net->L]};
    CONDENSE_TRY(join(path, sizeof path, dir, "a.npy"));
    CONDENSE_TRY(condense_npy_save(path, net->a, 3, shape_a));
    return write_meta(net, dir, provenance);
}

/* Read every file into a scratch copy first, so that a bad file leaves net untouched. */
static int load_into(condense_cnn *scratch, const char *dir)
{
    char path[4096], name[32];
    for (size_t l = 1; l <= scratch->L; ++l) {
        const size_t shape_W[4] = {scratch->m[l], scratch->m[l], scratch->C[l - 1], scratch->C[l]};
        snprintf(name, sizeof name, "W%zu.npy", l);
        CONDENSE_TRY(join(path, sizeof path, dir, name));
        CONDENSE_TRY(condense_npy_load(path, scratch->kernel[l], 4, shape_W));
        const size_t shape_b[1] = {scratch->C[l]};
        snprintf(name, sizeof name, "b%zu.npy", l);
        CONDENSE_TRY(join(path, sizeof path, dir, name));
        CONDENSE_TRY(condense_npy_load(path, scratch->bias[l], 1, shape_b));
    }
    const size_t shape_a[3] = {scratch->W[scratch->L], scratch->H[scratch->L],
                               scratch->C[scratch->L]};
    CONDENSE_TRY(join(path, sizeof path, dir, "a.npy"));
    CONDENSE_TRY(condense_npy_load(path, scratch->a, 3, shape_a));
    return condense_cnn_check_finite(scratch);
}

int condense_cnn_load(condense_cnn *net, const char *dir)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(dir);
    condense_cnn *scratch = NULL;
    CONDENSE_TRY(condense_cnn_clone(net, 0, &scratch));
    const int status = load_into(scratch, dir);
    if (status == CONDENSE_OK) {
        condense_cnn *swap_target = scratch;
        /* Exchange the parameter arrays: net gets the loaded ones, scratch the old ones. */
        for (size_t l = 1; l <= net->L; ++l) {
            double *k = net->kernel[l], *b = net->bias[l];
            net->kernel[l] = swap_target->kernel[l];
            net->bias[l] = swap_target->bias[l];
            swap_target->kernel[l] = k;
            swap_target->bias[l] = b;
        }
        double *a = net->a;
        net->a = swap_target->a;
        swap_target->a = a;
    }
    condense_cnn_free(scratch);
    return status;
}
