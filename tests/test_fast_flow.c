/* test_fast_flow.c -- the fast path of the two-layer real flow (fast.h,
 * condense_real_flow_set_path): the rescaled field of CNN paper App. C.1 (eq. 26-27) / App. D
 * as P Theta_W, elementwise work, P^T G and S^T c, against the direct path of real_flow.c.
 *
 * Independent route: the direct path (per sample and kernel dot products, no BLAS, no patch
 * matrix of all samples, a different summation order everywhere), itself checked against the
 * generic backward pass and finite differences in test_real_flow.c.  The parameter layout is
 * reached through the storage formulas of cnn.h written out below.
 *
 * Rounding model.  u = DBL_EPSILON / 2.  A sum of k terms computed in any order, each term a
 * product of a few rounded factors, errs by at most gamma_k sum|terms| with gamma_k ~ k u
 * (Higham, Accuracy and Stability of Numerical Algorithms, Sec. 3.1 and 3.4).  The chains of
 * one field entry here: the dot product x_bar (C_0 m^2 + 1 <= 28 terms), e_i (a sum over
 * M W_1 H_1 <= 64 x 36 = 2304 kernels and positions), the sum over samples and positions
 * (n W_1 H_1 <= 144), and a few products and libm calls (<= 2 ulp each): fewer than 2500
 * roundings.  Each path therefore errs by at most 2500 u scale_k on entry k, where scale_k is
 * the sum of the absolute values of the entry's terms with the propagated errors of x_bar and
 * e_i (field_scale below), and the two paths differ by at most 5000 u scale_k = 5.6e-13
 * scale_k.  The tests assert 1e-12 scale_k ("1e-12 relative": relative to what the entry is
 * made of -- for an entry without cancellation scale_k is within a small factor of |entry|, and
 * an entry that cancels to ~0 cannot be known to 1e-12 of itself by ANY summation order).
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/error.h"
#include "condense/fast.h"
#include "condense/init.h"
#include "condense/real_flow.h"

#define TOL 1e-12 /* >= 2 x 2500 u = 5.6e-13: see the rounding model above */

/* ---- helpers ------------------------------------------------------------------------------ */

static condense_activation act_named(const char *name)
{
    condense_activation act;
    assert_int_equal(condense_activation_lookup(name, 0, &act), CONDENSE_OK);
    return act;
}

static condense_data *make_data(size_t n, size_t W0, size_t H0, size_t C0, unsigned long seed)
{
    condense_data *d = NULL;
    assert_int_equal(condense_data_synthetic(n, W0, H0, C0, 2.0, seed, &d), CONDENSE_OK);
    return d;
}

static condense_real_flow *make_flow(const condense_data *d, size_t M, size_t m, const char *act,
                                     double eps)
{
    condense_real_flow *f = NULL;
    assert_int_equal(condense_real_flow_alloc(d, M, m, act_named(act), eps, &f), CONDENSE_OK);
    assert_int_equal(f->path, CONDENSE_PATH_DIRECT);
    assert_null(f->fast);
    return f;
}

static double *random_state(size_t dim, double sd, unsigned long seed)
{
    gsl_rng *r = NULL;
    assert_int_equal(condense_rng_alloc(seed, &r), CONDENSE_OK);
    double *th = malloc(dim * sizeof(double));
    assert_non_null(th);
    for (size_t k = 0; k < dim; ++k)
        th[k] = gsl_ran_gaussian(r, sd);
    gsl_rng_free(r);
    return th;
}

static double *new_vec(size_t dim)
{
    double *x = malloc(dim * sizeof(double));
    assert_non_null(x);
    return x;
}

static double *copy_of(const double *x, size_t dim)
{
    double *y = new_vec(dim);
    memcpy(y, x, dim * sizeof(double));
    return y;
}

/* Sizes of the two-layer network and flat indices by the storage formulas of cnn.h:
 * W (m, m, C_0, M), then b (M), then a (W_1, H_1, M), all C order. */
typedef struct dims {
    size_t n, W0, H0, C0, M, m, W1, H1, nW, dim;
} dims;

static dims dims_of(const condense_data *d, size_t M, size_t m)
{
    dims s = {d->n, d->W0, d->H0, d->C0, M, m, d->W0 - m + 1, d->H0 - m + 1, 0, 0};
    s.nW = m * m * d->C0 * M;
    s.dim = s.nW + M + s.W1 * s.H1 * M;
    return s;
}
static size_t iW(const dims *s, size_t p, size_t q, size_t alpha, size_t beta)
{
    return ((p * s->m + q) * s->C0 + (alpha - 1)) * s->M + (beta - 1);
}
static size_t ib(const dims *s, size_t beta)
{
    return s->nW + beta - 1;
}
static size_t ia(const dims *s, size_t u, size_t v, size_t beta)
{
    return s->nW + s->M + ((u - 1) * s->H1 + (v - 1)) * s->M + (beta - 1);
}

/* The rounding scale of every field entry: the rescaled field of eq. (26)-(27) with every
 * quantity replaced by a bound on its absolute value, plus the propagation of the rounding of
 * x_bar and e_i (first order):
 *   Xa = sum |x| |W_bar| + |b_bar|   x_bar errs by <= k u Xa, so sigma(eps x_bar) / eps by
 *                                    |sigma'| k u Xa and sigma'(eps x_bar) by C2 eps k u Xa,
 *                                    C2 >= sup|sigma''| (C_L of Assumption 1 bounds it);
 *   Ea_i = |y_i| + eps sum |a_bar| (|sigma| + |sigma'| eps Xa)   e_i errs by <= k u Ea_i;
 *   a_{u,v}:  (1/n) sum_i [Ea_i |sigma| / eps + |e_i| (|sigma| / eps + |sigma'| Xa)];
 *   W, b:     (1/n) sum_i sum_{u,v} |a_bar| |x or 1| [Ea_i |sigma'| + |e_i| (|sigma'| +
 *             C2 eps Xa)].
 * Each path errs by at most k u times this with k the chain length of the model above. */
static void field_scale(const condense_data *d, const dims *s, condense_activation act, double eps,
                        const double *th, double *scale)
{
    const double C2 = act.type->C_L * fabs(act.scale);
    memset(scale, 0, s->dim * sizeof(double));
    const size_t Np = s->W1 * s->H1 * s->M;
    double *x = new_vec(Np), *Xa = new_vec(Np);
    for (size_t i = 1; i <= s->n; ++i) {
        double e = -*condense_data_y(d, i), Ea = fabs(*condense_data_y(d, i));
        for (size_t u = 1; u <= s->W1; ++u)
            for (size_t v = 1; v <= s->H1; ++v)
                for (size_t beta = 1; beta <= s->M; ++beta) {
                    double sum = th[ib(s, beta)], sa = fabs(th[ib(s, beta)]);
                    for (size_t alpha = 1; alpha <= s->C0; ++alpha)
                        for (size_t p = 0; p < s->m; ++p)
                            for (size_t q = 0; q < s->m; ++q) {
                                const double xi = *condense_data_x(d, i, u + p, v + q, alpha);
                                const double w = th[iW(s, p, q, alpha, beta)];
                                sum += xi * w;
                                sa += fabs(xi * w);
                            }
                    const size_t k = ((u - 1) * s->H1 + (v - 1)) * s->M + (beta - 1);
                    x[k] = sum;
                    Xa[k] = sa;
                    const double sg = condense_sigma(&act, eps * sum);
                    const double s1 = condense_sigma1(&act, eps * sum);
                    const double a = th[ia(s, u, v, beta)];
                    e += eps * a * sg;
                    Ea += eps * fabs(a) * (fabs(sg) + fabs(s1) * eps * sa);
                }
        for (size_t u = 1; u <= s->W1; ++u)
            for (size_t v = 1; v <= s->H1; ++v)
                for (size_t beta = 1; beta <= s->M; ++beta) {
                    const size_t k = ((u - 1) * s->H1 + (v - 1)) * s->M + (beta - 1);
                    const double sg = fabs(condense_sigma(&act, eps * x[k]));
                    const double s1 = fabs(condense_sigma1(&act, eps * x[k]));
                    const double a = fabs(th[ia(s, u, v, beta)]);
                    scale[ia(s, u, v, beta)] +=
                        (Ea * sg / eps + fabs(e) * (sg / eps + s1 * Xa[k])) / (double)s->n;
                    const double common =
                        a * (Ea * s1 + fabs(e) * (s1 + C2 * eps * Xa[k])) / (double)s->n;
                    scale[ib(s, beta)] += common;
                    for (size_t alpha = 1; alpha <= s->C0; ++alpha)
                        for (size_t p = 0; p < s->m; ++p)
                            for (size_t q = 0; q < s->m; ++q)
                                scale[iW(s, p, q, alpha, beta)] +=
                                    common * fabs(*condense_data_x(d, i, u + p, v + q, alpha));
                }
    }
    free(x);
    free(Xa);
}

/* The largest |x - y| / (TOL scale) over the entries (<= 1: within tolerance). */
static double worst_ratio(const double *x, const double *y, const double *scale, size_t dim)
{
    double worst = 0.0;
    for (size_t k = 0; k < dim; ++k) {
        const double diff = fabs(x[k] - y[k]), tol = TOL * scale[k];
        if (diff == 0.0) continue;
        worst = fmax(worst, tol > 0.0 ? diff / tol : INFINITY);
    }
    return worst;
}

static double max_abs(const double *x, size_t dim)
{
    double m = 0.0;
    for (size_t k = 0; k < dim; ++k)
        m = fmax(m, fabs(x[k]));
    return m;
}

static double max_abs_diff(const double *x, const double *y, size_t dim)
{
    double m = 0.0;
    for (size_t k = 0; k < dim; ++k)
        m = fmax(m, fabs(x[k] - y[k]));
    return m;
}

/* The field at th on the given path (selected first). */
static void field_on(condense_real_flow *f, condense_path path, const double *th, double *out)
{
    assert_int_equal(condense_real_flow_set_path(f, path), CONDENSE_OK);
    assert_int_equal(f->path, path);
    assert_int_equal(condense_real_field(f, th, out), CONDENSE_OK);
}

#define ASSERT_FAILS(expr, code)                                                                   \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        assert_int_equal((expr), (code));                                                          \
        assert_true(strlen(condense_errmsg()) > 0);                                                \
    } while (0)

static void assert_msg_has(const char *needle)
{
    if (strstr(condense_errmsg(), needle) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", condense_errmsg(), needle);
}

/* ---- 1. the fast field is the direct field -------------------------------------------------- */

static void test_field_matches_direct(void **state)
{
    (void)state;
    const double epss[] = {1.0, 1e-2, 1e-6};
    const size_t C0s[] = {1, 3}, Ms[] = {1, 5, 64}, ms[] = {1, 2, 3};
    const char *acts[] = {"tanh", "silu2", "xtanh", "identity"};
    double overall = 0.0, normwise = 0.0;
    size_t cases = 0;
    for (size_t ic = 0; ic < 2; ++ic) {
        /* 2 samples of 5 x 4 images: W_0 != H_0 catches u/v swaps in the patch matrix */
        condense_data *d = make_data(2, 5, 4, C0s[ic], 11 + ic);
        for (size_t iM = 0; iM < 3; ++iM)
            for (size_t im = 0; im < 3; ++im)
                for (size_t iact = 0; iact < 4; ++iact)
                    for (size_t ie = 0; ie < 3; ++ie) {
                        const dims s = dims_of(d, Ms[iM], ms[im]);
                        condense_real_flow *f = make_flow(d, Ms[iM], ms[im], acts[iact], epss[ie]);
                        assert_int_equal(f->dim, s.dim);
                        double *th = random_state(s.dim, 1.0, 100 + 10 * ic + iM + 3 * im);
                        double *direct = new_vec(s.dim), *fast = new_vec(s.dim);
                        double *scale = new_vec(s.dim);
                        field_on(f, CONDENSE_PATH_DIRECT, th, direct);
                        field_on(f, CONDENSE_PATH_FAST, th, fast);
                        assert_non_null(f->fast);
                        assert_int_equal(f->n_field, 2);
                        field_scale(d, &s, act_named(acts[iact]), epss[ie], th, scale);
                        const double worst = worst_ratio(fast, direct, scale, s.dim);
                        overall = fmax(overall, worst);
                        normwise = fmax(normwise,
                                        max_abs_diff(fast, direct, s.dim) / max_abs(direct, s.dim));
                        if (worst > 1.0)
                            fail_msg("C0 %zu M %zu m %zu %s eps %g: |fast - direct| = %g x "
                                     "tolerance",
                                     C0s[ic], Ms[iM], ms[im], acts[iact], epss[ie], worst);
                        /* The check can fail: adding 1e-6 to b_bar_1 moves every x_bar of
                         * kernel 1 by 1e-6, hence e_i and the field by ~1e-6 (slopes O(1)),
                         * while 1e-12 scale stays below ~1e-8 (the scale grows with the
                         * M W_1 H_1 <= 1280 terms of e_i: up to ~1e3 here). */
                        th[ib(&s, 1)] += 1e-6;
                        assert_int_equal(condense_real_field(f, th, fast), CONDENSE_OK);
                        assert_true(worst_ratio(fast, direct, scale, s.dim) > 1.0);
                        free(th);
                        free(direct);
                        free(fast);
                        free(scale);
                        condense_real_flow_free(f); /* freed on the fast path: no leak */
                        cases++;
                    }
        condense_data_free(d);
    }
    assert_int_equal(cases, 216);
    printf("# fast vs direct over %zu cases: largest |difference| / (1e-12 scale) = %.3g, "
           "largest normwise relative difference = %.3g\n",
           cases, overall, normwise);
}

/* The instance of the threads test: 4 samples of 8 x 8 images, m = 3, M = 64: n W_1 H_1 M =
 * 9216 entries of X, above the library's threshold (8192) for running on several threads. */
static void test_threads(void **state)
{
    (void)state;
    condense_data *d = make_data(4, 8, 8, 1, 61);
    const dims s = dims_of(d, 64, 3);
    condense_real_flow *f = make_flow(d, 64, 3, "tanh", 0.05);
    double *th = random_state(s.dim, 1.0, 62);
    double *one = new_vec(s.dim), *two = new_vec(s.dim), *again = new_vec(s.dim);
    double *direct = new_vec(s.dim), *scale = new_vec(s.dim);
    field_on(f, CONDENSE_PATH_DIRECT, th, direct);
#ifdef _OPENMP
    /* the buffers are made for the thread count at selection: 2, whatever the machine */
    const int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_OK);
    omp_set_num_threads(1);
    assert_int_equal(condense_real_field(f, th, one), CONDENSE_OK);
    omp_set_num_threads(2);
    assert_int_equal(condense_real_field(f, th, two), CONDENSE_OK);
    assert_int_equal(condense_real_field(f, th, again), CONDENSE_OK);
    omp_set_num_threads(saved);
#else
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_OK);
    assert_int_equal(condense_real_field(f, th, one), CONDENSE_OK);
    assert_int_equal(condense_real_field(f, th, two), CONDENSE_OK);
    assert_int_equal(condense_real_field(f, th, again), CONDENSE_OK);
#endif
    /* A fixed thread count is reproducible bit for bit: the same operations in the same order. */
    assert_memory_equal(two, again, s.dim * sizeof(double));
    /* Across thread counts: each thread sums its block of samples and the blocks are added in
     * thread order, so the sums over samples are associated differently: only the rounding
     * tolerance is promised (the chains are the same length).  Both agree with the direct
     * path within it. */
    field_scale(d, &s, act_named("tanh"), 0.05, th, scale);
    assert_true(worst_ratio(one, two, scale, s.dim) <= 1.0);
    assert_true(worst_ratio(one, direct, scale, s.dim) <= 1.0);
    printf("# 1 vs 2 threads: %s\n", memcmp(one, two, s.dim * sizeof(double)) == 0
                                         ? "bit for bit equal"
                                         : "equal within the tolerance");
    free(th);
    free(one);
    free(two);
    free(again);
    free(direct);
    free(scale);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* ---- 2. dynamics on both paths ------------------------------------------------------------ */

typedef struct recorder {
    size_t count, cap, dim;
    double *t, *states; /* cap, cap x dim */
} recorder;

static int record(double t, const double *theta_bar, void *user)
{
    recorder *r = user;
    assert_true(r->count < r->cap);
    r->t[r->count] = t;
    memcpy(r->states + r->count * r->dim, theta_bar, r->dim * sizeof(double));
    r->count++;
    return CONDENSE_OK;
}

static void recorder_init(recorder *r, size_t cap, size_t dim)
{
    r->count = 0;
    r->cap = cap;
    r->dim = dim;
    r->t = new_vec(cap);
    r->states = new_vec(cap * dim);
}

/* The ODE on both paths.  The two fields agree to ~1e-15 relative (test 1), so the rk8pd
 * controller sees error estimates that agree to ~1e-13 relative and takes the same steps
 * unless an estimate falls within that of an acceptance threshold; then the trajectories differ
 * by the rounding of the fields carried along the flow, ~1e-15 x (steps) x e^{L T}.  If a step
 * decision does flip, each trajectory is still within its global error of the exact solution,
 * which the controller keeps near tol = 1e-10 per unit time times the amplification e^{L T}
 * (here L T = O(1): the state moves by O(1) over T = 1 with an O(1) field).  1e-8 relative
 * (normwise, at each requested time) covers the sum of two such errors with a factor 50 to
 * spare. */
static void test_ode_both_paths(void **state)
{
    (void)state;
    condense_data *d = make_data(4, 5, 4, 2, 21);
    const dims s = dims_of(d, 3, 2);
    condense_real_flow *f = make_flow(d, 3, 2, "tanh", 0.1);
    double *th0 = random_state(s.dim, 1.0, 22);
    enum { NT = 4 };
    const double times[NT] = {0.0, 0.25, 0.5, 1.0};
    recorder rd, rf;
    recorder_init(&rd, NT, s.dim);
    recorder_init(&rf, NT, s.dim);
    double *th = copy_of(th0, s.dim);
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_DIRECT), CONDENSE_OK);
    assert_int_equal(condense_real_flow_integrate(f, th, times, NT, 1e-10, 1e-10, record, &rd),
                     CONDENSE_OK);
    const unsigned long evals_direct = f->n_field;
    memcpy(th, th0, s.dim * sizeof(double));
    f->n_field = 0;
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_OK);
    assert_int_equal(condense_real_flow_integrate(f, th, times, NT, 1e-10, 1e-10, record, &rf),
                     CONDENSE_OK);
    assert_int_equal(rd.count, NT);
    assert_int_equal(rf.count, NT);
    double worst = 0.0;
    for (size_t k = 0; k < NT; ++k) {
        assert_true(rd.t[k] == times[k] && rf.t[k] == times[k]);
        const double *a = rd.states + k * s.dim, *b = rf.states + k * s.dim;
        const double rel = max_abs_diff(a, b, s.dim) / max_abs(a, s.dim);
        worst = fmax(worst, rel);
        assert_true(rel <= 1e-8);
    }
    /* not vacuous: the state moved by far more than the tolerance */
    const double moved = max_abs_diff(rd.states, rd.states + (NT - 1) * s.dim, s.dim);
    assert_true(moved > 1e-2 * max_abs(rd.states, s.dim));
    printf("# ODE: %lu field evaluations direct, %lu fast; largest relative difference %.3g; "
           "the state moved by %.3g\n",
           evals_direct, f->n_field, worst, moved);
    free(rd.t);
    free(rd.states);
    free(rf.t);
    free(rf.states);
    free(th);
    free(th0);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* ||J||_inf (largest row sum of |d field_j / d theta_k|) of the field at th on f's current
 * path, by central differences with step 1e-6 (truncation O(1e-12), rounding O(1e-10)
 * relative: plenty for a growth factor). */
static double jacobian_inf_norm(condense_real_flow *f, const double *th)
{
    const size_t dim = f->dim;
    double *p = copy_of(th, dim), *fp = new_vec(dim), *fm = new_vec(dim);
    double *rows = calloc(dim, sizeof(double));
    assert_non_null(rows);
    for (size_t k = 0; k < dim; ++k) {
        const double h = 1e-6;
        p[k] = th[k] + h;
        assert_int_equal(condense_real_field(f, p, fp), CONDENSE_OK);
        p[k] = th[k] - h;
        assert_int_equal(condense_real_field(f, p, fm), CONDENSE_OK);
        p[k] = th[k];
        for (size_t j = 0; j < dim; ++j)
            rows[j] += fabs(fp[j] - fm[j]) / (2 * h);
    }
    const double norm = max_abs(rows, dim);
    free(p);
    free(fp);
    free(fm);
    free(rows);
    return norm;
}

/* GD, 10 steps of lr = 0.02, on both paths.  Step k adds lr field(theta_k) on each path; the
 * two fields at one state differ by <= 2 k u scale with k the chain length of this instance
 * (the rounding model: here k = (C_0 m^2 + 1) + M W_1 H_1 + n W_1 H_1 + 16 = 81), and a
 * difference already in the states grows by at most (1 + lr ||J||_inf) per step in the max
 * norm (first order).  So after 10 steps the states differ by at most
 *     10 lr 2 k u max scale (1 + lr ||J||_inf)^10  +  10 u max|theta| (the updates' rounding),
 * with max scale and ||J||_inf measured along the direct trajectory (||J|| at both ends, with
 * a factor 1.5 for the states between: the trajectory moves by ~0.2).  The test asserts this
 * bound is below 1e-12 max|theta| before it asserts the difference is.  (A larger instance
 * has a larger worst-case bound -- longer chains, larger scale -- than 1e-12 allows to prove,
 * though it too agrees to ~1e-16 in practice.) */
static void test_gd_both_paths(void **state)
{
    (void)state;
    const double lr = 0.02, u = DBL_EPSILON / 2;
    condense_data *d = make_data(3, 5, 4, 1, 31);
    const dims s = dims_of(d, 2, 2);
    const double k_chain = 5 + 2 * 12 + 3 * 12 + 16;
    condense_real_flow *f = make_flow(d, 2, 2, "tanh", 0.1);
    double *th0 = random_state(s.dim, 1.0, 32);
    double *a = copy_of(th0, s.dim), *b = copy_of(th0, s.dim), *scale = new_vec(s.dim);
    double max_scale = 0.0;
    for (size_t k = 0; k < 10; ++k) { /* the direct trajectory, one step at a time */
        field_scale(d, &s, act_named("tanh"), 0.1, a, scale);
        max_scale = fmax(max_scale, max_abs(scale, s.dim));
        assert_int_equal(condense_real_flow_gd(f, a, lr, 1, 1, NULL, NULL), CONDENSE_OK);
    }
    assert_int_equal(f->n_field, 10);
    const double J = 1.5 * fmax(jacobian_inf_norm(f, th0), jacobian_inf_norm(f, a));
    const double bound =
        10 * lr * 2 * k_chain * u * max_scale * pow(1 + lr * J, 10) + 10 * u * max_abs(a, s.dim);
    assert_true(bound <= 1e-12 * max_abs(a, s.dim));
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_OK);
    f->n_field = 0;
    assert_int_equal(condense_real_flow_gd(f, b, lr, 10, 1, NULL, NULL), CONDENSE_OK);
    assert_int_equal(f->n_field, 10);
    const double rel = max_abs_diff(a, b, s.dim) / max_abs(a, s.dim);
    printf("# GD 10 steps: relative difference %.3g (bound %.3g; ||J||_inf %.3g), moved %.3g\n",
           rel, bound / max_abs(a, s.dim), J / 1.5, max_abs_diff(a, th0, s.dim));
    assert_true(rel <= 1e-12);
    assert_true(max_abs_diff(a, th0, s.dim) > 1e-3); /* the steps did something */
    free(a);
    free(b);
    free(scale);
    free(th0);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* ---- 3. switching paths -------------------------------------------------------------------- */

static void test_switch_paths(void **state)
{
    (void)state;
    condense_data *d = make_data(3, 6, 5, 2, 41);
    const dims s = dims_of(d, 4, 2);
    condense_real_flow *f = make_flow(d, 4, 2, "tanh", 0.2);
    double *th = random_state(s.dim, 1.0, 42);
    double *d1 = new_vec(s.dim), *d2 = new_vec(s.dim), *f1 = new_vec(s.dim), *f2 = new_vec(s.dim);
    double *scale = new_vec(s.dim);
    field_on(f, CONDENSE_PATH_DIRECT, th, d1); /* DIRECT when already DIRECT: a no-op */
    assert_null(f->fast);
    field_on(f, CONDENSE_PATH_FAST, th, f1);
    const struct condense_fast_flow *buffers = f->fast;
    assert_non_null(buffers);
    field_on(f, CONDENSE_PATH_DIRECT, th, d2); /* back: the fast buffers are kept */
    assert_ptr_equal(f->fast, buffers);
    assert_memory_equal(d1, d2, s.dim * sizeof(double));
    field_on(f, CONDENSE_PATH_FAST, th, f2); /* and reused */
    assert_ptr_equal(f->fast, buffers);
    assert_memory_equal(f1, f2, s.dim * sizeof(double));
    field_on(f, CONDENSE_PATH_FAST, th, f2); /* FAST when FAST: the same */
    assert_ptr_equal(f->fast, buffers);
    assert_memory_equal(f1, f2, s.dim * sizeof(double));
    assert_int_equal(f->n_field, 5);
    field_scale(d, &s, act_named("tanh"), 0.2, th, scale);
    assert_true(worst_ratio(f1, d1, scale, s.dim) <= 1.0);

    /* theta_bar may be the output */
    double *io = copy_of(th, s.dim);
    assert_int_equal(condense_real_field(f, io, io), CONDENSE_OK);
    assert_memory_equal(io, f1, s.dim * sizeof(double));
    /* ... or the flow's scratch (how GD calls it) */
    assert_int_equal(condense_real_field(f, th, f->scratch), CONDENSE_OK);
    assert_memory_equal(f->scratch, f1, s.dim * sizeof(double));

    /* P is a snapshot of the pixels taken by set_path: after a pixel changes, the direct path
     * sees it at once and the fast path once FAST is selected again. */
    double *x = condense_data_x(d, 2, 3, 2, 1);
    const double saved = *x;
    *x = -0.75;
    assert_int_equal(condense_real_field(f, th, f2), CONDENSE_OK);
    assert_memory_equal(f1, f2, s.dim * sizeof(double)); /* still the old pixels */
    field_on(f, CONDENSE_PATH_DIRECT, th, d2);
    assert_true(worst_ratio(d2, d1, scale, s.dim) > 1.0); /* the pixel matters */
    field_on(f, CONDENSE_PATH_FAST, th, f2);
    field_scale(d, &s, act_named("tanh"), 0.2, th, scale);
    assert_true(worst_ratio(f2, d2, scale, s.dim) <= 1.0);
    *x = saved;

    /* Another number of samples (flow->data pointed at the first 2 of the 3): the direct path
     * follows; the fast path refuses until FAST is selected again, which rebuilds its buffers
     * for the new n. */
    condense_data sub = *d;
    sub.n = 2;
    f->data = &sub;
    for (size_t k = 0; k < s.dim; ++k)
        f2[k] = 7.0;
    ASSERT_FAILS(condense_real_field(f, th, f2), CONDENSE_ESIZE);
    assert_msg_has("n = 2");
    for (size_t k = 0; k < s.dim; ++k)
        assert_true(f2[k] == 7.0);
    field_on(f, CONDENSE_PATH_DIRECT, th, d2);
    field_on(f, CONDENSE_PATH_FAST, th, f2);
    assert_ptr_not_equal(f->fast, NULL);
    const dims s2 = dims_of(&sub, 4, 2);
    field_scale(&sub, &s2, act_named("tanh"), 0.2, th, scale);
    assert_true(worst_ratio(f2, d2, scale, s.dim) <= 1.0);
    assert_true(worst_ratio(f2, f1, scale, s.dim) > 1.0); /* the third sample mattered */
    f->data = d;

    free(io);
    free(th);
    free(d1);
    free(d2);
    free(f1);
    free(f2);
    free(scale);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* ---- 4. errors ---------------------------------------------------------------------------- */

static void test_set_path_errors(void **state)
{
    (void)state;
    condense_data *d = make_data(2, 4, 4, 1, 51);
    const dims s = dims_of(d, 2, 2);
    condense_real_flow *f = make_flow(d, 2, 2, "tanh", 0.5);
    ASSERT_FAILS(condense_real_flow_set_path(NULL, CONDENSE_PATH_FAST), CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_set_path(NULL, CONDENSE_PATH_DIRECT), CONDENSE_EINVAL);
    /* unknown values leave the flow as it was, on either path */
    ASSERT_FAILS(condense_real_flow_set_path(f, (condense_path)7), CONDENSE_EINVAL);
    assert_msg_has("path 7");
    assert_int_equal(f->path, CONDENSE_PATH_DIRECT);
    assert_null(f->fast);
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_OK);
    const struct condense_fast_flow *buffers = f->fast;
    ASSERT_FAILS(condense_real_flow_set_path(f, (condense_path)-1), CONDENSE_EINVAL);
    assert_int_equal(f->path, CONDENSE_PATH_FAST);
    assert_ptr_equal(f->fast, buffers);

    /* DIRECT keeps the buffers */
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_DIRECT), CONDENSE_OK);
    assert_ptr_equal(f->fast, buffers);
    condense_real_flow_free(f);

    /* path is a public member: set by hand on a new flow (no buffers), the field refuses */
    f = make_flow(d, 2, 2, "tanh", 0.5);
    f->path = CONDENSE_PATH_FAST;
    double *th = random_state(s.dim, 1.0, 52), *out = new_vec(s.dim);
    for (size_t k = 0; k < s.dim; ++k)
        out[k] = 7.0;
    ASSERT_FAILS(condense_real_field(f, th, out), CONDENSE_EINVAL);
    assert_msg_has("condense_real_flow_set_path");
    for (size_t k = 0; k < s.dim; ++k)
        assert_true(out[k] == 7.0);
    f->path = CONDENSE_PATH_DIRECT;

    /* Data too large for the patch matrix.  They are only described (a copy of d's header with
     * a huge n), never read: set_path sizes and allocates before it fills P, and on failure
     * leaves the flow as it was.  n W_1 H_1 (C_0 m^2 + 1) doubles with n = 2^60 exceed SIZE_MAX
     * bytes: CONDENSE_ESIZE; with n = 2^44 they fit a size_t but not the 2^47-byte address
     * space of x86-64 Linux (6e15 bytes): malloc fails, CONDENSE_ENOMEM, nothing leaks. */
    condense_data big = *d;
    f->data = &big;
    big.n = (size_t)1 << 60;
    ASSERT_FAILS(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_ESIZE);
    assert_msg_has("address space");
    assert_int_equal(f->path, CONDENSE_PATH_DIRECT);
    assert_null(f->fast);
    big.n = (size_t)1 << 44;
    ASSERT_FAILS(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_ENOMEM);
    assert_msg_has("cannot allocate");
    assert_int_equal(f->path, CONDENSE_PATH_DIRECT);
    assert_null(f->fast);
    f->data = d;
    free(th);
    free(out);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* The message after the "function: " prefix, to compare the two paths' wording. */
static const char *msg_tail(const char *msg)
{
    const char *colon = strstr(msg, ": ");
    return colon == NULL ? msg : colon + 2;
}

/* The field fails on both paths with the same status and the same message (after the function
 * name); out stays untouched on the fast path.  counted: whether the calls count in n_field
 * (those that pass the argument checks, theta_bar's finiteness among them, do). */
static void both_fail(condense_real_flow *f, const double *th, double *out, const char *needle,
                      unsigned long counted)
{
    char direct_msg[1024];
    const unsigned long before = f->n_field;
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_DIRECT), CONDENSE_OK);
    ASSERT_FAILS(condense_real_field(f, th, out), CONDENSE_EDOM);
    assert_msg_has(needle);
    snprintf(direct_msg, sizeof direct_msg, "%s", msg_tail(condense_errmsg()));
    for (size_t k = 0; k < f->dim; ++k)
        out[k] = 7.0;
    assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_OK);
    ASSERT_FAILS(condense_real_field(f, th, out), CONDENSE_EDOM);
    assert_msg_has(needle);
    assert_string_equal(msg_tail(condense_errmsg()), direct_msg);
    for (size_t k = 0; k < f->dim; ++k)
        assert_true(out[k] == 7.0);
    assert_int_equal(f->n_field, before + 2 * counted);
}

static void test_nonfinite(void **state)
{
    (void)state;
    condense_data *d = make_data(2, 4, 4, 1, 81);
    const dims s = dims_of(d, 2, 2);
    condense_real_flow *f = make_flow(d, 2, 2, "x2tanh", 1.0);
    double *th = random_state(s.dim, 1.0, 82), *out = new_vec(s.dim), *big = copy_of(th, s.dim);
    for (size_t k = 0; k < s.dim; ++k)
        out[k] = 7.0;
    /* non-finite theta_bar: refused before either path runs */
    big[ia(&s, 3, 2, 1)] = NAN;
    both_fail(f, big, out, "a_{3,2,1}", 0);
    /* sigma(eps x_bar) overflows: x2tanh at x_bar ~ 1e200 gives x^2 ~ 1e400 */
    memcpy(big, th, s.dim * sizeof(double));
    big[ib(&s, 1)] = 0.0;
    big[ib(&s, 2)] = 1e200;
    both_fail(f, big, out, "x_bar_{1,1,2}(1)", 1);
    /* e_i overflows while every sigma is finite: a_bar = 1e307, x_bar = 3 at every position
     * (W = 0, b = 3), sigma = 9 tanh 3 ~ 8.9, and e sums 2 kernels x 9 positions of 8.9e307 */
    memset(big, 0, s.nW * sizeof(double));
    for (size_t beta = 1; beta <= 2; ++beta)
        big[ib(&s, beta)] = 3.0;
    for (size_t k = s.nW + s.M; k < s.dim; ++k)
        big[k] = 1e307;
    both_fail(f, big, out, "e_1", 1);
    condense_real_flow_free(f);

    /* several non-finite entries: the first in the direct path's order (sample, then kernel,
     * then position) is named.  m = 1, C_0 = 1: x_bar = W x + b.  Kernel 2 overflows
     * everywhere (b = 1e200); kernel 1 with W = 2.5e154, b = 0 overflows x^2 (tanh x = +-1)
     * only where |W x| > sqrt(DBL_MAX) = 1.34e154, i.e. |x| > 0.536: most pixels of this set
     * are clamped at |x| = 0.5, so kernel 1's first bad position is somewhere inside the
     * image, found here by scanning the pixels. */
    const dims s1 = dims_of(d, 2, 1);
    f = make_flow(d, 2, 1, "x2tanh", 1.0);
    double *many = random_state(s1.dim, 1.0, 83), *out1 = new_vec(s1.dim);
    many[iW(&s1, 0, 0, 1, 1)] = 2.5e154;
    many[ib(&s1, 1)] = 0.0;
    many[ib(&s1, 2)] = 1e200;
    char expected[64] = "";
    for (size_t u = 1; u <= 4 && expected[0] == '\0'; ++u)
        for (size_t v = 1; v <= 4 && expected[0] == '\0'; ++v)
            if (2.5e154 * fabs(*condense_data_x(d, 1, u, v, 1)) > sqrt(DBL_MAX))
                snprintf(expected, sizeof expected, "x_bar_{%zu,%zu,1}(1)", u, v);
    assert_true(expected[0] != '\0');
    assert_true(strcmp(expected, "x_bar_{1,1,1}(1)") != 0); /* not simply the first entry */
    both_fail(f, many, out1, expected, 1);
    printf("# first non-finite entry named by both paths: %s\n", expected);
    condense_real_flow_free(f);

    /* e_i finite, the W line of the field overflows: tanh, eps = 1e-10, x_bar = 3, a_bar =
     * 1e250 give e ~ eps 18 a_bar tanh(3 eps) ~ 5e231 and e a_bar sigma' ~ 5e481 > DBL_MAX,
     * while d a_bar/dt ~ e tanh(3 eps) / eps ~ 1.6e232 stays finite: the check of the result
     * (shared by both paths) names the entry */
    f = make_flow(d, 2, 2, "tanh", 1e-10);
    for (size_t k = s.nW + s.M; k < s.dim; ++k)
        big[k] = 1e250;
    both_fail(f, big, out, "field d/dt of W_{", 1);
    condense_real_flow_free(f);
    free(many);
    free(out1);
    free(big);
    free(th);
    free(out);
    condense_data_free(d);
}

/* A NaN that appears in the data during a run (the flow reads the labels at every evaluation):
 * the observer after step 2 puts NaN into y_2; step 3's field fails on both paths, the message
 * names the step, its time and e_2, and theta_bar is the state after step 2 exactly (the
 * observer's copy). */
typedef struct poison {
    condense_data *d;
    double *seen; /* theta_bar at the last observation */
    size_t dim, calls;
} poison;

static int poison_labels(double t, const double *theta_bar, void *user)
{
    (void)t;
    poison *p = user;
    memcpy(p->seen, theta_bar, p->dim * sizeof(double));
    if (++p->calls == 3) *condense_data_y(p->d, 2) = NAN; /* calls: t = 0, lr, 2 lr */
    return CONDENSE_OK;
}

static void test_nan_in_data_during_gd(void **state)
{
    (void)state;
    for (int path = 0; path < 2; ++path) {
        condense_data *d = make_data(3, 4, 4, 1, 91);
        const dims s = dims_of(d, 2, 2);
        condense_real_flow *f = make_flow(d, 2, 2, "tanh", 0.5);
        if (path == 1)
            assert_int_equal(condense_real_flow_set_path(f, CONDENSE_PATH_FAST), CONDENSE_OK);
        double *th = random_state(s.dim, 1.0, 92);
        poison p = {d, new_vec(s.dim), s.dim, 0};
        ASSERT_FAILS(condense_real_flow_gd(f, th, 0.25, 5, 1, poison_labels, &p), CONDENSE_EDOM);
        assert_msg_has("GD step 3 from t = 0.5");
        assert_msg_has("e_2 = f(x_2, theta) - y_2 = nan");
        assert_int_equal(p.calls, 3);
        assert_memory_equal(th, p.seen, s.dim * sizeof(double)); /* the last good state */
        free(p.seen);
        free(th);
        condense_real_flow_free(f);
        condense_data_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_matches_direct),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_ode_both_paths),
        cmocka_unit_test(test_gd_both_paths),
        cmocka_unit_test(test_switch_paths),
        cmocka_unit_test(test_set_path_errors),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_nan_in_data_during_gd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
