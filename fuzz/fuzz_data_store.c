/* fuzz_data_store.c -- condense_data_npy_load (src/data_store.c): a data set stored as x.npy
 * and y.npy in a directory, both hostile.  Input: y.npy as a piece (2-byte length, bytes), x.npy
 * as the rest. */
#include "condense/dataset.h"
#include "condense/error.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest = data, *y;
    size_t n = size;
    const size_t ny = fuzz_take(&rest, &n, &y);
    char xp[FUZZ_PATH_LEN], yp[FUZZ_PATH_LEN];
    fuzz_write(fuzz_path(yp, sizeof yp, "y.npy"), y, ny, 0);
    fuzz_write(fuzz_path(xp, sizeof xp, "x.npy"), rest, n, 0);
    condense_data *d = NULL;
    const int status = condense_data_npy_load(fuzz_tmpdir(), &d);
    if (status == CONDENSE_OK) {
        double sum = 0.0;
        for (size_t k = 0; k < d->n * d->W0 * d->H0 * d->C0; ++k)
            sum += d->x[k];
        for (size_t k = 0; k < d->n; ++k)
            sum += d->y[k];
        (void)sum;
        condense_data_free(d);
    } else if (d != NULL || condense_errmsg()[0] == '\0') {
        abort();
    }
    return 0;
}
