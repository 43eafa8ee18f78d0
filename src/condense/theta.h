/* condense/theta.h -- the per-kernel parameter vector theta_beta of the two-layer CNN,
 * CNN paper Sec. 5 and App. C.2 (eq. 33) / App. D (multi-channel), and theta_W.
 *
 * For the two-layer network (L = 1, M := C_1 kernels, C_0 input channels):
 *   theta_beta   = (theta_{W,beta}; theta_{a,beta}),            length C_0 m^2 + 1 + W_1 H_1
 *   theta_{W,beta} = (W_{0,0,1,beta}, W_{0,1,1,beta}, ..., W_{0,m-1,1,beta};
 *                     W_{1,0,1,beta}, ..., W_{m-1,m-1,1,beta};   <- alpha = 1: p major, q minor
 *                     ... the same for alpha = 2, ..., C_0;
 *                     b_beta)                                     length C_0 m^2 + 1
 *   theta_{a,beta} = (a_{1,1,beta}, a_{1,2,beta}, ..., a_{1,H_1,beta}; a_{2,1,beta}, ...,
 *                     a_{W_1,H_1,beta})                           length W_1 H_1
 *   theta_W      = vec({theta_{W,beta}}_{beta=1}^M)               length M (C_0 m^2 + 1)
 * These are defined for L = 1 only; other L give CONDENSE_EINVAL.
 */
#ifndef CONDENSE_THETA_H
#define CONDENSE_THETA_H

#include <stddef.h>

#include "condense/cnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Lengths of theta_{W,beta} (C_0 m^2 + 1), theta_{a,beta} (W_1 H_1) and theta_beta. */
size_t condense_theta_W_beta_size(const condense_cnn *net);
size_t condense_theta_a_beta_size(const condense_cnn *net);
size_t condense_theta_beta_size(const condense_cnn *net);

/* Copy kernel beta (1-based) of a two-layer network into theta_beta, in the order above. */
int condense_theta_beta_pack(const condense_cnn *net, size_t beta, double *theta_beta);

/* Copy theta_beta back into kernel beta's W_{.,.,.,beta}, b_beta and a_{.,.,beta}. */
int condense_theta_beta_unpack(condense_cnn *net, size_t beta, const double *theta_beta);

/* theta_W = vec({theta_{W,beta}}_{beta=1}^M): M blocks of C_0 m^2 + 1 entries. */
int condense_theta_W_pack(const condense_cnn *net, double *theta_W);
int condense_theta_W_unpack(condense_cnn *net, const double *theta_W);

#ifdef __cplusplus
}
#endif
#endif
