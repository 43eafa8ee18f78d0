/* multiplicity.c -- CNN paper, Definition 1 (multiplicity r), measured numerically.
 *
 * sigma has multiplicity r if sigma^(s)(0) = 0 for 0 <= s <= r - 1 and sigma^(r)(0) != 0.
 * condense_multiplicity_detect() decides, in this order:
 *   1. differentiability at 0, from one-sided difference quotients (a kink gives r undefined);
 *   2. sigma(0) != 0 (no r >= 1 exists);
 *   3. the first order s in [1, max_order] with sigma^(s)(0) != 0: s = 1, 2 from the analytic
 *      sigma^(1)(0), sigma^(2)(0); s >= 3 from nested gsl_deriv_central applied to sigma^(2).
 * Every threshold is stated and justified next to its definition.
 */
#include <config.h>

#include <float.h>
#include <math.h>

#include <gsl/gsl_deriv.h>
#include <gsl/gsl_math.h>

#include "condense/activation.h"
#include "condense/error.h"

/* Highest order the detector will try.  Order 6 already takes four nested finite
 * differences of sigma'' and is only good to a few percent (x tanh x: sigma^(6)(0) = 96 comes
 * out as 96.17 and 95.97 from the two start steps, GSL error estimates 0.8 and 3.5); a fifth
 * level would drown in rounding noise. */
#define MAX_ORDER 6

/* Steps of the one-sided difference quotients used for the kink test. */
static const double kink_steps[] = {1e-3, 1e-4, 1e-5};

/* A value computed directly (sigma(0), or the closed-form sigma'(0), sigma''(0)) counts as
 * nonzero above TOL_EXACT.  A mathematically zero value is a combination of O(1) terms
 * evaluated at 0, so it comes out as 0 or a few ulps (<= ~1e-15); 1e-10 leaves five orders of
 * margin and is far below any genuine value (sigmoid(0) = 1/2, cos 0 = 1, tanh'(0) = 1). */
#define TOL_EXACT 1e-10

/* A finite-difference derivative v with error estimate err counts as nonzero when
 * |v| > FD_FACTOR * err + FD_FLOOR.  err is the larger of GSL's own abserr for two starting
 * steps and the difference between the two results (GSL's abserr at the outer level
 * assumes eps-accurate function values, which the inner levels do not provide, so the
 * cross-step difference is what catches the propagated inner error).  The factor 10 makes
 * a true zero pass as zero even when err is underestimated tenfold; the floor 1e-8 covers
 * the rounding noise of four nested levels (measured with these steps: 1.5e-11 for the
 * vanishing 6th derivative of x^4/24, 4e-23 for the 4th of x^5 e^x / 120; 3.6e-10 with a
 * start step of 1e-3), while every genuine derivative of interest is O(1) (x^2 tanh x:
 * sigma'''(0) = 6; x^4/24: sigma''''(0) = 1) and one of 1e-3 is still found (tested). */
#define FD_FACTOR 10.0
#define FD_FLOOR 1e-8

/* The two starting steps handed to gsl_deriv_central.  Its algorithm only ever shrinks the
 * step (to h (round / 2 trunc)^(1/3) when truncation dominates), so the start must be on the
 * large side: the activations vary on a scale O(1), where h = 0.1 and 0.01 both leave
 * truncation dominant and let GSL pick the optimal step.  sigma'' is sampled on
 * [-0.4, 0.4] at most (four nested levels). */
#define FD_STEP_A 1e-2
#define FD_STEP_B 1e-1

/* The name of a type for messages (a custom type may leave it NULL). */
static const char *name_of(const condense_activation_type *type)
{
    return type->name != NULL ? type->name : "(unnamed)";
}

/* Parameters of one level of the nested differentiation: `depth` more derivatives of
 * sigma'' to take, each by gsl_deriv_central with starting step h. */
struct nested_level {
    const condense_activation_type *type;
    int depth;
    double h;
};

/* d^depth / dx^depth of sigma'' at x, as a gsl_function. */
static double nested_eval(double x, void *params)
{
    const struct nested_level *lv = params;
    if (lv->depth == 0) return lv->type->sigma2(x);
    struct nested_level inner = {lv->type, lv->depth - 1, lv->h};
    gsl_function f = {nested_eval, &inner};
    double value, abserr;
    gsl_deriv_central(&f, x, lv->h, &value, &abserr);
    return value;
}

/* sigma^(order)(0) for order >= 3 as (order - 2) nested central differences of sigma''.
 * Why nested GSL and not a hand-written stencil: gsl_deriv_central picks its step and
 * returns an error estimate, which a fixed k-th order stencil would have to reinvent; its
 * accuracy up to order 6 is checked in tests/test_activation.c (x^4/24, x^6/720, x - sin x,
 * sin x - x + x^3/6, x^5 e^x / 120, 1e-3 x^3 / 6). */
static void fd_derivative(const condense_activation_type *type, int order, double h, double *value,
                          double *abserr)
{
    struct nested_level inner = {type, order - 3, h};
    gsl_function f = {nested_eval, &inner};
    /* gsl_deriv_central always returns GSL_SUCCESS; non-finite results are checked by the
     * caller. */
    gsl_deriv_central(&f, 0.0, h, value, abserr);
}

/* Status of the kink test: sets *kink to 1 when the one-sided difference quotients at 0
 * differ by more than tol(h) for every step h.  For sigma in C^2, Taylor's theorem gives
 *   (sigma(h) - sigma(0))/h - (sigma(0) - sigma(-h))/h = h (sigma''(xi+) + sigma''(xi-)) / 2,
 * at most h sup_[-h,h] |sigma''|; sup |sigma''| is estimated by sigma'' at -h, 0, h times a
 * safety factor 10 (and at least 1, so that a type whose sigma'' is 0 at those points still
 * gets a tolerance), and the rounding of the three values of sigma (a few ulps each,
 * amplified by 1/h) adds 16 eps max|sigma| / h:
 *   tol(h) = 10 h max(1, |sigma''(-h)|, |sigma''(0)|, |sigma''(h)|)
 *            + 16 eps max(1, |sigma(-h)|, |sigma(0)|, |sigma(h)|) / h.
 * A kink with jump J in sigma' keeps the gap at J for every h, so it is reported when J
 * exceeds tol(1e-3) (~1e-2 for the activations here; ReLU has J = 1). */
static int kink_at_0(const condense_activation_type *type, int *kink)
{
    double f0 = type->sigma(0.0), d1 = type->sigma1(0.0), d0 = type->sigma2(0.0);
    if (!isfinite(f0) || !isfinite(d1) || !isfinite(d0))
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "activation '%s': sigma, sigma' or sigma'' is not finite at 0 "
                       "(sigma(0) = %g, sigma'(0) = %g, sigma''(0) = %g)",
                       name_of(type), f0, d1, d0);
    *kink = 1;
    for (size_t i = 0; i < sizeof kink_steps / sizeof kink_steps[0]; i++) {
        double h = kink_steps[i];
        double fp = type->sigma(h), fm = type->sigma(-h);
        double dp = type->sigma2(h), dm = type->sigma2(-h);
        if (!isfinite(fp) || !isfinite(fm) || !isfinite(dp) || !isfinite(dm))
            CONDENSE_ERROR(CONDENSE_EDOM, "activation '%s': sigma or sigma'' is not finite at +-%g",
                           name_of(type), h);
        double gap = fabs((fp - f0) / h - (f0 - fm) / h);
        double m2 = GSL_MAX(1.0, GSL_MAX(fabs(d0), GSL_MAX(fabs(dp), fabs(dm))));
        double m0 = GSL_MAX(1.0, GSL_MAX(fabs(f0), GSL_MAX(fabs(fp), fabs(fm))));
        double tol = 10.0 * h * m2 + 16.0 * DBL_EPSILON * m0 / h;
        if (!(gap > tol)) *kink = 0;
    }
    return CONDENSE_OK;
}

/* CNN paper, Definition 1 (multiplicity r) */
int condense_multiplicity_detect(const condense_activation_type *type, int max_order, int *r)
{
    CONDENSE_CHECK_NULL(type);
    CONDENSE_CHECK_NULL(r);
    if (type->sigma == NULL || type->sigma1 == NULL || type->sigma2 == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "activation type has a NULL sigma, sigma' or sigma''");
    if (max_order < 1 || max_order > MAX_ORDER)
        CONDENSE_ERROR(CONDENSE_EINVAL, "max_order = %d is outside [1, %d]", max_order, MAX_ORDER);
    condense_gsl_quiet();

    /* 1. Differentiability at 0. */
    int kink = 0;
    CONDENSE_TRY(kink_at_0(type, &kink));
    if (kink) {
        *r = CONDENSE_R_UNDEFINED;
        return CONDENSE_OK;
    }

    /* 2. Order 0: Definition 1 needs sigma(0) = 0. */
    if (fabs(type->sigma(0.0)) > TOL_EXACT) {
        *r = CONDENSE_R_NONZERO_AT_0;
        return CONDENSE_OK;
    }

    /* 3. Orders 1 and 2 from the closed forms, then finite differences of sigma''. */
    if (fabs(type->sigma1(0.0)) > TOL_EXACT) {
        *r = 1;
        return CONDENSE_OK;
    }
    if (max_order >= 2 && fabs(type->sigma2(0.0)) > TOL_EXACT) {
        *r = 2;
        return CONDENSE_OK;
    }
    for (int s = 3; s <= max_order; s++) {
        double va, ea, vb, eb;
        fd_derivative(type, s, FD_STEP_A, &va, &ea);
        fd_derivative(type, s, FD_STEP_B, &vb, &eb);
        if (!isfinite(va) || !isfinite(vb) || !isfinite(ea) || !isfinite(eb))
            CONDENSE_ERROR(CONDENSE_ENUM,
                           "activation '%s': finite differences of sigma'' near 0 for "
                           "order %d are not finite",
                           name_of(type), s);
        double err = GSL_MAX(GSL_MAX(ea, eb), fabs(va - vb));
        if (fabs(va) > FD_FACTOR * err + FD_FLOOR) {
            *r = s;
            return CONDENSE_OK;
        }
    }
    CONDENSE_ERROR(CONDENSE_EUNDEF,
                   "activation '%s': all derivatives up to order %d vanish at 0, so no "
                   "multiplicity r <= %d exists (CNN paper, Definition 1)",
                   name_of(type), max_order, max_order);
}
