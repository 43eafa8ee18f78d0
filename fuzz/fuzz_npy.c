/* fuzz_npy.c -- condense_npy_shape and condense_npy_load (src/npy.c) on a hostile .npy file.
 * Input: the file.  When the header is accepted and announces at most 2^16 elements, the data
 * is loaded with that shape (and once with a shape that differs, which must be refused). */
#include "condense/error.h"
#include "condense/npy.h"
#include "fuzz_common.h"

#define FUZZ_MAX_COUNT ((size_t)1 << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[FUZZ_PATH_LEN];
    fuzz_write(fuzz_path(path, sizeof path, "x.npy"), data, size, 0);
    size_t ndim = 99, shape[CONDENSE_NPY_MAX_DIMS];
    if (condense_npy_shape(path, &ndim, shape) != CONDENSE_OK) {
        if (ndim != 99) abort(); /* outputs untouched on failure */
        return 0;
    }
    if (ndim > CONDENSE_NPY_MAX_DIMS) abort();
    size_t count = 1;
    for (size_t k = 0; k < ndim; ++k) {
        if (shape[k] != 0 && count > FUZZ_MAX_COUNT / shape[k]) return 0;
        count *= shape[k];
    }
    if (count > FUZZ_MAX_COUNT) return 0;
    double *x = malloc((count + 1) * sizeof *x);
    if (x == NULL) abort();
    (void)condense_npy_load(path, x, ndim, shape);
    if (ndim > 0) {
        size_t other[CONDENSE_NPY_MAX_DIMS];
        memcpy(other, shape, ndim * sizeof *other);
        other[0] = shape[0] == 0 ? 1 : 0; /* no more elements than room in x */
        if (condense_npy_load(path, x, ndim, other) == CONDENSE_OK) abort();
    }
    free(x);
    return 0;
}
