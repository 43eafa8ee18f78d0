/* test_dataset.c -- tests of src/idx.c, src/cifar10.c and src/dataset.c: the real-data loaders.
 *
 * Small files are written byte by byte in a temporary directory (raw IDX, gzip IDX through
 * zlib's own gzwrite, CIFAR-10 records) from generator formulas, read back, and every byte is
 * compared with the formula.  Every corruption is checked for its status, for a message naming
 * the file, and for an untouched output.  Sampling is checked against gsl_ran_choose called here
 * and the normalizations against the formulas of dataset.h typed again here.  The real files
 * (CONDENSE_SHARED_DATA = $(top_srcdir)/../shared/data, Fashion-MNIST from Debian) are checked
 * against facts known independently of this code (sizes, first labels); those tests skip with a
 * visible message when the files are absent. */
#include <config.h>

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath, symlink */
#endif

#include <dirent.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <zlib.h>

#include "condense/dataset.h"
#include "condense/error.h"
#include "condense/npy.h"

#ifndef CONDENSE_SHARED_DATA
#define CONDENSE_SHARED_DATA "../shared/data"
#endif
#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

#define PATH_LEN 1024

/* ---- the temporary directory ------------------------------------------------------------ */

static char g_dir[] = "/tmp/condense-dataset-XXXXXX";

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(g_dir) != NULL ? 0 : -1;
}

static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) return unlink(path);
    DIR *dir = opendir(path);
    if (dir == NULL) return -1;
    int status = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char child[PATH_LEN];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        if (remove_tree(child) != 0) status = -1;
    }
    closedir(dir);
    return rmdir(path) == 0 ? status : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return remove_tree(g_dir);
}

static void path_of(char *buf, const char *name)
{
    snprintf(buf, PATH_LEN, "%s/%s", g_dir, name);
}

/* out = dir/name, checked for room. */
static void join(char *out, const char *dir, const char *name)
{
    const int len = snprintf(out, PATH_LEN, "%s/%s", dir, name);
    assert_true(len > 0 && len < PATH_LEN);
}

static void write_raw(const char *path, const unsigned char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len > 0) assert_int_equal(fwrite(b, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* gzip through zlib's writer: an independent producer of the compressed stream. */
static void write_gz(const char *path, const unsigned char *b, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, b, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

static unsigned char *read_raw(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    unsigned char *b = malloc((size_t)size);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return b;
}

/* The generator formulas of the synthetic files. */
static unsigned char pixel_of(size_t i, size_t r, size_t c)
{
    return (unsigned char)((i * 97 + r * 31 + c * 7 + 5) % 256);
}
static unsigned char label_of(size_t i)
{
    return (unsigned char)((i * 3 + 1) % 10);
}

static void put_be32(unsigned char *p, size_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* An IDX image file of count images rows x cols (16 + count rows cols bytes, malloc'd). */
static unsigned char *idx_images(size_t count, size_t rows, size_t cols, size_t *len)
{
    *len = 16 + count * rows * cols;
    unsigned char *b = malloc(*len);
    assert_non_null(b);
    b[0] = 0, b[1] = 0, b[2] = 0x08, b[3] = 3;
    put_be32(b + 4, count);
    put_be32(b + 8, rows);
    put_be32(b + 12, cols);
    for (size_t i = 0; i < count; ++i)
        for (size_t r = 0; r < rows; ++r)
            for (size_t c = 0; c < cols; ++c)
                b[16 + (i * rows + r) * cols + c] = pixel_of(i, r, c);
    return b;
}

static unsigned char *idx_labels(size_t count, size_t *len)
{
    *len = 8 + count;
    unsigned char *b = malloc(*len);
    assert_non_null(b);
    b[0] = 0, b[1] = 0, b[2] = 0x08, b[3] = 1;
    put_be32(b + 4, count);
    for (size_t i = 0; i < count; ++i)
        b[8 + i] = label_of(i);
    return b;
}

static void check_idx_set(const condense_image_set *s, size_t count, size_t rows, size_t cols)
{
    assert_non_null(s);
    assert_int_equal(s->count, count);
    assert_int_equal(s->rows, rows);
    assert_int_equal(s->cols, cols);
    assert_int_equal(s->channels, 1);
    assert_int_equal(s->classes, 10);
    for (size_t i = 0; i < count; ++i) {
        assert_int_equal(s->labels[i], label_of(i));
        for (size_t r = 0; r < rows; ++r)
            for (size_t c = 0; c < cols; ++c)
                assert_int_equal(s->pixels[(i * rows + r) * cols + c], pixel_of(i, r, c));
    }
}

/* The failure has the status, a message naming `path`, and left *set untouched. */
static void assert_failure(int status, int expect, const char *path, condense_image_set *set,
                           condense_image_set *sentinel)
{
    assert_int_equal(status, expect);
    const char *msg = condense_errmsg();
    if (strstr(msg, path) == NULL) fail_msg("message '%s' does not name '%s'", msg, path);
    assert_ptr_equal(set, sentinel);
}

/* ---- IDX: good files -------------------------------------------------------------------- */

static void test_idx_raw(void **state)
{
    (void)state;
    char ip[PATH_LEN], lp[PATH_LEN];
    path_of(ip, "raw-images");
    path_of(lp, "raw-labels");
    size_t ilen, llen;
    unsigned char *ib = idx_images(5, 4, 3, &ilen), *lb = idx_labels(5, &llen);
    write_raw(ip, ib, ilen);
    write_raw(lp, lb, llen);
    condense_image_set *s = NULL;
    assert_int_equal(condense_idx_read(ip, lp, &s), CONDENSE_OK);
    check_idx_set(s, 5, 4, 3);
    condense_image_set_free(s);
    condense_image_set_free(NULL);
    free(ib);
    free(lb);
}

static void test_idx_gzip(void **state)
{
    (void)state;
    char ip[PATH_LEN], lp[PATH_LEN];
    path_of(ip, "gz-images.gz");
    path_of(lp, "gz-labels.gz");
    /* Big enough (200 KB) that the reader's buffer grows several times. */
    size_t ilen, llen;
    unsigned char *ib = idx_images(250, 28, 28, &ilen), *lb = idx_labels(250, &llen);
    write_gz(ip, ib, ilen);
    write_gz(lp, lb, llen);
    condense_image_set *s = NULL;
    assert_int_equal(condense_idx_read(ip, lp, &s), CONDENSE_OK);
    check_idx_set(s, 250, 28, 28);
    condense_image_set_free(s);
    /* Mixed: gzip images, raw labels. */
    path_of(lp, "gz-labels-raw");
    write_raw(lp, lb, llen);
    s = NULL;
    assert_int_equal(condense_idx_read(ip, lp, &s), CONDENSE_OK);
    check_idx_set(s, 250, 28, 28);
    condense_image_set_free(s);
    free(ib);
    free(lb);
}

/* ---- IDX: every corruption -------------------------------------------------------------- */

/* Write images (ib, ilen) and labels (lb, llen) raw and expect condense_idx_read to fail with
 * `expect` and a message naming the images file (which = 0) or the labels file (which = 1). */
static void expect_idx_failure(const char *name, const unsigned char *ib, size_t ilen,
                               const unsigned char *lb, size_t llen, int expect, int which)
{
    char ip[PATH_LEN], lp[PATH_LEN];
    char iname[256], lname[256];
    snprintf(iname, sizeof iname, "%s-images", name);
    snprintf(lname, sizeof lname, "%s-labels", name);
    path_of(ip, iname);
    path_of(lp, lname);
    write_raw(ip, ib, ilen);
    write_raw(lp, lb, llen);
    condense_image_set sentinel_storage, *sentinel = &sentinel_storage, *s = sentinel;
    assert_failure(condense_idx_read(ip, lp, &s), expect, which == 0 ? ip : lp, s, sentinel);
}

static void test_idx_corruptions(void **state)
{
    (void)state;
    size_t ilen, llen;
    unsigned char *ib = idx_images(4, 3, 2, &ilen), *lb = idx_labels(4, &llen);
    unsigned char *bad = malloc(ilen + 16);
    assert_non_null(bad);

    /* wrong magic: type byte, leading zero bytes */
    memcpy(bad, ib, ilen);
    bad[2] = 0x09;
    expect_idx_failure("magic-type", bad, ilen, lb, llen, CONDENSE_EFORMAT, 0);
    memcpy(bad, ib, ilen);
    bad[0] = 0x1f;
    expect_idx_failure("magic-zero", bad, ilen, lb, llen, CONDENSE_EFORMAT, 0);
    memcpy(bad, lb, llen);
    bad[1] = 0x01;
    expect_idx_failure("magic-labels", ib, ilen, bad, llen, CONDENSE_EFORMAT, 1);
    /* wrong number of dimensions */
    memcpy(bad, ib, ilen);
    bad[3] = 2;
    expect_idx_failure("ndim-images", bad, ilen, lb, llen, CONDENSE_EFORMAT, 0);
    memcpy(bad, lb, llen);
    bad[3] = 3;
    expect_idx_failure("ndim-labels", ib, ilen, bad, llen, CONDENSE_EFORMAT, 1);
    /* shorter than a magic, than a header */
    expect_idx_failure("short-magic", ib, 3, lb, llen, CONDENSE_EFORMAT, 0);
    expect_idx_failure("empty", ib, 0, lb, llen, CONDENSE_EFORMAT, 0);
    expect_idx_failure("short-header", ib, 10, lb, llen, CONDENSE_EFORMAT, 0);
    expect_idx_failure("short-header-labels", ib, ilen, lb, 6, CONDENSE_EFORMAT, 1);
    /* truncated images, truncated labels, by one byte */
    expect_idx_failure("trunc-images", ib, ilen - 1, lb, llen, CONDENSE_EFORMAT, 0);
    expect_idx_failure("trunc-labels", ib, ilen, lb, llen - 1, CONDENSE_EFORMAT, 1);
    /* sizes announcing far more than the file holds (the running product exceeds it) */
    memcpy(bad, ib, ilen);
    put_be32(bad + 4, 0xffffffffu);
    put_be32(bad + 8, 0xffffffffu);
    expect_idx_failure("huge-sizes", bad, ilen, lb, llen, CONDENSE_EFORMAT, 0);
    /* a zero size */
    memcpy(bad, ib, ilen);
    put_be32(bad + 8, 0);
    expect_idx_failure("zero-rows", bad, ilen, lb, llen, CONDENSE_EFORMAT, 0);
    /* trailing garbage, one byte */
    memcpy(bad, ib, ilen);
    bad[ilen] = 0;
    expect_idx_failure("trail-images", bad, ilen + 1, lb, llen, CONDENSE_EFORMAT, 0);
    memcpy(bad, lb, llen);
    bad[llen] = 0;
    expect_idx_failure("trail-labels", ib, ilen, bad, llen + 1, CONDENSE_EFORMAT, 1);
    /* image count != label count (labels file consistent in itself: 3 labels) */
    free(lb);
    lb = idx_labels(3, &llen);
    expect_idx_failure("count", ib, ilen, lb, llen, CONDENSE_EFORMAT, 0);
    const char *msg = condense_errmsg();
    assert_non_null(strstr(msg, "labels"));
    free(lb);
    /* a label >= 10 (the last one) */
    lb = idx_labels(4, &llen);
    memcpy(bad, lb, llen);
    bad[llen - 1] = 10;
    expect_idx_failure("label10", ib, ilen, bad, llen, CONDENSE_EFORMAT, 1);
    free(bad);
    free(ib);
    free(lb);
}

static void test_idx_missing_files(void **state)
{
    (void)state;
    char ip[PATH_LEN], lp[PATH_LEN], missing[PATH_LEN];
    path_of(ip, "miss-images");
    path_of(lp, "miss-labels");
    path_of(missing, "no-such-file");
    size_t ilen, llen;
    unsigned char *ib = idx_images(2, 2, 2, &ilen), *lb = idx_labels(2, &llen);
    write_raw(ip, ib, ilen);
    write_raw(lp, lb, llen);
    condense_image_set sentinel_storage, *sentinel = &sentinel_storage, *s = sentinel;
    assert_failure(condense_idx_read(missing, lp, &s), CONDENSE_EIO, missing, s, sentinel);
    assert_failure(condense_idx_read(ip, missing, &s), CONDENSE_EIO, missing, s, sentinel);
    /* a directory opens but cannot be read */
    assert_failure(condense_idx_read(g_dir, lp, &s), CONDENSE_EIO, g_dir, s, sentinel);
    /* NULL arguments */
    assert_int_equal(condense_idx_read(NULL, lp, &s), CONDENSE_EINVAL);
    assert_int_equal(condense_idx_read(ip, NULL, &s), CONDENSE_EINVAL);
    assert_int_equal(condense_idx_read(ip, lp, NULL), CONDENSE_EINVAL);
    assert_ptr_equal(s, sentinel);
    free(ib);
    free(lb);
}

static void test_idx_corrupt_gzip(void **state)
{
    (void)state;
    char ip[PATH_LEN], lp[PATH_LEN], bp[PATH_LEN];
    path_of(ip, "cgz-images.gz");
    path_of(lp, "cgz-labels");
    size_t ilen, llen;
    unsigned char *ib = idx_images(40, 28, 28, &ilen), *lb = idx_labels(40, &llen);
    write_gz(ip, ib, ilen);
    write_raw(lp, lb, llen);
    size_t zlen;
    unsigned char *z = read_raw(ip, &zlen);
    assert_true(zlen > 40);
    condense_image_set sentinel_storage, *sentinel = &sentinel_storage, *s = sentinel;
    /* truncated stream: the first half of the compressed file */
    path_of(bp, "cgz-trunc.gz");
    write_raw(bp, z, zlen / 2);
    assert_failure(condense_idx_read(bp, lp, &s), CONDENSE_EFORMAT, bp, s, sentinel);
    /* truncated trailer only: all of the deflate data, half of the CRC */
    path_of(bp, "cgz-trailer.gz");
    write_raw(bp, z, zlen - 6);
    assert_failure(condense_idx_read(bp, lp, &s), CONDENSE_EFORMAT, bp, s, sentinel);
    /* corrupt stream: garbage in the middle of the deflate data */
    path_of(bp, "cgz-corrupt.gz");
    for (size_t k = zlen / 3; k < zlen / 3 + 16; ++k)
        z[k] ^= 0xa5;
    write_raw(bp, z, zlen);
    assert_failure(condense_idx_read(bp, lp, &s), CONDENSE_EFORMAT, bp, s, sentinel);
    /* corrupt CRC: the data inflate correctly but the check fails */
    free(z);
    z = read_raw(ip, &zlen);
    z[zlen - 8] ^= 0xff;
    path_of(bp, "cgz-crc.gz");
    write_raw(bp, z, zlen);
    assert_failure(condense_idx_read(bp, lp, &s), CONDENSE_EFORMAT, bp, s, sentinel);
    free(z);
    free(ib);
    free(lb);
}

/* ---- CIFAR-10 --------------------------------------------------------------------------- */

#define REC 3073

static unsigned char cifar_pixel(size_t f, size_t rec, size_t ch, size_t r, size_t c)
{
    return (unsigned char)((f * 101 + rec * 53 + ch * 89 + r * 13 + c * 3) % 256);
}
static unsigned char cifar_label(size_t f, size_t rec)
{
    return (unsigned char)((f * 4 + rec * 7 + 2) % 10);
}

/* A batch of nrec records of file number f, in CIFAR-10's planar layout. */
static unsigned char *cifar_batch(size_t f, size_t nrec)
{
    unsigned char *b = malloc(nrec * REC + 1);
    assert_non_null(b);
    for (size_t rec = 0; rec < nrec; ++rec) {
        unsigned char *p = b + rec * REC;
        p[0] = cifar_label(f, rec);
        for (size_t ch = 0; ch < 3; ++ch)
            for (size_t r = 0; r < 32; ++r)
                for (size_t c = 0; c < 32; ++c)
                    p[1 + ch * 1024 + r * 32 + c] = cifar_pixel(f, rec, ch, r, c);
    }
    return b;
}

static void write_cifar(const char *path, size_t f, size_t nrec)
{
    unsigned char *b = cifar_batch(f, nrec);
    write_raw(path, b, nrec * REC);
    free(b);
}

/* files[k] is file number k with nrec[k] records, read in that order. */
static void check_cifar_set(const condense_image_set *s, size_t nfiles, const size_t *nrec)
{
    size_t total = 0;
    for (size_t f = 0; f < nfiles; ++f)
        total += nrec[f];
    assert_int_equal(s->count, total);
    assert_int_equal(s->rows, 32);
    assert_int_equal(s->cols, 32);
    assert_int_equal(s->channels, 3);
    assert_int_equal(s->classes, 10);
    size_t i = 0;
    for (size_t f = 0; f < nfiles; ++f)
        for (size_t rec = 0; rec < nrec[f]; ++rec, ++i) {
            assert_int_equal(s->labels[i], cifar_label(f, rec));
            for (size_t r = 0; r < 32; ++r)
                for (size_t c = 0; c < 32; ++c)
                    for (size_t ch = 0; ch < 3; ++ch)
                        assert_int_equal(s->pixels[((i * 32 + r) * 32 + c) * 3 + ch],
                                         cifar_pixel(f, rec, ch, r, c));
        }
}

static void test_cifar_read(void **state)
{
    (void)state;
    char p0[PATH_LEN], p1[PATH_LEN];
    path_of(p0, "cifar-a.bin");
    path_of(p1, "cifar-b.bin");
    write_cifar(p0, 0, 2);
    write_cifar(p1, 1, 3);
    const char *paths[2] = {p0, p1};
    const size_t nrec[2] = {2, 3};
    condense_image_set *s = NULL;
    assert_int_equal(condense_cifar10_read(paths, 2, &s), CONDENSE_OK);
    check_cifar_set(s, 2, nrec);
    condense_image_set_free(s);
}

static void test_cifar_corruptions(void **state)
{
    (void)state;
    char good[PATH_LEN], bad[PATH_LEN];
    path_of(good, "cifar-good.bin");
    write_cifar(good, 0, 2);
    condense_image_set sentinel_storage, *sentinel = &sentinel_storage, *s = sentinel;
    const char *paths[2] = {good, bad};
    unsigned char *b = cifar_batch(0, 2);
    /* not a whole number of records: one byte short, one byte over, empty */
    path_of(bad, "cifar-short.bin");
    write_raw(bad, b, 2 * REC - 1);
    assert_failure(condense_cifar10_read(paths, 2, &s), CONDENSE_EFORMAT, bad, s, sentinel);
    path_of(bad, "cifar-long.bin");
    b[2 * REC] = 0;
    write_raw(bad, b, 2 * REC + 1);
    assert_failure(condense_cifar10_read(paths, 2, &s), CONDENSE_EFORMAT, bad, s, sentinel);
    path_of(bad, "cifar-empty.bin");
    write_raw(bad, b, 0);
    assert_failure(condense_cifar10_read(paths, 2, &s), CONDENSE_EFORMAT, bad, s, sentinel);
    /* a label > 9 in the second record */
    path_of(bad, "cifar-label.bin");
    b[REC] = 10;
    write_raw(bad, b, 2 * REC);
    assert_failure(condense_cifar10_read(paths, 2, &s), CONDENSE_EFORMAT, bad, s, sentinel);
    b[REC] = 255;
    write_raw(bad, b, 2 * REC);
    assert_failure(condense_cifar10_read(paths, 2, &s), CONDENSE_EFORMAT, bad, s, sentinel);
    /* a missing file */
    path_of(bad, "cifar-missing.bin");
    assert_failure(condense_cifar10_read(paths, 2, &s), CONDENSE_EIO, bad, s, sentinel);
    /* no file, NULL arguments */
    assert_int_equal(condense_cifar10_read(paths, 0, &s), CONDENSE_ESIZE);
    assert_int_equal(condense_cifar10_read(NULL, 1, &s), CONDENSE_EINVAL);
    assert_int_equal(condense_cifar10_read(paths, 1, NULL), CONDENSE_EINVAL);
    const char *with_null[2] = {good, NULL};
    assert_int_equal(condense_cifar10_read(with_null, 2, &s), CONDENSE_EINVAL);
    assert_ptr_equal(s, sentinel);
    free(b);
}

/* ---- names and default directories ------------------------------------------------------ */

static void test_names(void **state)
{
    (void)state;
    const char *names[3] = {"mnist", "fashion-mnist", "cifar10"};
    const condense_dataset_kind kinds[3] = {CONDENSE_DATASET_MNIST, CONDENSE_DATASET_FASHION_MNIST,
                                            CONDENSE_DATASET_CIFAR10};
    for (size_t k = 0; k < 3; ++k) {
        condense_dataset_kind kind = (condense_dataset_kind)99;
        assert_int_equal(condense_dataset_lookup(names[k], &kind), CONDENSE_OK);
        assert_int_equal(kind, kinds[k]);
        assert_string_equal(condense_dataset_name(kinds[k]), names[k]);
    }
    condense_dataset_kind kind = CONDENSE_DATASET_CIFAR10;
    assert_int_equal(condense_dataset_lookup("MNIST", &kind), CONDENSE_EINVAL);
    assert_non_null(strstr(condense_errmsg(), "fashion-mnist"));
    assert_int_equal(kind, CONDENSE_DATASET_CIFAR10);
    assert_int_equal(condense_dataset_lookup(NULL, &kind), CONDENSE_EINVAL);
    assert_int_equal(condense_dataset_lookup("mnist", NULL), CONDENSE_EINVAL);
    assert_string_equal(condense_dataset_name((condense_dataset_kind)7), "unknown");

    const char *nnames[3] = {"raw", "standardize", "half"};
    const condense_normalization norms[3] = {CONDENSE_NORMALIZE_RAW, CONDENSE_NORMALIZE_STANDARDIZE,
                                             CONDENSE_NORMALIZE_HALF};
    for (size_t k = 0; k < 3; ++k) {
        condense_normalization norm = (condense_normalization)99;
        assert_int_equal(condense_normalization_lookup(nnames[k], &norm), CONDENSE_OK);
        assert_int_equal(norm, norms[k]);
        assert_string_equal(condense_normalization_name(norms[k]), nnames[k]);
    }
    condense_normalization norm = CONDENSE_NORMALIZE_HALF;
    assert_int_equal(condense_normalization_lookup("zscore", &norm), CONDENSE_EINVAL);
    assert_non_null(strstr(condense_errmsg(), "standardize"));
    assert_int_equal(norm, CONDENSE_NORMALIZE_HALF);
    assert_int_equal(condense_normalization_lookup(NULL, &norm), CONDENSE_EINVAL);
    assert_int_equal(condense_normalization_lookup("raw", NULL), CONDENSE_EINVAL);
    assert_string_equal(condense_normalization_name((condense_normalization)5), "unknown");

    assert_string_equal(condense_dataset_default_dir(CONDENSE_DATASET_MNIST),
                        "../shared/data/mnist");
    assert_string_equal(condense_dataset_default_dir(CONDENSE_DATASET_CIFAR10),
                        "../shared/data/cifar10");
    assert_string_equal(condense_dataset_default_dir(CONDENSE_DATASET_FASHION_MNIST), FASHION_DIR);
    assert_null(condense_dataset_default_dir((condense_dataset_kind)3));
}

/* ---- sampling and normalization --------------------------------------------------------- */

/* A hand-built set of count images 2 x 3 x channels with pixel byte (i * 41 + p * 17) % 256. */
static condense_image_set *hand_set(size_t count, size_t channels)
{
    condense_image_set *s = malloc(sizeof *s);
    assert_non_null(s);
    s->count = count, s->rows = 2, s->cols = 3, s->channels = channels, s->classes = 10;
    const size_t size = 6 * channels;
    s->pixels = malloc(count * size);
    s->labels = malloc(count);
    assert_non_null(s->pixels);
    assert_non_null(s->labels);
    for (size_t i = 0; i < count; ++i) {
        s->labels[i] = (unsigned char)((i * 7) % 10);
        for (size_t p = 0; p < size; ++p)
            s->pixels[i * size + p] = (unsigned char)((i * 41 + p * 17) % 256);
    }
    return s;
}

/* |a - b| <= 4 eps max(1, |b|): the formulas are a handful of correctly rounded operations on
 * values of magnitude <= 1 / 0.2435 < 5. */
static void assert_close(double a, double b)
{
    if (!(fabs(a - b) <= 4 * DBL_EPSILON * fmax(1.0, fabs(b)))) fail_msg("%.17g != %.17g", a, b);
}

/* The normalization of dataset.h, typed again from its comment. */
static double expected_x(condense_dataset_kind kind, condense_normalization norm,
                         unsigned char byte, size_t alpha)
{
    const double x = byte / 255.0;
    if (norm == CONDENSE_NORMALIZE_RAW) return x;
    if (norm == CONDENSE_NORMALIZE_HALF) return (x - 0.5) / 0.5;
    if (kind == CONDENSE_DATASET_MNIST) return (x - 0.1307) / 0.3081;
    if (kind == CONDENSE_DATASET_FASHION_MNIST) return (x - 0.2860) / 0.3530;
    const double mean[3] = {0.4914, 0.4822, 0.4465}, std[3] = {0.2470, 0.2435, 0.2616};
    return (x - mean[alpha]) / std[alpha];
}

static void check_sample(const condense_image_set *s, condense_dataset_kind kind,
                         condense_normalization norm, size_t n, unsigned long seed)
{
    condense_data *d = NULL;
    size_t *idx = malloc(n * sizeof *idx), *expect = malloc(n * sizeof *expect),
           *all = malloc(s->count * sizeof *all);
    assert_non_null(idx);
    assert_non_null(expect);
    assert_non_null(all);
    assert_int_equal(condense_image_set_sample(s, kind, n, seed, norm, &d, idx), CONDENSE_OK);
    /* the documented draw: gsl_ran_choose from a mt19937 seeded with seed */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, seed);
    for (size_t k = 0; k < s->count; ++k)
        all[k] = k;
    gsl_ran_choose(rng, expect, n, all, s->count, sizeof *all);
    gsl_rng_free(rng);
    assert_int_equal(d->n, n);
    assert_int_equal(d->W0, s->rows);
    assert_int_equal(d->H0, s->cols);
    assert_int_equal(d->C0, s->channels);
    for (size_t i = 0; i < n; ++i) {
        assert_int_equal(idx[i], expect[i]);
        assert_true(idx[i] < s->count);
        if (i > 0) assert_true(idx[i] > idx[i - 1]); /* distinct, in the file's order */
        assert_close(*condense_data_y(d, i + 1), (double)s->labels[idx[i]]);
        for (size_t u = 1; u <= s->rows; ++u)
            for (size_t v = 1; v <= s->cols; ++v)
                for (size_t a = 1; a <= s->channels; ++a) {
                    const size_t p = ((u - 1) * s->cols + (v - 1)) * s->channels + (a - 1);
                    const unsigned char byte =
                        s->pixels[idx[i] * s->rows * s->cols * s->channels + p];
                    assert_close(*condense_data_x(d, i + 1, u, v, a),
                                 expected_x(kind, norm, byte, a - 1));
                }
    }
    condense_data_free(d);
    free(idx);
    free(expect);
    free(all);
}

static void test_sample(void **state)
{
    (void)state;
    condense_image_set *gray = hand_set(20, 1), *color = hand_set(20, 3);
    for (int norm = 0; norm < 3; ++norm) {
        check_sample(gray, CONDENSE_DATASET_MNIST, (condense_normalization)norm, 7, 42);
        check_sample(gray, CONDENSE_DATASET_FASHION_MNIST, (condense_normalization)norm, 7, 42);
        check_sample(color, CONDENSE_DATASET_CIFAR10, (condense_normalization)norm, 7, 42);
    }
    check_sample(color, CONDENSE_DATASET_CIFAR10, CONDENSE_NORMALIZE_RAW, 20, 3); /* all */
    check_sample(color, CONDENSE_DATASET_CIFAR10, CONDENSE_NORMALIZE_RAW, 1, 0);

    /* reproducible by seed; another seed draws other images (the chance that two seeds draw
     * the same 7 of 20 is 1 / C(20, 7) = 1 / 77520 per pair, and the pair is fixed) */
    size_t a[7], b[7], c[7];
    condense_data *d1 = NULL, *d2 = NULL, *d3 = NULL;
    assert_int_equal(condense_image_set_sample(color, CONDENSE_DATASET_CIFAR10, 7, 11,
                                               CONDENSE_NORMALIZE_HALF, &d1, a),
                     CONDENSE_OK);
    assert_int_equal(condense_image_set_sample(color, CONDENSE_DATASET_CIFAR10, 7, 11,
                                               CONDENSE_NORMALIZE_HALF, &d2, b),
                     CONDENSE_OK);
    assert_int_equal(condense_image_set_sample(color, CONDENSE_DATASET_CIFAR10, 7, 12,
                                               CONDENSE_NORMALIZE_HALF, &d3, c),
                     CONDENSE_OK);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_equal(d1->x, d2->x, 7 * 18 * sizeof(double));
    assert_memory_equal(d1->y, d2->y, 7 * sizeof(double));
    assert_memory_not_equal(a, c, sizeof a);
    condense_data_free(d1);
    condense_data_free(d2);
    condense_data_free(d3);

    /* errors: n = 0, n > count, unknown kind or normalization, NULL; outputs untouched */
    condense_data sentinel_storage, *sentinel = &sentinel_storage, *d = sentinel;
    size_t idx[1] = {12345};
    assert_int_equal(condense_image_set_sample(color, CONDENSE_DATASET_CIFAR10, 0, 1,
                                               CONDENSE_NORMALIZE_RAW, &d, idx),
                     CONDENSE_ESIZE);
    assert_int_equal(condense_image_set_sample(color, CONDENSE_DATASET_CIFAR10, 21, 1,
                                               CONDENSE_NORMALIZE_RAW, &d, idx),
                     CONDENSE_ESIZE);
    assert_non_null(strstr(condense_errmsg(), "21"));
    assert_int_equal(condense_image_set_sample(color, (condense_dataset_kind)3, 2, 1,
                                               CONDENSE_NORMALIZE_RAW, &d, idx),
                     CONDENSE_EINVAL);
    assert_int_equal(condense_image_set_sample(color, CONDENSE_DATASET_CIFAR10, 2, 1,
                                               (condense_normalization)3, &d, idx),
                     CONDENSE_EINVAL);
    assert_int_equal(condense_image_set_sample(NULL, CONDENSE_DATASET_CIFAR10, 2, 1,
                                               CONDENSE_NORMALIZE_RAW, &d, idx),
                     CONDENSE_EINVAL);
    assert_int_equal(condense_image_set_sample(color, CONDENSE_DATASET_CIFAR10, 2, 1,
                                               CONDENSE_NORMALIZE_RAW, NULL, idx),
                     CONDENSE_EINVAL);
    assert_ptr_equal(d, sentinel);
    assert_int_equal(idx[0], 12345);
    condense_image_set_free(gray);
    condense_image_set_free(color);
}

/* ---- condense_dataset_load on synthetic directories ------------------------------------- */

static void make_dir(char *path, const char *name)
{
    path_of(path, name);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void write_idx_pair(const char *dir, const char *prefix, size_t count, int gz)
{
    char ip[PATH_LEN], lp[PATH_LEN];
    snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte%s", dir, prefix, gz ? ".gz" : "");
    snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte%s", dir, prefix, gz ? ".gz" : "");
    size_t ilen, llen;
    unsigned char *ib = idx_images(count, 28, 28, &ilen), *lb = idx_labels(count, &llen);
    if (gz) {
        write_gz(ip, ib, ilen);
        write_gz(lp, lb, llen);
    } else {
        write_raw(ip, ib, ilen);
        write_raw(lp, lb, llen);
    }
    free(ib);
    free(lb);
}

static void test_load_idx_dir(void **state)
{
    (void)state;
    char dir[PATH_LEN];
    make_dir(dir, "idxdir");
    condense_data sentinel_storage, *sentinel = &sentinel_storage, *d = sentinel;
    /* empty directory: EIO naming the directory and the files looked for */
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_MNIST, dir, 1, 1, CONDENSE_NORMALIZE_RAW, &d),
        CONDENSE_EIO);
    assert_non_null(strstr(condense_errmsg(), dir));
    assert_non_null(strstr(condense_errmsg(), "t10k-images-idx3-ubyte"));
    assert_ptr_equal(d, sentinel);
    /* the test files (gzip): all 6 images drawn, so in the file's order */
    write_idx_pair(dir, "t10k", 6, 1);
    d = NULL;
    assert_int_equal(condense_dataset_load(CONDENSE_DATASET_FASHION_MNIST, dir, 6, 5,
                                           CONDENSE_NORMALIZE_RAW, &d),
                     CONDENSE_OK);
    assert_int_equal(d->n, 6);
    for (size_t i = 0; i < 6; ++i) {
        assert_close(d->y[i], label_of(i));
        assert_close(*condense_data_x(d, i + 1, 3, 4, 1), pixel_of(i, 2, 3) / 255.0);
    }
    condense_data_free(d);
    /* the training files (raw) take precedence: 9 images */
    write_idx_pair(dir, "train", 9, 0);
    d = NULL;
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_MNIST, dir, 9, 5, CONDENSE_NORMALIZE_HALF, &d),
        CONDENSE_OK);
    assert_int_equal(d->n, 9);
    condense_data_free(d);
    /* n larger than the set: ESIZE */
    d = sentinel;
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_MNIST, dir, 10, 5, CONDENSE_NORMALIZE_HALF, &d),
        CONDENSE_ESIZE);
    /* a corrupt file propagates its EFORMAT */
    char ip[PATH_LEN];
    join(ip, dir, "train-images-idx3-ubyte");
    unsigned char junk[20] = {0};
    write_raw(ip, junk, sizeof junk);
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_MNIST, dir, 1, 5, CONDENSE_NORMALIZE_HALF, &d),
        CONDENSE_EFORMAT);
    assert_non_null(strstr(condense_errmsg(), ip));
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_MNIST, dir, 1, 5, CONDENSE_NORMALIZE_HALF, NULL),
        CONDENSE_EINVAL);
    assert_int_equal(
        condense_dataset_load((condense_dataset_kind)3, dir, 1, 5, CONDENSE_NORMALIZE_HALF, &d),
        CONDENSE_EINVAL);
    assert_ptr_equal(d, sentinel);
}

static void test_load_cifar_dir(void **state)
{
    (void)state;
    char dir[PATH_LEN], p[PATH_LEN];
    make_dir(dir, "cifardir");
    condense_data sentinel_storage, *sentinel = &sentinel_storage, *d = sentinel;
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_CIFAR10, dir, 1, 1, CONDENSE_NORMALIZE_RAW, &d),
        CONDENSE_EIO);
    assert_non_null(strstr(condense_errmsg(), dir));
    assert_non_null(strstr(condense_errmsg(), "data_batch_"));
    path_of(p, "cifardir-missing");
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_CIFAR10, p, 1, 1, CONDENSE_NORMALIZE_RAW, &d),
        CONDENSE_EIO);
    assert_non_null(strstr(condense_errmsg(), p));
    assert_ptr_equal(d, sentinel);
    /* written out of order, plus files that are not batches; read sorted by name:
     * data_batch_1.bin (file 0), data_batch_2.partial.bin (file 1), test_batch.bin (file 2) */
    join(p, dir, "test_batch.bin");
    write_cifar(p, 2, 1);
    join(p, dir, "data_batch_2.partial.bin");
    write_cifar(p, 1, 2);
    join(p, dir, "data_batch_1.bin");
    write_cifar(p, 0, 3);
    join(p, dir, "batches.meta.txt");
    write_raw(p, (const unsigned char *)"airplane\n", 9);
    join(p, dir, "readme.html");
    write_raw(p, (const unsigned char *)"x", 1);
    d = NULL;
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_CIFAR10, dir, 6, 9, CONDENSE_NORMALIZE_RAW, &d),
        CONDENSE_OK);
    const size_t nrec[3] = {3, 2, 1};
    size_t i = 0;
    for (size_t f = 0; f < 3; ++f)
        for (size_t rec = 0; rec < nrec[f]; ++rec, ++i) {
            assert_close(d->y[i], cifar_label(f, rec));
            assert_close(*condense_data_x(d, i + 1, 5, 7, 3), cifar_pixel(f, rec, 2, 4, 6) / 255.0);
        }
    condense_data_free(d);
    /* a corrupt batch propagates its EFORMAT */
    join(p, dir, "data_batch_3.bin");
    write_raw(p, (const unsigned char *)"x", 1);
    d = sentinel;
    assert_int_equal(
        condense_dataset_load(CONDENSE_DATASET_CIFAR10, dir, 1, 9, CONDENSE_NORMALIZE_RAW, &d),
        CONDENSE_EFORMAT);
    assert_non_null(strstr(condense_errmsg(), p));
    assert_ptr_equal(d, sentinel);
}

/* ---- condense_dataset_read --------------------------------------------------------------- */

static void test_dataset_read(void **state)
{
    (void)state;
    char dir[PATH_LEN];
    make_dir(dir, "readdir");
    write_idx_pair(dir, "t10k", 4, 0);
    condense_image_set *s = NULL;
    assert_int_equal(condense_dataset_read(CONDENSE_DATASET_MNIST, dir, &s), CONDENSE_OK);
    check_idx_set(s, 4, 28, 28);
    condense_image_set_free(s);
    condense_image_set sentinel_storage, *sentinel = &sentinel_storage;
    s = sentinel;
    assert_int_equal(condense_dataset_read(CONDENSE_DATASET_MNIST, dir, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_dataset_read((condense_dataset_kind)5, dir, &s), CONDENSE_EINVAL);
    assert_int_equal(condense_dataset_read(CONDENSE_DATASET_CIFAR10, dir, &s), CONDENSE_EIO);
    assert_ptr_equal(s, sentinel);
}

/* ---- data sets stored as .npy, and their subsets ----------------------------------------- */

/* A .npy file of just a version 1.0 preamble and header announcing `shape` (a Python tuple),
 * no data: 128 bytes in all (NEP 1 pads the preamble to a multiple of 64). */
static void write_header_only(const char *path, const char *shape)
{
    char header[118];
    const int len = snprintf(header, sizeof header,
                             "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape);
    assert_true(len > 0 && (size_t)len < sizeof header - 1);
    memset(header + len, ' ', sizeof header - 1 - (size_t)len);
    header[sizeof header - 1] = '\n';
    unsigned char b[128] = "\x93NUMPY\x01\x00\x76\x00"; /* header length 118 = 0x76 */
    memcpy(b + 10, header, sizeof header);
    write_raw(path, b, sizeof b);
}

/* Hostile headers (fuzz/fuzz_data_store.c found the first): a 128-byte x.npy announcing
 * 10^15 samples made condense_data_npy_load allocate 8 * 10^15 bytes before reading the data.
 * A file of S bytes holds at most S / 8 values, so such a header is now refused (EFORMAT,
 * naming the file) before any allocation; likewise for y.npy.  *data stays untouched. */
static void test_data_npy_hostile_shape(void **state)
{
    (void)state;
    char dir[PATH_LEN], xp[PATH_LEN], yp[PATH_LEN];
    make_dir(dir, "npy-hostile");
    join(xp, dir, "x.npy");
    join(yp, dir, "y.npy");
    condense_data sentinel_storage, *sentinel = &sentinel_storage, *out = sentinel;
    write_header_only(xp, "(100000, 100000, 100000, 1)");
    write_header_only(yp, "(100000,)");
    assert_int_equal(condense_data_npy_load(dir, &out), CONDENSE_EFORMAT);
    assert_non_null(strstr(condense_errmsg(), xp));
    assert_non_null(strstr(condense_errmsg(), "128 bytes"));
    assert_ptr_equal(out, sentinel);
    /* The bound is exact: 16 values need 128 data bytes, which a 128-byte file (all header)
     * could only hold were there no header -- accepted here, refused by condense_npy_load;
     * 17 values are refused here.  Zero samples: no data needed, but n = 0 is ESIZE. */
    write_header_only(xp, "(16, 1, 1, 1)");
    write_header_only(yp, "(16,)");
    assert_int_equal(condense_data_npy_load(dir, &out), CONDENSE_EFORMAT);
    assert_non_null(strstr(condense_errmsg(), "expected 128 bytes of data"));
    write_header_only(xp, "(17, 1, 1, 1)");
    write_header_only(yp, "(17,)");
    assert_int_equal(condense_data_npy_load(dir, &out), CONDENSE_EFORMAT);
    assert_non_null(strstr(condense_errmsg(), "136 bytes"));
    /* x.npy complete, y.npy announcing 20 labels with no data: refused, naming y.npy */
    double x[20] = {0};
    const size_t xs[4] = {20, 1, 1, 1};
    assert_int_equal(condense_npy_save(xp, x, 4, xs), CONDENSE_OK);
    write_header_only(yp, "(20,)");
    assert_int_equal(condense_data_npy_load(dir, &out), CONDENSE_EFORMAT);
    assert_non_null(strstr(condense_errmsg(), yp));
    assert_non_null(strstr(condense_errmsg(), "160 bytes"));
    write_header_only(xp, "(0, 100000, 100000, 100000)");
    write_header_only(yp, "(0,)");
    assert_int_equal(condense_data_npy_load(dir, &out), CONDENSE_ESIZE);
    assert_ptr_equal(out, sentinel);
}

static void test_data_npy(void **state)
{
    (void)state;
    condense_data *d = NULL, *back = NULL;
    assert_int_equal(condense_data_alloc(5, 3, 2, 2, &d), CONDENSE_OK);
    for (size_t k = 0; k < 5 * 12; ++k)
        d->x[k] = sin((double)k) * 1e3;
    for (size_t i = 0; i < 5; ++i)
        d->y[i] = -(double)i / 3.0;
    char dir[PATH_LEN];
    path_of(dir, "npyset"); /* created by save */
    assert_int_equal(condense_data_npy_save(dir, d), CONDENSE_OK);
    assert_int_equal(condense_data_npy_save(dir, d), CONDENSE_OK); /* into an existing dir */
    assert_int_equal(condense_data_npy_load(dir, &back), CONDENSE_OK);
    assert_int_equal(back->n, 5);
    assert_int_equal(back->W0, 3);
    assert_int_equal(back->H0, 2);
    assert_int_equal(back->C0, 2);
    assert_memory_equal(back->x, d->x, 5 * 12 * sizeof(double)); /* bit for bit */
    assert_memory_equal(back->y, d->y, 5 * sizeof(double));
    condense_data_free(back);
    /* the .npy bytes of y as NumPy writes them: magic, version 1.0, header, then the data */
    char yp[PATH_LEN];
    join(yp, dir, "y.npy");
    size_t len;
    unsigned char *raw = read_raw(yp, &len);
    assert_int_equal(len, 128 + 5 * 8);
    assert_memory_equal(raw, "\x93NUMPY\x01\x00", 8);
    assert_non_null(strstr((const char *)raw + 10, "'shape': (5,)"));
    assert_memory_equal(raw + 128, d->y, 5 * 8);
    free(raw);

    /* errors: missing files, mismatched shapes; *data untouched */
    condense_data sentinel_storage, *sentinel = &sentinel_storage, *out = sentinel;
    char other[PATH_LEN];
    make_dir(other, "npy-bad");
    assert_int_equal(condense_data_npy_load(other, &out), CONDENSE_EIO);
    assert_non_null(strstr(condense_errmsg(), "x.npy"));
    char xp[PATH_LEN], p[PATH_LEN];
    join(xp, other, "x.npy");
    join(p, other, "y.npy");
    const size_t s3[3] = {5, 3, 4}, s1[1] = {4}, s2[2] = {5, 1};
    assert_int_equal(condense_npy_save(xp, d->x, 3, s3), CONDENSE_OK);
    assert_int_equal(condense_data_npy_load(other, &out), CONDENSE_EIO); /* no y.npy */
    assert_non_null(strstr(condense_errmsg(), p));
    assert_int_equal(condense_npy_save(p, d->y, 1, s1), CONDENSE_OK);
    assert_int_equal(condense_data_npy_load(other, &out), CONDENSE_EFORMAT); /* 3 dims */
    assert_non_null(strstr(condense_errmsg(), xp));
    const size_t s4[4] = {5, 3, 2, 2};
    assert_int_equal(condense_npy_save(xp, d->x, 4, s4), CONDENSE_OK);
    assert_int_equal(condense_data_npy_load(other, &out), CONDENSE_EFORMAT); /* 4 labels */
    assert_non_null(strstr(condense_errmsg(), p));
    assert_int_equal(condense_npy_save(p, d->y, 2, s2), CONDENSE_OK);
    assert_int_equal(condense_data_npy_load(other, &out), CONDENSE_EFORMAT); /* y 2-d */
    /* x.npy announcing more than it holds: the load fails after the shapes agree */
    assert_int_equal(condense_npy_save(p, d->y, 1, s4), CONDENSE_OK);
    unsigned char *xb = read_raw(xp, &len);
    write_raw(xp, xb, len - 8);
    free(xb);
    assert_int_equal(condense_data_npy_load(other, &out), CONDENSE_EFORMAT);
    assert_ptr_equal(out, sentinel);
    /* save: NULL, a path that cannot be a directory, too long a path */
    char file[PATH_LEN], sub[PATH_LEN];
    join(file, other, "plain");
    write_raw(file, (const unsigned char *)"x", 1);
    join(sub, file, "sub");
    assert_int_equal(condense_data_npy_save(sub, d), CONDENSE_EIO);
    assert_non_null(strstr(condense_errmsg(), sub));
    assert_int_equal(condense_data_npy_save(file, d), CONDENSE_EIO); /* exists, not a dir */
    assert_int_equal(condense_data_npy_save(NULL, d), CONDENSE_EINVAL);
    assert_int_equal(condense_data_npy_save(dir, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_data_npy_load(NULL, &out), CONDENSE_EINVAL);
    assert_int_equal(condense_data_npy_load(dir, NULL), CONDENSE_EINVAL);
    char *longdir = malloc(5000);
    assert_non_null(longdir);
    memset(longdir, 'a', 4999);
    longdir[4999] = '\0';
    assert_int_equal(condense_data_npy_save(longdir, d), CONDENSE_EINVAL);
    assert_int_equal(condense_data_npy_load(longdir, &out), CONDENSE_EINVAL);
    free(longdir);
    assert_ptr_equal(out, sentinel);
    condense_data_free(d);
}

static void test_data_sample(void **state)
{
    (void)state;
    condense_data *all = NULL, *d = NULL;
    assert_int_equal(condense_data_alloc(15, 2, 2, 3, &all), CONDENSE_OK);
    for (size_t k = 0; k < 15 * 12; ++k)
        all->x[k] = (double)k + 0.25;
    for (size_t i = 0; i < 15; ++i)
        all->y[i] = (double)i * 2.0;
    size_t idx[6], expect[6], pos[15];
    assert_int_equal(condense_data_sample(all, 6, 99, &d, idx), CONDENSE_OK);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 99);
    for (size_t k = 0; k < 15; ++k)
        pos[k] = k;
    gsl_ran_choose(rng, expect, 6, pos, 15, sizeof *pos);
    gsl_rng_free(rng);
    assert_memory_equal(idx, expect, sizeof idx);
    for (size_t i = 0; i < 6; ++i) {
        if (i > 0) assert_true(idx[i] > idx[i - 1]);
        assert_true(d->y[i] == 2.0 * (double)idx[i]);
        for (size_t p = 0; p < 12; ++p)
            assert_true(d->x[i * 12 + p] == (double)(idx[i] * 12 + p) + 0.25);
    }
    condense_data_free(d);
    d = NULL;
    assert_int_equal(condense_data_sample(all, 15, 1, &d, NULL), CONDENSE_OK);
    assert_memory_equal(d->x, all->x, 15 * 12 * sizeof(double));
    condense_data_free(d);
    condense_data sentinel_storage, *sentinel = &sentinel_storage;
    d = sentinel;
    assert_int_equal(condense_data_sample(all, 0, 1, &d, NULL), CONDENSE_ESIZE);
    assert_int_equal(condense_data_sample(all, 16, 1, &d, NULL), CONDENSE_ESIZE);
    assert_int_equal(condense_data_sample(NULL, 1, 1, &d, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_data_sample(all, 1, 1, NULL, NULL), CONDENSE_EINVAL);
    assert_ptr_equal(d, sentinel);
    condense_data_free(all);
}

/* ---- the real files --------------------------------------------------------------------- */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

#define SKIP_UNLESS(path)                                                                          \
    do {                                                                                           \
        if (!exists(path)) {                                                                       \
            print_message("skipped: %s is absent\n", path);                                        \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static void test_real_mnist(void **state)
{
    (void)state;
    const char *ip = CONDENSE_SHARED_DATA "/mnist/t10k-images-idx3-ubyte.gz";
    const char *lp = CONDENSE_SHARED_DATA "/mnist/t10k-labels-idx1-ubyte.gz";
    SKIP_UNLESS(ip);
    condense_image_set *s = NULL;
    assert_int_equal(condense_idx_read(ip, lp, &s), CONDENSE_OK);
    /* MNIST's test set: 10000 images 28 x 28; its first labels are 7, 2, 1, 0, 4 */
    assert_int_equal(s->count, 10000);
    assert_int_equal(s->rows, 28);
    assert_int_equal(s->cols, 28);
    assert_int_equal(s->channels, 1);
    const unsigned char first[5] = {7, 2, 1, 0, 4};
    assert_memory_equal(s->labels, first, 5);
    /* every class occurs (the test set has 892 to 1135 images per class) */
    size_t per[10] = {0};
    for (size_t i = 0; i < s->count; ++i)
        per[s->labels[i]]++;
    for (size_t k = 0; k < 10; ++k)
        assert_true(per[k] >= 800 && per[k] <= 1200);
    condense_image_set_free(s);

    /* the default directory, ../shared/data/mnist relative to the working directory: run from
     * a directory whose ../shared/data is the real one */
    char work[PATH_LEN], shared[PATH_LEN], link[PATH_LEN], cwd[PATH_LEN];
    path_of(work, "work");
    path_of(shared, "shared");
    join(link, shared, "data");
    assert_int_equal(mkdir(work, 0755), 0);
    assert_int_equal(mkdir(shared, 0755), 0);
    char target[PATH_LEN];
    assert_non_null(realpath(CONDENSE_SHARED_DATA, target));
    assert_int_equal(symlink(target, link), 0);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(work), 0);
    condense_data *d = NULL;
    const int status =
        condense_dataset_load(CONDENSE_DATASET_MNIST, NULL, 3, 0, CONDENSE_NORMALIZE_RAW, &d);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(status, CONDENSE_OK);
    assert_int_equal(d->n, 3);
    assert_int_equal(d->W0, 28);
    for (size_t i = 0; i < 28 * 28 * 3; ++i)
        assert_true(d->x[i] >= 0.0 && d->x[i] <= 1.0);
    condense_data_free(d);
}

static void test_real_cifar10(void **state)
{
    (void)state;
    const char *test = CONDENSE_SHARED_DATA "/cifar10/test_batch.partial.bin";
    const char *batch1 = CONDENSE_SHARED_DATA "/cifar10/data_batch_1.partial.bin";
    SKIP_UNLESS(test);
    const char *paths[2] = {test, batch1};
    condense_image_set *s = NULL;
    assert_int_equal(condense_cifar10_read(paths, 2, &s), CONDENSE_OK);
    /* 1017 records each (../shared/data/README.md); CIFAR-10's test batch begins with the
     * classes cat, ship, ship, airplane, frog = 3, 8, 8, 0, 6 and data_batch_1 with frog,
     * truck, truck, deer, automobile = 6, 9, 9, 4, 1 */
    assert_int_equal(s->count, 2 * 1017);
    assert_int_equal(s->channels, 3);
    const unsigned char t[5] = {3, 8, 8, 0, 6}, b1[5] = {6, 9, 9, 4, 1};
    assert_memory_equal(s->labels, t, 5);
    assert_memory_equal(s->labels + 1017, b1, 5);
    condense_image_set_free(s);
    condense_data *d = NULL;
    assert_int_equal(condense_dataset_load(CONDENSE_DATASET_CIFAR10,
                                           CONDENSE_SHARED_DATA "/cifar10", 6 * 1017, 1,
                                           CONDENSE_NORMALIZE_STANDARDIZE, &d),
                     CONDENSE_OK);
    /* all six files, sorted: data_batch_1 first, test_batch last */
    assert_close(d->y[0], 6);
    assert_close(d->y[1], 9);
    assert_close(d->y[5 * 1017], 3);
    assert_close(d->y[5 * 1017 + 1], 8);
    condense_data_free(d);
}

static void test_real_fashion(void **state)
{
    (void)state;
    const char *ip = FASHION_DIR "/t10k-images-idx3-ubyte.gz";
    const char *lp = FASHION_DIR "/t10k-labels-idx1-ubyte.gz";
    SKIP_UNLESS(ip);
    condense_image_set *s = NULL;
    assert_int_equal(condense_idx_read(ip, lp, &s), CONDENSE_OK);
    /* Fashion-MNIST's test set: 10000 images 28 x 28, 1000 per class; it begins with ankle
     * boot, pullover, trouser, trouser, shirt = 9, 2, 1, 1, 6 */
    assert_int_equal(s->count, 10000);
    assert_int_equal(s->rows, 28);
    assert_int_equal(s->cols, 28);
    const unsigned char first[5] = {9, 2, 1, 1, 6};
    assert_memory_equal(s->labels, first, 5);
    size_t per[10] = {0};
    for (size_t i = 0; i < s->count; ++i)
        per[s->labels[i]]++;
    for (size_t k = 0; k < 10; ++k)
        assert_int_equal(per[k], 1000);
    condense_image_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_raw),
        cmocka_unit_test(test_idx_gzip),
        cmocka_unit_test(test_idx_corruptions),
        cmocka_unit_test(test_idx_missing_files),
        cmocka_unit_test(test_idx_corrupt_gzip),
        cmocka_unit_test(test_cifar_read),
        cmocka_unit_test(test_cifar_corruptions),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_load_idx_dir),
        cmocka_unit_test(test_load_cifar_dir),
        cmocka_unit_test(test_dataset_read),
        cmocka_unit_test(test_data_npy),
        cmocka_unit_test(test_data_npy_hostile_shape),
        cmocka_unit_test(test_data_sample),
        cmocka_unit_test(test_real_mnist),
        cmocka_unit_test(test_real_cifar10),
        cmocka_unit_test(test_real_fashion),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
