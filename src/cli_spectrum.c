/* cli_spectrum.c -- the command `condense spectrum`: the top eigenvalues of Z^T Z, the spectral
 * gap and the cosines of v_1 with the all-ones direction per input channel, over seeded trials
 * of n images of a real or synthetic data set (spectra.h), as CSV files and a gnuplot plot. */
#define _POSIX_C_SOURCE 200809L /* mkdir, fork, clock_gettime */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "condense/condense.h"

typedef struct spectrum_options {
    const char *dataset; /* a dataset.h name or "synthetic" */
    const char *data_dir;
    const char *out;
    condense_spectra_config cfg;
} spectrum_options;

static void spectrum_usage(void)
{
    printf("Usage: %s spectrum [--dataset NAME] [--data-dir DIR] [--n N] [--m M] [--trials T]\n"
           "                         [--top K] [--normalize NORM] [--seed S] [--out DIR]\n"
           "\n"
           "For T trials of n images drawn by seed: the top K eigenvalues of Z^T Z (lambda_j^2,\n"
           "eq. 11/36 of the CNN paper), the spectral gap lambda_1 - lambda_2 (Assumption 4)\n"
           "and, per input channel alpha, the cosine of the m^2 entries of v_1 of channel\n"
           "alpha with the all-ones vector (bias entry excluded); mean and std over trials.\n"
           "  --dataset NAME   mnist (default), fashion-mnist, cifar10 or synthetic\n"
           "  --data-dir DIR   where the data set is (default: ../shared/data/mnist,\n"
           "                   ../shared/data/cifar10, /usr/share/datasets/fashion-mnist);\n"
           "                   for synthetic, a directory of x.npy and y.npy (see data/), else\n"
           "                   fresh condense_data_synthetic draws\n"
           "  --n N            images per trial (default 500)\n"
           "  --m M            filter size (default 3)\n"
           "  --trials T       trials (default 10); trial t uses the t-th gsl_rng_get of an\n"
           "                   mt19937 seeded with --seed as its seed\n"
           "  --top K          eigenvalues reported (default 5)\n"
           "  --normalize N    raw (byte/255, default), standardize, half ((byte/255-0.5)/0.5)\n"
           "  --seed S         base seed (default 1)\n"
           "  --size WxH, --C0 C, --c X   fresh synthetic draws: W_0 x H_0 (default 28x28),\n"
           "                   C_0 (default 1), Assumption 2 constant c > 1 (default 4)\n"
           "  --out DIR        write trials.csv, summary.csv, eigenvalues.csv, spectrum.gp and,\n"
           "                   with gnuplot (CONDENSE_GNUPLOT names another program),\n"
           "                   spectrum.png and spectrum.pdf into DIR\n"
           "Exit status: 0 success, 1 failure, 2 bad usage.\n",
           cli_program);
}

static int parse_spectrum(int argc, char **argv, spectrum_options *o)
{
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strncmp(opt, "--", 2) != 0) return cli_bad_usage("unexpected argument '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        condense_spectra_config *c = &o->cfg;
        if (strcmp(opt, "--dataset") == 0) {
            condense_dataset_kind kind;
            if (strcmp(val, "synthetic") != 0 && condense_dataset_lookup(val, &kind) != CONDENSE_OK)
                return cli_bad_usage("--dataset needs mnist, fashion-mnist, cifar10 or "
                                     "synthetic, not '%s'",
                                     val);
            o->dataset = val;
        } else if (strcmp(opt, "--data-dir") == 0) {
            o->data_dir = val;
        } else if (strcmp(opt, "--out") == 0) {
            o->out = val;
        } else if (strcmp(opt, "--n") == 0) {
            if ((c->n = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--n needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--m") == 0) {
            if ((c->m = cli_parse_size(val, 100000)) == 0)
                return cli_bad_usage("--m needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--trials") == 0) {
            if ((c->trials = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--trials needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--top") == 0) {
            if ((c->top = cli_parse_size(val, 100000)) == 0)
                return cli_bad_usage("--top needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--normalize") == 0) {
            if (condense_normalization_lookup(val, &c->norm) != CONDENSE_OK)
                return cli_bad_usage("--normalize needs raw, standardize or half, not '%s'", val);
        } else if (strcmp(opt, "--seed") == 0) {
            if (!cli_parse_seed(val, &c->seed))
                return cli_bad_usage("--seed needs an integer in [0, 4294967295], not '%s'", val);
        } else if (strcmp(opt, "--size") == 0) {
            const int bad = cli_parse_wxh(val, &c->W0, &c->H0);
            if (bad) return bad;
        } else if (strcmp(opt, "--C0") == 0) {
            if ((c->C0 = cli_parse_size(val, 1000)) == 0)
                return cli_bad_usage("--C0 needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--c") == 0) {
            if (!cli_parse_double(val, &c->c) || !(c->c > 1.0))
                return cli_bad_usage("--c needs a number > 1 (Assumption 2), not '%s'", val);
        } else {
            return cli_bad_usage("unknown option '%s'", opt);
        }
    }
    return 0;
}

/* Progress on stderr after each trial: done/total, elapsed, rate, remaining time. */
typedef struct spectrum_progress_state {
    struct timespec start;
} spectrum_progress_state;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void spectrum_progress(size_t done, size_t total, void *user)
{
    const spectrum_progress_state *p = user;
    const double elapsed = seconds_since(&p->start);
    const double rate = elapsed > 0.0 ? (double)done / elapsed : 0.0;
    fprintf(stderr,
            "%s spectrum: trial %zu/%zu done; %.1f s elapsed, %.2f trials/s, about %.1f s "
            "left\n",
            cli_program, done, total, elapsed, rate,
            rate > 0.0 ? (double)(total - done) / rate : 0.0);
}

/* The provenance line every output starts with. */
static void provenance(FILE *f, const spectrum_options *o, const char *source)
{
    const condense_spectra_config *c = &o->cfg;
    fprintf(f,
            "# %s; spectrum; seed %lu; dataset %s (%s); n = %zu; m = %zu; trials = %zu; "
            "top = %zu; normalization %s",
            condense_version(), c->seed, o->dataset, source, c->n, c->m, c->trials, c->top,
            strcmp(o->dataset, "synthetic") == 0 ? "none (synthetic values)"
                                                 : condense_normalization_name(c->norm));
    if (strcmp(o->dataset, "synthetic") == 0 && o->data_dir == NULL)
        fprintf(f, "; synthetic %zu x %zu x %zu, c = %g", c->W0, c->H0, c->C0, c->c);
    fprintf(f, "; trial t seed = t-th gsl_rng_get of mt19937(seed); cos excludes the bias\n");
}

static void write_summary(FILE *f, const condense_spectra *s)
{
    fprintf(f, "quantity,index,mean,std\n");
    for (size_t j = 0; j < s->top; ++j)
        fprintf(f, "lambda_sq,%zu,%.17g,%.17g\n", j + 1, s->eig_mean[j], s->eig_std[j]);
    fprintf(f, "delta_lambda,,%.17g,%.17g\n", s->delta_lambda_mean, s->delta_lambda_std);
    fprintf(f, "gap_rel,,%.17g,%.17g\n", s->gap_rel_mean, s->gap_rel_std);
    for (size_t a = 0; a < s->C0; ++a)
        fprintf(f, "cos_v1_ones_channel,%zu,%.17g,%.17g\n", a + 1, s->cos_mean[a], s->cos_std[a]);
    fprintf(f, "cos_v1_ones_all,,%.17g,%.17g\n", s->cos_mean[s->C0], s->cos_std[s->C0]);
}

static int write_files(const char *dir, const spectrum_options *o, const char *source,
                       const condense_spectra *s)
{
    cli_out_file f;
    CONDENSE_TRY(cli_out_open(&f, dir, "trials.csv"));
    provenance(f.f, o, source);
    fprintf(f.f, "trial,seed");
    for (size_t j = 1; j <= s->top; ++j)
        fprintf(f.f, ",lambda_sq_%zu", j);
    fprintf(f.f, ",delta_lambda,gap_rel");
    for (size_t a = 1; a <= s->C0; ++a)
        fprintf(f.f, ",cos_channel_%zu", a);
    fprintf(f.f, ",cos_all\n");
    for (size_t t = 0; t < s->trials; ++t) {
        fprintf(f.f, "%zu,%lu", t + 1, s->seeds[t]);
        for (size_t j = 0; j < s->top; ++j)
            fprintf(f.f, ",%.17g", s->eig[t * s->top + j]);
        fprintf(f.f, ",%.17g,%.17g", s->delta_lambda[t], s->gap_rel[t]);
        for (size_t a = 0; a <= s->C0; ++a)
            fprintf(f.f, ",%.17g", s->cos[t * (s->C0 + 1) + a]);
        fputc('\n', f.f);
    }
    CONDENSE_TRY(cli_out_close(&f));
    CONDENSE_TRY(cli_out_open(&f, dir, "summary.csv"));
    provenance(f.f, o, source);
    write_summary(f.f, s);
    CONDENSE_TRY(cli_out_close(&f));
    CONDENSE_TRY(cli_out_open(&f, dir, "eigenvalues.csv"));
    provenance(f.f, o, source);
    fprintf(f.f, "j,lambda_sq_mean,lambda_sq_std\n");
    for (size_t j = 0; j < s->top; ++j)
        fprintf(f.f, "%zu,%.17g,%.17g\n", j + 1, s->eig_mean[j], s->eig_std[j]);
    CONDENSE_TRY(cli_out_close(&f));
    CONDENSE_TRY(cli_out_open(&f, dir, "spectrum.gp"));
    fprintf(f.f,
            "# spectrum.gp -- the top eigenvalues of Z^T Z, mean and std over trials.\n"
            "# Run in this directory: gnuplot spectrum.gp (writes spectrum.png, spectrum.pdf).\n");
    provenance(f.f, o, source);
    fprintf(f.f,
            "if (!exists('png')) png = 'spectrum.png'\n"
            "if (!exists('pdf')) pdf = 'spectrum.pdf'\n"
            "set datafile separator ','\n"
            "set title \"%s: eigenvalues of Z^T Z (n = %zu, m = %zu, %zu trials, %s)\" noenhanced\n"
            "set xlabel 'j'\n"
            "set ylabel 'lambda_j^2 (mean +- std)' noenhanced\n"
            "set logscale y\n"
            "set xrange [0.3:%zu.7]\n"
            "set xtics 1\n"
            "set boxwidth 0.6\n"
            "set style fill solid 0.5\n"
            "set key off\n"
            "plot_it = \"plot 'eigenvalues.csv' skip 2 using 1:2 with boxes lc rgb '#4477aa', "
            "'' skip 2 using 1:2:3 with yerrorbars lc rgb 'black' pt 7 ps 0.5\"\n"
            "set terminal pngcairo size 800,500\n"
            "set output png\n"
            "eval plot_it\n"
            "set terminal pdfcairo size 6in,3.75in\n"
            "set output pdf\n"
            "eval plot_it\n"
            "unset output\n",
            o->dataset, o->cfg.n, o->cfg.m, o->cfg.trials,
            strcmp(o->dataset, "synthetic") == 0 ? "synthetic"
                                                 : condense_normalization_name(o->cfg.norm),
            s->top);
    return cli_out_close(&f);
}

/* Run gnuplot on spectrum.gp in dir, writing to temporary names renamed into place.  Returns
 * 0 (drawn), 1 (gnuplot not installed: a note, not an error) or -1 (gnuplot failed). */
static int run_gnuplot(const char *dir)
{
    static const char *const args[] = {"-e", "png = 'spectrum.png.tmp'; pdf = 'spectrum.pdf.tmp'",
                                       "spectrum.gp", NULL};
    const int r = cli_run_gnuplot(dir, args);
    if (r == 127) return 1;
    if (r != 0) return -1;
    char from[4200], to[4200];
    const char *names[2] = {"spectrum.png", "spectrum.pdf"};
    for (size_t k = 0; k < 2; ++k) {
        const int a = snprintf(to, sizeof to, "%s/%s", dir, names[k]);
        const int b = snprintf(from, sizeof from, "%s/%s.tmp", dir, names[k]);
        if (a < 0 || b < 0 || (size_t)b >= sizeof from || rename(from, to) != 0) return -1;
    }
    return 0;
}

int cli_spectrum(int argc, char **argv)
{
    for (int k = 0; k < argc; ++k)
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            spectrum_usage();
            return EXIT_SUCCESS;
        }
    spectrum_options o = {.dataset = "mnist",
                          .cfg = {.n = 500,
                                  .m = 3,
                                  .trials = 10,
                                  .top = 5,
                                  .seed = 1,
                                  .norm = CONDENSE_NORMALIZE_RAW,
                                  .W0 = 28,
                                  .H0 = 28,
                                  .C0 = 1,
                                  .c = 4.0}};
    const int bad = parse_spectrum(argc, argv, &o);
    if (bad) return bad;
    if (o.out != NULL && mkdir(o.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: error: cannot create directory %s: %s\n", cli_program, o.out,
                strerror(errno));
        return EXIT_FAILURE;
    }
    const int synthetic = strcmp(o.dataset, "synthetic") == 0;
    condense_image_set *set = NULL;
    condense_data *pool = NULL;
    int status = CONDENSE_OK;
    char source[4200];
    if (!synthetic) {
        condense_dataset_lookup(o.dataset, &o.cfg.kind);
        const char *dir =
            o.data_dir != NULL ? o.data_dir : condense_dataset_default_dir(o.cfg.kind);
        snprintf(source, sizeof source, "%s", dir);
        status = condense_dataset_read(o.cfg.kind, dir, &set);
    } else if (o.data_dir != NULL) {
        snprintf(source, sizeof source, "%s/x.npy, y.npy", o.data_dir);
        status = condense_data_npy_load(o.data_dir, &pool);
    } else {
        snprintf(source, sizeof source, "condense_data_synthetic");
    }
    spectrum_progress_state ps;
    clock_gettime(CLOCK_MONOTONIC, &ps.start);
    condense_spectra *s = NULL;
    if (status == CONDENSE_OK)
        status = pool != NULL ? condense_spectra_run_data(&o.cfg, pool, spectrum_progress, &ps, &s)
                              : condense_spectra_run(&o.cfg, set, spectrum_progress, &ps, &s);
    condense_image_set_free(set);
    condense_data_free(pool);
    if (status != CONDENSE_OK) return cli_failure(status);
    provenance(stdout, &o, source);
    write_summary(stdout, s);
    int exit_status = EXIT_SUCCESS;
    if (o.out != NULL) {
        status = write_files(o.out, &o, source, s);
        if (status != CONDENSE_OK) {
            exit_status = cli_failure(status);
        } else {
            const int g = run_gnuplot(o.out);
            if (g == 1)
                fprintf(stderr,
                        "%s spectrum: note: gnuplot not found, no plot drawn (install "
                        "gnuplot-nox, then run 'gnuplot spectrum.gp' in %s)\n",
                        cli_program, o.out);
            if (g < 0) {
                fprintf(stderr, "%s: error: gnuplot failed on %s/spectrum.gp\n", cli_program,
                        o.out);
                exit_status = EXIT_FAILURE;
            }
        }
    }
    condense_spectra_free(s);
    return exit_status;
}
