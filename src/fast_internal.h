/* fast_internal.h -- private to libcondense (and its tests): the fast path's buffers of a
 * workspace, as workspace.c and tests/test_fast.c see them.  Not installed. */
#ifndef CONDENSE_FAST_INTERNAL_H
#define CONDENSE_FAST_INTERNAL_H

#include <stddef.h>

#include "condense/activation.h"
#include "condense/cnn.h"

/* Free the buffers condense_workspace_set_path allocated (NULL is fine). */
void condense_fast_buffers_free(struct condense_fast_buffers *fb);

/* The number of threads the buffers were allocated for (0 for NULL): the most threads the
 * fast functions use with this workspace. */
int condense_fast_buffers_threads(const struct condense_fast_buffers *fb);

/* The patch matrix of eq. (2) (im2col) and its adjoint (col2im), shared by the fast path and
 * experiment.c: see fast.c. */
void condense_im2col(const double *in, size_t H_in, size_t C_in, size_t m, size_t W_out,
                     size_t H_out, double *P);
void condense_col2im(const double *G, size_t W_in, size_t H_in, size_t C_in, size_t m, size_t W_out,
                     size_t H_out, double *out);

/* Tests only: the tanh kernel of condense_fast_sigma01 (c, scale as there) in version v: 0
 * baseline ISA, 1 AVX2 + FMA, 2 AVX-512 + FMA.  Returns 0, or -1 (nothing written) when that
 * version is not in this build or not supported by this CPU. */
int condense_fast_tanh_sech2_version(int v, size_t n, double scale, double c, const double *x,
                                     double *s, double *s1);

/* Tests only: rows of x^[1] per block of the fused L = 1 step (at least 1; 0 restores the
 * default, about 32768 / C_1).  NULL is ignored. */
void condense_fast_buffers_set_block(struct condense_fast_buffers *fb, size_t rows);

/* sigma(c x_k) into s and sigma'(c x_k) into s1 (scale applied), k < n: the elementwise work of
 * the fast paths in one pass, tanh by a vectorized kernel within a few ulp of libm's tanh and
 * 1/cosh^2, every other activation by its functions.  s or s1 may be x itself. */
void condense_fast_sigma01(const condense_activation *act, size_t n, double c, const double *x,
                           double *s, double *s1);

#endif
