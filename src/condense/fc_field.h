/* condense/fc_field.h -- the velocity field of a test neuron, FC paper eq. (5)-(6):
 *
 *   g_theta(w) = sum_i e_i sigma(w . x_i),   r = |w|_2,   u = w / |w|_2,
 *   da/dt = -(1/n) g_theta(w),   dw/dt = -(a/n) grad g_theta(w),
 *   dr/dt = u . dw/dt,           du/dt = (dw/dt - (dw/dt . u) u) / r,
 *
 * where e_i = f_theta(x_i) - f*(x_i) (fc.h, condense_fc_residuals) carries all the dependence
 * on theta: for fixed theta, (a, w) is any test neuron.  x_i = (x_bar_i, 1) as in fc.h; w has
 * d + 1 entries, bias last.
 *
 * Errors: CONDENSE_EINVAL for NULL arguments, CONDENSE_ESIZE for data not of the FC shape
 * (n samples of d x 1 x 1), CONDENSE_EDOM for non-finite inputs or results, and for w = 0
 * where r and u are needed; outputs untouched on failure. */
#ifndef CONDENSE_FC_FIELD_H
#define CONDENSE_FC_FIELD_H

#include <stddef.h>

#include "condense/activation.h"
#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* FC paper eq. (5): *g = g_theta(w) = sum_i e_i sigma(w . x_i); grad_g (d + 1 doubles, may be
 * NULL) = sum_i e_i sigma'(w . x_i) x_i.  data->W0 is d. */
int condense_fc_g(const condense_activation *sigma, const condense_data *data, const double *e,
                  const double *w, double *g, double *grad_g);

/* FC paper eq. (6) for the test neuron (a, w): a_dot, w_dot (d + 1), r_dot and u_dot (d + 1).
 * Each output may be NULL.  r_dot and u_dot need w != 0 (CONDENSE_EDOM otherwise). */
int condense_fc_velocity(const condense_activation *sigma, const condense_data *data,
                         const double *e, double a, const double *w, double *a_dot, double *w_dot,
                         double *r_dot, double *u_dot);

/* d = 1: the angular velocity dphi/dt of the director u = (cos phi, sin phi) of the test
 * neuron (a, w = r u) in the (w, b) plane, u_perp . du/dt with u_perp = (-sin phi, cos phi)
 * (eq. 6; du/dt is orthogonal to u).  CONDENSE_ESIZE unless d = 1; CONDENSE_EDOM for r <= 0
 * or non-finite a, phi, r. */
int condense_fc_angular_velocity(const condense_activation *sigma, const condense_data *data,
                                 const double *e, double a, double phi, double r, double *omega);

#ifdef __cplusplus
}
#endif
#endif
