/* condense/fc_flow.h -- training the two-layer FC network of fc.h: the gradient flow of FC
 * paper eq. (3)-(4) integrated with GSL odeiv2, fixed-step gradient descent, and full-batch
 * Adam (the optimizer of the FC paper's experiments, Sec. 4).  The state is net->theta; every
 * trainer starts from it and leaves the last state reached there.
 *
 * Errors: CONDENSE_EINVAL for NULL arguments or bad times / every, CONDENSE_ESIZE for data
 * not of the FC shape, CONDENSE_EDOM for non-finite values or impossible hyperparameters (the
 * message names the step or the time), CONDENSE_ENUM when GSL gives up, CONDENSE_ENOMEM; an
 * observer's non-zero return stops the run and is returned. */
#ifndef CONDENSE_FC_FLOW_H
#define CONDENSE_FC_FLOW_H

#include <stddef.h>

#include "condense/data.h"
#include "condense/fc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called with the step k (0 at the start; for the ODE the index of the requested time), the
 * time t and the network at that state; a non-zero return stops the run. */
typedef int (*condense_fc_observer)(size_t k, double t, const condense_fc *net, void *user);

/* Integrate eq. (3)-(4) with GSL odeiv2 (rk8pd, adaptive, tolerances epsabs, epsrel) from
 * times[0] through times[1..n-1] (non-decreasing), calling obs (may be NULL) at each. */
int condense_fc_flow_integrate(condense_fc *net, const condense_data *data, const double *times,
                               size_t n, double epsabs, double epsrel, condense_fc_observer obs,
                               void *user);

/* GD: theta <- theta + lr field(theta) (= theta - lr grad R_S), `steps` steps; obs at k = 0,
 * every, 2 every, ... and at k = steps, with t = k lr. */
int condense_fc_gd(condense_fc *net, const condense_data *data, double lr, size_t steps,
                   size_t every, condense_fc_observer obs, void *user);

/* Adam (Kingma & Ba 2015, Algorithm 1) on R_S with step lr, moments beta1, beta2 in (0, 1),
 * adam_eps > 0, bias-corrected, moments starting at 0; obs as for GD. */
int condense_fc_adam(condense_fc *net, const condense_data *data, double lr, double beta1,
                     double beta2, double adam_eps, size_t steps, size_t every,
                     condense_fc_observer obs, void *user);

#ifdef __cplusplus
}
#endif
#endif
