/* cifar10.c -- CIFAR-10 binary batches (CNN paper, Sec. 4.1 and App. A.1).
 *
 * A batch is a sequence of 3073-byte records: the label (0..9), then the 32 x 32 red plane,
 * green plane and blue plane, each row-major.  The records are transposed on reading to the
 * (row, column, channel) order of condense_image_set (and of condense_data's x_{u,v,alpha}). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "condense/dataset.h"
#include "condense/error.h"
#include "dataset_internal.h"

#define CIFAR_SIDE 32
#define CIFAR_CHANNELS 3
#define CIFAR_PLANE (CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_RECORD (1 + CIFAR_CHANNELS * CIFAR_PLANE)
#define CIFAR_CLASSES 10

/* Check one file's content: a whole, non-zero number of records with labels in 0..9. */
static int cifar_check(const char *path, const unsigned char *b, size_t len)
{
    if (len == 0 || len % CIFAR_RECORD != 0)
        CONDENSE_ERROR(CONDENSE_EFORMAT,
                       "'%s': %zu bytes is not a whole, non-zero number of %d-byte CIFAR-10 "
                       "records (truncated?)",
                       path, len, CIFAR_RECORD);
    for (size_t r = 0; r < len / CIFAR_RECORD; ++r)
        if (b[r * CIFAR_RECORD] >= CIFAR_CLASSES)
            CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': label %u of record %zu is not in 0..%d", path,
                           (unsigned)b[r * CIFAR_RECORD], r, CIFAR_CLASSES - 1);
    return CONDENSE_OK;
}

static void cifar_copy(condense_image_set *s, size_t first, const unsigned char *b, size_t len)
{
    for (size_t r = 0; r < len / CIFAR_RECORD; ++r) {
        const unsigned char *rec = b + r * CIFAR_RECORD;
        unsigned char *img = s->pixels + (first + r) * CIFAR_PLANE * CIFAR_CHANNELS;
        s->labels[first + r] = rec[0];
        for (size_t p = 0; p < CIFAR_PLANE; ++p)
            for (size_t ch = 0; ch < CIFAR_CHANNELS; ++ch)
                img[p * CIFAR_CHANNELS + ch] = rec[1 + ch * CIFAR_PLANE + p];
    }
}

int condense_cifar10_read(const char *const *paths, size_t npaths, condense_image_set **set)
{
    CONDENSE_CHECK_NULL(paths);
    CONDENSE_CHECK_NULL(set);
    if (npaths == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "no CIFAR-10 batch file given");
    for (size_t f = 0; f < npaths; ++f)
        CONDENSE_CHECK_NULL(paths[f]);
    unsigned char **bufs = calloc(npaths, sizeof *bufs);
    size_t *lens = calloc(npaths, sizeof *lens);
    int status = bufs == NULL || lens == NULL
                     ? condense_error_set(CONDENSE_ENOMEM, __func__, "out of memory")
                     : CONDENSE_OK;
    size_t count = 0;
    for (size_t f = 0; f < npaths && status == CONDENSE_OK; ++f) {
        status = condense_dataset_read_file(paths[f], &bufs[f], &lens[f]);
        if (status == CONDENSE_OK) status = cifar_check(paths[f], bufs[f], lens[f]);
        if (status == CONDENSE_OK) count += lens[f] / CIFAR_RECORD;
    }
    condense_image_set *s = NULL;
    if (status == CONDENSE_OK)
        status = condense_image_set_alloc(count, CIFAR_SIDE, CIFAR_SIDE, CIFAR_CHANNELS, &s);
    if (status == CONDENSE_OK) {
        size_t first = 0;
        for (size_t f = 0; f < npaths; ++f) {
            cifar_copy(s, first, bufs[f], lens[f]);
            first += lens[f] / CIFAR_RECORD;
        }
        *set = s;
    }
    for (size_t f = 0; f < npaths; ++f)
        free(bufs[f]);
    free(bufs);
    free(lens);
    return status;
}
