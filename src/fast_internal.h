/* fast_internal.h -- private to libcondense (and its tests): the fast path's buffers of a
 * workspace, as workspace.c and tests/test_fast.c see them.  Not installed. */
#ifndef CONDENSE_FAST_INTERNAL_H
#define CONDENSE_FAST_INTERNAL_H

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

#endif
