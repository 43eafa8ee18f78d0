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

#endif
