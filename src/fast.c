/* fast.c -- the fast path of the (L+1)-layer CNN: the same mathematics as forward.c, backward.c
 * and risk.c (CNN paper eq. 1, 2, 21-23), reorganized for speed.  The direct files stay the
 * reference; tests/test_fast.c checks every result here against them.
 *
 * Why im2col.  The convolution of eq. (2) is, for one sample and one layer, a product of two
 * matrices once the input patches are laid out as rows: row (u,v) of the patch matrix P^[l]
 * lists in^[l]_{u+p,v+q,alpha} in the order (p, q, alpha), which is exactly the row order of
 * W^[l] stored as (m, m, C_{l-1}, C_l), i.e. as a (C_{l-1} m^2) x C_l row-major matrix.  Then
 * x^[l] = P^[l] W^[l] + 1 b^[l]^T is one dgemm, the kernel gradient of eq. (22) is
 * P^[l]^T Z^[l], and the back-propagation of eq. (21) is Z^[l] W^[l]^T followed by the adjoint
 * of the patch gathering (col2im: overlapping patches summed back into place).  Copying each
 * input value m^2 times costs O(W H C m^2) memory traffic, against O(W H C m^2 C_l) flops of
 * the product, and buys contiguous, cache-blocked BLAS loops instead of the reference's
 * chi-tested scalar sums.  Gathering is cheap in this layout: for fixed (u, v, p) the entries
 * (q, alpha) are m C_{l-1} consecutive doubles of the input, so a patch row is m memcpys.
 *
 * Threads.  Samples are independent until their contributions are summed, so one OpenMP
 * region splits 1..n into contiguous blocks (a static schedule), each thread with its own
 * buffers and gradient accumulator; the accumulators and the partial sums of e_i^2 are then
 * added in thread order.  A result therefore depends on the thread count only through the
 * order of additions (rounding), and is bitwise reproducible for a fixed count.  Errors
 * cannot leave the region (condense_error_set records per thread): each thread notes its first
 * non-finite f and the failure is reported after the region, for the smallest such sample,
 * as the direct path (which stops at the first) would.
 *
 * The two-layer CNN (L = 1), the case of the paper's theory and of `make bench`, takes a fused
 * step per sample (sample_step_1): the patches carry a column of ones and the parameters are
 * Theta = [W^[1]; b^[1]^T], so x = [P 1] Theta and [dW; db] = [P 1]^T z are one dgemm each, and
 * the rows are processed in blocks that stay in cache from the first product through sigma,
 * sigma' (one evaluation), f and z to the second.  Why not one product over all samples:
 * x, sigma and z of all n W_1 H_1 rows would be (n W_1 H_1) x M arrays (86 MB each for n = 500,
 * 28x28, M = 32) streamed through memory several times per step, while the inner dimension
 * C_0 m^2 + 1 of the products stays as small (fast_flow.c measured its per-sample form twice
 * as fast as the all-samples one).
 * sigma and sigma' come from condense_fast_sigma01 (one pass; for tanh a vectorized kernel).
 *
 * Buffers live in ws->fast, allocated by condense_workspace_set_path and never on the hot
 * path.  Selecting CONDENSE_PATH_DIRECT again keeps them (switching back to FAST is then free);
 * condense_workspace_free frees them. */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "condense/error.h"
#include "condense/fast.h"
#include "fast_internal.h"

#define MAXL CONDENSE_MAX_LAYERS

/* L = 1: entries of x^[1] per block of rows in the fused sample step (sample_step_1): the
 * block's x, sigma, sigma' (= z) stay in the core's L2 cache (3 x 256 kB) from the product
 * that makes them to the product that consumes them. */
#define FAST_BLOCK 32768

/* One thread's buffers: everything one sample needs. */
typedef struct fast_thread {
    double *P[MAXL + 1];  /* P^[l]: W_l H_l x C_{l-1} m_l^2; backward reuses it for Z W^T */
    double *X[MAXL + 1];  /* x^[l](i): W_l H_l x C_l row-major = array (W_l, H_l, C_l) */
    double *S[MAXL + 1];  /* sigma(x^[l](i)) */
    double *S1[MAXL + 1]; /* sigma'(x^[l](i)), from the same evaluation as S */
    double *Z[MAXL + 1];  /* z^[l](i) */
    double *grad;         /* sum over this thread's samples of weight_i df/dtheta, pack order */
    double *G;    /* L = 1: one sample's [P^[1] 1]^T z^[1], (K_1 + 1) x C_1 (dW^[1]; db^[1] last) */
    double sum;   /* sum over this thread's samples of e_i^2 */
    size_t bad_i; /* first sample (1-based) of this thread with non-finite f; 0: none */
    double bad_f; /* that f */
    int active;   /* this thread had samples in the last call */
} fast_thread;

struct condense_fast_buffers {
    size_t L;
    size_t W[MAXL + 1], H[MAXL + 1], C[MAXL + 1], m[MAXL + 1]; /* the network's sizes */
    size_t R[MAXL + 1]; /* W_l H_l: rows of P^[l], x^[l], z^[l] */
    size_t K[MAXL + 1]; /* C_{l-1} m_l^2: columns of P^[l], rows of W^[l] as a matrix */
    size_t nparams, off_W[MAXL + 1], off_b[MAXL + 1], off_a; /* theta's pack order */
    double *ones;   /* max_l W_l H_l ones: the column sums of z^[l] as one dgemv */
    double *theta1; /* L = 1: [W^[1]; b^[1]^T], (K_1 + 1) x C_1, copied at each field call */
    size_t RB;      /* L = 1: rows of x^[1] per block of the fused sample step */
    int nthreads;
    fast_thread *t;
};

void condense_fast_buffers_free(struct condense_fast_buffers *fb)
{
    if (fb == NULL) return;
    for (int k = 0; fb->t != NULL && k < fb->nthreads; ++k) {
        for (size_t l = 1; l <= fb->L; ++l) {
            free(fb->t[k].P[l]);
            free(fb->t[k].X[l]);
            free(fb->t[k].S[l]);
            free(fb->t[k].S1[l]);
            free(fb->t[k].Z[l]);
        }
        free(fb->t[k].grad);
        free(fb->t[k].G);
    }
    free(fb->t);
    free(fb->ones);
    free(fb->theta1);
    free(fb);
}

int condense_fast_buffers_threads(const struct condense_fast_buffers *fb)
{
    return fb == NULL ? 0 : fb->nthreads;
}

/* Tests only: the rows per block of the fused L = 1 step (0 restores the default). */
void condense_fast_buffers_set_block(struct condense_fast_buffers *fb, size_t rows)
{
    if (fb == NULL) return;
    fb->RB = rows != 0 ? rows : FAST_BLOCK / fb->C[1];
    if (fb->RB < 1) fb->RB = 1;
}

/* The threads the buffers are made for: OpenMP's current team size for a new region. */
static int max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* CBLAS takes int sizes: every row count, column count and vector length must fit; and the
 * patch matrix, which no other buffer bounds, must have a byte size that fits a size_t. */
static int check_sizes(const condense_cnn *net)
{
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t R = net->W[l] * net->H[l], K = net->C[l - 1] * net->m[l] * net->m[l];
        if (R > (size_t)INT_MAX / net->C[l] || K >= (size_t)INT_MAX ||
            K + 1 > SIZE_MAX / sizeof(double) / R) /* P^[1] has K + 1 columns on the L = 1 path */
            CONDENSE_ERROR(CONDENSE_ESIZE, "layer %zu is too large for the fast path", l);
    }
    return CONDENSE_OK;
}

static int buffers_alloc(const condense_cnn *net, int nthreads, struct condense_fast_buffers **out)
{
    struct condense_fast_buffers *fb = calloc(1, sizeof *fb);
    if (fb != NULL) fb->t = calloc((size_t)nthreads, sizeof *fb->t);
    if (fb == NULL || fb->t == NULL) {
        free(fb);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the fast path's buffers");
    }
    fb->L = net->L;
    fb->nthreads = nthreads;
    size_t off = 0, Rmax = 0;
    for (size_t l = 0; l <= net->L; ++l) {
        fb->W[l] = net->W[l];
        fb->H[l] = net->H[l];
        fb->C[l] = net->C[l];
        fb->m[l] = net->m[l];
        if (l == 0) continue;
        fb->R[l] = net->W[l] * net->H[l];
        fb->K[l] = net->C[l - 1] * net->m[l] * net->m[l];
        if (fb->R[l] > Rmax) Rmax = fb->R[l];
        fb->off_W[l] = off;
        fb->off_b[l] = off + condense_cnn_W_size(net, l);
        off = fb->off_b[l] + condense_cnn_b_size(net, l);
    }
    fb->off_a = off;
    condense_fast_buffers_set_block(fb, 0);
    fb->nparams = condense_cnn_nparams(net);
    fb->ones = malloc(Rmax * sizeof(double));
    fb->theta1 = malloc((fb->K[1] + 1) * fb->C[1] * sizeof(double));
    int failed = fb->ones == NULL || fb->theta1 == NULL;
    for (int k = 0; k < nthreads && !failed; ++k) {
        fast_thread *th = &fb->t[k];
        for (size_t l = 1; l <= net->L; ++l) {
            const size_t RC = fb->R[l] * fb->C[l] * sizeof(double);
            th->P[l] = malloc(fb->R[l] * (fb->K[l] + 1) * sizeof(double)); /* + 1: L = 1 path */
            th->X[l] = malloc(RC);
            th->S[l] = malloc(RC);
            th->S1[l] = malloc(RC);
            th->Z[l] = malloc(RC);
            failed |= th->P[l] == NULL || th->X[l] == NULL || th->S[l] == NULL ||
                      th->S1[l] == NULL || th->Z[l] == NULL;
        }
        th->grad = malloc(fb->nparams * sizeof(double));
        th->G = malloc((fb->K[1] + 1) * fb->C[1] * sizeof(double));
        failed |= th->grad == NULL || th->G == NULL;
    }
    if (failed) {
        condense_fast_buffers_free(fb);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the fast path's buffers");
    }
    for (size_t r = 0; r < Rmax; ++r)
        fb->ones[r] = 1.0;
    *out = fb;
    return CONDENSE_OK;
}

/* Selecting FAST allocates buffers for the current thread count unless ws already has buffers
 * for at least that many; selecting DIRECT keeps them (freed by condense_workspace_free). */
int condense_workspace_set_path(condense_workspace *ws, const condense_cnn *net, condense_path path)
{
    CONDENSE_CHECK_NULL(ws);
    CONDENSE_CHECK_NULL(net);
    CONDENSE_TRY(condense_workspace_check(ws, net));
    if (path != CONDENSE_PATH_DIRECT && path != CONDENSE_PATH_FAST)
        CONDENSE_ERROR(CONDENSE_EINVAL, "path %d is neither direct (%d) nor fast (%d)", (int)path,
                       (int)CONDENSE_PATH_DIRECT, (int)CONDENSE_PATH_FAST);
    const int threads = max_threads();
    if (path == CONDENSE_PATH_FAST && (ws->fast == NULL || ws->fast->nthreads < threads)) {
        struct condense_fast_buffers *fb = NULL;
        CONDENSE_TRY(check_sizes(net));
        CONDENSE_TRY(buffers_alloc(net, threads, &fb));
        condense_fast_buffers_free(ws->fast); /* only now: on failure ws is left as it was */
        ws->fast = fb;
    }
    ws->path = path;
    return CONDENSE_OK;
}

int condense_path_from_name(const char *name, condense_path *path)
{
    CONDENSE_CHECK_NULL(name);
    CONDENSE_CHECK_NULL(path);
    if (strcmp(name, "direct") == 0)
        *path = CONDENSE_PATH_DIRECT;
    else if (strcmp(name, "fast") == 0)
        *path = CONDENSE_PATH_FAST;
    else
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown path '%s' (direct or fast)", name);
    return CONDENSE_OK;
}

/* NULL for a value that is no path (like condense_activation_at out of range). */
const char *condense_path_name(condense_path path)
{
    switch (path) {
    case CONDENSE_PATH_DIRECT:
        return "direct";
    case CONDENSE_PATH_FAST:
        return "fast";
    }
    return NULL;
}

/* ---- sigma and sigma' of an array ---------------------------------------------------------- */

/* `omp simd` asserts that the elementwise loops below may be vectorized (each iteration reads
 * and writes index k only, so in-place use is fine) and allows the reductions to be
 * reassociated across lanes.  Without OpenMP the loops are left to the compiler. */
#ifdef _OPENMP
#define FAST_SIMD _Pragma("omp simd")
#define FAST_SIMD_SUM_FBLOCK _Pragma("omp simd reduction(+ : fblock)")
#else
#define FAST_SIMD
#define FAST_SIMD_SUM_FBLOCK
#endif

/* The tanh kernel is compiled for the baseline ISA (SSE2 on x86-64) and, with GCC on x86-64
 * GNU/Linux, also for AVX2 + FMA and AVX-512 + FMA, the best one being picked for the running
 * CPU at the first call.  The FMA versions evaluate each a * b + c of the polynomial and the
 * scaling with fma() (one rounding instead of two, and half the instructions); ISO C mode
 * (-std=c11) contracts nothing by itself.  So results may differ in the last bits between CPUs
 * with and without FMA (both within the accuracy stated below), never between runs on one. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define FAST_X86_DISPATCH 1
#define FAST_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define FAST_ALWAYS_INLINE inline
#endif

/* -708: the clamp of y = -2|x| in tanh_sech2.  Read through a volatile so that the compiler does
 * not fold the constant into the arithmetic: with a known value it duplicates the loop body for
 * the clamped case (partial redundancy elimination), and that control flow keeps SSE2 and AVX2
 * from vectorizing the loop. */
static volatile const double y_floor = -708.0;

/* Why tanh is hand-written here.  libm's tanh and the reference's sech^2 = 1 / cosh^2 are one
 * scalar call each per entry, and they dominated the fast GD step (60-80% of a profile).
 * Both follow from one exponential, evaluated below with loops GCC vectorizes:
 *     y = -2|x|,  E = e^y,  em = e^y - 1 (= expm1(y), computed without cancellation),
 *     tanh|x| = -em / (2 + em),   sech^2 x = 4 E / (1 + E)^2 = 4 E / (2 + em)^2,
 * and tanh x takes the sign of x.  e^y = 2^k e^r with k = round(y / ln 2), r = y - k ln 2 in
 * [-ln2/2, ln2/2] (ln 2 split in two parts, fdlibm's, so that k ln2_hi is exact), and
 * e^r - 1 = r + r^2/2! + ... + r^13/13! (the omitted tail is below 1.2e-17 relative for
 * |r| <= ln2/2).  Then E = 2^k + 2^k p and em = 2^k p + (2^k - 1), exact in its last step for
 * k = 0 (em = p) and free of cancellation for k <= -1 (E <= 0.71).  Each result is within a few
 * ulp of the correctly rounded value (tests/test_fast.c checks them against libm's tanh and
 * 1/cosh^2 over the whole range), far inside the 1e-12 agreement with the direct path.
 * Range: y is clamped at -708 (|x| > 354), where e^y = 3.3e-307 is still normal and 2^k needs
 * no subnormal scaling; there tanh = +-1 exactly and sech^2 = 4 e^-708 = 1.3e-307 instead of
 * the smaller true value, an absolute error below 1.4e-307 (the reference's 1/cosh^2 is
 * subnormal or 0 there).  A NaN x gives NaN for both, and +-inf gives +-1 and 1.3e-307. */
static FAST_ALWAYS_INLINE void tanh_sech2_body(size_t n, double scale, double c, const double *x,
                                               double *s, double *s1, int use_fma)
{
#define MADD(a, b, c) (use_fma ? fma(a, b, c) : (a) * (b) + (c))
    const double shift = 0x1.8p52, log2e = 0x1.71547652b82fep0;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double y_min = y_floor;
    uint64_t shift_bits;
    memcpy(&shift_bits, &shift, sizeof shift_bits);
    FAST_SIMD
    for (size_t k = 0; k < n; ++k) {
        const double z = c * x[k];
        const double y2 = -2.0 * fabs(z);
        const double y = y2 < y_min ? y_min : y2; /* false for NaN: it propagates */
        const double kd = y * log2e + shift;      /* round(y / ln 2) in the low mantissa bits */
        const double kf = kd - shift;
        const double r = (y - kf * ln2_hi) - kf * ln2_lo;
        double p = 1.0 / 6227020800.0; /* 1/13! */
        p = MADD(p, r, 1.0 / 479001600.0);
        p = MADD(p, r, 1.0 / 39916800.0);
        p = MADD(p, r, 1.0 / 3628800.0);
        p = MADD(p, r, 1.0 / 362880.0);
        p = MADD(p, r, 1.0 / 40320.0);
        p = MADD(p, r, 1.0 / 5040.0);
        p = MADD(p, r, 1.0 / 720.0);
        p = MADD(p, r, 1.0 / 120.0);
        p = MADD(p, r, 1.0 / 24.0);
        p = MADD(p, r, 1.0 / 6.0);
        p = MADD(p, r, 0.5);
        p = MADD(p, r, 1.0);
        p = p * r; /* e^r - 1 */
        uint64_t kb;
        memcpy(&kb, &kd, sizeof kb);
        const uint64_t two_k_bits = (kb - shift_bits + 1023u) << 52; /* 2^k, k in [-1021, 0] */
        double two_k;
        memcpy(&two_k, &two_k_bits, sizeof two_k);
        const double E = MADD(two_k, p, two_k);        /* e^y */
        const double em = MADD(two_k, p, two_k - 1.0); /* e^y - 1 */
        const double inv = 1.0 / (2.0 + em);           /* 1 / (1 + e^y): one division */
        s[k] = scale * copysign(-em * inv, z);
        s1[k] = scale * ((4.0 * E * inv) * inv);
    }
#undef MADD
}

static void tanh_sech2_plain(size_t n, double scale, double c, const double *x, double *s,
                             double *s1)
{
    tanh_sech2_body(n, scale, c, x, s, s1, 0);
}

#ifdef FAST_X86_DISPATCH
__attribute__((target("avx2,fma"))) static void
tanh_sech2_avx2(size_t n, double scale, double c, const double *x, double *s, double *s1)
{
    tanh_sech2_body(n, scale, c, x, s, s1, 1);
}

__attribute__((target("avx512f,fma"))) static void
tanh_sech2_avx512(size_t n, double scale, double c, const double *x, double *s, double *s1)
{
    tanh_sech2_body(n, scale, c, x, s, s1, 1);
}
#endif

/* Whether version v of the tanh kernel (0 baseline, 1 AVX2 + FMA, 2 AVX-512 + FMA) exists in this
 * build and runs on this CPU. */
static int tanh_version_ok(int v)
{
#ifdef FAST_X86_DISPATCH
    __builtin_cpu_init();
    if (v == 1) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (v == 2) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#endif
    return v == 0;
}

int condense_fast_tanh_sech2_version(int v, size_t n, double scale, double c, const double *x,
                                     double *s, double *s1)
{
    if (!tanh_version_ok(v)) return -1;
#ifdef FAST_X86_DISPATCH
    if (v == 2)
        tanh_sech2_avx512(n, scale, c, x, s, s1);
    else if (v == 1)
        tanh_sech2_avx2(n, scale, c, x, s, s1);
    else
#endif
        tanh_sech2_plain(n, scale, c, x, s, s1);
    return 0;
}

/* The best version of the tanh kernel for the running CPU. */
static void tanh_sech2(size_t n, double scale, double c, const double *x, double *s, double *s1)
{
    for (int v = 2; v > 0; --v)
        if (condense_fast_tanh_sech2_version(v, n, scale, c, x, s, s1) == 0) return;
    tanh_sech2_plain(n, scale, c, x, s, s1);
}

/* sigma(c x_k) into s and sigma'(c x_k) into s1 for k < n, for any activation (scale applied);
 * s or s1 may be x itself.  tanh takes the vectorized kernel above, the others their scalar
 * functions. */
void condense_fast_sigma01(const condense_activation *act, size_t n, double c, const double *x,
                           double *s, double *s1)
{
    if (act->type == &condense_act_tanh) {
        tanh_sech2(n, act->scale, c, x, s, s1);
        return;
    }
    for (size_t k = 0; k < n; ++k) {
        const double z = c * x[k];
        s[k] = condense_sigma(act, z);
        s1[k] = condense_sigma1(act, z);
    }
}

/* ---- one sample ---------------------------------------------------------------------------- */

/* The patch matrix of eq. (2): row (u,v) of P = in_{u+p, v+q, alpha} for (p, q, alpha) in
 * W^[l]'s storage order.  in is array (W_in, H_in, C_in); for fixed (u, v, p) the (q, alpha)
 * entries are m C_in consecutive input values. */
void condense_im2col(const double *in, size_t H_in, size_t C_in, size_t m, size_t W_out,
                     size_t H_out, double *P)
{
    const size_t run = m * C_in;
    for (size_t u = 0; u < W_out; ++u)
        for (size_t v = 0; v < H_out; ++v)
            for (size_t p = 0; p < m; ++p, P += run)
                memcpy(P, in + ((u + p) * H_in + v) * C_in, run * sizeof(double));
}

/* im2col with a last column of ones: rows of C_in m^2 + 1, so that [P 1] [W; b^T] is x with the
 * bias in the same product, and [P 1]^T z gives dW and db together. */
static void im2col_ones(const double *in, size_t H_in, size_t C_in, size_t m, size_t W_out,
                        size_t H_out, double *P)
{
    const size_t run = m * C_in;
    for (size_t u = 0; u < W_out; ++u)
        for (size_t v = 0; v < H_out; ++v) {
            for (size_t p = 0; p < m; ++p, P += run)
                memcpy(P, in + ((u + p) * H_in + v) * C_in, run * sizeof(double));
            *P++ = 1.0;
        }
}

/* The adjoint of im2col: out (array (W_in, H_in, C_in), zeroed here) receives at every input
 * position the sum of the G entries of all patches that contain it -- the sum over (s, t)
 * with chi(u - s, v - t) = 1 of eq. (21). */
void condense_col2im(const double *G, size_t W_in, size_t H_in, size_t C_in, size_t m, size_t W_out,
                     size_t H_out, double *out)
{
    const size_t run = m * C_in;
    memset(out, 0, W_in * H_in * C_in * sizeof(double));
    for (size_t u = 0; u < W_out; ++u)
        for (size_t v = 0; v < H_out; ++v)
            for (size_t p = 0; p < m; ++p, G += run) {
                double *o = out + ((u + p) * H_in + v) * C_in;
                for (size_t k = 0; k < run; ++k)
                    o[k] += G[k];
            }
}

/* CNN paper eq. (2): x^[l] = P^[l] W^[l] + 1 b^[l]^T layer by layer, then f = <a, sigma(x^[L])>.
 * x0 is the sample's input, array (W_0, H_0, C_0). */
static double sample_forward(const condense_cnn *net, const struct condense_fast_buffers *fb,
                             fast_thread *th, const double *x0)
{
    for (size_t l = 1; l <= fb->L; ++l) {
        const double *in = l == 1 ? x0 : th->S[l - 1];
        const size_t R = fb->R[l], K = fb->K[l], C = fb->C[l];
        condense_im2col(in, fb->H[l - 1], fb->C[l - 1], fb->m[l], fb->W[l], fb->H[l], th->P[l]);
        double *X = th->X[l];
        for (size_t r = 0; r < R; ++r)
            memcpy(X + r * C, net->bias[l], C * sizeof(double));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)C, (int)K, 1.0,
                    th->P[l], (int)K, net->kernel[l], (int)C, 1.0, X, (int)C);
        /* sigma and sigma' from one evaluation: the backward pass reads S1 */
        condense_fast_sigma01(&net->sigma, R * C, 1.0, X, th->S[l], th->S1[l]);
    }
    const size_t L = fb->L;
    return cblas_ddot((int)(fb->R[L] * fb->C[L]), net->a, 1, th->S[L], 1);
}

/* CNN paper eq. (21)-(22), after sample_forward: th->grad += weight df/dtheta. */
static void sample_backward(const condense_cnn *net, const struct condense_fast_buffers *fb,
                            fast_thread *th, double weight)
{
    const size_t L = fb->L;
    double *g = th->grad;
    /* eq. (21), last line: z^[L] = a sigma'(x^[L]) */
    {
        const size_t N = fb->R[L] * fb->C[L];
        const double *a = net->a, *S1 = th->S1[L];
        double *Z = th->Z[L];
        FAST_SIMD
        for (size_t k = 0; k < N; ++k)
            Z[k] = a[k] * S1[k];
    }
    for (size_t l = L; l >= 1; --l) {
        const int R = (int)fb->R[l], K = (int)fb->K[l], C = (int)fb->C[l];
        /* eq. (22): dW^[l] += weight P^[l]^T z^[l], db^[l] += weight 1^T z^[l] */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, C, R, weight, th->P[l], K, th->Z[l],
                    C, 1.0, g + fb->off_W[l], C);
        cblas_dgemv(CblasRowMajor, CblasTrans, R, C, weight, th->Z[l], C, fb->ones, 1, 1.0,
                    g + fb->off_b[l], 1);
        if (l == 1) break;
        /* eq. (21), first line: z^[l-1] = col2im(z^[l] W^[l]^T) sigma'(x^[l-1]); P^[l] is
         * spent, so it holds z^[l] W^[l]^T */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, K, C, 1.0, th->Z[l], C,
                    net->kernel[l], C, 0.0, th->P[l], K);
        double *Z = th->Z[l - 1];
        const double *S1 = th->S1[l - 1];
        const size_t N = fb->R[l - 1] * fb->C[l - 1];
        condense_col2im(th->P[l], fb->W[l - 1], fb->H[l - 1], fb->C[l - 1], fb->m[l], fb->W[l],
                        fb->H[l], Z);
        FAST_SIMD
        for (size_t k = 0; k < N; ++k)
            Z[k] *= S1[k];
    }
    /* eq. (22)-(23): da += weight sigma(x^[L]) */
    cblas_daxpy((int)(fb->R[L] * fb->C[L]), weight, th->S[L], 1, g + fb->off_a, 1);
}

/* CNN paper eq. (2), (21)-(22) for L = 1, fused by blocks of RB rows (u, v) of one sample:
 * x = [P 1] Theta with Theta = [W; b^T] (fb->theta1, (K + 1) x C), sigma and sigma' (one
 * evaluation), f += <a, sigma(x)>, z = a sigma'(x), and at once G = [P 1]^T z = [dW; db^T]
 * (eq. 22 without the weight, which needs the whole f).  Each block is consumed while it is
 * in cache; sigma(x) is kept whole for da.  Returns f. */
static double sample_step_1(const condense_cnn *net, const struct condense_fast_buffers *fb,
                            fast_thread *th, const double *x0)
{
    const size_t R = fb->R[1], K = fb->K[1], C = fb->C[1], RB = fb->RB;
    const size_t K1 = K + 1;
    im2col_ones(x0, fb->H[0], fb->C[0], fb->m[1], fb->W[1], fb->H[1], th->P[1]);
    double f = 0.0;
    for (size_t r0 = 0; r0 < R; r0 += RB) {
        const size_t nr = R - r0 < RB ? R - r0 : RB, N = nr * C;
        const double *P = th->P[1] + r0 * K1, *a = net->a + r0 * C;
        double *X = th->X[1] + r0 * C, *S = th->S[1] + r0 * C, *Z = th->Z[1] + r0 * C;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nr, (int)C, (int)K1, 1.0, P,
                    (int)K1, fb->theta1, (int)C, 0.0, X, (int)C);
        condense_fast_sigma01(&net->sigma, N, 1.0, X, S, Z); /* Z holds sigma'(x) */
        double fblock = 0.0;
        FAST_SIMD_SUM_FBLOCK
        for (size_t k = 0; k < N; ++k) {
            fblock += a[k] * S[k];
            Z[k] *= a[k]; /* eq. (21), last line: z^[1] = a sigma'(x^[1]) */
        }
        f += fblock;
        const double beta = r0 == 0 ? 0.0 : 1.0;
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K1, (int)C, (int)nr, 1.0, P,
                    (int)K1, Z, (int)C, beta, th->G, (int)C);
    }
    return f;
}

/* CNN paper eq. (22)-(23) for L = 1, after sample_step_1: th->grad += weight df/dtheta. */
static void sample_update_1(const struct condense_fast_buffers *fb, fast_thread *th, double weight)
{
    const size_t C = fb->C[1];
    double *g = th->grad;
    /* W^[1] (K x C) and b^[1] (C) are adjacent in the pack order: G's K + 1 rows in one go */
    cblas_daxpy((int)((fb->K[1] + 1) * C), weight, th->G, 1, g + fb->off_W[1], 1);
    cblas_daxpy((int)(fb->R[1] * C), weight, th->S[1], 1, g + fb->off_a, 1);
}

/* The workspace holds x^[l] (and z^[l]) of the last sample, as after the direct path. */
static void copy_last(const struct condense_fast_buffers *fb, const fast_thread *th,
                      condense_workspace *ws, int with_z)
{
    for (size_t l = 1; l <= fb->L; ++l) {
        memcpy(ws->x[l], th->X[l], fb->R[l] * fb->C[l] * sizeof(double));
        if (with_z) memcpy(ws->z[l], th->Z[l], fb->R[l] * fb->C[l] * sizeof(double));
    }
}

/* ---- all samples ------------------------------------------------------------------------------
 */

/* Samples lo+1..hi on one thread: e_i of eq. (1) into e (may be NULL) and th->sum; with
 * backward, th->grad += -(e_i / n) df(x_i)/dtheta (eq. 23).  Stops at the first non-finite f. */
static void run_block(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                      fast_thread *th, size_t lo, size_t hi, double *e, int backward)
{
    const struct condense_fast_buffers *fb = ws->fast;
    const size_t in_size = data->W0 * data->H0 * data->C0;
    const double n = (double)data->n;
    const int fused = backward && fb->L == 1; /* the two-layer CNN: one fused pass */
    th->sum = 0.0;
    th->bad_i = 0;
    th->active = lo < hi;
    if (backward && th->active) memset(th->grad, 0, fb->nparams * sizeof(double));
    for (size_t k = lo; k < hi; ++k) {
        const double *x0 = data->x + k * in_size;
        const double f = fused ? sample_step_1(net, fb, th, x0) : sample_forward(net, fb, th, x0);
        if (!isfinite(f)) {
            th->bad_i = k + 1;
            th->bad_f = f;
            return;
        }
        const double e_i = f - data->y[k];
        if (e != NULL) e[k] = e_i;
        th->sum += e_i * e_i;
        if (fused)
            sample_update_1(fb, th, -e_i / n);
        else if (backward)
            sample_backward(net, fb, th, -e_i / n);
        if (k + 1 == data->n) copy_last(fb, th, ws, backward);
    }
}

/* Every sample, split into contiguous blocks over min(buffers, OpenMP threads, n) threads.
 * *used receives the number of threads that ran (their buffers hold the partial results); a
 * non-finite f is reported for the first such sample. */
static int run_all(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                   double *e, int backward, int *used)
{
    fast_thread *threads = ws->fast->t;
    if (backward && net->L == 1) { /* Theta = [W^[1]; b^[1]^T] for the fused step */
        const size_t KC = ws->fast->K[1] * ws->fast->C[1];
        memcpy(ws->fast->theta1, net->kernel[1], KC * sizeof(double));
        memcpy(ws->fast->theta1 + KC, net->bias[1], ws->fast->C[1] * sizeof(double));
    }
    int T = ws->fast->nthreads;
    if (max_threads() < T) T = max_threads();
    if ((size_t)T > data->n) T = data->n > 0 ? (int)data->n : 1;
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
        run_block(net, data, ws, &threads[t], data->n * (size_t)t / (size_t)nt,
                  data->n * (size_t)(t + 1) / (size_t)nt, e, backward);
    }
    size_t bad = 0;
    double bad_f = 0.0;
    for (int t = 0; t < team; ++t)
        if (threads[t].bad_i != 0 && (bad == 0 || threads[t].bad_i < bad)) {
            bad = threads[t].bad_i;
            bad_f = threads[t].bad_f;
        }
    if (bad != 0) CONDENSE_ERROR(CONDENSE_EDOM, "f(x_%zu, theta) = %g is not finite", bad, bad_f);
    *used = team;
    return CONDENSE_OK;
}

/* The argument checks of the direct passes (condense_pass_check), then the path. */
static int fast_check(const condense_cnn *net, const condense_data *data,
                      const condense_workspace *ws)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(ws);
    CONDENSE_TRY(condense_cnn_check_data(net, data));
    CONDENSE_TRY(condense_workspace_check(ws, net));
    if (ws->path != CONDENSE_PATH_FAST || ws->fast == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "the fast path is not selected on this workspace "
                                        "(condense_workspace_set_path)");
    return CONDENSE_OK;
}

/* sum of e_i^2 over all samples: the threads' partial sums in thread order. */
static double sum_sq(const struct condense_fast_buffers *fb, int used)
{
    double sum = 0.0;
    for (int t = 0; t < used; ++t)
        if (fb->t[t].active) sum += fb->t[t].sum;
    return sum;
}

/* dst[k] = sum over threads, in thread order, of their grad[off + k]. */
static void reduce(const struct condense_fast_buffers *fb, int used, size_t off, size_t count,
                   double *dst)
{
    for (size_t k = 0; k < count; ++k) {
        double s = 0.0;
        for (int t = 0; t < used; ++t)
            if (fb->t[t].active) s += fb->t[t].grad[off + k];
        dst[k] = s;
    }
}

/* CNN paper eq. (1): R_S = 1/(2n) sum_i e_i^2, e_i = f(x_i, theta) - y_i.  On failure *R_S is
 * untouched; e may hold some e_i already, as on the direct path. */
int condense_fast_risk(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                       double *R_S, double *e)
{
    CONDENSE_CHECK_NULL(R_S);
    CONDENSE_CHECK_NULL(data);
    CONDENSE_TRY(fast_check(net, data, ws));
    int used = 0;
    CONDENSE_TRY(run_all(net, data, ws, e, 0, &used));
    const double risk = sum_sq(ws->fast, used) / (2.0 * (double)data->n);
    if (!isfinite(risk)) CONDENSE_ERROR(CONDENSE_EDOM, "R_S(theta) = %g is not finite", risk);
    *R_S = risk;
    return CONDENSE_OK;
}

/* CNN paper eq. (20), (23): d theta/dt = -(1/n) sum_i e_i df(x_i)/d theta.  On failure dtheta
 * and R_S are untouched (the accumulators are per thread). */
int condense_fast_gd_field(const condense_cnn *net, const condense_data *data,
                           condense_workspace *ws, condense_cnn *dtheta, double *R_S)
{
    CONDENSE_CHECK_NULL(data);
    CONDENSE_TRY(condense_cnn_same_shape(net, dtheta));
    CONDENSE_TRY(fast_check(net, data, ws));
    int used = 0;
    CONDENSE_TRY(run_all(net, data, ws, NULL, 1, &used));
    const struct condense_fast_buffers *fb = ws->fast;
    for (size_t l = 1; l <= fb->L; ++l) {
        reduce(fb, used, fb->off_W[l], condense_cnn_W_size(net, l), dtheta->kernel[l]);
        reduce(fb, used, fb->off_b[l], condense_cnn_b_size(net, l), dtheta->bias[l]);
    }
    reduce(fb, used, fb->off_a, condense_cnn_a_size(net), dtheta->a);
    if (R_S != NULL) *R_S = sum_sq(fb, used) / (2.0 * (double)data->n);
    return CONDENSE_OK;
}
