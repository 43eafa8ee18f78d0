/* fuzz_idx.c -- condense_idx_read (src/idx.c) on hostile IDX image and label files, raw or
 * gzip-compressed.  Input: 1 flag byte (bit 0: gzip the image file, bit 1: gzip the label
 * file), the label file as a piece (2-byte length, bytes), the image file as the rest.  A raw
 * piece that starts with 1f 8b is itself read as gzip, so corrupt streams are tried too. */
#include "condense/dataset.h"
#include "condense/error.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const int flags = data[0];
    const uint8_t *rest = data + 1, *labels;
    size_t n = size - 1;
    const size_t nlabels = fuzz_take(&rest, &n, &labels);
    char ip[FUZZ_PATH_LEN], lp[FUZZ_PATH_LEN];
    fuzz_write(fuzz_path(ip, sizeof ip, "a"), rest, n, flags & 1);
    fuzz_write(fuzz_path(lp, sizeof lp, "b"), labels, nlabels, flags & 2);
    condense_image_set *set = NULL;
    const int status = condense_idx_read(ip, lp, &set);
    if (status == CONDENSE_OK) {
        /* Touch every byte the reader claims to have: ASan checks the sizes it reports. */
        unsigned sum = 0;
        const size_t pixels = set->count * set->rows * set->cols * set->channels;
        for (size_t k = 0; k < pixels; ++k)
            sum += set->pixels[k];
        for (size_t k = 0; k < set->count; ++k)
            if (set->labels[k] >= set->classes) abort();
        (void)sum;
        condense_image_set_free(set);
    } else if (set != NULL || condense_errmsg()[0] == '\0') {
        abort(); /* a failure must leave the output alone and say why */
    }
    return 0;
}
