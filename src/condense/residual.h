/* condense/residual.h -- the difference between the real and the linear dynamics, CNN paper
 * App. C.3: the residuals f_beta, g_beta of eq. (45) and the neuron energies of Definition 3.
 *
 *   f_{p,q,alpha,beta} = (1/n) sum_i e_i sum_{u,v} a sigma'(eps x_{u,v,beta}(i))
 *                                                     x_{u+p,v+q,alpha}(i)
 *                      + (1/n) sum_i y_i sum_{u,v} a x_{u+p,v+q,alpha}(i)
 *   f_beta             = (1/n) sum_i e_i sum_{u,v} a sigma'(eps x_{u,v,beta}(i))
 *                      + (1/n) sum_i y_i sum_{u,v} a
 *   g_{u,v,beta}       = (1/n) sum_i e_i sigma(eps x_{u,v,beta}(i)) / eps
 *                      + (1/n) sum_i y_i x_{u,v,beta}(i)
 * (rescaled coordinates, as in real_flow.h), so that
 *   d theta_beta/dt = -(f_beta; g_beta) + A theta_beta.
 * NOTE on the sign: the paper writes eq. (45) as d theta_beta/dt = (f_beta; g_beta) + A
 * theta_beta, but with f, g defined as printed the real field is A theta_beta MINUS (f; g)
 * (the first line of App. C.3 subtracts them).  The sign does not change any norm, so
 * Proposition 2 is unaffected; condense uses the definitions as printed and the minus sign.
 * f_beta has the theta_{W,beta} layout (alpha, p, q, then the bias entry), g_beta the
 * theta_{a,beta} layout (u, v).
 */
#ifndef CONDENSE_RESIDUAL_H
#define CONDENSE_RESIDUAL_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "condense/real_flow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Common to the three functions: theta_bar is a flat state of the flow (flow->dim doubles, in
 * rescaled coordinates); they use the flow's scratch network and workspace, so one flow serves
 * one call at a time.  Errors: CONDENSE_EINVAL for a NULL argument or beta outside [1, M],
 * CONDENSE_EDOM for a non-finite entry of theta_bar or a non-finite result, CONDENSE_ENOMEM;
 * outputs are untouched on failure. */

/* f_beta (N_W entries) and g_beta (N_a entries) of kernel beta by the defining formulas, summed
 * directly from the data (x_{u,v,beta}(i) and e_i computed here, independently of the field). */
int condense_residual(condense_real_flow *flow, const double *theta_bar, size_t beta,
                      double *f_beta, double *g_beta);

/* The same from eq. (45): (f_beta; g_beta) = A theta_beta - real field restricted to kernel
 * beta, with A from linearization.h (CONDENSE_ESIZE unless A is (N_W + N_a) square); the
 * field's failures are passed on. */
int condense_residual_from_field(condense_real_flow *flow, const gsl_matrix *A,
                                 const double *theta_bar, size_t beta, double *f_beta,
                                 double *g_beta);

/* The same for every kernel with ONE field evaluation: f (M x N_W, row beta-1 is f_beta) and
 * g (M x N_a).  Proposition 2 along a run uses this: M calls of the single-kernel forms would
 * cost M field evaluations. */
int condense_residual_all_from_field(condense_real_flow *flow, const gsl_matrix *A,
                                     const double *theta_bar, double *f, double *g);

/* Definition 3, eq. (46)-(47): E_beta = (|theta_{W,beta}|^2 + |theta_{a,beta}|^2)^(1/2) for
 * beta = 1..M into E (may be NULL), and E_max, in the rescaled coordinates of theta_bar. */
int condense_energy(condense_real_flow *flow, const double *theta_bar, double *E, double *E_max);

#ifdef __cplusplus
}
#endif
#endif
