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

typedef struct condense_real_flow {
    const condense_data *data; /* not owned; must outlive the flow */
    double eps;
    size_t M, m;
    size_t dim;                /* number of parameters: M (C_0 m^2 + 1 + W_1 H_1) */
    condense_cnn *net;         /* scratch two-layer network holding theta_bar */
    condense_workspace *ws;    /* scratch */
    double *scratch;           /* scratch, dim doubles */
    unsigned long n_field;     /* number of field evaluations so far */
} condense_real_flow;

/* A flow for data, M kernels of size m, activation sigma and scale eps > 0. */
int condense_real_flow_alloc(const condense_data *data, size_t M, size_t m,
                             condense_activation sigma, double eps, condense_real_flow **flow);
void condense_real_flow_free(condense_real_flow *flow);

/* The rescaled field above: dtheta_bar = d theta_bar / dt at theta_bar (both dim doubles).
 * CONDENSE_EDOM if a value is not finite. */
int condense_real_field(condense_real_flow *flow, const double *theta_bar, double *dtheta_bar);

/* Called at each requested time with the state there; a non-zero return stops the run and is
 * returned (use a condense status). */
typedef int (*condense_flow_observer)(double t, const double *theta_bar, void *user);

/* Integrate the field with GSL odeiv2 (rk8pd, adaptive step, tolerances epsabs, epsrel) from
 * times[0] (theta_bar is the state there) through times[1..n-1] (increasing), calling obs
 * (may be NULL) at every times[k], k = 0..n-1.  theta_bar holds the state at the last time
 * reached.  On a failure the message names the time and the step. */
int condense_real_flow_integrate(condense_real_flow *flow, double *theta_bar, const double *times,
                                 size_t n, double epsabs, double epsrel,
                                 condense_flow_observer obs, void *user);

/* Fixed-step gradient descent on R_S with learning rate lr: in rescaled coordinates
 * theta_bar <- theta_bar + lr * field(theta_bar) (= GD on theta with the same lr).  obs is
 * called at t = k lr for k = 0, every, 2 every, ..., steps. */
int condense_real_flow_gd(condense_real_flow *flow, double *theta_bar, double lr, size_t steps,
                          size_t every, condense_flow_observer obs, void *user);

/* Full-batch Adam on R_S(theta) in the ORIGINAL coordinates theta = eps theta_bar (Adam is not
 * invariant under rescaling): g = grad R_S = -eps field(theta_bar), moments m, v with beta1,
 * beta2, step lr, and adam_eps, bias-corrected (Kingma & Ba, Algorithm 1).  obs as for gd,
 * with t = k lr. */
int condense_real_flow_adam(condense_real_flow *flow, double *theta_bar, double lr, double beta1,
                            double beta2, double adam_eps, size_t steps, size_t every,
                            condense_flow_observer obs, void *user);

/* theta_beta (theta.h layout) of kernel beta from a flat state, and back. */
int condense_real_flow_theta_beta(condense_real_flow *flow, const double *theta_bar, size_t beta,
                                  double *theta_beta);

#ifdef __cplusplus
}
#endif
#endif
