/* condense/npy.h -- NumPy .npy files (format versions 1.0, 2.0 and 3.0) of little-endian
 * float64 arrays in C order, so that parameters can be exchanged with other tools.
 * Anything else (other dtype, Fortran order, wrong magic, truncated data, a shape that does not
 * match) is refused with CONDENSE_EFORMAT or CONDENSE_ESIZE and a message naming the file. */
#ifndef CONDENSE_NPY_H
#define CONDENSE_NPY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CONDENSE_NPY_MAX_DIMS 8

/* Write `data` (prod(shape) doubles, C order) to `path` as '<f8' with the given shape
 * (ndim in [0, CONDENSE_NPY_MAX_DIMS]; ndim 0 is a scalar), always as format version 1.0.
 * Values are stored bit-exactly (NaN payloads included); non-finite values are written as
 * they are (NumPy accepts them).  The file is written to a temporary name in the same
 * directory, synced, made mode 0644 and renamed into place, so an interrupted write never
 * leaves a half file (a symlink at path is replaced, not followed).  Errors: CONDENSE_EINVAL,
 * CONDENSE_EIO, CONDENSE_ENOMEM.  `data` may be NULL when the array has no elements. */
int condense_npy_save(const char *path, const double *data, size_t ndim, const size_t *shape);

/* Read the header of `path`: its ndim and shape (shape must have room for
 * CONDENSE_NPY_MAX_DIMS entries).  Checks magic, version, dtype '<f8' and C order; reads only
 * the header, so a file with truncated data passes here and fails condense_npy_load.  The
 * outputs are unchanged on failure. */
int condense_npy_shape(const char *path, size_t *ndim, size_t *shape);

/* Read `path` into `data`, which has room for prod(shape) doubles, after checking that the
 * file's shape is exactly (ndim, shape).  On failure `data` is left unchanged. */
int condense_npy_load(const char *path, double *data, size_t ndim, const size_t *shape);

#ifdef __cplusplus
}
#endif
#endif
