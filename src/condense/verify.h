/* condense/verify.h -- every stated result of the CNN paper, measured on an instance:
 * Lemma 1 (49), Proposition 1 (44), Proposition 2 (48, constants explicit), Proposition 3
 * (51), the effective-time bound (59), Theorem 1 (14) and (15), and the rate (64).
 *
 * An instance is a seeded synthetic data set that satisfies Assumption 2 with a known c, an
 * activation that satisfies Assumption 1 (tanh by default), the objects Z, A and the SVD of Z
 * (Assumption 4 is checked), and a sweep over M with eps^2 = M^(-gamma) (Assumption 3 holds
 * by construction, gamma > 1): for each M, the real flow of App. C/D is integrated from
 * theta_bar(0) ~ N(0, 1) (eq. 28) and its observables recorded at sampled times.
 *
 * Each result fills a condense_verify_result: the claim in words, its hypotheses as checked,
 * what was measured, the margin, PASS or FAIL -- or NOT APPLICABLE when a hypothesis the result
 * needs fails on the instance (gamma <= 1 for the results of Theorem 1 and App. C.5, a spectral
 * gap too small for Assumption 4): the measurement is then shown but judged meaningless.  Library
 * code does not print: the caller formats results with condense_verify_format.
 */
#ifndef CONDENSE_VERIFY_H
#define CONDENSE_VERIFY_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/data.h"
#include "condense/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CONDENSE_VERIFY_MAX_M 8

struct condense_verify_run;
typedef struct condense_verify_run condense_verify_run;

typedef struct condense_verify_config {
    unsigned long seed;              /* every draw derives from it */
    size_t n, W0, H0, C0, m;         /* the data set and the filter size */
    double c;                        /* Assumption 2 constant the synthetic data are made with */
    const char *activation;          /* name of an activation with multiplicity 1 */
    double gamma;                    /* eps^2 = M^(-gamma), gamma > 0; Theorem 1 needs gamma > 1
                                      * (the results that do are NOT APPLICABLE otherwise) */
    double delta;                    /* confidence parameter of Lemma 1, Prop. 3, Theorem 1 */
    size_t M[CONDENSE_VERIFY_MAX_M]; /* the M-sweep, increasing */
    size_t n_M;
    size_t n_times;        /* sampled times per run */
    size_t prop2_times;    /* times at which Proposition 2 is measured (per run) */
    size_t prop2_max_M;    /* Proposition 2 is measured on runs with M <= this */
    size_t mc_trials;      /* Monte Carlo draws for Lemma 1 and Proposition 3 */
    double epsabs, epsrel; /* ODE tolerances of the real flow */
    double t_end;          /* end of each run; 0: 1.25 x the largest of t_0, t_bar_0 and
                            * the time linear growth needs to reach T_eff's threshold */
    int run_to_end;        /* 0: a run stops once T_eff, t_0 and t_bar_0 are passed */
    condense_path path;    /* the real flow's implementation (default: the direct reference) */
    int record_kernels;    /* 1: also record each kernel's cosine with 1 and amplitude at
                            * every sampled time, and the cosine matrix D at the last */
    /* Checkpoints of a long run (condense flow).  segment > 0: the sampled times are
     * integrated in segments of `segment` intervals, the GSL driver made anew for each (so a
     * run with segments differs, within the tolerances, from one without), and checkpoint
     * (may be NULL) is called after every segment but the last with the run recorded so far
     * (nt sampled times, n_field set) and the state theta_bar (dim doubles) at t[nt - 1].
     * resume (may be NULL): a run recorded by such a checkpoint (nt, the observables, the
     * Proposition 2 statistics, T_eff, n_field; cos_ones, amplitude, D if record_kernels)
     * and resume_theta_bar its state: the first run of the sweep continues from there,
     * giving the same bits as a run with the same segments never stopped. */
    size_t segment;
    int (*checkpoint)(const condense_verify_run *run, const double *theta_bar, size_t dim,
                      void *user);
    void *checkpoint_user;
    const condense_verify_run *resume;
    const double *resume_theta_bar;
} condense_verify_config;

/* The built-in default instance; quick != 0 gives the small version run by make check. */
void condense_verify_default(condense_verify_config *cfg, int quick);

/* One real-flow run at one M. */
struct condense_verify_run {
    size_t M;
    double eps;
    size_t nt;          /* number of sampled times */
    double *t;          /* sampled times (t_bar_0 is one of them when it is >= 0) */
    double *E_max;      /* eq. (47) */
    double *phi;        /* eq. (52) */
    double *rel_change; /* eq. (14) quantity */
    double *ratio;      /* eq. (15) quantity */
    double *lin_ratio;  /* eq. (15) quantity of the linear flow from the same theta(0) */
    double *lin_dev;    /* |theta_W(t) - theta_W^lin(t)| / |theta_W^lin(t)| */
    double *cos_ones;   /* nt x M (record_kernels): cosine of theta_{W,beta} with 1 */
    double *amplitude;  /* nt x M (record_kernels): |theta_{W,beta}| */
    double *D;          /* M x M (record_kernels): eq. (5) between all theta_{W,beta} at the
                         * last sampled time */
    double prop2_max;   /* max over sampled times and beta of |f|/(B|theta_a|), |g|/(B|theta_W|) */
    double prop2_min_nonzero; /* the smallest such ratio seen (tightness) */
    size_t prop2_samples;
    double T_eff;        /* eq. (54): first sampled time with M eps^2 phi^3 > M^(-tau) */
    int T_eff_found;     /* 0 if the predicate never held up to the last time */
    double t0, t0_bar;   /* eq. (58) and the proof's t_bar_0 */
    double ratio_t0_bar; /* eq. (15) quantity at t_bar_0 (NaN if t_bar_0 < 0) */
    double sup_rel_change, sup_ratio; /* sup over sampled t in [0, T_eff] */
    unsigned long n_field;
    double seconds;
};

typedef struct condense_verify_instance {
    condense_verify_config cfg;
    condense_data *data;
    condense_activation sigma;
    gsl_matrix *Z, *A;
    condense_spectrum *spec;
    double c;   /* measured Assumption 2 constant */
    double C_L; /* Assumption 1 constant of sigma */
    size_t N_W, N_a;
    int assumption4;
    double gap_rel;
    condense_verify_run runs[CONDENSE_VERIFY_MAX_M];
    size_t n_runs; /* runs done so far */
} condense_verify_instance;

/* Build the instance (data, Z, A, SVD, checks of Assumptions 1-4); no flow is run yet. */
int condense_verify_instance_alloc(const condense_verify_config *cfg,
                                   condense_verify_instance **inst);
void condense_verify_instance_free(condense_verify_instance *inst);

/* Run the real flow for every M of the sweep.  progress (may be NULL) is called after each
 * run with (runs done, runs total, user). */
typedef void (*condense_verify_progress)(size_t done, size_t total, void *user);
int condense_verify_instance_run(condense_verify_instance *inst, condense_verify_progress progress,
                                 void *user);

typedef struct condense_verify_result {
    char name[48];     /* "Proposition 2", ... */
    char equation[32]; /* "eq. (48)" */
    char claim[512];
    char hypotheses[768];
    char measured[1536];
    char margin_text[256];
    double margin; /* > 0: holds with this margin (its meaning in margin_text) */
    int pass;
    int not_applicable; /* 1: a hypothesis of the result fails on this instance (gamma <= 1,
                         * Assumption 4), so the measurement says nothing about it: neither
                         * PASS nor FAIL (pass = 0, margin NaN, the reason in margin_text) */
} condense_verify_result;

/* The results.  Those marked (runs) need condense_verify_instance_run first. */
int condense_verify_lemma1(const condense_verify_instance *inst, condense_verify_result *res);
int condense_verify_prop1(const condense_verify_instance *inst, condense_verify_result *res);
int condense_verify_prop2(const condense_verify_instance *inst,
                          condense_verify_result *res); /* runs */
int condense_verify_prop3(const condense_verify_instance *inst, condense_verify_result *res);
int condense_verify_teff(const condense_verify_instance *inst,
                         condense_verify_result *res); /* runs */
int condense_verify_theorem1_14(const condense_verify_instance *inst,
                                condense_verify_result *res); /* runs */
int condense_verify_theorem1_15(const condense_verify_instance *inst,
                                condense_verify_result *res); /* runs */
int condense_verify_rate64(const condense_verify_instance *inst,
                           condense_verify_result *res); /* runs */

/* The FC paper's two results (Sec. 5.1: p = 1, one line u = sum e_i x_i / |.|; Sec. 5.2: d = 1,
 * at most p lines from a degree-p polynomial), on their own small instances seeded by
 * inst->cfg.seed (verify_fc.c); they need no run. */
int condense_verify_fc_case1(const condense_verify_instance *inst, condense_verify_result *res);
int condense_verify_fc_case2(const condense_verify_instance *inst, condense_verify_result *res);

/* Every result in order (10 entries); the number filled is returned in *count. */
#define CONDENSE_VERIFY_N_RESULTS 10
int condense_verify_all(const condense_verify_instance *inst, condense_verify_result *res,
                        size_t *count);

/* The instance and a result as text (into buf, NUL-terminated, truncated to size). */
void condense_verify_describe(const condense_verify_instance *inst, char *buf, size_t size);
void condense_verify_format(const condense_verify_result *res, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
