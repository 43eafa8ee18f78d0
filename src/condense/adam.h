/* condense/adam.h -- Adam (Kingma & Ba 2015, "Adam: a method for stochastic optimization",
 * Algorithm 1), bias-corrected: with g the gradient at step k = 1, 2, ...
 *
 *   m <- beta1 m + (1 - beta1) g,           v <- beta2 v + (1 - beta2) g^2,
 *   m_hat = m / (1 - beta1^k),              v_hat = v / (1 - beta2^k),
 *   theta <- theta - lr m_hat / (sqrt(v_hat) + eps).
 *
 * The one optimizer of the library: the CNN experiments (experiment.h, condense train), the
 * two-layer CNN's real flow (real_flow.h, which moves theta_bar = theta / eps: see
 * condense_adam_step_scaled) and the FC network (fc_flow.h) all step through it.
 *
 * The state (moments m, v and the step count k) is public so that a run can be checkpointed
 * and resumed exactly: restoring m, v and k and stepping on gives the same bits as never
 * stopping.
 *
 * Errors follow error.h.  A step that would make a moment or a parameter non-finite is refused
 * (CONDENSE_EDOM) with theta, m, v and k untouched: the caller keeps the last good state; the
 * index of the first offending entry is then in adam->bad. */
#ifndef CONDENSE_ADAM_H
#define CONDENSE_ADAM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct condense_adam {
    size_t dim;
    double beta1, beta2, eps;
    unsigned long k; /* steps taken */
    double *m, *v;   /* moments, zero after alloc */
    size_t bad;      /* after a refused step: the first offending entry */
} condense_adam;

/* Moments for dim parameters, zero, k = 0.  CONDENSE_ESIZE for dim = 0; CONDENSE_EDOM for
 * beta1, beta2 outside (0, 1) or eps not finite or <= 0.  *adam untouched on failure. */
int condense_adam_alloc(size_t dim, double beta1, double beta2, double eps, condense_adam **adam);
void condense_adam_free(condense_adam *adam);

/* Moments back to zero and k = 0 (a fresh run). */
void condense_adam_reset(condense_adam *adam);

/* One step of Algorithm 1 on theta (dim doubles) with gradient grad.  CONDENSE_EDOM for lr not
 * finite or <= 0, a non-finite gradient entry, or a step making a moment or a parameter
 * non-finite (the message names the entry, its gradient and moments; theta, the moments and
 * k are then untouched). */
int condense_adam_step(condense_adam *adam, double *theta, const double *grad, double lr);

/* The same step where grad is the gradient with respect to theta = scale * x and the state
 * kept is x: x <- x - (lr m_hat / (sqrt(v_hat) + eps)) / scale (scale finite and non-zero;
 * scale = 1 is condense_adam_step to the bit).  The real flow's rescaled coordinates
 * theta = eps theta_bar (CNN paper App. C.1): Adam is not invariant under the rescaling, so
 * the moments live in the original coordinates. */
int condense_adam_step_scaled(condense_adam *adam, double *x, const double *grad, double lr,
                              double scale);

#ifdef __cplusplus
}
#endif
#endif
