/* condense/dataset.h -- the real data sets of the CNN paper's experiments (Sec. 4.1, App. A.1):
 * MNIST and Fashion-MNIST (IDX files, raw or gzip-compressed) and CIFAR-10 (binary batches),
 * read into an image set of bytes, then sampled (n images by seed) and normalized into a
 * condense_data with the class index as the scalar label y_i (NOTES.md: "use the class index
 * as y").
 *
 * Every reader validates what it reads: a truncated, corrupt or mismatched file (wrong magic,
 * wrong sizes, labels not matching images, labels out of range) is CONDENSE_EFORMAT with a
 * message naming the file and the problem; a missing or unreadable file is CONDENSE_EIO.
 */
#ifndef CONDENSE_DATASET_H
#define CONDENSE_DATASET_H

#include <stddef.h>

#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum condense_dataset_kind {
    CONDENSE_DATASET_MNIST = 0,
    CONDENSE_DATASET_FASHION_MNIST = 1,
    CONDENSE_DATASET_CIFAR10 = 2
} condense_dataset_kind;

/* Pixel normalization (NOTES.md: the paper does not state it; all three are offered and every
 * output records which):
 *   RAW          x = byte / 255, in [0, 1];
 *   STANDARDIZE  x = (byte / 255 - mean_alpha) / std_alpha with the customary per-data-set,
 *                per-channel constants (MNIST 0.1307 / 0.3081, Fashion-MNIST 0.2860 / 0.3530,
 *                CIFAR-10 (0.4914, 0.4822, 0.4465) / (0.2470, 0.2435, 0.2616));
 *   HALF         x = (byte / 255 - 0.5) / 0.5, in [-1, 1]. */
typedef enum condense_normalization {
    CONDENSE_NORMALIZE_RAW = 0,
    CONDENSE_NORMALIZE_STANDARDIZE = 1,
    CONDENSE_NORMALIZE_HALF = 2
} condense_normalization;

/* Names ("mnist", "fashion-mnist", "cifar10"; "raw", "standardize", "half") both ways.
 * lookup: CONDENSE_EINVAL for an unknown name (the message lists the known ones). */
int condense_dataset_lookup(const char *name, condense_dataset_kind *kind);
const char *condense_dataset_name(condense_dataset_kind kind);
int condense_normalization_lookup(const char *name, condense_normalization *norm);
const char *condense_normalization_name(condense_normalization norm);

/* A whole file's worth of images, as stored: count images of rows x cols x channels bytes in
 * (row, column, channel) order -- CIFAR-10's channel-planar records are transposed to this on
 * reading -- and count labels in [0, classes). */
typedef struct condense_image_set {
    size_t count, rows, cols, channels, classes;
    unsigned char *pixels; /* count * rows * cols * channels */
    unsigned char *labels; /* count */
} condense_image_set;

void condense_image_set_free(condense_image_set *set);

/* An IDX image file (magic 0x00000803, 3 dimensions) and its IDX label file (0x00000801, 1
 * dimension), each raw or gzip-compressed (recognised by its first two bytes, read through
 * zlib).  classes = 10. */
int condense_idx_read(const char *images_path, const char *labels_path, condense_image_set **set);

/* CIFAR-10 binary batches: records of 1 label byte then 3072 bytes (1024 red, 1024 green, 1024
 * blue, row-major 32 x 32), concatenated over the npaths files in the order given.  A file whose
 * size is not a whole number of records is truncated (CONDENSE_EFORMAT). classes = 10. */
int condense_cifar10_read(const char *const *paths, size_t npaths, condense_image_set **set);

/* n images drawn without replacement from set by a GSL mt19937 generator seeded with seed
 * (gsl_ran_choose, so the chosen images keep the file's order), normalized as norm for the data
 * set kind, into *data (W_0 = rows, H_0 = cols, C_0 = channels, y_i = class index).  When
 * indices is not NULL it receives the n chosen positions in the file (0-based).
 * CONDENSE_ESIZE when n = 0 or n > set->count. */
int condense_image_set_sample(const condense_image_set *set, condense_dataset_kind kind, size_t n,
                              unsigned long seed, condense_normalization norm, condense_data **data,
                              size_t *indices);

/* The directory a data set is looked for in when none is given: for MNIST and CIFAR-10,
 * "../shared/data/mnist" and "../shared/data/cifar10" (relative to the working directory);
 * for Fashion-MNIST, "/usr/share/datasets/fashion-mnist" (Debian's dataset-fashion-mnist). */
const char *condense_dataset_default_dir(condense_dataset_kind kind);

/* Read data set `kind` from directory dir (NULL: the default above) -- MNIST and Fashion-MNIST
 * from t10k-images-idx3-ubyte[.gz] / t10k-labels-idx1-ubyte[.gz] (the training files
 * train-*-ubyte[.gz] are used instead when present), CIFAR-10 from every data_batch_*.bin /
 * *.partial.bin and test_batch[.partial].bin in it, sorted by name -- then sample and normalize
 * as condense_image_set_sample.  CONDENSE_EIO, naming the directory and the files looked for,
 * when the files are not there. */
int condense_dataset_load(condense_dataset_kind kind, const char *dir, size_t n, unsigned long seed,
                          condense_normalization norm, condense_data **data);

/* The file-finding and reading half of condense_dataset_load: the whole image set of data set
 * `kind` in dir (NULL: the default), from the files named above.  Errors as there. */
int condense_dataset_read(condense_dataset_kind kind, const char *dir, condense_image_set **set);

/* ---- data sets stored as .npy (data/ holds such synthetic sets) --------------------------- */

/* A condense_data stored in directory dir as x.npy (n, W_0, H_0, C_0) and y.npy (n), both
 * '<f8' in C order (npy.h).  save creates dir when missing (mode 0777 before umask) and writes
 * both files atomically (condense_npy_save).  load reads them back after checking that the
 * shapes agree (CONDENSE_EFORMAT naming the file otherwise; CONDENSE_EIO for a missing file). */
int condense_data_npy_save(const char *dir, const condense_data *data);
int condense_data_npy_load(const char *dir, condense_data **data);

/* n of the samples of `all` drawn without replacement by gsl_ran_choose from a GSL mt19937
 * seeded with seed (the chosen keep their order), copied into *data; their positions into
 * indices when not NULL.  CONDENSE_ESIZE when n = 0 or n > all->n. */
int condense_data_sample(const condense_data *all, size_t n, unsigned long seed,
                         condense_data **data, size_t *indices);

#ifdef __cplusplus
}
#endif
#endif
