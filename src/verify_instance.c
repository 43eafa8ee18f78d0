/* verify_instance.c -- the verification instance of the CNN paper's results: a data set that
 * satisfies Assumption 2, an activation that satisfies Assumption 1, Z, A and the SVD of Z
 * (Assumption 4), and real-flow runs over an M-sweep with eps^2 = M^(-gamma) (Assumption 3).
 * The per-result checks that read these runs are in verify_<result>.c. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, CLOCK_MONOTONIC */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

#include "condense/bounds.h"
#include "condense/cnn.h"
#include "condense/error.h"
#include "condense/fast.h"
#include "condense/init.h"
#include "condense/linear_flow.h"
#include "condense/linearization.h"
#include "condense/observables.h"
#include "condense/real_flow.h"
#include "condense/residual.h"
#include "condense/theta.h"
#include "condense/verify.h"
#include "verify_internal.h"

void condense_verify_default(condense_verify_config *cfg, int quick)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->n = 12;
    cfg->W0 = 6;
    cfg->H0 = 6;
    cfg->C0 = 1;
    cfg->m = 3;
    cfg->c = 4.0;
    cfg->activation = "tanh";
    cfg->gamma = 4.0;
    cfg->delta = 0.1;
    cfg->epsabs = 1e-9;
    cfg->epsrel = 1e-9;
    static const size_t quick_M[] = {16, 64, 256, 1024};
    static const size_t full_M[] = {16, 64, 256, 1024, 4096, 16384};
    const size_t *Ms = quick ? quick_M : full_M;
    cfg->n_M = quick ? sizeof quick_M / sizeof *quick_M : sizeof full_M / sizeof *full_M;
    for (size_t k = 0; k < cfg->n_M; ++k)
        cfg->M[k] = Ms[k];
    cfg->n_times = quick ? 120 : 400;
    cfg->prop2_times = quick ? 8 : 24;
    cfg->prop2_max_M = quick ? 64 : 256;
    cfg->mc_trials = quick ? 2000 : 20000;
}

static int check_config(const condense_verify_config *cfg)
{
    CONDENSE_CHECK_NULL(cfg);
    CONDENSE_CHECK_NULL(cfg->activation);
    /* gamma in (0, 1] is a valid small initialization (eps < 1) outside Theorem 1: the results
     * that need gamma > 1 are reported NOT APPLICABLE (condense_verify_inapplicable) */
    if (!(isfinite(cfg->gamma) && cfg->gamma > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "gamma = %g: need gamma > 0 (eps^2 = M^-gamma < 1; Theorem 1 needs "
                       "gamma > 1)",
                       cfg->gamma);
    if (!(cfg->delta > 0.0 && cfg->delta < 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "delta = %g is not in (0, 1)", cfg->delta);
    if (cfg->n_M == 0 || cfg->n_M > CONDENSE_VERIFY_MAX_M)
        CONDENSE_ERROR(CONDENSE_ESIZE, "the M-sweep has %zu values: need 1 to %d", cfg->n_M,
                       CONDENSE_VERIFY_MAX_M);
    for (size_t k = 0; k < cfg->n_M; ++k)
        if (cfg->M[k] == 0 || (k > 0 && cfg->M[k] <= cfg->M[k - 1]))
            CONDENSE_ERROR(CONDENSE_EINVAL, "the M-sweep must be positive and increasing");
    if (cfg->n_times < 2 || cfg->mc_trials == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "need at least 2 sampled times and 1 Monte Carlo draw");
    if (!(isfinite(cfg->t_end) && cfg->t_end >= 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "t_end = %g: need a finite t_end >= 0", cfg->t_end);
    if (!(cfg->epsabs >= 0.0 && cfg->epsrel >= 0.0 && cfg->epsabs + cfg->epsrel > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "ODE tolerances epsabs = %g, epsrel = %g", cfg->epsabs,
                       cfg->epsrel);
    return CONDENSE_OK;
}

/* Assumption 1 (eq. 6-7): sigma in C^2 with bounded sigma', sigma'' (C_L finite),
 * sigma(0) = 0 and sigma'(0) = 1. */
static int check_assumption1(const condense_activation *sigma)
{
    const condense_activation_type *t = sigma->type;
    const double s0 = condense_sigma(sigma, 0.0), s1 = condense_sigma1(sigma, 0.0);
    if (t->r != 1 || !isfinite(t->C_L) || fabs(s0) > 1e-15 || fabs(s1 - 1.0) > 1e-15)
        CONDENSE_ERROR(CONDENSE_EDOM,
                       "activation %s does not satisfy Assumption 1 (needs multiplicity 1, "
                       "finite C_L, sigma(0) = 0, sigma'(0) = 1; here r = %d, C_L = %g, "
                       "sigma(0) = %g, sigma'(0) = %g)",
                       t->name, t->r, t->C_L, s0, s1);
    return CONDENSE_OK;
}

int condense_verify_instance_alloc(const condense_verify_config *cfg,
                                   condense_verify_instance **inst)
{
    CONDENSE_CHECK_NULL(inst);
    CONDENSE_TRY(check_config(cfg));
    condense_verify_instance *in = calloc(1, sizeof *in);
    if (in == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the instance");
    in->cfg = *cfg;
    int status = condense_activation_lookup(cfg->activation, 0, &in->sigma);
    if (status == CONDENSE_OK) status = check_assumption1(&in->sigma);
    if (status == CONDENSE_OK)
        status = condense_data_synthetic(cfg->n, cfg->W0, cfg->H0, cfg->C0, cfg->c, cfg->seed,
                                         &in->data);
    if (status == CONDENSE_OK) status = condense_data_assumption2_c(in->data, &in->c);
    if (status == CONDENSE_OK) status = condense_Z_alloc(in->data, cfg->m, &in->Z);
    if (status == CONDENSE_OK) status = condense_A_alloc(in->Z, &in->A);
    if (status == CONDENSE_OK) status = condense_spectrum_alloc(in->Z, -1.0, &in->spec);
    if (status == CONDENSE_OK)
        status = condense_assumption4(in->spec, 1e-8, &in->assumption4, &in->gap_rel);
    if (status != CONDENSE_OK) {
        condense_verify_instance_free(in);
        return status;
    }
    in->C_L = in->sigma.type->C_L * fabs(in->sigma.scale);
    in->N_W = in->Z->size2;
    in->N_a = in->Z->size1;
    *inst = in;
    return CONDENSE_OK;
}

static void run_free(condense_verify_run *run)
{
    free(run->t);
    free(run->E_max);
    free(run->phi);
    free(run->rel_change);
    free(run->ratio);
    free(run->lin_ratio);
    free(run->lin_dev);
    free(run->cos_ones);
    free(run->amplitude);
    free(run->D);
    memset(run, 0, sizeof *run);
}

void condense_verify_instance_free(condense_verify_instance *inst)
{
    if (inst == NULL) return;
    for (size_t k = 0; k < inst->n_runs; ++k)
        run_free(&inst->runs[k]);
    condense_spectrum_free(inst->spec);
    gsl_matrix_free(inst->A);
    gsl_matrix_free(inst->Z);
    condense_data_free(inst->data);
    free(inst);
}

/* What the observer of one run needs. */
typedef struct run_state {
    const condense_verify_instance *inst;
    condense_verify_run *run;
    condense_real_flow *flow;
    condense_cnn *net; /* the observer's own copy of the network (the flow's is scratch) */
    condense_prop2 p2;
    double *theta_W0;    /* theta_W(0), M N_W */
    double *theta_beta0; /* theta_beta(0) for every beta, M (N_W + N_a) */
    double *theta_W;     /* theta_W(t) */
    double *theta_W_lin; /* theta_W^lin(t) */
    double *theta_beta;  /* one theta_beta */
    double *f, *g;       /* residuals of every kernel, M x N_W and M x N_a */
    double *lin;         /* theta_beta^lin(t) of one kernel */
    size_t k;            /* index of the next sampled time */
    size_t prop2_every;
    int skip; /* the next observation repeats the last recorded time (a segment's
               * start) */
} run_state;

static double norm2(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t j = 0; j < n; ++j)
        s += x[j] * x[j];
    return sqrt(s);
}

/* Proposition 2 at one time: max over beta of |f_beta| / (B |theta_{a,beta}|) and
 * |g_beta| / (B |theta_{W,beta}|), the residuals of all kernels from one field evaluation. */
static int prop2_at(run_state *st, const double *theta_bar, double E_max)
{
    condense_verify_run *run = st->run;
    const size_t N_W = st->inst->N_W, N_a = st->inst->N_a;
    const double B = condense_prop2_bound(&st->p2, run->M, run->eps, E_max);
    CONDENSE_TRY(condense_residual_all_from_field(st->flow, st->inst->A, theta_bar, st->f, st->g));
    for (size_t beta = 1; beta <= run->M; ++beta) {
        CONDENSE_TRY(condense_real_flow_theta_beta(st->flow, theta_bar, beta, st->theta_beta));
        const double nW = norm2(st->theta_beta, N_W), na = norm2(st->theta_beta + N_W, N_a);
        const double rf = norm2(st->f + (beta - 1) * N_W, N_W) / (B * na);
        const double rg = norm2(st->g + (beta - 1) * N_a, N_a) / (B * nW);
        const double r2[2] = {rf, rg};
        for (int j = 0; j < 2; ++j) {
            if (!isfinite(r2[j])) continue; /* a kernel with theta_a = 0: both sides 0 */
            run->prop2_max = fmax(run->prop2_max, r2[j]);
            if (r2[j] > 0.0) run->prop2_min_nonzero = fmin(run->prop2_min_nonzero, r2[j]);
            run->prop2_samples++;
        }
    }
    return CONDENSE_OK;
}

/* The observer's signal that everything a run needs has been recorded (not an error). */
#define RUN_COMPLETE 1000

/* The observer: every quantity of the run at the sampled time t_k. */
static int observe(double t, const double *theta_bar, void *user)
{
    run_state *st = user;
    if (st->skip) {
        st->skip = 0;
        return CONDENSE_OK;
    }
    condense_verify_run *run = st->run;
    const condense_verify_instance *inst = st->inst;
    const size_t k = st->k++, M = run->M, N_W = inst->N_W, N_a = inst->N_a;
    condense_cnn_unpack(st->net, theta_bar);
    CONDENSE_TRY(condense_theta_W_pack(st->net, st->theta_W));
    double E_max;
    CONDENSE_TRY(condense_energy(st->flow, theta_bar, NULL, &E_max));
    run->E_max[k] = E_max;
    run->phi[k] = k == 0 ? E_max : fmax(run->phi[k - 1], E_max); /* eq. (52) */
    CONDENSE_TRY(condense_relative_change(st->theta_W, st->theta_W0, M * N_W, &run->rel_change[k]));
    gsl_vector_const_view v1 = condense_spectrum_v(inst->spec, 1);
    const double *v1p = v1.vector.data;
    double *v1c = st->theta_beta; /* v_1 copied contiguously (the view may be strided) */
    for (size_t j = 0; j < N_W; ++j)
        v1c[j] = v1p[j * v1.vector.stride];
    CONDENSE_TRY(condense_condensation_ratio(st->theta_W, M, N_W, v1c, &run->ratio[k]));
    /* The linear flow of Proposition 1 from the same theta(0), kernel by kernel. */
    for (size_t beta = 0; beta < M; ++beta) {
        CONDENSE_TRY(
            condense_linear_flow(inst->spec, st->theta_beta0 + beta * (N_W + N_a), t, st->lin));
        memcpy(st->theta_W_lin + beta * N_W, st->lin, N_W * sizeof(double));
    }
    for (size_t j = 0; j < N_W; ++j)
        v1c[j] = v1p[j * v1.vector.stride];
    CONDENSE_TRY(condense_condensation_ratio(st->theta_W_lin, M, N_W, v1c, &run->lin_ratio[k]));
    double dev = 0.0;
    for (size_t j = 0; j < M * N_W; ++j)
        dev += (st->theta_W[j] - st->theta_W_lin[j]) * (st->theta_W[j] - st->theta_W_lin[j]);
    run->lin_dev[k] = sqrt(dev) / norm2(st->theta_W_lin, M * N_W);
    if (inst->cfg.record_kernels) {
        /* The figures' per-kernel views and eq. (5) between all kernels; a kernel that is
         * exactly zero has no direction (NaN), which is recorded, not an error. */
        const int views = condense_kernel_views(st->theta_W, M, N_W, run->cos_ones + k * M,
                                                run->amplitude + k * M);
        const int cosines = condense_cosine_matrix(st->theta_W, M, N_W, run->D);
        if (views != CONDENSE_OK && views != CONDENSE_EDOM) return views;
        if (cosines != CONDENSE_OK && cosines != CONDENSE_EDOM) return cosines;
    }
    /* eq. (54): the first sampled time at which M eps^2 phi^3 > M^(-tau). */
    int exceeded;
    CONDENSE_TRY(condense_teff_exceeded(M, run->eps, inst->cfg.gamma, run->phi[k], &exceeded));
    if (exceeded && !run->T_eff_found) {
        run->T_eff = t;
        run->T_eff_found = 1;
    }
    if (M <= inst->cfg.prop2_max_M && k % st->prop2_every == 0)
        CONDENSE_TRY(prop2_at(st, theta_bar, E_max));
    run->nt = k + 1;
    /* Done once T_eff is located and t_0, t_bar_0 are passed: the rest would cost time only. */
    if (!inst->cfg.run_to_end && run->T_eff_found && t >= run->t0 && t >= run->t0_bar)
        return RUN_COMPLETE;
    return CONDENSE_OK;
}

static int compare_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One real-flow run at M: the time grid, theta_bar(0) ~ N(0,1) (eq. 28), the integration. */
/* Wall-clock seconds on the monotonic clock (clock() would sum CPU time over the threads of
 * the fast path, and the report shows elapsed seconds). */
static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The recorded part of a checkpointed run back into run (same M, same grid), and the state
 * into theta_bar: the observer continues at index resume->nt. */
static int resume_run(const condense_verify_instance *inst, run_state *st, double *theta_bar)
{
    const condense_verify_config *cfg = &inst->cfg;
    const condense_verify_run *r = cfg->resume;
    condense_verify_run *run = st->run;
    const size_t M = run->M, nt = r->nt;
    if (r->M != M || nt == 0 || nt > cfg->n_times + 1 || r->t == NULL || r->E_max == NULL ||
        r->phi == NULL || r->rel_change == NULL || r->ratio == NULL || r->lin_ratio == NULL ||
        r->lin_dev == NULL || cfg->resume_theta_bar == NULL ||
        (cfg->record_kernels && (r->cos_ones == NULL || r->amplitude == NULL || r->D == NULL)))
        CONDENSE_ERROR(CONDENSE_EINVAL,
                       "the run to resume (M = %zu, %zu times) does not fit this run (M = %zu)",
                       r->M, nt, M);
    /* The grid is recomputed from the seed (the same bits on the same machine); a relative
     * 1e-12 allows for a libm that rounds otherwise (e.g. under valgrind), and the recorded
     * times are kept as they were. */
    for (size_t k = 0; k < nt; ++k)
        if (!(fabs(r->t[k] - run->t[k]) <= 1e-12 * fabs(run->t[k])))
            CONDENSE_ERROR(CONDENSE_EINVAL,
                           "the run to resume has t[%zu] = %.17g, this run %.17g: another grid", k,
                           r->t[k], run->t[k]);
    const size_t b = nt * sizeof(double);
    memcpy(run->t, r->t, b);
    memcpy(run->E_max, r->E_max, b);
    memcpy(run->phi, r->phi, b);
    memcpy(run->rel_change, r->rel_change, b);
    memcpy(run->ratio, r->ratio, b);
    memcpy(run->lin_ratio, r->lin_ratio, b);
    memcpy(run->lin_dev, r->lin_dev, b);
    if (cfg->record_kernels) {
        memcpy(run->cos_ones, r->cos_ones, b * M);
        memcpy(run->amplitude, r->amplitude, b * M);
        memcpy(run->D, r->D, M * M * sizeof(double));
    }
    run->nt = nt;
    run->prop2_max = r->prop2_max;
    run->prop2_min_nonzero = r->prop2_min_nonzero;
    run->prop2_samples = r->prop2_samples;
    run->T_eff = r->T_eff;
    run->T_eff_found = r->T_eff_found;
    memcpy(theta_bar, cfg->resume_theta_bar, st->flow->dim * sizeof(double));
    st->flow->n_field = r->n_field;
    st->k = nt;
    return CONDENSE_OK;
}

/* The integration over the nt >= 2 sampled times (n_times >= 2): in one piece, or
 * (cfg->segment > 0) in segments
 * of cfg->segment intervals with a checkpoint after each but the last; from the start or from
 * cfg->resume.  A segment's first time repeats the last recorded one: not observed again. */
static int integrate_segments(const condense_verify_instance *inst, run_state *st,
                              double *theta_bar, size_t nt)
{
    const condense_verify_config *cfg = &inst->cfg;
    condense_verify_run *run = st->run;
    size_t e = 0;
    if (cfg->resume != NULL && run == &inst->runs[0]) {
        CONDENSE_TRY(resume_run(inst, st, theta_bar));
        e = run->nt - 1;
        st->skip = 1;
    }
    if (cfg->segment == 0 && e == 0)
        return condense_real_flow_integrate(st->flow, theta_bar, run->t, nt, cfg->epsabs,
                                            cfg->epsrel, observe, st);
    while (e + 1 < nt) {
        size_t end = cfg->segment > 0 ? (e / cfg->segment + 1) * cfg->segment : nt - 1;
        if (end > nt - 1) end = nt - 1;
        CONDENSE_TRY(condense_real_flow_integrate(st->flow, theta_bar, run->t + e, end - e + 1,
                                                  cfg->epsabs, cfg->epsrel, observe, st));
        e = end;
        st->skip = 1;
        run->n_field = st->flow->n_field;
        if (e + 1 < nt && cfg->checkpoint != NULL)
            CONDENSE_TRY(cfg->checkpoint(run, theta_bar, st->flow->dim, cfg->checkpoint_user));
    }
    return CONDENSE_OK;
}

static int run_one(condense_verify_instance *inst, size_t M, condense_verify_run *run)
{
    const condense_verify_config *cfg = &inst->cfg;
    const size_t N_W = inst->N_W, N_a = inst->N_a;
    const double lambda_1 = condense_spectrum_lambda(inst->spec, 1);
    const double start = wall_seconds();
    memset(run, 0, sizeof *run);
    run->M = M;
    run->eps = pow((double)M, -cfg->gamma / 2.0); /* Assumption 3: eps^2 = M^-gamma */
    run->prop2_min_nonzero = INFINITY;
    run->t0 = condense_t0(M, N_W, N_a, cfg->delta, cfg->gamma, lambda_1);
    run->t0_bar = condense_t0_bar(M, cfg->gamma, lambda_1);
    run->ratio_t0_bar = NAN;

    run_state st;
    memset(&st, 0, sizeof st);
    st.inst = inst;
    st.run = run;
    gsl_rng *rng = NULL;
    double *theta_bar = NULL;
    int status = condense_real_flow_alloc(inst->data, M, cfg->m, inst->sigma, run->eps, &st.flow);
    if (status == CONDENSE_OK && cfg->path != CONDENSE_PATH_DIRECT)
        status = condense_real_flow_set_path(st.flow, cfg->path);
    if (status == CONDENSE_OK) status = condense_cnn_clone(st.flow->net, 0, &st.net);
    /* Each run's draws depend only on the seed and M, so runs can be redone one by one. */
    if (status == CONDENSE_OK) status = condense_rng_alloc(cfg->seed * 1000003UL + M, &rng);
    if (status == CONDENSE_OK) status = condense_init_normal(st.net, 1.0, rng);
    if (status == CONDENSE_OK) status = condense_prop2_init(inst->c, inst->C_L, N_W, N_a, &st.p2);
    const size_t dim = st.flow ? st.flow->dim : 0, nt_alloc = cfg->n_times + 1;
    if (status == CONDENSE_OK) {
        theta_bar = malloc(dim * sizeof(double));
        st.theta_W0 = malloc(M * N_W * sizeof(double));
        st.theta_W = malloc(M * N_W * sizeof(double));
        st.theta_W_lin = malloc(M * N_W * sizeof(double));
        st.theta_beta0 = malloc(M * (N_W + N_a) * sizeof(double));
        st.theta_beta = malloc((N_W + N_a) * sizeof(double));
        st.f = malloc(M * N_W * sizeof(double));
        st.g = malloc(M * N_a * sizeof(double));
        st.lin = malloc((N_W + N_a) * sizeof(double));
        run->t = malloc(nt_alloc * sizeof(double));
        run->E_max = malloc(nt_alloc * sizeof(double));
        run->phi = malloc(nt_alloc * sizeof(double));
        run->rel_change = malloc(nt_alloc * sizeof(double));
        run->ratio = malloc(nt_alloc * sizeof(double));
        run->lin_ratio = malloc(nt_alloc * sizeof(double));
        run->lin_dev = malloc(nt_alloc * sizeof(double));
        if (cfg->record_kernels) {
            run->cos_ones = malloc(nt_alloc * M * sizeof(double));
            run->amplitude = malloc(nt_alloc * M * sizeof(double));
            run->D = malloc(M * M * sizeof(double));
        }
        if (!theta_bar || !st.theta_W0 || !st.theta_W || !st.theta_W_lin || !st.theta_beta0 ||
            !st.theta_beta || !st.f || !st.g || !st.lin || !run->t || !run->E_max || !run->phi ||
            !run->rel_change || !run->ratio || !run->lin_ratio || !run->lin_dev ||
            (cfg->record_kernels && (!run->cos_ones || !run->amplitude || !run->D)))
            status =
                condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate run M = %zu", M);
    }
    if (status == CONDENSE_OK) {
        condense_cnn_pack(st.net, theta_bar);
        status = condense_theta_W_pack(st.net, st.theta_W0);
        for (size_t beta = 1; status == CONDENSE_OK && beta <= M; ++beta)
            status =
                condense_theta_beta_pack(st.net, beta, st.theta_beta0 + (beta - 1) * (N_W + N_a));
    }
    double E0 = 0.0;
    if (status == CONDENSE_OK) status = condense_energy(st.flow, theta_bar, NULL, &E0);
    if (status == CONDENSE_OK) {
        /* The horizon: past t_0, t_bar_0 and the time at which growth at rate lambda_1 from
         * E_max(0) would reach the threshold of eq. (54), phi = (M^-tau / (M eps^2))^(1/3),
         * plus 6 / lambda_1 because a kernel's energy grows at rate lambda_1 only in its v_1
         * component.  The run stops as soon as everything it needs is recorded. */
        const double tau = (cfg->gamma - 1.0) / 4.0;
        const double phi_T = cbrt(pow((double)M, -tau) / ((double)M * run->eps * run->eps));
        const double T_pred = fmax(log(phi_T / E0) / lambda_1, 0.0);
        const double t_end = cfg->t_end > 0.0
                                 ? cfg->t_end
                                 : fmax(fmax(T_pred, run->t0_bar), run->t0) + 6.0 / lambda_1;
        size_t nt = cfg->n_times;
        for (size_t k = 0; k < cfg->n_times; ++k)
            run->t[k] = t_end * (double)k / (double)(cfg->n_times - 1);
        if (run->t0_bar > 0.0 && run->t0_bar < t_end) run->t[nt++] = run->t0_bar;
        qsort(run->t, nt, sizeof(double), compare_double);
        st.prop2_every = cfg->prop2_times ? (nt + cfg->prop2_times - 1) / cfg->prop2_times : nt + 1;
        if (st.prop2_every == 0) st.prop2_every = 1;
        status = integrate_segments(inst, &st, theta_bar, nt);
        if (status == RUN_COMPLETE) status = CONDENSE_OK;
    }
    if (status == CONDENSE_OK) {
        /* Sup over the sampled times in [0, T_eff] (all of them if T_eff was not reached). */
        run->sup_rel_change = 0.0;
        run->sup_ratio = 0.0;
        for (size_t k = 0; k < run->nt; ++k) {
            if (run->T_eff_found && run->t[k] > run->T_eff) break;
            run->sup_rel_change = fmax(run->sup_rel_change, run->rel_change[k]);
            run->sup_ratio = fmax(run->sup_ratio, run->ratio[k]);
        }
        for (size_t k = 0; k < run->nt; ++k)
            if (run->t[k] == run->t0_bar) run->ratio_t0_bar = run->ratio[k];
        run->n_field = st.flow->n_field;
    }
    run->seconds = wall_seconds() - start;
    free(theta_bar);
    free(st.theta_W0);
    free(st.theta_W);
    free(st.theta_W_lin);
    free(st.theta_beta0);
    free(st.theta_beta);
    free(st.f);
    free(st.g);
    free(st.lin);
    gsl_rng_free(rng);
    condense_cnn_free(st.net);
    condense_real_flow_free(st.flow);
    if (status != CONDENSE_OK) run_free(run);
    return status;
}

int condense_verify_instance_run(condense_verify_instance *inst, condense_verify_progress progress,
                                 void *user)
{
    CONDENSE_CHECK_NULL(inst);
    for (size_t k = inst->n_runs; k < inst->cfg.n_M; ++k) {
        CONDENSE_TRY(run_one(inst, inst->cfg.M[k], &inst->runs[k]));
        inst->n_runs = k + 1;
        if (progress != NULL) progress(k + 1, inst->cfg.n_M, user);
    }
    return CONDENSE_OK;
}

void condense_verify_describe(const condense_verify_instance *inst, char *buf, size_t size)
{
    const condense_verify_config *cfg = &inst->cfg;
    int used = snprintf(buf, size,
                        "instance: synthetic data, seed %lu, n = %zu, %zu x %zu x %zu, m = %zu "
                        "(N_W = %zu, N_a = %zu); activation %s (C_L = %g); gamma = %g, "
                        "delta = %g; M in {",
                        cfg->seed, cfg->n, cfg->W0, cfg->H0, cfg->C0, cfg->m, inst->N_W, inst->N_a,
                        inst->sigma.type->name, inst->C_L, cfg->gamma, cfg->delta);
    for (size_t k = 0; k < cfg->n_M && used >= 0 && (size_t)used < size; ++k)
        used += snprintf(buf + used, size - (size_t)used, "%s%zu", k ? ", " : "", cfg->M[k]);
    if (used >= 0 && (size_t)used < size)
        snprintf(buf + used, size - (size_t)used,
                 "}\nAssumption 2: c = %.6g; Assumption 4: lambda_1 = %.6g, lambda_2 = %.6g, "
                 "Delta lambda / lambda_1 = %.4g (%s); rank r = %zu",
                 inst->c, condense_spectrum_lambda(inst->spec, 1),
                 inst->spec->k > 1 ? condense_spectrum_lambda(inst->spec, 2) : 0.0, inst->gap_rel,
                 inst->assumption4 ? "holds" : "FAILS", inst->spec->r);
}

void condense_verify_format(const condense_verify_result *res, char *buf, size_t size)
{
    snprintf(buf, size,
             "%s, %s: %s\n  claim:      %s\n  hypotheses: %s\n  measured:   %s\n  margin:     "
             "%.4g (%s)\n",
             res->name, res->equation,
             res->not_applicable ? "NOT APPLICABLE"
             : res->pass         ? "PASS"
                                 : "FAIL",
             res->claim, res->hypotheses, res->measured, res->margin, res->margin_text);
}

int condense_verify_inapplicable(const condense_verify_instance *inst, condense_verify_result *res,
                                 int need_gamma, int need_a4)
{
    const int bad_gamma = need_gamma && !(inst->cfg.gamma > 1.0),
              bad_a4 = need_a4 && !inst->assumption4;
    if (!bad_gamma && !bad_a4) return 0;
    res->not_applicable = 1;
    res->pass = 0;
    res->margin = NAN;
    if (bad_gamma)
        condense_verify_text(res->margin_text, sizeof res->margin_text,
                             "NOT APPLICABLE: needs gamma > 1 (M eps^2 = M^(1-gamma) -> 0), "
                             "gamma = %g",
                             inst->cfg.gamma);
    else
        condense_verify_text(res->margin_text, sizeof res->margin_text,
                             "NOT APPLICABLE: needs Assumption 4, which fails (Delta lambda / "
                             "lambda_1 = %.3g)",
                             inst->gap_rel);
    return 1;
}

/* ---- helpers shared by the result files (verify_internal.h) ------------------------------ */

void condense_verify_begin(condense_verify_result *res, const char *name, const char *equation)
{
    memset(res, 0, sizeof *res);
    snprintf(res->name, sizeof res->name, "%s", name);
    snprintf(res->equation, sizeof res->equation, "%s", equation);
}

void condense_verify_text(char *field, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(field, size, fmt, ap);
    va_end(ap);
}

void condense_verify_append(char *field, size_t size, const char *fmt, ...)
{
    const size_t used = strlen(field);
    if (used + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(field + used, size - used, fmt, ap);
    va_end(ap);
}

int condense_verify_need_runs(const condense_verify_instance *inst)
{
    CONDENSE_CHECK_NULL(inst);
    if (inst->n_runs < inst->cfg.n_M)
        CONDENSE_ERROR(CONDENSE_EINVAL,
                       "this result needs the real-flow runs: call condense_verify_instance_run");
    return CONDENSE_OK;
}

double condense_verify_loglog_slope(const double *x, const double *y, size_t n)
{
    double lx[CONDENSE_VERIFY_MAX_M], ly[CONDENSE_VERIFY_MAX_M];
    size_t k = 0;
    for (size_t j = 0; j < n && k < CONDENSE_VERIFY_MAX_M; ++j)
        if (y[j] > 0.0 && x[j] > 0.0 && isfinite(y[j])) {
            lx[k] = log(x[j]);
            ly[k] = log(y[j]);
            ++k;
        }
    if (k < 2) return NAN;
    double c0, c1, cov00, cov01, cov11, sumsq;
    if (gsl_fit_linear(lx, 1, ly, 1, k, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != GSL_SUCCESS)
        return NAN;
    return c1;
}

int condense_verify_all(const condense_verify_instance *inst, condense_verify_result *res,
                        size_t *count)
{
    CONDENSE_CHECK_NULL(res);
    CONDENSE_CHECK_NULL(count);
    int (*const checks[CONDENSE_VERIFY_N_RESULTS])(const condense_verify_instance *,
                                                   condense_verify_result *) = {
        condense_verify_lemma1,      condense_verify_prop1,  condense_verify_prop2,
        condense_verify_prop3,       condense_verify_teff,   condense_verify_theorem1_14,
        condense_verify_theorem1_15, condense_verify_rate64, condense_verify_fc_case1,
        condense_verify_fc_case2};
    *count = 0;
    for (size_t k = 0; k < CONDENSE_VERIFY_N_RESULTS; ++k) {
        CONDENSE_TRY(checks[k](inst, &res[k]));
        *count = k + 1;
    }
    return CONDENSE_OK;
}
