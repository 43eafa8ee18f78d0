/* fast_flow_internal.h -- private to the library: the buffers of the fast path of the two-layer
 * real flow (fast.h, condense_real_flow_set_path) and the two entry points real_flow.c calls.
 * Not installed. */
#ifndef CONDENSE_FAST_FLOW_INTERNAL_H
#define CONDENSE_FAST_FLOW_INTERNAL_H

#include <stddef.h>

#include "condense/real_flow.h"

/* One thread's buffers: one sample's X, S, sigma' and the thread's share of the field. */
typedef struct condense_fast_flow_thread {
    double *X;   /* Na x M: X_i = P_i Theta_W */
    double *S;   /* Na x M: sigma(eps X_i), then sigma(eps X_i) / eps in place */
    double *A1;  /* Na x M: sigma'(eps X_i), then a_bar sigma'(eps X_i) in place */
    double *acc; /* dim: sum over the thread's samples of their terms of the field, flat order */
    int active;  /* the thread had samples in the last evaluation */
} condense_fast_flow_thread;

/* Built by condense_real_flow_set_path(flow, CONDENSE_PATH_FAST); kept when the flow goes back
 * to CONDENSE_PATH_DIRECT (selecting FAST again then only refreshes P, as fast.c does for a
 * workspace); freed by condense_real_flow_free.  Rows r = (i, u, v) are numbered i-major,
 * v-minor, r = ((i-1) W_1 + (u-1)) H_1 + (v-1); see fast_flow.c for the regrouping of
 * eq. (26)-(27). */
struct condense_fast_flow {
    size_t n, Na, NW, M; /* samples, W_1 H_1, C_0 m^2 + 1, kernels */
    size_t dim;          /* NW M + Na M: the flat state */
    double *P;           /* n Na x NW: patches of every sample (a snapshot of the data's pixels
                          * taken by set_path), columns in W's storage order, last column 1 */
    double *thetaT;      /* M x NW: Theta_W transposed, refreshed at every evaluation */
    double *e;           /* n: e_i */
    size_t *bad;         /* n: first non-finite (beta, u, v) of sample i as a key, or SIZE_MAX */
    double *bad_x;       /* n: x_bar at that entry */
    int nthreads;        /* threads the buffers are made for (at most this many run) */
    condense_fast_flow_thread *t;
};

/* The rescaled field of real_flow.h at theta_bar into out (flow->dim doubles), by the fast path.
 * CONDENSE_EINVAL when flow->fast is missing (flow->path set by hand); CONDENSE_EDOM naming
 * x_bar / sigma / sigma' or e_i when one is not finite, out untouched.  The caller checks that
 * the result is finite.  theta_bar may alias out. */
int condense_fast_real_field(condense_real_flow *flow, const double *theta_bar, double *out);

/* Free the buffers (NULL is allowed). */
void condense_fast_flow_free(struct condense_fast_flow *fast);

#endif
