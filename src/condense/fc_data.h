/* condense/fc_data.h -- the training sets of the FC paper's experiments (Sec. 4):
 *   "sin1d": f*(x) = sin(3x) + sin(6x)/2, d = 1 (Fig. 3, 4: 40 samples);
 *   "sin5d": f*(x) = sum_{k=1}^5 3.5 x_k sin(5 x_k + 1), d = 5 (Fig. 1: 80 samples).
 * The paper does not state where the inputs lie.  Filled here: [-1, 1] -- evenly spaced for
 * the 1-d set (x_i = -1 + 2 (i-1)/(n-1)), i.i.d. uniform on [-1, 1]^5 for the 5-d set.  The
 * data are a condense_data of n samples of d x 1 x 1 inputs (fc.h). */
#ifndef CONDENSE_FC_DATA_H
#define CONDENSE_FC_DATA_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The input dimension d of a target ("sin1d": 1, "sin5d": 5); CONDENSE_EINVAL for another
 * name (the message lists the valid ones). */
int condense_fc_target_dim(const char *target, size_t *d);

/* f*(x_bar) of a target at x_bar (d entries). */
int condense_fc_target_value(const char *target, const double *x_bar, double *y);

/* n samples of a target (rng draws the 5-d inputs; may be NULL for "sin1d").  CONDENSE_ESIZE
 * for n = 0 (n < 2 for "sin1d"), CONDENSE_EINVAL for an unknown target or a NULL rng where one
 * is needed. */
int condense_fc_data_make(const char *target, size_t n, gsl_rng *rng, condense_data **data);

#ifdef __cplusplus
}
#endif
#endif
