/* condense/init.h -- initialization of theta: CNN paper eq. (3)-(4) = (18)-(19), and the
 * scheme of the experiments (Sec. 4.1, App. A.1).  Every draw comes from a caller's seeded GSL
 * generator, in the fixed order: for l = 1..L, W^[l] in storage order, then b^[l]; then a. */
#ifndef CONDENSE_INIT_H
#define CONDENSE_INIT_H

#include <gsl/gsl_rng.h>

#include "condense/cnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A seeded generator (mt19937) for every random draw of condense. */
int condense_rng_alloc(unsigned long seed, gsl_rng **rng);

/* Eq. (3)-(4) with beta_1 = beta_2 = eps: every W^[l], b^[l] and a entry ~ N(0, eps^2).
 * CONDENSE_EDOM unless eps is finite and > 0. */
int condense_init_normal(condense_cnn *net, double eps, gsl_rng *rng);

/* Sec. 4.1: sigma_1 = ((c_in + c_out) m^2 / 2)^(-gamma) for a convolution layer. */
double condense_init_sigma1(size_t c_in, size_t c_out, size_t m, double gamma);

/* The experiments' scheme: W^[l], b^[l] ~ N(0, sigma_1^2) with sigma_1 of layer l from
 * condense_init_sigma1(C_{l-1}, C_l, m_l, gamma), and a ~ N(0, sigma_2^2).
 * CONDENSE_EDOM unless gamma is finite and sigma_2 finite and >= 0. */
int condense_init_experiment(condense_cnn *net, double gamma, double sigma_2, gsl_rng *rng);

#ifdef __cplusplus
}
#endif
#endif
