/* fast_flow.c -- the fast path of the two-layer real flow (fast.h): the rescaled field of the
 * CNN paper, App. C.1 (eq. 26-27) and App. D, regrouped as matrix products.  real_flow.c (the
 * direct path) stays the reference; test_fast_flow.c checks this file against it.
 *
 * Regrouping.  Number the rows of the patch matrix P by r = (i, u, v) (i-major, v-minor) and
 * its columns by j = (p m + q) C_0 + (alpha - 1), the storage order of W (m, m, C_0, M), plus a
 * last column of ones.  The flat state starts with W as a (C_0 m^2) x M row-major matrix and
 * then b (M): its first N_W M entries ARE the N_W x M matrix Theta_W = [W_bar; b_bar^T], and
 * eq. (27) for every position and kernel of sample i is one product (P_i: the W_1 H_1 rows of
 * sample i):
 *     X_i = P_i Theta_W                    (W_1 H_1 x M), (X_i)_{(u,v),beta} = x_bar_{u,v,beta}(i).
 * With S_i = sigma(eps X_i) / eps and S1_i = sigma'(eps X_i) elementwise and a_bar read as the
 * W_1 H_1 x M matrix A of its storage (W_1, H_1, M),
 *     e_i = eps sum_{u,v,beta} A_{(u,v),beta} sigma(eps (X_i)_{(u,v),beta}) - y_i,
 *     G_i = c_i A o S1_i   (o: elementwise product),   c_i = -(1/n) e_i,
 * and the three lines of eq. (26) (App. D for C_0 channels) are sums over samples:
 *     d Theta_W = sum_i P_i^T G_i = P^T G          (N_W x M; its last row is d b_bar),
 *     d a_bar   = sum_i c_i S_i    = S^T c          (W_1 H_1 x M, a_bar's storage order).
 * Both land in the flat order of the state as they are: no packing.
 *
 * Why per sample and not one product over all n W_1 H_1 rows.  The all-samples form X = P
 * Theta_W needs X, S and G as (n W_1 H_1) x M buffers: 3 x 86 MB for n = 500 MNIST-sized
 * images with M = 32, streamed through memory four times per evaluation, and the product
 * itself then runs on one thread unless the BLAS is threaded.  Fused per sample -- X_i, the
 * elementwise work, then P_i^T (A o S1_i) and c_i S_i added into the thread's accumulator --
 * every buffer stays in cache (W_1 H_1 x M doubles), memory is O(threads x W_1 H_1 x M) beyond
 * P, and the BLAS calls run in parallel on any CBLAS.  The factor c_i is the alpha of the
 * second dgemm and of the daxpy, so G_i is never formed.  The first product is computed as
 * P_i Theta_W^T^T, i.e. with Theta_W transposed once per evaluation (M x N_W, each kernel's W
 * and b contiguous): a reference CBLAS (GSL's) then runs contiguous dot products of length N_W
 * instead of axpys that load and store a row of X for every multiply-add.
 *
 * Threads (as fast.c).  Samples are split into contiguous blocks over the threads (a static
 * partition); each thread adds its samples' terms into its own accumulator, and the
 * accumulators are added in thread order.  A result therefore depends on the thread count only
 * through the order of the additions (rounding) and is bitwise reproducible for a fixed count.
 * Errors cannot leave the region: each sample notes its first non-finite entry and e_i, and the
 * failure is reported after the region, for the first sample and entry in the direct path's
 * order, with the direct path's wording. */
#include <config.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "condense/error.h"
#include "condense/fast.h"
#include "condense/real_flow.h"
#include "fast_flow_internal.h"
#include "fast_internal.h"

/* Below this many entries n W_1 H_1 M of X (each two activation calls and ~4 N_W flops) the
 * field runs on one thread: starting the team would cost more than it saves. */
#define FAST_PARALLEL_MIN 8192

void condense_fast_flow_free(struct condense_fast_flow *fast)
{
    if (fast == NULL) return;
    for (int k = 0; fast->t != NULL && k < fast->nthreads; ++k) {
        free(fast->t[k].X);
        free(fast->t[k].S);
        free(fast->t[k].A1);
        free(fast->t[k].acc);
    }
    free(fast->t);
    free(fast->P);
    free(fast->thetaT);
    free(fast->e);
    free(fast->bad);
    free(fast->bad_x);
    free(fast);
}

/* The threads buffers are made for: OpenMP's team size for a new region. */
static int max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* CBLAS takes int sizes (the products of one sample: W_1 H_1, M, N_W, and W_1 H_1 M for the
 * daxpy), and the patch matrix of all samples, which no other buffer bounds, must have a byte
 * size that fits a size_t. */
static int check_sizes(const condense_real_flow *flow, size_t Na, size_t NW)
{
    const size_t M = flow->M, n = flow->data->n;
    if (Na > (size_t)INT_MAX / M || NW > (size_t)INT_MAX)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "W_1 H_1 M = %zu x %zu or C_0 m^2 + 1 = %zu exceeds INT_MAX, the CBLAS "
                       "size limit",
                       Na, M, NW);
    if (n > SIZE_MAX / sizeof(double) / (Na * NW))
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "the patch matrix of n = %zu samples x %zu rows x %zu columns exceeds the "
                       "address space",
                       n, Na, NW);
    return CONDENSE_OK;
}

/* The buffers for flow's sizes and nthreads threads (P not yet filled). */
static int buffers_alloc(const condense_real_flow *flow, int nthreads,
                         struct condense_fast_flow **out)
{
    const condense_cnn *net = flow->net;
    const size_t n = flow->data->n, M = flow->M;
    const size_t NW = net->C[0] * flow->m * flow->m + 1, Na = net->W[1] * net->H[1];
    CONDENSE_TRY(check_sizes(flow, Na, NW));
    struct condense_fast_flow *ff = calloc(1, sizeof *ff);
    if (ff != NULL) ff->t = calloc((size_t)nthreads, sizeof *ff->t);
    if (ff == NULL || ff->t == NULL) {
        free(ff);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the fast flow");
    }
    ff->n = n;
    ff->Na = Na;
    ff->NW = NW;
    ff->M = M;
    ff->dim = (NW + Na) * M;
    ff->nthreads = nthreads;
    int ok = 1;
    for (int k = 0; k < nthreads; ++k) {
        ff->t[k].X = malloc(Na * M * sizeof(double));
        ff->t[k].S = malloc(Na * M * sizeof(double));
        ff->t[k].A1 = malloc(Na * M * sizeof(double));
        ff->t[k].acc = malloc(ff->dim * sizeof(double));
        ok = ok && ff->t[k].X != NULL && ff->t[k].S != NULL && ff->t[k].A1 != NULL &&
             ff->t[k].acc != NULL;
    }
    ff->thetaT = malloc(M * NW * sizeof(double));
    ff->e = malloc(n * sizeof(double));
    ff->bad = malloc(n * sizeof(size_t));
    ff->bad_x = malloc(n * sizeof(double));
    ff->P = malloc(n * Na * NW * sizeof(double)); /* last: the one that may be huge */
    if (!ok || ff->thetaT == NULL || ff->e == NULL || ff->bad == NULL || ff->bad_x == NULL ||
        ff->P == NULL) {
        condense_fast_flow_free(ff);
        CONDENSE_ERROR(CONDENSE_ENOMEM,
                       "cannot allocate the fast flow's buffers (patch matrix: %zu x %zu doubles)",
                       n * Na, NW);
    }
    *out = ff;
    return CONDENSE_OK;
}

/* im2col of eq. (27): row (i, u, v) of P holds x_{u+p,v+q,alpha}(i) at column
 * (p m + q) C_0 + alpha - 1, and 1 at column N_W - 1 for the bias.  For fixed (i, u, v, p) the
 * m C_0 entries q = 0..m-1, alpha = 1..C_0 are contiguous both in the data (storage
 * (n, W_0, H_0, C_0)) and in the row, so each is one memcpy. */
static void fill_patches(const condense_real_flow *flow, struct condense_fast_flow *ff)
{
    const condense_data *d = flow->data;
    const size_t m = flow->m, C0 = d->C0, W1 = flow->net->W[1], H1 = flow->net->H[1];
    const size_t NW = ff->NW, len = m * C0;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (ff->n * ff->Na * NW >= FAST_PARALLEL_MIN)
#endif
    for (size_t i = 1; i <= ff->n; ++i)
        for (size_t u = 1; u <= W1; ++u)
            for (size_t v = 1; v <= H1; ++v) {
                double *row = ff->P + (((i - 1) * W1 + (u - 1)) * H1 + (v - 1)) * NW;
                for (size_t p = 0; p < m; ++p)
                    memcpy(row + p * len, condense_data_x(d, i, u + p, v, 1), len * sizeof(double));
                row[NW - 1] = 1.0;
            }
}

int condense_real_flow_set_path(condense_real_flow *flow, condense_path path)
{
    CONDENSE_CHECK_NULL(flow);
    if (path != CONDENSE_PATH_DIRECT && path != CONDENSE_PATH_FAST)
        CONDENSE_ERROR(CONDENSE_EINVAL,
                       "path %d: need CONDENSE_PATH_DIRECT (%d) or CONDENSE_PATH_FAST (%d)",
                       (int)path, (int)CONDENSE_PATH_DIRECT, (int)CONDENSE_PATH_FAST);
    if (path == CONDENSE_PATH_FAST) {
        const int threads = max_threads();
        /* new buffers for more threads, or for another number of samples (the data are read
         * at every evaluation, and a caller may have pointed flow->data elsewhere) */
        if (flow->fast == NULL || flow->fast->nthreads < threads ||
            flow->fast->n != flow->data->n) {
            struct condense_fast_flow *ff = NULL;
            CONDENSE_TRY(buffers_alloc(flow, threads, &ff));
            condense_fast_flow_free(flow->fast); /* only now: on failure flow is as it was */
            flow->fast = ff;
        }
        /* P is a snapshot of the pixels, refreshed at every selection of the path */
        fill_patches(flow, flow->fast);
    }
    /* DIRECT keeps the fast buffers (as fast.c keeps a workspace's): switching back is cheap */
    flow->path = path;
    return CONDENSE_OK;
}

/* Sample i (1-based) on thread buffers th: X_i = P_i Theta_W (eq. 27), the elementwise work and
 * e_i, then the sample's terms of eq. (26) added into th->acc.  f = sum a_bar sigma(eps x_bar)
 * so that f(x_i, theta) = eps f (eq. 2 with theta = eps theta_bar), as in real_flow.c.  The key
 * of an entry (beta, u, v) is (beta - 1) W_1 H_1 + row: the smallest key is the entry the
 * direct path reports (smallest beta, then smallest position). */
static void sample_field(const condense_real_flow *flow, struct condense_fast_flow *ff,
                         condense_fast_flow_thread *th, const double *a, size_t i)
{
    const condense_activation *act = &flow->net->sigma;
    const double eps = flow->eps;
    const size_t M = ff->M, Na = ff->Na, NW = ff->NW;
    const double *P = ff->P + (i - 1) * Na * NW;
    double *X = th->X, *S = th->S, *A1 = th->A1;
    const size_t N = Na * M;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)Na, (int)M, (int)NW, 1.0, P, (int)NW,
                ff->thetaT, (int)NW, 0.0, X, (int)M);
    /* sigma(eps x) and sigma'(eps x) from one evaluation (vectorized for tanh) */
    condense_fast_sigma01(act, N, eps, X, S, A1);
    /* chk stays 0 unless some x, sigma or sigma' is not finite (0 * inf and 0 * NaN are NaN):
     * the entry is then searched for below, off the common path */
    double f = 0.0, chk = 0.0, bad_x = 0.0;
#ifdef _OPENMP /* the loop may be vectorized and its sums reassociated (see fast.c) */
#pragma omp simd reduction(+ : f, chk)
#endif
    for (size_t k = 0; k < N; ++k) {
        const double s = S[k], s1 = A1[k];
        chk += 0.0 * X[k] + 0.0 * s + 0.0 * s1;
        S[k] = s / eps;
        A1[k] = a[k] * s1;
        f += a[k] * s;
    }
    size_t bad = SIZE_MAX;
    if (!isfinite(chk))
        for (size_t k = 0; k < N; ++k) {
            const size_t r = k / M, beta = k % M;
            /* S and A1 hold sigma / eps and a sigma' now, which may overflow where sigma and
             * sigma' do not: evaluate those again (finite exactly where the kernel's are) */
            const double z = eps * X[k];
            const double s = condense_sigma(act, z), s1 = condense_sigma1(act, z);
            if (!(isfinite(X[k]) && isfinite(s) && isfinite(s1)) && beta * Na + r < bad) {
                bad = beta * Na + r;
                bad_x = X[k];
            }
        }
    const double e = eps * f - *condense_data_y(flow->data, i);
    ff->e[i - 1] = e;
    ff->bad[i - 1] = bad;
    ff->bad_x[i - 1] = bad_x;
    /* eq. (26), W and b lines: + c_i P_i^T (A o S1_i); a line: + c_i S_i */
    const double c = -e / (double)ff->n;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)NW, (int)M, (int)Na, c, P, (int)NW,
                A1, (int)M, 1.0, th->acc, (int)M);
    cblas_daxpy((int)(Na * M), c, S, 1, th->acc + NW * M, 1);
}

/* Samples [i0, i1) (0-based) on thread buffers th. */
static void block_field(const condense_real_flow *flow, struct condense_fast_flow *ff,
                        condense_fast_flow_thread *th, const double *a, size_t i0, size_t i1)
{
    th->active = i0 < i1;
    if (!th->active) return;
    memset(th->acc, 0, ff->dim * sizeof(double));
    for (size_t i = i0; i < i1; ++i)
        sample_field(flow, ff, th, a, i + 1);
}

/* CONDENSE_EDOM for the first non-finite x_bar, sigma, sigma' or e_i in the direct path's order
 * (sample, then its entries, then e_i), recorded with the direct path's wording. */
static int check_samples(const condense_real_flow *flow, const struct condense_fast_flow *ff)
{
    for (size_t i = 1; i <= ff->n; ++i) {
        if (ff->bad[i - 1] != SIZE_MAX) {
            const size_t key = ff->bad[i - 1], H1 = flow->net->H[1];
            const size_t beta = key / ff->Na + 1, row = key % ff->Na;
            const size_t u = row / H1 + 1, v = row % H1 + 1;
            const double x = ff->bad_x[i - 1];
            const condense_activation *act = &flow->net->sigma;
            CONDENSE_ERROR(CONDENSE_EDOM,
                           "rescaled x_bar_{%zu,%zu,%zu}(%zu) = %g, sigma(eps x_bar) = %g, "
                           "sigma'(eps x_bar) = %g (eps = %g, %s): not all finite",
                           u, v, beta, i, x, condense_sigma(act, flow->eps * x),
                           condense_sigma1(act, flow->eps * x), flow->eps, act->type->name);
        }
        if (!isfinite(ff->e[i - 1]))
            CONDENSE_ERROR(CONDENSE_EDOM,
                           "e_%zu = f(x_%zu, theta) - y_%zu = %g is not finite (eps = %g, eq. 27)",
                           i, i, i, ff->e[i - 1], flow->eps);
    }
    return CONDENSE_OK;
}

/* CNN paper App. C.1 (eq. 26-27) and App. D, regrouped as above: the rescaled field. */
int condense_fast_real_field(condense_real_flow *flow, const double *theta_bar, double *out)
{
    struct condense_fast_flow *ff = flow->fast;
    if (ff == NULL) /* flow->path is a public member: it may have been set by hand */
        CONDENSE_ERROR(CONDENSE_EINVAL, "the fast path's buffers are missing: select the path "
                                        "with condense_real_flow_set_path");
    const size_t M = ff->M, NW = ff->NW, n = ff->n;
    if (flow->data->n != n)
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "the data have n = %zu samples, the fast path's patch matrix %zu: select "
                       "the path again (condense_real_flow_set_path) after changing the data",
                       flow->data->n, n);
    /* Theta_W^T: kernel beta's W (in storage order) and b contiguous */
    for (size_t j = 0; j < NW; ++j)
        for (size_t beta = 0; beta < M; ++beta)
            ff->thetaT[beta * NW + j] = theta_bar[j * M + beta];
    const double *a = theta_bar + NW * M; /* after W and b */

    int T = ff->nthreads;
    if (max_threads() < T) T = max_threads();
    if ((size_t)T > n) T = (int)n;
    if (n * ff->Na * M < FAST_PARALLEL_MIN) T = 1;
    int team = 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(T)
#else
    (void)T; /* one thread without OpenMP */
#endif
    {
        int t = 0, nt = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        nt = omp_get_num_threads();
        if (t == 0) team = nt; /* read after the region's closing barrier */
#endif
        block_field(flow, ff, &ff->t[t], a, n * (size_t)t / (size_t)nt,
                    n * (size_t)(t + 1) / (size_t)nt);
    }
    CONDENSE_TRY(check_samples(flow, ff));
    /* the threads' accumulators in thread order (all of theta_bar has been read: out may alias
     * it) */
    for (size_t k = 0; k < ff->dim; ++k) {
        double s = 0.0;
        for (int t = 0; t < team; ++t)
            if (ff->t[t].active) s += ff->t[t].acc[k];
        out[k] = s;
    }
    return CONDENSE_OK;
}
