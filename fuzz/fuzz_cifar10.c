/* fuzz_cifar10.c -- condense_cifar10_read (src/cifar10.c) on one to three hostile batch files.
 * Input: 1 flag byte (bits 0-1: number of files - 1, at most 3; bit 2: gzip the files), then
 * every file but the last as a piece (2-byte length, bytes), the last file as the rest. */
#include "condense/dataset.h"
#include "condense/error.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const int flags = data[0];
    size_t nfiles = 1 + (size_t)(flags & 3);
    if (nfiles > 3) nfiles = 3;
    const uint8_t *rest = data + 1, *piece;
    size_t n = size - 1;
    static const char *const names[3] = {"a", "b", "c"};
    char paths[3][FUZZ_PATH_LEN];
    const char *p[3];
    for (size_t f = 0; f < nfiles; ++f) {
        p[f] = fuzz_path(paths[f], sizeof paths[f], names[f]);
        if (f + 1 < nfiles) {
            const size_t len = fuzz_take(&rest, &n, &piece);
            fuzz_write(p[f], piece, len, flags & 4);
        } else {
            fuzz_write(p[f], rest, n, flags & 4);
        }
    }
    condense_image_set *set = NULL;
    const int status = condense_cifar10_read(p, nfiles, &set);
    if (status == CONDENSE_OK) {
        if (set->rows != 32 || set->cols != 32 || set->channels != 3) abort();
        unsigned sum = 0;
        for (size_t k = 0; k < set->count * 32 * 32 * 3; ++k)
            sum += set->pixels[k];
        for (size_t k = 0; k < set->count; ++k)
            if (set->labels[k] >= set->classes) abort();
        (void)sum;
        condense_image_set_free(set);
    } else if (set != NULL || condense_errmsg()[0] == '\0') {
        abort();
    }
    return 0;
}
