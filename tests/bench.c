/* bench.c -- the benchmark program behind `make bench` (driven by tests/bench.sh, one
 * configuration per process so that each peak memory is its own).  A benchmark, never a test:
 * nothing here asserts a time.  Every command prints `key=value` lines that bench.sh collects;
 * `report` turns them into the table and the CSV.
 *
 *   bench info                          version, CBLAS, threads
 *   bench prepare DIR SEED              the data set (x.npy, y.npy) and the initial parameters
 *                                       (DIR/init-M<M>/, condense_cnn_save) for every M of the GD
 *                                       benchmark; PyTorch reads the very same files
 *   bench gd DIR M PATH STEPS BUDGET    full-batch GD steps on DIR's data from DIR/init-M<M>, on
 *                                       the direct or fast path; parameters after STEPS steps go
 *                                       to DIR/out-<PATH>-M<M>/ (when all STEPS were run on all n)
 *   bench flow DIR M PATH               the real flow of the verification instance on [0, 1]
 *   bench dgemm N REPS                  the machine's dgemm rate through the linked CBLAS
 *   bench compare TAG INIT A B          largest relative differences of two parameter sets
 *   bench report RESULTS CSV            the table (stdout) and the CSV
 */
#define _GNU_SOURCE /* dladdr, clock_gettime, getrusage */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/cnn_io.h"
#include "condense/data.h"
#include "condense/error.h"
#include "condense/fast.h"
#include "condense/init.h"
#include "condense/npy.h"
#include "condense/real_flow.h"
#include "condense/verify.h"
#include "condense/version.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef CONDENSE_BLAS_NAME
static const char blas_name[] = CONDENSE_BLAS_NAME;
#else
static const char blas_name[] = "unknown";
#endif

/* The GD benchmark's fixed sizes: MNIST-sized inputs, one tanh convolution layer. */
enum { GD_N = 500, GD_W0 = 28, GD_H0 = 28, GD_C0 = 1, GD_m = 3 };
static const size_t gd_M[] = {32, 320};
static const double gd_c = 4.0; /* Assumption 2 constant of the synthetic set */

/* A direct step is timed on a subset (and scaled by n / n_probe) when one full step would take
 * longer than this. */
static const double subset_threshold_s = 60.0;
enum { N_PROBE = 50 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
    return ru.ru_maxrss; /* kilobytes on Linux */
}

static int threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static int compare_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The shared object that cblas_dgemm resolved to at run time (the CBLAS that the library and
 * this program call), beside the configure-time CONDENSE_BLAS_NAME: both libgslcblas and
 * OpenBLAS can be mapped at once (libgsl depends on libgslcblas), and the first in the global
 * lookup order wins. */
static void runtime_blas(char *out, size_t size)
{
    Dl_info info;
    void (*f)(void) = (void (*)(void))cblas_dgemm;
    void *addr;
    memcpy(&addr, &f, sizeof addr); /* a function pointer as an address, for dladdr */
    if (dladdr(addr, &info) != 0 && info.dli_fname != NULL) {
        const char *base = strrchr(info.dli_fname, '/');
        snprintf(out, size, "%s", base != NULL ? base + 1 : info.dli_fname);
    } else {
        snprintf(out, size, "unknown");
    }
}

static int fail(const char *what, int status)
{
    fprintf(stderr, "bench: %s: %s (%s)\n", what, condense_errmsg(), condense_strerror(status));
    return 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench info | prepare DIR SEED | gd DIR M direct|fast STEPS BUDGET_S |"
                    " flow DIR M direct|fast | dgemm N REPS | compare TAG INIT A B |"
                    " report RESULTS CSV\n");
    return 2;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v == 0) return 0;
    *out = (size_t)v;
    return 1;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static int join(char *buf, size_t size, const char *dir, const char *name)
{
    const int len = snprintf(buf, size, "%s/%s", dir, name);
    return len > 0 && (size_t)len < size;
}

/* ---- info ------------------------------------------------------------------------------- */

static int cmd_info(void)
{
    char rt[1024];
    runtime_blas(rt, sizeof rt);
    printf("info.version=%s\n", condense_version());
    printf("info.blas=%s\n", blas_name);
    printf("info.blas_runtime=%s\n", rt);
    printf("info.threads=%d\n", threads());
    return 0;
}

/* ---- the GD benchmark ------------------------------------------------------------------- */

static int gd_net(size_t M, condense_cnn **net)
{
    condense_cnn_shape shape;
    memset(&shape, 0, sizeof shape);
    shape.L = 1;
    shape.W0 = GD_W0;
    shape.H0 = GD_H0;
    shape.C0 = GD_C0;
    shape.C[1] = M;
    shape.m[1] = GD_m;
    condense_activation sigma;
    CONDENSE_TRY(condense_activation_lookup("tanh", 0, &sigma));
    return condense_cnn_alloc(&shape, sigma, net);
}

/* Initial parameters of the GD benchmark: the library's seeded N(0,1) draws (init.h order),
 * scaled to LeCun's fan-in variance so that x^[1] and f are O(1): W, b ~ N(0, 1/(C_0 m^2)),
 * a ~ N(0, 1/(W_1 H_1 M)). */
static int gd_init(condense_cnn *net, unsigned long seed)
{
    gsl_rng *rng = NULL;
    CONDENSE_TRY(condense_rng_alloc(seed, &rng));
    const int status = condense_init_normal(net, 1.0, rng);
    gsl_rng_free(rng);
    CONDENSE_TRY(status);
    const double sW = 1.0 / sqrt((double)(net->C[0] * net->m[1] * net->m[1]));
    const double sa = 1.0 / sqrt((double)condense_cnn_a_size(net));
    for (size_t k = 0; k < condense_cnn_W_size(net, 1); ++k)
        net->kernel[1][k] *= sW;
    for (size_t k = 0; k < condense_cnn_b_size(net, 1); ++k)
        net->bias[1][k] *= sW;
    for (size_t k = 0; k < condense_cnn_a_size(net); ++k)
        net->a[k] *= sa;
    return CONDENSE_OK;
}

static int cmd_prepare(const char *dir, const char *seed_text)
{
    size_t seed;
    if (!parse_size(seed_text, &seed)) return usage();
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    condense_data *d = NULL;
    int status = condense_data_synthetic(GD_N, GD_W0, GD_H0, GD_C0, gd_c, seed, &d);
    if (status != CONDENSE_OK) return fail("synthetic data", status);
    char path[4096];
    const size_t shape_x[4] = {GD_N, GD_W0, GD_H0, GD_C0}, shape_y[1] = {GD_N};
    if (!join(path, sizeof path, dir, "x.npy")) goto too_long;
    status = condense_npy_save(path, d->x, 4, shape_x);
    if (status == CONDENSE_OK) {
        if (!join(path, sizeof path, dir, "y.npy")) goto too_long;
        status = condense_npy_save(path, d->y, 1, shape_y);
    }
    condense_data_free(d);
    d = NULL;
    if (status != CONDENSE_OK) return fail("saving the data", status);
    for (size_t k = 0; k < sizeof gd_M / sizeof *gd_M; ++k) {
        condense_cnn *net = NULL;
        char sub[64], prov[256];
        snprintf(sub, sizeof sub, "init-M%zu", gd_M[k]);
        snprintf(prov, sizeof prov,
                 "bench: seed %zu, W,b ~ N(0, 1/(C0 m^2)), a ~ N(0, 1/(W1 H1 M)) from "
                 "condense_init_normal(1.0) rescaled",
                 seed);
        if (!join(path, sizeof path, dir, sub)) goto too_long;
        status = gd_net(gd_M[k], &net);
        if (status == CONDENSE_OK) status = gd_init(net, seed + gd_M[k]);
        if (status == CONDENSE_OK) status = condense_cnn_save(net, path, prov);
        condense_cnn_free(net);
        if (status != CONDENSE_OK) return fail("initial parameters", status);
    }
    printf("info.seed=%zu\n", seed);
    printf("info.gd_n=%d\ninfo.gd_shape=%dx%dx%d\ninfo.gd_m=%d\n", GD_N, GD_W0, GD_H0, GD_C0, GD_m);
    return 0;
too_long:
    condense_data_free(d);
    fprintf(stderr, "bench: directory name too long: %s\n", dir);
    return 1;
}

static int load_data(const char *dir, size_t n, condense_data **out)
{
    char path[4096];
    condense_data *d = NULL;
    const size_t shape_x[4] = {n, GD_W0, GD_H0, GD_C0}, shape_y[1] = {n};
    CONDENSE_TRY(condense_data_alloc(n, GD_W0, GD_H0, GD_C0, &d));
    int status = CONDENSE_OK;
    if (!join(path, sizeof path, dir, "x.npy"))
        status = condense_error_set(CONDENSE_EINVAL, __func__, "path too long");
    if (status == CONDENSE_OK) status = condense_npy_load(path, d->x, 4, shape_x);
    if (status == CONDENSE_OK && !join(path, sizeof path, dir, "y.npy"))
        status = condense_error_set(CONDENSE_EINVAL, __func__, "path too long");
    if (status == CONDENSE_OK) status = condense_npy_load(path, d->y, 1, shape_y);
    if (status != CONDENSE_OK) {
        condense_data_free(d);
        return status;
    }
    *out = d;
    return CONDENSE_OK;
}

/* The first n samples of d as a new set (the subset a long direct step is timed on). */
static int data_head(const condense_data *d, size_t n, condense_data **out)
{
    condense_data *s = NULL;
    CONDENSE_TRY(condense_data_alloc(n, d->W0, d->H0, d->C0, &s));
    memcpy(s->x, d->x, n * d->W0 * d->H0 * d->C0 * sizeof(double));
    memcpy(s->y, d->y, n * sizeof(double));
    *out = s;
    return CONDENSE_OK;
}

/* Analytic flop count of one full-batch GD step of the two-layer CNN (L = 1), with
 * P = n W_1 H_1 M products x^[1] entries and K = C_0 m^2 + 1 (the bias as a column of ones):
 *   forward x^[1] = patches W + b        2 P K   (dgemm)
 *   tanh                                 1 P     (counted as one flop)
 *   f = <a, tanh x^[1]>                  2 P
 *   z = (-e_i/n) a (1 - tanh^2)          4 P
 *   dW, db = patches^T z                 2 P K   (dgemm)
 *   da = sum_i (-e_i/n) tanh x^[1](i)    2 P
 *   e_i, R_S                             3 n
 *   update theta += lr dtheta            2 N_theta
 * The gradient with respect to the input is not needed at L = 1 (x is data), so there is no
 * col2im term; PyTorch skips it too (x does not require grad). */
static double gd_flops(size_t n, size_t M)
{
    const double W1 = GD_W0 - GD_m + 1, H1 = GD_H0 - GD_m + 1, K = GD_C0 * GD_m * GD_m + 1;
    const double P = (double)n * W1 * H1 * (double)M;
    const double N_theta = (double)M * (K + W1 * H1);
    return 4.0 * P * K + 9.0 * P + 3.0 * (double)n + 2.0 * N_theta;
}

typedef struct gd_run {
    condense_cnn *net, *dtheta;
    condense_workspace *ws;
} gd_run;

static void gd_run_free(gd_run *r)
{
    condense_workspace_free(r->ws);
    condense_cnn_free(r->dtheta);
    condense_cnn_free(r->net);
}

/* GD step of eq. (23) with a fixed learning rate: theta <- theta + lr * (-grad R_S). */
static int gd_step(gd_run *r, const condense_data *d, double lr, double *R_S)
{
    CONDENSE_TRY(condense_gd_field(r->net, d, r->ws, r->dtheta, R_S));
    return condense_cnn_axpy(lr, r->dtheta, r->net);
}

static int gd_setup(const char *init_dir, size_t M, condense_path path, gd_run *r, double *setup_s)
{
    memset(r, 0, sizeof *r);
    CONDENSE_TRY(gd_net(M, &r->net));
    int status = condense_cnn_load(r->net, init_dir);
    if (status == CONDENSE_OK) status = condense_cnn_clone(r->net, 0, &r->dtheta);
    const double t0 = now();
    if (status == CONDENSE_OK) status = condense_workspace_alloc(r->net, &r->ws);
    if (status == CONDENSE_OK && path == CONDENSE_PATH_FAST)
        status = condense_workspace_set_path(r->ws, r->net, path);
    *setup_s = now() - t0;
    if (status != CONDENSE_OK) gd_run_free(r);
    return status;
}

static int cmd_gd(const char *dir, const char *M_text, const char *path_text,
                  const char *steps_text, const char *budget_text)
{
    size_t M, steps;
    double budget;
    condense_path path;
    if (!parse_size(M_text, &M) || !parse_size(steps_text, &steps) ||
        !parse_double(budget_text, &budget) || budget <= 0.0)
        return usage();
    int status = condense_path_from_name(path_text, &path);
    if (status != CONDENSE_OK) return fail("path", status);
    const char *name = condense_path_name(path);
    char init_dir[4096], out_dir[4096], sub[64];
    snprintf(sub, sizeof sub, "init-M%zu", M);
    if (!join(init_dir, sizeof init_dir, dir, sub)) return usage();
    snprintf(sub, sizeof sub, "out-%s-M%zu", name, M);
    if (!join(out_dir, sizeof out_dir, dir, sub)) return usage();

    condense_data *d = NULL, *probe = NULL;
    status = load_data(dir, GD_N, &d);
    if (status != CONDENSE_OK) return fail("loading the data", status);
    const size_t W1 = GD_W0 - GD_m + 1, H1 = GD_H0 - GD_m + 1;
    /* lr * lambda_max <= 1 on the a-block: its Gauss-Newton matrix (1/n) sum_i phi_i phi_i^T,
     * phi_i = tanh x^[1](i), has trace <= W_1 H_1 M because tanh^2 <= 1. */
    const double lr = 1.0 / (double)(W1 * H1 * M);
    gd_run r;
    double setup_s = 0.0, R0 = NAN, Rend = NAN, R = NAN;
    status = gd_setup(init_dir, M, path, &r, &setup_s);
    if (status != CONDENSE_OK) {
        condense_data_free(d);
        return fail("setting up", status);
    }

    /* Probe: one step on the first N_PROBE samples (from a copy of the initial parameters) to
     * project the cost of a full step before committing to it. */
    double projected = 0.0;
    size_t n_timed = GD_N, steps_run = steps;
    int scaled = 0;
    double *times = calloc(steps, sizeof(double));
    condense_cnn *theta0 = NULL;
    if (times == NULL) status = condense_error_set(CONDENSE_ENOMEM, __func__, "no memory");
    if (status == CONDENSE_OK) status = condense_cnn_clone(r.net, 1, &theta0);
    if (status == CONDENSE_OK) status = data_head(d, N_PROBE, &probe);
    if (status == CONDENSE_OK) {
        const double t0 = now();
        status = gd_step(&r, probe, lr, &R);
        projected = (now() - t0) * (double)GD_N / (double)N_PROBE;
    }
    if (status == CONDENSE_OK) {
        condense_cnn_zero(r.net);
        status = condense_cnn_axpy(1.0, theta0, r.net); /* back to theta(0) */
    }
    const condense_data *use = d;
    if (status == CONDENSE_OK && projected > subset_threshold_s) {
        /* Too slow for full steps: time a few steps on the subset and scale linearly in n (the
         * step's cost is a sum over samples). */
        scaled = 1;
        n_timed = N_PROBE;
        use = probe;
        steps_run = steps < 3 ? steps : 3;
    } else if (status == CONDENSE_OK && projected * (double)steps > budget) {
        steps_run = (size_t)(budget / projected);
        if (steps_run < 1) steps_run = 1;
    }
    for (size_t k = 0; status == CONDENSE_OK && k < steps_run; ++k) {
        const double t0 = now();
        status = gd_step(&r, use, lr, &R);
        times[k] = now() - t0;
        if (k == 0) R0 = R;
    }
    if (status == CONDENSE_OK && !scaled) status = condense_risk(r.net, d, r.ws, &Rend, NULL);
    const int saved = status == CONDENSE_OK && !scaled && steps_run == steps;
    if (saved) {
        char prov[256];
        snprintf(prov, sizeof prov, "bench: %zu GD steps, lr %.17g, %s path", steps, lr, name);
        status = condense_cnn_save(r.net, out_dir, prov);
    }
    if (status != CONDENSE_OK) {
        free(times);
        condense_cnn_free(theta0);
        condense_data_free(probe);
        condense_data_free(d);
        gd_run_free(&r);
        return fail("GD", status);
    }
    double step_s = median(times, steps_run);
    if (scaled) step_s *= (double)GD_N / (double)n_timed;
    const char *k = name;
    printf("gd.%s.%zu.seconds=%.6g\n", k, M, step_s);
    printf("gd.%s.%zu.steps=%zu\n", k, M, steps_run);
    printf("gd.%s.%zu.n_timed=%zu\n", k, M, n_timed);
    printf("gd.%s.%zu.scaled=%d\n", k, M, scaled);
    printf("gd.%s.%zu.setup_s=%.6g\n", k, M, setup_s);
    printf("gd.%s.%zu.flops=%.6g\n", k, M, gd_flops(GD_N, M));
    printf("gd.%s.%zu.lr=%.17g\n", k, M, lr);
    if (!scaled) { /* on the subset, R_S would not be the set's risk */
        printf("gd.%s.%zu.R0=%.17g\n", k, M, R0);
        printf("gd.%s.%zu.Rend=%.17g\n", k, M, Rend);
    }
    printf("gd.%s.%zu.saved=%d\n", k, M, saved);
    printf("gd.%s.%zu.rss_kb=%ld\n", k, M, peak_rss_kb());
    free(times);
    condense_cnn_free(theta0);
    condense_data_free(probe);
    condense_data_free(d);
    gd_run_free(&r);
    return 0;
}

/* ---- the real flow of the verification instance ------------------------------------------ */

static int cmd_flow(const char *dir, const char *M_text, const char *path_text)
{
    size_t M;
    condense_path path;
    if (!parse_size(M_text, &M)) return usage();
    int status = condense_path_from_name(path_text, &path);
    if (status != CONDENSE_OK) return fail("path", status);
    const char *name = condense_path_name(path);
    condense_verify_config cfg;
    condense_verify_default(&cfg, 0);
    condense_activation sigma;
    condense_data *d = NULL;
    condense_real_flow *flow = NULL;
    condense_cnn *net = NULL;
    gsl_rng *rng = NULL;
    double *theta_bar = NULL;
    /* Assumption 3 as in the verification (eps^2 = M^-gamma, gamma = 4), theta_bar(0) ~ N(0,1)
     * drawn from the same seed as verify_instance.c's run at this M. */
    const double eps = pow((double)M, -cfg.gamma / 2.0);
    const double times[2] = {0.0, 1.0};
    status = condense_activation_lookup(cfg.activation, 0, &sigma);
    if (status == CONDENSE_OK)
        status = condense_data_synthetic(cfg.n, cfg.W0, cfg.H0, cfg.C0, cfg.c, cfg.seed, &d);
    if (status == CONDENSE_OK) status = condense_real_flow_alloc(d, M, cfg.m, sigma, eps, &flow);
    if (status == CONDENSE_OK) status = condense_cnn_clone(flow->net, 0, &net);
    if (status == CONDENSE_OK) status = condense_rng_alloc(cfg.seed * 1000003UL + M, &rng);
    if (status == CONDENSE_OK) status = condense_init_normal(net, 1.0, rng);
    if (status == CONDENSE_OK) {
        theta_bar = malloc(flow->dim * sizeof(double));
        if (theta_bar == NULL) status = condense_error_set(CONDENSE_ENOMEM, __func__, "no memory");
    }
    char sub[64], out[4096];
    if (status == CONDENSE_OK) {
        condense_cnn_pack(net, theta_bar);
        snprintf(sub, sizeof sub, "flow-init-M%zu", M);
        if (!join(out, sizeof out, dir, sub))
            status = condense_error_set(CONDENSE_EINVAL, __func__, "path too long");
    }
    if (status == CONDENSE_OK) status = condense_cnn_save(net, out, "bench: theta_bar(0)");
    double setup_s = 0.0, seconds = 0.0;
    if (status == CONDENSE_OK) {
        const double t0 = now();
        status = condense_real_flow_set_path(flow, path);
        setup_s = now() - t0;
    }
    if (status == CONDENSE_OK) {
        flow->n_field = 0;
        const double t0 = now();
        status = condense_real_flow_integrate(flow, theta_bar, times, 2, cfg.epsabs, cfg.epsrel,
                                              NULL, NULL);
        seconds = now() - t0;
    }
    if (status == CONDENSE_OK) {
        condense_cnn_unpack(net, theta_bar);
        snprintf(sub, sizeof sub, "flow-out-%s-M%zu", name, M);
        if (!join(out, sizeof out, dir, sub))
            status = condense_error_set(CONDENSE_EINVAL, __func__, "path too long");
    }
    if (status == CONDENSE_OK) status = condense_cnn_save(net, out, "bench: theta_bar(1)");
    if (status == CONDENSE_OK) {
        const double span = times[1] - times[0];
        printf("flow.%s.%zu.seconds=%.6g\n", name, M, seconds);
        printf("flow.%s.%zu.span=%.6g\n", name, M, span);
        printf("flow.%s.%zu.s_per_unit_time=%.6g\n", name, M, seconds / span);
        printf("flow.%s.%zu.n_field=%lu\n", name, M, flow->n_field);
        printf("flow.%s.%zu.ms_per_field=%.6g\n", name, M,
               1e3 * seconds / (double)(flow->n_field ? flow->n_field : 1));
        printf("flow.%s.%zu.setup_s=%.6g\n", name, M, setup_s);
        printf("flow.%s.%zu.dim=%zu\n", name, M, flow->dim);
        printf("flow.%s.%zu.rss_kb=%ld\n", name, M, peak_rss_kb());
    }
    free(theta_bar);
    gsl_rng_free(rng);
    condense_cnn_free(net);
    condense_real_flow_free(flow);
    condense_data_free(d);
    return status == CONDENSE_OK ? 0 : fail("real flow", status);
}

/* ---- dgemm ------------------------------------------------------------------------------ */

static int cmd_dgemm(const char *N_text, const char *reps_text)
{
    size_t N, reps;
    if (!parse_size(N_text, &N) || !parse_size(reps_text, &reps)) return usage();
    double *A = malloc(N * N * sizeof(double)), *B = malloc(N * N * sizeof(double));
    double *C = calloc(N * N, sizeof(double)), *t = calloc(reps, sizeof(double));
    if (!A || !B || !C || !t) {
        free(A);
        free(B);
        free(C);
        free(t);
        fprintf(stderr, "bench: no memory for dgemm\n");
        return 1;
    }
    for (size_t k = 0; k < N * N; ++k) {
        A[k] = sin((double)k);
        B[k] = cos((double)k);
    }
    const int n = (int)N;
    /* One warm-up call (thread pools, page faults), then the timed ones. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
    for (size_t r = 0; r < reps; ++r) {
        const double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
        t[r] = now() - t0;
    }
    const double s = median(t, reps);
    printf("dgemm.N=%zu\n", N);
    printf("dgemm.seconds=%.6g\n", s);
    printf("dgemm.gflops=%.6g\n", 2.0 * (double)N * (double)N * (double)N / s * 1e-9);
    printf("dgemm.check=%.6g\n", C[N * N / 2]); /* keeps the product observable */
    free(A);
    free(B);
    free(C);
    free(t);
    return 0;
}

/* ---- compare ---------------------------------------------------------------------------- */

/* A two-layer network shaped after the .npy files of dir (W1 (m,m,C0,M), a (W1,H1,M)). */
static int net_like(const char *dir, condense_cnn **net)
{
    char path[4096];
    size_t ndim, sW[CONDENSE_NPY_MAX_DIMS], sa[CONDENSE_NPY_MAX_DIMS];
    if (!join(path, sizeof path, dir, "W1.npy"))
        return condense_error_set(CONDENSE_EINVAL, __func__, "path too long");
    CONDENSE_TRY(condense_npy_shape(path, &ndim, sW));
    if (ndim != 4) CONDENSE_ERROR(CONDENSE_ESIZE, "%s is not 4-dimensional", path);
    if (!join(path, sizeof path, dir, "a.npy"))
        return condense_error_set(CONDENSE_EINVAL, __func__, "path too long");
    CONDENSE_TRY(condense_npy_shape(path, &ndim, sa));
    if (ndim != 3) CONDENSE_ERROR(CONDENSE_ESIZE, "%s is not 3-dimensional", path);
    condense_cnn_shape shape;
    memset(&shape, 0, sizeof shape);
    shape.L = 1;
    shape.W0 = sa[0] + sW[0] - 1;
    shape.H0 = sa[1] + sW[1] - 1;
    shape.C0 = sW[2];
    shape.C[1] = sW[3];
    shape.m[1] = sW[0];
    condense_activation sigma;
    CONDENSE_TRY(condense_activation_lookup("tanh", 0, &sigma));
    CONDENSE_TRY(condense_cnn_alloc(&shape, sigma, net));
    const int status = condense_cnn_load(*net, dir);
    if (status != CONDENSE_OK) {
        condense_cnn_free(*net);
        *net = NULL;
    }
    return status;
}

/* Over the blocks W, b, a: max |A - B|_inf / |B|_inf (parameters) and
 * max |(A - I) - (B - I)|_inf / |B - I|_inf (displacements from the common start I: the
 * sensitive measure, since a small learning rate moves the parameters little). */
static void rel_diffs(const double *I, const double *A, const double *B, size_t n, double *param,
                      double *disp, double *floor_)
{
    double dAB = 0.0, nB = 0.0, dd = 0.0, nD = 0.0;
    for (size_t k = 0; k < n; ++k) {
        dAB = fmax(dAB, fabs(A[k] - B[k]));
        nB = fmax(nB, fabs(B[k]));
        dd = fmax(dd, fabs((A[k] - I[k]) - (B[k] - I[k])));
        nD = fmax(nD, fabs(B[k] - I[k]));
    }
    *param = fmax(*param, nB > 0.0 ? dAB / nB : dAB);
    *disp = fmax(*disp, nD > 0.0 ? dd / nD : dd);
    /* A bound on what rounding alone explains in the displacement measure: A and B are stored
     * at the precision of the parameters, so A - I carries rounding of up to about
     * DBL_EPSILON |B|_inf per entry. */
    if (nD > 0.0) *floor_ = fmax(*floor_, DBL_EPSILON * nB / nD);
}

static int cmd_compare(const char *tag, const char *init_dir, const char *a_dir, const char *b_dir)
{
    condense_cnn *I = NULL, *A = NULL, *B = NULL;
    int status = net_like(init_dir, &I);
    if (status == CONDENSE_OK) status = net_like(a_dir, &A);
    if (status == CONDENSE_OK) status = net_like(b_dir, &B);
    if (status == CONDENSE_OK) status = condense_cnn_same_shape(I, A);
    if (status == CONDENSE_OK) status = condense_cnn_same_shape(I, B);
    if (status == CONDENSE_OK) {
        double param = 0.0, disp = 0.0, floor_ = 0.0;
        rel_diffs(I->kernel[1], A->kernel[1], B->kernel[1], condense_cnn_W_size(I, 1), &param,
                  &disp, &floor_);
        rel_diffs(I->bias[1], A->bias[1], B->bias[1], condense_cnn_b_size(I, 1), &param, &disp,
                  &floor_);
        rel_diffs(I->a, A->a, B->a, condense_cnn_a_size(I), &param, &disp, &floor_);
        printf("cmp.%s.param=%.3e\n", tag, param);
        printf("cmp.%s.disp=%.3e\n", tag, disp);
        printf("cmp.%s.disp_floor=%.3e\n", tag, floor_);
    }
    condense_cnn_free(I);
    condense_cnn_free(A);
    condense_cnn_free(B);
    return status == CONDENSE_OK ? 0 : fail("compare", status);
}

/* ---- report ----------------------------------------------------------------------------- */

enum { MAX_KV = 1024, KV_LEN = 512 };
static char kv_key[MAX_KV][128], kv_val[MAX_KV][KV_LEN];
static size_t kv_n;

static int kv_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 0;
    }
    char line[1024];
    while (fgets(line, sizeof line, f) != NULL && kv_n < MAX_KV) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (eq == NULL || eq == line || (size_t)(eq - line) >= sizeof kv_key[0]) continue;
        *eq = '\0';
        /* A later line with the same key wins. */
        size_t k = 0;
        while (k < kv_n && strcmp(kv_key[k], line) != 0)
            ++k;
        const size_t klen = (size_t)(eq - line), vlen = strlen(eq + 1);
        memcpy(kv_key[k], line, klen + 1); /* klen < sizeof kv_key[k], checked above */
        const size_t vkeep = vlen < KV_LEN - 1 ? vlen : KV_LEN - 1;
        memcpy(kv_val[k], eq + 1, vkeep);
        kv_val[k][vkeep] = '\0';
        if (k == kv_n) ++kv_n;
    }
    fclose(f);
    return 1;
}

static const char *kv_str(const char *key)
{
    for (size_t k = 0; k < kv_n; ++k)
        if (strcmp(kv_key[k], key) == 0) return kv_val[k];
    return NULL;
}

static double kv_num(const char *fmt, const char *a, size_t M, const char *field)
{
    char key[256];
    snprintf(key, sizeof key, fmt, a, M, field);
    const char *v = kv_str(key);
    double x;
    return v != NULL && parse_double(v, &x) ? x : NAN;
}

static const char *kv_text(const char *fmt, const char *a, size_t M, const char *field)
{
    char key[256];
    snprintf(key, sizeof key, fmt, a, M, field);
    return kv_str(key);
}

static const char *or_na(const char *s)
{
    return s != NULL ? s : "n/a";
}

/* A number into buf, or "n/a" for NaN. */
static const char *fmt_num(char *buf, size_t size, const char *fmt, double x)
{
    if (isnan(x))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, fmt, x);
    return buf;
}

/* A CSV field: the number, or empty for NaN (a missing measurement). */
static const char *cnum(char *buf, size_t size, const char *fmt, double x)
{
    if (isnan(x))
        buf[0] = '\0';
    else
        snprintf(buf, size, fmt, x);
    return buf;
}

static const char *gd_impls[] = {"direct", "fast", "torch"};
static const size_t flow_M[] = {256, 4096};
static const char *flow_paths[] = {"direct", "fast"};

static int cmd_report(const char *results, const char *csv_path)
{
    if (!kv_read(results)) return 1;
    FILE *csv = fopen(csv_path, "w");
    if (csv == NULL) {
        perror(csv_path);
        return 1;
    }
    double dgemm = NAN;
    if (kv_str("dgemm.gflops") == NULL || !parse_double(kv_str("dgemm.gflops"), &dgemm))
        dgemm = NAN;
    char prov[2048];
    snprintf(
        prov, sizeof prov,
        "%s; seed %s; threads %s; CBLAS %s (cblas_dgemm from %s); torch %s (threads %s, BLAS %s); "
        "CPU %s; date %s",
        or_na(kv_str("info.version")), or_na(kv_str("info.seed")), or_na(kv_str("info.threads")),
        or_na(kv_str("info.blas")), or_na(kv_str("info.blas_runtime")), or_na(kv_str("info.torch")),
        or_na(kv_str("info.torch_threads")), or_na(kv_str("info.torch_blas")),
        or_na(kv_str("info.cpu")), or_na(kv_str("info.date")));
    printf("condense benchmark -- %s\n\n", prov);
    fprintf(csv, "# %s\n", prov);
    fprintf(csv, "section,M,impl,seconds,timing,gflops,pct_of_dgemm,peak_rss_mib,ratio_to_fast,"
                 "R_S_start,R_S_after,n_field,ms_per_field,max_rel_diff_param,"
                 "max_rel_diff_displacement,note\n");

    printf("1. One full-batch GD step (forward + backward + update), two-layer tanh CNN (L = 1), "
           "n = %s MNIST-sized synthetic images %s, m = %s, MSE R_S (eq. 1), float64, "
           "lr = 1/(W1 H1 M).\n",
           or_na(kv_str("info.gd_n")), or_na(kv_str("info.gd_shape")), or_na(kv_str("info.gd_m")));
    printf("   step time = median over the timed steps; GFLOP/s = analytic flops / step time "
           "(count below); %%dgemm = GFLOP/s / measured dgemm rate.\n\n");
    printf("   %5s  %-7s %11s  %-22s %8s %7s %10s %10s %12s %12s\n", "M", "impl", "step [s]",
           "timing", "GFLOP/s", "%dgemm", "RSS [MiB]", "x fast", "R_S(0)", "R_S(end)");
    for (size_t k = 0; k < sizeof gd_M / sizeof *gd_M; ++k) {
        const size_t M = gd_M[k];
        const double fast = kv_num("gd.%s.%zu.%s", "fast", M, "seconds");
        for (size_t j = 0; j < 3; ++j) {
            const char *impl = gd_impls[j];
            const char *fmt = "gd.%s.%zu.%s";
            const double s = kv_num(fmt, impl, M, "seconds");
            const double flops = kv_num(fmt, impl, M, "flops");
            const double rss = kv_num(fmt, impl, M, "rss_kb") / 1024.0;
            const double steps = kv_num(fmt, impl, M, "steps");
            const double n_timed = kv_num(fmt, impl, M, "n_timed");
            const int scaled = kv_num(fmt, impl, M, "scaled") == 1.0;
            const double gf = flops / s * 1e-9, pct = 100.0 * gf / dgemm, ratio = s / fast;
            const double R0 = kv_num(fmt, impl, M, "R0"), Re = kv_num(fmt, impl, M, "Rend");
            const char *na = kv_text(fmt, impl, M, "na");
            char timing[128], b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32];
            if (isnan(s))
                snprintf(timing, sizeof timing, "n/a: %s", or_na(na));
            else if (scaled)
                snprintf(timing, sizeof timing, "median %g, n=%g scaled", steps, n_timed);
            else if (steps == 1.0)
                snprintf(timing, sizeof timing, "1 step");
            else
                snprintf(timing, sizeof timing, "median of %g steps", steps);
            printf("   %5zu  %-7s %11s  %-22s %8s %7s %10s %10s %12s %12s\n", M, impl,
                   fmt_num(b1, sizeof b1, "%.4g", s), timing, fmt_num(b2, sizeof b2, "%.3g", gf),
                   fmt_num(b3, sizeof b3, "%.3g", pct), fmt_num(b4, sizeof b4, "%.0f", rss),
                   fmt_num(b5, sizeof b5, "%.3g", ratio), fmt_num(b6, sizeof b6, "%.6g", R0),
                   fmt_num(b7, sizeof b7, "%.6g", Re));
            char c[8][40];
            fprintf(csv, "gd,%zu,%s,%s,\"%s\",%s,%s,%s,%s,%s,%s,,,,,\n", M, impl,
                    cnum(c[0], 40, "%.6g", s), timing, cnum(c[1], 40, "%.6g", gf),
                    cnum(c[2], 40, "%.4g", pct), cnum(c[3], 40, "%.1f", rss),
                    cnum(c[4], 40, "%.4g", ratio), cnum(c[5], 40, "%.17g", R0),
                    cnum(c[6], 40, "%.17g", Re));
        }
    }
    printf("\n   Parameters after the timed GD steps from the identical start (.npy exchange):"
           " max over the blocks W, b, a of\n   |A-B|_inf/|B|_inf (parameters) and of"
           " |dA-dB|_inf/|dB|_inf (displacements from theta(0)); rounding bound ="
           " DBL_EPSILON |B|_inf/|dB|_inf:\n   a displacement difference below it is within one"
           " rounding of the stored parameters.\n");
    static const char *pairs[][3] = {{"fast_torch", "fast", "torch"},
                                     {"direct_fast", "direct", "fast"}};
    for (size_t k = 0; k < sizeof gd_M / sizeof *gd_M; ++k)
        for (size_t j = 0; j < 2; ++j) {
            const size_t M = gd_M[k];
            const double p = kv_num("cmp.%s.%zu.%s", pairs[j][0], M, "param");
            const double dd = kv_num("cmp.%s.%zu.%s", pairs[j][0], M, "disp");
            const double st = kv_num("gd.%s.%zu.%s", pairs[j][1], M, "steps");
            const double fl = kv_num("cmp.%s.%zu.%s", pairs[j][0], M, "disp_floor");
            const char *why = kv_text("cmp.%s.%zu.%s", pairs[j][0], M, "na");
            char b1[32], b2[32], b3[32], b4[96];
            if (why != NULL || isnan(p))
                printf("   M = %4zu  %-6s vs %-6s: n/a (%s)\n", M, pairs[j][1], pairs[j][2],
                       or_na(why));
            else
                printf("   M = %4zu  %-6s vs %-6s after %s steps: parameters %s, displacements "
                       "%s (rounding bound %s)\n",
                       M, pairs[j][1], pairs[j][2], fmt_num(b3, sizeof b3, "%g", st),
                       fmt_num(b1, sizeof b1, "%.2e", p), fmt_num(b2, sizeof b2, "%.2e", dd),
                       fmt_num(b4, sizeof b4, "%.1e", fl));
            char c[3][40];
            if (why == NULL && !isnan(fl))
                snprintf(b4, sizeof b4, "displacement rounding bound %.1e", fl);
            else
                snprintf(b4, sizeof b4, "%s", why ? why : "");
            fprintf(csv, "gd-compare,%zu,%s vs %s,,,,,,,,,,,%s,%s,\"%s\"\n", M, pairs[j][1],
                    pairs[j][2], cnum(c[0], 40, "%.3e", p), cnum(c[1], 40, "%.3e", dd), b4);
        }
    printf("\n   Flops per step: with P = n W1 H1 M and K = C0 m^2 + 1: 2PK (forward dgemm, bias "
           "as a ones column) + P (tanh) + 2P (f)\n   + 4P (z = -(e_i/n) a (1 - tanh^2)) + 2PK"
           " (dW, db dgemm) + 2P (da) + 3n (e, R_S) + 2 N_theta (update)\n   = 4PK + 9P + 3n +"
           " 2 N_theta; no input gradient at L = 1.  M = 32: %.4g GFLOP, M = 320: %.4g GFLOP.\n",
           gd_flops(GD_N, 32) * 1e-9, gd_flops(GD_N, 320) * 1e-9);
    char b0[32];
    printf("   Machine dgemm (cblas_dgemm %sx%s, same CBLAS as the library, median): %s GFLOP/s."
           "\n",
           or_na(kv_str("dgemm.N")), or_na(kv_str("dgemm.N")),
           fmt_num(b0, sizeof b0, "%.3g", dgemm));
    char cd0[40];
    fprintf(csv, "dgemm,,cblas_dgemm,%s,\"median, N = %s\",%s,100,,,,,,,,,\n",
            kv_str("dgemm.seconds") ? kv_str("dgemm.seconds") : "", or_na(kv_str("dgemm.N")),
            cnum(cd0, sizeof cd0, "%.6g", dgemm));
    const char *torch_rss = kv_str("info.torch_import_rss_kb");
    if (torch_rss != NULL)
        printf("   torch peak RSS includes the interpreter and `import torch` (%.0f MiB right "
               "after import).\n",
               strtod(torch_rss, NULL) / 1024.0);

    printf("\n2. Real flow of the verification instance (condense_verify_default, n = 12, 6x6, "
           "m = 3, tanh, eps^2 = M^-4, theta_bar(0) ~ N(0,1)),\n   GSL rk8pd over t in [0, 1], "
           "tolerances 1e-9; final states compared with the direct path as above.\n\n");
    printf("   %5s  %-7s %10s %14s %9s %12s %10s %10s %12s %12s\n", "M", "path", "wall [s]",
           "s / unit time", "n_field", "ms / field", "RSS [MiB]", "x fast", "vs direct", "displ.");
    for (size_t k = 0; k < sizeof flow_M / sizeof *flow_M; ++k)
        for (size_t j = 0; j < 2; ++j) {
            const size_t M = flow_M[k];
            const char *fmt = "flow.%s.%zu.%s", *p = flow_paths[j];
            const double s = kv_num(fmt, p, M, "seconds");
            const double su = kv_num(fmt, p, M, "s_per_unit_time");
            const double nf = kv_num(fmt, p, M, "n_field");
            const double ms = kv_num(fmt, p, M, "ms_per_field");
            const double rss = kv_num(fmt, p, M, "rss_kb") / 1024.0;
            const double ratio = s / kv_num(fmt, "fast", M, "seconds");
            const double cp = j ? kv_num("cmp.%s.%zu.%s", "flow", M, "param") : NAN;
            const double cd = j ? kv_num("cmp.%s.%zu.%s", "flow", M, "disp") : NAN;
            char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32], b8[32];
            printf("   %5zu  %-7s %10s %14s %9s %12s %10s %10s %12s %12s\n", M, p,
                   fmt_num(b1, sizeof b1, "%.4g", s), fmt_num(b2, sizeof b2, "%.4g", su),
                   fmt_num(b3, sizeof b3, "%.0f", nf), fmt_num(b4, sizeof b4, "%.4g", ms),
                   fmt_num(b5, sizeof b5, "%.0f", rss), fmt_num(b6, sizeof b6, "%.3g", ratio),
                   j ? fmt_num(b7, sizeof b7, "%.2e", cp) : "-",
                   j ? fmt_num(b8, sizeof b8, "%.2e", cd) : "-");
            char c[8][40];
            fprintf(csv, "flow,%zu,%s,%s,\"t in [0, 1]\",,,%s,%s,,,%s,%s,%s,%s,\n", M, p,
                    cnum(c[0], 40, "%.6g", s), cnum(c[1], 40, "%.1f", rss),
                    cnum(c[2], 40, "%.4g", ratio), cnum(c[3], 40, "%.0f", nf),
                    cnum(c[4], 40, "%.6g", ms), cnum(c[5], 40, "%.3e", cp),
                    cnum(c[6], 40, "%.3e", cd));
        }
    printf("\n3. Threads: %s (OMP_NUM_THREADS or nproc; torch.set_num_threads the same).  CBLAS: "
           "%s (cblas_dgemm resolved to %s).\n",
           or_na(kv_str("info.threads")), or_na(kv_str("info.blas")),
           or_na(kv_str("info.blas_runtime")));
    fclose(csv);
    printf("   CSV: %s\n", csv_path);
    return 0;
}

int main(int argc, char **argv)
{
    condense_gsl_quiet();
    if (argc < 2) return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "info") == 0 && argc == 2) return cmd_info();
    if (strcmp(cmd, "prepare") == 0 && argc == 4) return cmd_prepare(argv[2], argv[3]);
    if (strcmp(cmd, "gd") == 0 && argc == 7)
        return cmd_gd(argv[2], argv[3], argv[4], argv[5], argv[6]);
    if (strcmp(cmd, "flow") == 0 && argc == 5) return cmd_flow(argv[2], argv[3], argv[4]);
    if (strcmp(cmd, "dgemm") == 0 && argc == 4) return cmd_dgemm(argv[2], argv[3]);
    if (strcmp(cmd, "compare") == 0 && argc == 6)
        return cmd_compare(argv[2], argv[3], argv[4], argv[5]);
    if (strcmp(cmd, "report") == 0 && argc == 4) return cmd_report(argv[2], argv[3]);
    return usage();
}
