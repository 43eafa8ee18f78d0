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
 *
 * All functions: CONDENSE_EINVAL for a NULL argument, CONDENSE_EDOM for a non-finite t or
 * input entry; on any failure the outputs are left untouched.
 */
#ifndef CONDENSE_LINEAR_FLOW_H
#define CONDENSE_LINEAR_FLOW_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "condense/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Eq. (42): the constants for k = 1..r into c_W, d_W, c_a, d_a (r entries each, nothing
 * written past them; any may be NULL), from theta_beta(0).  CONDENSE_ESIZE for a spectrum
 * whose sizes disagree (r > k, U or V of the wrong shape). */
int condense_linear_constants(const condense_spectrum *s, const double *theta_beta0, double *c_W,
                              double *d_W, double *c_a, double *d_a);

/* Eq. (41)/(44): theta_beta(t) from theta_beta(0) in closed form, for t >= 0 or t < 0.
 * CONDENSE_EDOM if exp(lambda_1 |t|) overflows (lambda_1 |t| > log(DBL_MAX)) or the result
 * does (theta_beta(0) too large).  r = 0 gives theta_beta(t) = theta_beta(0) for every t.
 * out may not alias theta_beta0. */
int condense_linear_flow(const condense_spectrum *s, const double *theta_beta0, double t,
                         double *theta_beta_t);

/* Remark 5: the frozen part P_{(r+1):N_W} theta_{W,beta} and P_{(r+1):N_a} theta_{a,beta}
 * (out has the theta_beta layout). */
int condense_linear_frozen(const condense_spectrum *s, const double *theta_beta, double *out);

/* exp(tA) x0 through the eigendecomposition A = Q diag(mu) Q^T (gsl_eigen_symmv): an
 * independent route to the same theta_beta(t).  The decomposition is held in an object so
 * that many t cost one decomposition.  alloc: A square (CONDENSE_ESIZE), finite
 * (CONDENSE_EDOM) and exactly symmetric (CONDENSE_EINVAL; the A of eq. (34) is); *e is set
 * only on success.  apply: CONDENSE_EDOM if exp(|t| max|mu|) or the result overflows. */
typedef struct condense_expA condense_expA;
int condense_expA_alloc(const gsl_matrix *A, condense_expA **e);
void condense_expA_free(condense_expA *e);
int condense_expA_apply(const condense_expA *e, double t, const double *x0, double *xt);

/* d theta/dt = A theta integrated from 0 to t with GSL odeiv2 (rk8pd, adaptive step,
 * absolute and relative tolerances epsabs, epsrel): the third route.  t may be negative;
 * t = 0 or A = 0 returns x0.  epsabs, epsrel finite, >= 0 and not both 0 (CONDENSE_EINVAL
 * otherwise); A square (CONDENSE_ESIZE).  At most 1000 + 100 ||A||_inf |t| steps are taken;
 * a GSL failure (e.g. an unattainable tolerance) is CONDENSE_ENUM with GSL's reason, an
 * overflow of theta is CONDENSE_EDOM. */
int condense_linear_ode(const gsl_matrix *A, const double *x0, double t, double epsabs,
                        double epsrel, double *xt);

#ifdef __cplusplus
}
#endif
#endif
