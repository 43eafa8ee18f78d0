/* test_linear_flow.c -- the exact linear flow of the two-layer CNN, CNN paper App. C.2,
 * Proposition 1 (eq. 38-44) and Remark 5, and its two independent companions exp(tA) and the
 * numerically integrated ODE (condense/linear_flow.h).
 *
 * Independent routes used as expected values:
 *   - three computations of theta_beta(t) that share nothing but A: the closed form (SVD of Z,
 *     eq. 42/44), exp(tA) (symmetric eigendecomposition of the (N_W + N_a)-square A), and rk8pd
 *     integration of d theta/dt = A theta (which never decomposes anything);
 *   - the ODE itself: a central finite difference in t of the closed form against A theta(t),
 *     with A theta computed here by loops;
 *   - the defining conditions of eq. (42) with <Z^T theta_a(0), v_k> and <Z theta_W(0), u_k>
 *     computed here from Z, not from the singular vectors that define the constants;
 *   - matrices whose flow is known by hand: diag(Z) (cosh/sinh per coordinate) and Z = B C of
 *     rank 2 (theta(t) - theta(0) must lie in range(C^T) x range(B), whose bases are
 *     Gram-Schmidt'ed here from B and C), and a data set of constant images (rank 1, Z = 1 w^T
 *     with w written here from the data);
 *   - time reversal: the flow to t and back to 0 is the identity.
 *
 * Notation in tolerances: eps = DBL_EPSILON, N = N_W + N_a, tau = lambda_1 |t|, and
 * |.| the 2-norm.  For the symmetric A of eq. (34), ||A||_2 = lambda_1 and
 * ||exp(tA)||_2 = e^tau.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/data.h"
#include "condense/error.h"
#include "condense/linear_flow.h"
#include "condense/linearization.h"
#include "condense/spectrum.h"

#define EPS DBL_EPSILON
#define SENTINEL (-987654.125)

/* A status check that prints the library's message when it fails. */
#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* |got| <= tol, printing the numbers when not. */
#define assert_below(got, tol)                                                                     \
    do {                                                                                           \
        const double g_ = (got), t_ = (tol);                                                       \
        if (!(g_ <= t_)) {                                                                         \
            print_error("%s = %.3e exceeds %s = %.3e\n", #got, g_, #tol, t_);                      \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* After a failure the library must have recorded a message naming something. */
static void assert_message_recorded(void)
{
    assert_true(strlen(condense_errmsg()) > 0);
}

static void assert_message_has(const char *needle)
{
    if (strstr(condense_errmsg(), needle) == NULL) {
        print_error("message \"%s\" lacks \"%s\"\n", condense_errmsg(), needle);
        fail();
    }
}

/* ---- small linear algebra, written here ---------------------------------------------------- */

static double dot(const double *x, const double *y, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; ++i)
        s += x[i] * y[i];
    return s;
}

static double nrm(const double *x, size_t n)
{
    return sqrt(dot(x, x, n));
}

static double dist(const double *x, const double *y, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; ++i)
        s += (x[i] - y[i]) * (x[i] - y[i]);
    return sqrt(s);
}

/* y = M x, and y = M^T x, by loops. */
static void matvec(const gsl_matrix *M, const double *x, double *y)
{
    for (size_t i = 0; i < M->size1; ++i) {
        y[i] = 0.0;
        for (size_t j = 0; j < M->size2; ++j)
            y[i] += gsl_matrix_get(M, i, j) * x[j];
    }
}

static void matvec_T(const gsl_matrix *M, const double *x, double *y)
{
    for (size_t j = 0; j < M->size2; ++j) {
        y[j] = 0.0;
        for (size_t i = 0; i < M->size1; ++i)
            y[j] += gsl_matrix_get(M, i, j) * x[i];
    }
}

/* A theta for A = [[0, Z^T], [Z, 0]] in the theta_beta layout (W first), from Z by loops:
 * (A theta)_W = Z^T theta_a, (A theta)_a = Z theta_W (eq. 38). */
static void A_theta(const gsl_matrix *Z, const double *theta, double *out)
{
    const size_t NW = Z->size2;
    matvec_T(Z, theta + NW, out);
    matvec(Z, theta, out + NW);
}

/* Orthonormalise the columns of M (n x k, full column rank) in place: modified Gram-Schmidt
 * applied twice, which makes the columns orthonormal to a few eps. */
static void orthonormalise(gsl_matrix *M)
{
    for (int pass = 0; pass < 2; ++pass)
        for (size_t j = 0; j < M->size2; ++j) {
            gsl_vector_view cj = gsl_matrix_column(M, j);
            for (size_t i = 0; i < j; ++i) {
                gsl_vector_view ci = gsl_matrix_column(M, i);
                double p = 0.0;
                for (size_t l = 0; l < M->size1; ++l)
                    p += gsl_vector_get(&ci.vector, l) * gsl_vector_get(&cj.vector, l);
                for (size_t l = 0; l < M->size1; ++l)
                    gsl_vector_set(&cj.vector, l,
                                   gsl_vector_get(&cj.vector, l) -
                                       p * gsl_vector_get(&ci.vector, l));
            }
            double s = 0.0;
            for (size_t l = 0; l < M->size1; ++l)
                s += gsl_vector_get(&cj.vector, l) * gsl_vector_get(&cj.vector, l);
            for (size_t l = 0; l < M->size1; ++l)
                gsl_vector_set(&cj.vector, l, gsl_vector_get(&cj.vector, l) / sqrt(s));
        }
}

/* out = x - Q Q^T x for Q with orthonormal columns (length Q->size1). */
static void remove_span(const gsl_matrix *Q, const double *x, double *out)
{
    memcpy(out, x, Q->size1 * sizeof *out);
    for (size_t j = 0; j < Q->size2; ++j) {
        double p = 0.0;
        for (size_t l = 0; l < Q->size1; ++l)
            p += gsl_matrix_get(Q, l, j) * x[l];
        for (size_t l = 0; l < Q->size1; ++l)
            out[l] -= p * gsl_matrix_get(Q, l, j);
    }
}

static void random_vector(gsl_rng *rng, double *x, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        x[i] = gsl_ran_gaussian(rng, 1.0);
}

static void fill(double *x, size_t n, double value)
{
    for (size_t i = 0; i < n; ++i)
        x[i] = value;
}

static void assert_all(const double *x, size_t n, double value)
{
    for (size_t i = 0; i < n; ++i)
        assert_true(x[i] == value);
}

/* ---- a problem: Z, A, its spectrum and exp(tA) ---------------------------------------------- */

typedef struct problem {
    size_t NW, Na, N;
    gsl_matrix *Z, *A;
    condense_spectrum *s;
    condense_expA *e;
    double lambda1;
} problem;

/* Takes ownership of Z. */
static void problem_from_Z(problem *p, gsl_matrix *Z, double rank_tol)
{
    p->Z = Z;
    p->Na = Z->size1;
    p->NW = Z->size2;
    p->N = p->NW + p->Na;
    assert_status(condense_A_alloc(Z, &p->A), CONDENSE_OK);
    assert_status(condense_spectrum_alloc(Z, rank_tol, &p->s), CONDENSE_OK);
    assert_status(condense_expA_alloc(p->A, &p->e), CONDENSE_OK);
    p->lambda1 = condense_spectrum_lambda(p->s, 1);
    assert_true(p->lambda1 > 0.0);
}

static void problem_from_data(problem *p, size_t n, size_t W0, size_t H0, size_t C0, size_t m,
                              unsigned long seed)
{
    condense_data *d = NULL;
    gsl_matrix *Z = NULL;
    assert_status(condense_data_synthetic(n, W0, H0, C0, 2.0, seed, &d), CONDENSE_OK);
    assert_status(condense_Z_alloc(d, m, &Z), CONDENSE_OK);
    condense_data_free(d);
    problem_from_Z(p, Z, -1.0);
}

static void problem_free(problem *p)
{
    condense_expA_free(p->e);
    condense_spectrum_free(p->s);
    gsl_matrix_free(p->A);
    gsl_matrix_free(p->Z);
}

/* The data-set configurations of the cross-checks: m in {2, 3}, C_0 in {1, 3}, 5 x 6 images.
 * (C_0 = 3, m = 3) has N_W = 28 > N_a = 12: at least 16 frozen W directions. */
typedef struct config {
    size_t n, W0, H0, C0, m;
    unsigned long seed;
} config;

static const config configs[] = {
    {7, 5, 6, 1, 2, 101}, {7, 5, 6, 1, 3, 102}, {7, 5, 6, 3, 2, 103}, {7, 5, 6, 3, 3, 104}};
#define NCONFIGS (sizeof configs / sizeof configs[0])

/* ---- the three routes ------------------------------------------------------------------------ */

/* Closed form (eq. 44) vs exp(tA) vs rk8pd at epsrel = 1e-13, epsabs = 0, for tau = lambda_1 |t|
 * in {0, 0.5, 5, 20} and both signs of t, relative to |theta(t)|; and the frozen part of
 * theta(t) (Remark 5) equals that of theta(0).  For (C_0, m) = (3, 3), N_W = 28 > N_a = 12, so
 * at least 16 W directions are frozen; for (1, 2), N_a = 20 > N_W = 5 and 15 a directions are.
 *
 * Tolerance 1e-10 relative.  Rounding: each decomposition is backward stable, i.e. exact for
 * A + dA with |dA| <= p(N) eps lambda_1 (p a low-degree polynomial, in practice ~N); by Duhamel's
 * formula exp(t(A + dA)) - exp(tA) = int_0^t exp((t-s)(A+dA)) dA exp(sA) ds has norm <= |t| |dA|
 * e^tau, so the error is <= tau p(N) eps e^tau |theta(0)|.  Since |theta(t)| >= sqrt(2) |c_1|
 * e^tau (the +lambda_1 mode alone; |d_1| for t < 0), relative to |theta(t)| this is
 * tau p(N) eps |theta(0)| / |c_1|; with N <= 40, tau <= 20 and |theta(0)| / |c_1| ~ sqrt(N) for a
 * random theta(0) it is ~ 20 * 40 * 2.2e-16 * 6 ~ 1e-12, plus the final rank-one updates' own N
 * eps.  The ODE: the controller keeps each step's local error below 1e-13 |y| (estimated by the
 * embedded 7th order formula, pessimistic for the 8th order solution carried), and an error
 * committed at time s grows like the solution's dominant mode, by at most e^{lambda_1 (t - s)}, so
 * the relative global error is at most the sum of the local relative errors.  rk8pd takes about 7
 * steps per unit of lambda_1 t at epsrel = 1e-13 (about 140 at tau = 20), so <= 1.4e-11 in the
 * worst case; over tau = 700 on a 2 x 2 problem the measured relative error was 2e-11.  1e-10
 * covers both with margin while still failing for any real mistake (a wrong constant, sign or
 * layout changes theta(t) at relative order 1).  Measured here (printed): closed/expA
 * 1.8e-14, closed/ODE 4.2e-14. */
static void test_three_routes(void **state)
{
    (void)state;
    const double taus[] = {0.0, 0.5, 5.0, 20.0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    double worst_expA = 0.0, worst_ode = 0.0;
    for (size_t c = 0; c < NCONFIGS; ++c) {
        problem p;
        problem_from_data(&p, configs[c].n, configs[c].W0, configs[c].H0, configs[c].C0,
                          configs[c].m, configs[c].seed);
        double *th0 = malloc(6 * p.N * sizeof *th0);
        assert_non_null(th0);
        double *closed = th0 + p.N, *viaexp = th0 + 2 * p.N, *viaode = th0 + 3 * p.N,
               *fz0 = th0 + 4 * p.N, *fzt = th0 + 5 * p.N;
        random_vector(rng, th0, p.N);
        assert_status(condense_linear_frozen(p.s, th0, fz0), CONDENSE_OK);
        assert_true(nrm(fz0, p.N) > 0.05 * nrm(th0, p.N)); /* >= 2 frozen directions each */
        for (size_t it = 0; it < sizeof taus / sizeof taus[0]; ++it)
            for (int sign = -1; sign <= 1; sign += 2) {
                const double t = sign * taus[it] / p.lambda1;
                assert_status(condense_linear_flow(p.s, th0, t, closed), CONDENSE_OK);
                assert_status(condense_expA_apply(p.e, t, th0, viaexp), CONDENSE_OK);
                assert_status(condense_linear_ode(p.A, th0, t, 0.0, 1e-13, viaode), CONDENSE_OK);
                const double scale = nrm(closed, p.N);
                const double rel_exp = dist(closed, viaexp, p.N) / scale;
                const double rel_ode = dist(closed, viaode, p.N) / scale;
                assert_below(rel_exp, 1e-10);
                assert_below(rel_ode, 1e-10);
                /* Remark 5: the frozen part stays put (tolerance as in
                 * test_rank_deficient_constructed) */
                assert_status(condense_linear_frozen(p.s, closed, fzt), CONDENSE_OK);
                assert_below(dist(fzt, fz0, p.N), 16.0 * p.N * EPS * (scale + nrm(th0, p.N)));
                worst_expA = fmax(worst_expA, rel_exp);
                worst_ode = fmax(worst_ode, rel_ode);
            }
        free(th0);
        problem_free(&p);
    }
    print_message("three routes: max relative difference closed/expA %.2e, closed/ODE %.2e\n",
                  worst_expA, worst_ode);
    gsl_rng_free(rng);
}

/* The closed form solves d theta/dt = A theta: central difference (theta(t+h) - theta(t-h)) /
 * (2h) against A theta(t) (A applied by loops from Z).  With h = 1e-4 / lambda_1:
 * truncation <= h^2 |theta'''| / 6 <= h^2 lambda_1^3 e^{lambda_1 h} |theta(t)| / 6; rounding: the
 * computed theta(s) is the exact flow of a perturbed A + dA (|dA| <= 8 N eps lambda_1, see
 * above), whose derivative differs from A theta by <= |dA| |theta|, plus non-smooth rounding
 * <= 8 N eps |theta| in each of theta(t +- h), divided by 2h.  So
 *   tol = lambda_1 |theta(t)| e^{lambda_1 h} (h^2 lambda_1^2 / 6 + 8 N eps + 8 N eps /
 *         (lambda_1 h)),
 * about 2e-9 lambda_1 |theta(t)| while |A theta(t)| is of order lambda_1 |theta(t)|: the check is
 * sharp.  It fails for the paper-literal a-constants (c_a, d_a) = (c_W, d_W), shown below. */
static void test_closed_form_solves_ode(void **state)
{
    (void)state;
    const double taus[] = {0.0, 0.5, 5.0, -2.0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 8);
    for (size_t c = 0; c < NCONFIGS; ++c) {
        problem p;
        problem_from_data(&p, configs[c].n, configs[c].W0, configs[c].H0, configs[c].C0,
                          configs[c].m, configs[c].seed);
        const size_t N = p.N;
        double *buf = malloc(6 * N * sizeof *buf);
        assert_non_null(buf);
        double *th0 = buf, *tp = buf + N, *tm = buf + 2 * N, *tc = buf + 3 * N, *Ath = buf + 4 * N,
               *fd = buf + 5 * N;
        random_vector(rng, th0, N);
        const double l1 = p.lambda1, h = 1e-4 / l1;
        for (size_t it = 0; it < sizeof taus / sizeof taus[0]; ++it) {
            const double t = taus[it] / l1;
            assert_status(condense_linear_flow(p.s, th0, t, tc), CONDENSE_OK);
            assert_status(condense_linear_flow(p.s, th0, t + h, tp), CONDENSE_OK);
            assert_status(condense_linear_flow(p.s, th0, t - h, tm), CONDENSE_OK);
            for (size_t i = 0; i < N; ++i)
                fd[i] = (tp[i] - tm[i]) / (2.0 * h);
            A_theta(p.Z, tc, Ath);
            const double thn = nrm(tc, N);
            const double tol = l1 * thn * exp(l1 * h) *
                               (h * h * l1 * l1 / 6.0 + 8.0 * N * EPS + 8.0 * N * EPS / (l1 * h));
            assert_below(dist(fd, Ath, N), tol);
            /* the tolerance is far below the size of the derivative */
            assert_true(tol < 1e-6 * nrm(Ath, N));

            /* Can fail: the paper prints only the W-constants; using them for theta_a as well,
             * (c_a, d_a) = (c_W, d_W), gives a curve that is not a solution (when t != 0 the
             * a-part grows with the wrong sign of its e^{-lambda t} term). */
            if (t != 0.0) {
                const size_t r = p.s->r;
                double *cW = malloc(2 * r * sizeof *cW);
                assert_non_null(cW);
                double *dW = cW + r;
                assert_status(condense_linear_constants(p.s, th0, cW, dW, NULL, NULL), CONDENSE_OK);
                double *wrong[3] = {tm, tc, tp};
                const double ts[3] = {t - h, t, t + h};
                for (int j = 0; j < 3; ++j) { /* rebuild the a-part of theta(s) this wrong way */
                    double *th = wrong[j];
                    memcpy(th + p.NW, th0 + p.NW, p.Na * sizeof *th);
                    for (size_t k = 1; k <= r; ++k) {
                        gsl_vector_const_view u = condense_spectrum_u(p.s, k);
                        const double lk = condense_spectrum_lambda(p.s, k);
                        const double Y = cW[k - 1] - dW[k - 1];
                        const double g = cW[k - 1] * exp(lk * ts[j]) + dW[k - 1] * exp(-lk * ts[j]);
                        for (size_t i = 0; i < p.Na; ++i)
                            th[p.NW + i] += (g - Y) * gsl_vector_get(&u.vector, i);
                    }
                }
                for (size_t i = 0; i < N; ++i)
                    fd[i] = (tp[i] - tm[i]) / (2.0 * h);
                A_theta(p.Z, tc, Ath);
                assert_true(dist(fd, Ath, N) > 1e3 * tol);
                free(cW);
            }
        }
        free(buf);
        problem_free(&p);
    }
    gsl_rng_free(rng);
}

/* theta(0) is reproduced: at t = 0 the closed form adds (c + d - X_k) v_k with c + d - X_k a
 * rounding error <= 2 eps (|X_k| + |Y_k|) <= 4 eps |theta(0)|, for r modes, plus the axpy's
 * own rounding eps |theta(0)| each: tol = 8 (r + 1) eps |theta(0)|.  exp(0 A) = Q Q^T: Q is
 * orthonormal to ~N eps (symmv is backward stable), tol 8 N eps |theta(0)|.  The ODE returns
 * x0 exactly at t = 0 (nothing to integrate). */
static void test_initial_value(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 9);
    for (size_t c = 0; c < NCONFIGS; ++c) {
        problem p;
        problem_from_data(&p, configs[c].n, configs[c].W0, configs[c].H0, configs[c].C0,
                          configs[c].m, configs[c].seed);
        double *th0 = malloc(2 * p.N * sizeof *th0);
        assert_non_null(th0);
        double *out = th0 + p.N;
        random_vector(rng, th0, p.N);
        const double n0 = nrm(th0, p.N);
        assert_status(condense_linear_flow(p.s, th0, 0.0, out), CONDENSE_OK);
        assert_below(dist(out, th0, p.N), 8.0 * (p.s->r + 1) * EPS * n0);
        assert_status(condense_expA_apply(p.e, 0.0, th0, out), CONDENSE_OK);
        assert_below(dist(out, th0, p.N), 8.0 * p.N * EPS * n0);
        assert_status(condense_linear_ode(p.A, th0, 0.0, 0.0, 1e-10, out), CONDENSE_OK);
        assert_memory_equal(out, th0, p.N * sizeof *out);
        free(th0);
        problem_free(&p);
    }
    gsl_rng_free(rng);
}

/* The constants satisfy the two conditions of eq. (42) and their a-analogues, with the
 * right-hand sides computed from Z (not from u_k, v_k's relation Z v_k = lambda_k u_k):
 *   c_W + d_W = <theta_W(0), v_k>,   lambda_k (c_W - d_W) = <Z^T theta_a(0), v_k>,
 *   c_a + d_a = <theta_a(0), u_k>,   lambda_k (c_a - d_a) = <Z theta_W(0), u_k>.
 * Tolerances: the sums are exact up to 2 eps (|X| + |Y|) <= 4 eps |theta(0)| plus the dot
 * products' N eps |theta(0)|: 8 N eps |theta(0)|.  The derivative conditions carry the SVD's
 * residual |Z v_k - lambda_k u_k| <= p(N) eps lambda_1 (backward stability): tol
 * 16 N eps lambda_1 |theta(0)|.  Only r entries are written (sentinels after them survive), and
 * NULL outputs are skipped. */
static void test_constants(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 10);
    for (size_t c = 0; c < NCONFIGS; ++c) {
        problem p;
        problem_from_data(&p, configs[c].n, configs[c].W0, configs[c].H0, configs[c].C0,
                          configs[c].m, configs[c].seed);
        const size_t r = p.s->r, N = p.N;
        assert_true(r >= 1);
        double *buf = malloc((3 * N + 4 * (r + 1)) * sizeof *buf);
        assert_non_null(buf);
        double *th0 = buf, *ZTa = buf + N, *ZW = buf + 2 * N, *cW = buf + 3 * N, *dW = cW + (r + 1),
               *ca = dW + (r + 1), *da = ca + (r + 1);
        random_vector(rng, th0, N);
        fill(cW, 4 * (r + 1), SENTINEL);
        assert_status(condense_linear_constants(p.s, th0, cW, dW, ca, da), CONDENSE_OK);
        assert_true(cW[r] == SENTINEL && dW[r] == SENTINEL && ca[r] == SENTINEL &&
                    da[r] == SENTINEL);
        matvec_T(p.Z, th0 + p.NW, ZTa); /* Z^T theta_a(0) */
        matvec(p.Z, th0, ZW);           /* Z theta_W(0) */
        const double n0 = nrm(th0, N);
        for (size_t k = 1; k <= r; ++k) {
            gsl_vector_const_view v = condense_spectrum_v(p.s, k);
            gsl_vector_const_view u = condense_spectrum_u(p.s, k);
            const double lk = condense_spectrum_lambda(p.s, k);
            double X = 0.0, Y = 0.0, dX = 0.0, dY = 0.0;
            for (size_t i = 0; i < p.NW; ++i) {
                X += th0[i] * gsl_vector_get(&v.vector, i);
                dX += ZTa[i] * gsl_vector_get(&v.vector, i);
            }
            for (size_t i = 0; i < p.Na; ++i) {
                Y += th0[p.NW + i] * gsl_vector_get(&u.vector, i);
                dY += ZW[i] * gsl_vector_get(&u.vector, i);
            }
            const size_t j = k - 1;
            assert_below(fabs(cW[j] + dW[j] - X), 8.0 * N * EPS * n0);
            assert_below(fabs(lk * (cW[j] - dW[j]) - dX), 16.0 * N * EPS * p.lambda1 * n0);
            assert_below(fabs(ca[j] + da[j] - Y), 8.0 * N * EPS * n0);
            assert_below(fabs(lk * (ca[j] - da[j]) - dY), 16.0 * N * EPS * p.lambda1 * n0);
        }
        /* NULL outputs are allowed and leave the others right */
        double *cW2 = malloc(r * sizeof *cW2);
        assert_non_null(cW2);
        assert_status(condense_linear_constants(p.s, th0, NULL, NULL, NULL, NULL), CONDENSE_OK);
        assert_status(condense_linear_constants(p.s, th0, cW2, NULL, NULL, NULL), CONDENSE_OK);
        assert_memory_equal(cW2, cW, r * sizeof *cW2);
        free(cW2);
        free(buf);
        problem_free(&p);
    }
    gsl_rng_free(rng);
}

/* A diagonal Z whose flow is known by hand: Z (N_a = 3 x N_W = 4) with Z_11 = 2, Z_22 = 1/2,
 * all else 0.  Then for j = 1, 2 (sigma_j = 2, 1/2)
 *   W_j(t) = W_j cosh(sigma_j t) + a_j sinh(sigma_j t),
 *   a_j(t) = a_j cosh(sigma_j t) + W_j sinh(sigma_j t),
 * and W_3, W_4, a_3 are frozen (Remark 5).  The sign convention of the spectrum does not
 * matter (c, d flip with (u_k, v_k)).  Tolerance: each coordinate is a sum of two terms of size
 * <= e^{sigma |t|} |theta(0)|, each within a few eps, and a computed rate (singular value or
 * eigenvalue of A) off by a few eps sigma changes e^{sigma t} by the relative amount |t| times
 * that: 16 eps (1 + 2|t|) e^{2|t|} |theta(0)|. */
static void test_diagonal_by_hand(void **state)
{
    (void)state;
    gsl_matrix *Z = gsl_matrix_calloc(3, 4);
    gsl_matrix_set(Z, 0, 0, 2.0);
    gsl_matrix_set(Z, 1, 1, 0.5);
    problem p;
    problem_from_Z(&p, Z, -1.0);
    assert_int_equal(p.s->r, 2);
    const double th0[7] = {0.3, -1.1, 0.7, 2.5, -0.4, 0.9, -1.6}; /* W_1..W_4, a_1..a_3 */
    const double ts[] = {0.3, -1.7, 4.0};
    const double sig[2] = {2.0, 0.5};
    for (size_t it = 0; it < 3; ++it) {
        const double t = ts[it];
        double want[7], got[7], frozen[7];
        memcpy(want, th0, sizeof want);
        for (int j = 0; j < 2; ++j) {
            const double ch = cosh(sig[j] * t), sh = sinh(sig[j] * t);
            want[j] = th0[j] * ch + th0[4 + j] * sh;
            want[4 + j] = th0[4 + j] * ch + th0[j] * sh;
        }
        const double tol = 16.0 * EPS * (1.0 + 2.0 * fabs(t)) * exp(2.0 * fabs(t)) * nrm(th0, 7);
        assert_status(condense_linear_flow(p.s, th0, t, got), CONDENSE_OK);
        assert_below(dist(got, want, 7), tol);
        assert_status(condense_expA_apply(p.e, t, th0, got), CONDENSE_OK);
        assert_below(dist(got, want, 7), tol);
        assert_status(condense_linear_ode(p.A, th0, t, 0.0, 1e-13, got), CONDENSE_OK);
        assert_below(dist(got, want, 7), 1e-10 * nrm(want, 7));
        /* Remark 5: the frozen part is (0, 0, W_3, W_4; 0, 0, a_3) at every t */
        assert_status(condense_linear_frozen(p.s, want, frozen), CONDENSE_OK);
        const double fz[7] = {0.0, 0.0, th0[2], th0[3], 0.0, 0.0, th0[6]};
        assert_below(dist(frozen, fz, 7), 4.0 * EPS * nrm(want, 7));
    }
    problem_free(&p);
}

/* Z = B C of rank 2 built from integer B (N_a x 2) and C (2 x N_W), exact in floating point.
 * range(Z^T) = range(C^T) and range(Z) = range(B), so with Q_C, Q_B orthonormal bases made here
 * by Gram-Schmidt:
 *   - the spectrum has r = 2 (rank_tol 1e-10 ||Z||_F; the computed Z's other singular values
 *     are rounding, ~eps ||Z||);
 *   - condense_linear_frozen(theta) = (theta_W - Q_C Q_C^T theta_W; theta_a - Q_B Q_B^T theta_a)
 *     to 16 N eps |theta| (two projections, each backward stable);
 *   - the frozen part is non-trivial (>= 0.5 |theta(0)| here: N_W - 2 = 8 and N_a - 2 = 10 of
 *     the 22 directions are frozen) and does not move: (I - Q Q^T)(theta(t) - theta(0)) = 0
 *     up to the rounding of theta(t): the moving part sum (g_k - X_k) v_k has v_k in range(C^T)
 *     to ~N eps, and |g_k| <= e^tau |theta(0)|: tol 16 N eps (|theta(t)| + |theta(0)|);
 *   - the three routes agree, as in test_three_routes: the closed form treats the
 *     rounding-level singular values (~eps ||Z||) as zero while exp(tA) and the ODE keep them,
 *     a difference of ~eps ||Z|| |t| |theta|, within the same rounding budget. */
static void test_rank_deficient_constructed(void **state)
{
    (void)state;
    const size_t NW = 10, Na = 12; /* C_0 = 1, m = 3 and a 5 x 6 image: W_1 H_1 = 3 * 4 */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    gsl_matrix *B = gsl_matrix_alloc(Na, 2), *C = gsl_matrix_alloc(2, NW);
    for (;;) { /* integer entries in [-3, 3], of full rank 2 (integer Gram determinants >= 1) */
        for (size_t i = 0; i < Na; ++i)
            for (size_t j = 0; j < 2; ++j)
                gsl_matrix_set(B, i, j, (double)gsl_rng_uniform_int(rng, 7) - 3.0);
        for (size_t i = 0; i < 2; ++i)
            for (size_t j = 0; j < NW; ++j)
                gsl_matrix_set(C, i, j, (double)gsl_rng_uniform_int(rng, 7) - 3.0);
        double gb[3] = {0, 0, 0}, gc[3] = {0, 0, 0};
        for (size_t i = 0; i < Na; ++i) {
            gb[0] += gsl_matrix_get(B, i, 0) * gsl_matrix_get(B, i, 0);
            gb[1] += gsl_matrix_get(B, i, 0) * gsl_matrix_get(B, i, 1);
            gb[2] += gsl_matrix_get(B, i, 1) * gsl_matrix_get(B, i, 1);
        }
        for (size_t j = 0; j < NW; ++j) {
            gc[0] += gsl_matrix_get(C, 0, j) * gsl_matrix_get(C, 0, j);
            gc[1] += gsl_matrix_get(C, 0, j) * gsl_matrix_get(C, 1, j);
            gc[2] += gsl_matrix_get(C, 1, j) * gsl_matrix_get(C, 1, j);
        }
        if (gb[0] * gb[2] - gb[1] * gb[1] >= 1.0 && gc[0] * gc[2] - gc[1] * gc[1] >= 1.0) break;
    }
    gsl_matrix *Z = gsl_matrix_alloc(Na, NW);
    double fro = 0.0;
    for (size_t i = 0; i < Na; ++i)
        for (size_t j = 0; j < NW; ++j) {
            const double z = gsl_matrix_get(B, i, 0) * gsl_matrix_get(C, 0, j) +
                             gsl_matrix_get(B, i, 1) * gsl_matrix_get(C, 1, j);
            gsl_matrix_set(Z, i, j, z);
            fro += z * z;
        }
    /* bases of range(C^T) (N_W x 2) and range(B) (N_a x 2) */
    gsl_matrix *QC = gsl_matrix_alloc(NW, 2), *QB = gsl_matrix_alloc(Na, 2);
    gsl_matrix_transpose_memcpy(QC, C);
    gsl_matrix_memcpy(QB, B);
    orthonormalise(QC);
    orthonormalise(QB);

    problem p;
    problem_from_Z(&p, Z, 1e-10 * sqrt(fro));
    assert_int_equal(p.s->r, 2);
    const size_t N = p.N;
    double th0[22], tht[22], fz0[22], want[22], diff[22], perp[22], viaexp[22], viaode[22];
    random_vector(rng, th0, N);
    const double n0 = nrm(th0, N);

    /* the frozen part against the independent projectors */
    remove_span(QC, th0, want);
    remove_span(QB, th0 + NW, want + NW);
    assert_status(condense_linear_frozen(p.s, th0, fz0), CONDENSE_OK);
    assert_below(dist(fz0, want, N), 16.0 * N * EPS * n0);
    assert_true(nrm(want, N) >= 0.5 * n0); /* non-trivial */

    const double taus[] = {0.5, 5.0, 20.0, -5.0};
    for (size_t it = 0; it < sizeof taus / sizeof taus[0]; ++it) {
        const double t = taus[it] / p.lambda1;
        assert_status(condense_linear_flow(p.s, th0, t, tht), CONDENSE_OK);
        const double nt = nrm(tht, N);
        for (size_t i = 0; i < N; ++i)
            diff[i] = tht[i] - th0[i];
        remove_span(QC, diff, perp);
        remove_span(QB, diff + NW, perp + NW);
        assert_below(nrm(perp, N), 16.0 * N * EPS * (nt + n0));
        /* ... and it really moved (so the check above is not about a zero vector) */
        assert_true(nrm(diff, N) > 0.1 * n0);
        /* frozen(theta(t)) = frozen(theta(0)) through the library's own projector as well */
        double fzt[22];
        assert_status(condense_linear_frozen(p.s, tht, fzt), CONDENSE_OK);
        assert_below(dist(fzt, fz0, N), 16.0 * N * EPS * (nt + n0));
        /* the three routes */
        assert_status(condense_expA_apply(p.e, t, th0, viaexp), CONDENSE_OK);
        assert_status(condense_linear_ode(p.A, th0, t, 0.0, 1e-13, viaode), CONDENSE_OK);
        assert_below(dist(tht, viaexp, N), 1e-10 * nt);
        assert_below(dist(tht, viaode, N), 1e-10 * nt);
    }
    gsl_matrix_free(QC);
    gsl_matrix_free(QB);
    gsl_matrix_free(B);
    gsl_matrix_free(C);
    problem_free(&p);
    gsl_rng_free(rng);
}

/* Rank deficiency from data: every image constant, x_{s,t,alpha}(i) = q_alpha(i).  Then
 * z_{s,t,alpha} = zbar_alpha = (1/n) sum_i y_i q_alpha(i) for every (s, t) (eq. 31) and every
 * row of Z is w = (zbar_1 (m^2 times), ..., zbar_{C_0} (m^2 times), z), z = (1/n) sum_i y_i
 * (eq. 35): Z = 1 w^T, rank 1, lambda_1 = sqrt(N_a) |w|, v_1 = +-w/|w|, u_1 = +-1/sqrt(N_a).
 * So theta_a(t) - theta_a(0) has all entries equal and theta_W(t) - theta_W(0) is parallel to
 * w; the rest is frozen.  w and lambda_1 are computed here from the data, not from Z.
 * Tolerances: as for Z = B C, 16 N eps (|theta(t)| + |theta(0)|); lambda_1 to 16 N eps
 * relative. */
static void test_rank_deficient_from_data(void **state)
{
    (void)state;
    const size_t n = 3, W0 = 5, H0 = 6, C0 = 2, m = 2;
    const size_t NW = C0 * m * m + 1, Na = (W0 - m + 1) * (H0 - m + 1);
    const double q[3][2] = {{0.5, -1.25}, {2.0, 0.75}, {-1.5, 1.0}}, y[3] = {1.0, -0.5, 2.0};
    condense_data *d = NULL;
    assert_status(condense_data_alloc(n, W0, H0, C0, &d), CONDENSE_OK);
    for (size_t i = 1; i <= n; ++i) {
        *condense_data_y(d, i) = y[i - 1];
        for (size_t u = 1; u <= W0; ++u)
            for (size_t v = 1; v <= H0; ++v)
                for (size_t alpha = 1; alpha <= C0; ++alpha)
                    *condense_data_x(d, i, u, v, alpha) = q[i - 1][alpha - 1];
    }
    double w[9];
    assert_int_equal(NW, 9);
    for (size_t alpha = 0; alpha < C0; ++alpha) {
        double zb = 0.0;
        for (size_t i = 0; i < n; ++i)
            zb += y[i] * q[i][alpha];
        for (size_t j = 0; j < m * m; ++j)
            w[alpha * m * m + j] = zb / (double)n;
    }
    w[NW - 1] = (y[0] + y[1] + y[2]) / (double)n;
    const double lambda1 = sqrt((double)Na) * nrm(w, NW);

    gsl_matrix *Z = NULL;
    assert_status(condense_Z_alloc(d, m, &Z), CONDENSE_OK);
    condense_data_free(d);
    problem p;
    problem_from_Z(&p, Z, 1e-10 * lambda1);
    const size_t N = p.N;
    assert_int_equal(N, NW + Na);
    assert_int_equal(p.s->r, 1);
    assert_below(fabs(p.lambda1 - lambda1), 16.0 * N * EPS * lambda1);

    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 12);
    double th0[29], tht[29], dW[9], viaexp[29];
    assert_true(N <= 29);
    random_vector(rng, th0, N);
    const double n0 = nrm(th0, N), ww = dot(w, w, NW);
    const double taus[] = {0.5, 5.0, 20.0, -0.5};
    for (size_t it = 0; it < sizeof taus / sizeof taus[0]; ++it) {
        const double t = taus[it] / lambda1;
        assert_status(condense_linear_flow(p.s, th0, t, tht), CONDENSE_OK);
        const double nt = nrm(tht, N), tol = 16.0 * N * EPS * (nt + n0);
        /* W: the difference minus its component along w */
        for (size_t i = 0; i < NW; ++i)
            dW[i] = tht[i] - th0[i];
        const double pw = dot(dW, w, NW) / ww;
        double res = 0.0;
        for (size_t i = 0; i < NW; ++i)
            res += (dW[i] - pw * w[i]) * (dW[i] - pw * w[i]);
        assert_below(sqrt(res), tol);
        /* a: all entries of the difference equal */
        double mean = 0.0;
        for (size_t i = 0; i < Na; ++i)
            mean += tht[NW + i] - th0[NW + i];
        mean /= (double)Na;
        res = 0.0;
        for (size_t i = 0; i < Na; ++i) {
            const double dv = tht[NW + i] - th0[NW + i] - mean;
            res += dv * dv;
        }
        assert_below(sqrt(res), tol);
        assert_true(fabs(mean) > 1e-3 * n0); /* the a-part did move */
        assert_status(condense_expA_apply(p.e, t, th0, viaexp), CONDENSE_OK);
        assert_below(dist(tht, viaexp, N), 1e-10 * nt);
    }
    gsl_rng_free(rng);
    problem_free(&p);
}

/* Time reversal: flowing theta(0) to t and then by -t returns theta(0).  Error: the rounding
 * of theta(t), <= 8 N eps e^tau |theta(0)|, lands partly on the decaying modes, which the
 * backward flow amplifies by e^tau, and the backward flow's own intermediate terms are of size
 * e^{2 tau} |theta(0)| before cancelling: tol = 16 N eps e^{2 tau} |theta(0)|, so tau <= 5
 * (at tau = 20 the round trip is meaningless in double precision).  Can fail: flowing by +t
 * twice instead lands |theta(2t) - theta(0)| >> tol away. */
static void test_time_reversal(void **state)
{
    (void)state;
    const double taus[] = {0.5, 2.0, 5.0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 13);
    for (size_t c = 0; c < NCONFIGS; ++c) {
        problem p;
        problem_from_data(&p, configs[c].n, configs[c].W0, configs[c].H0, configs[c].C0,
                          configs[c].m, configs[c].seed);
        double *buf = malloc(3 * p.N * sizeof *buf);
        assert_non_null(buf);
        double *th0 = buf, *tht = buf + p.N, *back = buf + 2 * p.N;
        random_vector(rng, th0, p.N);
        const double n0 = nrm(th0, p.N);
        for (size_t it = 0; it < 3; ++it) {
            const double t = taus[it] / p.lambda1;
            const double tol = 16.0 * p.N * EPS * exp(2.0 * taus[it]) * n0;
            assert_status(condense_linear_flow(p.s, th0, t, tht), CONDENSE_OK);
            assert_status(condense_linear_flow(p.s, tht, -t, back), CONDENSE_OK);
            assert_below(dist(back, th0, p.N), tol);
            assert_status(condense_expA_apply(p.e, t, th0, tht), CONDENSE_OK);
            assert_status(condense_expA_apply(p.e, -t, tht, back), CONDENSE_OK);
            assert_below(dist(back, th0, p.N), tol);
            assert_status(condense_linear_flow(p.s, tht, t, back), CONDENSE_OK);
            assert_true(dist(back, th0, p.N) > 1e3 * tol);
        }
        free(buf);
        problem_free(&p);
    }
    gsl_rng_free(rng);
}

/* exp(tA) and the ODE for A = [[0, a], [a, 0]]: exp(tA) = [[cosh at, sinh at], [sinh at,
 * cosh at]].  expA: the eigenvectors (1, +-1)/sqrt 2 carry a few eps each, and an eigenvalue
 * error of a few eps |a| changes e^{t mu} by the relative amount |t| times that: tol
 * 4 eps (2 + |at|) e^{|at|} |x0|.  ODE: 1e-10 relative, as in test_three_routes; also with
 * epsabs > 0.  A = 0: the ODE returns x0. */
static void test_two_by_two(void **state)
{
    (void)state;
    const double a = 1.5, x0[2] = {0.8, -0.3};
    gsl_matrix *A = gsl_matrix_alloc(2, 2);
    gsl_matrix_set(A, 0, 0, 0.0);
    gsl_matrix_set(A, 0, 1, a);
    gsl_matrix_set(A, 1, 0, a);
    gsl_matrix_set(A, 1, 1, 0.0);
    condense_expA *e = NULL;
    assert_status(condense_expA_alloc(A, &e), CONDENSE_OK);
    const double ts[] = {0.0, 0.7, -2.0, 8.0};
    for (size_t it = 0; it < 4; ++it) {
        const double t = ts[it];
        const double want[2] = {x0[0] * cosh(a * t) + x0[1] * sinh(a * t),
                                x0[1] * cosh(a * t) + x0[0] * sinh(a * t)};
        double got[2];
        assert_status(condense_expA_apply(e, t, x0, got), CONDENSE_OK);
        assert_below(dist(got, want, 2),
                     4.0 * EPS * (2.0 + fabs(a * t)) * exp(fabs(a * t)) * nrm(x0, 2));
        assert_status(condense_linear_ode(A, x0, t, 0.0, 1e-13, got), CONDENSE_OK);
        assert_below(dist(got, want, 2), 1e-10 * nrm(want, 2));
        assert_status(condense_linear_ode(A, x0, t, 1e-14, 1e-13, got), CONDENSE_OK);
        assert_below(dist(got, want, 2), 1e-10 * nrm(want, 2));
    }
    condense_expA_free(e);
    gsl_matrix *O = gsl_matrix_calloc(3, 3);
    const double y0[3] = {1.0, -2.0, 3.0};
    double yt[3];
    assert_status(condense_linear_ode(O, y0, 5.0, 0.0, 1e-12, yt), CONDENSE_OK);
    assert_memory_equal(yt, y0, sizeof yt);
    gsl_matrix_free(O);
    gsl_matrix_free(A);
}

/* A spectrum with r = 0 (Z = 0): everything is frozen, the flow is the identity at any t
 * (no exponential is evaluated, so no overflow either) and the frozen part is theta itself.
 * Built by hand: condense_spectrum is a plain struct. */
static void test_rank_zero(void **state)
{
    (void)state;
    condense_spectrum s = {0};
    s.rows = 2;
    s.cols = 3;
    s.k = 2;
    s.r = 0;
    s.lambda = gsl_vector_calloc(2);
    s.U = gsl_matrix_alloc(2, 2);
    s.V = gsl_matrix_alloc(3, 2);
    gsl_matrix_set_identity(s.U);
    gsl_matrix_set_identity(s.V);
    const double th0[5] = {1.0, 2.0, -3.0, 0.25, 5.0};
    double out[5];
    assert_status(condense_linear_flow(&s, th0, 1e300, out), CONDENSE_OK);
    assert_memory_equal(out, th0, sizeof out);
    assert_status(condense_linear_frozen(&s, th0, out), CONDENSE_OK);
    assert_memory_equal(out, th0, sizeof out);
    double c[1] = {SENTINEL};
    assert_status(condense_linear_constants(&s, th0, c, c, c, c), CONDENSE_OK);
    assert_true(c[0] == SENTINEL);
    gsl_vector_free(s.lambda);
    gsl_matrix_free(s.U);
    gsl_matrix_free(s.V);
}

/* Overflow: exp(lambda_1 |t|) beyond DBL_MAX (lambda_1 |t| = 710 > log(DBL_MAX) = 709.78, either
 * sign of t) is CONDENSE_EDOM naming t and lambda_1; lambda_1 |t| = 700 still works.  A finite
 * exponential times a huge theta(0) (1e306 e^10 > DBL_MAX) overflows the result: EDOM in all
 * three routes.  Outputs are untouched on failure. */
static void test_overflow(void **state)
{
    (void)state;
    problem p;
    problem_from_data(&p, configs[0].n, configs[0].W0, configs[0].H0, configs[0].C0, configs[0].m,
                      configs[0].seed);
    const size_t N = p.N;
    double *buf = malloc(3 * N * sizeof *buf);
    assert_non_null(buf);
    double *th0 = buf, *out = buf + N, *big = buf + 2 * N;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 14);
    random_vector(rng, th0, N);
    for (int sign = -1; sign <= 1; sign += 2) {
        const double t = sign * 710.0 / p.lambda1;
        fill(out, N, SENTINEL);
        condense_error_clear();
        assert_status(condense_linear_flow(p.s, th0, t, out), CONDENSE_EDOM);
        assert_message_has("t = ");
        assert_message_has("lambda_1");
        assert_all(out, N, SENTINEL);
        condense_error_clear();
        assert_status(condense_expA_apply(p.e, t, th0, out), CONDENSE_EDOM);
        assert_message_has("t = ");
        assert_all(out, N, SENTINEL);
        /* just below the threshold the closed form is fine */
        assert_status(condense_linear_flow(p.s, th0, sign * 700.0 / p.lambda1, out), CONDENSE_OK);
        for (size_t i = 0; i < N; ++i)
            assert_true(isfinite(out[i]));
    }
    for (size_t i = 0; i < N; ++i)
        big[i] = 1e306 * th0[i];
    const double t = 10.0 / p.lambda1;
    fill(out, N, SENTINEL);
    condense_error_clear();
    assert_status(condense_linear_flow(p.s, big, t, out), CONDENSE_EDOM);
    assert_message_recorded();
    assert_all(out, N, SENTINEL);
    condense_error_clear();
    assert_status(condense_expA_apply(p.e, t, big, out), CONDENSE_EDOM);
    assert_message_recorded();
    assert_all(out, N, SENTINEL);
    condense_error_clear();
    assert_status(condense_linear_ode(p.A, big, t, 0.0, 1e-10, out), CONDENSE_EDOM);
    assert_message_recorded();
    assert_all(out, N, SENTINEL);
    gsl_rng_free(rng);
    free(buf);
    problem_free(&p);
}

/* Every argument check: status, a recorded message, outputs untouched. */
static void test_errors(void **state)
{
    (void)state;
    problem p;
    problem_from_data(&p, configs[0].n, configs[0].W0, configs[0].H0, configs[0].C0, configs[0].m,
                      configs[0].seed);
    const size_t N = p.N, r = p.s->r;
    double *buf = malloc((3 * N + r) * sizeof *buf);
    assert_non_null(buf);
    double *th0 = buf, *out = buf + N, *bad = buf + 2 * N, *c = buf + 3 * N;
    for (size_t i = 0; i < N; ++i)
        th0[i] = bad[i] = 0.1 * (double)i - 0.3;
    bad[N - 1] = NAN;
    fill(out, N, SENTINEL);
    fill(c, r, SENTINEL);

#define EXPECT(call, code)                                                                         \
    do {                                                                                           \
        condense_error_clear();                                                                    \
        assert_status(call, code);                                                                 \
        assert_message_recorded();                                                                 \
        assert_all(out, N, SENTINEL);                                                              \
        assert_all(c, r, SENTINEL);                                                                \
    } while (0)

    /* constants */
    EXPECT(condense_linear_constants(NULL, th0, c, c, c, c), CONDENSE_EINVAL);
    EXPECT(condense_linear_constants(p.s, NULL, c, c, c, c), CONDENSE_EINVAL);
    EXPECT(condense_linear_constants(p.s, bad, c, c, c, c), CONDENSE_EDOM);
    /* flow */
    EXPECT(condense_linear_flow(NULL, th0, 1.0, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_flow(p.s, NULL, 1.0, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_flow(p.s, th0, 1.0, NULL), CONDENSE_EINVAL);
    EXPECT(condense_linear_flow(p.s, th0, NAN, out), CONDENSE_EDOM);
    EXPECT(condense_linear_flow(p.s, th0, INFINITY, out), CONDENSE_EDOM);
    EXPECT(condense_linear_flow(p.s, th0, -INFINITY, out), CONDENSE_EDOM);
    EXPECT(condense_linear_flow(p.s, bad, 1.0, out), CONDENSE_EDOM);
    /* frozen */
    EXPECT(condense_linear_frozen(NULL, th0, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_frozen(p.s, NULL, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_frozen(p.s, th0, NULL), CONDENSE_EINVAL);
    EXPECT(condense_linear_frozen(p.s, bad, out), CONDENSE_EDOM);
    /* a broken spectrum: missing vectors, r > k, mismatched sizes */
    {
        condense_spectrum s = *p.s;
        s.U = NULL;
        EXPECT(condense_linear_flow(&s, th0, 1.0, out), CONDENSE_EINVAL);
        s = *p.s;
        s.r = s.k + 1;
        EXPECT(condense_linear_frozen(&s, th0, out), CONDENSE_ESIZE);
        s = *p.s;
        s.rows += 1;
        EXPECT(condense_linear_constants(&s, th0, c, c, c, c), CONDENSE_ESIZE);
    }
    /* expA */
    condense_expA *e = NULL; /* set only on success */
    EXPECT(condense_expA_alloc(NULL, &e), CONDENSE_EINVAL);
    EXPECT(condense_expA_alloc(p.A, NULL), CONDENSE_EINVAL);
    {
        gsl_matrix *R = gsl_matrix_calloc(2, 3);
        EXPECT(condense_expA_alloc(R, &e), CONDENSE_ESIZE);
        EXPECT(condense_linear_ode(R, th0, 1.0, 0.0, 1e-10, out), CONDENSE_ESIZE);
        gsl_matrix_free(R);
        gsl_matrix *S = gsl_matrix_calloc(2, 2);
        gsl_matrix_set(S, 0, 1, 1.0);
        gsl_matrix_set(S, 1, 0, 1.0 + EPS); /* asymmetric by one ulp */
        EXPECT(condense_expA_alloc(S, &e), CONDENSE_EINVAL);
        gsl_matrix_set(S, 1, 0, INFINITY);
        EXPECT(condense_expA_alloc(S, &e), CONDENSE_EDOM);
        gsl_matrix_set(S, 1, 0, 1.0);
        gsl_matrix_set(S, 0, 1, NAN);
        EXPECT(condense_expA_alloc(S, &e), CONDENSE_EDOM);
        const double x2[2] = {1.0, 1.0};
        EXPECT(condense_linear_ode(S, x2, 1.0, 0.0, 1e-10, out), CONDENSE_EDOM);
        gsl_matrix_free(S);
    }
    assert_null(e);
    EXPECT(condense_expA_apply(NULL, 1.0, th0, out), CONDENSE_EINVAL);
    EXPECT(condense_expA_apply(p.e, 1.0, NULL, out), CONDENSE_EINVAL);
    EXPECT(condense_expA_apply(p.e, 1.0, th0, NULL), CONDENSE_EINVAL);
    EXPECT(condense_expA_apply(p.e, NAN, th0, out), CONDENSE_EDOM);
    EXPECT(condense_expA_apply(p.e, 1.0, bad, out), CONDENSE_EDOM);
    condense_expA_free(NULL);
    /* ODE */
    EXPECT(condense_linear_ode(NULL, th0, 1.0, 0.0, 1e-10, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_ode(p.A, NULL, 1.0, 0.0, 1e-10, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_ode(p.A, th0, 1.0, 0.0, 1e-10, NULL), CONDENSE_EINVAL);
    EXPECT(condense_linear_ode(p.A, th0, NAN, 0.0, 1e-10, out), CONDENSE_EDOM);
    EXPECT(condense_linear_ode(p.A, bad, 1.0, 0.0, 1e-10, out), CONDENSE_EDOM);
    EXPECT(condense_linear_ode(p.A, th0, 1.0, 0.0, 0.0, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_ode(p.A, th0, 1.0, -1e-10, 1e-10, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_ode(p.A, th0, 1.0, 1e-10, -1e-10, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_ode(p.A, th0, 1.0, NAN, 1e-10, out), CONDENSE_EINVAL);
    EXPECT(condense_linear_ode(p.A, th0, 1.0, 0.0, INFINITY, out), CONDENSE_EINVAL);
    /* an unattainable tolerance: GSL gives up (cannot shrink the step further), reported as
     * CONDENSE_ENUM with GSL's reason */
    EXPECT(condense_linear_ode(p.A, th0, 1.0 / p.lambda1, 0.0, 1e-300, out), CONDENSE_ENUM);
    assert_message_has("gsl_odeiv2_driver_apply");
    print_message("unattainable tolerance: %s\n", condense_errmsg());
#undef EXPECT
    free(buf);
    problem_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_routes),
        cmocka_unit_test(test_closed_form_solves_ode),
        cmocka_unit_test(test_initial_value),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_diagonal_by_hand),
        cmocka_unit_test(test_rank_deficient_constructed),
        cmocka_unit_test(test_rank_deficient_from_data),
        cmocka_unit_test(test_time_reversal),
        cmocka_unit_test(test_two_by_two),
        cmocka_unit_test(test_rank_zero),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
