/* dataset_internal.h -- shared by the readers of dataset.h (idx.c, cifar10.c, dataset.c); not
 * installed. */
#ifndef CONDENSE_DATASET_INTERNAL_H
#define CONDENSE_DATASET_INTERNAL_H

#include <stddef.h>

#include "condense/dataset.h"

/* The whole content of `path`, raw or gzip-compressed (zlib's gzread reads both: a file not
 * starting with the gzip magic 1f 8b is passed through as it is), into a malloc'd *buf of *len
 * bytes.  CONDENSE_EIO (naming the file) when it cannot be opened or read, CONDENSE_EFORMAT
 * when a gzip stream is corrupt or truncated, CONDENSE_ENOMEM. */
int condense_dataset_read_file(const char *path, unsigned char **buf, size_t *len);

/* An image set with its arrays allocated (count * rows * cols * channels pixel bytes, count
 * labels), classes = 10. */
int condense_image_set_alloc(size_t count, size_t rows, size_t cols, size_t channels,
                             condense_image_set **set);

#endif
