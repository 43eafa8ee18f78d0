/* cli_verify.c -- the commands `condense verify` (every stated result of the CNN paper on the
 * built-in instance) and `condense flow` (the real and the linear flow side by side). */
#define _POSIX_C_SOURCE 200809L /* mkdir, rmdir, fileno, fsync */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "condense/condense.h"
#include "condense/fast.h"
#include "condense/verify.h"

/* The provenance line every output file starts with. */
static void provenance(FILE *f, const condense_verify_config *cfg)
{
    fprintf(f,
            "# %s; seed %lu; data synthetic n = %zu, %zu x %zu x %zu, c = %g; m = %zu; "
            "activation %s; gamma = %g; delta = %g; times %zu; ODE epsabs %g epsrel %g\n",
            condense_version(), cfg->seed, cfg->n, cfg->W0, cfg->H0, cfg->C0, cfg->c, cfg->m,
            cfg->activation, cfg->gamma, cfg->delta, cfg->n_times, cfg->epsabs, cfg->epsrel);
}

/* Progress on stderr after each run: done/total, elapsed time, rate and an estimate of the
 * remaining time (runs get more expensive with M, so the estimate scales with the sizes). */
typedef struct progress_state {
    const condense_verify_config *cfg;
    time_t start;
} progress_state;

static void progress(size_t done, size_t total, void *user)
{
    const progress_state *p = user;
    const double elapsed = difftime(time(NULL), p->start);
    double work_done = 0.0, work_left = 0.0;
    for (size_t k = 0; k < total; ++k)
        *(k < done ? &work_done : &work_left) += (double)p->cfg->M[k];
    const double left = work_done > 0.0 ? elapsed * work_left / work_done : 0.0;
    fprintf(stderr,
            "%s verify: run %zu/%zu (M = %zu) done; %.0f s elapsed, %.2f runs/min, "
            "about %.0f s left\n",
            cli_program, done, total, p->cfg->M[done - 1], elapsed,
            elapsed > 0 ? 60.0 * (double)done / elapsed : 0.0, left);
}

static void verify_usage(void)
{
    printf("Usage: %s verify [--quick] [--out DIR] [--seed N] [--M LIST] [--gamma G]\n"
           "                       [--times N] [--trials N]\n"
           "\n"
           "Checks every stated result of the CNN paper (Lemma 1, Propositions 1-3, the T_eff\n"
           "bound (59), Theorem 1 (14) and (15), the rate (64)) on the built-in instance and\n"
           "prints a summary table with the margins, then each result in full.\n"
           "  --quick       the small instance (under a minute; run by make check)\n"
           "  --out DIR     also write summary.csv and runs.csv into DIR\n"
           "  --seed N      seed of every random draw (default 1)\n"
           "  --M LIST      the M-sweep, increasing (default 16,64,256,1024[,4096,16384])\n"
           "  --gamma G     eps^2 = M^-G, G > 0 (default 4); the results that need G > 1\n"
           "                (Theorem 1, T_eff, the rate) are then NOT APPLICABLE, as are those\n"
           "                needing Assumption 4 on data that break it\n"
           "  --times N     sampled times per run\n"
           "  --trials N    Monte Carlo draws for Lemma 1 and Proposition 3\n"
           "  --path P      the real flow's implementation: direct (the reference, default)\n"
           "                or fast (im2col and BLAS; tested against direct)\n"
           "Exit status: 0 every result PASS, 1 a FAIL or an error, 2 bad usage.\n",
           cli_program);
}

/* Options shared by verify and flow; returns 0 or the usage exit status. */
static int parse_common(const char *opt, const char *val, condense_verify_config *cfg, int *handled)
{
    *handled = 1;
    if (strcmp(opt, "--seed") == 0) {
        if (!cli_parse_seed(val, &cfg->seed))
            return cli_bad_usage("--seed needs an integer in [0, 4294967295], not '%s'", val);
    } else if (strcmp(opt, "--gamma") == 0) {
        if (!cli_parse_double(val, &cfg->gamma) || !(cfg->gamma > 0.0))
            return cli_bad_usage("--gamma needs a number > 0 (eps^2 = M^-gamma < 1; Theorem 1 "
                                 "needs gamma > 1), not '%s'",
                                 val);
    } else if (strcmp(opt, "--path") == 0) {
        if (condense_path_from_name(val, &cfg->path) != CONDENSE_OK)
            return cli_bad_usage("--path needs 'direct' or 'fast', not '%s'", val);
    } else if (strcmp(opt, "--times") == 0) {
        if ((cfg->n_times = cli_parse_size(val, 1000000)) < 2)
            return cli_bad_usage("--times needs an integer >= 2, not '%s'", val);
    } else {
        *handled = 0;
    }
    return 0;
}

/* A CSV field: quoted, with quotes doubled. */
static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; ++s) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* One run's sampled observables as CSV rows (shared by verify and flow). */
static void run_rows(FILE *f, const condense_verify_run *run)
{
    for (size_t k = 0; k < run->nt; ++k)
        fprintf(f, "%zu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", run->M, run->eps,
                run->t[k], run->E_max[k], run->phi[k], run->rel_change[k], run->ratio[k],
                run->lin_ratio[k], run->lin_dev[k]);
}

static const char run_header[] = "M,eps,t,E_max,phi,rel_change,ratio,lin_ratio,lin_dev\n";

/* PASS, FAIL, or NOT APPLICABLE (a hypothesis of the result fails: the measurement is
 * meaningless for it, verify.h). */
static const char *status_word(const condense_verify_result *res)
{
    return res->not_applicable ? "NOT APPLICABLE" : res->pass ? "PASS" : "FAIL";
}

/* summary.csv (one row per result) and runs.csv (every run's observables over time). */
static int write_verify_csv(const char *dir, const condense_verify_config *cfg,
                            const condense_verify_instance *inst, const condense_verify_result *res,
                            size_t count)
{
    cli_out_file o;
    CONDENSE_TRY(cli_out_open(&o, dir, "summary.csv"));
    provenance(o.f, cfg);
    fprintf(o.f, "result,equation,pass,margin,margin_meaning,measured\n");
    for (size_t k = 0; k < count; ++k) {
        csv_field(o.f, res[k].name);
        fputc(',', o.f);
        csv_field(o.f, res[k].equation);
        fprintf(o.f, ",%s,%.17g,", status_word(&res[k]), res[k].margin);
        csv_field(o.f, res[k].margin_text);
        fputc(',', o.f);
        csv_field(o.f, res[k].measured);
        fputc('\n', o.f);
    }
    CONDENSE_TRY(cli_out_close(&o));
    CONDENSE_TRY(cli_out_open(&o, dir, "runs.csv"));
    provenance(o.f, cfg);
    fputs(run_header, o.f);
    for (size_t k = 0; k < inst->n_runs; ++k)
        run_rows(o.f, &inst->runs[k]);
    return cli_out_close(&o);
}

int cli_verify(int argc, char **argv)
{
    condense_verify_config cfg;
    int quick = 0;
    for (int k = 0; k < argc; ++k)
        quick |= strcmp(argv[k], "--quick") == 0;
    condense_verify_default(&cfg, quick);
    const char *out = NULL;
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            verify_usage();
            return EXIT_SUCCESS;
        }
        if (strcmp(opt, "--quick") == 0) continue;
        if (strncmp(opt, "--", 2) != 0) return cli_bad_usage("unexpected argument '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        int handled;
        const int bad = parse_common(opt, val, &cfg, &handled);
        if (bad) return bad;
        if (handled) continue;
        if (strcmp(opt, "--out") == 0) {
            out = val;
        } else if (strcmp(opt, "--M") == 0) {
            size_t list[CONDENSE_MAX_LAYERS + 1], count;
            if (!cli_parse_list(val, list, &count) || count > CONDENSE_VERIFY_MAX_M)
                return cli_bad_usage("--M needs a list of 1 to 8 positive integers, not '%s'", val);
            for (size_t j = 1; j <= count; ++j) {
                if (j > 1 && list[j] <= list[j - 1])
                    return cli_bad_usage("--M must be increasing, not '%s'", val);
                cfg.M[j - 1] = list[j];
            }
            cfg.n_M = count;
        } else if (strcmp(opt, "--trials") == 0) {
            if ((cfg.mc_trials = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--trials needs a positive integer, not '%s'", val);
        } else {
            return cli_bad_usage("unknown option '%s'", opt);
        }
    }
    if (out != NULL && mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: error: cannot create directory %s: %s\n", cli_program, out,
                strerror(errno));
        return EXIT_FAILURE;
    }

    condense_verify_instance *inst = NULL;
    int status = condense_verify_instance_alloc(&cfg, &inst);
    progress_state ps = {&cfg, time(NULL)};
    if (status == CONDENSE_OK) status = condense_verify_instance_run(inst, progress, &ps);
    condense_verify_result res[CONDENSE_VERIFY_N_RESULTS];
    size_t count = 0;
    if (status == CONDENSE_OK) status = condense_verify_all(inst, res, &count);
    if (status != CONDENSE_OK) {
        condense_verify_instance_free(inst);
        return cli_failure(status);
    }
    static char text[8192];
    condense_verify_describe(inst, text, sizeof text);
    printf("# %s -- verify%s\n%s\n\n", condense_version(), quick ? " --quick" : "", text);
    printf("%-30s %-22s %-6s %12s  %s\n", "result", "equation", "status", "margin", "meaning");
    int all_pass = 1;
    for (size_t k = 0; k < count; ++k) {
        printf("%-30s %-22s %-6s %12.4g  %s\n", res[k].name, res[k].equation, status_word(&res[k]),
               res[k].margin, res[k].margin_text);
        all_pass &= res[k].pass;
    }
    printf("\n");
    for (size_t k = 0; k < count; ++k) {
        condense_verify_format(&res[k], text, sizeof text);
        printf("%s\n", text);
    }
    size_t passed = 0, inapplicable = 0;
    for (size_t k = 0; k < count; ++k) {
        passed += (size_t)res[k].pass;
        inapplicable += (size_t)res[k].not_applicable;
    }
    if (inapplicable == 0)
        printf("verify: %zu passed, %zu failed\n", passed, count - passed);
    else /* never passed over: a result whose hypotheses fail is not verified (exit 1) */
        printf("verify: %zu passed, %zu failed, %zu NOT APPLICABLE (a hypothesis fails: see "
               "their margin column)\n",
               passed, count - passed - inapplicable, inapplicable);
    if (out != NULL) status = write_verify_csv(out, &cfg, inst, res, count);
    condense_verify_instance_free(inst);
    if (status != CONDENSE_OK) return cli_failure(status);
    return all_pass ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Per-kernel views over time: t, beta, cosine with 1, amplitude. */
static int write_kernels(const char *path, const condense_verify_config *cfg,
                         const condense_verify_run *run)
{
    cli_out_file o;
    CONDENSE_TRY(cli_out_open(&o, path, NULL));
    provenance(o.f, cfg);
    fprintf(o.f, "t,beta,cos_ones,amplitude\n");
    for (size_t k = 0; k < run->nt; ++k)
        for (size_t beta = 1; beta <= run->M; ++beta)
            fprintf(o.f, "%.17g,%zu,%.17g,%.17g\n", run->t[k], beta,
                    run->cos_ones[k * run->M + beta - 1], run->amplitude[k * run->M + beta - 1]);
    return cli_out_close(&o);
}

/* The cosine matrix D of eq. (5) at the last sampled time, one row per kernel. */
static int write_cosines(const char *path, const condense_verify_config *cfg,
                         const condense_verify_run *run)
{
    cli_out_file o;
    CONDENSE_TRY(cli_out_open(&o, path, NULL));
    provenance(o.f, cfg);
    fprintf(o.f, "# D(theta_{W,beta}, theta_{W,beta'}) at t = %.17g, M = %zu rows\n",
            run->t[run->nt - 1], run->M);
    for (size_t a = 0; a < run->M; ++a)
        for (size_t b = 0; b < run->M; ++b)
            fprintf(o.f, "%.17g%c", run->D[a * run->M + b], b + 1 < run->M ? ',' : '\n');
    return cli_out_close(&o);
}

static void flow_usage(void)
{
    printf("Usage: %s flow [--M N] [--gamma G | --eps X] [--n N] [--size WxH] [--C0 N]\n"
           "                     [--m N] [--activation NAME] [--seed N] [--times N]\n"
           "                     [--t-end T] [--out FILE] [--checkpoint-every N]\n"
           "       %s flow --resume DIR\n"
           "\n"
           "Integrates the real gradient flow of the two-layer CNN (App. C/D, rescaled,\n"
           "theta_bar(0) ~ N(0,1)) and the linear flow of Proposition 1 from the same start,\n"
           "and writes their observables over time as CSV: E_max (eq. 47), phi (eq. 52), the\n"
           "relative change (eq. 14) and condensation ratio (eq. 15) of the real flow, the\n"
           "ratio of the linear flow, and the relative distance between the two.\n"
           "  --M N            number of kernels (default 64)\n"
           "  --gamma G        eps^2 = M^-G, G > 1 (default 4); or --eps X, then G = -2 log X /\n"
           "                   log M must be > 1\n"
           "  --n, --size, --C0, --m, --activation, --seed   the synthetic data and network\n"
           "                   (defaults 12, 6x6, 1, 3, tanh, 1)\n"
           "  --times N        sampled times (default 200)\n"
           "  --path P         direct (default) or fast\n"
           "  --t-end T        end time (default: past t_0, t_bar_0 and T_eff)\n"
           "  --out FILE       write the CSV to FILE instead of standard output\n"
           "  --kernels FILE   also write each kernel's cosine with the all-ones vector and\n"
           "                   its amplitude |theta_{W,beta}| at every sampled time\n"
           "  --cosines FILE   also write the M x M cosine matrix D of eq. (5) between all\n"
           "                   theta_{W,beta} at the last time\n"
           "  --checkpoint-every N   (with --out FILE) integrate in segments of N sampled\n"
           "                   times, the ODE solver restarted at each boundary, and write the\n"
           "                   run's state there into the directory FILE.checkpoint (removed\n"
           "                   when the run completes); the results depend on N\n"
           "  --resume DIR     (alone) continue the run whose checkpoint is in DIR: the files\n"
           "                   are the same, byte for byte, as a run never interrupted\n",
           cli_program, cli_program);
}

/* ---- checkpoints of `condense flow` --------------------------------------------------------- */

/* The arrays of a checkpoint of nt recorded times: name, pointer into the run, length. */
typedef struct flow_array {
    const char *name;
    double *data;
    size_t len;
} flow_array;

static size_t flow_arrays(const condense_verify_run *run, int kernels, flow_array a[10])
{
    const size_t nt = run->nt, M = run->M;
    size_t n = 0;
    a[n++] = (flow_array){"t", run->t, nt};
    a[n++] = (flow_array){"E_max", run->E_max, nt};
    a[n++] = (flow_array){"phi", run->phi, nt};
    a[n++] = (flow_array){"rel_change", run->rel_change, nt};
    a[n++] = (flow_array){"ratio", run->ratio, nt};
    a[n++] = (flow_array){"lin_ratio", run->lin_ratio, nt};
    a[n++] = (flow_array){"lin_dev", run->lin_dev, nt};
    if (kernels) {
        a[n++] = (flow_array){"cos_ones", run->cos_ones, nt * M};
        a[n++] = (flow_array){"amplitude", run->amplitude, nt * M};
        a[n++] = (flow_array){"D", run->D, M * M};
    }
    return n;
}

typedef struct flow_ckpt {
    const char *dir; /* FILE.checkpoint */
    int argc;        /* the run's options */
    char **argv;
    int kernels;
} flow_ckpt;

static void flow_ckpt_path(const char *dir, size_t nt, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/checkpoint_k%zu_%s.npy", dir, nt, name);
}

/* condense_verify_config.checkpoint: every array (each atomically, npy.h), then
 * checkpoint.txt naming them (atomically, written last), then the previous checkpoint's
 * arrays removed.  Doubles go to the text as %a: exact. */
static int flow_checkpoint(const condense_verify_run *run, const double *theta_bar, size_t dim,
                           void *user)
{
    const flow_ckpt *c = user;
    flow_array a[10];
    const size_t n = flow_arrays(run, c->kernels, a);
    char path[4200];
    for (size_t j = 0; j < n; ++j) {
        flow_ckpt_path(c->dir, run->nt, a[j].name, path, sizeof path);
        CONDENSE_TRY(condense_npy_save(path, a[j].data, 1, &a[j].len));
    }
    flow_ckpt_path(c->dir, run->nt, "theta_bar", path, sizeof path);
    CONDENSE_TRY(condense_npy_save(path, theta_bar, 1, &dim));
    size_t previous = 0;
    cli_checkpoint old;
    if (cli_checkpoint_read(c->dir, &old) == CONDENSE_OK) {
        if (cli_checkpoint_size(&old, "nt", &previous) != CONDENSE_OK) previous = 0;
        cli_checkpoint_free(&old);
    }
    condense_error_clear();
    cli_out_file f;
    CONDENSE_TRY(cli_out_open(&f, c->dir, "checkpoint.txt"));
    fprintf(f.f,
            "# %s -- flow checkpoint: the run up to sampled time %zu (t = %.17g) in "
            "checkpoint_k%zu_*.npy; resume with: condense flow --resume DIR\n"
            "nt %zu\nM %zu\nn_field %lu\nprop2_max %a\nprop2_min_nonzero %a\n"
            "prop2_samples %zu\nT_eff %a\nT_eff_found %d\n",
            condense_version(), run->nt, run->t[run->nt - 1], run->nt, run->nt, run->M,
            run->n_field, run->prop2_max, run->prop2_min_nonzero, run->prop2_samples, run->T_eff,
            run->T_eff_found);
    cli_checkpoint_write_args(f.f, c->argc, c->argv);
    CONDENSE_TRY(cli_out_close(&f));
    if (previous != 0 && previous != run->nt) {
        for (size_t j = 0; j < n; ++j) {
            flow_ckpt_path(c->dir, previous, a[j].name, path, sizeof path);
            remove(path);
        }
        flow_ckpt_path(c->dir, previous, "theta_bar", path, sizeof path);
        remove(path);
    }
    return CONDENSE_OK;
}

/* A checkpoint read back: the run recorded so far and its state. */
typedef struct flow_resume {
    cli_checkpoint file;
    condense_verify_run run;
    double *theta_bar;
} flow_resume;

static void flow_resume_free(flow_resume *r)
{
    flow_array a[10];
    const size_t n = flow_arrays(&r->run, 1, a);
    for (size_t j = 0; j < n; ++j)
        free(a[j].data);
    free(r->theta_bar);
    cli_checkpoint_free(&r->file);
}

/* The arrays of the checkpoint in dir (its scalars already in r->file). */
static int flow_resume_load(const char *dir, int kernels, flow_resume *r)
{
    condense_verify_run *run = &r->run;
    size_t found = 0;
    CONDENSE_TRY(cli_checkpoint_size(&r->file, "nt", &run->nt));
    CONDENSE_TRY(cli_checkpoint_size(&r->file, "M", &run->M));
    CONDENSE_TRY(cli_checkpoint_size(&r->file, "n_field", &found));
    run->n_field = (unsigned long)found;
    CONDENSE_TRY(cli_checkpoint_size(&r->file, "prop2_samples", &run->prop2_samples));
    CONDENSE_TRY(cli_checkpoint_size(&r->file, "T_eff_found", &found));
    run->T_eff_found = found != 0;
    CONDENSE_TRY(cli_checkpoint_double(&r->file, "prop2_max", &run->prop2_max));
    CONDENSE_TRY(cli_checkpoint_double(&r->file, "prop2_min_nonzero", &run->prop2_min_nonzero));
    CONDENSE_TRY(cli_checkpoint_double(&r->file, "T_eff", &run->T_eff));
    if (run->nt == 0 || run->nt > 100000000 || run->M == 0 || run->M > 10000000)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s/checkpoint.txt: nt = %zu, M = %zu", dir, run->nt,
                       run->M);
    flow_array a[10];
    const size_t n = flow_arrays(run, kernels, a);
    double **dst[10] = {&run->t,         &run->E_max,     &run->phi,     &run->rel_change,
                        &run->ratio,     &run->lin_ratio, &run->lin_dev, &run->cos_ones,
                        &run->amplitude, &run->D};
    char path[4200];
    for (size_t j = 0; j < n; ++j) {
        *dst[j] = malloc(a[j].len * sizeof(double));
        if (*dst[j] == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot read the checkpoint");
        flow_ckpt_path(dir, run->nt, a[j].name, path, sizeof path);
        CONDENSE_TRY(condense_npy_load(path, *dst[j], 1, &a[j].len));
    }
    size_t ndim, dim;
    flow_ckpt_path(dir, run->nt, "theta_bar", path, sizeof path);
    CONDENSE_TRY(condense_npy_shape(path, &ndim, &dim));
    if (ndim != 1) CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: not a vector", path);
    r->theta_bar = malloc(dim * sizeof(double));
    if (r->theta_bar == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot read the checkpoint");
    return condense_npy_load(path, r->theta_bar, 1, &dim);
}

static int flow_main(int argc, char **argv, flow_resume *resume, const char *resume_dir);

int cli_flow(int argc, char **argv)
{
    for (int k = 0; k < argc; ++k)
        if (strcmp(argv[k], "--resume") == 0) {
            if (argc != 2 || k != 0)
                return cli_bad_usage("--resume DIR takes no other option (the run's own are in "
                                     "DIR/checkpoint.txt)%s",
                                     "");
            flow_resume r;
            memset(&r, 0, sizeof r);
            const int st = cli_checkpoint_read(argv[1], &r.file);
            if (st != CONDENSE_OK) return cli_failure(st);
            cli_remove_stale_tmp(argv[1]);
            const int code = flow_main(r.file.argc, r.file.argv, &r, argv[1]);
            flow_resume_free(&r);
            return code;
        }
    return flow_main(argc, argv, NULL, NULL);
}

static int flow_main(int argc, char **argv, flow_resume *resume, const char *resume_dir)
{
    condense_verify_config cfg;
    condense_verify_default(&cfg, 1);
    cfg.n_M = 1;
    cfg.M[0] = 64;
    cfg.n_times = 200;
    cfg.prop2_max_M = 0; /* Proposition 2 is verify's business */
    cfg.run_to_end = 1;  /* every requested time is written */
    const char *out = NULL, *kernels = NULL, *cosines = NULL;
    double eps = 0.0;
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            flow_usage();
            return EXIT_SUCCESS;
        }
        if (strncmp(opt, "--", 2) != 0) return cli_bad_usage("unexpected argument '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        int handled;
        const int bad = parse_common(opt, val, &cfg, &handled);
        if (bad) return bad;
        if (handled) continue;
        if (strcmp(opt, "--out") == 0) {
            out = val;
        } else if (strcmp(opt, "--kernels") == 0) {
            kernels = val;
        } else if (strcmp(opt, "--cosines") == 0) {
            cosines = val;
        } else if (strcmp(opt, "--checkpoint-every") == 0) {
            if ((cfg.segment = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--checkpoint-every needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--M") == 0) {
            if ((cfg.M[0] = cli_parse_size(val, 10000000)) == 0)
                return cli_bad_usage("--M needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--eps") == 0) {
            if (!cli_parse_double(val, &eps) || !(eps > 0.0))
                return cli_bad_usage("--eps needs a positive number, not '%s'", val);
        } else if (strcmp(opt, "--n") == 0) {
            if ((cfg.n = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--n needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--size") == 0) {
            const int bad_size = cli_parse_wxh(val, &cfg.W0, &cfg.H0);
            if (bad_size) return bad_size;
        } else if (strcmp(opt, "--C0") == 0) {
            if ((cfg.C0 = cli_parse_size(val, 100000)) == 0)
                return cli_bad_usage("--C0 needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--m") == 0) {
            if ((cfg.m = cli_parse_size(val, 100000)) == 0)
                return cli_bad_usage("--m needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--activation") == 0) {
            cfg.activation = val;
        } else if (strcmp(opt, "--t-end") == 0) {
            if (!cli_parse_double(val, &cfg.t_end) || !(cfg.t_end > 0.0))
                return cli_bad_usage("--t-end needs a positive number, not '%s'", val);
        } else {
            return cli_bad_usage("unknown option '%s'", opt);
        }
    }
    if (eps > 0.0) {
        /* Assumption 3 at this one M: gamma = -log(eps^2) / log M. */
        if (cfg.M[0] < 2)
            return cli_bad_usage("--eps needs --M >= 2 to define gamma, not M = %s", "1");
        cfg.gamma = -2.0 * log(eps) / log((double)cfg.M[0]);
    }

    /* the flow's T_eff, t_0 and t_bar_0 are those of Theorem 1: meaningless for gamma <= 1 */
    if (!(cfg.gamma > 1.0))
        return cli_bad_usage("flow needs gamma > 1 (Theorem 1, Assumption 3), not gamma = %s",
                             eps > 0.0 ? "-2 log(eps) / log M <= 1" : "<= 1");
    cfg.record_kernels = kernels != NULL || cosines != NULL;
    char ckpt_dir[4200] = "";
    flow_ckpt ck = {ckpt_dir, argc, argv, cfg.record_kernels};
    if (cfg.segment > 0) {
        if (out == NULL)
            return cli_bad_usage("--checkpoint-every needs --out FILE (the checkpoint goes to "
                                 "FILE.checkpoint)%s",
                                 "");
        for (int k = 0; k < argc; ++k)
            if (strchr(argv[k], '\n') != NULL)
                return cli_bad_usage("--checkpoint-every: the option '%s' holds a line break",
                                     argv[k]);
        if (resume_dir != NULL)
            snprintf(ckpt_dir, sizeof ckpt_dir, "%s", resume_dir);
        else
            snprintf(ckpt_dir, sizeof ckpt_dir, "%s.checkpoint", out);
        if (mkdir(ckpt_dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "%s: error: cannot create directory %s: %s\n", cli_program, ckpt_dir,
                    strerror(errno));
            return EXIT_FAILURE;
        }
        cfg.checkpoint = flow_checkpoint;
        cfg.checkpoint_user = &ck;
    } else if (resume != NULL) {
        return cli_failure(condense_error_set(CONDENSE_EFORMAT, __func__,
                                              "%s/checkpoint.txt: not the options of a run with "
                                              "checkpoints",
                                              resume_dir));
    }
    if (resume != NULL) {
        const int st = flow_resume_load(resume_dir, cfg.record_kernels, resume);
        if (st != CONDENSE_OK) return cli_failure(st);
        cfg.resume = &resume->run;
        cfg.resume_theta_bar = resume->theta_bar;
        fprintf(stderr, "%s flow: resuming from %s at sampled time %zu\n", cli_program, resume_dir,
                resume->run.nt);
    }
    condense_verify_instance *inst = NULL;
    int status = condense_verify_instance_alloc(&cfg, &inst);
    /* Impossible parameters (gamma <= 1 from --eps, m larger than the image, an activation
     * outside Assumption 1) are bad usage; failures of the run itself are failures. */
    if (status == CONDENSE_EDOM || status == CONDENSE_ESIZE || status == CONDENSE_EINVAL)
        return cli_bad_usage("%s", condense_errmsg());
    if (status == CONDENSE_OK) status = condense_verify_instance_run(inst, NULL, NULL);
    const condense_verify_run *run = status == CONDENSE_OK ? &inst->runs[0] : NULL;
    if (status == CONDENSE_OK) {
        cli_out_file o;
        status = cli_out_open(&o, out, NULL);
        if (status == CONDENSE_OK) {
            static char text[4096];
            condense_verify_describe(inst, text, sizeof text);
            provenance(o.f, &cfg);
            for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
                fprintf(o.f, "# %s\n", line);
            fprintf(o.f,
                    "# M = %zu, eps = %.6g: T_eff = %.6g%s, t_0 = %.6g, t_bar_0 = %.6g; "
                    "%lu field evaluations\n",
                    run->M, run->eps, run->T_eff, run->T_eff_found ? "" : " (not reached)", run->t0,
                    run->t0_bar, run->n_field);
            if (cfg.segment > 0)
                fprintf(o.f,
                        "# the ODE solver restarts every %zu sampled times (--checkpoint-every)\n",
                        cfg.segment);
            fputs(run_header, o.f);
            run_rows(o.f, run);
            status = cli_out_close(&o);
        }
        if (status == CONDENSE_OK && kernels != NULL) status = write_kernels(kernels, &cfg, run);
        if (status == CONDENSE_OK && cosines != NULL) status = write_cosines(cosines, &cfg, run);
        if (status == CONDENSE_OK && cfg.segment > 0) { /* complete: the checkpoint is spent */
            cli_checkpoint_remove(ckpt_dir);
            rmdir(ckpt_dir);
        }
    }
    condense_verify_instance_free(inst);
    return status == CONDENSE_OK ? EXIT_SUCCESS : cli_failure(status);
}
