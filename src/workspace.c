/* workspace.c -- per-sample buffers for x^[l](i) (eq. 2) and z^[l](i) (eq. 21).
 *
 * The passes never allocate: a workspace is allocated once per network shape and reused for
 * every sample (and, in OpenMP regions, one workspace per thread). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "condense/cnn.h"
#include "condense/error.h"
#include "fast_internal.h"

int condense_workspace_alloc(const condense_cnn *net, condense_workspace **ws)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(ws);
    condense_workspace *w = calloc(1, sizeof *w);
    if (w == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate a workspace");
    w->L = net->L;
    w->path = CONDENSE_PATH_DIRECT; /* calloc zeroed w->fast: no fast buffers until selected */
    int failed = 0;
    for (size_t l = 0; l <= net->L; ++l) {
        w->W[l] = net->W[l];
        w->H[l] = net->H[l];
        w->C[l] = net->C[l];
        if (l == 0) continue; /* x^[0](i) is read from the data, never copied */
        const size_t size = net->W[l] * net->H[l] * net->C[l];
        w->x[l] = calloc(size, sizeof(double));
        w->z[l] = calloc(size, sizeof(double));
        failed |= w->x[l] == NULL || w->z[l] == NULL;
    }
    if (failed) {
        condense_workspace_free(w);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the workspace buffers");
    }
    *ws = w;
    return CONDENSE_OK;
}

void condense_workspace_free(condense_workspace *ws)
{
    if (ws == NULL) return;
    for (size_t l = 1; l <= ws->L; ++l) {
        free(ws->x[l]);
        free(ws->z[l]);
    }
    condense_fast_buffers_free(ws->fast);
    free(ws);
}

/* A workspace fits a network when it was made for the same sizes. */
int condense_workspace_check(const condense_workspace *ws, const condense_cnn *net)
{
    CONDENSE_CHECK_NULL(ws);
    CONDENSE_CHECK_NULL(net);
    int ok = ws->L == net->L;
    for (size_t l = 0; ok && l <= net->L; ++l)
        ok = ws->W[l] == net->W[l] && ws->H[l] == net->H[l] && ws->C[l] == net->C[l];
    if (!ok) CONDENSE_ERROR(CONDENSE_ESIZE, "the workspace was allocated for another network");
    return CONDENSE_OK;
}
