/* test_fc.c -- checks of condense/fc.h, fc_field.h and fc_flow.h: the two-layer FC network of
 * the FC paper, eq. (1)-(6).
 *
 * Independent routes: f and R_S by the test's own loops in long double with tanh written out;
 * the field of eq. (3)-(4) against central finite differences of R_S; grad g of eq. (5) against
 * finite differences of g; the field of a test neuron (eq. 6) against the network's field; r_dot
 * and u_dot of eq. (6) against central differences of r(t), u(t) along the integrated flow; one
 * GD and one Adam step against their closed forms; R_S non-increasing along the flow.
 *
 * Finite-difference tolerances.  A central difference with step h has truncation error
 * h^2 |F'''| / 6 and rounding error ~ U |F| / h.  With h = 1e-5, parameters and data O(1) and
 * F = R_S or g (third derivatives bounded by ~100 for these activations and sizes), the sum is
 * below 2e-8 + 1e-11; we allow 1e-7 (absolute; the quantities are O(1)). */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_rng.h>

#include "condense/error.h"
#include "condense/fc.h"
#include "condense/fc_data.h"
#include "condense/fc_field.h"
#include "condense/fc_flow.h"

#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#define assert_fails(expr, expected)                                                               \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        assert_status(expr, expected);                                                             \
        assert_true(strlen(condense_errmsg()) > 0);                                                \
    } while (0)

static void assert_close(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s: got %.17g, want %.17g, |diff| %.3g > %.3g\n", what, got, want,
                    fabs(got - want), tol);
        fail();
    }
}

#define FD_H 1e-5
#define FD_TOL 1e-7

/* A fixture: n samples of d inputs uniform in [-1, 1], labels uniform in [-1, 1], a network
 * of m neurons with parameters N(0, std^2). */
typedef struct fixture {
    condense_data *data;
    condense_fc *net;
    double *e, *field;
} fixture;

static fixture make(size_t n, size_t d, size_t m, const char *act, double std, unsigned long seed)
{
    fixture fx;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    condense_activation sigma;
    assert_status(condense_activation_lookup(act, 0, &sigma), CONDENSE_OK);
    assert_status(condense_data_alloc(n, d, 1, 1, &fx.data), CONDENSE_OK);
    for (size_t k = 0; k < n * d; ++k)
        fx.data->x[k] = 2.0 * gsl_rng_uniform(rng) - 1.0;
    for (size_t i = 0; i < n; ++i)
        fx.data->y[i] = 2.0 * gsl_rng_uniform(rng) - 1.0;
    assert_status(condense_fc_alloc(d, m, sigma, &fx.net), CONDENSE_OK);
    assert_status(condense_fc_init_normal(fx.net, rng, std), CONDENSE_OK);
    fx.e = malloc(n * sizeof(double));
    fx.field = malloc(fx.net->dim * sizeof(double));
    gsl_rng_free(rng);
    return fx;
}

static void release(fixture *fx)
{
    condense_data_free(fx->data);
    condense_fc_free(fx->net);
    free(fx->e);
    free(fx->field);
}

/* ---- eq. (1)-(2) ------------------------------------------------------------------------- */

static void test_output_and_risk(void **state)
{
    (void)state;
    fixture fx = make(7, 3, 5, "tanh", 0.8, 11);
    const size_t d = 3, m = 5;
    long double R = 0.0L;
    for (size_t i = 0; i < 7; ++i) {
        const double *x = fx.data->x + i * d;
        long double f = 0.0L, mag = 0.0L;
        for (size_t j = 0; j < m; ++j) {
            const double *w = fx.net->w + j * (d + 1);
            long double z = w[d];
            for (size_t k = 0; k < d; ++k)
                z += (long double)w[k] * x[k];
            f += fx.net->a[j] * tanhl(z);
            mag += fabsl(fx.net->a[j]);
        }
        double got;
        assert_status(condense_fc_output(fx.net, x, &got), CONDENSE_OK);
        /* m terms, each a product of a double and a tanh good to a few ulps */
        assert_close(got, (double)f, 8.0 * (double)m * DBL_EPSILON * (double)(mag + 1.0L),
                     "f(x_i), eq. (1)");
        R += (f - fx.data->y[i]) * (f - fx.data->y[i]);
    }
    R /= 2.0L * 7.0L;
    double got_R;
    assert_status(condense_fc_risk(fx.net, fx.data, &got_R), CONDENSE_OK);
    assert_close(got_R, (double)R, 1e-14, "R_S, eq. (2)");
    assert_status(condense_fc_residuals(fx.net, fx.data, fx.e), CONDENSE_OK);
    double sum = 0.0;
    for (size_t i = 0; i < 7; ++i)
        sum += fx.e[i] * fx.e[i];
    assert_close(sum / 14.0, got_R, 1e-15, "R_S = sum e_i^2 / 2n");
    release(&fx);
}

/* ---- eq. (3)-(4) against finite differences --------------------------------------------- */

static void check_field_fd(const char *act)
{
    fixture fx = make(6, 2, 4, act, 0.7, 23);
    assert_status(condense_fc_field(fx.net, fx.data, fx.e, fx.field), CONDENSE_OK);
    for (size_t k = 0; k < fx.net->dim; ++k) {
        const double keep = fx.net->theta[k];
        double Rp, Rm;
        fx.net->theta[k] = keep + FD_H;
        assert_status(condense_fc_risk(fx.net, fx.data, &Rp), CONDENSE_OK);
        fx.net->theta[k] = keep - FD_H;
        assert_status(condense_fc_risk(fx.net, fx.data, &Rm), CONDENSE_OK);
        fx.net->theta[k] = keep;
        char what[64];
        snprintf(what, sizeof what, "%s: -dR_S/dtheta[%zu]", act, k);
        assert_close(fx.field[k], -(Rp - Rm) / (2.0 * FD_H), FD_TOL, what);
    }
    release(&fx);
}

static void test_field_vs_finite_differences(void **state)
{
    (void)state;
    check_field_fd("tanh");
    check_field_fd("xtanh");
    check_field_fd("x2tanh");
    check_field_fd("sigmoid");
}

/* ---- eq. (5)-(6) -------------------------------------------------------------------------- */

static void test_g_and_test_neuron(void **state)
{
    (void)state;
    fixture fx = make(6, 2, 4, "x2tanh", 0.9, 5);
    const condense_activation *s = &fx.net->sigma;
    const size_t d = 2;
    assert_status(condense_fc_field(fx.net, fx.data, fx.e, fx.field), CONDENSE_OK);
    /* g by its definition, and grad g against finite differences of g */
    const double w0[3] = {0.3, -0.7, 0.2};
    double g, grad[3];
    assert_status(condense_fc_g(s, fx.data, fx.e, w0, &g, grad), CONDENSE_OK);
    long double want = 0.0L;
    for (size_t i = 0; i < 6; ++i) {
        const long double z = w0[0] * fx.data->x[2 * i] + w0[1] * fx.data->x[2 * i + 1] + w0[2];
        want += fx.e[i] * z * z * tanhl(z);
    }
    assert_close(g, (double)want, 1e-14, "g_theta(w), eq. (5)");
    for (size_t k = 0; k <= d; ++k) {
        double wp[3] = {w0[0], w0[1], w0[2]}, wm[3] = {w0[0], w0[1], w0[2]}, gp, gm;
        wp[k] += FD_H;
        wm[k] -= FD_H;
        assert_status(condense_fc_g(s, fx.data, fx.e, wp, &gp, NULL), CONDENSE_OK);
        assert_status(condense_fc_g(s, fx.data, fx.e, wm, &gm, NULL), CONDENSE_OK);
        assert_close(grad[k], (gp - gm) / (2.0 * FD_H), FD_TOL, "grad g_theta(w)");
    }
    /* the test neuron at (a_j, w_j) moves as neuron j of the network (eq. 6 = eq. 3-4); the
     * two routes differ only in the order of a few roundings: 1e-14 */
    for (size_t j = 0; j < fx.net->m; ++j) {
        double a_dot, w_dot[3], r_dot, u_dot[3];
        const double *w = fx.net->w + j * (d + 1);
        assert_status(
            condense_fc_velocity(s, fx.data, fx.e, fx.net->a[j], w, &a_dot, w_dot, &r_dot, u_dot),
            CONDENSE_OK);
        assert_close(a_dot, fx.field[j], 1e-14, "a_dot of the test neuron");
        const double r = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
        double rd = 0.0, ud_dot_u = 0.0;
        for (size_t k = 0; k <= d; ++k) {
            assert_close(w_dot[k], fx.field[fx.net->m + j * (d + 1) + k], 1e-14, "w_dot");
            rd += w[k] * w_dot[k] / r;
            ud_dot_u += u_dot[k] * w[k] / r;
        }
        assert_close(r_dot, rd, 1e-14, "r_dot = u . w_dot");
        assert_close(ud_dot_u, 0.0, 1e-13, "u_dot orthogonal to u");
        /* w_dot = r_dot u + r u_dot (differentiate w = r u) */
        for (size_t k = 0; k <= d; ++k)
            assert_close(r_dot * w[k] / r + r * u_dot[k], w_dot[k], 1e-13, "w_dot = r' u + r u'");
    }
    /* a_dot alone with w = 0 is defined; r_dot is not */
    const double zero[3] = {0.0, 0.0, 0.0};
    double a_dot;
    assert_status(condense_fc_velocity(s, fx.data, fx.e, 1.0, zero, &a_dot, NULL, NULL, NULL),
                  CONDENSE_OK);
    double r_dot;
    assert_fails(condense_fc_velocity(s, fx.data, fx.e, 1.0, zero, NULL, NULL, &r_dot, NULL),
                 CONDENSE_EDOM);
    release(&fx);
}

/* ---- r_dot, u_dot along the flow ------------------------------------------------------- */

typedef struct recorder {
    double theta[3][64];
    size_t dim;
} recorder;

static int record(size_t k, double t, const condense_fc *net, void *user)
{
    (void)t;
    recorder *rec = user;
    memcpy(rec->theta[k], net->theta, rec->dim * sizeof(double));
    return CONDENSE_OK;
}

static void test_r_u_along_flow(void **state)
{
    (void)state;
    fixture fx = make(5, 1, 3, "xtanh", 0.6, 7);
    const size_t d = 1, m = 3;
    /* central differences of r(t), u(t) at t_0 = 0.5 with step h = 1e-3: truncation h^2/6 times
     * third derivatives O(1) (~2e-7), plus the ODE error (epsabs = epsrel = 1e-13) over h:
     * ~1e-10; we allow 1e-6. */
    const double h = 1e-3, t0 = 0.5;
    const double times[3] = {t0 - h, t0, t0 + h};
    recorder rec = {.dim = fx.net->dim};
    assert_status(condense_fc_flow_integrate(fx.net, fx.data, (double[]){0.0, t0 - h}, 2, 1e-13,
                                             1e-13, NULL, NULL),
                  CONDENSE_OK);
    assert_status(condense_fc_flow_integrate(fx.net, fx.data, times, 3, 1e-13, 1e-13, record, &rec),
                  CONDENSE_OK);
    memcpy(fx.net->theta, rec.theta[1], fx.net->dim * sizeof(double));
    assert_status(condense_fc_residuals(fx.net, fx.data, fx.e), CONDENSE_OK);
    for (size_t j = 0; j < m; ++j) {
        double r[3], u[3][2];
        for (int s = 0; s < 3; ++s) {
            const double *w = rec.theta[s] + m + j * (d + 1);
            r[s] = hypot(w[0], w[1]);
            u[s][0] = w[0] / r[s];
            u[s][1] = w[1] / r[s];
        }
        double r_dot, u_dot[2];
        assert_status(condense_fc_velocity(&fx.net->sigma, fx.data, fx.e, fx.net->a[j],
                                           fx.net->w + j * (d + 1), NULL, NULL, &r_dot, u_dot),
                      CONDENSE_OK);
        assert_close(r_dot, (r[2] - r[0]) / (2 * h), 1e-6, "r_dot vs dr/dt along the flow");
        for (size_t k = 0; k < 2; ++k)
            assert_close(u_dot[k], (u[2][k] - u[0][k]) / (2 * h), 1e-6,
                         "u_dot vs du/dt along the flow");
        /* d = 1: the angular velocity is u_perp . u_dot, and also dphi/dt of the flow */
        const double phi = atan2(u[1][1], u[1][0]);
        double omega;
        assert_status(condense_fc_angular_velocity(&fx.net->sigma, fx.data, fx.e, fx.net->a[j], phi,
                                                   r[1], &omega),
                      CONDENSE_OK);
        double dphi = atan2(u[2][1], u[2][0]) - atan2(u[0][1], u[0][0]);
        if (dphi > 3.14159265358979323846) dphi -= 2 * 3.14159265358979323846;
        if (dphi < -3.14159265358979323846) dphi += 2 * 3.14159265358979323846;
        assert_close(omega, dphi / (2 * h), 1e-6, "angular velocity vs dphi/dt");
    }
    release(&fx);
}

/* ---- trainers ----------------------------------------------------------------------------- */

typedef struct risk_log {
    const condense_data *data;
    double R[16];
    size_t count;
    int stop_at;
} risk_log;

static int log_risk(size_t k, double t, const condense_fc *net, void *user)
{
    (void)k;
    (void)t;
    risk_log *log = user;
    if (log->stop_at >= 0 && (int)log->count == log->stop_at) return CONDENSE_EDOM;
    CONDENSE_TRY(condense_fc_risk(net, log->data, &log->R[log->count]));
    log->count++;
    return CONDENSE_OK;
}

static void test_flow_decreases_risk(void **state)
{
    (void)state;
    fixture fx = make(8, 2, 6, "tanh", 0.5, 3);
    /* dR_S/dt = -|grad R_S|^2 <= 0 along eq. (3)-(4); the ODE error (1e-10) is the slack */
    risk_log log = {fx.data, {0}, 0, -1};
    const double times[5] = {0.0, 0.5, 1.0, 2.0, 4.0};
    assert_status(
        condense_fc_flow_integrate(fx.net, fx.data, times, 5, 1e-10, 1e-10, log_risk, &log),
        CONDENSE_OK);
    assert_int_equal(log.count, 5);
    for (size_t k = 1; k < 5; ++k)
        assert_true(log.R[k] <= log.R[k - 1] + 1e-10);
    assert_true(log.R[4] < log.R[0]);
    /* GD with a small step also decreases R_S (lr below 2 / Lipschitz constant of grad R_S) */
    risk_log glog = {fx.data, {0}, 0, -1};
    assert_status(condense_fc_gd(fx.net, fx.data, 0.05, 30, 10, log_risk, &glog), CONDENSE_OK);
    assert_int_equal(glog.count, 4); /* k = 0, 10, 20, 30 */
    for (size_t k = 1; k < 4; ++k)
        assert_true(glog.R[k] < glog.R[k - 1]);
    /* an observer that fails stops the run with its status */
    risk_log stop = {fx.data, {0}, 0, 1};
    assert_fails(condense_fc_gd(fx.net, fx.data, 0.05, 30, 10, log_risk, &stop), CONDENSE_EDOM);
    stop.count = 0;
    assert_fails(condense_fc_flow_integrate(fx.net, fx.data, times, 5, 1e-8, 1e-8, log_risk, &stop),
                 CONDENSE_EDOM);
    release(&fx);
}

static void test_one_step_closed_forms(void **state)
{
    (void)state;
    fixture fx = make(5, 2, 3, "xtanh", 0.4, 9);
    const size_t dim = fx.net->dim;
    double theta0[64];
    memcpy(theta0, fx.net->theta, dim * sizeof(double));
    assert_status(condense_fc_field(fx.net, fx.data, fx.e, fx.field), CONDENSE_OK);
    /* GD: theta + lr field, exactly (one multiply-add per entry) */
    assert_status(condense_fc_gd(fx.net, fx.data, 0.1, 1, 1, NULL, NULL), CONDENSE_OK);
    for (size_t k = 0; k < dim; ++k)
        assert_close(fx.net->theta[k], theta0[k] + 0.1 * fx.field[k], 4 * DBL_EPSILON, "GD step");
    /* Adam's first step: m / (1 - beta1) = g and v / (1 - beta2) = g^2, so theta moves by
     * -lr g / (|g| + eps); a few roundings on O(1e-3) values: 1e-15 */
    memcpy(fx.net->theta, theta0, dim * sizeof(double));
    const double lr = 1e-3, ae = 1e-8;
    assert_status(condense_fc_adam(fx.net, fx.data, lr, 0.9, 0.999, ae, 1, 1, NULL, NULL),
                  CONDENSE_OK);
    for (size_t k = 0; k < dim; ++k) {
        const double g = -fx.field[k];
        assert_close(fx.net->theta[k], theta0[k] - lr * g / (fabs(g) + ae), 1e-15, "Adam step 1");
    }
    release(&fx);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    condense_activation tanh_act;
    assert_status(condense_activation_lookup("tanh", 0, &tanh_act), CONDENSE_OK);
    condense_fc *net = NULL;
    assert_fails(condense_fc_alloc(1, 1, tanh_act, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_alloc(0, 1, tanh_act, &net), CONDENSE_ESIZE);
    assert_fails(condense_fc_alloc(1, 0, tanh_act, &net), CONDENSE_ESIZE);
    assert_fails(condense_fc_alloc(SIZE_MAX / 2, 2, tanh_act, &net), CONDENSE_ESIZE);
    condense_activation none = {NULL, 1.0};
    assert_fails(condense_fc_alloc(1, 1, none, &net), CONDENSE_EINVAL);
    assert_null(net);
    condense_fc_free(NULL);

    fixture fx = make(4, 2, 3, "tanh", 0.5, 1);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_fails(condense_fc_init_normal(NULL, rng, 1.0), CONDENSE_EINVAL);
    assert_fails(condense_fc_init_normal(fx.net, NULL, 1.0), CONDENSE_EINVAL);
    assert_fails(condense_fc_init_normal(fx.net, rng, -1.0), CONDENSE_EDOM);
    assert_fails(condense_fc_init_normal(fx.net, rng, NAN), CONDENSE_EDOM);
    gsl_rng_free(rng);

    double f, R, x[2] = {0.1, NAN};
    assert_fails(condense_fc_output(NULL, x, &f), CONDENSE_EINVAL);
    assert_fails(condense_fc_output(fx.net, NULL, &f), CONDENSE_EINVAL);
    assert_fails(condense_fc_output(fx.net, x, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_output(fx.net, x, &f), CONDENSE_EDOM);
    x[1] = 0.2;
    const double keep = fx.net->a[0];
    fx.net->a[0] = INFINITY;
    assert_fails(condense_fc_output(fx.net, x, &f), CONDENSE_EDOM);
    assert_fails(condense_fc_residuals(fx.net, fx.data, fx.e), CONDENSE_EDOM);
    assert_fails(condense_fc_risk(fx.net, fx.data, &R), CONDENSE_EDOM);
    assert_fails(condense_fc_field(fx.net, fx.data, fx.e, fx.field), CONDENSE_EDOM);
    fx.net->a[0] = keep;
    /* huge but finite parameters: e_i finite, e_i^2 overflows in R_S */
    fx.net->a[0] = 1e200;
    fx.net->w[0] = fx.net->w[1] = 0.0;
    fx.net->w[2] = 1.0;
    assert_fails(condense_fc_risk(fx.net, fx.data, &R), CONDENSE_EDOM);
    fx.net->a[0] = keep;

    assert_fails(condense_fc_residuals(fx.net, fx.data, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_risk(fx.net, fx.data, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_field(fx.net, fx.data, NULL, fx.field), CONDENSE_EINVAL);
    assert_fails(condense_fc_field(fx.net, fx.data, fx.e, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_check_data(NULL, fx.data), CONDENSE_EINVAL);
    assert_fails(condense_fc_check_data(fx.net, NULL), CONDENSE_EINVAL);
    condense_data *bad = NULL;
    assert_status(condense_data_alloc(4, 3, 1, 1, &bad), CONDENSE_OK);
    assert_fails(condense_fc_check_data(fx.net, bad), CONDENSE_ESIZE);
    condense_data_free(bad);
    assert_status(condense_data_alloc(4, 2, 2, 1, &bad), CONDENSE_OK);
    assert_fails(condense_fc_check_data(fx.net, bad), CONDENSE_ESIZE);
    condense_data_free(bad);
    assert_status(condense_data_alloc(4, 2, 1, 2, &bad), CONDENSE_OK);
    assert_fails(condense_fc_check_data(fx.net, bad), CONDENSE_ESIZE);
    condense_data_free(bad);
    fx.data->y[2] = NAN;
    assert_fails(condense_fc_check_data(fx.net, fx.data), CONDENSE_EDOM);
    fx.data->y[2] = 0.5;

    /* fc_field.h */
    const condense_activation *s = &fx.net->sigma;
    double w[3] = {0.1, 0.2, 0.3}, g, out[3], omega;
    assert_status(condense_fc_residuals(fx.net, fx.data, fx.e), CONDENSE_OK);
    assert_fails(condense_fc_g(NULL, fx.data, fx.e, w, &g, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_g(&none, fx.data, fx.e, w, &g, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_g(s, NULL, fx.e, w, &g, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_g(s, fx.data, NULL, w, &g, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_g(s, fx.data, fx.e, NULL, &g, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_g(s, fx.data, fx.e, w, NULL, NULL), CONDENSE_EINVAL);
    assert_status(condense_data_alloc(4, 2, 2, 1, &bad), CONDENSE_OK);
    assert_fails(condense_fc_g(s, bad, fx.e, w, &g, NULL), CONDENSE_ESIZE);
    condense_data_free(bad);
    fx.data->x[0] = INFINITY;
    assert_fails(condense_fc_g(s, fx.data, fx.e, w, &g, NULL), CONDENSE_EDOM);
    fx.data->x[0] = 0.5;
    const double e0 = fx.e[0];
    fx.e[0] = NAN;
    assert_fails(condense_fc_g(s, fx.data, fx.e, w, &g, NULL), CONDENSE_EDOM);
    fx.e[0] = 1e308;
    fx.e[1] = 1e308;
    fx.e[2] = 1e308;
    fx.e[3] = 1e308;
    w[0] = w[1] = 0.0;
    w[2] = 5.0; /* every sigma(w . x_i) = tanh 5: the sum of four 1e308 terms overflows */
    assert_fails(condense_fc_g(s, fx.data, fx.e, w, &g, NULL), CONDENSE_EDOM);
    assert_fails(condense_fc_velocity(s, fx.data, fx.e, 1.0, w, NULL, out, NULL, NULL),
                 CONDENSE_EDOM);
    assert_status(condense_fc_residuals(fx.net, fx.data, fx.e), CONDENSE_OK);
    (void)e0;
    w[0] = NAN;
    assert_fails(condense_fc_g(s, fx.data, fx.e, w, &g, NULL), CONDENSE_EDOM);
    w[0] = 0.1;
    assert_fails(condense_fc_velocity(s, fx.data, fx.e, NAN, w, NULL, out, NULL, NULL),
                 CONDENSE_EDOM);
    /* the angular velocity is for d = 1 */
    assert_fails(condense_fc_angular_velocity(s, fx.data, fx.e, 1.0, 0.3, 1.0, &omega),
                 CONDENSE_ESIZE);
    assert_fails(condense_fc_angular_velocity(s, NULL, fx.e, 1.0, 0.3, 1.0, &omega),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_angular_velocity(s, fx.data, fx.e, 1.0, 0.3, 1.0, NULL),
                 CONDENSE_EINVAL);
    fixture f1 = make(3, 1, 2, "tanh", 0.5, 2);
    assert_status(condense_fc_residuals(f1.net, f1.data, f1.e), CONDENSE_OK);
    assert_fails(condense_fc_angular_velocity(s, f1.data, f1.e, 1.0, 0.3, 0.0, &omega),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_angular_velocity(s, f1.data, f1.e, 1.0, NAN, 1.0, &omega),
                 CONDENSE_EDOM);
    release(&f1);

    /* fc_flow.h */
    const double times[2] = {0.0, 1.0}, bad_times[2] = {1.0, 0.0};
    assert_fails(condense_fc_flow_integrate(NULL, fx.data, times, 2, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_flow_integrate(fx.net, fx.data, NULL, 2, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_flow_integrate(fx.net, fx.data, times, 0, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_flow_integrate(fx.net, fx.data, bad_times, 2, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_flow_integrate(fx.net, fx.data, times, 2, 0.0, 0.0, NULL, NULL),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_flow_integrate(fx.net, NULL, times, 2, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    /* repeated times only: hstart stays at its default, and nothing moves */
    const double same[2] = {0.0, 0.0};
    assert_status(condense_fc_flow_integrate(fx.net, fx.data, same, 2, 1e-8, 1e-8, NULL, NULL),
                  CONDENSE_OK);
    /* a state whose field fails: the failure is reported with the time */
    fx.net->a[1] = NAN;
    assert_fails(condense_fc_flow_integrate(fx.net, fx.data, times, 2, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_gd(fx.net, fx.data, 0.1, 3, 1, NULL, NULL), CONDENSE_EDOM);
    fx.net->a[1] = 0.3;
    assert_fails(condense_fc_gd(NULL, fx.data, 0.1, 3, 1, NULL, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_gd(fx.net, fx.data, -0.1, 3, 1, NULL, NULL), CONDENSE_EDOM);
    assert_fails(condense_fc_gd(fx.net, fx.data, 0.1, 3, 0, NULL, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_adam(NULL, fx.data, 0.1, 0.9, 0.999, 1e-8, 3, 1, NULL, NULL),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_adam(fx.net, fx.data, 0.1, 1.0, 0.999, 1e-8, 3, 1, NULL, NULL),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_adam(fx.net, fx.data, 0.1, 0.9, 0.0, 1e-8, 3, 1, NULL, NULL),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_adam(fx.net, fx.data, 0.1, 0.9, 0.999, 0.0, 3, 1, NULL, NULL),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_adam(fx.net, fx.data, NAN, 0.9, 0.999, 1e-8, 3, 1, NULL, NULL),
                 CONDENSE_EDOM);
    /* a step so large that theta overflows: one step of lr = 1e308 stays finite here, the
     * second leaves the doubles; it is refused, named, and the network keeps the state after
     * step 1 (computed by a run of one step) */
    const size_t dim = fx.net->dim;
    double *before = malloc(2 * dim * sizeof *before), *after1 = before + dim;
    assert_non_null(before);
    memcpy(before, fx.net->theta, dim * sizeof *before);
    assert_status(condense_fc_gd(fx.net, fx.data, 1e308, 1, 1, NULL, NULL), CONDENSE_OK);
    memcpy(after1, fx.net->theta, dim * sizeof *before);
    memcpy(fx.net->theta, before, dim * sizeof *before);
    assert_fails(condense_fc_gd(fx.net, fx.data, 1e308, 2, 1, NULL, NULL), CONDENSE_EDOM);
    if (strstr(condense_errmsg(), "GD step 2 (t = 1e+308) makes theta[") == NULL)
        fail_msg("message \"%s\" does not name the step and the entry", condense_errmsg());
    assert_memory_equal(fx.net->theta, after1, dim * sizeof *before);
    /* Adam whose gradient is finite but whose square is not: a_1 = 1e100 makes e_i ~ 1e100 and
     * the gradient in w_1 ~ a_1 e_i ~ 1e200, so g^2 ~ 1e400 overflows the second moment: the
     * step is refused, named, and theta kept */
    memcpy(fx.net->theta, before, dim * sizeof *before);
    fx.net->a[0] = 1e100;
    memcpy(before, fx.net->theta, dim * sizeof *before);
    assert_fails(condense_fc_adam(fx.net, fx.data, 1e-3, 0.9, 0.999, 1e-8, 3, 1, NULL, NULL),
                 CONDENSE_EDOM);
    if (strstr(condense_errmsg(), "Adam step 1 (t = 0), theta[") == NULL ||
        strstr(condense_errmsg(), "moments") == NULL)
        fail_msg("message \"%s\" does not name the step, the entry, the moments",
                 condense_errmsg());
    assert_memory_equal(fx.net->theta, before, dim * sizeof *before);
    /* data that do not fit: refused before any step (Adam's moments freed) */
    assert_fails(condense_fc_adam(fx.net, NULL, 1e-3, 0.9, 0.999, 1e-8, 3, 1, NULL, NULL),
                 CONDENSE_EINVAL);
    free(before);
    release(&fx);
}

/* ---- fc_data.h: the paper's training sets -------------------------------------------------- */

static void test_data_sets(void **state)
{
    (void)state;
    condense_data *data = NULL;
    size_t d;
    /* sin1d: 40 evenly spaced x in [-1, 1]; the target is odd, with known values at 0 and at
     * pi/6 (sin(pi/2) + sin(pi)/2 = 1) */
    assert_status(condense_fc_data_make("sin1d", 40, NULL, &data), CONDENSE_OK);
    assert_int_equal(data->n, 40);
    assert_int_equal(data->W0, 1);
    assert_close(data->x[0], -1.0, 0.0, "x_1");
    assert_close(data->x[39], 1.0, 0.0, "x_40");
    for (size_t i = 0; i < 40; ++i) {
        assert_close(data->x[i] + data->x[39 - i], 0.0, 4 * DBL_EPSILON, "symmetric grid");
        assert_close(data->y[i] + data->y[39 - i], 0.0, 1e-15, "odd target");
    }
    condense_data_free(data);
    double y, x[5] = {3.14159265358979323846 / 6, 0, 0, 0, 0};
    assert_status(condense_fc_target_value("sin1d", x, &y), CONDENSE_OK);
    assert_close(y, 1.0, 1e-15, "sin(pi/2) + sin(pi)/2");
    /* sin5d: the sum separates; at x = (-1/5, 0, 0, 0, 0): 3.5 (-1/5) sin(0) = 0; at
     * x_k = (pi/2 - 1)/5 each term is 3.5 x_k */
    x[0] = -0.2;
    assert_status(condense_fc_target_value("sin5d", x, &y), CONDENSE_OK);
    assert_close(y, 0.0, 1e-15, "sin5d at a zero of sin(5x+1)");
    for (size_t k = 0; k < 5; ++k)
        x[k] = (3.14159265358979323846 / 2 - 1.0) / 5.0;
    assert_status(condense_fc_target_value("sin5d", x, &y), CONDENSE_OK);
    assert_close(y, 5 * 3.5 * x[0], 1e-14, "sin5d where sin(5x+1) = 1");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_status(condense_fc_data_make("sin5d", 80, rng, &data), CONDENSE_OK);
    assert_int_equal(data->W0, 5);
    for (size_t i = 0; i < 80; ++i) {
        assert_status(condense_fc_target_value("sin5d", data->x + 5 * i, &y), CONDENSE_OK);
        assert_close(data->y[i], y, 0.0, "y_i = f*(x_i)");
        for (size_t k = 0; k < 5; ++k)
            assert_true(data->x[5 * i + k] >= -1.0 && data->x[5 * i + k] <= 1.0);
    }
    condense_data_free(data);
    assert_status(condense_fc_target_dim("sin5d", &d), CONDENSE_OK);
    assert_int_equal(d, 5);
    assert_fails(condense_fc_target_dim("nope", &d), CONDENSE_EINVAL);
    assert_fails(condense_fc_target_dim(NULL, &d), CONDENSE_EINVAL);
    assert_fails(condense_fc_target_dim("sin1d", NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_target_value("nope", x, &y), CONDENSE_EINVAL);
    assert_fails(condense_fc_target_value("sin1d", NULL, &y), CONDENSE_EINVAL);
    assert_fails(condense_fc_target_value("sin1d", x, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_data_make("nope", 4, rng, &data), CONDENSE_EINVAL);
    assert_fails(condense_fc_data_make("sin1d", 4, rng, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_data_make("sin1d", 1, rng, &data), CONDENSE_ESIZE);
    assert_fails(condense_fc_data_make("sin5d", 0, rng, &data), CONDENSE_ESIZE);
    assert_fails(condense_fc_data_make("sin5d", 4, NULL, &data), CONDENSE_EINVAL);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_and_risk),
        cmocka_unit_test(test_field_vs_finite_differences),
        cmocka_unit_test(test_g_and_test_neuron),
        cmocka_unit_test(test_r_u_along_flow),
        cmocka_unit_test(test_flow_decreases_risk),
        cmocka_unit_test(test_one_step_closed_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_data_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
