/* cli_fc.c -- the command `condense fc`: the experiments of the FC paper (Sec. 4) on the
 * two-layer fully-connected network of fc.h.  Trains on "sin1d" (Fig. 3, 4) or "sin5d"
 * (Fig. 1) with Adam (or GD) and writes: the network output on a grid next to least-squares
 * polynomial fits of order 1, 2, 3 (Fig. 3), the directors and the count of condensed lines
 * (fc_lines.h), the cosine matrix of eq. (7) (Fig. 1), the direction field of a test neuron
 * (eq. 6, a = 1) on a (w, b) grid with the neurons and their velocities at chosen steps
 * (Fig. 4) with a gnuplot script, and the stationary lines of Sec. 5. */
#define _POSIX_C_SOURCE 200809L /* mkdir */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gsl/gsl_multifit.h>

#include "cli.h"
#include "condense/condense.h"

#define MAX_FIELD_STEPS 16
#define OUTPUT_GRID 201

typedef struct fc_options {
    const char *target, *activation, *optimizer, *out;
    const char *dataset, *data_dir, *normalize; /* dataset: NULL for a --target */
    size_t n, m, steps, grid, progress_every;
    double lr, init_std, cos_min, min_norm;
    size_t min_members;
    unsigned long seed;
    size_t field_steps[MAX_FIELD_STEPS], n_field_steps;
    int plot;
} fc_options;

static void fc_usage(void)
{
    printf("Usage: %s fc [--target sin1d|sin5d] [--activation NAME] [--optimizer adam|gd]\n"
           "                   [--steps N] [--lr X] [--init-std S] [--m N] [--n N] [--seed N]\n"
           "                   [--out DIR] [--field-steps LIST] [--grid N] [--cos X]\n"
           "                   [--min-norm F] [--min-members K] [--plot]\n"
           "                   [--dataset mnist|fashion-mnist|cifar10 [--data-dir DIR]\n"
           "                   [--normalize raw|standardize|half]]\n"
           "\n"
           "Trains the two-layer FC network of the FC paper, f(x) = sum_j a_j sigma(w_j . x)\n"
           "with x = (x_bar, 1) (eq. 1), on the MSE risk (eq. 2), and reports the condensation\n"
           "of the input weights w_j on lines.\n"
           "  --target T        sin1d: sin(3x) + sin(6x)/2, 40 samples, 100 neurons (Fig. 3-4);\n"
           "                    sin5d: sum_k 3.5 x_k sin(5 x_k + 1), 80 samples, 50 neurons\n"
           "                    (Fig. 1).  Inputs in [-1, 1] (evenly spaced in 1-d, uniform\n"
           "                    in 5-d): the paper does not state the domain.  (default sin1d)\n"
           "  --dataset D       train on real images instead (FC paper Fig. 2(b): mnist):\n"
           "                    inputs the flattened images (d = W x H x C), y = class index;\n"
           "                    --n images drawn by --seed (default 1000), --m default 30\n"
           "  --data-dir DIR    where the data set is (default ../shared/data/mnist, ...)\n"
           "  --normalize N     pixels: raw (default, [0, 1]), standardize, half\n"
           "  --activation NAME tanh, xtanh, x2tanh, relu, ... (default tanh)\n"
           "  --optimizer O     adam (the paper's, default) or gd\n"
           "  --steps N         training steps (default 1000, the step of Fig. 3)\n"
           "  --lr X            learning rate (default 5e-4)\n"
           "  --init-std S      every parameter ~ N(0, S^2) (default 0.005: the captions'\n"
           "                    N(0, 0.005) read as the standard deviation)\n"
           "  --m N, --n N      neurons and samples (defaults from the target)\n"
           "  --seed N          seed of every random draw (default 1)\n"
           "  --out DIR         write the files below into DIR (created if missing)\n"
           "  --field-steps L   steps at which the direction field is written (d = 1; comma-\n"
           "                    separated, 0 allowed; default 0 and the last step)\n"
           "  --grid N          the field's grid is N x N (default 21)\n"
           "  --cos X           |D(w_j, w_k)| >= X links two weights (default 0.99)\n"
           "  --min-norm F      discard w_j with |w_j| < F max_k |w_k| (default 0.001)\n"
           "  --min-members K   the kept w_j linked by --cos form groups (connected\n"
           "                    components); a group of at least K members is a line, its\n"
           "                    members otherwise stray neurons (default 2: a lone neuron is\n"
           "                    not condensed)\n"
           "  --plot            run gnuplot on field.gp (PNG files) when gnuplot is installed\n"
           "Files: summary.txt, directors.csv, cosine.csv; for d = 1 also output.csv, train.csv,\n"
           "field_STEP.csv, neurons_STEP.csv, field.gp.\n"
           "Exit status: 0 success, 1 failure, 2 bad usage.\n",
           cli_program);
}

/* A comma-separated list of step numbers (0 allowed); returns 1 on success. */
static int parse_steps(const char *s, size_t *list, size_t *count)
{
    size_t k = 0;
    const char *p = s;
    while (*p != '\0') {
        if (*p < '0' || *p > '9' || k == MAX_FIELD_STEPS) return 0;
        char *end;
        errno = 0;
        const unsigned long long v = strtoull(p, &end, 10);
        if (errno != 0 || v > 100000000ULL || (*end != ',' && *end != '\0')) return 0;
        list[k++] = (size_t)v;
        p = *end == ',' ? end + 1 : end;
        if (*end == ',' && *p == '\0') return 0;
    }
    *count = k;
    return k > 0;
}

/* Options into o; returns 0 or the usage exit status. */
static int parse_fc(int argc, char **argv, fc_options *o, int *help)
{
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            *help = 1;
            return 0;
        }
        if (strcmp(opt, "--plot") == 0) {
            o->plot = 1;
            continue;
        }
        if (strncmp(opt, "--", 2) != 0) return cli_bad_usage("unexpected argument '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        if (strcmp(opt, "--target") == 0) {
            o->target = val;
        } else if (strcmp(opt, "--activation") == 0) {
            o->activation = val;
        } else if (strcmp(opt, "--optimizer") == 0) {
            if (strcmp(val, "adam") != 0 && strcmp(val, "gd") != 0)
                return cli_bad_usage("--optimizer needs 'adam' or 'gd', not '%s'", val);
            o->optimizer = val;
        } else if (strcmp(opt, "--out") == 0) {
            o->out = val;
        } else if (strcmp(opt, "--steps") == 0) {
            if ((o->steps = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--steps needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--m") == 0) {
            if ((o->m = cli_parse_size(val, 1000000)) == 0)
                return cli_bad_usage("--m needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--n") == 0) {
            if ((o->n = cli_parse_size(val, 10000000)) == 0)
                return cli_bad_usage("--n needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--grid") == 0) {
            if ((o->grid = cli_parse_size(val, 2001)) < 2)
                return cli_bad_usage("--grid needs an integer in [2, 2001], not '%s'", val);
        } else if (strcmp(opt, "--lr") == 0) {
            if (!cli_parse_double(val, &o->lr) || !(o->lr > 0.0))
                return cli_bad_usage("--lr needs a positive number, not '%s'", val);
        } else if (strcmp(opt, "--init-std") == 0) {
            if (!cli_parse_double(val, &o->init_std) || !(o->init_std > 0.0))
                return cli_bad_usage("--init-std needs a positive number, not '%s'", val);
        } else if (strcmp(opt, "--cos") == 0) {
            if (!cli_parse_double(val, &o->cos_min) || !(o->cos_min > 0.0 && o->cos_min <= 1.0))
                return cli_bad_usage("--cos needs a number in (0, 1], not '%s'", val);
        } else if (strcmp(opt, "--min-norm") == 0) {
            if (!cli_parse_double(val, &o->min_norm) || !(o->min_norm >= 0.0 && o->min_norm < 1.0))
                return cli_bad_usage("--min-norm needs a number in [0, 1), not '%s'", val);
        } else if (strcmp(opt, "--min-members") == 0) {
            if ((o->min_members = cli_parse_size(val, 1000000)) == 0)
                return cli_bad_usage("--min-members needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--dataset") == 0) {
            condense_dataset_kind kind;
            if (condense_dataset_lookup(val, &kind) != CONDENSE_OK)
                return cli_bad_usage("%s", condense_errmsg());
            o->dataset = val;
        } else if (strcmp(opt, "--data-dir") == 0) {
            o->data_dir = val;
        } else if (strcmp(opt, "--normalize") == 0) {
            condense_normalization norm;
            if (condense_normalization_lookup(val, &norm) != CONDENSE_OK)
                return cli_bad_usage("%s", condense_errmsg());
            o->normalize = val;
        } else if (strcmp(opt, "--seed") == 0) {
            if (!cli_parse_seed(val, &o->seed))
                return cli_bad_usage("--seed needs an integer in [0, 4294967295], not '%s'", val);
        } else if (strcmp(opt, "--field-steps") == 0) {
            if (!parse_steps(val, o->field_steps, &o->n_field_steps))
                return cli_bad_usage("--field-steps needs a list of 1 to 16 step numbers, not '%s'",
                                     val);
        } else {
            return cli_bad_usage("unknown option '%s'", opt);
        }
    }
    return 0;
}

/* The provenance line every output file starts with. */
static void provenance(FILE *f, const fc_options *o)
{
    fprintf(f,
            "# %s; condense fc; seed %lu; %s %s%s%s%s, n = %zu; m = %zu; activation %s; "
            "optimizer %s, lr = %g, steps %zu; init N(0, %g^2); lines: |cos| >= %g, min norm "
            "%g max, min members %zu\n",
            condense_version(), o->seed, o->dataset != NULL ? "dataset" : "target",
            o->dataset != NULL ? o->dataset : o->target, o->dataset != NULL ? " (" : "",
            o->dataset != NULL ? o->normalize : "", o->dataset != NULL ? ", y = class index)" : "",
            o->n, o->m, o->activation, o->optimizer, o->lr, o->steps, o->init_std, o->cos_min,
            o->min_norm, o->min_members);
}

/* The state of a run, shared with the observer. */
typedef struct fc_run {
    const fc_options *o;
    condense_fc *net;
    condense_data *data;
    double *e;
    struct timespec start; /* CLOCK_MONOTONIC at the start of training */
    int singularity_p;     /* declared p of the activation (Definition), or <= 0 */
} fc_run;

/* The direction field of FC paper Fig. 4 at step k: on a grid x grid of (w, b) around the
 * origin, the direction of dw/dt of a test neuron with a = 1 (eq. 6); then each neuron's
 * position and velocity (with its own a_j), and the stationary lines of Sec. 5.2. */
static int write_field(const fc_run *run, size_t k)
{
    const fc_options *o = run->o;
    const condense_fc *net = run->net;
    CONDENSE_TRY(condense_fc_residuals(net, run->data, run->e));
    double extent = 0.0;
    for (size_t j = 0; j < net->m; ++j)
        extent = fmax(extent, fmax(fabs(net->w[2 * j]), fabs(net->w[2 * j + 1])));
    extent = extent > 0.0 ? 1.2 * extent : 1.0;
    char name[64];
    cli_out_file f;
    snprintf(name, sizeof name, "field_%zu.csv", k);
    CONDENSE_TRY(cli_out_open(&f, o->out, name));
    provenance(f.f, o);
    fprintf(f.f, "# step %zu: direction (dw, db) / |.| of the test neuron field, a = 1, eq. (6)\n",
            k);
    fprintf(f.f, "# w,b,dw,db\n");
    int status = CONDENSE_OK;
    for (size_t p = 0; p < o->grid && status == CONDENSE_OK; ++p)
        for (size_t q = 0; q < o->grid && status == CONDENSE_OK; ++q) {
            const double w[2] = {-extent + 2.0 * extent * (double)p / (double)(o->grid - 1),
                                 -extent + 2.0 * extent * (double)q / (double)(o->grid - 1)};
            double wd[2];
            status =
                condense_fc_velocity(&net->sigma, run->data, run->e, 1.0, w, NULL, wd, NULL, NULL);
            const double s = hypot(wd[0], wd[1]);
            if (status == CONDENSE_OK)
                fprintf(f.f, "%.10g,%.10g,%.10g,%.10g\n", w[0], w[1], s > 0 ? wd[0] / s : 0.0,
                        s > 0 ? wd[1] / s : 0.0);
        }
    if (status != CONDENSE_OK) {
        cli_out_close(&f);
        return status;
    }
    CONDENSE_TRY(cli_out_close(&f));
    snprintf(name, sizeof name, "neurons_%zu.csv", k);
    CONDENSE_TRY(cli_out_open(&f, o->out, name));
    provenance(f.f, o);
    fprintf(f.f,
            "# step %zu: neuron j at (w_j, b_j), its velocity (dw, db) / |.| (eq. 6 with "
            "its a_j) and speed\n# j,w,b,dw,db,speed\n",
            k);
    for (size_t j = 0; j < net->m && status == CONDENSE_OK; ++j) {
        double wd[2];
        status = condense_fc_velocity(&net->sigma, run->data, run->e, net->a[j], net->w + 2 * j,
                                      NULL, wd, NULL, NULL);
        const double s = hypot(wd[0], wd[1]);
        if (status == CONDENSE_OK)
            fprintf(f.f, "%zu,%.10g,%.10g,%.10g,%.10g,%.10g\n", j + 1, net->w[2 * j],
                    net->w[2 * j + 1], s > 0 ? wd[0] / s : 0.0, s > 0 ? wd[1] / s : 0.0, s);
    }
    if (status != CONDENSE_OK) {
        cli_out_close(&f);
        return status;
    }
    CONDENSE_TRY(cli_out_close(&f));
    /* the stationary lines of Sec. 5.2 at this e, as two points each, for the plot */
    snprintf(name, sizeof name, "lines_%zu.csv", k);
    CONDENSE_TRY(cli_out_open(&f, o->out, name));
    provenance(f.f, o);
    fprintf(f.f,
            "# step %zu: stationary lines of FC paper Sec. 5.2 (p = %d), u = (cos phi, sin "
            "phi)\n# phi,w0,b0,w1,b1\n",
            k, run->singularity_p);
    if (run->singularity_p >= 1) {
        double phi[32];
        size_t count = 0;
        status = condense_fc_case2_lines(run->data, run->e, run->singularity_p, phi, &count);
        for (size_t l = 0; l < count && status == CONDENSE_OK; ++l)
            fprintf(f.f, "%.17g,%.10g,%.10g,%.10g,%.10g\n", phi[l], -extent * cos(phi[l]),
                    -extent * sin(phi[l]), extent * cos(phi[l]), extent * sin(phi[l]));
    }
    if (status != CONDENSE_OK) {
        cli_out_close(&f);
        return status;
    }
    return cli_out_close(&f);
}

/* Progress on stderr every progress_every steps, and the field at the chosen steps. */
static int observe(size_t k, double t, const condense_fc *net, void *user)
{
    (void)t;
    (void)net;
    fc_run *run = user;
    const fc_options *o = run->o;
    if (k > 0 && (k % o->progress_every == 0 || k == o->steps)) {
        double R;
        CONDENSE_TRY(condense_fc_risk(run->net, run->data, &R));
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        const double elapsed = (double)(now.tv_sec - run->start.tv_sec) +
                               1e-9 * (double)(now.tv_nsec - run->start.tv_nsec);
        const double rate = elapsed > 0 ? (double)k / elapsed : 0.0;
        fprintf(stderr, "%s fc: step %zu/%zu, R_S = %.6g; %.0f steps/s, about %.0f s left\n",
                cli_program, k, o->steps, R, rate, rate > 0 ? (double)(o->steps - k) / rate : 0.0);
    }
    if (o->out == NULL || run->net->d != 1) return CONDENSE_OK;
    for (size_t s = 0; s < o->n_field_steps; ++s)
        if (o->field_steps[s] == k) return write_field(run, k);
    return CONDENSE_OK;
}

/* Least-squares polynomial fits of order 1..3 of the network output on the grid (Fig. 3):
 * fit[order - 1][g]; rms[order - 1] the root-mean-square residual. */
static int polyfits(const double *x, const double *f, size_t N, double fit[3][OUTPUT_GRID],
                    double rms[3])
{
    for (size_t order = 1; order <= 3; ++order) {
        gsl_matrix *X = gsl_matrix_alloc(N, order + 1),
                   *cov = gsl_matrix_alloc(order + 1, order + 1);
        gsl_vector *c = gsl_vector_alloc(order + 1);
        gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(N, order + 1);
        int status = CONDENSE_OK;
        if (X == NULL || cov == NULL || c == NULL || ws == NULL) {
            status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate the fit");
        } else {
            for (size_t g = 0; g < N; ++g)
                for (size_t p = 0; p <= order; ++p)
                    gsl_matrix_set(X, g, p, pow(x[g], (double)p));
            gsl_vector_const_view y = gsl_vector_const_view_array(f, N);
            double chisq;
            if (gsl_multifit_linear(X, &y.vector, c, cov, &chisq, ws) != GSL_SUCCESS)
                status = condense_error_set(CONDENSE_ENUM, __func__, "gsl_multifit_linear failed");
            for (size_t g = 0; g < N && status == CONDENSE_OK; ++g) {
                double v = 0.0;
                for (size_t p = order + 1; p-- > 0;)
                    v = v * x[g] + gsl_vector_get(c, p);
                fit[order - 1][g] = v;
            }
            rms[order - 1] = sqrt(chisq / (double)N);
        }
        gsl_matrix_free(X);
        gsl_matrix_free(cov);
        gsl_vector_free(c);
        gsl_multifit_linear_free(ws);
        CONDENSE_TRY(status);
    }
    return CONDENSE_OK;
}

/* The fits of the network on a grid (rms into rms) and, with --out, output.csv (the network
 * and its fits) and train.csv (the samples); d = 1. */
static int write_output(const fc_run *run, double rms[3])
{
    const fc_options *o = run->o;
    double x[OUTPUT_GRID], f[OUTPUT_GRID], fit[3][OUTPUT_GRID];
    for (size_t g = 0; g < OUTPUT_GRID; ++g) {
        x[g] = -1.0 + 2.0 * (double)g / (OUTPUT_GRID - 1);
        CONDENSE_TRY(condense_fc_output(run->net, &x[g], &f[g]));
    }
    CONDENSE_TRY(polyfits(x, f, OUTPUT_GRID, fit, rms));
    if (o->out == NULL) return CONDENSE_OK; /* the fits' rms for the summary only */
    cli_out_file out;
    CONDENSE_TRY(cli_out_open(&out, o->out, "output.csv"));
    provenance(out.f, o);
    fprintf(out.f,
            "# network output at step %zu and its least-squares fits of order 1-3 "
            "(gsl_multifit_linear; rms residuals %.6g, %.6g, %.6g)\n# x,f,fit1,fit2,fit3\n",
            o->steps, rms[0], rms[1], rms[2]);
    for (size_t g = 0; g < OUTPUT_GRID; ++g)
        fprintf(out.f, "%.10g,%.17g,%.17g,%.17g,%.17g\n", x[g], f[g], fit[0][g], fit[1][g],
                fit[2][g]);
    CONDENSE_TRY(cli_out_close(&out));
    CONDENSE_TRY(cli_out_open(&out, o->out, "train.csv"));
    provenance(out.f, o);
    fprintf(out.f, "# x,y\n");
    for (size_t i = 0; i < run->data->n; ++i)
        fprintf(out.f, "%.17g,%.17g\n", run->data->x[i], run->data->y[i]);
    return cli_out_close(&out);
}

/* directors.csv and cosine.csv. */
static int write_directors(const fc_run *run, const size_t *label)
{
    const fc_options *o = run->o;
    const condense_fc *net = run->net;
    const size_t len = net->d + 1;
    cli_out_file out;
    CONDENSE_TRY(cli_out_open(&out, o->out, "directors.csv"));
    provenance(out.f, o);
    fprintf(out.f, "# j,a,norm,line (0-based; -1 discarded, -2 stray),u_1..u_%zu (bias last)\n",
            len);
    for (size_t j = 0; j < net->m; ++j) {
        const double *w = net->w + j * len;
        const double r = condense_norm2(w, len, 1);
        fprintf(out.f, "%zu,%.17g,%.17g,%ld", j + 1, net->a[j], r,
                label[j] == CONDENSE_FC_NO_LINE ? -1L
                : label[j] == CONDENSE_FC_STRAY ? -2L
                                                : (long)label[j]);
        for (size_t k = 0; k < len; ++k)
            fprintf(out.f, ",%.17g", r > 0 ? w[k] / r : 0.0);
        fputc('\n', out.f);
    }
    CONDENSE_TRY(cli_out_close(&out));
    double *D = malloc(net->m * net->m * sizeof(double));
    if (D == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the cosine matrix");
    const int cstatus = condense_cosine_matrix(net->w, net->m, len, D);
    /* a zero weight gives NaN in its row and column (CONDENSE_EDOM): written as nan */
    int status = cstatus == CONDENSE_EDOM ? CONDENSE_OK : cstatus;
    if (status == CONDENSE_OK) status = cli_out_open(&out, o->out, "cosine.csv");
    if (status == CONDENSE_OK) {
        provenance(out.f, o);
        fprintf(out.f, "# D(w_j, w_k) of FC paper eq. (7), %zu x %zu\n", net->m, net->m);
        for (size_t a = 0; a < net->m; ++a)
            for (size_t b = 0; b < net->m; ++b)
                fprintf(out.f, "%.10g%c", D[a * net->m + b], b + 1 < net->m ? ',' : '\n');
        status = cli_out_close(&out);
    }
    free(D);
    return status;
}

/* field.gp: one PNG per field step. */
static int write_gnuplot(const fc_run *run)
{
    const fc_options *o = run->o;
    cli_out_file out;
    CONDENSE_TRY(cli_out_open(&out, o->out, "field.gp"));
    provenance(out.f, o);
    fprintf(out.f, "# FC paper Fig. 4: gnuplot field.gp (in this directory) writes field_STEP.png\n"
                   "set datafile separator ','\nset terminal pngcairo size 640,640\n"
                   "set size ratio -1\nset xlabel 'w'\nset ylabel 'b'\nunset key\n");
    for (size_t s = 0; s < o->n_field_steps; ++s) {
        const size_t k = o->field_steps[s];
        if (k > o->steps) continue;
        fprintf(out.f,
                "set output 'field_%zu.png'\nset title '%s, step %zu'\nset autoscale xy\n"
                "stats 'field_%zu.csv' using 1 nooutput\nL = STATS_max\nh = L / %zu\n"
                "set xrange [-L:L]\nset yrange [-L:L]\n"
                "plot 'field_%zu.csv' using 1:2:($3*h*0.8):($4*h*0.8) with vectors lc 'gray', \\\n"
                "     'lines_%zu.csv' using 2:3:($4-$2):($5-$3) with vectors nohead dt 2 lc 'red', "
                "\\\n"
                "     'neurons_%zu.csv' using 2:3 with points pt 7 ps 0.6 lc 'dark-green', \\\n"
                "     'neurons_%zu.csv' using 2:3:($4*h):($5*h) with vectors lc 'orange'\n",
                k, o->activation, k, k, o->grid, k, k, k, k);
    }
    return cli_out_close(&out);
}

/* The summary: the run, the line count and the theory's lines, to f. */
static int print_summary(FILE *f, const fc_run *run, const size_t lines[3], const double rms[3],
                         double R_S)
{
    const fc_options *o = run->o;
    provenance(f, o);
    fprintf(f, "R_S after %zu steps: %.10g\n", o->steps, R_S);
    fprintf(f,
            "condensed lines: %zu (w_j with |w_j| >= %g max |w|; groups linked by |D(w_j, w_k)| "
            ">= %g; a line has >= %zu members)\n",
            lines[0], o->min_norm, o->cos_min, o->min_members);
    fprintf(f, "stray neurons: %zu; discarded (small norm): %zu\n", lines[1], lines[2]);
    /* the FC paper's singularity order is Definition 1's multiplicity of the CNN paper:
     * declared by the activation, and measured numerically (multiplicity.c) */
    int measured = 0;
    const int mstatus = condense_multiplicity_detect(run->net->sigma.type, 6, &measured);
    fprintf(f, "activation singularity order p: ");
    if (run->singularity_p >= 1)
        fprintf(f, "%d (declared; the paper: at most p lines in 1-d, Sec. 5.2)",
                run->singularity_p);
    else
        fprintf(f, "undefined (the definition does not apply)");
    if (mstatus == CONDENSE_OK && measured >= 1)
        fprintf(f, "; measured %d\n", measured);
    else
        fprintf(f, "; measured: undefined\n");
    if (run->net->d == 1) {
        fprintf(f,
                "polynomial fits of the output, rms residual: order 1 %.6g, order 2 %.6g, "
                "order 3 %.6g\n",
                rms[0], rms[1], rms[2]);
        if (run->singularity_p >= 1) {
            double phi[32];
            size_t count = 0;
            CONDENSE_TRY(condense_fc_residuals(run->net, run->data, run->e));
            CONDENSE_TRY(
                condense_fc_case2_lines(run->data, run->e, run->singularity_p, phi, &count));
            fprintf(f, "Sec. 5.2 stationary lines at the final e: %zu, phi =", count);
            for (size_t l = 0; l < count; ++l)
                fprintf(f, " %.6g", phi[l]);
            fputc('\n', f);
        }
    }
    if (run->singularity_p == 1) {
        double u[8];
        CONDENSE_TRY(condense_fc_residuals(run->net, run->data, run->e));
        if (run->net->d + 1 <= 8 &&
            condense_fc_case1_director(run->data, run->e, u) == CONDENSE_OK) {
            fprintf(f, "Sec. 5.1 director u = sum e_i x_i / |.| at the final e:");
            for (size_t k = 0; k <= run->net->d; ++k)
                fprintf(f, " %.6g", u[k]);
            fputc('\n', f);
        }
    }
    return CONDENSE_OK;
}

/* The summary on standard output and, with --out, in summary.txt. */
static int write_summary(const fc_run *run, const size_t lines[3], const double rms[3], double R_S)
{
    CONDENSE_TRY(print_summary(stdout, run, lines, rms, R_S));
    if (run->o->out == NULL) return CONDENSE_OK;
    cli_out_file out;
    CONDENSE_TRY(cli_out_open(&out, run->o->out, "summary.txt"));
    const int status = print_summary(out.f, run, lines, rms, R_S);
    const int cstatus = cli_out_close(&out);
    return status != CONDENSE_OK ? status : cstatus;
}

/* The training set: a target of fc_data.h, or --dataset's images flattened to d = W_0 H_0 C_0
 * inputs (the FC network's x_bar; the layout of data.h is already the flat one, so only the
 * shape changes) with the class index as y. */
static int load_data(const fc_options *o, gsl_rng *rng, condense_data **data, size_t *d)
{
    if (o->dataset == NULL) return condense_fc_data_make(o->target, o->n, rng, data);
    condense_dataset_kind kind;
    condense_normalization norm;
    CONDENSE_TRY(condense_dataset_lookup(o->dataset, &kind));
    CONDENSE_TRY(condense_normalization_lookup(o->normalize, &norm));
    CONDENSE_TRY(condense_dataset_load(kind, o->data_dir, o->n, o->seed, norm, data));
    (*data)->W0 *= (*data)->H0 * (*data)->C0;
    (*data)->H0 = (*data)->C0 = 1;
    *d = (*data)->W0;
    return CONDENSE_OK;
}

static int run_fc(fc_run *run, gsl_rng *rng)
{
    const fc_options *o = run->o;
    CONDENSE_TRY(condense_fc_init_normal(run->net, rng, o->init_std));
    clock_gettime(CLOCK_MONOTONIC, &run->start);
    if (strcmp(o->optimizer, "adam") == 0)
        CONDENSE_TRY(condense_fc_adam(run->net, run->data, o->lr, 0.9, 0.999, 1e-8, o->steps, 1,
                                      observe, run));
    else
        CONDENSE_TRY(condense_fc_gd(run->net, run->data, o->lr, o->steps, 1, observe, run));
    size_t *label = malloc(run->net->m * sizeof(size_t)), lines[3] = {0, 0, 0};
    if (label == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate labels");
    int status = condense_fc_count_lines(run->net->w, run->net->m, run->net->d + 1, o->cos_min,
                                         o->min_norm, o->min_members, &lines[0], &lines[1], label);
    for (size_t j = 0; j < run->net->m && status == CONDENSE_OK; ++j)
        lines[2] += label[j] == CONDENSE_FC_NO_LINE;
    double rms[3] = {NAN, NAN, NAN}, R_S = NAN;
    if (status == CONDENSE_OK) status = condense_fc_risk(run->net, run->data, &R_S);
    if (status == CONDENSE_OK && run->net->d == 1) status = write_output(run, rms);
    if (status == CONDENSE_OK && o->out != NULL && run->net->d == 1) status = write_gnuplot(run);
    if (status == CONDENSE_OK && o->out != NULL) status = write_directors(run, label);
    if (status == CONDENSE_OK) status = write_summary(run, lines, rms, R_S);
    free(label);
    return status;
}

int cli_fc(int argc, char **argv)
{
    fc_options o = {.target = "sin1d",
                    .activation = "tanh",
                    .optimizer = "adam",
                    .normalize = "raw",
                    .steps = 1000,
                    .grid = 21,
                    .lr = 5e-4,
                    .init_std = 0.005,
                    .cos_min = 0.99,
                    .min_norm = 1e-3,
                    .min_members = 2,
                    .seed = 1};
    int help = 0;
    const int bad = parse_fc(argc, argv, &o, &help);
    if (bad) return bad;
    if (help) {
        fc_usage();
        return EXIT_SUCCESS;
    }
    size_t d = 0;
    if (o.dataset == NULL && condense_fc_target_dim(o.target, &d) != CONDENSE_OK)
        return cli_bad_usage("%s", condense_errmsg());
    condense_activation sigma;
    if (condense_activation_lookup(o.activation, 0, &sigma) != CONDENSE_OK)
        return cli_bad_usage("%s", condense_errmsg());
    if (o.n == 0) o.n = o.dataset != NULL ? 1000 : d == 1 ? 40 : 80;
    if (o.m == 0) o.m = o.dataset != NULL ? 30 : d == 1 ? 100 : 50;
    if (d == 1 && o.n < 2) return cli_bad_usage("--n needs at least 2 samples in 1-d, not %s", "1");
    if (o.n_field_steps == 0) {
        o.field_steps[0] = 0;
        o.field_steps[1] = o.steps;
        o.n_field_steps = 2;
    }
    o.progress_every = o.steps >= 10 ? o.steps / 10 : 1;
    if (o.out != NULL && mkdir(o.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: error: cannot create directory %s: %s\n", cli_program, o.out,
                strerror(errno));
        return EXIT_FAILURE;
    }
    gsl_rng *rng = NULL;
    fc_run run = {&o, NULL, NULL, NULL, {0, 0}, sigma.type->r};
    int status = condense_rng_alloc(o.seed, &rng);
    if (status == CONDENSE_OK) status = load_data(&o, rng, &run.data, &d);
    if (status == CONDENSE_OK) status = condense_fc_alloc(d, o.m, sigma, &run.net);
    if (status == CONDENSE_OK && (run.e = malloc(o.n * sizeof(double))) == NULL)
        status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate residuals");
    if (status == CONDENSE_OK) status = run_fc(&run, rng);
    if (status == CONDENSE_OK && o.plot && o.out != NULL && d == 1) {
        static const char *const args[] = {"field.gp", NULL};
        const int r = cli_run_gnuplot(o.out, args);
        if (r < 0 || r == 127)
            fprintf(stderr, "%s fc: gnuplot not found, field.gp not run\n", cli_program);
        else if (r != 0)
            fprintf(stderr, "%s fc: gnuplot field.gp failed in %s\n", cli_program, o.out);
    }
    free(run.e);
    condense_fc_free(run.net);
    condense_data_free(run.data);
    gsl_rng_free(rng);
    return status == CONDENSE_OK ? EXIT_SUCCESS : cli_failure(status);
}
