/* test_real_flow.c -- the real gradient flow of the two-layer CNN in rescaled coordinates,
 * CNN paper App. C.1 (eq. 26-28) and App. D, and its integrators (GSL odeiv2, GD, Adam).
 *
 * Independent routes used here:
 *  - the rescaled field against the generic GD field of eq. (23) (condense_gd_field: the
 *    backward pass of App. B.3, itself checked against finite differences in test_gradient.c)
 *    at theta = eps theta_bar, divided by eps (NOTES.md: a change of coordinates, not of time);
 *  - its Jacobian at theta_bar = 0, by central finite differences, against the matrix A of
 *    eq. (34)/(68) built from the data alone by linearization.c;
 *  - the ODE solution against fixed-step GD (Euler's method: first order in lr) and against
 *    itself at another tolerance; the risk R_S of eq. (1), computed on the unscaled network by
 *    the forward pass, along the flow (a gradient flow never increases it);
 *  - GD and Adam against the test's own loops on the flat unscaled parameter vector.
 * The parameter layout is reached through the documented storage formulas of cnn.h (written
 * out below), never through the library's pack/theta_beta code.
 *
 * Rounding model (used by several tolerances).  u = DBL_EPSILON / 2.  A quantity computed by a
 * chain of k roundings has relative error at most gamma_k = k u / (1 - k u) ~ k u per term, so a
 * computed sum s of products errs by at most gamma_k sum |terms| (Higham, Accuracy and Stability
 * of Numerical Algorithms, Sec. 3.1).  Every chain here (a dot product over C_0 m^2 + 1 <= 13
 * terms, a sum over at most M W_1 H_1 <= 48 kernels and positions, one over n W_1 H_1 <= 36
 * samples and positions, a few multiplications and one libm call of <= 2 ulp) is shorter than
 * 128 operations; each of the two field implementations errs by at most 128 u sum|terms|, so
 * their difference by 256 u sum|terms| with the sum|terms| propagated as below.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/error.h"
#include "condense/init.h"
#include "condense/linearization.h"
#include "condense/real_flow.h"

#define U (DBL_EPSILON / 2.0)
#define K_ROUND 256.0 /* two implementations, each <= 128 roundings per chain (see above) */

/* ---- helpers: instances, layout, the generic field ---------------------------------------- */

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

static double *copy_of(const double *x, size_t dim)
{
    double *y = malloc(dim * sizeof(double));
    assert_non_null(y);
    memcpy(y, x, dim * sizeof(double));
    return y;
}

/* Sizes of the two-layer network, and flat indices by the storage formulas of cnn.h:
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
/* Entry r of theta_beta (theta.h: W by alpha, p, q; b; a by u, v) as a flat index. */
static size_t i_theta_beta(const dims *s, size_t beta, size_t r)
{
    const size_t mm = s->m * s->m;
    if (r < s->C0 * mm) return iW(s, r % mm / s->m, r % s->m, r / mm + 1, beta);
    if (r == s->C0 * mm) return ib(s, beta);
    const size_t j = r - s->C0 * mm - 1;
    return ia(s, j / s->H1 + 1, j % s->H1 + 1, beta);
}

static condense_cnn *make_net(const dims *s, condense_activation act)
{
    condense_cnn_shape shape;
    memset(&shape, 0, sizeof shape);
    shape.L = 1;
    shape.W0 = s->W0;
    shape.H0 = s->H0;
    shape.C0 = s->C0;
    shape.C[1] = s->M;
    shape.m[1] = s->m;
    condense_cnn *net = NULL;
    assert_int_equal(condense_cnn_alloc(&shape, act, &net), CONDENSE_OK);
    assert_int_equal(condense_cnn_nparams(net), s->dim);
    return net;
}

/* Eq. (23) at theta = eps theta_bar by the generic backward pass, divided by eps: the rescaled
 * field by the change of coordinates. */
static void generic_field(const condense_data *d, const dims *s, condense_activation act,
                          double eps, const double *theta_bar, double *out)
{
    condense_cnn *net = make_net(s, act), *dnet = make_net(s, act);
    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    double *theta = malloc(s->dim * sizeof(double));
    assert_non_null(theta);
    for (size_t k = 0; k < s->dim; ++k)
        theta[k] = eps * theta_bar[k];
    condense_cnn_unpack(net, theta);
    assert_int_equal(condense_gd_field(net, d, ws, dnet, NULL), CONDENSE_OK);
    condense_cnn_pack(dnet, out);
    for (size_t k = 0; k < s->dim; ++k)
        out[k] /= eps;
    free(theta);
    condense_workspace_free(ws);
    condense_cnn_free(net);
    condense_cnn_free(dnet);
}

/* R_S of eq. (1) on the unscaled network theta = eps theta_bar. */
static double risk_at(const condense_data *d, const dims *s, condense_activation act, double eps,
                      const double *theta_bar)
{
    condense_cnn *net = make_net(s, act);
    condense_workspace *ws = NULL;
    assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
    double *theta = malloc(s->dim * sizeof(double));
    assert_non_null(theta);
    for (size_t k = 0; k < s->dim; ++k)
        theta[k] = eps * theta_bar[k];
    condense_cnn_unpack(net, theta);
    double R = NAN;
    assert_int_equal(condense_risk(net, d, ws, &R, NULL), CONDENSE_OK);
    free(theta);
    condense_workspace_free(ws);
    condense_cnn_free(net);
    return R;
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

/* ---- 1. the rescaled field is eq. (23) after the change of coordinates --------------------- */

/* The rounding scale of every field entry: the rescaled field with every quantity replaced by a
 * bound on its absolute value, including the propagation of the rounding of x_bar and e_i.
 *   Xa = sum |x| |W_bar| + |b_bar|      (x_bar errs by <= k u Xa; sigma(eps x_bar) then by
 *                                        |sigma'| k u eps Xa, sigma' by C2 k u eps Xa, C2 >=
 *                                        sup|sigma''|)
 *   Ea_i = |y_i| + eps sum |a_bar| (|sigma| + |sigma'| eps Xa)  (e_i errs by <= k u Ea_i)
 *   a_{u,v}:  (1/n) sum_i [Ea_i |sigma| / eps + |e_i| (|sigma| / eps + |sigma'| Xa)]
 *   W, b:     (1/n) sum_i sum_{u,v} |a_bar| |x or 1| [Ea_i |sigma'| + |e_i| (|sigma'| +
 *                                                       C2 eps Xa)]
 * so each implementation errs by at most 128 u times this scale, and they differ by at most
 * K_ROUND u times it. */
static void rounding_scale(const condense_data *d, const dims *s, condense_activation act,
                           double eps, const double *th, double *scale)
{
    const double C2 = act.type->C_L * fabs(act.scale);
    memset(scale, 0, s->dim * sizeof(double));
    const size_t Np = s->W1 * s->H1 * s->M;
    double *x = malloc(Np * sizeof(double)), *Xa = malloc(Np * sizeof(double));
    assert_non_null(x);
    assert_non_null(Xa);
    for (size_t i = 1; i <= s->n; ++i) {
        double e = -*condense_data_y(d, i), Ea = fabs(*condense_data_y(d, i));
        for (size_t u = 1; u <= s->W1; ++u)
            for (size_t v = 1; v <= s->H1; ++v)
                for (size_t beta = 1; beta <= s->M; ++beta) {
                    double sum = 0.0, sa = 0.0;
                    for (size_t alpha = 1; alpha <= s->C0; ++alpha)
                        for (size_t p = 0; p < s->m; ++p)
                            for (size_t q = 0; q < s->m; ++q) {
                                const double xi = *condense_data_x(d, i, u + p, v + q, alpha);
                                const double w = th[iW(s, p, q, alpha, beta)];
                                sum += xi * w;
                                sa += fabs(xi * w);
                            }
                    const size_t k = ((u - 1) * s->H1 + (v - 1)) * s->M + (beta - 1);
                    x[k] = sum + th[ib(s, beta)];
                    Xa[k] = sa + fabs(th[ib(s, beta)]);
                    const double sg = condense_sigma(&act, eps * x[k]);
                    const double s1 = condense_sigma1(&act, eps * x[k]);
                    const double a = th[ia(s, u, v, beta)];
                    e += eps * a * sg;
                    Ea += eps * fabs(a) * (fabs(sg) + fabs(s1) * eps * Xa[k]);
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

/* The largest |ours - generic| / (K_ROUND u scale) over the entries. */
static double worst_ratio(const double *ours, const double *ref, const double *scale, size_t dim)
{
    double worst = 0.0;
    for (size_t k = 0; k < dim; ++k) {
        const double tol = K_ROUND * U * scale[k];
        const double diff = fabs(ours[k] - ref[k]);
        if (diff == 0.0) continue;
        worst = fmax(worst, tol > 0.0 ? diff / tol : INFINITY);
    }
    return worst;
}

static void test_field_matches_generic(void **state)
{
    (void)state;
    const double epss[] = {1.0, 0.1, 1e-3, 1e-6};
    const size_t C0s[] = {1, 3}, Ms[] = {1, 4};
    const char *acts[] = {"tanh", "silu2", "xtanh"};
    double overall = 0.0;
    for (size_t ic = 0; ic < 2; ++ic) {
        /* 5 x 4 images (W_0 != H_0 catches u/v swaps), m = 2: W_1 H_1 = 4 x 3. */
        condense_data *d = make_data(3, 5, 4, C0s[ic], 11 + ic);
        for (size_t iM = 0; iM < 2; ++iM)
            for (size_t ia_ = 0; ia_ < 3; ++ia_)
                for (size_t ie = 0; ie < 4; ++ie) {
                    const dims s = dims_of(d, Ms[iM], 2);
                    condense_real_flow *f = make_flow(d, Ms[iM], 2, acts[ia_], epss[ie]);
                    assert_int_equal(f->dim, s.dim);
                    double *th = random_state(s.dim, 1.0, 100 + 10 * ic + iM);
                    double *ours = malloc(s.dim * sizeof(double));
                    double *ref = malloc(s.dim * sizeof(double));
                    double *scale = malloc(s.dim * sizeof(double));
                    assert_non_null(ours);
                    assert_non_null(ref);
                    assert_non_null(scale);
                    const unsigned long before = f->n_field;
                    assert_int_equal(condense_real_field(f, th, ours), CONDENSE_OK);
                    assert_int_equal(f->n_field, before + 1);
                    generic_field(d, &s, act_named(acts[ia_]), epss[ie], th, ref);
                    rounding_scale(d, &s, act_named(acts[ia_]), epss[ie], th, scale);
                    const double worst = worst_ratio(ours, ref, scale, s.dim);
                    overall = fmax(overall, worst);
                    if (worst > 1.0)
                        fail_msg("C0 %zu M %zu %s eps %g: |ours - generic| = %g x tolerance",
                                 C0s[ic], Ms[iM], acts[ia_], epss[ie], worst);
                    /* The check can fail: a relative change of 1e-9 in one W_bar entry moves
                     * the generic field by far more than the rounding tolerance (the scale is
                     * ~1e-14 relative, the change ~1e-9 relative). */
                    th[0] *= 1.0 + 1e-9;
                    generic_field(d, &s, act_named(acts[ia_]), epss[ie], th, ref);
                    assert_true(worst_ratio(ours, ref, scale, s.dim) > 1.0);
                    free(th);
                    free(ours);
                    free(ref);
                    free(scale);
                    condense_real_flow_free(f);
                }
        condense_data_free(d);
    }
    printf("# field vs eq. (23): largest |difference| / tolerance = %.3g\n", overall);
}

/* ---- 2. the linearization at theta_bar = 0 is A ------------------------------------------- */

/* The Jacobian J of the field at theta_bar = 0 by central differences with step h = 2^-10
 * (exact in binary, so theta_bar = +-h e_j exactly).
 *
 * What J is.  At theta_bar = 0 every a_bar vanishes, so f = 0 and e_i = -y_i, and sigma(0) = 0
 * for the activations used.  Along one coordinate s e_j:
 *  - j an a_bar_{u,v,beta}: x_bar = 0 everywhere, so e_i = -y_i and d W_bar/dt, d b_bar/dt of
 *    kernel beta are (1/n) sum_i y_i s sigma'(0) x (or 1): EXACTLY linear in s; every other
 *    entry has a factor a_bar of another kernel (zero) or sigma(0) = 0, so is exactly 0;
 *  - j a W_bar or b_bar of kernel beta: all a_bar = 0, so every W, b entry of the field is
 *    exactly 0, and d a_bar_{u,v,beta}/dt = (1/n) sum_i y_i sigma(eps s X_i) / eps with X_i the
 *    pixel x_{u+p,v+q,alpha}(i) (or 1); other kernels' entries have sigma(0) = 0: exactly 0.
 * So J = sigma'(0) A (eq. 34/68) for every eps, blocks between kernels are exactly zero, and the
 * only truncation error is that of the central difference of sigma(eps s X)/eps:
 * (h^2/6) eps^2 sup|sigma'''| (1/n) sum |y_i| |X_i|^3, with sup|tanh'''| = 2 and
 * sup|silu2'''| = 0.616 (computed with mpmath): C3 = 2 bounds both.  With |x| <= 1 and |y| <= 2
 * (synthetic data, c = 2) this is <= (h^2/6) eps^2 4 -- 1e-20 at eps = 1e-7 and 6e-13 at
 * eps = 1e-3.
 * Rounding: f(+-h) ~ h A_jk are each computed with relative error <= 128 u over a sum whose
 * |terms| add to h (1/n) sum |y| |X| <= 2 h, so the quotient errs by <= 2 * 128 u * 2 h / (2h)
 * = 512 u ~ 6e-14 (the generic K_ROUND chains are longer than these). */
static void test_linearization(void **state)
{
    (void)state;
    const double h = 1.0 / 1024.0;
    const char *acts[] = {"tanh", "silu2", "xtanh"};
    const double epss[] = {1e-7, 1e-3};
    for (size_t C0 = 1; C0 <= 2; ++C0) {
        condense_data *d = make_data(4, 5, 4, C0, 21 + C0);
        const size_t M = 3, m = 2;
        const dims s = dims_of(d, M, m);
        gsl_matrix *Z = NULL, *A = NULL;
        assert_int_equal(condense_Z_alloc(d, m, &Z), CONDENSE_OK);
        assert_int_equal(condense_A_alloc(Z, &A), CONDENSE_OK);
        const size_t N = s.dim / M; /* length of theta_beta */
        assert_int_equal(A->size1, N);
        for (size_t ia_ = 0; ia_ < 3; ++ia_)
            for (size_t ie = 0; ie < 2; ++ie) {
                const double eps = epss[ie];
                const double sigma1_0 = ia_ == 2 ? 0.0 : 1.0; /* tanh'(0) = silu2'(0) = 1 */
                condense_real_flow *f = make_flow(d, M, m, acts[ia_], eps);
                double *th = calloc(s.dim, sizeof(double));
                double *fp = malloc(s.dim * sizeof(double)), *fm = malloc(s.dim * sizeof(double));
                double *J = malloc(s.dim * s.dim * sizeof(double)); /* J[row * dim + col] */
                assert_non_null(th);
                assert_non_null(fp);
                assert_non_null(fm);
                assert_non_null(J);
                for (size_t col = 0; col < s.dim; ++col) {
                    th[col] = h;
                    assert_int_equal(condense_real_field(f, th, fp), CONDENSE_OK);
                    th[col] = -h;
                    assert_int_equal(condense_real_field(f, th, fm), CONDENSE_OK);
                    th[col] = 0.0;
                    for (size_t row = 0; row < s.dim; ++row)
                        J[row * s.dim + col] = (fp[row] - fm[row]) / (2.0 * h);
                }
                const double tol = 512.0 * U + h * h / 6.0 * eps * eps * 2.0 * 4.0;
                double worst = 0.0;
                for (size_t beta = 1; beta <= M; ++beta)
                    for (size_t gam = 1; gam <= M; ++gam)
                        for (size_t r = 0; r < N; ++r)
                            for (size_t c = 0; c < N; ++c) {
                                const double Jrc =
                                    J[i_theta_beta(&s, beta, r) * s.dim + i_theta_beta(&s, gam, c)];
                                if (beta != gam) {
                                    /* exactly zero: see above */
                                    assert_true(Jrc == 0.0);
                                    continue;
                                }
                                const double Arc = sigma1_0 * gsl_matrix_get(A, r, c);
                                if (Arc == 0.0) assert_true(Jrc == 0.0); /* exact zero blocks */
                                worst = fmax(worst, fabs(Jrc - Arc));
                            }
                if (worst > tol)
                    fail_msg("%s C0 %zu eps %g: max |J - A| = %g > %g", acts[ia_], C0, eps, worst,
                             tol);
                if (ia_ == 2) {
                    /* xtanh (r = 2): sigma'(0) = 0, and xtanh is even, so f(+h) = f(-h) exactly */
                    assert_true(max_abs(J, s.dim * s.dim) == 0.0);
                } else {
                    /* not vacuous: A has entries far above the tolerance */
                    assert_true(max_abs(A->data, N * N) > 1e6 * tol);
                }
                free(th);
                free(fp);
                free(fm);
                free(J);
                condense_real_flow_free(f);
            }
        gsl_matrix_free(Z);
        gsl_matrix_free(A);
        condense_data_free(d);
    }
}

/* ---- 3. the ODE: dense output, GD as Euler, tolerances, R_S decreasing -------------------- */

typedef struct recorder {
    size_t count, cap, dim;
    double *t;
    double *states; /* cap x dim */
    int stop_at;    /* 1-based call that returns stop_status, 0: never */
    int stop_status;
    const char *stop_msg; /* recorded with condense_error_set when non-NULL */
} recorder;

static recorder *recorder_new(size_t cap, size_t dim)
{
    recorder *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->cap = cap;
    r->dim = dim;
    r->t = malloc(cap * sizeof(double));
    r->states = malloc(cap * dim * sizeof(double));
    assert_non_null(r->t);
    assert_non_null(r->states);
    return r;
}

static void recorder_free(recorder *r)
{
    free(r->t);
    free(r->states);
    free(r);
}

static int record(double t, const double *theta_bar, void *user)
{
    recorder *r = user;
    assert_true(r->count < r->cap);
    r->t[r->count] = t;
    memcpy(r->states + r->count * r->dim, theta_bar, r->dim * sizeof(double));
    r->count++;
    if (r->stop_at != 0 && (int)r->count == r->stop_at) {
        if (r->stop_msg != NULL)
            return condense_error_set(r->stop_status, "observer", "%s", r->stop_msg);
        return r->stop_status;
    }
    return CONDENSE_OK;
}

/* The instance of the dynamics tests: 4 samples of 4 x 4 images, m = 2, M = 2 kernels, tanh,
 * eps = 0.5, theta_bar ~ N(0, 1): small enough for hundreds of steps, eps large enough for the
 * nonlinearity to matter. */
#define DYN_EPS 0.5
#define DYN_T 1.0

static void test_dense_output_and_risk(void **state)
{
    (void)state;
    condense_data *d = make_data(4, 4, 4, 1, 31);
    const dims s = dims_of(d, 2, 2);
    condense_real_flow *f = make_flow(d, 2, 2, "tanh", DYN_EPS);
    double *th0 = random_state(s.dim, 1.0, 32);
    enum { NT = 21 };
    double times[NT];
    for (size_t k = 0; k < NT; ++k)
        times[k] = DYN_T * (double)k / (NT - 1);
    times[3] = times[2]; /* a repeated time is allowed (non-decreasing) */
    recorder *rec = recorder_new(NT, s.dim);
    double *th = copy_of(th0, s.dim);
    assert_int_equal(condense_real_flow_integrate(f, th, times, NT, 1e-12, 1e-12, record, rec),
                     CONDENSE_OK);
    /* obs receives exactly the requested times, in order, and the state it sees last is the
     * one returned */
    assert_int_equal(rec->count, NT);
    for (size_t k = 0; k < NT; ++k)
        assert_true(rec->t[k] == times[k]);
    assert_memory_equal(rec->states, th0, s.dim * sizeof(double));
    assert_memory_equal(rec->states + (NT - 1) * s.dim, th, s.dim * sizeof(double));
    assert_memory_equal(rec->states + 2 * s.dim, rec->states + 3 * s.dim, s.dim * sizeof(double));

    /* Gradient flow: dR_S/dt = -|grad R_S|^2 <= 0, so R_S(t_k) is non-increasing.  The solution
     * errs by ~1e-12 per unit (tolerance 1e-12); R_S is Lipschitz in theta_bar with constant
     * |grad_theta_bar R_S| = eps |grad R_S| = O(1) here, so each R_S value errs by ~1e-11 at
     * most: 1e-10 R_S(0) is a generous allowance. */
    double R_prev = risk_at(d, &s, act_named("tanh"), DYN_EPS, rec->states);
    const double R0 = R_prev;
    for (size_t k = 1; k < NT; ++k) {
        const double R = risk_at(d, &s, act_named("tanh"), DYN_EPS, rec->states + k * s.dim);
        assert_true(R <= R_prev + 1e-10 * R0);
        R_prev = R;
    }
    /* not vacuous: the risk decreases substantially over [0, T] */
    printf("# R_S(0) = %.6g, R_S(T) = %.6g\n", R0, R_prev);
    assert_true(R_prev < 0.9 * R0);

    /* obs may be NULL: the same steps are taken, so the same state results, bit for bit */
    double *th2 = copy_of(th0, s.dim);
    assert_int_equal(condense_real_flow_integrate(f, th2, times, NT, 1e-12, 1e-12, NULL, NULL),
                     CONDENSE_OK);
    assert_memory_equal(th2, th, s.dim * sizeof(double));
    /* one time only: no integration, theta_bar unchanged, obs called once at times[0] */
    rec->count = 0;
    assert_int_equal(condense_real_flow_integrate(f, th2, times + 5, 1, 1e-12, 1e-12, record, rec),
                     CONDENSE_OK);
    assert_int_equal(rec->count, 1);
    assert_true(rec->t[0] == times[5]);
    assert_memory_equal(th2, th, s.dim * sizeof(double));

    free(th);
    free(th2);
    free(th0);
    recorder_free(rec);
    condense_real_flow_free(f);
    condense_data_free(d);
}

static double norm2(const double *x, size_t dim)
{
    double s = 0.0;
    for (size_t k = 0; k < dim; ++k)
        s += x[k] * x[k];
    return sqrt(s);
}

static double dist2(const double *x, const double *y, size_t dim)
{
    double s = 0.0;
    for (size_t k = 0; k < dim; ++k)
        s += (x[k] - y[k]) * (x[k] - y[k]);
    return sqrt(s);
}

/* What the error bounds of the integrators need from the field at one state:
 *  - mu: the logarithmic 2-norm of the Jacobian J, the largest eigenvalue of (J + J^T) / 2
 *    (gsl_eigen_symm): perturbations grow at most like exp(mu t);
 *  - M2 = |J field|_2 = |d^2 theta_bar / dt^2|_2, the curvature of the trajectory.
 * J by central differences with h = 1e-5.  The field is a gradient, -(1/eps^2) grad of
 * R_S(eps theta_bar) in theta_bar, so J is symmetric; its computed asymmetry is returned as a
 * check of the field: central differences err by h^2/6 |field'''| + 2 u |field| / (2h); with
 * |field| <= 100 and |field'''| <= 1e3 on these O(1) states that is < 2e-8, so an asymmetry
 * above 1e-7 (1 + max|J|) would mean the field is not a gradient. */
typedef struct jac_info {
    double mu, M2, asym, Jmax;
} jac_info;

static jac_info jacobian_info(condense_real_flow *f, const double *theta_bar)
{
    const size_t dim = f->dim;
    double *th = copy_of(theta_bar, dim);
    double *fp = malloc(dim * sizeof(double)), *fm = malloc(dim * sizeof(double));
    double *f0 = malloc(dim * sizeof(double)), *Jf = calloc(dim, sizeof(double));
    gsl_matrix *J = gsl_matrix_alloc(dim, dim), *S = gsl_matrix_alloc(dim, dim);
    gsl_vector *ev = gsl_vector_alloc(dim);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(dim);
    assert_true(fp && fm && f0 && Jf && J && S && ev && w);
    const double h = 1e-5;
    for (size_t j = 0; j < dim; ++j) {
        th[j] = theta_bar[j] + h;
        assert_int_equal(condense_real_field(f, th, fp), CONDENSE_OK);
        th[j] = theta_bar[j] - h;
        assert_int_equal(condense_real_field(f, th, fm), CONDENSE_OK);
        th[j] = theta_bar[j];
        for (size_t i = 0; i < dim; ++i)
            gsl_matrix_set(J, i, j, (fp[i] - fm[i]) / (2.0 * h));
    }
    assert_int_equal(condense_real_field(f, theta_bar, f0), CONDENSE_OK);
    jac_info info = {0.0, 0.0, 0.0, 0.0};
    for (size_t i = 0; i < dim; ++i)
        for (size_t j = 0; j < dim; ++j) {
            const double Jij = gsl_matrix_get(J, i, j), Jji = gsl_matrix_get(J, j, i);
            gsl_matrix_set(S, i, j, 0.5 * (Jij + Jji));
            info.asym = fmax(info.asym, fabs(Jij - Jji));
            info.Jmax = fmax(info.Jmax, fabs(Jij));
            Jf[i] += Jij * f0[j];
        }
    assert_int_equal(gsl_eigen_symm(S, ev, w), GSL_SUCCESS);
    info.mu = gsl_vector_max(ev);
    info.M2 = norm2(Jf, dim);
    gsl_eigen_symm_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(J);
    gsl_matrix_free(S);
    free(th);
    free(fp);
    free(fm);
    free(f0);
    free(Jf);
    return info;
}

static void test_ode_vs_gd(void **state)
{
    (void)state;
    condense_data *d = make_data(4, 4, 4, 1, 31);
    const dims s = dims_of(d, 2, 2);
    condense_real_flow *f = make_flow(d, 2, 2, "tanh", DYN_EPS);
    double *th0 = random_state(s.dim, 1.0, 32);

    /* reference: tolerance 1e-12, observed at 11 times */
    enum { NT = 11 };
    double times[NT];
    for (size_t k = 0; k < NT; ++k)
        times[k] = DYN_T * (double)k / (NT - 1);
    recorder *rec = recorder_new(NT, s.dim);
    double *ref = copy_of(th0, s.dim);
    f->n_field = 0;
    assert_int_equal(condense_real_flow_integrate(f, ref, times, NT, 1e-12, 1e-12, record, rec),
                     CONDENSE_OK);
    const unsigned long n_tight = f->n_field;

    /* mu and M2 along the trajectory: the largest over the 11 states, doubled as a margin for
     * the stretches between them (mu and M2 vary by less than a factor 2 between neighbouring
     * states here) */
    double mu = 0.0, M2 = 0.0, ymax = 0.0, Jmax = 0.0;
    for (size_t k = 0; k < NT; ++k) {
        const jac_info info = jacobian_info(f, rec->states + k * s.dim);
        assert_true(info.asym <= 1e-7 * (1.0 + info.Jmax));
        mu = fmax(mu, info.mu);
        M2 = fmax(M2, info.M2);
        Jmax = fmax(Jmax, info.Jmax);
        ymax = fmax(ymax, max_abs(rec->states + k * s.dim, s.dim));
    }
    mu *= 2.0;
    M2 *= 2.0;

    /* Two tolerances.  rk8pd keeps each step's local error below 1e-8 (1 + |y_i|) per entry at
     * tolerance 1e-8 (GSL's standard control), so below 1e-8 (1 + ymax) sqrt(dim) in 2-norm; a
     * local error made at t_k grows by at most exp(mu (T - t_k)), and there are at most n_field
     * steps (each evaluates the field at least once): the global error is at most
     * n_field 1e-8 (1 + ymax) sqrt(dim) exp(mu T), the reference's own error being 1e4 times
     * smaller. */
    double *loose = copy_of(th0, s.dim);
    const double ends[2] = {0.0, DYN_T};
    f->n_field = 0;
    assert_int_equal(condense_real_flow_integrate(f, loose, ends, 2, 1e-8, 1e-8, NULL, NULL),
                     CONDENSE_OK);
    const unsigned long n_loose = f->n_field;
    const double bound =
        (double)n_loose * 1e-8 * (1.0 + ymax) * sqrt((double)s.dim) * exp(fmax(mu, 0.0) * DYN_T);
    const double diff_tol = dist2(loose, ref, s.dim);
    printf("# along the flow: mu <= %.3g, |y''| <= %.3g, max|J_ij| = %.3g; ODE tol 1e-8 vs "
           "1e-12: %.3g (bound %.3g), field evaluations %lu and %lu\n",
           mu, M2, Jmax, diff_tol, bound, n_loose, n_tight);
    assert_true(diff_tol <= bound);
    assert_true(diff_tol > 0.0); /* the tolerance is used */

    /* GD is Euler's method on the same field with step lr.  Its local error is at most
     * lr^2 / 2 max|y''| = lr^2 M2 / 2.  J is symmetric, its eigenvalues lie in [-|J|, mu] with
     * |J|_2 <= dim max|J_ij|, and lr dim max|J_ij| < 2 (checked), so |I + lr J|_2 <= 1 + lr mu
     * and the global error at T is at most (T / lr) (lr^2 M2 / 2) exp(mu T) =
     * lr T M2 exp(mu T) / 2.  It is also C lr + O(lr^2): halving lr halves it (ratio
     * 2 (1 + O(lr))), and Richardson's 2 GD(lr/2) - GD(lr) removes the first-order term,
     * leaving O(lr^2) = O(lr) x the error of GD(lr/2). */
    const double lr = 4e-3;
    assert_true(lr * (double)s.dim * 2.0 * Jmax < 2.0);
    double *g1 = copy_of(th0, s.dim), *g2 = copy_of(th0, s.dim);
    rec->count = 0;
    assert_int_equal(condense_real_flow_gd(f, g1, lr, 250, 250, record, rec), CONDENSE_OK);
    assert_int_equal(rec->count, 2);
    assert_true(rec->t[0] == 0.0 && rec->t[1] == 250.0 * lr);
    assert_int_equal(condense_real_flow_gd(f, g2, lr / 2, 500, 100, NULL, NULL), CONDENSE_OK);
    const double e1 = dist2(g1, ref, s.dim), e2 = dist2(g2, ref, s.dim);
    double *rich = malloc(s.dim * sizeof(double));
    assert_non_null(rich);
    for (size_t k = 0; k < s.dim; ++k)
        rich[k] = 2.0 * g2[k] - g1[k];
    const double er = dist2(rich, ref, s.dim);
    const double euler_bound = lr * DYN_T * M2 * exp(fmax(mu, 0.0) * DYN_T) / 2.0;
    printf("# GD error: lr %g: %.4g (bound %.4g), lr/2: %.4g (ratio %.4f), Richardson %.3g\n", lr,
           e1, euler_bound, e2, e1 / e2, er);
    assert_true(e1 <= euler_bound);
    assert_true(e1 / e2 > 1.9 && e1 / e2 < 2.1);
    assert_true(er < 0.05 * e2);

    free(rich);
    free(g1);
    free(g2);
    free(ref);
    free(loose);
    free(th0);
    recorder_free(rec);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* ---- 4. GD and Adam against the test's own loops on the unscaled parameters --------------- */

typedef struct plain_net {
    condense_cnn *net, *dnet;
    condense_workspace *ws;
    double *theta, *g;
} plain_net;

static plain_net plain_new(const dims *s, condense_activation act, const double *theta)
{
    plain_net p;
    p.net = make_net(s, act);
    p.dnet = make_net(s, act);
    assert_int_equal(condense_workspace_alloc(p.net, &p.ws), CONDENSE_OK);
    p.theta = copy_of(theta, s->dim);
    p.g = malloc(s->dim * sizeof(double));
    assert_non_null(p.g);
    return p;
}

static void plain_free(plain_net *p)
{
    condense_cnn_free(p->net);
    condense_cnn_free(p->dnet);
    condense_workspace_free(p->ws);
    free(p->theta);
    free(p->g);
}

/* g = grad R_S(theta) = -(eq. 23 field) */
static void plain_grad(plain_net *p, const condense_data *d, size_t dim)
{
    condense_cnn_unpack(p->net, p->theta);
    assert_int_equal(condense_gd_field(p->net, d, p->ws, p->dnet, NULL), CONDENSE_OK);
    condense_cnn_pack(p->dnet, p->g);
    for (size_t k = 0; k < dim; ++k)
        p->g[k] = -p->g[k];
}

/* Both runs compute the same iteration with fields that agree to ~1e-15 relative (test 1); GD
 * is a contraction-free sum of lr * field over a few steps, and Adam's update
 * m_hat / (sqrt(v_hat) + eps_a) is insensitive to a common relative perturbation of g (it is
 * homogeneous of degree 0 in g up to eps_a), so the states agree to a few hundred u relative
 * per step: 1e-12 relative to max|theta| is a margin of ~100 over a handful of steps. */
static void test_gd_adam_vs_plain(void **state)
{
    (void)state;
    condense_data *d = make_data(4, 5, 4, 2, 41);
    const dims s = dims_of(d, 3, 2);
    const double eps = 0.1;
    condense_activation act = act_named("silu2");
    condense_real_flow *f = make_flow(d, 3, 2, "silu2", eps);
    double *th0 = random_state(s.dim, 1.0, 42);
    double *theta0 = malloc(s.dim * sizeof(double));
    assert_non_null(theta0);
    for (size_t k = 0; k < s.dim; ++k)
        theta0[k] = eps * th0[k];

    /* GD: 7 steps, observer every 3: t = 0, 3 lr, 6 lr, 7 lr */
    const double lr = 0.05;
    recorder *rec = recorder_new(8, s.dim);
    double *th = copy_of(th0, s.dim);
    assert_int_equal(condense_real_flow_gd(f, th, lr, 7, 3, record, rec), CONDENSE_OK);
    assert_int_equal(rec->count, 4);
    assert_true(rec->t[0] == 0.0 && rec->t[1] == 3.0 * lr && rec->t[2] == 6.0 * lr &&
                rec->t[3] == 7.0 * lr);
    plain_net p = plain_new(&s, act, theta0);
    for (size_t k = 1; k <= 7; ++k) {
        plain_grad(&p, d, s.dim);
        for (size_t j = 0; j < s.dim; ++j)
            p.theta[j] -= lr * p.g[j];
        if (k == 3 || k == 6) {
            const double *seen = rec->states + (k / 3) * s.dim;
            for (size_t j = 0; j < s.dim; ++j)
                assert_true(fabs(eps * seen[j] - p.theta[j]) <= 1e-12 * max_abs(p.theta, s.dim));
        }
    }
    for (size_t j = 0; j < s.dim; ++j)
        assert_true(fabs(eps * th[j] - p.theta[j]) <= 1e-12 * max_abs(p.theta, s.dim));
    assert_memory_equal(rec->states + 3 * s.dim, th, s.dim * sizeof(double));
    plain_free(&p);

    /* Adam (Kingma & Ba, Algorithm 1) on theta: 6 steps, observer every 2 */
    const double alr = 0.01, b1 = 0.9, b2 = 0.999, aeps = 1e-8;
    memcpy(th, th0, s.dim * sizeof(double));
    rec->count = 0;
    assert_int_equal(condense_real_flow_adam(f, th, alr, b1, b2, aeps, 6, 2, record, rec),
                     CONDENSE_OK);
    assert_int_equal(rec->count, 4);
    for (size_t k = 0; k < 4; ++k)
        assert_true(rec->t[k] == (double)(2 * k) * alr);
    p = plain_new(&s, act, theta0);
    double *mm = calloc(s.dim, sizeof(double)), *vv = calloc(s.dim, sizeof(double));
    assert_non_null(mm);
    assert_non_null(vv);
    for (int k = 1; k <= 6; ++k) {
        plain_grad(&p, d, s.dim);
        for (size_t j = 0; j < s.dim; ++j) {
            mm[j] = b1 * mm[j] + (1 - b1) * p.g[j];
            vv[j] = b2 * vv[j] + (1 - b2) * p.g[j] * p.g[j];
            const double mh = mm[j] / (1 - pow(b1, k)), vh = vv[j] / (1 - pow(b2, k));
            p.theta[j] -= alr * mh / (sqrt(vh) + aeps);
        }
    }
    double worst = 0.0;
    for (size_t j = 0; j < s.dim; ++j)
        worst = fmax(worst, fabs(eps * th[j] - p.theta[j]));
    printf("# Adam vs plain: max |diff| / max|theta| = %.3g\n", worst / max_abs(p.theta, s.dim));
    assert_true(worst <= 1e-12 * max_abs(p.theta, s.dim));
    /* not vacuous: Adam moved theta by ~ 6 alr per entry, far above 1e-12 */
    assert_true(max_abs_diff(p.theta, theta0, s.dim) > 1e3 * 1e-12 * max_abs(p.theta, s.dim));
    /* steps = 0: only the observation at t = 0 */
    rec->count = 0;
    assert_int_equal(condense_real_flow_adam(f, th, alr, b1, b2, aeps, 0, 2, record, rec),
                     CONDENSE_OK);
    assert_int_equal(rec->count, 1);

    free(mm);
    free(vv);
    plain_free(&p);
    free(th);
    free(th0);
    free(theta0);
    recorder_free(rec);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* ---- 5. theta_beta and the thread-count independence -------------------------------------- */

static void test_theta_beta(void **state)
{
    (void)state;
    condense_data *d = make_data(2, 5, 4, 2, 51);
    const dims s = dims_of(d, 3, 2);
    condense_real_flow *f = make_flow(d, 3, 2, "tanh", 0.3);
    double *th = malloc(s.dim * sizeof(double));
    assert_non_null(th);
    for (size_t k = 0; k < s.dim; ++k)
        th[k] = (double)k; /* every entry names its flat index */
    const size_t N = s.dim / 3;
    double *tb = malloc(N * sizeof(double));
    assert_non_null(tb);
    for (size_t beta = 1; beta <= 3; ++beta) {
        assert_int_equal(condense_real_flow_theta_beta(f, th, beta, tb), CONDENSE_OK);
        for (size_t r = 0; r < N; ++r)
            assert_true(tb[r] == (double)i_theta_beta(&s, beta, r));
    }
    /* errors: output untouched */
    for (size_t r = 0; r < N; ++r)
        tb[r] = -7.0;
    assert_int_equal(condense_real_flow_theta_beta(f, th, 0, tb), CONDENSE_EINVAL);
    assert_true(strlen(condense_errmsg()) > 0);
    assert_int_equal(condense_real_flow_theta_beta(f, th, 4, tb), CONDENSE_EINVAL);
    assert_int_equal(condense_real_flow_theta_beta(NULL, th, 1, tb), CONDENSE_EINVAL);
    assert_int_equal(condense_real_flow_theta_beta(f, NULL, 1, tb), CONDENSE_EINVAL);
    assert_int_equal(condense_real_flow_theta_beta(f, th, 1, NULL), CONDENSE_EINVAL);
    for (size_t r = 0; r < N; ++r)
        assert_true(tb[r] == -7.0);
    free(th);
    free(tb);
    condense_real_flow_free(f);
    condense_data_free(d);
}

static void test_threads(void **state)
{
    (void)state;
    /* M W_1 H_1 (C_0 m^2 + 1) = 128 * 36 * 10 = 46080: above the library's parallel threshold */
    condense_data *d = make_data(3, 8, 8, 1, 61);
    condense_real_flow *f = make_flow(d, 128, 3, "tanh", 0.05);
    double *th = random_state(f->dim, 1.0, 62);
    double *one = malloc(f->dim * sizeof(double)), *many = malloc(f->dim * sizeof(double));
    assert_non_null(one);
    assert_non_null(many);
#ifdef _OPENMP
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    assert_int_equal(condense_real_field(f, th, one), CONDENSE_OK);
    omp_set_num_threads(2);
    assert_int_equal(condense_real_field(f, th, many), CONDENSE_OK);
    omp_set_num_threads(saved);
#else
    assert_int_equal(condense_real_field(f, th, one), CONDENSE_OK);
    assert_int_equal(condense_real_field(f, th, many), CONDENSE_OK);
#endif
    /* every kernel's numbers are computed by one thread in one order, e_i summed over beta in
     * increasing order: bit for bit the same */
    assert_memory_equal(one, many, f->dim * sizeof(double));
    assert_int_equal(f->n_field, 2);
    free(th);
    free(one);
    free(many);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* ---- 6. errors ---------------------------------------------------------------------------- */

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

static void test_alloc_errors(void **state)
{
    (void)state;
    condense_data *d = make_data(2, 5, 4, 1, 71);
    condense_activation act = act_named("tanh");
    condense_real_flow *sentinel = (condense_real_flow *)&act, *f = sentinel;
    ASSERT_FAILS(condense_real_flow_alloc(NULL, 2, 2, act, 0.1, &f), CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_alloc(d, 2, 2, act, 0.1, NULL), CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_alloc(d, 0, 2, act, 0.1, &f), CONDENSE_ESIZE);
    ASSERT_FAILS(condense_real_flow_alloc(d, 2, 0, act, 0.1, &f), CONDENSE_ESIZE);
    ASSERT_FAILS(condense_real_flow_alloc(d, 2, 5, act, 0.1, &f), CONDENSE_ESIZE); /* > H_0 */
    const double bad_eps[] = {0.0, -1.0, NAN, INFINITY};
    for (size_t k = 0; k < 4; ++k)
        ASSERT_FAILS(condense_real_flow_alloc(d, 2, 2, act, bad_eps[k], &f), CONDENSE_EDOM);
    condense_activation none = {NULL, 1.0};
    ASSERT_FAILS(condense_real_flow_alloc(d, 2, 2, none, 0.1, &f), CONDENSE_EINVAL);
    *condense_data_x(d, 2, 3, 1, 1) = NAN;
    ASSERT_FAILS(condense_real_flow_alloc(d, 2, 2, act, 0.1, &f), CONDENSE_EDOM);
    *condense_data_x(d, 2, 3, 1, 1) = 0.5;
    *condense_data_y(d, 1) = INFINITY;
    ASSERT_FAILS(condense_real_flow_alloc(d, 2, 2, act, 0.1, &f), CONDENSE_EDOM);
    assert_ptr_equal(f, sentinel);
    condense_real_flow_free(NULL);
    condense_data_free(d);
}

static void test_field_errors(void **state)
{
    (void)state;
    condense_data *d = make_data(2, 4, 4, 1, 81);
    const dims s = dims_of(d, 2, 2);
    condense_real_flow *f = make_flow(d, 2, 2, "x2tanh", 1.0);
    double *th = random_state(s.dim, 1.0, 82);
    double *out = malloc(s.dim * sizeof(double));
    assert_non_null(out);
    for (size_t k = 0; k < s.dim; ++k)
        out[k] = 7.0;
    ASSERT_FAILS(condense_real_field(NULL, th, out), CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_field(f, NULL, out), CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_field(f, th, NULL), CONDENSE_EINVAL);
    /* non-finite input, named in paper indices (W, b, a) */
    const double saved_W = th[iW(&s, 1, 0, 1, 2)];
    th[iW(&s, 1, 0, 1, 2)] = NAN;
    ASSERT_FAILS(condense_real_field(f, th, out), CONDENSE_EDOM);
    assert_msg_has("W_{1,0,1,2}");
    th[iW(&s, 1, 0, 1, 2)] = saved_W;
    th[ib(&s, 2)] = INFINITY;
    ASSERT_FAILS(condense_real_field(f, th, out), CONDENSE_EDOM);
    assert_msg_has("b_2");
    th[ib(&s, 2)] = 0.0;
    th[ia(&s, 3, 2, 1)] = -INFINITY;
    ASSERT_FAILS(condense_real_field(f, th, out), CONDENSE_EDOM);
    assert_msg_has("a_{3,2,1}");
    th[ia(&s, 3, 2, 1)] = 1.0;
    /* sigma(eps x_bar) overflows: x2tanh at x_bar ~ 1e200 gives x^2 ~ 1e400 */
    double *big = copy_of(th, s.dim);
    for (size_t beta = 1; beta <= 2; ++beta)
        big[ib(&s, beta)] = beta == 2 ? 1e200 : 0.0;
    ASSERT_FAILS(condense_real_field(f, big, out), CONDENSE_EDOM);
    assert_msg_has("x_bar_{1,1,2}(1)");
    /* e_i overflows while every sigma is finite: a_bar = 1e307, x_bar = 3, sigma = 9 tanh 3
     * ~ 8.9, and e sums 2 kernels x 9 positions of 8.9e307 > DBL_MAX */
    memcpy(big, th, s.dim * sizeof(double));
    for (size_t k = s.nW + s.M; k < s.dim; ++k)
        big[k] = 1e307;
    for (size_t beta = 1; beta <= 2; ++beta)
        big[ib(&s, beta)] = 3.0; /* x_bar > 0 so that every sigma > 0: no cancellation */
    for (size_t k = 0; k < s.nW; ++k)
        big[k] = 0.0;
    ASSERT_FAILS(condense_real_field(f, big, out), CONDENSE_EDOM);
    assert_msg_has("e_1");
    /* e_i finite, the W line of the field overflows: tanh, eps = 1e-10, x_bar = 3, a_bar =
     * 1e250 give e ~ eps 18 a_bar tanh(3 eps) ~ 5e231 and e a_bar sigma' ~ 5e481 > DBL_MAX,
     * while d a_bar/dt ~ e tanh(3 eps) / eps ~ 1.6e232 stays finite */
    condense_real_flow *g = make_flow(d, 2, 2, "tanh", 1e-10);
    for (size_t k = s.nW + s.M; k < s.dim; ++k)
        big[k] = 1e250;
    ASSERT_FAILS(condense_real_field(g, big, out), CONDENSE_EDOM);
    assert_msg_has("field d/dt of W_{");
    for (size_t k = 0; k < s.dim; ++k)
        assert_true(out[k] == 7.0);
    condense_real_flow_free(g);
    free(big);
    free(th);
    free(out);
    condense_real_flow_free(f);
    condense_data_free(d);
}

/* A state whose field is finite (~1e284) but whose first Runge-Kutta stage overflows:
 * x2tanh, eps = 1, W_bar ~ 1e40, a_bar ~ 1e80 (see the numbers in the test). */
static double *exploding_state(const dims *s)
{
    double *th = malloc(s->dim * sizeof(double));
    assert_non_null(th);
    for (size_t k = 0; k < s->nW + s->M; ++k)
        th[k] = 1e40;
    for (size_t k = s->nW + s->M; k < s->dim; ++k)
        th[k] = 1e80;
    return th;
}

static void test_integrate_errors(void **state)
{
    (void)state;
    condense_data *d = make_data(2, 4, 4, 1, 91);
    const dims s = dims_of(d, 1, 2);
    condense_real_flow *f = make_flow(d, 1, 2, "tanh", 0.5);
    double *th0 = random_state(s.dim, 1.0, 92), *th = copy_of(th0, s.dim);
    const double times[3] = {0.0, 0.5, 1.0};
    ASSERT_FAILS(condense_real_flow_integrate(NULL, th, times, 3, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_integrate(f, NULL, times, 3, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_integrate(f, th, NULL, 3, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 0, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    const double t_nan[2] = {0.0, NAN}, t_down[3] = {0.0, 1.0, 0.5};
    ASSERT_FAILS(condense_real_flow_integrate(f, th, t_nan, 2, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_integrate(f, th, t_down, 3, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 3, -1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EDOM);
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 3, 1e-8, NAN, NULL, NULL),
                 CONDENSE_EDOM);
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 3, 0.0, 0.0, NULL, NULL),
                 CONDENSE_EDOM);
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 3, INFINITY, 1e-8, NULL, NULL),
                 CONDENSE_EDOM);
    assert_memory_equal(th, th0, s.dim * sizeof(double));
    th[1] = NAN;
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 3, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EDOM);
    th[1] = th0[1];

    /* the observer stops the run: its status is returned, the state is the one it saw */
    recorder *rec = recorder_new(4, s.dim);
    rec->stop_at = 2;
    rec->stop_status = CONDENSE_EIO;
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 3, 1e-10, 1e-10, record, rec),
                 CONDENSE_EIO);
    assert_int_equal(rec->count, 2);
    assert_true(rec->t[1] == 0.5);
    assert_memory_equal(rec->states + s.dim, th, s.dim * sizeof(double));
    assert_msg_has("observer stopped the run at t = 0.5");
    /* ... keeping the observer's own message */
    rec->count = 0;
    rec->stop_at = 1;
    rec->stop_msg = "disk full";
    ASSERT_FAILS(condense_real_flow_integrate(f, th, times, 3, 1e-10, 1e-10, record, rec),
                 CONDENSE_EIO);
    assert_msg_has("disk full");
    assert_msg_has("t = 0");

    /* GSL gives up: a tolerance of 1e-300 cannot be met once steps are below the resolution of
     * t = 1 (the error estimate then is rounding noise ~ 1e-16 >> 1e-300) */
    const double t1[2] = {1.0, 2.0};
    memcpy(th, th0, s.dim * sizeof(double));
    ASSERT_FAILS(condense_real_flow_integrate(f, th, t1, 2, 1e-300, 0.0, NULL, NULL),
                 CONDENSE_ENUM);
    assert_msg_has("GSL");
    assert_msg_has("times[1] = 2");

    /* The field fails inside a step.  x2tanh, eps = 1, C_0 = 1, m = 2, |x| in [1/2, 1]:
     * x_bar ~ 5e40, sigma ~ x_bar^2 ~ 1e81, sigma' ~ 2 x_bar ~ 1e41, e ~ 9 a sigma ~ 1e162,
     * d W/dt ~ e a sigma' x 9 / n ~ 1e284 (finite), so the first stage is fine; the second at
     * y + (h/18) k1 with h = 5e-4 (the first gap / 1000) has W_bar ~ 1e279 and sigma = inf. */
    condense_real_flow *g = make_flow(d, 1, 2, "x2tanh", 1.0);
    double *ex = exploding_state(&s);
    double *f0 = malloc(s.dim * sizeof(double));
    assert_non_null(f0);
    assert_int_equal(condense_real_field(g, ex, f0), CONDENSE_OK);
    assert_true(max_abs(f0, s.dim) > 1e250);
    double *ex0 = copy_of(ex, s.dim);
    ASSERT_FAILS(condense_real_flow_integrate(g, ex, times, 3, 1e-8, 1e-8, NULL, NULL),
                 CONDENSE_EDOM);
    assert_msg_has("field failed at t = ");
    assert_msg_has("x_bar");
    /* the last good state is the initial one (no step succeeded) */
    assert_memory_equal(ex, ex0, s.dim * sizeof(double));

    free(f0);
    free(ex);
    free(ex0);
    condense_real_flow_free(g);
    recorder_free(rec);
    free(th);
    free(th0);
    condense_real_flow_free(f);
    condense_data_free(d);
}

static void test_gd_adam_errors(void **state)
{
    (void)state;
    condense_data *d = make_data(2, 4, 4, 1, 101);
    const dims s = dims_of(d, 1, 2);
    condense_real_flow *f = make_flow(d, 1, 2, "tanh", 1.0);
    double *th0 = random_state(s.dim, 1.0, 102), *th = copy_of(th0, s.dim);
    const double bad_lr[] = {0.0, -1.0, NAN, INFINITY};
    ASSERT_FAILS(condense_real_flow_gd(NULL, th, 0.1, 2, 1, NULL, NULL), CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_gd(f, NULL, 0.1, 2, 1, NULL, NULL), CONDENSE_EINVAL);
    for (size_t k = 0; k < 4; ++k)
        ASSERT_FAILS(condense_real_flow_gd(f, th, bad_lr[k], 2, 1, NULL, NULL), CONDENSE_EDOM);
    ASSERT_FAILS(condense_real_flow_gd(f, th, 0.1, 2, 0, NULL, NULL), CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_adam(NULL, th, 0.1, 0.9, 0.999, 1e-8, 2, 1, NULL, NULL),
                 CONDENSE_EINVAL);
    ASSERT_FAILS(condense_real_flow_adam(f, NULL, 0.1, 0.9, 0.999, 1e-8, 2, 1, NULL, NULL),
                 CONDENSE_EINVAL);
    for (size_t k = 0; k < 4; ++k)
        ASSERT_FAILS(condense_real_flow_adam(f, th, bad_lr[k], 0.9, 0.999, 1e-8, 2, 1, NULL, NULL),
                     CONDENSE_EDOM);
    ASSERT_FAILS(condense_real_flow_adam(f, th, 0.1, 0.9, 0.999, 1e-8, 2, 0, NULL, NULL),
                 CONDENSE_EINVAL);
    const double bad_beta[] = {0.0, 1.0, -0.5, NAN};
    for (size_t k = 0; k < 4; ++k) {
        ASSERT_FAILS(
            condense_real_flow_adam(f, th, 0.1, bad_beta[k], 0.999, 1e-8, 2, 1, NULL, NULL),
            CONDENSE_EDOM);
        ASSERT_FAILS(condense_real_flow_adam(f, th, 0.1, 0.9, bad_beta[k], 1e-8, 2, 1, NULL, NULL),
                     CONDENSE_EDOM);
    }
    const double bad_aeps[] = {0.0, -1e-8, NAN, INFINITY};
    for (size_t k = 0; k < 4; ++k)
        ASSERT_FAILS(condense_real_flow_adam(f, th, 0.1, 0.9, 0.999, bad_aeps[k], 2, 1, NULL, NULL),
                     CONDENSE_EDOM);
    assert_memory_equal(th, th0, s.dim * sizeof(double));
    th[0] = NAN;
    ASSERT_FAILS(condense_real_flow_gd(f, th, 0.1, 2, 1, NULL, NULL), CONDENSE_EDOM);
    ASSERT_FAILS(condense_real_flow_adam(f, th, 0.1, 0.9, 0.999, 1e-8, 2, 1, NULL, NULL),
                 CONDENSE_EDOM);
    th[0] = th0[0];

    /* observer stops GD and Adam (at the first and the second call) */
    recorder *rec = recorder_new(4, s.dim);
    rec->stop_at = 1;
    rec->stop_status = CONDENSE_EIO;
    ASSERT_FAILS(condense_real_flow_gd(f, th, 0.1, 4, 1, record, rec), CONDENSE_EIO);
    assert_memory_equal(th, th0, s.dim * sizeof(double));
    rec->count = 0;
    rec->stop_at = 2;
    ASSERT_FAILS(condense_real_flow_gd(f, th, 0.1, 4, 1, record, rec), CONDENSE_EIO);
    assert_int_equal(rec->count, 2);
    assert_msg_has("t = 0.1");
    memcpy(th, th0, s.dim * sizeof(double));
    rec->count = 0;
    ASSERT_FAILS(condense_real_flow_adam(f, th, 0.1, 0.9, 0.999, 1e-8, 4, 1, record, rec),
                 CONDENSE_EIO);
    assert_int_equal(rec->count, 2);
    rec->count = 0;
    rec->stop_at = 1;
    ASSERT_FAILS(condense_real_flow_adam(f, th, 0.1, 0.9, 0.999, 1e-8, 4, 1, record, rec),
                 CONDENSE_EIO);

    /* A step that leaves the doubles.  Data made positive with y = 0 (here only), theta_bar = 10
     * everywhere, tanh, eps = 1: x_bar = 10 (sum of 4 pixels in [1/2, 1] + 1) >= 30, so
     * tanh(x_bar) = 1 in double, e_i = 9 * 10 = 90 and d a_bar/dt = -90: GD with lr = 1e307 puts
     * a_bar at -9e308 < -DBL_MAX. */
    for (size_t i = 1; i <= d->n; ++i) {
        *condense_data_y(d, i) = 0.0;
        for (size_t u = 1; u <= 4; ++u)
            for (size_t v = 1; v <= 4; ++v)
                *condense_data_x(d, i, u, v, 1) = fabs(*condense_data_x(d, i, u, v, 1));
    }
    for (size_t k = 0; k < s.dim; ++k)
        th[k] = 10.0;
    double *ten = copy_of(th, s.dim);
    ASSERT_FAILS(condense_real_flow_gd(f, th, 1e307, 3, 1, NULL, NULL), CONDENSE_EDOM);
    assert_msg_has("GD step 1");
    assert_msg_has("a_{");
    assert_memory_equal(th, ten, s.dim * sizeof(double)); /* last good state */
    /* Adam's first step is lr g / (|g| + eps_a) = lr sign(g) in theta (|g| >> eps_a = 1e-300),
     * so lr / eps = 1e300 / 1e-10 in theta_bar: beyond DBL_MAX */
    condense_real_flow *tiny = make_flow(d, 1, 2, "tanh", 1e-10);
    ASSERT_FAILS(condense_real_flow_adam(tiny, th, 1e300, 0.9, 0.999, 1e-300, 3, 1, NULL, NULL),
                 CONDENSE_EDOM);
    assert_msg_has("Adam step 1");
    assert_memory_equal(th, ten, s.dim * sizeof(double));
    condense_real_flow_free(tiny);

    /* The field fails at step 2 of GD: the exploding state (see the integrator test) takes one
     * finite step of size lr * 1e284 ~ 1e281 (lr = 1e-3), then sigma overflows. */
    condense_real_flow *g = make_flow(d, 1, 2, "x2tanh", 1.0);
    double *ex = exploding_state(&s), *ex1 = malloc(s.dim * sizeof(double));
    assert_non_null(ex1);
    assert_int_equal(condense_real_field(g, ex, ex1), CONDENSE_OK);
    for (size_t k = 0; k < s.dim; ++k)
        ex1[k] = ex[k] + 1e-3 * ex1[k];
    double *ex0 = copy_of(ex, s.dim);
    ASSERT_FAILS(condense_real_flow_gd(g, ex, 1e-3, 5, 1, NULL, NULL), CONDENSE_EDOM);
    assert_msg_has("GD step 2 from t = 0.001");
    assert_msg_has("x_bar");
    assert_memory_equal(ex, ex1, s.dim * sizeof(double)); /* the state after step 1 */
    /* Adam on the exploding state: g ~ 1e284, so g^2 overflows in the second moment */
    memcpy(ex, ex0, s.dim * sizeof(double));
    ASSERT_FAILS(condense_real_flow_adam(g, ex, 1e-3, 0.9, 0.999, 1e-8, 5, 1, NULL, NULL),
                 CONDENSE_EDOM);
    assert_msg_has("moments");
    assert_memory_equal(ex, ex0, s.dim * sizeof(double));
    /* Adam's field fails at step 2: from theta_bar = th0 (field O(1)), the first step moves
     * every entry by lr / eps = 1e200, then x_bar ~ 1e200 and x2tanh(x_bar) = inf */
    memcpy(ex, th0, s.dim * sizeof(double));
    ASSERT_FAILS(condense_real_flow_adam(g, ex, 1e200, 0.9, 0.999, 1e-8, 5, 1, NULL, NULL),
                 CONDENSE_EDOM);
    assert_msg_has("Adam step 2");

    free(ex);
    free(ex0);
    free(ex1);
    free(ten);
    condense_real_flow_free(g);
    recorder_free(rec);
    free(th);
    free(th0);
    condense_real_flow_free(f);
    condense_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_matches_generic),
        cmocka_unit_test(test_linearization),
        cmocka_unit_test(test_dense_output_and_risk),
        cmocka_unit_test(test_ode_vs_gd),
        cmocka_unit_test(test_gd_adam_vs_plain),
        cmocka_unit_test(test_theta_beta),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_alloc_errors),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_integrate_errors),
        cmocka_unit_test(test_gd_adam_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
