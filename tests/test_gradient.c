/* test_gradient.c -- independent checks of the backward pass, the risk and the GD field of the
 * CNN paper, App. B.3, eq. (20)-(23):
 *
 *   z^[l]_{u,v,beta}(i) = d f(x_i, theta) / d x^[l]_{u,v,beta}(i)                     (21)
 *   d f / d W^[l], d f / d b^[l], d f / d a                                            (22)
 *   R_S = 1/(2n) sum_i (f(x_i) - y_i)^2,   d theta / dt = -grad R_S                     (1), (20)
 *
 * Every derivative is checked against central finite differences of quantities computed by
 * the forward pass (whose correctness test_forward.c establishes against a brute-force
 * reference), or of the test's own brute-force forward pass, never against a re-derivation of
 * the backward formulas.  Parameters are reached through the documented storage arrays
 * net->kernel[l] (m,m,C_{l-1},C_l), net->bias[l] (C_l), net->a (W_L,H_L,C_L), in the documented
 * order of theta: W^[1], b^[1], ..., W^[L], b^[L], a.
 *
 * Finite-difference tolerance.  With step h = 1e-5 max(1, |theta_k|), the central difference
 *     D(h) = (f(theta + h e_k) - f(theta - h e_k)) / (2h)
 * errs by h^2/6 |f'''(xi)| (truncation) plus (|d+| + |d-|) / (2h) (rounding), d+- being the
 * rounding errors of the two values of f.  The tolerance is
 *     |D(h) - g| <= 1e-6 (1 + |g|) + rnd,      rnd = RND_EPS * eps * Af / h,
 * Af being the sum of |terms| of f with the inputs' propagated error bounds, computed by
 * ref_f_from exactly as in test_forward.c.
 * Truncation: parameters N(0, 0.5^2), inputs uniform in [-1, 1], at most 7x6 positions,
 * 3 channels and m <= 3 keep f, its terms and its derivatives O(1) for the bounded-slope
 * activations; along one coordinate f''' is a sum over at most a few dozen positions of
 * products of sigma^(1..3) (each below ~6 on the range reached) with O(1) weights and inputs,
 * |f'''| <= 1e3 is generous, and truncation <= (2e-5)^2 / 6 * 1e3 ~ 7e-8 (|theta_k| < 2 here):
 * the 1e-6 (1 + |g|) term has a margin of about 10 against it.
 * Rounding: the worst case of test_forward.c, |d+-| <= 64 eps Af (every rounding at its bound
 * and of one sign), is about 1000 times what happens, and Af itself is already an upper bound
 * (no cancellation).  Rounding errors of different operations behave as independent random
 * quantities (Higham, Accuracy and Stability of Numerical Algorithms, Sec. 2.8): a sum of
 * k <= 64 terms errs by about sqrt(k) u sum|terms| <= 4 u sum|terms|.  So |d+-| <= 2 eps Af is
 * already a generous estimate, and RND_EPS = 4 (rnd = 4 eps Af / h) doubles it.  This term is
 * ~1e-9 - 1e-7 for the bounded-slope activations (Af = 20 - 600) and the brief's eps |f| / h in
 * spirit.  It matters where f is not O(1): x2tanh squares the scale at every layer, and with
 * L = 3, C_0 = 3 f reaches 1e3 - 1e5 under N(0, 0.5^2) parameters, so eps |f| / h alone is
 * ~1e-7 - 1e-6; there the tolerance widens accordingly (the test prints the largest tolerance
 * used relative to 1 + |g|) and the Richardson check shows truncation stays negligible.
 * With an O(1) instance, an error of 1e-4 on one entry fails the check: test_sensitivity.
 * Richardson: D(h) - D(h/2) = (3/4) h^2/6 f''' + rounding, the rounding being at most
 * rnd + 2 rnd = 3 rnd; R = (4 D(h/2) - D(h)) / 3 removes the h^2 term and has rounding at most
 * (8 rnd + rnd) / 3 = 3 rnd.  Both must meet 1e-6 (1 + |g|) + 3 rnd.
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

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/error.h"

#define MAXL CONDENSE_MAX_LAYERS
#define FD_TOL 1e-6
#define FD_REL_STEP 1e-5
#define RND_EPS 4.0

/* ---- the test's own activation functions (those with a derivative everywhere) ------------- */

static double sig(double x)
{
    return 1.0 / (1.0 + exp(-x));
}
static double my_tanh(double x)
{
    return tanh(x);
}
static double my_silu(double x)
{
    return x / (1.0 + exp(-x));
}
static double my_silu2(double x)
{
    return 2.0 * x / (1.0 + exp(-x));
}
static double my_xtanh(double x)
{
    return x * tanh(x);
}
static double my_x2tanh(double x)
{
    return x * x * tanh(x);
}
static double my_sigmoid(double x)
{
    return sig(x);
}
static double my_identity(double x)
{
    return x;
}

static double d_tanh(double x)
{
    return 1.0 - tanh(x) * tanh(x);
}
static double d_silu(double x)
{
    return sig(x) + x * sig(x) * (1.0 - sig(x));
}
static double d_silu2(double x)
{
    return 2.0 * d_silu(x);
}
static double d_xtanh(double x)
{
    return tanh(x) + x * (1.0 - tanh(x) * tanh(x));
}
static double d_x2tanh(double x)
{
    return 2.0 * x * tanh(x) + x * x * (1.0 - tanh(x) * tanh(x));
}
static double d_sigmoid(double x)
{
    return sig(x) * (1.0 - sig(x));
}
static double d_identity(double x)
{
    (void)x;
    return 1.0;
}

typedef struct my_act {
    const char *name;
    double (*s)(double);
    double (*ds)(double);
} my_act;

/* ReLU is left out on purpose: it is not differentiable at 0, so f is not differentiable where
 * some pre-activation vanishes; near such a kink a central difference straddling it measures
 * an average of the two one-sided slopes instead of the value the backward pass returns, and
 * h^2 f''' has no bound.  The finite-difference argument above needs f in C^3 near theta. */
static const my_act my_acts[] = {
    {"tanh", my_tanh, d_tanh},
    {"silu", my_silu, d_silu},
    {"silu2", my_silu2, d_silu2},
    {"xtanh", my_xtanh, d_xtanh},
    {"x2tanh", my_x2tanh, d_x2tanh},
    {"sigmoid", my_sigmoid, d_sigmoid},
    {"identity", my_identity, d_identity},
};
#define N_ACTS (sizeof my_acts / sizeof my_acts[0])

static const my_act *act_named(const char *name)
{
    for (size_t k = 0; k < N_ACTS; ++k)
        if (strcmp(my_acts[k].name, name) == 0) return &my_acts[k];
    fail_msg("no activation %s in the test table", name);
    return NULL;
}

/* ---- shapes and fixtures ------------------------------------------------------------------ */

typedef struct ref_dims {
    size_t L;
    size_t W[MAXL + 1], H[MAXL + 1], C[MAXL + 1], m[MAXL + 1];
} ref_dims;

typedef struct config {
    size_t L, W0, H0, C0, C[3], m[3];
} config;

/* L = 1, 2, 3 with C_0 = 1 and 3, non-square inputs, and one m_l = W_{l-1} edge case. */
static const config configs[] = {
    {1, 5, 4, 1, {2}, {2}},
    {1, 4, 5, 3, {2}, {3}},
    {2, 6, 5, 1, {2, 2}, {3, 2}},
    {2, 5, 6, 3, {2, 3}, {2, 3}},
    {2, 4, 5, 1, {2, 1}, {2, 3}}, /* 3x4, then m_2 = W_1 = 3: 1x2 */
    {3, 7, 6, 1, {2, 2, 2}, {2, 3, 2}},
    {3, 6, 7, 3, {2, 2, 1}, {3, 2, 2}},
};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

static condense_cnn_shape shape_of(const config *c)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = c->L;
    s.W0 = c->W0;
    s.H0 = c->H0;
    s.C0 = c->C0;
    for (size_t l = 1; l <= c->L; ++l) {
        s.C[l] = c->C[l - 1];
        s.m[l] = c->m[l - 1];
    }
    return s;
}

static ref_dims dims_of(const condense_cnn_shape *s)
{
    ref_dims d;
    memset(&d, 0, sizeof d);
    d.L = s->L;
    d.W[0] = s->W0;
    d.H[0] = s->H0;
    d.C[0] = s->C0;
    for (size_t l = 1; l <= s->L; ++l) {
        d.m[l] = s->m[l];
        d.C[l] = s->C[l];
        d.W[l] = d.W[l - 1] - s->m[l] + 1;
        d.H[l] = d.H[l - 1] - s->m[l] + 1;
    }
    return d;
}

static size_t layer_size(const ref_dims *d, size_t l)
{
    return d->W[l] * d->H[l] * d->C[l];
}

/* Pointers to every parameter of net, in the documented order of theta. */
static double **slots_of(const condense_cnn *net, const ref_dims *d, size_t *np)
{
    size_t n = 0;
    for (size_t l = 1; l <= d->L; ++l)
        n += d->m[l] * d->m[l] * d->C[l - 1] * d->C[l] + d->C[l];
    n += layer_size(d, d->L);
    double **s = malloc(n * sizeof *s);
    assert_non_null(s);
    size_t k = 0;
    for (size_t l = 1; l <= d->L; ++l) {
        for (size_t j = 0; j < d->m[l] * d->m[l] * d->C[l - 1] * d->C[l]; ++j)
            s[k++] = net->kernel[l] + j;
        for (size_t j = 0; j < d->C[l]; ++j)
            s[k++] = net->bias[l] + j;
    }
    for (size_t j = 0; j < layer_size(d, d->L); ++j)
        s[k++] = net->a + j;
    assert_int_equal(k, n);
    *np = n;
    return s;
}

/* Which parameter slot k is, for messages. */
static void describe(const ref_dims *d, size_t k, char *buf, size_t len)
{
    for (size_t l = 1; l <= d->L; ++l) {
        const size_t nw = d->m[l] * d->m[l] * d->C[l - 1] * d->C[l];
        if (k < nw) {
            snprintf(buf, len, "W^[%zu] entry %zu", l, k);
            return;
        }
        k -= nw;
        if (k < d->C[l]) {
            snprintf(buf, len, "b^[%zu]_%zu", l, k + 1);
            return;
        }
        k -= d->C[l];
    }
    snprintf(buf, len, "a entry %zu", k);
}

typedef struct fixture {
    condense_cnn_shape shape;
    ref_dims d;
    const my_act *act;
    condense_cnn *net;
    condense_data *data;
    condense_workspace *ws;
    double **slot;
    size_t np;
} fixture;

static void fixture_init(fixture *fx, const config *c, const char *act_name, size_t n,
                         unsigned long seed)
{
    memset(fx, 0, sizeof *fx);
    fx->shape = shape_of(c);
    fx->d = dims_of(&fx->shape);
    fx->act = act_named(act_name);
    condense_activation act;
    assert_int_equal(condense_activation_lookup(act_name, 0, &act), CONDENSE_OK);
    int st = condense_cnn_alloc(&fx->shape, act, &fx->net);
    if (st != CONDENSE_OK) fail_msg("condense_cnn_alloc: %d (%s)", st, condense_errmsg());
    st = condense_data_alloc(n, c->W0, c->H0, c->C0, &fx->data);
    if (st != CONDENSE_OK) fail_msg("condense_data_alloc: %d (%s)", st, condense_errmsg());
    assert_int_equal(condense_workspace_alloc(fx->net, &fx->ws), CONDENSE_OK);
    fx->slot = slots_of(fx->net, &fx->d, &fx->np);

    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t k = 0; k < fx->np; ++k)
        *fx->slot[k] = gsl_ran_gaussian(r, 0.5);
    for (size_t k = 0; k < n * c->W0 * c->H0 * c->C0; ++k)
        fx->data->x[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (size_t k = 0; k < n; ++k)
        fx->data->y[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    gsl_rng_free(r);
}

static void fixture_free(fixture *fx)
{
    free(fx->slot);
    condense_workspace_free(fx->ws);
    condense_data_free(fx->data);
    condense_cnn_free(fx->net);
}

/* ---- the test's own forward pass, started at any layer ------------------------------------ */

/* f from the pre-activations x^[l0] (array (W_l0,H_l0,C_l0)), or from the input when l0 = 0:
 * eq. (17) for the layers l0+1..L, then f = sum a sigma(x^[L]).  Plain loops, own offsets.
 * Af (may be NULL) receives the sum of |terms| of f with propagated bounds, as in
 * test_forward.c: A^[l] = |b| + sum |W| (|sigma(x^[l-1])| + |sigma'(x^[l-1])| A^[l-1]) (the
 * starting values x^[l0] taken as exact), Af = sum |a| (|sigma(x^[L])| + |sigma'| A^[L]). */
static double ref_f_from(const ref_dims *d, const my_act *act, const condense_cnn *net, size_t l0,
                         const double *xl0, double *Af)
{
    double *buf[MAXL + 1] = {NULL}, *bnd[MAXL + 1] = {NULL};
    const double *prev = xl0, *pbnd = NULL;
    for (size_t l = l0 + 1; l <= d->L; ++l) {
        const size_t m = d->m[l], Ci = d->C[l - 1], Co = d->C[l], Hi = d->H[l - 1];
        buf[l] = malloc(layer_size(d, l) * sizeof(double));
        bnd[l] = malloc(layer_size(d, l) * sizeof(double));
        assert_true(buf[l] != NULL && bnd[l] != NULL);
        for (size_t u = 0; u < d->W[l]; ++u)
            for (size_t v = 0; v < d->H[l]; ++v)
                for (size_t be = 0; be < Co; ++be) {
                    double s = net->bias[l][be], sa = fabs(net->bias[l][be]);
                    for (size_t p = 0; p < m; ++p)
                        for (size_t q = 0; q < m; ++q)
                            for (size_t al = 0; al < Ci; ++al) {
                                const size_t ii = ((u + p) * Hi + v + q) * Ci + al;
                                const double in = prev[ii];
                                const double y = l == 1 ? in : act->s(in);
                                double ay = fabs(y);
                                if (l > 1 && pbnd != NULL) ay += fabs(act->ds(in)) * pbnd[ii];
                                const double w = net->kernel[l][((p * m + q) * Ci + al) * Co + be];
                                s += w * y;
                                sa += fabs(w) * ay;
                            }
                    buf[l][(u * d->H[l] + v) * Co + be] = s;
                    bnd[l][(u * d->H[l] + v) * Co + be] = sa;
                }
        prev = buf[l];
        pbnd = bnd[l];
    }
    double f = 0.0, fa = 0.0;
    for (size_t k = 0; k < layer_size(d, d->L); ++k) {
        f += net->a[k] * act->s(prev[k]);
        fa += fabs(net->a[k]) *
              (fabs(act->s(prev[k])) + (pbnd != NULL ? fabs(act->ds(prev[k])) * pbnd[k] : 0.0));
    }
    for (size_t l = l0 + 1; l <= d->L; ++l) {
        free(buf[l]);
        free(bnd[l]);
    }
    if (Af != NULL) *Af = fa;
    return f;
}

static const double *input_of(const fixture *fx, size_t i)
{
    return fx->data->x + (i - 1) * fx->d.W[0] * fx->d.H[0] * fx->d.C[0];
}

/* R_S = 1/(2n) sum_i (f_i - y_i)^2 from the test's own forward pass.  S (may be NULL) receives
 * (1/n) sum_i |e_i| Af_i: each e_i errs by at most 64 eps Af_i (test_forward.c), so
 * (e_i^2)/(2n) by about |e_i| 64 eps Af_i / n, and the squares and the sum add a few eps R:
 * |R_lib - R_ref| <= eps (64 S + 8 R). */
static double ref_risk(const fixture *fx, double *S)
{
    double R = 0.0, ar = 0.0;
    const size_t n = fx->data->n;
    for (size_t i = 1; i <= n; ++i) {
        double Af;
        const double e =
            ref_f_from(&fx->d, fx->act, fx->net, 0, input_of(fx, i), &Af) - fx->data->y[i - 1];
        R += e * e;
        ar += fabs(e) * Af;
    }
    R /= 2.0 * (double)n;
    if (S != NULL) *S = ar / (double)n;
    return R;
}

/* ---- gradients and finite differences ----------------------------------------------------- */

static double lib_f(const fixture *fx, size_t i)
{
    double f = NAN;
    const int st = condense_cnn_forward(fx->net, fx->data, i, fx->ws, &f);
    if (st != CONDENSE_OK) fail_msg("forward: %d (%s)", st, condense_errmsg());
    return f;
}

/* The library's d f(x_i) / d theta (weight 1 into a zeroed clone), flattened in theta order;
 * the workspace holds x^[l](i) and z^[l](i) afterwards. */
static void lib_grad(const fixture *fx, size_t i, double *g)
{
    condense_cnn *grad = NULL;
    assert_int_equal(condense_cnn_clone(fx->net, 0, &grad), CONDENSE_OK);
    size_t np;
    double **gs = slots_of(grad, &fx->d, &np);
    assert_int_equal(np, fx->np);
    for (size_t k = 0; k < np; ++k)
        assert_true(*gs[k] == 0.0);
    (void)lib_f(fx, i);
    const int st = condense_cnn_backward(fx->net, fx->data, i, fx->ws, 1.0, grad);
    if (st != CONDENSE_OK) fail_msg("backward: %d (%s)", st, condense_errmsg());
    for (size_t k = 0; k < np; ++k)
        g[k] = *gs[k];
    free(gs);
    condense_cnn_free(grad);
}

static double step_for(double t)
{
    return FD_REL_STEP * fmax(1.0, fabs(t));
}

/* Central difference of f(x_i) in parameter slot k with step h, through the library forward.
 * The divisor is the step actually taken, (t + h) - (t - h) in floating point. */
static double fd_param(const fixture *fx, size_t i, size_t k, double h)
{
    double *p = fx->slot[k];
    const double t = *p;
    volatile double tp = t + h, tm = t - h;
    *p = tp;
    const double fp = lib_f(fx, i);
    *p = tm;
    const double fm = lib_f(fx, i);
    *p = t;
    return (fp - fm) / (tp - tm);
}

static double max_rel_tol = 0.0; /* largest tolerance used, relative to 1 + |g| */
static size_t n_wide = 0;        /* checks whose rounding term exceeded 1e-6 (1 + |g|) */

/* |got - ref| <= 1e-6 (1 + |got|) + rnd, rnd the finite difference's rounding bound. */
static int close_enough(double got, double ref, double rnd)
{
    const double tol = FD_TOL * (1.0 + fabs(got)) + rnd;
    if (tol / (1.0 + fabs(got)) > max_rel_tol) max_rel_tol = tol / (1.0 + fabs(got));
    if (rnd > FD_TOL * (1.0 + fabs(got))) ++n_wide;
    return fabs(got - ref) <= tol;
}

/* Number of entries where g and the finite differences fd disagree beyond the tolerance (rnd[k]
 * the rounding bound of fd[k]); the first such index in *first. */
static size_t count_mismatch(const double *g, const double *fd, const double *rnd, size_t n,
                             size_t *first)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; ++k)
        if (!close_enough(g[k], fd[k], rnd[k])) {
            if (bad == 0 && first != NULL) *first = k;
            ++bad;
        }
    return bad;
}

static double max_fd_err_seen = 0.0;

static void note_err(double got, double ref)
{
    const double e = fabs(got - ref) / (1.0 + fabs(got));
    if (e > max_fd_err_seen) max_fd_err_seen = e;
}

/* Every gradient entry against D(h), and the Richardson cross-check. */
static void check_gradient(const fixture *fx, size_t i)
{
    double *g = malloc(fx->np * sizeof(double));
    double *d1 = malloc(fx->np * sizeof(double));
    double *d2 = malloc(fx->np * sizeof(double));
    double *rnd = malloc(fx->np * sizeof(double));
    assert_true(g != NULL && d1 != NULL && d2 != NULL && rnd != NULL);
    lib_grad(fx, i, g);
    double Af;
    (void)ref_f_from(&fx->d, fx->act, fx->net, 0, input_of(fx, i), &Af);
    for (size_t k = 0; k < fx->np; ++k) {
        const double h = step_for(*fx->slot[k]);
        d1[k] = fd_param(fx, i, k, h);
        d2[k] = fd_param(fx, i, k, h / 2.0);
        rnd[k] = RND_EPS * DBL_EPSILON * Af / h;
        note_err(g[k], d1[k]);
    }
    size_t first = 0;
    const size_t bad = count_mismatch(g, d1, rnd, fx->np, &first);
    if (bad != 0) {
        char what[64];
        describe(&fx->d, first, what, sizeof what);
        fail_msg("%s L=%zu C0=%zu i=%zu: %zu gradient entries disagree with finite differences; "
                 "first %s: backward %.12g, FD %.12g",
                 fx->act->name, fx->d.L, fx->d.C[0], i, bad, what, g[first], d1[first]);
    }
    for (size_t k = 0; k < fx->np; ++k) {
        const double rich = (4.0 * d2[k] - d1[k]) / 3.0;
        if (!close_enough(g[k], d2[k], 2.0 * rnd[k]) || !close_enough(d1[k], d2[k], 3.0 * rnd[k]) ||
            !close_enough(g[k], rich, 3.0 * rnd[k])) {
            char what[64];
            describe(&fx->d, k, what, sizeof what);
            fail_msg("%s L=%zu i=%zu %s: g %.12g, D(h) %.12g, D(h/2) %.12g, Richardson %.12g",
                     fx->act->name, fx->d.L, i, what, g[k], d1[k], d2[k], rich);
        }
    }
    free(rnd);
    free(d2);
    free(d1);
    free(g);
}

static void test_gradient_fd(void **state)
{
    (void)state;
    size_t checked = 0;
    for (size_t c = 0; c < N_CONFIGS; ++c)
        for (size_t a = 0; a < N_ACTS; ++a) {
            fixture fx;
            fixture_init(&fx, &configs[c], my_acts[a].name, 2, 1000UL + 37UL * c + a);
            for (size_t i = 1; i <= 2; ++i) {
                check_gradient(&fx, i);
                checked += fx.np;
            }
            fixture_free(&fx);
        }
    printf("# %zu gradient entries checked; max |g - D(h)| / (1 + |g|) = %.3g; tolerance / (1 + "
           "|g|) = %g + rnd / (1 + |g|) <= %.3g; %zu of the checks had rnd > %g (1 + |g|)\n",
           checked, max_fd_err_seen, FD_TOL, max_rel_tol, n_wide, FD_TOL);
}

/* The comparison is not vacuous: a single entry off by 1e-4 is reported, and only that one. */
static void test_sensitivity(void **state)
{
    (void)state;
    fixture fx;
    fixture_init(&fx, &configs[5], "tanh", 1, 4242UL); /* L = 3 */
    double *g = malloc(fx.np * sizeof(double));
    double *fd = malloc(fx.np * sizeof(double));
    double *rnd = malloc(fx.np * sizeof(double));
    assert_true(g != NULL && fd != NULL && rnd != NULL);
    lib_grad(&fx, 1, g);
    double Af;
    (void)ref_f_from(&fx.d, fx.act, fx.net, 0, input_of(&fx, 1), &Af);
    assert_true(Af < 100.0); /* an O(1) instance: rnd < 4 eps 100 / 1e-5 ~ 1e-8 */
    for (size_t k = 0; k < fx.np; ++k) {
        const double h = step_for(*fx.slot[k]);
        fd[k] = fd_param(&fx, 1, k, h);
        rnd[k] = RND_EPS * DBL_EPSILON * Af / h;
    }
    assert_int_equal(count_mismatch(g, fd, rnd, fx.np, NULL), 0);
    /* one entry of W^[1], one of b^[2], one of W^[3], the last of a */
    const size_t nW1 = fx.d.m[1] * fx.d.m[1] * fx.d.C[0] * fx.d.C[1];
    const size_t nW2 = fx.d.m[2] * fx.d.m[2] * fx.d.C[1] * fx.d.C[2];
    const size_t picks[] = {3, nW1 + fx.d.C[1] + nW2 + 1, nW1 + fx.d.C[1] + nW2 + fx.d.C[2] + 2,
                            fx.np - 1};
    for (size_t j = 0; j < sizeof picks / sizeof picks[0]; ++j) {
        const size_t k = picks[j];
        /* 1e-4 exceeds the tolerance, with room for the FD's own error (< 2e-6 here) */
        assert_true(FD_TOL * (1.0 + fabs(g[k])) + rnd[k] < 0.5e-4);
        for (int sign = -1; sign <= 1; sign += 2) {
            const double keep = g[k];
            g[k] += sign * 1e-4;
            size_t first = (size_t)-1;
            assert_int_equal(count_mismatch(g, fd, rnd, fx.np, &first), 1);
            assert_int_equal(first, k);
            g[k] = keep;
        }
    }
    assert_int_equal(count_mismatch(g, fd, rnd, fx.np, NULL), 0);
    free(rnd);
    free(fd);
    free(g);
    fixture_free(&fx);
}

/* ---- z^[l] of eq. (21) --------------------------------------------------------------------- */

/* z^[l]_{u,v,beta}(i) = d f / d x^[l]_{u,v,beta}(i): central differences of the test's own
 * forward pass started at layer l from the library's x^[l](i) with one entry moved; plus the
 * identity d f / d b^[l]_beta = sum_{u,v} z^[l]_{u,v,beta} against the FD derivative in b and
 * the library's gradient; plus, for L = 1, z^[1] = a sigma'(x^[1]) from its definition. */
static void check_z(const fixture *fx, size_t i)
{
    const ref_dims *d = &fx->d;
    double *g = malloc(fx->np * sizeof(double));
    double *zsum = malloc(fx->np * sizeof(double)); /* sum_{u,v} z^[l]_{u,v,beta}, at b's index */
    assert_true(g != NULL && zsum != NULL);
    const double f = lib_f(fx, i);
    lib_grad(fx, i, g); /* leaves x^[l](i), z^[l](i) in the workspace */
    /* the bound Af of the whole pass also bounds the terms of f computed from any layer */
    double Af;
    (void)ref_f_from(d, fx->act, fx->net, 0, input_of(fx, i), &Af);

    /* 1. every z^[l] entry by finite differences of the test's forward from layer l (no
     *    library call here, so the workspace keeps sample i's x and z) */
    size_t off_b = 0; /* index of b^[l]_1 in theta */
    for (size_t l = 1; l <= d->L; ++l) {
        off_b += d->m[l] * d->m[l] * d->C[l - 1] * d->C[l];
        const size_t sz = layer_size(d, l);
        double *xl = malloc(sz * sizeof(double));
        assert_non_null(xl);
        memcpy(xl, fx->ws->x[l], sz * sizeof(double));
        const double f0 = ref_f_from(d, fx->act, fx->net, l, xl, NULL);
        if (!(fabs(f0 - f) <= 128.0 * DBL_EPSILON * Af))
            fail_msg("forward from layer %zu: %.17g, library f %.17g", l, f0, f);
        for (size_t u = 1; u <= d->W[l]; ++u)
            for (size_t v = 1; v <= d->H[l]; ++v)
                for (size_t be = 1; be <= d->C[l]; ++be) {
                    const size_t k = ((u - 1) * d->H[l] + v - 1) * d->C[l] + be - 1;
                    const double t = xl[k], h = step_for(t);
                    volatile double tp = t + h, tm = t - h;
                    xl[k] = tp;
                    const double fp = ref_f_from(d, fx->act, fx->net, l, xl, NULL);
                    xl[k] = tm;
                    const double fm = ref_f_from(d, fx->act, fx->net, l, xl, NULL);
                    xl[k] = t;
                    const double fd = (fp - fm) / (tp - tm);
                    const double z = *condense_ws_z(fx->ws, l, u, v, be);
                    note_err(z, fd);
                    if (!close_enough(z, fd, RND_EPS * DBL_EPSILON * Af / h))
                        fail_msg("%s L=%zu i=%zu: z^[%zu]_{%zu,%zu,%zu} = %.12g, FD %.12g",
                                 fx->act->name, d->L, i, l, u, v, be, z, fd);
                }
        free(xl);
        /* 2. d f / d b^[l]_beta (library) = sum_{u,v} z^[l]_{u,v,beta}, up to rounding */
        for (size_t be = 1; be <= d->C[l]; ++be) {
            double sum = 0.0, sabs = 0.0;
            for (size_t u = 1; u <= d->W[l]; ++u)
                for (size_t v = 1; v <= d->H[l]; ++v) {
                    sum += *condense_ws_z(fx->ws, l, u, v, be);
                    sabs += fabs(*condense_ws_z(fx->ws, l, u, v, be));
                }
            const size_t kb = off_b + be - 1;
            zsum[kb] = sum;
            if (!(fabs(sum - g[kb]) <= 64.0 * DBL_EPSILON * (1.0 + sabs)))
                fail_msg("%s: sum z^[%zu]_{.,.,%zu} = %.17g but d f / d b = %.17g", fx->act->name,
                         l, be, sum, g[kb]);
        }
        off_b += d->C[l];
    }
    /* 3. L = 1: z^[1] = a sigma'(x^[1]) from the definition, with the test's own sigma' */
    if (d->L == 1) {
        for (size_t k = 0; k < layer_size(d, 1); ++k) {
            const double x = fx->ws->x[1][k];
            const double want = fx->net->a[k] * fx->act->ds(x);
            const double got = fx->ws->z[1][k];
            if (!(fabs(got - want) <=
                  64.0 * DBL_EPSILON * fabs(fx->net->a[k]) * (1.0 + fabs(x)) * (1.0 + fabs(x))))
                fail_msg("%s L=1: z^[1] entry %zu = %.17g, a sigma'(x) = %.17g", fx->act->name, k,
                         got, want);
        }
    }
    /* 4. sum_{u,v} z^[l]_{u,v,beta} against the finite difference in b^[l]_beta (this runs
     *    forward passes with perturbed b, so it comes last) */
    off_b = 0;
    for (size_t l = 1; l <= d->L; ++l) {
        off_b += d->m[l] * d->m[l] * d->C[l - 1] * d->C[l];
        for (size_t be = 1; be <= d->C[l]; ++be) {
            const size_t kb = off_b + be - 1;
            const double h = step_for(*fx->slot[kb]);
            const double fd = fd_param(fx, i, kb, h);
            if (!close_enough(zsum[kb], fd, RND_EPS * DBL_EPSILON * Af / h))
                fail_msg("%s L=%zu i=%zu: sum_{u,v} z^[%zu]_{u,v,%zu} = %.12g, FD in b %.12g",
                         fx->act->name, d->L, i, l, be, zsum[kb], fd);
        }
        off_b += d->C[l];
    }
    free(zsum);
    free(g);
}

static void test_z(void **state)
{
    (void)state;
    for (size_t c = 0; c < N_CONFIGS; ++c)
        for (size_t a = 0; a < N_ACTS; ++a) {
            fixture fx;
            fixture_init(&fx, &configs[c], my_acts[a].name, 2, 5000UL + 37UL * c + a);
            check_z(&fx, 2);
            fixture_free(&fx);
        }
}

/* ---- the weight argument ------------------------------------------------------------------ */

static void test_weight(void **state)
{
    (void)state;
    for (size_t c = 0; c < N_CONFIGS; c += 2) {
        fixture fx;
        fixture_init(&fx, &configs[c], "silu", 3, 77UL + c);
        double *g = malloc(fx.np * sizeof(double));
        double *c0 = malloc(fx.np * sizeof(double));
        assert_true(g != NULL && c0 != NULL);
        lib_grad(&fx, 3, g);
        condense_cnn *acc = NULL;
        assert_int_equal(condense_cnn_clone(fx.net, 0, &acc), CONDENSE_OK);
        size_t np;
        double **as = slots_of(acc, &fx.d, &np);
        /* start from nonzero contents: backward must add, not overwrite */
        for (size_t k = 0; k < np; ++k)
            *as[k] = c0[k] = 0.25 * (double)(k % 7) - 0.5;
        (void)lib_f(&fx, 3);
        assert_int_equal(condense_cnn_backward(fx.net, fx.data, 3, fx.ws, 0.0, acc), CONDENSE_OK);
        for (size_t k = 0; k < np; ++k)
            assert_true(*as[k] == c0[k]);
        (void)lib_f(&fx, 3);
        assert_int_equal(condense_cnn_backward(fx.net, fx.data, 3, fx.ws, 0.5, acc), CONDENSE_OK);
        (void)lib_f(&fx, 3);
        assert_int_equal(condense_cnn_backward(fx.net, fx.data, 3, fx.ws, 1.5, acc), CONDENSE_OK);
        for (size_t k = 0; k < np; ++k) {
            const double want = c0[k] + 2.0 * g[k];
            if (!(fabs(*as[k] - want) <= 1e-13 * (1.0 + fabs(c0[k]) + 2.0 * fabs(g[k]))))
                fail_msg("entry %zu: c + 0.5 g + 1.5 g = %.17g, c + 2 g = %.17g", k, *as[k], want);
        }
        /* a negative weight subtracts */
        (void)lib_f(&fx, 3);
        assert_int_equal(condense_cnn_backward(fx.net, fx.data, 3, fx.ws, -2.0, acc), CONDENSE_OK);
        for (size_t k = 0; k < np; ++k)
            assert_true(fabs(*as[k] - c0[k]) <= 1e-13 * (1.0 + fabs(c0[k]) + 4.0 * fabs(g[k])));
        free(as);
        condense_cnn_free(acc);
        free(c0);
        free(g);
        fixture_free(&fx);
    }
}

/* ---- risk and GD field -------------------------------------------------------------------- */

/* R_S and e_i against the test's own forward pass.  Tolerances: e_i errs by at most
 * 64 eps Af_i (test_forward.c) plus one rounding of the subtraction, R_S by eps (64 S + 8 R)
 * (ref_risk). */
static void test_risk(void **state)
{
    (void)state;
    for (size_t c = 0; c < N_CONFIGS; ++c) {
        fixture fx;
        fixture_init(&fx, &configs[c], c % 2 ? "tanh" : "x2tanh", 5, 300UL + c);
        const size_t n = fx.data->n;
        double e[5], R = NAN, R2 = NAN, Rref = 0.0, S;
        for (size_t i = 1; i <= n; ++i)
            e[i - 1] = NAN;
        assert_int_equal(condense_risk(fx.net, fx.data, fx.ws, &R, e), CONDENSE_OK);
        for (size_t i = 1; i <= n; ++i) {
            double Af;
            const double f = ref_f_from(&fx.d, fx.act, fx.net, 0, input_of(&fx, i), &Af);
            const double ei = f - fx.data->y[i - 1];
            if (!(fabs(e[i - 1] - ei) <= 64.0 * DBL_EPSILON * Af + DBL_EPSILON * fabs(ei)))
                fail_msg("e_%zu = %.17g, expected f - y = %.17g", i, e[i - 1], ei);
            Rref += ei * ei;
        }
        Rref /= 2.0 * (double)n;
        assert_true(fabs(Rref - ref_risk(&fx, &S)) <= 4.0 * DBL_EPSILON * Rref);
        if (!(fabs(R - Rref) <= DBL_EPSILON * (64.0 * S + 8.0 * Rref)))
            fail_msg("R_S = %.17g, expected %.17g", R, Rref);
        assert_int_equal(condense_risk(fx.net, fx.data, fx.ws, &R2, NULL), CONDENSE_OK);
        assert_true(R2 == R);
        fixture_free(&fx);
    }
    /* by hand: f = 0 (a = 0), y = (1, -2, 3): R_S = (1 + 4 + 9) / 6 = 7/3, e = -y */
    fixture fx;
    fixture_init(&fx, &configs[0], "tanh", 3, 1UL);
    memset(fx.net->a, 0, layer_size(&fx.d, fx.d.L) * sizeof(double));
    fx.data->y[0] = 1;
    fx.data->y[1] = -2;
    fx.data->y[2] = 3;
    double e[3], R;
    assert_int_equal(condense_risk(fx.net, fx.data, fx.ws, &R, e), CONDENSE_OK);
    assert_true(fabs(R - 7.0 / 3.0) <= 4 * DBL_EPSILON);
    assert_true(e[0] == -1.0 && e[1] == 2.0 && e[2] == -3.0);
    fixture_free(&fx);
}

/* d theta / dt = -grad R_S against -(central FD of the test's own R_S), every parameter. */
static void test_gd_field(void **state)
{
    (void)state;
    const size_t which[] = {0, 1, 2, 3}; /* L = 1, 2 with C_0 = 1 and 3 */
    const char *acts[] = {"tanh", "silu2"};
    for (size_t w = 0; w < sizeof which / sizeof which[0]; ++w)
        for (size_t a = 0; a < 2; ++a) {
            fixture fx;
            fixture_init(&fx, &configs[which[w]], acts[a], 4, 900UL + 10UL * w + a);
            condense_cnn *dth = NULL;
            assert_int_equal(condense_cnn_clone(fx.net, 0, &dth), CONDENSE_OK);
            size_t np;
            double **ds = slots_of(dth, &fx.d, &np);
            for (size_t k = 0; k < np; ++k)
                *ds[k] = 1e300; /* must be overwritten */
            double R = NAN, Rrisk = NAN;
            assert_int_equal(condense_gd_field(fx.net, fx.data, fx.ws, dth, &R), CONDENSE_OK);
            assert_int_equal(condense_risk(fx.net, fx.data, fx.ws, &Rrisk, NULL), CONDENSE_OK);
            double S;
            const double Rref = ref_risk(&fx, &S);
            assert_true(fabs(R - Rref) <= DBL_EPSILON * (64.0 * S + 8.0 * Rref));
            assert_true(fabs(R - Rrisk) <= DBL_EPSILON * (64.0 * S + 8.0 * Rref));
            for (size_t k = 0; k < np; ++k) {
                double *p = fx.slot[k];
                const double t = *p, h = step_for(t);
                volatile double tp = t + h, tm = t - h;
                *p = tp;
                const double Rp = ref_risk(&fx, NULL);
                *p = tm;
                const double Rm = ref_risk(&fx, NULL);
                *p = t;
                const double fd = -(Rp - Rm) / (tp - tm);
                note_err(*ds[k], fd);
                /* rounding of R_S estimated as for f: RND_EPS eps S + 8 eps R */
                if (!close_enough(*ds[k], fd, DBL_EPSILON * (RND_EPS * S + 8.0 * Rref) / h)) {
                    char what[64];
                    describe(&fx.d, k, what, sizeof what);
                    fail_msg("%s L=%zu C0=%zu: d theta/dt at %s = %.12g, -FD of R_S %.12g", acts[a],
                             fx.d.L, fx.d.C[0], what, *ds[k], fd);
                }
            }
            /* R_S may be NULL */
            assert_int_equal(condense_gd_field(fx.net, fx.data, fx.ws, dth, NULL), CONDENSE_OK);
            free(ds);
            condense_cnn_free(dth);
            fixture_free(&fx);
        }
    printf("# after z and GD-field checks: max |g - FD| / (1 + |g|) = %.3g; largest tolerance / "
           "(1 + |g|) %.3g; %zu checks with rnd > %g (1 + |g|)\n",
           max_fd_err_seen, max_rel_tol, n_wide, FD_TOL);
}

/* ---- error paths -------------------------------------------------------------------------- */

static void expect_status(int got, int want, const char *what)
{
    if (got != want)
        fail_msg("%s: status %d, expected %d (message: '%s')", what, got, want, condense_errmsg());
    if (want != CONDENSE_OK && condense_errmsg()[0] == '\0')
        fail_msg("%s: status %d but condense_errmsg() is empty", what, got);
}

#define EXPECT_STATUS(call, want)                                                                  \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        expect_status((call), (want), #call);                                                      \
    } while (0)

static void test_errors(void **state)
{
    (void)state;
    fixture fx;
    fixture_init(&fx, &configs[3], "tanh", 3, 11UL); /* L = 2, 5x6x3 input, C = (2,3), m = (2,3) */
    condense_cnn *net = fx.net;
    condense_data *data = fx.data;
    condense_workspace *ws = fx.ws;
    condense_cnn *g = NULL;
    assert_int_equal(condense_cnn_clone(net, 0, &g), CONDENSE_OK);
    double f, R, e[3];
    EXPECT_STATUS(condense_cnn_forward(net, data, 1, ws, &f), CONDENSE_OK);

    /* backward */
    EXPECT_STATUS(condense_cnn_backward(NULL, data, 1, ws, 1.0, g), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_backward(net, NULL, 1, ws, 1.0, g), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_backward(net, data, 1, NULL, 1.0, g), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_backward(net, data, 1, ws, 1.0, NULL), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_backward(net, data, 0, ws, 1.0, g), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_cnn_backward(net, data, 4, ws, 1.0, g), CONDENSE_EINVAL);

    /* risk and GD field */
    EXPECT_STATUS(condense_risk(NULL, data, ws, &R, e), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_risk(net, NULL, ws, &R, e), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_risk(net, data, NULL, &R, e), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_risk(net, data, ws, NULL, e), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_gd_field(NULL, data, ws, g, &R), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_gd_field(net, NULL, ws, g, &R), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_gd_field(net, data, NULL, g, &R), CONDENSE_EINVAL);
    EXPECT_STATUS(condense_gd_field(net, data, ws, NULL, &R), CONDENSE_EINVAL);

    /* a gradient network of another shape: other C_1, other m_2, other L, other input size */
    static const config others[] = {
        {2, 5, 6, 3, {3, 3}, {2, 3}}, {2, 5, 6, 3, {2, 3}, {2, 2}},
        {1, 5, 6, 3, {2}, {2}},       {3, 5, 6, 3, {2, 3, 1}, {2, 3, 1}},
        {2, 6, 6, 3, {2, 3}, {2, 3}}, {2, 5, 6, 1, {2, 3}, {2, 3}},
    };
    condense_activation act;
    assert_int_equal(condense_activation_lookup("tanh", 0, &act), CONDENSE_OK);
    for (size_t k = 0; k < sizeof others / sizeof others[0]; ++k) {
        condense_cnn_shape s = shape_of(&others[k]);
        condense_cnn *other = NULL, *og = NULL;
        assert_int_equal(condense_cnn_alloc(&s, act, &other), CONDENSE_OK);
        assert_int_equal(condense_cnn_clone(other, 0, &og), CONDENSE_OK);
        EXPECT_STATUS(condense_cnn_forward(net, data, 1, ws, &f), CONDENSE_OK);
        EXPECT_STATUS(condense_cnn_backward(net, data, 1, ws, 1.0, og), CONDENSE_ESIZE);
        EXPECT_STATUS(condense_gd_field(net, data, ws, og, &R), CONDENSE_ESIZE);
        condense_cnn_free(og);
        condense_cnn_free(other);
    }

    /* data of another input shape */
    const size_t bad[][3] = {{6, 6, 3}, {5, 5, 3}, {5, 6, 1}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        condense_data *other = NULL;
        assert_int_equal(condense_data_alloc(3, bad[k][0], bad[k][1], bad[k][2], &other),
                         CONDENSE_OK);
        EXPECT_STATUS(condense_cnn_forward(net, data, 1, ws, &f), CONDENSE_OK);
        EXPECT_STATUS(condense_cnn_backward(net, other, 1, ws, 1.0, g), CONDENSE_ESIZE);
        EXPECT_STATUS(condense_risk(net, other, ws, &R, e), CONDENSE_ESIZE);
        EXPECT_STATUS(condense_gd_field(net, other, ws, g, &R), CONDENSE_ESIZE);
        condense_data_free(other);
    }

    /* after all this, the valid calls still work */
    EXPECT_STATUS(condense_cnn_forward(net, data, 2, ws, &f), CONDENSE_OK);
    EXPECT_STATUS(condense_cnn_backward(net, data, 2, ws, 1.0, g), CONDENSE_OK);
    EXPECT_STATUS(condense_risk(net, data, ws, &R, NULL), CONDENSE_OK);
    EXPECT_STATUS(condense_gd_field(net, data, ws, g, NULL), CONDENSE_OK);
    condense_cnn_free(g);
    fixture_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradient_fd), cmocka_unit_test(test_sensitivity),
        cmocka_unit_test(test_z),           cmocka_unit_test(test_weight),
        cmocka_unit_test(test_risk),        cmocka_unit_test(test_gd_field),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
