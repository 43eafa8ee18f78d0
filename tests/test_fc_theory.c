/* test_fc_theory.c -- checks of condense/fc_theory.h (FC paper Sec. 5.1, 5.2) and
 * condense/fc_lines.h (the count of condensed lines).
 *
 * Independent routes:
 *  - Sec. 5.1 (p = 1): the integrated gradient flow of eq. (3)-(4) from a tiny initialization
 *    (tanh) takes every director to +-u of the formula.
 *  - Sec. 5.2 (d = 1): the lines from the roots of the polynomial P against the zeros of the
 *    angular velocity dphi/dt of a small test neuron computed directly from eq. (6) with the
 *    true activation (sign changes on a fine grid refined with gsl_root_fsolver_brent), for
 *    p = 1, 2, 3 (tanh, x tanh x, x^2 tanh x); P's coefficients against P evaluated from its
 *    definition; p = 1 against Sec. 5.1.
 *  - The line count on weights built on known lines. */
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

#include <gsl/gsl_errno.h>
#include <gsl/gsl_poly.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_roots.h>

#include "condense/error.h"
#include "condense/fc.h"
#include "condense/fc_field.h"
#include "condense/fc_flow.h"
#include "condense/fc_lines.h"
#include "condense/fc_theory.h"
#include "condense/observables.h"
#include "condense/verify.h"

#define PI 3.14159265358979323846

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

/* n samples of the 1-d target of the FC paper's Fig. 3, sin(3x) + sin(6x)/2, at evenly
 * spaced x in [-1, 1]. */
static condense_data *data_1d(size_t n)
{
    condense_data *data = NULL;
    assert_status(condense_data_alloc(n, 1, 1, 1, &data), CONDENSE_OK);
    for (size_t i = 0; i < n; ++i) {
        const double x = -1.0 + 2.0 * (double)i / (double)(n - 1);
        data->x[i] = x;
        data->y[i] = sin(3 * x) + sin(6 * x) / 2;
    }
    return data;
}

/* ---- Sec. 5.1 ------------------------------------------------------------------------------ */

static void test_case1_flow_condenses(void **state)
{
    (void)state;
    const size_t n = 10, d = 3, m = 8;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    condense_data *data = NULL;
    assert_status(condense_data_alloc(n, d, 1, 1, &data), CONDENSE_OK);
    for (size_t k = 0; k < n * d; ++k)
        data->x[k] = 2.0 * gsl_rng_uniform(rng) - 1.0;
    for (size_t i = 0; i < n; ++i)
        data->y[i] = 2.0 * gsl_rng_uniform(rng) - 1.0;
    condense_activation act;
    assert_status(condense_activation_lookup("tanh", 0, &act), CONDENSE_OK);
    condense_fc *net = NULL;
    assert_status(condense_fc_alloc(d, m, act, &net), CONDENSE_OK);
    assert_status(condense_fc_init_normal(net, rng, 1e-9), CONDENSE_OK);
    double e[10], u[4];
    assert_status(condense_fc_residuals(net, data, e), CONDENSE_OK);
    /* To leading order (sigma'(0) = 1, sigma(z) = z) neuron j obeys a_dot = -w . v,
     * w_dot = -a v with v = sum_i e_i x_i / n: the component of w along v grows like
     * e^{|v| t}, the orthogonal part stays.  After e^{|v| T} = 1e5, 1 - |cos(w_j, u)| ~
     * 2 (|w_perp(0)| / |a(0) - w_par(0)|)^2 1e-10; the nonlinear corrections are O(r^2) with
     * r ~ 1e-4.  We allow 1e-6 (initial ratios up to 70). */
    double v[4] = {0};
    for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < d; ++k)
            v[k] += e[i] * data->x[i * d + k] / (double)n;
        v[d] += e[i] / (double)n;
    }
    const double T = log(1e5) / condense_norm2(v, d + 1, 1);
    const double times[2] = {0.0, T};
    assert_status(condense_fc_flow_integrate(net, data, times, 2, 0.0, 1e-10, NULL, NULL),
                  CONDENSE_OK);
    assert_status(condense_fc_residuals(net, data, e), CONDENSE_OK);
    assert_status(condense_fc_case1_director(data, e, u), CONDENSE_OK);
    assert_close(condense_norm2(u, d + 1, 1), 1.0, 4 * DBL_EPSILON, "|u| = 1");
    for (size_t j = 0; j < m; ++j) {
        double D;
        assert_status(condense_cosine(net->w + j * (d + 1), u, d + 1, &D), CONDENSE_OK);
        assert_close(fabs(D), 1.0, 1e-6, "director of w_j is +-u (Sec. 5.1)");
    }
    /* ... and they are one line by the count of fc_lines.h */
    size_t lines;
    assert_status(condense_fc_count_lines(net->w, m, d + 1, 0.99, 0.0, 1, &lines, NULL, NULL),
                  CONDENSE_OK);
    assert_int_equal(lines, 1);
    condense_fc_free(net);
    condense_data_free(data);
    gsl_rng_free(rng);
}

/* ---- Sec. 5.2 ------------------------------------------------------------------------------ */

typedef struct omega_params {
    const condense_activation *sigma;
    const condense_data *data;
    const double *e;
    double r;
} omega_params;

/* the angular velocity of the test neuron (a = 1, w = r (cos phi, sin phi)), eq. (6) */
static double omega_of(double phi, void *params)
{
    const omega_params *p = params;
    double omega = NAN;
    assert_status(condense_fc_angular_velocity(p->sigma, p->data, p->e, 1.0, phi, p->r, &omega),
                  CONDENSE_OK);
    return omega;
}

/* The zeros of omega on [0, pi): sign changes on a grid of N cells, refined by Brent to
 * |dphi| <= 1e-12.  The grid starts at a small offset so that no zero sits on a node. */
static size_t omega_zeros(omega_params *p, double *zeros, size_t cap)
{
    const size_t N = 4000;
    const double off = -1e-3;
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_function F = {omega_of, p};
    size_t found = 0;
    double lo = off, flo = omega_of(lo, p);
    for (size_t k = 1; k <= N; ++k) {
        const double hi = off + PI * (double)k / (double)N, fhi = omega_of(hi, p);
        if ((flo < 0) != (fhi < 0)) {
            gsl_root_fsolver_set(s, &F, lo, hi);
            double x_lo = lo, x_hi = hi;
            for (int it = 0; it < 200 && x_hi - x_lo > 1e-12; ++it) {
                gsl_root_fsolver_iterate(s);
                x_lo = gsl_root_fsolver_x_lower(s);
                x_hi = gsl_root_fsolver_x_upper(s);
            }
            double z = gsl_root_fsolver_root(s);
            if (z < 0) z += PI;
            assert_true(found < cap);
            zeros[found++] = z;
        }
        lo = hi;
        flo = fhi;
    }
    gsl_root_fsolver_free(s);
    /* sort */
    for (size_t a = 0; a < found; ++a)
        for (size_t b = a + 1; b < found; ++b)
            if (zeros[b] < zeros[a]) {
                const double t = zeros[a];
                zeros[a] = zeros[b];
                zeros[b] = t;
            }
    return found;
}

static void check_case2(const char *act_name, int p, double shift)
{
    condense_data *data = data_1d(40);
    double e[40];
    /* the residuals at a zero network: e_i = -f*(x_i), as at the start of training (odd in
     * x, so sum_i e_i x_i^(2k) = 0 and u_2 = 0 is a line), or shifted (no symmetry) */
    for (size_t i = 0; i < 40; ++i)
        e[i] = -data->y[i] + shift * (1.0 + data->x[i] * data->x[i]);
    condense_activation act;
    assert_status(condense_activation_lookup(act_name, 0, &act), CONDENSE_OK);
    assert_int_equal(act.type->r, p);
    double phi[8];
    size_t count = 0;
    assert_status(condense_fc_case2_lines(data, e, p, phi, &count), CONDENSE_OK);
    assert_true(count <= (size_t)p);
    print_message("%s (p = %d), shift %g: %zu stationary lines\n", act_name, p, shift, count);
    /* The true angular velocity at radius r is r^(p-1) times the leading-order one times
     * (1 + O(r^2)) (the next Taylor term of sigma' is r^2 smaller), so its zeros sit O(r^2)
     * from the polynomial's: with r = 1e-4 they agree to ~1e-8 / |slope|; we allow 1e-6. */
    omega_params op = {&act, data, e, 1e-4};
    double zeros[16];
    const size_t nz = omega_zeros(&op, zeros, 16);
    if (nz != count) {
        print_error("%s: %zu lines from P, %zu zeros of the angular velocity\n", act_name, count,
                    nz);
        fail();
    }
    /* lines are angles modulo pi: match each root of P with the nearest zero on the circle */
    for (size_t k = 0; k < count; ++k) {
        double best = INFINITY;
        for (size_t z = 0; z < nz; ++z) {
            const double diff = fabs(phi[k] - zeros[z]);
            best = fmin(best, fmin(diff, PI - diff));
        }
        assert_close(best, 0.0, 1e-6, "stationary line: root of P vs zero of dphi/dt");
    }
    /* P's coefficients against its definition at a few u_hat */
    double c[8];
    assert_status(condense_fc_case2_poly(data, e, p, c), CONDENSE_OK);
    for (double uh = -2.0; uh <= 2.0; uh += 0.5) {
        long double lhs = 0.0L, rhs = 0.0L, mag = 0.0L;
        for (size_t i = 0; i < 40; ++i) {
            const long double x1 = data->x[i], base = powl(uh * x1 + 1.0L, p - 1);
            lhs += base * e[i] * x1;
            rhs += uh * base * e[i];
            mag += fabsl(base * e[i]) * (fabsl(x1) + fabsl(uh));
        }
        assert_close(gsl_poly_eval(c, p + 1, uh), (double)(lhs - rhs), 1e-13 * (double)(mag + 1.0L),
                     "P(u_hat) by its definition");
    }
    condense_data_free(data);
}

static void test_case2_lines_vs_angular_velocity(void **state)
{
    (void)state;
    check_case2("tanh", 1, 0.0);
    check_case2("xtanh", 2, 0.0);
    check_case2("x2tanh", 3, 0.0);
    check_case2("tanh", 1, 0.3);
    check_case2("xtanh", 2, 0.3);
    check_case2("x2tanh", 3, 0.3);
}

static void test_case2_p1_is_case1(void **state)
{
    (void)state;
    condense_data *data = data_1d(40);
    double e[40], u[2], phi[1];
    for (size_t i = 0; i < 40; ++i)
        e[i] = -data->y[i] + 0.1;
    size_t count;
    assert_status(condense_fc_case1_director(data, e, u), CONDENSE_OK);
    assert_status(condense_fc_case2_lines(data, e, 1, phi, &count), CONDENSE_OK);
    assert_int_equal(count, 1);
    double line = atan2(u[1], u[0]);
    if (line < 0) line += PI;
    /* two formulas for one number, a few roundings apart */
    assert_close(phi[0], line, 1e-12, "Sec. 5.2 with p = 1 is Sec. 5.1");
    /* sum e_i = 0: the degree drops, and the line is u_2 = 0 (phi = 0), as Sec. 5.1 says */
    double mean = 0.0;
    for (size_t i = 0; i < 40; ++i)
        mean += e[i] / 40.0;
    for (size_t i = 0; i < 40; ++i)
        e[i] -= mean;
    double s = 0.0;
    for (size_t i = 0; i < 40; ++i)
        s += e[i];
    e[39] -= s; /* sum exactly (to rounding) zero */
    assert_status(condense_fc_case2_lines(data, e, 1, phi, &count), CONDENSE_OK);
    assert_int_equal(count, 1);
    assert_close(phi[0], 0.0, 0.0, "degree drop: the line u_2 = 0");
    assert_status(condense_fc_case1_director(data, e, u), CONDENSE_OK);
    assert_close(fabs(u[0]), 1.0, 1e-13, "Sec. 5.1 director (1, 0)");
    condense_data_free(data);
}

static void test_theory_errors(void **state)
{
    (void)state;
    condense_data *data = data_1d(5);
    double e[5] = {0.1, -0.2, 0.3, 0.0, 0.5}, u[2], c[4], phi[3];
    size_t count;
    assert_fails(condense_fc_case1_director(NULL, e, u), CONDENSE_EINVAL);
    assert_fails(condense_fc_case1_director(data, NULL, u), CONDENSE_EINVAL);
    assert_fails(condense_fc_case1_director(data, e, NULL), CONDENSE_EINVAL);
    e[1] = NAN;
    assert_fails(condense_fc_case1_director(data, e, u), CONDENSE_EDOM);
    e[1] = 1e308;
    e[2] = 1e308;
    assert_fails(condense_fc_case1_director(data, e, u), CONDENSE_EDOM);
    assert_fails(condense_fc_case2_poly(data, e, 3, c), CONDENSE_EDOM);
    const double zero[5] = {0};
    assert_fails(condense_fc_case1_director(data, zero, u), CONDENSE_EUNDEF);
    assert_fails(condense_fc_case2_lines(data, zero, 2, phi, &count), CONDENSE_EUNDEF);
    e[1] = -0.2;
    e[2] = 0.3;
    assert_fails(condense_fc_case2_poly(data, e, 0, c), CONDENSE_EDOM);
    assert_fails(condense_fc_case2_poly(data, e, 33, c), CONDENSE_EDOM);
    assert_fails(condense_fc_case2_poly(data, e, 2, NULL), CONDENSE_EINVAL);
    assert_fails(condense_fc_case2_lines(data, e, 2, NULL, &count), CONDENSE_EINVAL);
    assert_fails(condense_fc_case2_lines(data, e, 2, phi, NULL), CONDENSE_EINVAL);
    condense_data *bad = NULL;
    assert_status(condense_data_alloc(5, 2, 1, 1, &bad), CONDENSE_OK);
    assert_fails(condense_fc_case2_poly(bad, e, 2, c), CONDENSE_ESIZE);
    condense_data_free(bad);
    assert_status(condense_data_alloc(5, 1, 2, 1, &bad), CONDENSE_OK);
    assert_fails(condense_fc_case1_director(bad, e, u), CONDENSE_ESIZE);
    condense_data_free(bad);
    data->x[0] = NAN;
    assert_fails(condense_fc_case1_director(data, e, u), CONDENSE_EDOM);
    condense_data_free(data);
}

/* ---- the line count ------------------------------------------------------------------------ */

static void test_count_lines(void **state)
{
    (void)state;
    /* 12 weights on 3 known lines (+-v_l times a scale, plus noise of relative size 1e-3, so
     * that |cos| >= 1 - 1e-5 within a line), the three v_l 60 degrees apart (|cos| = 0.5),
     * and one weight of tiny norm */
    const double v[3][2] = {{1.0, 0.0}, {0.5, 0.8660254037844386}, {-0.5, 0.8660254037844386}};
    double w[13 * 2];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t j = 0; j < 12; ++j) {
        const size_t l = (j * 7) % 3;
        const double scale = (j % 2 ? -1.0 : 1.0) * (0.5 + gsl_rng_uniform(rng));
        for (size_t k = 0; k < 2; ++k)
            w[2 * j + k] = scale * (v[l][k] + 1e-3 * (gsl_rng_uniform(rng) - 0.5));
    }
    w[24] = 1e-6;
    w[25] = -3e-6;
    size_t lines, strays, label[13];
    assert_status(condense_fc_count_lines(w, 13, 2, 0.99, 1e-3, 1, &lines, &strays, label),
                  CONDENSE_OK);
    assert_int_equal(lines, 3);
    assert_int_equal(strays, 0);
    assert_true(label[12] == CONDENSE_FC_NO_LINE);
    for (size_t a = 0; a < 12; ++a)
        for (size_t b = 0; b < 12; ++b)
            assert_true((label[a] == label[b]) == ((a * 7) % 3 == (b * 7) % 3));
    /* lines numbered by their first member: w_1 on line 0, w_2 ((2-1)*7 % 3 = 1) on line 1 */
    assert_int_equal(label[0], 0);
    assert_int_equal(label[1], 1);
    assert_int_equal(label[2], 2);
    /* without discarding, the tiny weight is a group of its own (its director is arbitrary) */
    assert_status(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 1, &lines, NULL, NULL), CONDENSE_OK);
    assert_int_equal(lines, 4);
    /* ... and with min_members 2 it is a stray */
    assert_status(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 2, &lines, &strays, label),
                  CONDENSE_OK);
    assert_int_equal(lines, 3);
    assert_int_equal(strays, 1);
    assert_true(label[12] == CONDENSE_FC_STRAY);
    /* with min_members 4 the three 4-member lines remain, with 5 none */
    assert_status(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 4, &lines, &strays, NULL),
                  CONDENSE_OK);
    assert_int_equal(lines, 3);
    assert_int_equal(strays, 1);
    assert_status(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 5, &lines, &strays, NULL),
                  CONDENSE_OK);
    assert_int_equal(lines, 0);
    assert_int_equal(strays, 13);
    /* a zero weight is always discarded */
    w[24] = w[25] = 0.0;
    assert_status(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 1, &lines, NULL, label),
                  CONDENSE_OK);
    assert_int_equal(lines, 3);
    assert_true(label[12] == CONDENSE_FC_NO_LINE);
    /* with cos_min = 0.4 the lines 60 degrees apart (|cos| = 0.5) are all linked: one group */
    assert_status(condense_fc_count_lines(w, 13, 2, 0.4, 0.0, 1, &lines, NULL, NULL), CONDENSE_OK);
    assert_int_equal(lines, 1);
    /* errors */
    assert_fails(condense_fc_count_lines(NULL, 13, 2, 0.99, 0.0, 1, &lines, NULL, NULL),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 0.0, NULL, NULL, NULL),
                 CONDENSE_EINVAL);
    assert_fails(condense_fc_count_lines(w, 0, 2, 0.99, 0.0, 1, &lines, NULL, NULL),
                 CONDENSE_ESIZE);
    assert_fails(condense_fc_count_lines(w, 13, 0, 0.99, 0.0, 1, &lines, NULL, NULL),
                 CONDENSE_ESIZE);
    assert_fails(condense_fc_count_lines(w, 13, 2, 0.0, 0.0, 1, &lines, NULL, NULL), CONDENSE_EDOM);
    assert_fails(condense_fc_count_lines(w, 13, 2, 1.5, 0.0, 1, &lines, NULL, NULL), CONDENSE_EDOM);
    assert_fails(condense_fc_count_lines(w, 13, 2, 0.99, 1.0, 1, &lines, NULL, NULL),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_count_lines(w, 13, 2, 0.99, -0.1, 1, &lines, NULL, NULL),
                 CONDENSE_EDOM);
    assert_fails(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 0, &lines, NULL, NULL),
                 CONDENSE_EDOM);
    w[3] = NAN;
    assert_fails(condense_fc_count_lines(w, 13, 2, 0.99, 0.0, 1, &lines, NULL, NULL),
                 CONDENSE_EDOM);
    const double zeros[4] = {0};
    assert_fails(condense_fc_count_lines(zeros, 2, 2, 0.99, 0.0, 1, &lines, NULL, NULL),
                 CONDENSE_EDOM);
    gsl_rng_free(rng);
}

/* Single linkage: a chain of directors at angles 0, 0.1, ..., 0.5 rad (neighbours |cos| =
 * cos 0.1 = 0.99500 >= 0.995, the ends cos 0.5 = 0.878) is one group whatever the order of the
 * neurons, and a gap of 0.2 rad (cos 0.980 < 0.995) splits it; checked against the angles. */
static void test_count_lines_chain(void **state)
{
    (void)state;
    const double phi[8] = {0.5, 0.0, 0.3, 0.1, 0.4, 0.2, 1.2, 1.5}; /* shuffled; 1.2, 1.5 apart */
    double w[16];
    for (size_t j = 0; j < 8; ++j) {
        const double r = 1.0 + 0.1 * (double)j, s = j % 3 ? 1.0 : -1.0; /* +-u: one line */
        w[2 * j] = s * r * cos(phi[j]);
        w[2 * j + 1] = s * r * sin(phi[j]);
    }
    size_t lines, strays, label[8];
    assert_status(condense_fc_count_lines(w, 8, 2, 0.995, 0.0, 1, &lines, &strays, label),
                  CONDENSE_OK);
    assert_int_equal(lines, 3); /* {0, .., 0.5}, {1.2}, {1.5} */
    for (size_t j = 0; j < 6; ++j)
        assert_int_equal(label[j], 0);
    assert_int_equal(label[6], 1);
    assert_int_equal(label[7], 2);
    /* min_members 2: the two singletons are strays */
    assert_status(condense_fc_count_lines(w, 8, 2, 0.995, 0.0, 2, &lines, &strays, label),
                  CONDENSE_OK);
    assert_int_equal(lines, 1);
    assert_int_equal(strays, 2);
    assert_true(label[6] == CONDENSE_FC_STRAY && label[7] == CONDENSE_FC_STRAY);
    /* remove the 0.3 director (w_3): the chain breaks into {0, 0.1, 0.2} and {0.4, 0.5} */
    w[4] = w[5] = 0.0;
    assert_status(condense_fc_count_lines(w, 8, 2, 0.995, 0.0, 1, &lines, NULL, label),
                  CONDENSE_OK);
    assert_int_equal(lines, 4);
    assert_true(label[0] == label[4] && label[1] == label[3] && label[3] == label[5]);
    assert_true(label[0] != label[1] && label[2] == CONDENSE_FC_NO_LINE);
}

/* ---- the two entries of condense verify (verify_fc.c) -------------------------------------- */

static void test_verify_entries(void **state)
{
    (void)state;
    condense_verify_config cfg;
    condense_verify_default(&cfg, 1);
    condense_verify_instance *inst = NULL;
    assert_status(condense_verify_instance_alloc(&cfg, &inst), CONDENSE_OK);
    condense_verify_result res;
    assert_status(condense_verify_fc_case1(inst, &res), CONDENSE_OK);
    assert_true(res.pass && res.margin > 0.0);
    assert_non_null(strstr(res.equation, "5.1"));
    assert_status(condense_verify_fc_case2(inst, &res), CONDENSE_OK);
    assert_true(res.pass && res.margin > 0.0);
    assert_non_null(strstr(res.measured, "x2tanh (p = 3): 3 real roots, 3 zeros"));
    assert_fails(condense_verify_fc_case1(NULL, &res), CONDENSE_EINVAL);
    assert_fails(condense_verify_fc_case1(inst, NULL), CONDENSE_EINVAL);
    assert_fails(condense_verify_fc_case2(NULL, &res), CONDENSE_EINVAL);
    assert_fails(condense_verify_fc_case2(inst, NULL), CONDENSE_EINVAL);
    condense_verify_instance_free(inst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case1_flow_condenses),
        cmocka_unit_test(test_case2_lines_vs_angular_velocity),
        cmocka_unit_test(test_case2_p1_is_case1),
        cmocka_unit_test(test_theory_errors),
        cmocka_unit_test(test_count_lines),
        cmocka_unit_test(test_count_lines_chain),
        cmocka_unit_test(test_verify_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
