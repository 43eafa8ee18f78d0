/* condense/real_flow.h -- the real gradient flow of the two-layer CNN in the rescaled
 * coordinates theta = eps * theta_bar, CNN paper App. C.1 (eq. 26-28) for one channel and
 * App. D for C_0 channels:
 *
 *   d W_{p,q,alpha,beta}/dt = -(1/n) sum_i e_i sum_{u,v} a_{u,v,beta}
 *                               sigma'(eps x_{u,v,beta}(i)) x_{u+p,v+q,alpha}(i)
 *   d b_beta/dt            = -(1/n) sum_i e_i sum_{u,v} a_{u,v,beta} sigma'(eps x_{u,v,beta}(i))
 *   d a_{u,v,beta}/dt      = -(1/n) sum_i e_i sigma(eps x_{u,v,beta}(i)) / eps
 *
 * with every parameter and x_{u,v,beta}(i) = sum x W + b in rescaled (barred) form, and
 * e_i = f(x_i, theta) - y_i = eps sum_{beta,u,v} a_{u,v,beta} sigma(eps x_{u,v,beta}(i)) - y_i
 * computed from the unscaled parameters (NOTES.md: a change of coordinates, not of time).
 *
 * State vectors are flat, in the order of condense_cnn_pack for the two-layer network
 * (W (m, m, C_0, M) in storage order, b (M), a (W_1, H_1, M)).
 *
 * Errors follow error.h: NULL arguments give CONDENSE_EINVAL.  A flow is not safe to use from
 * two threads at once (the field works in the flow's scratch buffers); the field itself may
 * run in parallel over kernels (OpenMP); on the direct path its results do not depend on the
 * number of threads, on the fast path (fast.h) only through rounding.
 */
#ifndef CONDENSE_REAL_FLOW_H
#define CONDENSE_REAL_FLOW_H

#include <stddef.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Made only by condense_real_flow_alloc (the allocation holds private buffers beyond these
 * members). */
typedef struct condense_real_flow {
    const condense_data *data; /* not owned; must outlive the flow; read at every evaluation */
    double eps;
    size_t M, m;
    size_t dim;                      /* number of parameters: M (C_0 m^2 + 1 + W_1 H_1) */
    condense_cnn *net;               /* scratch two-layer network holding theta_bar */
    condense_workspace *ws;          /* scratch */
    double *scratch;                 /* scratch, dim doubles (GD and Adam keep the field here) */
    condense_path path;              /* CONDENSE_PATH_DIRECT after alloc; see fast.h */
    struct condense_fast_flow *fast; /* the fast path's buffers, NULL until selected */
    unsigned long n_field;           /* field evaluations so far (calls that pass the argument
                                      * checks, including those that fail on a non-finite value);
                                      * the caller may reset it */
} condense_real_flow;

/* A flow for data, M kernels of size m, activation sigma and scale eps > 0.  CONDENSE_ESIZE
 * for M = 0, m = 0 or m > min(W_0, H_0); CONDENSE_EDOM for eps not finite or <= 0 and for
 * non-finite data; CONDENSE_EINVAL for an activation without type.  *flow untouched on
 * failure. */
int condense_real_flow_alloc(const condense_data *data, size_t M, size_t m,
                             condense_activation sigma, double eps, condense_real_flow **flow);
void condense_real_flow_free(condense_real_flow *flow);

/* The rescaled field above: dtheta_bar = d theta_bar / dt at theta_bar (both dim doubles).
 * CONDENSE_EDOM, naming the entry, if theta_bar, some x_bar, sigma(eps x_bar),
 * sigma'(eps x_bar), e_i or the result is not finite; dtheta_bar is then untouched. */
int condense_real_field(condense_real_flow *flow, const double *theta_bar, double *dtheta_bar);

/* Called at each requested time with the state there; a non-zero return stops the run and is
 * returned (use a condense status). */
typedef int (*condense_flow_observer)(double t, const double *theta_bar, void *user);

/* Integrate the field with GSL odeiv2 (rk8pd, adaptive step, tolerances epsabs, epsrel) from
 * times[0] (theta_bar is the state there) through times[1..n-1] (non-decreasing; repeated
 * times are allowed), calling obs (may be NULL) at every times[k], k = 0..n-1, with t equal to
 * times[k] exactly.  theta_bar holds the state at the last time reached: times[n-1] on
 * success; on a failure the state after the last successful step.  CONDENSE_EINVAL for n = 0 or
 * times not finite or decreasing; CONDENSE_EDOM for tolerances not finite, negative or both 0
 * and for a non-finite theta_bar; a failing field's status (CONDENSE_EDOM) with a message that
 * names the time of the failing evaluation and the interval; CONDENSE_ENUM when GSL gives up
 * (e.g. the step size underflows); the observer's status when it stops the run. */
int condense_real_flow_integrate(condense_real_flow *flow, double *theta_bar, const double *times,
                                 size_t n, double epsabs, double epsrel, condense_flow_observer obs,
                                 void *user);

/* Fixed-step gradient descent on R_S with learning rate lr: in rescaled coordinates
 * theta_bar <- theta_bar + lr * field(theta_bar) (= GD on theta with the same lr).  obs is
 * called at t = k lr for k = 0, every, 2 every, ... and at k = steps (also when steps is not a
 * multiple of every).  CONDENSE_EDOM for lr not finite or <= 0, CONDENSE_EINVAL for
 * every = 0; CONDENSE_EDOM if a step fails (the message names the step and t) -- theta_bar then
 * holds the state after the last good step. */
int condense_real_flow_gd(condense_real_flow *flow, double *theta_bar, double lr, size_t steps,
                          size_t every, condense_flow_observer obs, void *user);

/* Full-batch Adam on R_S(theta) in the ORIGINAL coordinates theta = eps theta_bar (Adam is not
 * invariant under rescaling): g = grad R_S = -eps field(theta_bar), moments m, v with beta1,
 * beta2, step lr, and adam_eps, bias-corrected (Kingma & Ba, Algorithm 1); the moments start at
 * 0 on every call.  obs as for gd, with t = k lr.  Errors as for gd, plus CONDENSE_EDOM for
 * beta1, beta2 outside (0, 1), adam_eps not finite or <= 0, and moments that overflow. */
int condense_real_flow_adam(condense_real_flow *flow, double *theta_bar, double lr, double beta1,
                            double beta2, double adam_eps, size_t steps, size_t every,
                            condense_flow_observer obs, void *user);

/* theta_beta (theta.h layout, length C_0 m^2 + 1 + W_1 H_1) of kernel beta (1-based) from a
 * flat state.  CONDENSE_EINVAL for beta outside [1, M]; theta_beta untouched on failure.
 * (Back: condense_cnn_unpack the state into flow->net, condense_theta_beta_unpack, then
 * condense_cnn_pack.) */
int condense_real_flow_theta_beta(condense_real_flow *flow, const double *theta_bar, size_t beta,
                                  double *theta_beta);

#ifdef __cplusplus
}
#endif
#endif
