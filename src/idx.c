/* idx.c -- MNIST and Fashion-MNIST in the IDX format (CNN paper, Sec. 4.1 and App. A.1), raw or
 * gzip-compressed, read through zlib.
 *
 * An IDX file is a 4-byte magic (0, 0, type 0x08 = unsigned byte, number of dimensions), then
 * one big-endian 32-bit size per dimension, then the bytes in C order.  Images: 3 dimensions
 * (count, rows, cols); labels: 1 dimension (count).  The file must hold exactly the bytes its
 * sizes announce: shorter is truncated, longer has trailing garbage; both are refused. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "condense/dataset.h"
#include "condense/error.h"
#include "dataset_internal.h"

#define IDX_CLASSES 10

int condense_dataset_read_file(const char *path, unsigned char **buf, size_t *len)
{
    CONDENSE_CHECK_NULL(path);
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL)
        CONDENSE_ERROR(CONDENSE_EIO, "cannot open '%s': %s", path,
                       errno != 0 ? strerror(errno) : "out of memory");
    size_t cap = 0, n = 0;
    unsigned char *b = NULL;
    int status = CONDENSE_OK;
    for (;;) {
        if (n == cap) {
            unsigned char *nb =
                cap <= SIZE_MAX / 4 ? realloc(b, cap == 0 ? 1 << 16 : 2 * cap) : NULL;
            if (nb == NULL) {
                status = condense_error_set(CONDENSE_ENOMEM, __func__, "'%s': out of memory", path);
                break;
            }
            b = nb;
            cap = cap == 0 ? 1 << 16 : 2 * cap;
        }
        const size_t want = cap - n > (1u << 30) ? (1u << 30) : cap - n;
        const int got = gzread(gz, b + n, (unsigned)want);
        if (got <= 0) break;
        n += (size_t)got;
    }
    /* A corrupt stream makes gzread fail (Z_DATA_ERROR); a truncated one ends early with
     * Z_BUF_ERROR ("unexpected end of file"), which gzclose reports too; a read error is
     * Z_ERRNO. */
    int err = Z_OK;
    const char *msg = gzerror(gz, &err);
    char text[256];
    snprintf(text, sizeof text, "%s", err == Z_ERRNO ? strerror(errno) : msg);
    const int closed = gzclose(gz);
    if (status == CONDENSE_OK && err == Z_ERRNO)
        status = condense_error_set(CONDENSE_EIO, __func__, "cannot read '%s': %s", path, text);
    else if (status == CONDENSE_OK && (err != Z_OK || closed != Z_OK))
        status = condense_error_set(CONDENSE_EFORMAT, __func__,
                                    "'%s': corrupt or truncated gzip stream (%s)", path, text);
    if (status != CONDENSE_OK) {
        free(b);
        return status;
    }
    *buf = b;
    *len = n;
    return CONDENSE_OK;
}

int condense_image_set_alloc(size_t count, size_t rows, size_t cols, size_t channels,
                             condense_image_set **set)
{
    condense_image_set *s = calloc(1, sizeof *s);
    if (s == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate an image set");
    s->count = count;
    s->rows = rows;
    s->cols = cols;
    s->channels = channels;
    s->classes = IDX_CLASSES;
    s->pixels = malloc(count * rows * cols * channels);
    s->labels = malloc(count);
    if (s->pixels == NULL || s->labels == NULL) {
        condense_image_set_free(s);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu images of %zu x %zu x %zu", count,
                       rows, cols, channels);
    }
    *set = s;
    return CONDENSE_OK;
}

void condense_image_set_free(condense_image_set *set)
{
    if (set == NULL) return;
    free(set->pixels);
    free(set->labels);
    free(set);
}

static size_t be32(const unsigned char *p)
{
    return ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | (size_t)p[3];
}

/* Check the IDX header of a file of len bytes (magic, ndim) and return its sizes in dims[]. */
static int idx_header(const char *path, const unsigned char *b, size_t len, unsigned ndim,
                      size_t *dims)
{
    if (len < 4 || b[0] != 0 || b[1] != 0 || b[2] != 0x08)
        CONDENSE_ERROR(CONDENSE_EFORMAT,
                       "'%s': not an IDX file of unsigned bytes (magic must be 00 00 08 %02x)",
                       path, ndim);
    if (b[3] != ndim)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': IDX file of %u dimensions, expected %u", path,
                       (unsigned)b[3], ndim);
    if (len < 4 + 4 * (size_t)ndim)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': truncated IDX header (%zu bytes)", path, len);
    size_t total = 1;
    for (unsigned d = 0; d < ndim; ++d) {
        dims[d] = be32(b + 4 + 4 * d);
        if (dims[d] == 0) CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': IDX size %u is zero", path, d);
        total *= dims[d]; /* at most 3 factors < 2^32 each: checked against len just below */
        if (total > len)
            CONDENSE_ERROR(CONDENSE_EFORMAT,
                           "'%s': truncated: its sizes announce more than its %zu bytes", path,
                           len);
    }
    const size_t expect = 4 + 4 * (size_t)ndim + total;
    if (len < expect)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': truncated: %zu bytes, its sizes announce %zu", path,
                       len, expect);
    if (len > expect)
        CONDENSE_ERROR(CONDENSE_EFORMAT,
                       "'%s': %zu bytes of trailing garbage after the %zu its sizes announce", path,
                       len - expect, expect);
    return CONDENSE_OK;
}

static int idx_parse(const char *images_path, const unsigned char *ib, size_t ilen,
                     const char *labels_path, const unsigned char *lb, size_t llen,
                     condense_image_set **set)
{
    size_t idims[3], ldims[1];
    CONDENSE_TRY(idx_header(images_path, ib, ilen, 3, idims));
    CONDENSE_TRY(idx_header(labels_path, lb, llen, 1, ldims));
    if (idims[0] != ldims[0])
        CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s' has %zu images but '%s' has %zu labels", images_path,
                       idims[0], labels_path, ldims[0]);
    const unsigned char *labels = lb + 8;
    for (size_t i = 0; i < ldims[0]; ++i)
        if (labels[i] >= IDX_CLASSES)
            CONDENSE_ERROR(CONDENSE_EFORMAT, "'%s': label %u of image %zu is not in 0..%d",
                           labels_path, (unsigned)labels[i], i, IDX_CLASSES - 1);
    condense_image_set *s = NULL;
    CONDENSE_TRY(condense_image_set_alloc(idims[0], idims[1], idims[2], 1, &s));
    memcpy(s->pixels, ib + 16, idims[0] * idims[1] * idims[2]);
    memcpy(s->labels, labels, ldims[0]);
    *set = s;
    return CONDENSE_OK;
}

int condense_idx_read(const char *images_path, const char *labels_path, condense_image_set **set)
{
    CONDENSE_CHECK_NULL(images_path);
    CONDENSE_CHECK_NULL(labels_path);
    CONDENSE_CHECK_NULL(set);
    unsigned char *ib = NULL, *lb = NULL;
    size_t ilen = 0, llen = 0;
    CONDENSE_TRY(condense_dataset_read_file(images_path, &ib, &ilen));
    int status = condense_dataset_read_file(labels_path, &lb, &llen);
    if (status == CONDENSE_OK)
        status = idx_parse(images_path, ib, ilen, labels_path, lb, llen, set);
    free(ib);
    free(lb);
    return status;
}
