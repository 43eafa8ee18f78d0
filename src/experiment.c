/* experiment.c -- the networks of the CNN paper's experiments (Sec. 4.1, App. A.1): forward and
 * backward passes, the losses, the initialization, gradient descent and Adam.
 *
 * A pass over n samples runs in three phases:
 *   1. the convolution layers, per sample (OpenMP across samples, each thread with its own
 *      buffers): x^[l] = P^[l] W^[l] + 1 b^[l]^T by im2col and dgemm as in fast.c (eq. 2);
 *      the sample's s = vec(sigma(x^[L])) becomes row i of S (n x F);
 *   2. the fully-connected layers over all samples at once, one dgemm each, the loss and dR/do,
 *      and back through them to dR/dS (overwriting S);
 *   3. the convolution layers backward, per sample (eq. 21-22 with z^[L] = dR/ds sigma'(x^[L])):
 *      when a gradient is asked for, phase 1 keeps sigma(x^[l]) (l < L) and sigma'(x^[l]) of
 *      every sample in the workspace, and phase 3 only gathers the patches again (im2col, a
 *      copy): the patches themselves (C_{l-1} m^2 times larger) are not stored.  This spares
 *      the forward dgemms and the activations a second time, at n sum_l W_l H_l C_l doubles
 *      per array (115 MB for n = 500 CIFAR-10 images, 32 kernels, m = 3).
 * The threads' gradient accumulators are added in thread order, so a result depends on the
 * thread count only through rounding. */
#include <config.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "condense/error.h"
#include "condense/experiment.h"
#include "condense/init.h"
#include "fast_internal.h"

#define MAXL CONDENSE_MAX_LAYERS

int condense_exp_loss_lookup(const char *name, condense_exp_loss *loss)
{
    CONDENSE_CHECK_NULL(name);
    CONDENSE_CHECK_NULL(loss);
    if (strcmp(name, "mse") == 0)
        *loss = CONDENSE_LOSS_MSE;
    else if (strcmp(name, "ce") == 0)
        *loss = CONDENSE_LOSS_CE;
    else
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown loss '%s' (mse or ce)", name);
    return CONDENSE_OK;
}

const char *condense_exp_loss_name(condense_exp_loss loss)
{
    switch (loss) {
    case CONDENSE_LOSS_MSE:
        return "mse";
    case CONDENSE_LOSS_CE:
        return "ce";
    }
    return NULL;
}

/* ---- the network ----------------------------------------------------------------------------- */

int condense_exp_net_alloc(const condense_exp_shape *shape, condense_activation sigma,
                           condense_exp_loss loss, condense_exp_net **net)
{
    CONDENSE_CHECK_NULL(shape);
    CONDENSE_CHECK_NULL(net);
    if (sigma.type == NULL) CONDENSE_ERROR(CONDENSE_EINVAL, "the activation has no type");
    if (condense_exp_loss_name(loss) == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown loss %d", (int)loss);
    const condense_exp_shape *s = shape;
    if (s->W0 == 0 || s->H0 == 0 || s->C0 == 0 || s->channels == 0 || s->m == 0 || s->outputs == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "zero size: input %zu x %zu x %zu, %zu channels, m = %zu, d = %zu", s->W0,
                       s->H0, s->C0, s->channels, s->m, s->outputs);
    if (s->layers == 0 || s->layers > MAXL)
        CONDENSE_ERROR(CONDENSE_ESIZE, "%zu convolution layers: need 1 to %d", s->layers, MAXL);
    if (loss == CONDENSE_LOSS_CE && s->outputs < 2)
        CONDENSE_ERROR(CONDENSE_EINVAL, "cross-entropy needs d >= 2 outputs, not %zu", s->outputs);
    condense_exp_net *nw = calloc(1, sizeof *nw);
    if (nw == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the network");
    nw->shape = *s;
    nw->L = s->layers;
    nw->W[0] = s->W0;
    nw->H[0] = s->H0;
    nw->C[0] = s->C0;
    size_t off = 0;
    for (size_t l = 1; l <= nw->L; ++l) {
        if (s->m > nw->W[l - 1] || s->m > nw->H[l - 1]) {
            const size_t Win = nw->W[l - 1], Hin = nw->H[l - 1];
            free(nw);
            CONDENSE_ERROR(CONDENSE_ESIZE,
                           "kernel size m = %zu exceeds layer %zu's input %zu x %zu", s->m, l, Win,
                           Hin);
        }
        nw->W[l] = nw->W[l - 1] - s->m + 1;
        nw->H[l] = nw->H[l - 1] - s->m + 1;
        nw->C[l] = s->channels;
        const double K = (double)nw->C[l - 1] * (double)(s->m * s->m);
        const double RC = (double)nw->W[l] * (double)nw->H[l] * (double)s->channels;
        if (K > INT_MAX || RC > INT_MAX || s->channels > INT_MAX) {
            free(nw);
            CONDENSE_ERROR(CONDENSE_ESIZE, "layer %zu is too large for CBLAS", l);
        }
        nw->off_W[l] = off;
        nw->off_b[l] = off + (size_t)K * s->channels;
        off = nw->off_b[l] + s->channels;
    }
    nw->F = nw->W[nw->L] * nw->H[nw->L] * s->channels;
    nw->K = s->hidden > 0 ? s->hidden : nw->F;
    if ((double)nw->F * (double)(s->hidden > 0 ? s->hidden : 1) > INT_MAX ||
        (double)nw->K * (double)s->outputs > INT_MAX) {
        free(nw);
        CONDENSE_ERROR(CONDENSE_ESIZE, "the fully-connected layers are too large for CBLAS");
    }
    nw->off_U = off;
    nw->off_c = off + s->hidden * nw->F;
    nw->off_V = nw->off_c + s->hidden;
    nw->off_v = nw->off_V + s->outputs * nw->K;
    nw->nparams = nw->off_v + (s->output_bias ? s->outputs : 0);
    nw->theta = calloc(nw->nparams, sizeof(double));
    if (nw->theta == NULL) {
        const size_t nparams = nw->nparams;
        free(nw);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu parameters", nparams);
    }
    for (size_t l = 1; l <= nw->L; ++l) {
        nw->kernel[l] = nw->theta + nw->off_W[l];
        nw->bias[l] = nw->theta + nw->off_b[l];
    }
    nw->U = s->hidden > 0 ? nw->theta + nw->off_U : NULL;
    nw->c = s->hidden > 0 ? nw->theta + nw->off_c : NULL;
    nw->V = nw->theta + nw->off_V;
    nw->v = s->output_bias ? nw->theta + nw->off_v : NULL;
    nw->sigma = sigma;
    nw->relu.type = &condense_act_relu;
    nw->relu.scale = 1.0;
    nw->loss = loss;
    *net = nw;
    return CONDENSE_OK;
}

void condense_exp_net_free(condense_exp_net *net)
{
    if (net == NULL) return;
    free(net->theta);
    free(net);
}

/* Sec. 4.1: N(0, sigma_1^2) for the convolutions, N(0, sigma_2^2) for the linear layers. */
int condense_exp_init(condense_exp_net *net, double gamma, double sigma_2, gsl_rng *rng)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(rng);
    if (!isfinite(gamma)) CONDENSE_ERROR(CONDENSE_EDOM, "gamma = %g is not a finite number", gamma);
    if (!(isfinite(sigma_2) && sigma_2 >= 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "sigma_2 = %g: need a finite sigma_2 >= 0", sigma_2);
    double sd[MAXL + 1];
    for (size_t l = 1; l <= net->L; ++l) {
        sd[l] = condense_init_sigma1(net->C[l - 1], net->C[l], net->shape.m, gamma);
        if (!(isfinite(sd[l]) && sd[l] > 0.0))
            CONDENSE_ERROR(CONDENSE_EDOM, "sigma_1 of layer %zu = %g is not a positive number", l,
                           sd[l]);
    }
    for (size_t l = 1; l <= net->L; ++l)
        for (size_t k = net->off_W[l]; k < net->off_b[l] + net->C[l]; ++k)
            net->theta[k] = gsl_ran_gaussian(rng, sd[l]);
    for (size_t k = net->off_U; k < net->nparams; ++k)
        net->theta[k] = gsl_ran_gaussian(rng, sigma_2);
    return CONDENSE_OK;
}

/* theta_{W,beta}^[l] in theta.h's order: alpha major, then p, q; then b_beta. */
int condense_exp_theta_W(const condense_exp_net *net, size_t l, double *theta_W)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(theta_W);
    if (l == 0 || l > net->L)
        CONDENSE_ERROR(CONDENSE_EINVAL, "layer %zu is not in [1, %zu]", l, net->L);
    const size_t m = net->shape.m, Cin = net->C[l - 1], C = net->C[l], N_W = Cin * m * m + 1;
    for (size_t beta = 0; beta < C; ++beta) {
        double *out = theta_W + beta * N_W;
        for (size_t alpha = 0; alpha < Cin; ++alpha)
            for (size_t p = 0; p < m; ++p)
                for (size_t q = 0; q < m; ++q)
                    *out++ = net->kernel[l][((p * m + q) * Cin + alpha) * C + beta];
        *out = net->bias[l][beta];
    }
    return CONDENSE_OK;
}

/* ---- the workspace --------------------------------------------------------------------------- */

struct condense_exp_thread {
    double *P[MAXL + 1]; /* P^[l]: W_l H_l x C_{l-1} m^2; backward reuses it for z^[l] W^[l]^T */
    double *X[MAXL + 1]; /* x^[l] */
    double *S[MAXL + 1]; /* sigma(x^[l]) */
    double *Z[MAXL + 1]; /* z^[l] = dR/dx^[l] */
    double *grad;        /* this thread's sum of the convolution parameters' gradients */
    int active;
};

static int max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void condense_exp_workspace_free(condense_exp_workspace *ws)
{
    if (ws == NULL) return;
    for (int k = 0; ws->t != NULL && k < ws->nthreads; ++k) {
        for (size_t l = 1; l <= MAXL; ++l) {
            free(ws->t[k].P[l]);
            free(ws->t[k].X[l]);
            free(ws->t[k].S[l]);
            free(ws->t[k].Z[l]);
        }
        free(ws->t[k].grad);
    }
    free(ws->t);
    for (size_t l = 1; l <= MAXL; ++l) {
        free(ws->Sl[l]);
        free(ws->D1[l]);
    }
    free(ws->S);
    free(ws->Hpre);
    free(ws->Hact);
    free(ws->out);
    free(ws->G);
    free(ws->Gh);
    free(ws->ones);
    free(ws);
}

int condense_exp_workspace_alloc(const condense_exp_net *net, size_t n_max,
                                 condense_exp_workspace **ws)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(ws);
    if (n_max == 0 || n_max > INT_MAX) CONDENSE_ERROR(CONDENSE_ESIZE, "n_max = %zu", n_max);
    condense_exp_workspace *w = calloc(1, sizeof *w);
    const int T = max_threads();
    if (w != NULL) w->t = calloc((size_t)T, sizeof *w->t);
    if (w == NULL || w->t == NULL) {
        free(w);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the workspace");
    }
    w->nthreads = T;
    w->n_max = n_max;
    w->F = net->F;
    w->K = net->K;
    w->d = net->shape.outputs;
    w->hidden = net->shape.hidden;
    w->conv_params = net->off_U;
    size_t ones = n_max;
    for (size_t l = 1; l <= net->L; ++l)
        if (net->W[l] * net->H[l] > ones) ones = net->W[l] * net->H[l];
    int failed = 0;
#define ALLOC(p, count) failed |= ((p) = malloc((count) * sizeof(double) + 1)) == NULL
    ALLOC(w->S, n_max * w->F);
    ALLOC(w->Hpre, n_max * w->hidden);
    ALLOC(w->Hact, n_max * w->hidden);
    ALLOC(w->out, n_max * w->d);
    ALLOC(w->G, n_max * w->d);
    ALLOC(w->Gh, n_max * w->hidden);
    ALLOC(w->ones, ones);
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t RC = net->W[l] * net->H[l] * net->C[l];
        if (l < net->L) ALLOC(w->Sl[l], n_max * RC);
        ALLOC(w->D1[l], n_max * RC);
    }
    for (int k = 0; k < T && !failed; ++k) {
        for (size_t l = 1; l <= net->L; ++l) {
            const size_t R = net->W[l] * net->H[l], RC = R * net->C[l];
            ALLOC(w->t[k].P[l], R * net->C[l - 1] * net->shape.m * net->shape.m);
            ALLOC(w->t[k].X[l], RC);
            ALLOC(w->t[k].S[l], RC);
            ALLOC(w->t[k].Z[l], RC);
        }
        ALLOC(w->t[k].grad, w->conv_params);
    }
#undef ALLOC
    if (failed) {
        condense_exp_workspace_free(w);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the workspace for %zu samples", n_max);
    }
    for (size_t k = 0; k < ones; ++k)
        w->ones[k] = 1.0;
    *ws = w;
    return CONDENSE_OK;
}

/* ---- the passes ------------------------------------------------------------------------------ */

/* Eq. (2), one sample: x^[l] = P^[l] W^[l] + 1 b^[l]^T, then sigma, for l = 1..L.  With ws,
 * sigma(x^[l]) (l < L) and sigma'(x^[l]) are kept as row i of ws->Sl[l], ws->D1[l]. */
static void conv_forward(const condense_exp_net *net, struct condense_exp_thread *th,
                         const double *x0, condense_exp_workspace *ws, size_t i)
{
    const size_t m = net->shape.m;
    for (size_t l = 1; l <= net->L; ++l) {
        const double *in = l == 1 ? x0 : th->S[l - 1];
        const size_t R = net->W[l] * net->H[l], K = net->C[l - 1] * m * m, C = net->C[l];
        condense_im2col(in, net->H[l - 1], net->C[l - 1], m, net->W[l], net->H[l], th->P[l]);
        double *X = th->X[l], *S = th->S[l];
        for (size_t r = 0; r < R; ++r)
            memcpy(X + r * C, net->bias[l], C * sizeof(double));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)C, (int)K, 1.0,
                    th->P[l], (int)K, net->kernel[l], (int)C, 1.0, X, (int)C);
        double *D1 = ws != NULL ? ws->D1[l] + i * R * C : NULL;
        if (D1 != NULL && net->sigma.type == &condense_act_tanh) {
            /* tanh' = 1 - tanh^2 from the one tanh already computed (activation.c's sech^2
             * costs a cosh more, and the activations dominate the two-layer pass); the
             * absolute error stays below 2 ulps of 1 */
            const double sc = net->sigma.scale;
            for (size_t k = 0; k < R * C; ++k) {
                const double t = tanh(X[k]);
                S[k] = sc * t;
                D1[k] = sc * (1.0 - t * t);
            }
        } else {
            for (size_t k = 0; k < R * C; ++k)
                S[k] = condense_sigma(&net->sigma, X[k]);
            for (size_t k = 0; D1 != NULL && k < R * C; ++k)
                D1[k] = condense_sigma1(&net->sigma, X[k]);
        }
        if (ws == NULL) continue;
        if (l < net->L) memcpy(ws->Sl[l] + i * R * C, S, R * C * sizeof(double));
    }
}

/* Eq. (21)-(22), sample i (input x0) from what conv_forward kept, with dR/ds in gs:
 * th->grad += dR/dW, dR/db. */
static void conv_backward(const condense_exp_net *net, struct condense_exp_thread *th,
                          const double *x0, const condense_exp_workspace *ws, size_t i,
                          const double *gs)
{
    const size_t L = net->L, m = net->shape.m;
    const double *D1 = ws->D1[L] + i * net->F;
    for (size_t k = 0; k < net->F; ++k)
        th->Z[L][k] = gs[k] * D1[k];
    for (size_t l = L; l >= 1; --l) {
        const int R = (int)(net->W[l] * net->H[l]), K = (int)(net->C[l - 1] * m * m),
                  C = (int)net->C[l];
        const size_t RCin = net->W[l - 1] * net->H[l - 1] * net->C[l - 1];
        const double *in = l == 1 ? x0 : ws->Sl[l - 1] + i * RCin;
        condense_im2col(in, net->H[l - 1], net->C[l - 1], m, net->W[l], net->H[l], th->P[l]);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, C, R, 1.0, th->P[l], K, th->Z[l], C,
                    1.0, th->grad + net->off_W[l], C);
        cblas_dgemv(CblasRowMajor, CblasTrans, R, C, 1.0, th->Z[l], C, ws->ones, 1, 1.0,
                    th->grad + net->off_b[l], 1);
        if (l == 1) break;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, K, C, 1.0, th->Z[l], C,
                    net->kernel[l], C, 0.0, th->P[l], K);
        double *Z = th->Z[l - 1];
        const double *D1in = ws->D1[l - 1] + i * RCin;
        condense_col2im(th->P[l], net->W[l - 1], net->H[l - 1], net->C[l - 1], m, net->W[l],
                        net->H[l], Z);
        for (size_t k = 0; k < RCin; ++k)
            Z[k] *= D1in[k];
    }
}

/* Phase 1 (backward = 0): row i of ws->S = s(x_i), and with keep the state phase 3 needs.
 * Phase 3 (backward = 1): the threads' accumulators receive the convolution gradients from
 * dR/ds in ws->S.  Returns the number of threads that ran. */
static int conv_all(const condense_exp_net *net, const condense_data *data,
                    condense_exp_workspace *ws, int backward, int keep)
{
    const size_t n = data->n, in_size = data->W0 * data->H0 * data->C0;
    int T = ws->nthreads;
    if (max_threads() < T) T = max_threads();
    if ((size_t)T > n) T = (int)n;
    int team = 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(T)
#else
    (void)T;
#endif
    {
        int t = 0, nt = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        nt = omp_get_num_threads();
        if (t == 0) team = nt;
#endif
        struct condense_exp_thread *th = &ws->t[t];
        const size_t lo = n * (size_t)t / (size_t)nt, hi = n * (size_t)(t + 1) / (size_t)nt;
        th->active = lo < hi;
        if (backward) memset(th->grad, 0, ws->conv_params * sizeof(double));
        for (size_t i = lo; i < hi; ++i) {
            const double *x0 = data->x + i * in_size;
            if (backward) {
                conv_backward(net, th, x0, ws, i, ws->S + i * net->F);
            } else {
                conv_forward(net, th, x0, keep ? ws : NULL, i);
                memcpy(ws->S + i * net->F, th->S[net->L], net->F * sizeof(double));
            }
        }
    }
    return team;
}

/* The label of sample i as a class index in [0, d), or -1. */
static long class_of(double y, size_t d)
{
    if (!(y >= 0.0 && y < (double)d && y == floor(y))) return -1;
    return (long)y;
}

/* The loss of one sample (unnormalized: 1/2 |.|^2 or -log softmax) and dR/do (times n) into g;
 * returns whether the prediction is correct. */
static int sample_loss(const condense_exp_net *net, const double *o, double y, double *loss,
                       double *g)
{
    const size_t d = net->shape.outputs;
    if (net->loss == CONDENSE_LOSS_MSE && d == 1) {
        const double e = o[0] - y; /* e_i of eq. (1) */
        *loss = 0.5 * e * e;
        g[0] = e;
        return fabs(e) < 0.5;
    }
    const size_t label = (size_t)y;
    size_t arg = 0;
    for (size_t k = 1; k < d; ++k)
        if (o[k] > o[arg]) arg = k;
    /* softmax with the maximum subtracted: exp never overflows, the sum is >= 1 */
    double sum = 0.0;
    for (size_t k = 0; k < d; ++k)
        sum += exp(o[k] - o[arg]);
    if (net->loss == CONDENSE_LOSS_CE) {
        /* log sum_k exp o_k - o_y, and dR/do = softmax(o) - onehot(y) */
        *loss = o[arg] + log(sum) - o[label];
        for (size_t k = 0; k < d; ++k)
            g[k] = exp(o[k] - o[arg]) / sum - (k == label);
    } else {
        /* 1/2 |p - t|^2 with p = softmax(o): dR/do_k = p_k (r_k - <p, r>), r = p - t */
        double pr = 0.0, l2 = 0.0;
        for (size_t k = 0; k < d; ++k) {
            const double p = exp(o[k] - o[arg]) / sum, r = p - (k == label);
            g[k] = r;
            pr += p * r;
            l2 += r * r;
        }
        for (size_t k = 0; k < d; ++k)
            g[k] = (g[k] + (k == label)) * (g[k] - pr);
        *loss = 0.5 * l2;
    }
    return arg == label;
}

int condense_exp_evaluate(const condense_exp_net *net, const condense_data *data,
                          condense_exp_workspace *ws, double *R, double *accuracy, double *grad)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(ws);
    CONDENSE_CHECK_NULL(R);
    if (data->W0 != net->W[0] || data->H0 != net->H[0] || data->C0 != net->C[0])
        CONDENSE_ERROR(CONDENSE_ESIZE, "data of %zu x %zu x %zu for a network of %zu x %zu x %zu",
                       data->W0, data->H0, data->C0, net->W[0], net->H[0], net->C[0]);
    if (data->n == 0 || data->n > ws->n_max)
        CONDENSE_ERROR(CONDENSE_ESIZE, "%zu samples for a workspace of at most %zu", data->n,
                       ws->n_max);
    if (ws->F != net->F || ws->K != net->K || ws->d != net->shape.outputs ||
        ws->hidden != net->shape.hidden || ws->conv_params != net->off_U)
        CONDENSE_ERROR(CONDENSE_ESIZE, "the workspace was made for another network");
    const size_t n = data->n, d = net->shape.outputs, F = net->F, K = net->K,
                 hid = net->shape.hidden;
    const int classes = d > 1 || net->loss == CONDENSE_LOSS_CE;
    for (size_t i = 0; classes && i < n; ++i)
        if (class_of(data->y[i], d) < 0)
            CONDENSE_ERROR(CONDENSE_EDOM, "label y_%zu = %g is not a class index in [0, %zu)",
                           i + 1, data->y[i], d);

    /* phase 1: the convolutions */
    conv_all(net, data, ws, 0, grad != NULL);
    /* phase 2: the fully-connected layers, h = ReLU(U s + c), o = V h + v */
    const double *in = ws->S;
    if (hid > 0) {
        for (size_t i = 0; i < n; ++i)
            memcpy(ws->Hpre + i * hid, net->c, hid * sizeof(double));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)hid, (int)F, 1.0, ws->S,
                    (int)F, net->U, (int)F, 1.0, ws->Hpre, (int)hid);
        for (size_t k = 0; k < n * hid; ++k)
            ws->Hact[k] = condense_sigma(&net->relu, ws->Hpre[k]);
        in = ws->Hact;
    }
    for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < d; ++k)
            ws->out[i * d + k] = net->v != NULL ? net->v[k] : 0.0;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)d, (int)K, 1.0, in, (int)K,
                net->V, (int)K, 1.0, ws->out, (int)d);
    double sum = 0.0;
    size_t correct = 0;
    for (size_t i = 0; i < n; ++i) {
        const double *o = ws->out + i * d;
        for (size_t k = 0; k < d; ++k)
            if (!isfinite(o[k]))
                CONDENSE_ERROR(CONDENSE_EDOM, "output %zu of sample %zu is %g", k + 1, i + 1, o[k]);
        double loss_i;
        correct += (size_t)sample_loss(net, o, data->y[i], &loss_i, ws->G + i * d);
        sum += loss_i;
    }
    const double risk = sum / (double)n;
    if (!isfinite(risk)) CONDENSE_ERROR(CONDENSE_EDOM, "the loss %g is not finite", risk);
    *R = risk;
    if (accuracy != NULL) *accuracy = (double)correct / (double)n;
    if (grad == NULL) return CONDENSE_OK;

    /* back through the fully-connected layers: G = dR/do (the 1/n of R here) */
    cblas_dscal((int)(n * d), 1.0 / (double)n, ws->G, 1);
    memset(grad, 0, net->nparams * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)K, (int)n, 1.0, ws->G, (int)d,
                in, (int)K, 0.0, grad + net->off_V, (int)K);
    if (net->v != NULL)
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, ws->G, (int)d, ws->ones, 1, 0.0,
                    grad + net->off_v, 1);
    if (hid > 0) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)hid, (int)d, 1.0, ws->G,
                    (int)d, net->V, (int)hid, 0.0, ws->Gh, (int)hid);
        for (size_t k = 0; k < n * hid; ++k)
            ws->Gh[k] *= condense_sigma1(&net->relu, ws->Hpre[k]);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)hid, (int)F, (int)n, 1.0, ws->Gh,
                    (int)hid, ws->S, (int)F, 0.0, grad + net->off_U, (int)F);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)hid, 1.0, ws->Gh, (int)hid, ws->ones, 1,
                    0.0, grad + net->off_c, 1);
        /* S is spent: it receives dR/ds = Gh U */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)F, (int)hid, 1.0,
                    ws->Gh, (int)hid, net->U, (int)F, 0.0, ws->S, (int)F);
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)F, (int)d, 1.0, ws->G,
                    (int)d, net->V, (int)F, 0.0, ws->S, (int)F);
    }
    /* phase 3: the convolutions backward, reduced in thread order */
    const int team = conv_all(net, data, ws, 1, 1);
    for (size_t k = 0; k < ws->conv_params; ++k) {
        double s = 0.0;
        for (int t = 0; t < team; ++t)
            if (ws->t[t].active) s += ws->t[t].grad[k];
        grad[k] = s;
    }
    return CONDENSE_OK;
}

/* ---- the trainers ---------------------------------------------------------------------------- */

static int check_step(const double *grad, size_t dim, double lr)
{
    if (!(isfinite(lr) && lr > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "learning rate %g: need a finite value > 0", lr);
    for (size_t k = 0; k < dim; ++k)
        if (!isfinite(grad[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "gradient entry %zu is %g", k, grad[k]);
    return CONDENSE_OK;
}

/* CNN paper eq. (20) with a fixed step: theta <- theta - lr grad R_S. */
int condense_exp_gd_step(condense_exp_net *net, const double *grad, double lr)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(grad);
    CONDENSE_TRY(check_step(grad, net->nparams, lr));
    /* the last good state is kept: no entry is moved unless every new entry is finite */
    for (size_t k = 0; k < net->nparams; ++k)
        if (!isfinite(net->theta[k] - lr * grad[k]))
            CONDENSE_ERROR(CONDENSE_EDOM,
                           "GD step: parameter %zu would become %g (was %g, gradient %g, lr %g)", k,
                           net->theta[k] - lr * grad[k], net->theta[k], grad[k], lr);
    cblas_daxpy((int)net->nparams, -lr, grad, 1, net->theta, 1);
    return CONDENSE_OK;
}
