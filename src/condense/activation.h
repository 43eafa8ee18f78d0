/* condense/activation.h -- activation functions sigma, their derivatives and multiplicity.
 *
 * CNN paper, Sec. 5: Definition 1 (multiplicity r), Remark 1 (examples and the normalization
 * sigma / sigma'(0)), Assumption 1 (C_L bounds sigma' and sigma'').
 */
#ifndef CONDENSE_ACTIVATION_H
#define CONDENSE_ACTIVATION_H

#ifdef __cplusplus
extern "C" {
#endif

/* Declared multiplicity values that are not positive integers. */
#define CONDENSE_R_NONZERO_AT_0 0 /* sigma(0) != 0: no r >= 1 satisfies Definition 1 */
#define CONDENSE_R_UNDEFINED (-1) /* sigma is not differentiable at 0 (ReLU): undefined */

/* One activation, as mathematics: sigma and its first two derivatives (sigma^(1), sigma^(2) in
 * the paper), the declared multiplicity r of Definition 1, and C_L of Assumption 1 (the
 * smallest constant with sup|sigma'| <= C_L and sup|sigma''| <= C_L; INFINITY when unbounded). */
typedef struct condense_activation_type {
    const char *name;    /* "tanh", "silu", ... as used on the command line */
    const char *formula; /* sigma(x) in words, e.g. "x / (1 + exp(-x))" */
    double (*sigma)(double x);
    double (*sigma1)(double x); /* sigma^(1) */
    double (*sigma2)(double x); /* sigma^(2) */
    int r;                      /* declared multiplicity (Definition 1), or a value above */
    double C_L; /* Assumption 1 constant of the unnormalized sigma; after the normalization
                 * of Remark 1 the bound is scale * C_L.  ReLU: sigma'(0) = 0 by convention,
                 * sigma'' = 0 everywhere except a Dirac mass at 0, so C_L = INFINITY. */
} condense_activation_type;

/* An activation in use: a type and the factor `scale` that multiplies sigma and its
 * derivatives: 1, or 1 / sigma'(0) for the normalization of Remark 1 / Remark 2. */
typedef struct condense_activation {
    const condense_activation_type *type;
    double scale;
} condense_activation;

/* The built-in types, in a fixed order: tanh, silu, silu2 (the scaled SiLU 2x/(1+e^-x)),
 * xtanh, x2tanh, sigmoid, relu, identity. */
extern const condense_activation_type condense_act_tanh;
extern const condense_activation_type condense_act_silu;
extern const condense_activation_type condense_act_silu2;
extern const condense_activation_type condense_act_xtanh;
extern const condense_activation_type condense_act_x2tanh;
extern const condense_activation_type condense_act_sigmoid;
extern const condense_activation_type condense_act_relu;
extern const condense_activation_type condense_act_identity;

/* Number of built-in types and the i-th one (NULL when i is out of range). */
unsigned condense_activation_count(void);
const condense_activation_type *condense_activation_at(unsigned i);

/* Look a built-in type up by name.  normalize != 0 applies Remark 1's sigma / sigma'(0);
 * it fails with CONDENSE_EUNDEF when sigma'(0) = 0 or is undefined.  It is accepted for
 * sigmoid, whose sigma(0) != 0: it fixes sigma'(0) = 1 only.  *out is untouched on failure. */
int condense_activation_lookup(const char *name, int normalize, condense_activation *out);

/* sigma, sigma^(1), sigma^(2) of an activation in use (scale applied).  The hot path: act
 * and act->type must be valid (nothing is checked here). */
double condense_sigma(const condense_activation *act, double x);
double condense_sigma1(const condense_activation *act, double x);
double condense_sigma2(const condense_activation *act, double x);

/* Definition 1, measured: the multiplicity r of `type`, found numerically from the values at
 * 0 of sigma, sigma^(1), sigma^(2) and higher derivatives taken by finite differences, up to
 * order max_order (>= 1).  Sets *r to a positive r, to CONDENSE_R_NONZERO_AT_0 when
 * sigma(0) != 0, or to CONDENSE_R_UNDEFINED when the one-sided derivatives at 0 differ.
 * Fails with CONDENSE_EUNDEF when every derivative up to max_order vanishes; CONDENSE_EINVAL
 * for NULL arguments or max_order outside [1, 6]; CONDENSE_EDOM when sigma, sigma', sigma''
 * are not finite near 0; CONDENSE_ENUM when the finite differences are not finite.  sigma''
 * is sampled on [-0.4, 0.4]; a kink whose jump in slope is below ~1e-2 is not detected.  *r is
 * untouched on failure. */
int condense_multiplicity_detect(const condense_activation_type *type, int max_order, int *r);

#ifdef __cplusplus
}
#endif
#endif
