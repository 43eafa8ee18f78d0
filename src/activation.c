/* activation.c -- the built-in activations sigma, sigma^(1), sigma^(2), their multiplicity r
 * (CNN paper, Sec. 5, Definition 1 and Remark 1) and the constant C_L of Assumption 1.
 *
 * Every function is written in closed form and is stable for all finite x: no NaN anywhere,
 * and no overflow except where the exact value itself exceeds DBL_MAX (x^2 tanh x for
 * |x| > ~1.34e154, which then rounds to +-inf as it must; its derivative ~ 2|x| only beyond
 * ~9e307).  The tools are
 *   - the logistic s(x) = 1 / (1 + e^-x) evaluated without ever exponentiating a positive
 *     number, and 1 - s(x) taken as s(-x) (no cancellation);
 *   - sech x = 1 / cosh x (cosh overflows to inf for |x| > ~710, giving sech = 0 exactly), and
 *     x sech^2 x written as (x sech x) sech x, x^2 sech^2 x as (x sech x)^2, so that a huge x
 *     meets sech x = 0 before anything can overflow (never inf * 0);
 *   - 1 - 2 s(x) = -tanh(x / 2).
 *
 * The C_L values are derived in the comments above each type and checked independently by
 * tests/test_activation.c (dense grid + Brent refinement with gsl_min).  One constant recurs:
 *   y* = 1.19967864025773383391636984864114194...,  the positive root of y tanh y = 1
 * (computed with mpmath.findroot at 40 digits; it is also recomputed by the test).
 */
#include <config.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "condense/activation.h"
#include "condense/error.h"

/* y* of the header comment: the positive root of y tanh y = 1. */
#define CONDENSE_YSTAR 1.1996786402577338339

/* ---- helpers --------------------------------------------------------------------------- */

/* The logistic 1 / (1 + e^-x), never evaluating exp of a positive argument: no overflow. */
static double logistic(double x)
{
    if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

/* sech x = 1 / cosh x; cosh(x) = inf for |x| > ~710.5 gives exactly 0, an absolute error
 * below 1e-308 (the true value 2 e^-|x| is at most a subnormal there). */
static double sech(double x)
{
    return 1.0 / cosh(x);
}

/* ---- tanh ------------------------------------------------------------------------------ */
/* sigma' = sech^2 x = 1 - t^2 in (0, 1], max 1 at x = 0.  sigma'' = -2 t (1 - t^2): with
 * g(t) = 2t(1 - t^2), g'(t) = 2 - 6t^2 = 0 at t = 1/sqrt 3, so sup|sigma''| = 4 / (3 sqrt 3)
 * = 0.7698...  Hence C_L = max(1, 0.7698) = 1. */

/* CNN paper, Remark 1: tanh, multiplicity r = 1 */
static double act_tanh(double x)
{
    return tanh(x);
}

/* CNN paper, Remark 1: tanh' = sech^2 x = 1 - tanh^2 x */
static double act_tanh1(double x)
{
    double s = sech(x);
    return s * s;
}

/* CNN paper, Remark 1: tanh'' = -2 tanh x sech^2 x */
static double act_tanh2(double x)
{
    double s = sech(x);
    return -2.0 * tanh(x) * s * s;
}

/* ---- SiLU ------------------------------------------------------------------------------ */
/* With y = x/2 and s = logistic(x) = (1 + tanh y) / 2:  silu(x) = y + y tanh y = y + xtanh(y),
 * so silu'(x) = (1 + xtanh'(y)) / 2 and silu''(x) = xtanh''(y) / 4 (xtanh below).  Hence
 *   sup silu' = (1 + sup xtanh') / 2 = (1 + y*) / 2 = 1.0998393201288669 (at x = 2 y*),
 *   inf silu' = (1 - y*) / 2 = -0.0998 (at x = -2 y*), so sup|silu'| = (1 + y*) / 2;
 *   sup|silu''| = sup|xtanh''| / 4 = 2 / 4 = 1/2 (at x = 0).
 * C_L = (1 + y*) / 2 = 1.0998393201288669. */

/* CNN paper, Remark 1: SiLU(x) = x / (1 + e^-x), multiplicity r = 1 */
static double act_silu(double x)
{
    return x * logistic(x);
}

/* CNN paper, Remark 1: SiLU' = s (1 + x (1 - s)), s = logistic(x), 1 - s = logistic(-x) */
static double act_silu1(double x)
{
    double s = logistic(x);
    return s * (1.0 + x * logistic(-x));
}

/* CNN paper, Remark 1: SiLU'' = s (1 - s) (2 + x (1 - 2s)), with 1 - 2s = -tanh(x/2) */
static double act_silu2(double x)
{
    return logistic(x) * logistic(-x) * (2.0 - x * tanh(0.5 * x));
}

/* ---- scaled SiLU 2x / (1 + e^-x) -------------------------------------------------------- */
/* Twice SiLU: sup|sigma'| = 1 + y* = 2.1996786402577338, sup|sigma''| = 1; C_L = 1 + y*. */

/* CNN paper, App. C.1: scaled SiLU 2x / (1 + e^-x), multiplicity r = 1, sigma'(0) = 1 */
static double act_silu2x(double x)
{
    return 2.0 * act_silu(x);
}

/* CNN paper, App. C.1: scaled SiLU' = 2 SiLU' */
static double act_silu2x1(double x)
{
    return 2.0 * act_silu1(x);
}

/* CNN paper, App. C.1: scaled SiLU'' = 2 SiLU'' */
static double act_silu2x2(double x)
{
    return 2.0 * act_silu2(x);
}

/* ---- x tanh x -------------------------------------------------------------------------- */
/* sigma' = t + x sech^2 x is odd, -> +-1 at +-inf, and stationary where sigma'' = 0, i.e.
 * x t = 1 (x = +-y*); there sigma' = t + x - x t^2 = t + x - t = x, so sup|sigma'| = y*.
 * sigma'' = 2 sech^2 x (1 - x t) is even; for x >= 0, sech^2 x <= 1 and 1 - x t <= 1 with
 * equality only at 0, while 2 sech^2 x (x t - 1) < 2 x sinh x / cosh^3 x < 2 x sech^2 x <= 0.9,
 * so sup|sigma''| = sigma''(0) = 2.  C_L = max(y*, 2) = 2. */

/* CNN paper, Remark 1: xtanh(x) = x tanh x, multiplicity r = 2 */
static double act_xtanh(double x)
{
    return x * tanh(x);
}

/* CNN paper, Remark 1: xtanh' = tanh x + x sech^2 x */
static double act_xtanh1(double x)
{
    double s = sech(x);
    return tanh(x) + (x * s) * s;
}

/* CNN paper, Remark 1: xtanh'' = 2 sech^2 x (1 - x tanh x) */
static double act_xtanh2(double x)
{
    double s = sech(x);
    return 2.0 * s * (s - (x * s) * tanh(x));
}

/* ---- x^2 tanh x ------------------------------------------------------------------------ */
/* sigma' = 2 x t + x^2 sech^2 x ~ 2|x| is unbounded, so Assumption 1 fails: C_L = INFINITY. */

/* Definition 1 (not listed in the CNN paper): x^2 tanh x = x^3 - x^5/3 + ..., r = 3 */
static double act_x2tanh(double x)
{
    return x * x * tanh(x);
}

/* Definition 1 example: (x^2 tanh x)' = 2 x tanh x + x^2 sech^2 x */
static double act_x2tanh1(double x)
{
    double xs = x * sech(x);
    return 2.0 * x * tanh(x) + xs * xs;
}

/* Definition 1 example: (x^2 tanh x)'' = 2 tanh x + 4 x sech^2 x - 2 x^2 tanh x sech^2 x */
static double act_x2tanh2(double x)
{
    double s = sech(x), t = tanh(x);
    double xs = x * s;
    return 2.0 * t + 4.0 * xs * s - 2.0 * t * xs * xs;
}

/* ---- sigmoid --------------------------------------------------------------------------- */
/* sigma' = s (1 - s) <= 1/4 (at x = 0).  sigma'' = s (1 - s) (1 - 2s) =: g(s); g'(s) =
 * 6 s^2 - 6 s + 1 = 0 at s = (3 -+ sqrt 3) / 6 (x = -+ln(2 + sqrt 3)), |g| = (1/6)(1/sqrt 3)
 * = sqrt(3) / 18 = 0.0962.  C_L = max(1/4, 0.0962) = 1/4. */

/* CNN paper, Sec. 4.2 (Fig. 4): Sigmoid 1 / (1 + e^-x); sigma(0) = 1/2, no multiplicity */
static double act_sigmoid(double x)
{
    return logistic(x);
}

/* CNN paper, Sec. 4.2: Sigmoid' = s (1 - s) */
static double act_sigmoid1(double x)
{
    return logistic(x) * logistic(-x);
}

/* CNN paper, Sec. 4.2: Sigmoid'' = s (1 - s) (1 - 2s), with 1 - 2s = -tanh(x/2) */
static double act_sigmoid2(double x)
{
    return -logistic(x) * logistic(-x) * tanh(0.5 * x);
}

/* ---- ReLU ------------------------------------------------------------------------------ */
/* sigma' is the Heaviside step (sup 1) but sigma'' is a Dirac mass at 0: sigma is not C^2,
 * Assumption 1 fails, and C_L = INFINITY is stored.  sigma'(0) is set to 0 (a convention;
 * the derivative does not exist there) and sigma'' to 0 for every x (the Dirac mass is not
 * representable pointwise). */

/* CNN paper, Sec. 4.2 (Fig. 4): ReLU max(0, x), not differentiable at 0: r undefined */
static double act_relu(double x)
{
    return x > 0.0 ? x : 0.0;
}

/* CNN paper, Sec. 4.2: ReLU' = 1 for x > 0, 0 otherwise (0 at x = 0 by convention) */
static double act_relu1(double x)
{
    return x > 0.0 ? 1.0 : 0.0;
}

/* CNN paper, Sec. 4.2: ReLU'' = 0 away from 0 (a Dirac mass at 0 is not representable) */
static double act_relu2(double x)
{
    (void)x;
    return 0.0;
}

/* ---- identity -------------------------------------------------------------------------- */
/* sigma' = 1, sigma'' = 0: C_L = 1. */

/* Definition 1: identity x, r = 1 (Sec. 5: the first-order Taylor model behind eq. 9) */
static double act_identity(double x)
{
    return x;
}

/* Definition 1: identity' = 1 */
static double act_identity1(double x)
{
    (void)x;
    return 1.0;
}

/* Definition 1: identity'' = 0 */
static double act_identity2(double x)
{
    (void)x;
    return 0.0;
}

/* ---- the table ------------------------------------------------------------------------- */

const condense_activation_type condense_act_tanh = {
    .name = "tanh",
    .formula = "tanh(x)",
    .sigma = act_tanh,
    .sigma1 = act_tanh1,
    .sigma2 = act_tanh2,
    .r = 1,
    .C_L = 1.0,
};

const condense_activation_type condense_act_silu = {
    .name = "silu",
    .formula = "x / (1 + exp(-x))",
    .sigma = act_silu,
    .sigma1 = act_silu1,
    .sigma2 = act_silu2,
    .r = 1,
    .C_L = 0.5 * (1.0 + CONDENSE_YSTAR),
};

const condense_activation_type condense_act_silu2 = {
    .name = "silu2",
    .formula = "2 x / (1 + exp(-x))",
    .sigma = act_silu2x,
    .sigma1 = act_silu2x1,
    .sigma2 = act_silu2x2,
    .r = 1,
    .C_L = 1.0 + CONDENSE_YSTAR,
};

const condense_activation_type condense_act_xtanh = {
    .name = "xtanh",
    .formula = "x tanh(x)",
    .sigma = act_xtanh,
    .sigma1 = act_xtanh1,
    .sigma2 = act_xtanh2,
    .r = 2,
    .C_L = 2.0,
};

const condense_activation_type condense_act_x2tanh = {
    .name = "x2tanh",
    .formula = "x^2 tanh(x)",
    .sigma = act_x2tanh,
    .sigma1 = act_x2tanh1,
    .sigma2 = act_x2tanh2,
    .r = 3,
    .C_L = INFINITY,
};

const condense_activation_type condense_act_sigmoid = {
    .name = "sigmoid",
    .formula = "1 / (1 + exp(-x))",
    .sigma = act_sigmoid,
    .sigma1 = act_sigmoid1,
    .sigma2 = act_sigmoid2,
    .r = CONDENSE_R_NONZERO_AT_0,
    .C_L = 0.25,
};

const condense_activation_type condense_act_relu = {
    .name = "relu",
    .formula = "max(0, x)",
    .sigma = act_relu,
    .sigma1 = act_relu1,
    .sigma2 = act_relu2,
    .r = CONDENSE_R_UNDEFINED,
    .C_L = INFINITY,
};

const condense_activation_type condense_act_identity = {
    .name = "identity",
    .formula = "x",
    .sigma = act_identity,
    .sigma1 = act_identity1,
    .sigma2 = act_identity2,
    .r = 1,
    .C_L = 1.0,
};

static const condense_activation_type *const builtin[] = {
    &condense_act_tanh,   &condense_act_silu,    &condense_act_silu2, &condense_act_xtanh,
    &condense_act_x2tanh, &condense_act_sigmoid, &condense_act_relu,  &condense_act_identity};

#define N_BUILTIN (sizeof builtin / sizeof builtin[0])

unsigned condense_activation_count(void)
{
    return (unsigned)N_BUILTIN;
}

const condense_activation_type *condense_activation_at(unsigned i)
{
    return i < N_BUILTIN ? builtin[i] : NULL;
}

int condense_activation_lookup(const char *name, int normalize, condense_activation *out)
{
    CONDENSE_CHECK_NULL(name);
    CONDENSE_CHECK_NULL(out);
    const condense_activation_type *type = NULL;
    for (size_t i = 0; i < N_BUILTIN; i++) {
        if (strcmp(builtin[i]->name, name) == 0) {
            type = builtin[i];
            break;
        }
    }
    if (type == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL,
                       "unknown activation '%s' (valid: tanh, silu, silu2, xtanh, x2tanh, "
                       "sigmoid, relu, identity)",
                       name);
    double scale = 1.0;
    if (normalize) {
        /* CNN paper, Remark 1 / Remark 2: replace sigma by sigma / sigma'(0). */
        if (type->r == CONDENSE_R_UNDEFINED)
            CONDENSE_ERROR(CONDENSE_EUNDEF,
                           "activation '%s' is not differentiable at 0: Remark 1's "
                           "normalization sigma / sigma'(0) needs sigma'(0) != 0",
                           type->name);
        double d = type->sigma1(0.0);
        if (d == 0.0 || !isfinite(d))
            CONDENSE_ERROR(CONDENSE_EUNDEF,
                           "activation '%s' has sigma'(0) = %g: Remark 1's normalization "
                           "sigma / sigma'(0) needs sigma'(0) != 0",
                           type->name, d);
        scale = 1.0 / d;
    }
    out->type = type;
    out->scale = scale;
    return CONDENSE_OK;
}

/* Hot paths: act must be valid (non-NULL, from condense_activation_lookup or filled by
 * hand with a non-NULL type); nothing is checked here. */
double condense_sigma(const condense_activation *act, double x)
{
    return act->scale * act->type->sigma(x);
}

double condense_sigma1(const condense_activation *act, double x)
{
    return act->scale * act->type->sigma1(x);
}

double condense_sigma2(const condense_activation *act, double x)
{
    return act->scale * act->type->sigma2(x);
}
