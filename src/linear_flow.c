/* linear_flow.c -- the exact solution of the linear dynamics d theta_beta/dt = A theta_beta of
 * the two-layer CNN, CNN paper App. C.2, Proposition 1 (eq. 38-44) and Remark 5, and two
 * independent routes to the same theta_beta(t): exp(tA) from the symmetric eigendecomposition of
 * A, and adaptive Runge-Kutta integration of the ODE (GSL odeiv2).
 *
 * Three routes because they fail differently: the closed form rests on the SVD of Z and on the
 * paper's constants (eq. 42), exp(tA) on the eigenvectors of the (N_W + N_a)-square matrix A,
 * the ODE on nothing but A theta.  Agreement of all three is the evidence that eq. (44), the
 * a-constants derived in linear_flow.h and the layout of A agree with each other. */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "condense/error.h"
#include "condense/linear_flow.h"

/* Largest x with exp(x) finite (about 709.78): beyond it exp(lambda_1 |t|) overflows. */
static double log_dbl_max(void)
{
    return log(DBL_MAX);
}

/* The closed form needs the thin factors and r <= k columns of each; anything else is a
 * spectrum this library did not build (or one that was corrupted). */
static int check_spectrum(const condense_spectrum *s)
{
    CONDENSE_CHECK_NULL(s);
    if (s->lambda == NULL || s->U == NULL || s->V == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "spectrum has no singular values or vectors");
    if (s->r > s->k || s->lambda->size < s->k || s->U->size1 != s->rows || s->U->size2 < s->k ||
        s->V->size1 != s->cols || s->V->size2 < s->k)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "inconsistent spectrum: rows = %zu, cols = %zu, k = %zu, r = %zu, U is "
                       "%zu x %zu, V is %zu x %zu, %zu singular values",
                       s->rows, s->cols, s->k, s->r, s->U->size1, s->U->size2, s->V->size1,
                       s->V->size2, s->lambda->size);
    return CONDENSE_OK;
}

/* A NaN or infinite entry would propagate silently through every route below. */
static int check_finite(const double *x, size_t n, const char *name)
{
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(x[i]))
            CONDENSE_ERROR(CONDENSE_EDOM, "%s[%zu] = %g is not finite", name, i, x[i]);
    return CONDENSE_OK;
}

/* A GSL status as a library status (ENUM with GSL's reason), recorded under `func`. */
static int gsl_check(int st, const char *func, const char *routine)
{
    if (st != GSL_SUCCESS)
        return condense_error_set(CONDENSE_ENUM, func, "%s: %s", routine, gsl_strerror(st));
    return CONDENSE_OK;
}

/* X_k = <theta_{W,beta}, v_k> and Y_k = <theta_{a,beta}, u_k>, the coordinates that eq. (42)
 * is written in. */
static int coordinates(const condense_spectrum *s, const double *theta, size_t k, double *X,
                       double *Y)
{
    gsl_vector_const_view tW = gsl_vector_const_view_array(theta, s->cols);
    gsl_vector_const_view ta = gsl_vector_const_view_array(theta + s->cols, s->rows);
    gsl_vector_const_view v = gsl_matrix_const_column(s->V, k - 1);
    gsl_vector_const_view u = gsl_matrix_const_column(s->U, k - 1);
    CONDENSE_TRY(gsl_check(gsl_blas_ddot(&tW.vector, &v.vector, X), __func__, "gsl_blas_ddot"));
    return gsl_check(gsl_blas_ddot(&ta.vector, &u.vector, Y), __func__, "gsl_blas_ddot");
}

/* theta_W += gW v_k and theta_a += ga u_k (the only way eq. (44) ever changes theta). */
static int add_mode(const condense_spectrum *s, size_t k, double gW, double ga, double *theta)
{
    gsl_vector_view tW = gsl_vector_view_array(theta, s->cols);
    gsl_vector_view ta = gsl_vector_view_array(theta + s->cols, s->rows);
    gsl_vector_const_view v = gsl_matrix_const_column(s->V, k - 1);
    gsl_vector_const_view u = gsl_matrix_const_column(s->U, k - 1);
    CONDENSE_TRY(gsl_check(gsl_blas_daxpy(gW, &v.vector, &tW.vector), __func__, "gsl_blas_daxpy"));
    return gsl_check(gsl_blas_daxpy(ga, &u.vector, &ta.vector), __func__, "gsl_blas_daxpy");
}

/* CNN paper eq. (42): c_W + d_W = X_k, lambda_k (c_W - d_W) = lambda_k Y_k; the a-constants
 * from c_a + d_a = Y_k, lambda_k (c_a - d_a) = lambda_k X_k (derivation in linear_flow.h). */
int condense_linear_constants(const condense_spectrum *s, const double *theta_beta0, double *c_W,
                              double *d_W, double *c_a, double *d_a)
{
    condense_gsl_quiet();
    CONDENSE_TRY(check_spectrum(s));
    CONDENSE_CHECK_NULL(theta_beta0);
    CONDENSE_TRY(check_finite(theta_beta0, s->cols + s->rows, "theta_beta0"));
    for (size_t k = 1; k <= s->r; ++k) {
        double X, Y;
        CONDENSE_TRY(coordinates(s, theta_beta0, k, &X, &Y));
        if (c_W != NULL) c_W[k - 1] = 0.5 * (X + Y);
        if (d_W != NULL) d_W[k - 1] = 0.5 * (X - Y);
        if (c_a != NULL) c_a[k - 1] = 0.5 * (X + Y);
        if (d_a != NULL) d_a[k - 1] = -0.5 * (X - Y);
    }
    return CONDENSE_OK;
}

/* CNN paper eq. (44), with the frozen part folded in: since P_{(r+1):N_W} theta_{W,beta}(0) =
 * theta_{W,beta}(0) - sum_k X_k v_k (the v_k are orthonormal),
 *   theta_{W,beta}(t) = theta_{W,beta}(0) + sum_{k<=r} (c_W e^{lambda_k t} + d_W e^{-lambda_k t}
 *                       - X_k) v_k,
 * and likewise for theta_{a,beta} with u_k, Y_k and the a-constants.  This touches theta only
 * through r rank-one updates and never forms a projector. */
int condense_linear_flow(const condense_spectrum *s, const double *theta_beta0, double t,
                         double *theta_beta_t)
{
    condense_gsl_quiet();
    CONDENSE_TRY(check_spectrum(s));
    CONDENSE_CHECK_NULL(theta_beta0);
    CONDENSE_CHECK_NULL(theta_beta_t);
    if (!isfinite(t)) CONDENSE_ERROR(CONDENSE_EDOM, "time t = %g is not finite", t);
    const size_t n = s->cols + s->rows;
    CONDENSE_TRY(check_finite(theta_beta0, n, "theta_beta0"));
    if (s->r >= 1) {
        /* lambda_1 is the largest rate, so exp(lambda_1 |t|) bounds every exponential below. */
        const double lambda1 = gsl_vector_get(s->lambda, 0);
        if (lambda1 * fabs(t) > log_dbl_max())
            CONDENSE_ERROR(CONDENSE_EDOM,
                           "exp(lambda_1 |t|) overflows: t = %g, lambda_1 = %g, lambda_1 |t| = "
                           "%g > log(DBL_MAX) = %g",
                           t, lambda1, lambda1 * fabs(t), log_dbl_max());
    }
    /* Work in a scratch copy so that theta_beta_t is untouched when the result overflows. */
    double *work = malloc(n * sizeof *work);
    if (work == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu doubles", n);
    memcpy(work, theta_beta0, n * sizeof *work);
    int status = CONDENSE_OK;
    for (size_t k = 1; k <= s->r && status == CONDENSE_OK; ++k) {
        double X = 0.0, Y = 0.0;
        status = coordinates(s, theta_beta0, k, &X, &Y);
        const double lambda = gsl_vector_get(s->lambda, k - 1);
        /* Both exponentials are finite by the check above; for large |t| the decaying one
         * underflows to 0, which is its correct value to double precision. */
        const double ep = exp(lambda * t), em = exp(-lambda * t);
        const double c = 0.5 * (X + Y), d = 0.5 * (X - Y); /* eq. (42); c_a = c, d_a = -d */
        if (status == CONDENSE_OK)
            status = add_mode(s, k, c * ep + d * em - X, c * ep - d * em - Y, work);
    }
    if (status == CONDENSE_OK) {
        for (size_t i = 0; i < n; ++i)
            if (!isfinite(work[i])) {
                status = condense_error_set(CONDENSE_EDOM, __func__,
                                            "theta_beta(t)[%zu] overflows at t = %g (lambda_1 "
                                            "= %g): theta_beta(0) is too large",
                                            i, t, gsl_vector_get(s->lambda, 0));
                break;
            }
    }
    if (status == CONDENSE_OK) memcpy(theta_beta_t, work, n * sizeof *work);
    free(work);
    return status;
}

/* CNN paper Remark 5: the component of theta_{W,beta} orthogonal to span{v_1..v_r} (and of
 * theta_{a,beta} orthogonal to span{u_1..u_r}), which the linear flow leaves frozen.  Removed
 * one direction at a time from the running remainder (modified Gram-Schmidt), which equals
 * theta - sum_k <theta, v_k> v_k for orthonormal v_k but loses less to rounding. */
int condense_linear_frozen(const condense_spectrum *s, const double *theta_beta, double *out)
{
    condense_gsl_quiet();
    CONDENSE_TRY(check_spectrum(s));
    CONDENSE_CHECK_NULL(theta_beta);
    CONDENSE_CHECK_NULL(out);
    const size_t n = s->cols + s->rows;
    CONDENSE_TRY(check_finite(theta_beta, n, "theta_beta"));
    memmove(out, theta_beta, n * sizeof *out);
    for (size_t k = 1; k <= s->r; ++k) {
        double X, Y;
        CONDENSE_TRY(coordinates(s, out, k, &X, &Y));
        CONDENSE_TRY(add_mode(s, k, -X, -Y, out));
    }
    return CONDENSE_OK;
}

/* ---- exp(tA) through A = Q diag(mu) Q^T ----------------------------------------------------- */

struct condense_expA {
    size_t n;
    gsl_matrix *Q;  /* orthonormal eigenvectors of A, by column */
    gsl_vector *mu; /* eigenvalues of A (for A of eq. (34): +-lambda_k and zeros) */
    double mu_max;  /* max |mu_i|: exp(mu_max |t|) bounds every exponential */
};

/* A square, finite, exactly symmetric: gsl_eigen_symmv reads only the lower triangle, so an
 * asymmetric A would be silently replaced by another matrix.  The A of eq. (34) is built by
 * copying Z into both off-diagonal blocks, so its symmetry is exact and no tolerance is needed. */
static int check_symmetric(const gsl_matrix *A)
{
    CONDENSE_CHECK_NULL(A);
    if (A->size1 != A->size2)
        CONDENSE_ERROR(CONDENSE_ESIZE, "A is %zu x %zu, not square", A->size1, A->size2);
    for (size_t i = 0; i < A->size1; ++i)
        for (size_t j = 0; j <= i; ++j) {
            const double aij = gsl_matrix_get(A, i, j), aji = gsl_matrix_get(A, j, i);
            if (!isfinite(aij) || !isfinite(aji))
                CONDENSE_ERROR(CONDENSE_EDOM, "A(%zu,%zu) = %g or A(%zu,%zu) = %g is not finite", i,
                               j, aij, j, i, aji);
            if (aij != aji)
                CONDENSE_ERROR(CONDENSE_EINVAL,
                               "A is not symmetric: A(%zu,%zu) = %.17g != A(%zu,%zu) = %.17g", i, j,
                               aij, j, i, aji);
        }
    return CONDENSE_OK;
}

void condense_expA_free(condense_expA *e)
{
    if (e == NULL) return;
    gsl_matrix_free(e->Q);
    gsl_vector_free(e->mu);
    free(e);
}

int condense_expA_alloc(const gsl_matrix *A, condense_expA **e)
{
    condense_gsl_quiet();
    CONDENSE_CHECK_NULL(e);
    CONDENSE_TRY(check_symmetric(A));
    const size_t n = A->size1;
    condense_expA *x = calloc(1, sizeof *x);
    gsl_matrix *copy = gsl_matrix_alloc(n, n); /* gsl_eigen_symmv destroys its input */
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(n);
    int status = CONDENSE_OK;
    if (x != NULL) {
        x->n = n;
        x->Q = gsl_matrix_alloc(n, n);
        x->mu = gsl_vector_alloc(n);
    }
    if (x == NULL || copy == NULL || w == NULL || x->Q == NULL || x->mu == NULL)
        status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate for n = %zu", n);
    if (status == CONDENSE_OK) {
        gsl_matrix_memcpy(copy, A);
        status = gsl_check(gsl_eigen_symmv(copy, x->mu, x->Q, w), __func__, "gsl_eigen_symmv");
    }
    if (status == CONDENSE_OK) {
        for (size_t i = 0; i < n; ++i)
            x->mu_max = fmax(x->mu_max, fabs(gsl_vector_get(x->mu, i)));
        *e = x;
        x = NULL; /* now the caller's */
    }
    condense_expA_free(x);
    gsl_matrix_free(copy);
    gsl_eigen_symmv_free(w);
    return status;
}

/* x(t) = exp(tA) x0 = Q diag(exp(t mu)) Q^T x0, the solution of eq. (33)/(43) written without
 * the SVD of Z. */
int condense_expA_apply(const condense_expA *e, double t, const double *x0, double *xt)
{
    condense_gsl_quiet();
    CONDENSE_CHECK_NULL(e);
    CONDENSE_CHECK_NULL(x0);
    CONDENSE_CHECK_NULL(xt);
    if (!isfinite(t)) CONDENSE_ERROR(CONDENSE_EDOM, "time t = %g is not finite", t);
    CONDENSE_TRY(check_finite(x0, e->n, "x0"));
    if (e->mu_max * fabs(t) > log_dbl_max())
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "exp(t mu) overflows: t = %g, max |eigenvalue of A| = lambda_1 = %g, "
                       "lambda_1 |t| = %g > log(DBL_MAX) = %g",
                       t, e->mu_max, e->mu_max * fabs(t), log_dbl_max());
    const size_t n = e->n;
    gsl_vector *work = gsl_vector_alloc(2 * n);
    if (work == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu doubles", 2 * n);
    gsl_vector_view y = gsl_vector_subvector(work, 0, n); /* Q^T x0, then diag(exp(t mu)) Q^T x0 */
    gsl_vector_view z = gsl_vector_subvector(work, n, n); /* Q y */
    gsl_vector_const_view xv = gsl_vector_const_view_array(x0, n);
    int status = gsl_check(gsl_blas_dgemv(CblasTrans, 1.0, e->Q, &xv.vector, 0.0, &y.vector),
                           __func__, "gsl_blas_dgemv");
    for (size_t i = 0; i < n && status == CONDENSE_OK; ++i)
        gsl_vector_set(&y.vector, i,
                       gsl_vector_get(&y.vector, i) * exp(t * gsl_vector_get(e->mu, i)));
    if (status == CONDENSE_OK)
        status = gsl_check(gsl_blas_dgemv(CblasNoTrans, 1.0, e->Q, &y.vector, 0.0, &z.vector),
                           __func__, "gsl_blas_dgemv");
    for (size_t i = 0; i < n && status == CONDENSE_OK; ++i)
        if (!isfinite(gsl_vector_get(&z.vector, i)))
            status = condense_error_set(CONDENSE_EDOM, __func__,
                                        "exp(tA) x0 [%zu] overflows at t = %g: x0 too large", i, t);
    for (size_t i = 0; i < n && status == CONDENSE_OK; ++i)
        xt[i] = gsl_vector_get(&z.vector, i);
    gsl_vector_free(work);
    return status;
}

/* ---- d theta/dt = A theta by GSL odeiv2 ----------------------------------------------------- */

/* Steps allowed before giving up.  rk8pd needs about 7 steps per unit of lambda_1 |t| at
 * epsrel = 1e-13 and 16 at 1e-16 (measured with GSL 2.7 for A = [[0, 1], [1, 0]] over
 * lambda_1 t = 700, epsabs = 0), and lambda_1 <= ||A||_inf; 1000 + 100 ||A||_inf |t| steps is
 * therefore ample for any attainable tolerance, and a bound so that an unattainable one (whose step
 * shrinks to nothing) fails in bounded time instead of crawling. */
static unsigned long ode_nmax(double norm, double t)
{
    const double x = 100.0 * norm * fabs(t);
    return x < 1e9 ? 1000UL + (unsigned long)x : 1000000000UL;
}

/* The right-hand side of eq. (33)/(43): dtheta/dt = A theta.  A non-finite derivative means
 * theta has overflowed; GSL_EBADFUNC makes the driver stop at once instead of stepping on NaN
 * (its error control accepts NaN error estimates).  rk8pd evaluates this at every accepted y
 * (its dydt_out), so no overflowed y can come out of a successful integration. */
static int linear_rhs(double t, const double y[], double dydt[], void *params)
{
    (void)t; /* autonomous */
    const gsl_matrix *A = params;
    gsl_vector_const_view yv = gsl_vector_const_view_array(y, A->size1);
    gsl_vector_view dv = gsl_vector_view_array(dydt, A->size1);
    int st = gsl_blas_dgemv(CblasNoTrans, 1.0, A, &yv.vector, 0.0, &dv.vector);
    for (size_t i = 0; i < A->size1 && st == GSL_SUCCESS; ++i)
        if (!isfinite(dydt[i])) st = GSL_EBADFUNC;
    return st == GSL_SUCCESS ? GSL_SUCCESS : GSL_EBADFUNC;
}

int condense_linear_ode(const gsl_matrix *A, const double *x0, double t, double epsabs,
                        double epsrel, double *xt)
{
    condense_gsl_quiet();
    CONDENSE_CHECK_NULL(A);
    CONDENSE_CHECK_NULL(x0);
    CONDENSE_CHECK_NULL(xt);
    if (!isfinite(t)) CONDENSE_ERROR(CONDENSE_EDOM, "time t = %g is not finite", t);
    if (!(epsabs >= 0.0 && epsrel >= 0.0 && isfinite(epsabs) && isfinite(epsrel)) ||
        epsabs + epsrel == 0.0)
        CONDENSE_ERROR(CONDENSE_EINVAL,
                       "tolerances epsabs = %g, epsrel = %g: both must be finite and >= 0, "
                       "not both 0",
                       epsabs, epsrel);
    if (A->size1 != A->size2)
        CONDENSE_ERROR(CONDENSE_ESIZE, "A is %zu x %zu, not square", A->size1, A->size2);
    const size_t n = A->size1;
    CONDENSE_TRY(check_finite(x0, n, "x0"));
    /* ||A||_inf (max row sum) >= spectral radius = lambda_1, so 1e-3 / ||A||_inf is a safe
     * first step, which the step controller then grows. */
    double norm = 0.0;
    for (size_t i = 0; i < n; ++i) {
        double row = 0.0;
        for (size_t j = 0; j < n; ++j)
            row += fabs(gsl_matrix_get(A, i, j));
        if (!isfinite(row)) CONDENSE_ERROR(CONDENSE_EDOM, "row %zu of A is not finite", i);
        norm = fmax(norm, row);
    }
    if (t == 0.0 || norm == 0.0) { /* x(t) = x0: nothing to integrate */
        memmove(xt, x0, n * sizeof *xt);
        return CONDENSE_OK;
    }
    gsl_odeiv2_system sys = {linear_rhs, NULL, n, (void *)A};
    /* The driver integrates in the direction of the sign of its step (and returns success
     * without integrating when the two disagree), so the first step carries the sign of t. */
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd,
                                                         copysign(1e-3 / norm, t), epsabs, epsrel);
    double *y = malloc(n * sizeof *y); /* xt stays untouched on failure */
    int status = CONDENSE_OK;
    if (d == NULL || y == NULL)
        status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate for n = %zu", n);
    double tt = 0.0;
    if (status == CONDENSE_OK) {
        memcpy(y, x0, n * sizeof *y);
        gsl_odeiv2_driver_set_nmax(d, ode_nmax(norm, t));
        const int st = gsl_odeiv2_driver_apply(d, &tt, t, y);
        if (st == GSL_EBADFUNC)
            status =
                condense_error_set(CONDENSE_EDOM, __func__,
                                   "theta overflows near t = %g (integrating to t = %g)", tt, t);
        else if (st != GSL_SUCCESS)
            status = condense_error_set(CONDENSE_ENUM, __func__,
                                        "gsl_odeiv2_driver_apply (rk8pd, epsabs = %g, epsrel = "
                                        "%g) stopped at t = %g of %g: %s",
                                        epsabs, epsrel, tt, t, gsl_strerror(st));
    }
    if (status == CONDENSE_OK) memcpy(xt, y, n * sizeof *xt);
    if (d != NULL) gsl_odeiv2_driver_free(d);
    free(y);
    return status;
}
