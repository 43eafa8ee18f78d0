/* real_flow.c -- the real (nonlinear) gradient flow of the two-layer CNN in the rescaled
 * coordinates theta = eps theta_bar: CNN paper App. C.1 (eq. 26-28) for one channel and App. D
 * for C_0 channels, integrated with GSL odeiv2, and the discrete trainers GD and Adam.
 *
 * The field is written directly in the paper's rescaled form, not by calling the generic
 * backward pass on eps theta_bar: dividing a field of size O(eps^2) by eps loses nothing in
 * floating point, but the rescaled form is what the theory analyses (the linear part and the
 * residuals f_beta, g_beta of App. C.3 are read off it), and it lets the per-kernel work be laid
 * out contiguously.  test_real_flow.c checks it against the generic field of eq. (23).
 *
 * Work layout.  The field is a sum over samples i; e_i couples all kernels, everything else is
 * per kernel.  So for each sample: (1) the m x m x C_0 patches of x_i under every output
 * position (u, v) are gathered once (a W_1 H_1 x (C_0 m^2 + 1) matrix whose last column is 1:
 * row (u,v) is row (u,v) of Z with y_i x_i in place of z); (2) per kernel beta, x_bar, sigma and
 * sigma' at every (u, v) and the kernel's share of f(x_i); (3) e_i, summed over beta in a fixed
 * order; (4) per kernel, the sample's contribution to the three lines of the dynamics.  Steps
 * (2) and (4) run in parallel over beta, each kernel's numbers computed by one thread in one
 * fixed order, so that the result does not depend on the number of threads. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "condense/adam.h"
#include "condense/error.h"
#include "condense/real_flow.h"
#include "condense/theta.h"
#include "fast_flow_internal.h"

/* Below this much work per sample (kernels x positions x patch length) the field runs on one
 * thread: the four barriers per sample would cost more than they save. */
#define PARALLEL_MIN_WORK 32768

/* The private part of a flow.  The public struct is the first member, so a pointer to it is
 * a pointer to the whole (C11 6.7.2.1p15) and the header stays as published. */
typedef struct flow_impl {
    condense_real_flow pub;
    size_t NW, Na;      /* C_0 m^2 + 1 and W_1 H_1: the two parts of theta_beta */
    double *theta_k;    /* M x (NW + Na): theta_beta of every kernel, contiguous */
    double *acc;        /* M x (NW + Na): sum over samples so far of the field's terms */
    double *patch;      /* Na x NW: patches of the current sample, last column 1 */
    double *s_over_eps; /* M x Na: sigma(eps x_bar) / eps of the current sample */
    double *a_s1;       /* M x Na: a_bar sigma'(eps x_bar) of the current sample */
    double *f_beta;     /* M: sum_{u,v} a_bar_{u,v,beta} sigma(eps x_bar_{u,v,beta}) */
    size_t *bad;        /* M: 1 + first (u,v) row with a non-finite value, 0 if none */
} flow_impl;

static flow_impl *impl_of(condense_real_flow *flow)
{
    return (flow_impl *)flow;
}

void condense_real_flow_free(condense_real_flow *flow)
{
    if (flow == NULL) return;
    flow_impl *im = impl_of(flow);
    condense_cnn_free(flow->net);
    condense_workspace_free(flow->ws);
    free(flow->scratch);
    free(im->theta_k);
    free(im->acc);
    free(im->patch);
    free(im->s_over_eps);
    free(im->a_s1);
    free(im->f_beta);
    free(im->bad);
    condense_fast_flow_free(flow->fast);
    free(im);
}

int condense_real_flow_alloc(const condense_data *data, size_t M, size_t m,
                             condense_activation sigma, double eps, condense_real_flow **flow)
{
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(flow);
    if (M == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "M = 0 kernels");
    if (m == 0 || m > data->W0 || m > data->H0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "filter size m = %zu: need 1 <= m <= min(W_0, H_0) = %zu", m,
                       data->W0 < data->H0 ? data->W0 : data->H0);
    if (!(isfinite(eps) && eps > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "scale eps = %g: need a finite eps > 0", eps);
    CONDENSE_TRY(condense_data_check_finite(data));

    condense_cnn_shape shape;
    memset(&shape, 0, sizeof shape);
    shape.L = 1;
    shape.W0 = data->W0;
    shape.H0 = data->H0;
    shape.C0 = data->C0;
    shape.C[1] = M;
    shape.m[1] = m;
    condense_cnn *net = NULL;
    CONDENSE_TRY(condense_cnn_alloc(&shape, sigma, &net));

    flow_impl *im = calloc(1, sizeof *im);
    if (im == NULL) {
        condense_cnn_free(net);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the flow");
    }
    condense_real_flow *f = &im->pub;
    f->data = data;
    f->eps = eps;
    f->M = M;
    f->m = m;
    f->net = net;
    f->dim = condense_cnn_nparams(net);
    im->NW = condense_theta_W_beta_size(net);
    im->Na = condense_theta_a_beta_size(net);
    int status = condense_workspace_alloc(net, &f->ws);
    if (status != CONDENSE_OK) {
        condense_real_flow_free(f);
        return status;
    }
    f->scratch = malloc(f->dim * sizeof(double));
    im->theta_k = malloc(f->dim * sizeof(double));
    im->acc = malloc(f->dim * sizeof(double));
    im->patch = malloc(im->Na * im->NW * sizeof(double));
    im->s_over_eps = malloc(M * im->Na * sizeof(double));
    im->a_s1 = malloc(M * im->Na * sizeof(double));
    im->f_beta = malloc(M * sizeof(double));
    im->bad = malloc(M * sizeof(size_t));
    if (f->scratch == NULL || im->theta_k == NULL || im->acc == NULL || im->patch == NULL ||
        im->s_over_eps == NULL || im->a_s1 == NULL || im->f_beta == NULL || im->bad == NULL) {
        condense_real_flow_free(f);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the flow's scratch buffers");
    }
    *flow = f;
    return CONDENSE_OK;
}

/* ---- the field ---------------------------------------------------------------------------- */

/* The name of entry k of the flat state (condense_cnn_pack order) in paper indices. */
static void param_name(const condense_real_flow *flow, size_t k, char *buf, size_t size)
{
    const condense_cnn *net = flow->net;
    const size_t M = flow->M, C0 = net->C[0], m = flow->m;
    const size_t nW = condense_cnn_W_size(net, 1);
    if (k < nW) { /* storage (m, m, C_0, M) */
        const size_t beta = k % M + 1, alpha = k / M % C0 + 1, q = k / (M * C0) % m,
                     p = k / (M * C0 * m);
        snprintf(buf, size, "W_{%zu,%zu,%zu,%zu}", p, q, alpha, beta);
    } else if (k < nW + M) {
        snprintf(buf, size, "b_%zu", k - nW + 1);
    } else { /* storage (W_1, H_1, M) */
        const size_t j = k - nW - M;
        const size_t beta = j % M + 1, v = j / M % net->H[1] + 1, u = j / (M * net->H[1]) + 1;
        snprintf(buf, size, "a_{%zu,%zu,%zu}", u, v, beta);
    }
}

/* CONDENSE_EDOM naming the first non-finite entry of a flat state. */
static int check_state(const condense_real_flow *flow, const double *theta, const char *what)
{
    for (size_t k = 0; k < flow->dim; ++k)
        if (!isfinite(theta[k])) {
            char name[96];
            param_name(flow, k, name, sizeof name);
            CONDENSE_ERROR(CONDENSE_EDOM, "%s %s = %g is not finite", what, name, theta[k]);
        }
    return CONDENSE_OK;
}

/* The patches of sample i: patch[(u,v)][(alpha-1) m^2 + p m + q] = x_{u+p,v+q,alpha}(i) and
 * patch[(u,v)][NW-1] = 1, so that x_bar_{u,v,beta}(i) of eq. (27) is the row times
 * theta_{W,beta}, the bias added last as in the paper. */
static void gather_patches(flow_impl *im, size_t i)
{
    const condense_real_flow *flow = &im->pub;
    const condense_cnn *net = flow->net;
    const size_t m = flow->m, NW = im->NW;
    double *row = im->patch;
    for (size_t u = 1; u <= net->W[1]; ++u)
        for (size_t v = 1; v <= net->H[1]; ++v, row += NW) {
            size_t k = 0;
            for (size_t alpha = 1; alpha <= net->C[0]; ++alpha)
                for (size_t p = 0; p < m; ++p)
                    for (size_t q = 0; q < m; ++q, ++k)
                        row[k] = *condense_data_x(flow->data, i, u + p, v + q, alpha);
            row[k] = 1.0;
        }
}

/* theta_beta of kernel beta out of the scratch network into theta_k (theta.h layout), and the
 * kernel's accumulators to zero. */
static void gather_kernel(flow_impl *im, size_t beta)
{
    const condense_cnn *net = im->pub.net;
    const size_t m = im->pub.m, D = im->NW + im->Na;
    double *th = im->theta_k + (beta - 1) * D;
    size_t k = 0;
    for (size_t alpha = 1; alpha <= net->C[0]; ++alpha)
        for (size_t p = 0; p < m; ++p)
            for (size_t q = 0; q < m; ++q)
                th[k++] = *condense_W(net, 1, p, q, alpha, beta);
    th[k++] = *condense_b(net, 1, beta);
    for (size_t u = 1; u <= net->W[1]; ++u)
        for (size_t v = 1; v <= net->H[1]; ++v)
            th[k++] = *condense_a(net, u, v, beta);
    memset(im->acc + (beta - 1) * D, 0, D * sizeof(double));
    im->bad[beta - 1] = 0;
}

/* x_bar_{u,v,beta}(i) = sum_{alpha,p,q} x_{u+p,v+q,alpha}(i) W_bar_{p,q,alpha,beta} + b_bar_beta
 * (eq. 27) at patch row r. */
static double x_bar(const flow_impl *im, size_t beta, size_t r)
{
    const double *th = im->theta_k + (beta - 1) * (im->NW + im->Na);
    const double *row = im->patch + r * im->NW;
    double x = 0.0;
    for (size_t j = 0; j < im->NW; ++j)
        x += row[j] * th[j];
    return x;
}

/* Step (2) for sample i, kernel beta: sigma(eps x_bar) / eps and a_bar sigma'(eps x_bar) at
 * every (u, v), and f_beta = sum_{u,v} a_bar sigma(eps x_bar), so that f(x_i, theta) =
 * sum_{beta,u,v} a sigma(x) = eps sum_beta f_beta (eq. 2 with theta = eps theta_bar). */
static void kernel_forward(flow_impl *im, size_t beta)
{
    const condense_real_flow *flow = &im->pub;
    const condense_activation *act = &flow->net->sigma;
    const double eps = flow->eps;
    const size_t Na = im->Na;
    const double *a = im->theta_k + (beta - 1) * (im->NW + Na) + im->NW;
    double *s_over_eps = im->s_over_eps + (beta - 1) * Na, *a_s1 = im->a_s1 + (beta - 1) * Na;
    double f = 0.0;
    size_t bad = 0;
    for (size_t r = 0; r < Na; ++r) {
        const double x = x_bar(im, beta, r);
        const double s = condense_sigma(act, eps * x), s1 = condense_sigma1(act, eps * x);
        if (bad == 0 && !(isfinite(x) && isfinite(s) && isfinite(s1))) bad = r + 1;
        s_over_eps[r] = s / eps;
        a_s1[r] = a[r] * s1;
        f += a[r] * s;
    }
    im->f_beta[beta - 1] = f;
    im->bad[beta - 1] = bad;
}

/* Step (4) for kernel beta: add e_i times the sample's terms of the three lines of the
 * rescaled dynamics (App. C.1 / App. D, eq. 26 with eq. 27):
 *   W_bar_{p,q,alpha}, b_bar:  e_i sum_{u,v} a_bar sigma'(eps x_bar) x_{u+p,v+q,alpha}(i) (or 1)
 *   a_bar_{u,v}:               e_i sigma(eps x_bar) / eps
 * the factor -1/n being applied once at the end. */
static void kernel_backward(flow_impl *im, size_t beta, double e)
{
    const size_t NW = im->NW, Na = im->Na;
    double *acc = im->acc + (beta - 1) * (NW + Na);
    const double *s_over_eps = im->s_over_eps + (beta - 1) * Na;
    const double *a_s1 = im->a_s1 + (beta - 1) * Na;
    for (size_t r = 0; r < Na; ++r)
        acc[NW + r] += e * s_over_eps[r];
    for (size_t r = 0; r < Na; ++r) {
        const double g = e * a_s1[r];
        const double *row = im->patch + r * NW;
        for (size_t j = 0; j < NW; ++j)
            acc[j] += g * row[j];
    }
}

/* The accumulators of kernel beta times -1/n into the scratch network (which then holds the
 * field, no longer theta_bar). */
static void scatter_kernel(flow_impl *im, size_t beta)
{
    condense_cnn *net = im->pub.net;
    const size_t m = im->pub.m;
    const double c = -1.0 / (double)im->pub.data->n;
    const double *acc = im->acc + (beta - 1) * (im->NW + im->Na);
    size_t k = 0;
    for (size_t alpha = 1; alpha <= net->C[0]; ++alpha)
        for (size_t p = 0; p < m; ++p)
            for (size_t q = 0; q < m; ++q)
                *condense_W(net, 1, p, q, alpha, beta) = c * acc[k++];
    *condense_b(net, 1, beta) = c * acc[k++];
    for (size_t u = 1; u <= net->W[1]; ++u)
        for (size_t v = 1; v <= net->H[1]; ++v)
            *condense_a(net, u, v, beta) = c * acc[k++];
}

/* Why a pass over the samples stopped (written by one thread, read after a barrier). */
typedef struct field_failure {
    int kind; /* 0: none; 1: x_bar or sigma at (i, beta, row); 2: e_i */
    size_t i, beta, row;
    double e;
} field_failure;

/* Step (3): e_i = f(x_i, theta) - y_i = eps sum_beta f_beta - y_i (beta in increasing order,
 * whatever the threads), after checking step (2) produced finite numbers. */
static double sample_error(flow_impl *im, size_t i, field_failure *fail)
{
    const condense_real_flow *flow = &im->pub;
    double f = 0.0;
    for (size_t beta = 1; beta <= flow->M; ++beta) {
        if (im->bad[beta - 1] != 0) {
            fail->kind = 1;
            fail->i = i;
            fail->beta = beta;
            fail->row = im->bad[beta - 1] - 1;
            return NAN;
        }
        f += im->f_beta[beta - 1];
    }
    const double e = flow->eps * f - *condense_data_y(flow->data, i);
    if (!isfinite(e)) {
        fail->kind = 2;
        fail->i = i;
        fail->e = e;
    }
    return e;
}

/* The message of a failed pass, recorded by the calling thread (messages are per thread). */
static int report_failure(flow_impl *im, const field_failure *fail)
{
    const condense_real_flow *flow = &im->pub;
    if (fail->kind == 2)
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "e_%zu = f(x_%zu, theta) - y_%zu = %g is not finite (eps = %g, eq. 27)",
                       fail->i, fail->i, fail->i, fail->e, flow->eps);
    const size_t H1 = flow->net->H[1];
    const size_t u = fail->row / H1 + 1, v = fail->row % H1 + 1;
    const double x = x_bar(im, fail->beta, fail->row);
    const condense_activation *act = &flow->net->sigma;
    CONDENSE_ERROR(CONDENSE_EDOM,
                   "rescaled x_bar_{%zu,%zu,%zu}(%zu) = %g, sigma(eps x_bar) = %g, sigma'(eps "
                   "x_bar) = %g (eps = %g, %s): not all finite",
                   u, v, fail->beta, fail->i, x, condense_sigma(act, flow->eps * x),
                   condense_sigma1(act, flow->eps * x), flow->eps, act->type->name);
}

/* The field in flow->scratch to dtheta_bar, which stays untouched if the field is not finite. */
static int finish_field(condense_real_flow *flow, double *dtheta_bar)
{
    CONDENSE_TRY(check_state(flow, flow->scratch, "the rescaled field d/dt of"));
    /* GD and Adam ask for the field in flow->scratch itself */
    if (dtheta_bar != flow->scratch) memcpy(dtheta_bar, flow->scratch, flow->dim * sizeof(double));
    return CONDENSE_OK;
}

/* CNN paper App. C.1 (eq. 26-27) and App. D: the rescaled GD field, see real_flow.h. */
int condense_real_field(condense_real_flow *flow, const double *theta_bar, double *dtheta_bar)
{
    CONDENSE_CHECK_NULL(flow);
    CONDENSE_CHECK_NULL(theta_bar);
    CONDENSE_CHECK_NULL(dtheta_bar);
    CONDENSE_TRY(check_state(flow, theta_bar, "theta_bar entry"));
    flow_impl *im = impl_of(flow);
    flow->n_field++;
    if (flow->path == CONDENSE_PATH_FAST) { /* fast.h: the same field by dgemms (fast_flow.c) */
        CONDENSE_TRY(condense_fast_real_field(flow, theta_bar, flow->scratch));
        return finish_field(flow, dtheta_bar);
    }
    condense_cnn_unpack(flow->net, theta_bar);

    const size_t M = flow->M, n = flow->data->n;
    field_failure fail = {0, 0, 0, 0, 0.0};
    double e = 0.0;
#ifdef _OPENMP
#pragma omp parallel if (M * im->Na * im->NW >= PARALLEL_MIN_WORK)
#endif
    {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t beta = 1; beta <= M; ++beta)
            gather_kernel(im, beta);
        for (size_t i = 1; i <= n; ++i) {
#ifdef _OPENMP
#pragma omp single
#endif
            gather_patches(im, i);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (size_t beta = 1; beta <= M; ++beta)
                kernel_forward(im, beta);
#ifdef _OPENMP
#pragma omp single
#endif
            e = sample_error(im, i, &fail);
            /* fail was written before the barrier closing `single`: every thread sees the same
             * value here and leaves the loop at the same i, as worksharing requires. */
            if (fail.kind != 0) break;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (size_t beta = 1; beta <= M; ++beta)
                kernel_backward(im, beta, e);
        }
        if (fail.kind == 0) {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (size_t beta = 1; beta <= M; ++beta)
                scatter_kernel(im, beta);
        }
    }
    if (fail.kind != 0) return report_failure(im, &fail);
    condense_cnn_pack(flow->net, flow->scratch);
    return finish_field(flow, dtheta_bar);
}

/* ---- observers ---------------------------------------------------------------------------- */

/* Call the observer; a non-zero return is the run's status.  If the observer recorded no
 * message, one is recorded here; otherwise its message is kept, prefixed with the time. */
static int observe(condense_flow_observer obs, double t, const double *theta_bar, void *user)
{
    if (obs == NULL) return CONDENSE_OK;
    condense_error_clear();
    const int status = obs(t, theta_bar, user);
    if (status == CONDENSE_OK) return CONDENSE_OK;
    char inner[1024];
    snprintf(inner, sizeof inner, "%s", condense_errmsg());
    if (inner[0] == '\0')
        CONDENSE_ERROR(status, "the observer stopped the run at t = %.17g with status %d (%s)", t,
                       status, condense_strerror(status));
    CONDENSE_ERROR(status, "observer at t = %.17g: %s", t, inner);
}

/* ---- the ODE ------------------------------------------------------------------------------ */

typedef struct ode_context {
    condense_real_flow *flow;
    int status;     /* the field's condense status, CONDENSE_OK while all is well */
    double t;       /* the time of the failing evaluation */
    char msg[1024]; /* the field's message */
} ode_context;

/* gsl_odeiv2_system function: the rescaled field; a failure is remembered for the caller and
 * reported to GSL as GSL_EBADFUNC, which makes the driver stop and return at once. */
static int ode_rhs(double t, const double y[], double dydt[], void *params)
{
    ode_context *ctx = params;
    const int status = condense_real_field(ctx->flow, y, dydt);
    if (status == CONDENSE_OK) return GSL_SUCCESS;
    ctx->status = status;
    ctx->t = t;
    snprintf(ctx->msg, sizeof ctx->msg, "%s", condense_errmsg());
    return GSL_EBADFUNC;
}

int condense_real_flow_integrate(condense_real_flow *flow, double *theta_bar, const double *times,
                                 size_t n, double epsabs, double epsrel, condense_flow_observer obs,
                                 void *user)
{
    CONDENSE_CHECK_NULL(flow);
    CONDENSE_CHECK_NULL(theta_bar);
    CONDENSE_CHECK_NULL(times);
    if (n == 0) CONDENSE_ERROR(CONDENSE_EINVAL, "no times to integrate to (n = 0)");
    for (size_t k = 0; k < n; ++k) {
        if (!isfinite(times[k]))
            CONDENSE_ERROR(CONDENSE_EINVAL, "times[%zu] = %g is not finite", k, times[k]);
        if (k > 0 && times[k] < times[k - 1])
            CONDENSE_ERROR(CONDENSE_EINVAL, "times[%zu] = %g < times[%zu] = %g: not non-decreasing",
                           k, times[k], k - 1, times[k - 1]);
    }
    if (!(isfinite(epsabs) && epsabs >= 0.0 && isfinite(epsrel) && epsrel >= 0.0 &&
          epsabs + epsrel > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "tolerances epsabs = %g, epsrel = %g: need finite values >= 0, not both 0",
                       epsabs, epsrel);
    CONDENSE_TRY(check_state(flow, theta_bar, "initial theta_bar entry"));

    /* The first step: a small fraction of the first gap between requested times; the step
     * control adapts it from there. */
    double hstart = 1e-6;
    for (size_t k = 1; k < n; ++k)
        if (times[k] > times[k - 1]) {
            hstart = 1e-3 * (times[k] - times[k - 1]);
            break;
        }
    condense_gsl_quiet();
    ode_context ctx = {flow, CONDENSE_OK, 0.0, ""};
    gsl_odeiv2_system sys = {ode_rhs, NULL, flow->dim, &ctx};
    gsl_odeiv2_driver *driver =
        gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, hstart, epsabs, epsrel);
    if (driver == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the GSL ODE driver");

    int status = observe(obs, times[0], theta_bar, user);
    double t = times[0];
    for (size_t k = 1; k < n && status == CONDENSE_OK; ++k) {
        /* The driver lands exactly on times[k] (its last step is cut to reach it) and, on a
         * failure, leaves t and theta_bar at the last step that succeeded. */
        const int gsl_status = gsl_odeiv2_driver_apply(driver, &t, times[k], theta_bar);
        if (gsl_status == GSL_EBADFUNC && ctx.status != CONDENSE_OK) {
            status = condense_error_set(ctx.status, __func__,
                                        "field failed at t = %.17g while integrating from "
                                        "times[%zu] = %g to times[%zu] = %g (state kept at t = "
                                        "%.17g): %s",
                                        ctx.t, k - 1, times[k - 1], k, times[k], t, ctx.msg);
        } else if (gsl_status != GSL_SUCCESS) {
            status =
                condense_error_set(CONDENSE_ENUM, __func__,
                                   "GSL odeiv2 (rk8pd) failed at t = %.17g while integrating "
                                   "from times[%zu] = %g to times[%zu] = %g: %s",
                                   t, k - 1, times[k - 1], k, times[k], gsl_strerror(gsl_status));
        } else {
            status = observe(obs, times[k], theta_bar, user);
        }
    }
    gsl_odeiv2_driver_free(driver);
    return status;
}

/* ---- discrete trainers -------------------------------------------------------------------- */

static int check_steps(double lr, size_t every)
{
    if (!(isfinite(lr) && lr > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "learning rate lr = %g: need a finite lr > 0", lr);
    if (every == 0) CONDENSE_ERROR(CONDENSE_EINVAL, "every = 0: need every >= 1");
    return CONDENSE_OK;
}

/* The candidate state in flow->scratch becomes theta_bar if it is finite; otherwise theta_bar
 * keeps the last good state. */
static int accept_step(condense_real_flow *flow, double *theta_bar, const char *method, size_t k,
                       double t)
{
    for (size_t j = 0; j < flow->dim; ++j)
        if (!isfinite(flow->scratch[j])) {
            char name[96];
            param_name(flow, j, name, sizeof name);
            CONDENSE_ERROR(CONDENSE_EDOM, "%s step %zu (t = %g) makes theta_bar %s = %g", method, k,
                           t, name, flow->scratch[j]);
        }
    memcpy(theta_bar, flow->scratch, flow->dim * sizeof(double));
    return CONDENSE_OK;
}

/* The field at step k, its failure message naming the method, the step and the time. */
static int step_field(condense_real_flow *flow, const double *theta_bar, const char *method,
                      size_t k, double t)
{
    const int status = condense_real_field(flow, theta_bar, flow->scratch);
    if (status == CONDENSE_OK) return CONDENSE_OK;
    char inner[1024];
    snprintf(inner, sizeof inner, "%s", condense_errmsg());
    CONDENSE_ERROR(status, "%s step %zu from t = %.17g: %s", method, k, t, inner);
}

/* CNN paper eq. (20) discretized: theta <- theta - lr grad R_S(theta), i.e. in rescaled
 * coordinates theta_bar <- theta_bar + lr field(theta_bar) (the eps cancel). */
int condense_real_flow_gd(condense_real_flow *flow, double *theta_bar, double lr, size_t steps,
                          size_t every, condense_flow_observer obs, void *user)
{
    CONDENSE_CHECK_NULL(flow);
    CONDENSE_CHECK_NULL(theta_bar);
    CONDENSE_TRY(check_steps(lr, every));
    CONDENSE_TRY(check_state(flow, theta_bar, "initial theta_bar entry"));
    CONDENSE_TRY(observe(obs, 0.0, theta_bar, user));
    for (size_t k = 1; k <= steps; ++k) {
        const double t = (double)(k - 1) * lr;
        CONDENSE_TRY(step_field(flow, theta_bar, "GD", k, t));
        for (size_t j = 0; j < flow->dim; ++j)
            flow->scratch[j] = theta_bar[j] + lr * flow->scratch[j];
        CONDENSE_TRY(accept_step(flow, theta_bar, "GD", k, t));
        if (k % every == 0 || k == steps)
            CONDENSE_TRY(observe(obs, (double)k * lr, theta_bar, user));
    }
    return CONDENSE_OK;
}

/* Adam (Kingma & Ba 2015, Algorithm 1; adam.h) in the original coordinates theta = eps
 * theta_bar, with g = grad R_S(theta) = -eps field(theta_bar): the moments live in theta, the
 * update is divided by eps to move theta_bar (condense_adam_step_scaled). */
static int adam_run(condense_real_flow *flow, double *theta_bar, double lr, size_t steps,
                    size_t every, condense_flow_observer obs, void *user, condense_adam *adam)
{
    const double eps = flow->eps;
    CONDENSE_TRY(observe(obs, 0.0, theta_bar, user));
    for (size_t k = 1; k <= steps; ++k) {
        const double t = (double)(k - 1) * lr;
        CONDENSE_TRY(step_field(flow, theta_bar, "Adam", k, t));
        for (size_t j = 0; j < flow->dim; ++j)
            flow->scratch[j] = -eps * flow->scratch[j];
        if (condense_adam_step_scaled(adam, theta_bar, flow->scratch, lr, eps) != CONDENSE_OK) {
            char name[96], inner[1024];
            param_name(flow, adam->bad, name, sizeof name);
            snprintf(inner, sizeof inner, "%s", condense_errmsg());
            CONDENSE_ERROR(CONDENSE_EDOM, "Adam step %zu (t = %g), theta_bar %s: %s", k, t, name,
                           inner);
        }
        if (k % every == 0 || k == steps)
            CONDENSE_TRY(observe(obs, (double)k * lr, theta_bar, user));
    }
    return CONDENSE_OK;
}

int condense_real_flow_adam(condense_real_flow *flow, double *theta_bar, double lr, double beta1,
                            double beta2, double adam_eps, size_t steps, size_t every,
                            condense_flow_observer obs, void *user)
{
    CONDENSE_CHECK_NULL(flow);
    CONDENSE_CHECK_NULL(theta_bar);
    CONDENSE_TRY(check_steps(lr, every));
    condense_adam *adam = NULL;
    CONDENSE_TRY(condense_adam_alloc(flow->dim, beta1, beta2, adam_eps, &adam));
    int status = check_state(flow, theta_bar, "initial theta_bar entry");
    if (status == CONDENSE_OK)
        status = adam_run(flow, theta_bar, lr, steps, every, obs, user, adam);
    condense_adam_free(adam);
    return status;
}

/* ---- theta_beta --------------------------------------------------------------------------- */

int condense_real_flow_theta_beta(condense_real_flow *flow, const double *theta_bar, size_t beta,
                                  double *theta_beta)
{
    CONDENSE_CHECK_NULL(flow);
    CONDENSE_CHECK_NULL(theta_bar);
    CONDENSE_CHECK_NULL(theta_beta);
    if (beta < 1 || beta > flow->M)
        CONDENSE_ERROR(CONDENSE_EINVAL, "kernel index beta = %zu outside [1, M = %zu]", beta,
                       flow->M);
    condense_cnn_unpack(flow->net, theta_bar);
    return condense_theta_beta_pack(flow->net, beta, theta_beta);
}
