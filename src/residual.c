/* residual.c -- the difference between the real and the linear dynamics of the two-layer CNN,
 * CNN paper App. C.3 (eq. 45) with C_0 channels as in App. D, and the neuron energies of
 * Definition 3 (eq. 46-47).  Rescaled coordinates throughout (bars dropped as in the paper).
 *
 * Two routes to (f_beta; g_beta), on purpose independent of each other:
 *  - condense_residual evaluates the defining sums of App. C.3 directly from the data, with
 *    its own convolution for x_{u,v,beta}(i) and its own e_i;
 *  - condense_residual_from_field reads them off eq. (45) as A theta_beta - (real field)_beta,
 *    with A from linearization.c and the field from real_flow.c.
 * Their agreement (test_residual.c) checks the field, A and the definitions against each
 * other. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_vector.h>

#include "condense/error.h"
#include "condense/observables.h"
#include "condense/residual.h"
#include "condense/theta.h"

/* Shared argument checks: non-NULL pointers and 1 <= beta <= M. */
static int check_args(const condense_real_flow *flow, const double *theta_bar, size_t beta,
                      const double *f_beta, const double *g_beta)
{
    CONDENSE_CHECK_NULL(flow);
    CONDENSE_CHECK_NULL(theta_bar);
    CONDENSE_CHECK_NULL(f_beta);
    CONDENSE_CHECK_NULL(g_beta);
    if (beta < 1 || beta > flow->M)
        CONDENSE_ERROR(CONDENSE_EINVAL, "kernel index beta = %zu outside [1, M = %zu]", beta,
                       flow->M);
    return CONDENSE_OK;
}

/* x_{u,v,beta}(i) = sum_alpha sum_{p,q=0}^{m-1} x_{u+p,v+q,alpha}(i) W_{p,q,alpha,beta} + b_beta
 * (CNN paper eq. 27 / App. D, rescaled) for every u, v, beta of sample i, into the flow's
 * scratch workspace ws->x[1] (array (W_1, H_1, M)).  Written as the paper's finite sum over
 * p, q in [0, m-1] rather than through the forward pass, whose chi-weighted sum over all
 * offsets is the slow reference (forward.c): the residual runs inside every verification. */
static void conv_sample(const condense_real_flow *flow, size_t i)
{
    const condense_cnn *net = flow->net;
    const condense_data *d = flow->data;
    const size_t m = flow->m;
    for (size_t u = 1; u <= net->W[1]; ++u)
        for (size_t v = 1; v <= net->H[1]; ++v)
            for (size_t beta = 1; beta <= flow->M; ++beta) {
                double s = *condense_b(net, 1, beta);
                for (size_t alpha = 1; alpha <= d->C0; ++alpha)
                    for (size_t p = 0; p < m; ++p)
                        for (size_t q = 0; q < m; ++q)
                            s += *condense_data_x(d, i, u + p, v + q, alpha) *
                                 *condense_W(net, 1, p, q, alpha, beta);
                *condense_ws_x(flow->ws, 1, u, v, beta) = s;
            }
}

/* CNN paper App. C.1 / C.3: e_i = f(x_i, theta) - y_i with f computed from the unscaled
 * parameters, eps sum_{beta,u,v} a_{u,v,beta} sigma(eps x_{u,v,beta}(i)); after conv_sample. */
static double sample_error(const condense_real_flow *flow, size_t i)
{
    const condense_cnn *net = flow->net;
    const double eps = flow->eps;
    double s = 0.0;
    for (size_t u = 1; u <= net->W[1]; ++u)
        for (size_t v = 1; v <= net->H[1]; ++v)
            for (size_t beta = 1; beta <= flow->M; ++beta)
                s += *condense_a(net, u, v, beta) *
                     condense_sigma(&net->sigma, eps * *condense_ws_x(flow->ws, 1, u, v, beta));
    return eps * s - *condense_data_y(flow->data, i);
}

/* CNN paper App. C.3 (multi-channel per App. D), the defining formulas:
 *   f_{p,q,alpha,beta} = (1/n) sum_i sum_{u,v} a_{u,v,beta} x_{u+p,v+q,alpha}(i)
 *                                             (e_i sigma'(eps x_{u,v,beta}(i)) + y_i),
 *   f_beta = the same with x_{u+p,v+q,alpha}(i) replaced by 1,
 *   g_{u,v,beta} = (1/n) sum_i (e_i sigma(eps x_{u,v,beta}(i)) / eps + y_i x_{u,v,beta}(i)),
 * i.e. the two printed sums of each line collected per (i, u, v). */
int condense_residual(condense_real_flow *flow, const double *theta_bar, size_t beta,
                      double *f_beta, double *g_beta)
{
    CONDENSE_TRY(check_args(flow, theta_bar, beta, f_beta, g_beta));
    condense_cnn *net = flow->net;
    const condense_data *d = flow->data;
    condense_cnn_unpack(net, theta_bar);
    CONDENSE_TRY(condense_cnn_check_finite(net));
    const size_t NW = condense_theta_W_beta_size(net), Na = condense_theta_a_beta_size(net);
    const size_t m = flow->m, H1 = net->H[1];
    const double eps = flow->eps;
    /* Accumulated apart from f_beta, g_beta so that a failure leaves them untouched. */
    double *acc = calloc(NW + Na, sizeof *acc);
    if (acc == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu doubles", NW + Na);
    double *f = acc, *g = acc + NW;
    for (size_t i = 1; i <= d->n; ++i) {
        conv_sample(flow, i);
        const double e = sample_error(flow, i), y = *condense_data_y(d, i);
        for (size_t u = 1; u <= net->W[1]; ++u)
            for (size_t v = 1; v <= H1; ++v) {
                const double x = *condense_ws_x(flow->ws, 1, u, v, beta);
                const double a = *condense_a(net, u, v, beta);
                /* the common factor of the f lines: a (e sigma'(eps x) + y) */
                const double w = a * (e * condense_sigma1(&net->sigma, eps * x) + y);
                size_t k = 0; /* theta_{W,beta} order: alpha, then p, then q (theta.h) */
                for (size_t alpha = 1; alpha <= d->C0; ++alpha)
                    for (size_t p = 0; p < m; ++p)
                        for (size_t q = 0; q < m; ++q)
                            f[k++] += w * *condense_data_x(d, i, u + p, v + q, alpha);
                f[NW - 1] += w; /* the bias entry f_beta */
                g[(u - 1) * H1 + (v - 1)] += e * condense_sigma(&net->sigma, eps * x) / eps + y * x;
            }
    }
    const double n = (double)d->n;
    for (size_t k = 0; k < NW + Na; ++k) {
        acc[k] /= n;
        if (!isfinite(acc[k])) {
            free(acc);
            CONDENSE_ERROR(CONDENSE_EDOM, "residual entry %zu of kernel %zu is not finite", k,
                           beta);
        }
    }
    memcpy(f_beta, f, NW * sizeof *f);
    memcpy(g_beta, g, Na * sizeof *g);
    free(acc);
    return CONDENSE_OK;
}

/* CNN paper eq. (45) with the sign of the definitions (residual.h):
 * (f_beta; g_beta) = A theta_beta - (d theta/dt restricted to kernel beta). */
/* Eq. (45) for kernel beta, given the real field already evaluated at theta_bar:
 * (f_beta; g_beta) = A theta_beta - field_beta.  th and r are scratch of N entries. */
static int residual_given_field(condense_real_flow *flow, const gsl_matrix *A,
                                const double *theta_bar, const double *field, size_t beta,
                                double *th, double *r, double *f_beta, double *g_beta)
{
    const size_t NW = condense_theta_W_beta_size(flow->net);
    const size_t N = NW + condense_theta_a_beta_size(flow->net);
    CONDENSE_TRY(condense_real_flow_theta_beta(flow, theta_bar, beta, th));
    /* The field has the flat layout of the state, so the same map takes out kernel beta. */
    CONDENSE_TRY(condense_real_flow_theta_beta(flow, field, beta, r));
    gsl_vector_const_view thv = gsl_vector_const_view_array(th, N);
    gsl_vector_view rv = gsl_vector_view_array(r, N);
    condense_gsl_quiet();
    const int status = gsl_blas_dgemv(CblasNoTrans, 1.0, A, &thv.vector, -1.0, &rv.vector);
    if (status != 0) CONDENSE_ERROR(CONDENSE_ENUM, "gsl_blas_dgemv failed (GSL status %d)", status);
    for (size_t k = 0; k < N; ++k)
        if (!isfinite(r[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "A theta_beta - field of kernel %zu is not finite", beta);
    memcpy(f_beta, r, NW * sizeof *r);
    memcpy(g_beta, r + NW, (N - NW) * sizeof *r);
    return CONDENSE_OK;
}

/* A must be the N x N matrix of eq. (34) for theta_beta's N = N_W + N_a. */
static int check_A(const condense_real_flow *flow, const gsl_matrix *A)
{
    CONDENSE_CHECK_NULL(A);
    const size_t N = condense_theta_W_beta_size(flow->net) + condense_theta_a_beta_size(flow->net);
    if (A->size1 != N || A->size2 != N)
        CONDENSE_ERROR(CONDENSE_ESIZE, "A is %zu x %zu, theta_beta has %zu entries", A->size1,
                       A->size2, N);
    return CONDENSE_OK;
}

/* Eq. (45) for kernels first..last with one field evaluation (the field gets its own buffer:
 * condense_real_field uses flow->scratch internally). */
static int residual_kernels(condense_real_flow *flow, const gsl_matrix *A, const double *theta_bar,
                            size_t first, size_t last, double *f, double *g)
{
    const size_t NW = condense_theta_W_beta_size(flow->net);
    const size_t N = NW + condense_theta_a_beta_size(flow->net);
    double *buf = malloc((flow->dim + 2 * N) * sizeof *buf);
    if (buf == NULL)
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu doubles", flow->dim + 2 * N);
    double *field = buf, *th = buf + flow->dim, *r = th + N;
    int status = condense_real_field(flow, theta_bar, field);
    for (size_t beta = first; status == CONDENSE_OK && beta <= last; ++beta)
        status = residual_given_field(flow, A, theta_bar, field, beta, th, r,
                                      f + (beta - first) * NW, g + (beta - first) * (N - NW));
    free(buf);
    return status;
}

int condense_residual_from_field(condense_real_flow *flow, const gsl_matrix *A,
                                 const double *theta_bar, size_t beta, double *f_beta,
                                 double *g_beta)
{
    CONDENSE_TRY(check_args(flow, theta_bar, beta, f_beta, g_beta));
    CONDENSE_TRY(check_A(flow, A));
    return residual_kernels(flow, A, theta_bar, beta, beta, f_beta, g_beta);
}

/* Eq. (45) for every kernel at once: one field evaluation instead of M. */
int condense_residual_all_from_field(condense_real_flow *flow, const gsl_matrix *A,
                                     const double *theta_bar, double *f, double *g)
{
    CONDENSE_TRY(check_args(flow, theta_bar, 1, f, g));
    CONDENSE_TRY(check_A(flow, A));
    return residual_kernels(flow, A, theta_bar, 1, flow->M, f, g);
}

/* CNN paper Definition 3, eq. (46)-(47): E_beta = |theta_beta| = (|theta_{W,beta}|^2 +
 * |theta_{a,beta}|^2)^(1/2), E_max = max_beta E_beta.
 * Every block of the flat state -- W (m, m, C_0, M), b (M), a (W_1, H_1, M) in C order -- has
 * beta as its fastest index and a length that is a multiple of M, so the entries of kernel
 * beta are exactly theta_bar[beta - 1 + j M], j = 0 .. dim/M - 1: a strided view whose norm
 * condense_norm2 takes without copying (and without overflow for huge entries). */
int condense_energy(condense_real_flow *flow, const double *theta_bar, double *E, double *E_max)
{
    CONDENSE_CHECK_NULL(flow);
    CONDENSE_CHECK_NULL(theta_bar);
    CONDENSE_CHECK_NULL(E_max);
    const size_t M = flow->M, per = flow->dim / M;
    for (size_t k = 0; k < flow->dim; ++k)
        if (!isfinite(theta_bar[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "theta_bar[%zu] = %g is not finite", k, theta_bar[k]);
    double mx = 0.0;
    for (size_t pass = 0; pass < 2; ++pass) /* pass 0 checks, pass 1 writes */
        for (size_t beta = 1; beta <= M; ++beta) {
            const double Eb = condense_norm2(theta_bar + (beta - 1), per, M);
            if (pass == 0 && !isfinite(Eb))
                CONDENSE_ERROR(CONDENSE_EDOM, "energy E_%zu overflows", beta);
            if (pass == 1 && E != NULL) E[beta - 1] = Eb;
            mx = fmax(mx, Eb);
        }
    *E_max = mx;
    return CONDENSE_OK;
}
