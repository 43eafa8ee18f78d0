/* condense/cnn_io.h -- a network's parameters as NumPy .npy files in a directory:
 *   W<l>.npy  shape (m_l, m_l, C_{l-1}, C_l), index order p, q, alpha, beta
 *   b<l>.npy  shape (C_l)
 *   a.npy     shape (W_L, H_L, C_L)
 * for l = 1..L, plus meta.txt recording the version, the shape, the activation and the
 * caller's description of how the parameters were produced (seed, scheme, ...). */
#ifndef CONDENSE_CNN_IO_H
#define CONDENSE_CNN_IO_H

#include "condense/cnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write net's parameters into dir (created if missing).  `provenance` (may be NULL) is copied
 * into meta.txt verbatim. Each file is replaced atomically. */
int condense_cnn_save(const condense_cnn *net, const char *dir, const char *provenance);

/* Read parameters from dir into net, whose shape must match every file's shape.  Parameters
 * must be finite.  On any failure net is left unchanged. */
int condense_cnn_load(condense_cnn *net, const char *dir);

#ifdef __cplusplus
}
#endif
#endif
