/* condense/linear_flow.h -- the exact solution of the linear dynamics d theta_beta/dt =
 * A theta_beta, CNN paper Proposition 1, eq. (38)-(44), and two independent ways to compute
 * the same thing: exp(tA) from the symmetric eigendecomposition of A, and numerical
 * integration of the ODE with GSL odeiv2.
 *
 * Vectors are in the theta_beta layout: theta_beta = (theta_{W,beta} (N_W entries);
 * theta_{a,beta} (N_a entries)), N_W = C_0 m^2 + 1, N_a = W_1 H_1.
 *
 * Proposition 1: with X_k = <theta_{W,beta}(0), v_k>, Y_k = <theta_{a,beta}(0), u_k>,
 *   c_{lambda_k,W,beta} = (X_k + Y_k)/2,  d_{lambda_k,W,beta} = (X_k - Y_k)/2      eq. (42)
 *   c_{lambda_k,a,beta} = (X_k + Y_k)/2,  d_{lambda_k,a,beta} = -(X_k - Y_k)/2
 *     (the a-constants, not printed in the paper, from the same two conditions: c_a + d_a =
 *      Y_k and lambda_k (c_a - d_a) = <Z theta_{W,beta}(0), u_k> = lambda_k X_k)
 *   theta_{W,beta}(t) = sum_{k<=r} [c_W e^{lambda_k t} + d_W e^{-lambda_k t}] v_k
 *                       + P_{(r+1):N_W} theta_{W,beta}(0)                          eq. (44)
 *   theta_{a,beta}(t) = sum_{k<=r} [c_a e^{lambda_k t} + d_a e^{-lambda_k t}] u_k
 *                       + P_{(r+1):N_a} theta_{a,beta}(0)
 * where P_{(r+1):.} is the projection onto the orthogonal complement of span{v_1..v_r}
 * (resp. span{u_1..u_r}): the frozen components of eq. (41) / Remark 5.
 */
#ifndef CONDENSE_LINEAR_FLOW_H
#define CONDENSE_LINEAR_FLOW_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "condense/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Eq. (42): the constants for k = 1..r into c_W, d_W, c_a, d_a (r entries each; any may be
 * NULL), from theta_beta(0). */
int condense_linear_constants(const condense_spectrum *s, const double *theta_beta0, double *c_W,
                              double *d_W, double *c_a, double *d_a);

/* Eq. (41)/(44): theta_beta(t) from theta_beta(0) in closed form, for t >= 0 or t < 0.
 * CONDENSE_EDOM if exp(lambda_1 |t|) overflows. out may not alias theta_beta0. */
int condense_linear_flow(const condense_spectrum *s, const double *theta_beta0, double t,
                         double *theta_beta_t);

/* Remark 5: the frozen part P_{(r+1):N_W} theta_{W,beta} and P_{(r+1):N_a} theta_{a,beta}
 * (out has the theta_beta layout). */
int condense_linear_frozen(const condense_spectrum *s, const double *theta_beta, double *out);

/* exp(tA) x0 through the eigendecomposition A = Q diag(mu) Q^T (gsl_eigen_symmv): an
 * independent route to the same theta_beta(t).  The decomposition is held in an object so
 * that many t cost one decomposition. */
typedef struct condense_expA condense_expA;
int condense_expA_alloc(const gsl_matrix *A, condense_expA **e);
void condense_expA_free(condense_expA *e);
int condense_expA_apply(const condense_expA *e, double t, const double *x0, double *xt);

/* d theta/dt = A theta integrated from 0 to t with GSL odeiv2 (rk8pd, adaptive step,
 * absolute and relative tolerances epsabs, epsrel): the third route. */
int condense_linear_ode(const gsl_matrix *A, const double *x0, double t, double epsabs,
                        double epsrel, double *xt);

#ifdef __cplusplus
}
#endif
#endif
