/* test_experiment.c -- the experiments' networks (experiment.h, CNN paper Sec. 4.1), each
 * result checked by an independent route:
 *
 *   - forward pass against a brute-force loop over eq. (2) (every offset, channel and unit
 *     written out), including the hidden ReLU layer and the output bias.  Tolerance 1e-12
 *     relative to the largest |o|: both evaluate the same sums of at most C m^2 + 1 <= 37
 *     terms per unit, through <= 3 layers of slopes <= 1, in another order; the rounding error
 *     is a few k u ~ 1e-14.
 *   - every gradient entry against the central difference (R(theta + h e_k) - R(theta - h
 *     e_k)) / 2h, h = 1e-5.  Its error is h^2/6 |R'''| (~1e-11 for the O(1) third derivatives
 *     here) plus the rounding u |R| / h ~ 1e-11; tolerance 1e-7 times the largest gradient
 *     entry (plus 1e-9 absolute for tiny gradients), a margin of ~100 above both.
 *     The hidden ReLU has a kink at 0: the test asserts that no pre-activation lies within
 *     10 h of it, so the difference never straddles the kink.
 *   - for L = 1, no hidden layer, d = 1, MSE, no output bias: R and grad R against the theory
 *     model's own implementation (condense_cnn, condense_risk, condense_gd_field of eq. (1),
 *     (23), which is -grad R_S); the parameters map one to one (W^[1], b^[1], a = V in pack
 *     order); 1e-12 relative (the same sums in another order).  With an output bias v = 0 the
 *     values are the same and dR/dv = (1/n) sum_i e_i from condense_risk's e.
 *   - the cross-entropy against the naive formula -log(exp(o_y) / sum_k exp(o_k)) (a second
 *     formula, safe for the O(1) outputs used); the softmax MSE against sum (p - t)^2 / 2 with
 *     p computed directly; accuracy by counting argmax; 1e-12 relative.
 *   - GD against theta - lr g (Adam: test_adam.c); a step leaving the doubles is refused.
 *   - initialization: the draws against gsl_ran_gaussian called in theta's order with the
 *     standard deviations of Sec. 4.1 (bitwise: same generator, same calls).
 *   - theta_{W,beta} against theta.h's condense_theta_W_pack on the same two-layer network.
 *   - every error return of the public functions.
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

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "condense/condense.h"
#include "condense/experiment.h"

static condense_activation act(const char *name)
{
    condense_activation a;
    assert_int_equal(condense_activation_lookup(name, 0, &a), CONDENSE_OK);
    return a;
}

/* A network with parameters N(0, scale^2) from seed, and data of n samples with labels valid
 * for the loss (class indices for d > 1 or CE, N(0,1) reals for scalar MSE). */
typedef struct fixture {
    condense_exp_net *net;
    condense_data *data;
    condense_exp_workspace *ws;
} fixture;

static fixture make(condense_exp_shape shape, const char *sigma, condense_exp_loss loss, size_t n,
                    double scale, unsigned long seed)
{
    fixture f = {0};
    assert_int_equal(condense_exp_net_alloc(&shape, act(sigma), loss, &f.net), CONDENSE_OK);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (size_t k = 0; k < f.net->nparams; ++k)
        f.net->theta[k] = gsl_ran_gaussian(rng, scale);
    assert_int_equal(condense_data_alloc(n, shape.W0, shape.H0, shape.C0, &f.data), CONDENSE_OK);
    for (size_t k = 0; k < n * shape.W0 * shape.H0 * shape.C0; ++k)
        f.data->x[k] = gsl_ran_gaussian(rng, 1.0);
    for (size_t i = 0; i < n; ++i)
        f.data->y[i] = (shape.outputs > 1 || loss == CONDENSE_LOSS_CE)
                           ? (double)gsl_rng_uniform_int(rng, shape.outputs)
                           : gsl_ran_gaussian(rng, 1.0);
    gsl_rng_free(rng);
    assert_int_equal(condense_exp_workspace_alloc(f.net, n, &f.ws), CONDENSE_OK);
    return f;
}

static void unmake(fixture *f)
{
    condense_exp_workspace_free(f->ws);
    condense_data_free(f->data);
    condense_exp_net_free(f->net);
}

/* Brute-force forward pass of sample i (0-based) into o (d entries); pre receives the hidden
 * layer's pre-activations (may be NULL). */
static void brute_forward(const condense_exp_net *net, const condense_data *data, size_t i,
                          double *o, double *pre)
{
    const size_t m = net->shape.m;
    size_t W = data->W0, H = data->H0, C = data->C0;
    double *in = malloc(W * H * C * sizeof(double));
    memcpy(in, data->x + i * W * H * C, W * H * C * sizeof(double));
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t W1 = W - m + 1, H1 = H - m + 1, C1 = net->C[l];
        double *out = malloc(W1 * H1 * C1 * sizeof(double));
        for (size_t u = 0; u < W1; ++u)
            for (size_t v = 0; v < H1; ++v)
                for (size_t beta = 0; beta < C1; ++beta) {
                    double x = net->bias[l][beta];
                    for (size_t p = 0; p < m; ++p)
                        for (size_t q = 0; q < m; ++q)
                            for (size_t alpha = 0; alpha < C; ++alpha)
                                x += in[((u + p) * H + v + q) * C + alpha] *
                                     net->kernel[l][((p * m + q) * C + alpha) * C1 + beta];
                    out[(u * H1 + v) * C1 + beta] = condense_sigma(&net->sigma, x);
                }
        free(in);
        in = out;
        W = W1;
        H = H1;
        C = C1;
    }
    const size_t F = W * H * C, hid = net->shape.hidden, d = net->shape.outputs;
    double *h = in;
    if (hid > 0) {
        h = malloc(hid * sizeof(double));
        for (size_t j = 0; j < hid; ++j) {
            double s = net->c[j];
            for (size_t k = 0; k < F; ++k)
                s += net->U[j * F + k] * in[k];
            if (pre != NULL) pre[j] = s;
            h[j] = s > 0 ? s : 0.0;
        }
    }
    for (size_t k = 0; k < d; ++k) {
        double s = net->v != NULL ? net->v[k] : 0.0;
        for (size_t j = 0; j < net->K; ++j)
            s += net->V[k * net->K + j] * h[j];
        o[k] = s;
    }
    if (h != in) free(h);
    free(in);
}

static const condense_exp_shape shapes[] = {
    /* W0 H0 C0 layers channels m hidden d bias */
    {6, 5, 2, 2, 3, 2, 0, 1, 0}, {6, 5, 2, 2, 3, 2, 4, 3, 1}, {5, 5, 3, 1, 4, 3, 0, 1, 1},
    {7, 6, 1, 3, 2, 2, 5, 1, 1}, {5, 4, 2, 1, 3, 2, 3, 3, 0},
};
static const condense_exp_loss losses[] = {CONDENSE_LOSS_MSE, CONDENSE_LOSS_CE, CONDENSE_LOSS_MSE,
                                           CONDENSE_LOSS_MSE, CONDENSE_LOSS_MSE};
static const char *const sigmas[] = {"tanh", "tanh", "silu", "sigmoid", "tanh"};

static void test_forward_bruteforce(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof shapes / sizeof *shapes; ++c) {
        fixture f = make(shapes[c], sigmas[c], losses[c], 4, 0.7, 10 + c);
        double R;
        assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, NULL, NULL), CONDENSE_OK);
        const size_t d = shapes[c].outputs;
        double o[8], maxo = 0.0, maxerr = 0.0;
        for (size_t i = 0; i < 4; ++i) {
            brute_forward(f.net, f.data, i, o, NULL);
            for (size_t k = 0; k < d; ++k) {
                maxo = fmax(maxo, fabs(o[k]));
                maxerr = fmax(maxerr, fabs(o[k] - f.ws->out[i * d + k]));
            }
        }
        assert_true(maxo > 0.0);
        assert_true(maxerr <= 1e-12 * maxo);
        unmake(&f);
    }
}

static void test_gradient_fd(void **state)
{
    (void)state;
    const double h = 1e-5;
    for (size_t c = 0; c < sizeof shapes / sizeof *shapes; ++c) {
        fixture f = make(shapes[c], sigmas[c], losses[c], 3, 0.6, 20 + c);
        /* no hidden pre-activation near the ReLU kink */
        if (shapes[c].hidden > 0) {
            double o[8], pre[8];
            for (size_t i = 0; i < 3; ++i) {
                brute_forward(f.net, f.data, i, o, pre);
                for (size_t j = 0; j < shapes[c].hidden; ++j)
                    assert_true(fabs(pre[j]) > 10 * h);
            }
        }
        const size_t np = f.net->nparams;
        double *g = malloc(np * sizeof *g), R, Rp, Rm;
        assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, NULL, g), CONDENSE_OK);
        double gmax = 0.0;
        for (size_t k = 0; k < np; ++k)
            gmax = fmax(gmax, fabs(g[k]));
        assert_true(gmax > 0.0);
        for (size_t k = 0; k < np; ++k) {
            const double t0 = f.net->theta[k];
            f.net->theta[k] = t0 + h;
            assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &Rp, NULL, NULL), 0);
            f.net->theta[k] = t0 - h;
            assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &Rm, NULL, NULL), 0);
            f.net->theta[k] = t0;
            const double fd = (Rp - Rm) / (2 * h);
            if (!(fabs(fd - g[k]) <= 1e-7 * gmax + 1e-9))
                fail_msg("shape %zu, parameter %zu: fd %.12g, grad %.12g", c, k, fd, g[k]);
        }
        free(g);
        unmake(&f);
    }
}

/* L = 1, no hidden layer, d = 1, MSE: the two-layer CNN of the theory. */
static void test_theory_model(void **state)
{
    (void)state;
    for (int bias = 0; bias <= 1; ++bias) {
        condense_exp_shape s = {6, 7, 2, 1, 3, 3, 0, 1, bias};
        fixture f = make(s, "tanh", CONDENSE_LOSS_MSE, 5, 0.5, 30 + (unsigned long)bias);
        if (bias) f.net->v[0] = 0.0;
        condense_cnn_shape cs = {.L = 1, .W0 = 6, .H0 = 7, .C0 = 2};
        cs.C[1] = 3;
        cs.m[1] = 3;
        condense_cnn *net = NULL, *field = NULL;
        condense_workspace *ws = NULL;
        assert_int_equal(condense_cnn_alloc(&cs, f.net->sigma, &net), CONDENSE_OK);
        assert_int_equal(condense_cnn_clone(net, 0, &field), CONDENSE_OK);
        assert_int_equal(condense_workspace_alloc(net, &ws), CONDENSE_OK);
        const size_t np = condense_cnn_nparams(net);
        assert_int_equal(np, f.net->off_V + f.net->F); /* W, b, a: the same count */
        condense_cnn_unpack(net, f.net->theta);        /* pack order = theta's order */
        double R_S, e[5], R, *g = malloc(f.net->nparams * sizeof *g), *dt = malloc(np * sizeof *dt);
        assert_int_equal(condense_gd_field(net, f.data, ws, field, &R_S), CONDENSE_OK);
        assert_int_equal(condense_risk(net, f.data, ws, &R_S, e), CONDENSE_OK);
        condense_cnn_pack(field, dt);
        assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, NULL, g), CONDENSE_OK);
        assert_true(fabs(R - R_S) <= 1e-12 * R_S);
        double gmax = 0.0;
        for (size_t k = 0; k < np; ++k)
            gmax = fmax(gmax, fabs(dt[k]));
        for (size_t k = 0; k < np; ++k)
            assert_true(fabs(g[k] + dt[k]) <= 1e-12 * gmax);
        if (bias) {
            const double mean_e = (e[0] + e[1] + e[2] + e[3] + e[4]) / 5.0;
            assert_true(fabs(g[f.net->off_v] - mean_e) <= 1e-12 * fabs(mean_e) + 1e-15);
        }
        free(g);
        free(dt);
        condense_workspace_free(ws);
        condense_cnn_free(field);
        condense_cnn_free(net);
        unmake(&f);
    }
}

static void test_losses_second_formula(void **state)
{
    (void)state;
    for (int ce = 0; ce <= 1; ++ce) {
        condense_exp_shape s = {5, 5, 1, 1, 2, 3, 0, 4, 1};
        fixture f = make(s, "tanh", ce ? CONDENSE_LOSS_CE : CONDENSE_LOSS_MSE, 6, 1.0, 40);
        double R, acc;
        assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_OK);
        double sum = 0.0;
        size_t correct = 0;
        for (size_t i = 0; i < 6; ++i) {
            const double *o = f.ws->out + 4 * i;
            const size_t y = (size_t)f.data->y[i];
            double z = 0.0;
            size_t arg = 0;
            for (size_t k = 0; k < 4; ++k) {
                z += exp(o[k]);
                if (o[k] > o[arg]) arg = k;
            }
            if (ce) {
                sum += -log(exp(o[y]) / z);
            } else {
                for (size_t k = 0; k < 4; ++k) {
                    const double r = exp(o[k]) / z - (k == y ? 1.0 : 0.0);
                    sum += 0.5 * r * r;
                }
            }
            correct += arg == y;
        }
        assert_true(fabs(R - sum / 6.0) <= 1e-12 * R);
        assert_true(acc == (double)correct / 6.0);
        unmake(&f);
    }
    /* CE with huge outputs stays finite (log-sum-exp): o = (1000, 0) for label 1 gives 1000. */
    condense_exp_shape s = {1, 1, 1, 1, 1, 1, 0, 2, 1};
    fixture f = make(s, "identity", CONDENSE_LOSS_CE, 1, 1.0, 41);
    f.net->kernel[1][0] = 1.0;
    f.net->bias[1][0] = 0.0;
    f.data->x[0] = 1.0;
    f.net->V[0] = 0.0;
    f.net->V[1] = 0.0;
    f.net->v[0] = 1000.0;
    f.net->v[1] = 0.0;
    f.data->y[0] = 1.0;
    double R, acc;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_OK);
    assert_true(fabs(R - 1000.0) <= 1e-12 * 1000.0);
    assert_true(acc == 0.0);
    unmake(&f);
    /* d = 1 accuracy: |o - y| < 1/2 */
    condense_exp_shape s1 = {1, 1, 1, 1, 1, 1, 0, 1, 1};
    f = make(s1, "identity", CONDENSE_LOSS_MSE, 2, 1.0, 42);
    f.net->kernel[1][0] = 1.0;
    f.net->bias[1][0] = 0.0;
    f.net->V[0] = 1.0;
    f.net->v[0] = 0.0;
    f.data->x[0] = 2.2;
    f.data->y[0] = 2.0;
    f.data->x[1] = 2.7;
    f.data->y[1] = 2.0;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_OK);
    assert_true(acc == 0.5);
    assert_true(fabs(R - (0.04 + 0.49) / 4.0) <= 1e-14);
    unmake(&f);
}

static void test_threads(void **state)
{
    (void)state;
#ifdef _OPENMP
    const int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    fixture f = make(shapes[1], "tanh", CONDENSE_LOSS_CE, 7, 0.5, 50);
    const size_t np = f.net->nparams;
    double *g1 = malloc(np * sizeof *g1), *g2 = malloc(np * sizeof *g2), R1, R2;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R2, NULL, g2), CONDENSE_OK);
    omp_set_num_threads(1);
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R1, NULL, g1), CONDENSE_OK);
    double gmax = 0.0;
    for (size_t k = 0; k < np; ++k)
        gmax = fmax(gmax, fabs(g1[k]));
    for (size_t k = 0; k < np; ++k)
        assert_true(fabs(g1[k] - g2[k]) <= 1e-12 * gmax);
    assert_true(fabs(R1 - R2) <= 1e-12 * R1);
    free(g1);
    free(g2);
    unmake(&f);
    omp_set_num_threads(saved);
#endif
}

static void test_gd(void **state)
{
    (void)state;
    /* GD: theta - lr grad, exactly as one fused multiply-add per entry (1 ulp) */
    fixture f = make(shapes[0], "tanh", CONDENSE_LOSS_MSE, 2, 0.5, 60);
    const size_t np = f.net->nparams;
    double *gr = malloc(np * sizeof *gr), *before = malloc(np * sizeof *before);
    for (size_t k = 0; k < np; ++k)
        gr[k] = (double)k - 3.0;
    memcpy(before, f.net->theta, np * sizeof *before);
    assert_int_equal(condense_exp_gd_step(f.net, gr, 0.5), CONDENSE_OK);
    for (size_t k = 0; k < np; ++k)
        assert_true(fabs(f.net->theta[k] - (before[k] - 0.5 * gr[k])) <=
                    2 * DBL_EPSILON * (fabs(before[k]) + fabs(0.5 * gr[k])));
    memcpy(before, f.net->theta, np * sizeof *before);
    assert_int_equal(condense_exp_gd_step(f.net, gr, -1.0), CONDENSE_EDOM);
    gr[3] = INFINITY;
    assert_int_equal(condense_exp_gd_step(f.net, gr, 0.5), CONDENSE_EDOM);
    assert_memory_equal(before, f.net->theta, np * sizeof *before);
    /* a step leaving the doubles: gradient 1e300 at entry 5, lr 1e10 -> theta_5 ~ -1e310 */
    gr[3] = 0.0;
    gr[5] = 1e300;
    assert_int_equal(condense_exp_gd_step(f.net, gr, 1e10), CONDENSE_EDOM);
    assert_non_null(strstr(condense_errmsg(), "parameter 5 would become -inf"));
    assert_memory_equal(before, f.net->theta, np * sizeof *before); /* the last good state */
    assert_int_equal(condense_exp_gd_step(NULL, gr, 0.5), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_gd_step(f.net, NULL, 0.5), CONDENSE_EINVAL);
    free(gr);
    free(before);
    unmake(&f);
}

static void test_init(void **state)
{
    (void)state;
    condense_exp_shape s = {8, 8, 3, 2, 4, 3, 5, 2, 1};
    condense_exp_net *net = NULL;
    assert_int_equal(condense_exp_net_alloc(&s, act("tanh"), CONDENSE_LOSS_CE, &net), 0);
    gsl_rng *rng = NULL, *ref = gsl_rng_alloc(gsl_rng_mt19937);
    assert_int_equal(condense_rng_alloc(7, &rng), CONDENSE_OK);
    gsl_rng_set(ref, 7);
    assert_int_equal(condense_exp_init(net, 2.0, 1e-4, rng), CONDENSE_OK);
    /* sigma_1 of Sec. 4.1 written out: ((c_in + c_out) m^2 / 2)^-gamma */
    const double sd1 = pow((3.0 + 4.0) * 9.0 / 2.0, -2.0), sd2 = pow((4.0 + 4.0) * 9.0 / 2.0, -2.0);
    size_t k = 0;
    for (; k < net->off_W[2]; ++k)
        assert_true(net->theta[k] == gsl_ran_gaussian(ref, sd1));
    for (; k < net->off_U; ++k)
        assert_true(net->theta[k] == gsl_ran_gaussian(ref, sd2));
    for (; k < net->nparams; ++k)
        assert_true(net->theta[k] == gsl_ran_gaussian(ref, 1e-4));
    assert_int_equal(k, 3 * 9 * 4 + 4 + 4 * 9 * 4 + 4 + 5 * 4 * 4 * 4 + 5 + 2 * 5 + 2);
    /* errors */
    assert_int_equal(condense_exp_init(NULL, 2.0, 1e-4, rng), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_init(net, 2.0, 1e-4, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_init(net, NAN, 1e-4, rng), CONDENSE_EDOM);
    assert_int_equal(condense_exp_init(net, 2.0, -1.0, rng), CONDENSE_EDOM);
    assert_int_equal(condense_exp_init(net, 2.0, INFINITY, rng), CONDENSE_EDOM);
    assert_int_equal(condense_exp_init(net, 1e6, 1e-4, rng), CONDENSE_EDOM); /* sigma_1 = 0 */
    gsl_rng_free(rng);
    gsl_rng_free(ref);
    condense_exp_net_free(net);
}

static void test_theta_W(void **state)
{
    (void)state;
    condense_exp_shape s = {6, 5, 2, 1, 3, 3, 0, 1, 0};
    fixture f = make(s, "tanh", CONDENSE_LOSS_MSE, 1, 1.0, 70);
    condense_cnn_shape cs = {.L = 1, .W0 = 6, .H0 = 5, .C0 = 2};
    cs.C[1] = 3;
    cs.m[1] = 3;
    condense_cnn *net = NULL;
    assert_int_equal(condense_cnn_alloc(&cs, f.net->sigma, &net), CONDENSE_OK);
    condense_cnn_unpack(net, f.net->theta);
    double a[3 * 19], b[3 * 19];
    assert_int_equal(condense_theta_W_pack(net, a), CONDENSE_OK);
    assert_int_equal(condense_exp_theta_W(f.net, 1, b), CONDENSE_OK);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(condense_exp_theta_W(f.net, 0, b), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_theta_W(f.net, 2, b), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_theta_W(NULL, 1, b), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_theta_W(f.net, 1, NULL), CONDENSE_EINVAL);
    condense_cnn_free(net);
    unmake(&f);
}

static void test_names(void **state)
{
    (void)state;
    condense_exp_loss l = CONDENSE_LOSS_CE;
    assert_int_equal(condense_exp_loss_lookup("mse", &l), CONDENSE_OK);
    assert_int_equal(l, CONDENSE_LOSS_MSE);
    assert_int_equal(condense_exp_loss_lookup("ce", &l), CONDENSE_OK);
    assert_int_equal(l, CONDENSE_LOSS_CE);
    assert_string_equal(condense_exp_loss_name(CONDENSE_LOSS_MSE), "mse");
    assert_string_equal(condense_exp_loss_name(CONDENSE_LOSS_CE), "ce");
    assert_null(condense_exp_loss_name((condense_exp_loss)7));
    assert_int_equal(condense_exp_loss_lookup("hinge", &l), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_loss_lookup(NULL, &l), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_loss_lookup("ce", NULL), CONDENSE_EINVAL);
}

static void test_alloc_errors(void **state)
{
    (void)state;
    condense_exp_net *net = NULL;
    const condense_activation t = act("tanh"), none = {NULL, 1.0};
    condense_exp_shape ok = {8, 8, 1, 2, 2, 3, 0, 1, 1}, s;
    assert_int_equal(condense_exp_net_alloc(NULL, t, CONDENSE_LOSS_MSE, &net), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_net_alloc(&ok, t, CONDENSE_LOSS_MSE, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_net_alloc(&ok, none, CONDENSE_LOSS_MSE, &net), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_net_alloc(&ok, t, (condense_exp_loss)9, &net), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_net_alloc(&ok, t, CONDENSE_LOSS_CE, &net), CONDENSE_EINVAL);
    s = ok;
    s.W0 = 0;
    assert_int_equal(condense_exp_net_alloc(&s, t, CONDENSE_LOSS_MSE, &net), CONDENSE_ESIZE);
    s = ok;
    s.outputs = 0;
    assert_int_equal(condense_exp_net_alloc(&s, t, CONDENSE_LOSS_MSE, &net), CONDENSE_ESIZE);
    s = ok;
    s.layers = 0;
    assert_int_equal(condense_exp_net_alloc(&s, t, CONDENSE_LOSS_MSE, &net), CONDENSE_ESIZE);
    s.layers = CONDENSE_MAX_LAYERS + 1;
    assert_int_equal(condense_exp_net_alloc(&s, t, CONDENSE_LOSS_MSE, &net), CONDENSE_ESIZE);
    s = ok;
    s.layers = 4; /* 8 -> 6 -> 4 -> 2 -> 0: the fourth kernel does not fit */
    assert_int_equal(condense_exp_net_alloc(&s, t, CONDENSE_LOSS_MSE, &net), CONDENSE_ESIZE);
    s = ok;
    s.channels = (size_t)1 << 31; /* beyond CBLAS's int */
    assert_int_equal(condense_exp_net_alloc(&s, t, CONDENSE_LOSS_MSE, &net), CONDENSE_ESIZE);
    s = ok;
    s.hidden = (size_t)1 << 30;
    s.W0 = s.H0 = 6; /* F = 2 * 2 * 2 = 8: 8 * 2^30 > INT_MAX */
    assert_int_equal(condense_exp_net_alloc(&s, t, CONDENSE_LOSS_MSE, &net), CONDENSE_ESIZE);
    assert_null(net);
    condense_exp_net_free(NULL);

    assert_int_equal(condense_exp_net_alloc(&ok, t, CONDENSE_LOSS_MSE, &net), CONDENSE_OK);
    condense_exp_workspace *ws = NULL;
    assert_int_equal(condense_exp_workspace_alloc(NULL, 3, &ws), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_workspace_alloc(net, 3, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_workspace_alloc(net, 0, &ws), CONDENSE_ESIZE);
    assert_null(ws);
    condense_exp_workspace_free(NULL);
    condense_exp_net_free(net);
}

static void test_evaluate_errors(void **state)
{
    (void)state;
    fixture f = make(shapes[1], "tanh", CONDENSE_LOSS_CE, 3, 0.5, 80);
    double R = -1.0, acc = -1.0;
    assert_int_equal(condense_exp_evaluate(NULL, f.data, f.ws, &R, &acc, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_evaluate(f.net, NULL, f.ws, &R, &acc, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_evaluate(f.net, f.data, NULL, &R, &acc, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, NULL, &acc, NULL), CONDENSE_EINVAL);
    /* data of another size, too many samples */
    condense_data *other = NULL;
    assert_int_equal(condense_data_alloc(3, 6, 6, 2, &other), CONDENSE_OK);
    assert_int_equal(condense_exp_evaluate(f.net, other, f.ws, &R, &acc, NULL), CONDENSE_ESIZE);
    condense_data_free(other);
    assert_int_equal(condense_data_alloc(4, 6, 5, 2, &other), CONDENSE_OK);
    assert_int_equal(condense_exp_evaluate(f.net, other, f.ws, &R, &acc, NULL), CONDENSE_ESIZE);
    condense_data_free(other);
    /* a workspace of another network */
    fixture g = make(shapes[0], "tanh", CONDENSE_LOSS_MSE, 3, 0.5, 81);
    assert_int_equal(condense_exp_evaluate(f.net, f.data, g.ws, &R, &acc, NULL), CONDENSE_ESIZE);
    unmake(&g);
    /* labels that are no class index */
    const double y0 = f.data->y[1];
    f.data->y[1] = 1.5;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_EDOM);
    f.data->y[1] = 3.0;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_EDOM);
    f.data->y[1] = -1.0;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_EDOM);
    f.data->y[1] = y0;
    /* a non-finite output */
    f.net->v[0] = INFINITY;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_EDOM);
    assert_true(R == -1.0 && acc == -1.0);
    unmake(&f);
    /* finite outputs whose loss overflows: MSE with e = 1e300 */
    condense_exp_shape s1 = {1, 1, 1, 1, 1, 1, 0, 1, 1};
    f = make(s1, "identity", CONDENSE_LOSS_MSE, 1, 1.0, 82);
    f.net->v[0] = 1e300;
    f.net->V[0] = 0.0;
    f.data->y[0] = 0.0;
    assert_int_equal(condense_exp_evaluate(f.net, f.data, f.ws, &R, &acc, NULL), CONDENSE_EDOM);
    assert_true(R == -1.0);
    unmake(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_bruteforce),
        cmocka_unit_test(test_gradient_fd),
        cmocka_unit_test(test_theory_model),
        cmocka_unit_test(test_losses_second_formula),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_gd),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_theta_W),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_alloc_errors),
        cmocka_unit_test(test_evaluate_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
