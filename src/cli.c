/* cli.c -- the condense command-line program.
 *
 * The one place where a library status becomes a message on stderr: exit status 2 for bad
 * usage, 1 for a failure of the computation or of a file, 0 otherwise. */
#define _POSIX_C_SOURCE 200809L /* strtok_r, fork */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "condense/condense.h"
#include "condense/fast.h"

const char *const cli_program = "condense";

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [COMMAND] [OPTIONS]\n"
            "\n"
            "condense checks the theory of initial condensation of CNNs against numerics.\n"
            "\n"
            "Commands:\n"
            "  eval          (default) evaluate the (L+1)-layer CNN of the CNN paper, eq. (2),\n"
            "                on a seeded synthetic data set: f(x_i), R_S (eq. 1) and\n"
            "                |grad R_S| (eq. 23)\n"
            "  activations   list the activations: multiplicity r (Definition 1), declared and\n"
            "                measured, and C_L of Assumption 1\n"
            "  verify        check every stated result of the CNN paper on the built-in instance\n"
            "                (see 'condense verify --help')\n"
            "  flow          integrate the real and the linear flow side by side, write CSV\n"
            "                (see 'condense flow --help')\n"
            "  spectrum      eigenvalues of Z^T Z, spectral gap and v_1 against 1 over seeded\n"
            "                trials of real or synthetic data (see 'condense spectrum --help')\n"
            "  synth         write a seeded synthetic data set (Assumption 2) as .npy files\n"
            "                (see 'condense synth --help')\n"
            "  train         train the networks of the experiments (Sec. 4.1) by GD, Adam or\n"
            "                the real flow; parameters, D (eq. 5), kernel views, loss curves\n"
            "                (see 'condense train --help')\n"
            "  fc            train the two-layer FC network of the FC paper and measure its\n"
            "                condensation (see 'condense fc --help')\n"
            "  sweep         a grid of flow, Theorem 1 or spectrum runs over M, gamma, eps, m,\n"
            "                activation, seed and trial, resumable, MPI-ready (see 'condense\n"
            "                sweep --help')\n"
            "\n"
            "Options of eval:\n"
            "  --seed N          seed of every random draw (default 1)\n"
            "  --n N             number of samples (default 8)\n"
            "  --size WxH        input width x height W_0 x H_0 (default 8x8)\n"
            "  --C0 N            input channels C_0 (default 1)\n"
            "  --channels LIST   C_1,...,C_L, one per convolution layer (default 4)\n"
            "  --m LIST          filter sizes m_1,...,m_L (default 3 for every layer)\n"
            "  --activation NAME tanh, silu, silu2, xtanh, x2tanh, sigmoid, relu, identity\n"
            "                    (default tanh)\n"
            "  --normalize       use sigma / sigma'(0) (Remark 1)\n"
            "  --eps X           initialize N(0, eps^2), eq. (3)-(4) (default 0.1)\n"
            "  --gamma G         instead, the experiments' scheme sigma_1 =\n"
            "                    ((c_in + c_out) m^2 / 2)^(-gamma) ...\n"
            "  --sigma2 S        ... with a ~ N(0, S^2) (default 1e-4)\n"
            "  --c X             Assumption 2 constant of the synthetic data (default 4)\n"
            "  --save DIR        write the parameters as .npy files and meta.txt into DIR\n"
            "  --load DIR        read the parameters from DIR instead of drawing them\n"
            "  --path P          direct (the reference, default) or fast (im2col and BLAS)\n"
            "\n"
            "  -h, --help        this help\n"
            "  -V, --version     the version\n"
            "\n"
            "Exit status: 0 success, 1 failure, 2 bad usage.\n",
            cli_program);
}

/* Report a usage error and return the usage exit status. */
int cli_bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", cli_program);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help'.\n", cli_program);
    return EXIT_USAGE;
}

/* Report a library failure (its status and recorded message) and return 1. */
int cli_failure(int status)
{
    fprintf(stderr, "%s: error: %s (%s)\n", cli_program, condense_errmsg(),
            condense_strerror(status));
    return EXIT_FAILURE;
}

/* A whole argument as a positive integer no larger than max; 0 on a bad number. */
size_t cli_parse_size(const char *s, size_t max)
{
    if (s == NULL || *s < '0' || *s > '9') return 0;
    errno = 0;
    char *end;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > max) return 0;
    return (size_t)v;
}

/* A whole argument as a finite double; returns 0 on a bad number. */
int cli_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0') return 0;
    errno = 0;
    char *end;
    const double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

/* A seed: a whole argument in [0, 2^32 - 1] (what gsl_rng_set takes on every platform). */
int cli_parse_seed(const char *s, unsigned long *seed)
{
    if (s == NULL || *s < '0' || *s > '9') return 0;
    errno = 0;
    char *end;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > 0xffffffffULL) return 0;
    *seed = (unsigned long)v;
    return 1;
}

/* --size WxH: two positive integers; returns 0 or the usage exit status. */
int cli_parse_wxh(const char *s, size_t *W, size_t *H)
{
    char buf[64];
    char *x;
    if (strlen(s) >= sizeof buf || (x = strchr(strcpy(buf, s), 'x')) == NULL)
        return cli_bad_usage("--size needs WxH, e.g. 28x28, not '%s'", s);
    *x = '\0';
    if ((*W = cli_parse_size(buf, 100000)) == 0 || (*H = cli_parse_size(x + 1, 100000)) == 0)
        return cli_bad_usage("--size needs WxH with positive integers, not '%s'", s);
    return 0;
}

/* A comma-separated list of positive sizes into list[1..], its length into *count. */
int cli_parse_list(const char *s, size_t *list, size_t *count)
{
    char buf[512];
    if (s == NULL || strlen(s) >= sizeof buf) return 0;
    strcpy(buf, s);
    size_t k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (k == CONDENSE_MAX_LAYERS) return 0;
        const size_t v = cli_parse_size(tok, 100000);
        if (v == 0) return 0;
        list[++k] = v;
    }
    /* "3,,4" and a trailing comma leave empty fields that strtok_r skips: refuse them. */
    if (k == 0 || strstr(s, ",,") != NULL || s[0] == ',' || s[strlen(s) - 1] == ',') return 0;
    *count = k;
    return 1;
}

typedef struct eval_options {
    unsigned long seed;
    size_t n, W0, H0, C0, L, nm;
    size_t C[CONDENSE_MAX_LAYERS + 1], m[CONDENSE_MAX_LAYERS + 1];
    const char *activation;
    int normalize, experiment;
    double eps, gamma, sigma2, c;
    const char *save, *load;
    condense_path path;
} eval_options;

/* Atomic output files (see cli.h). */
int cli_out_open(cli_out_file *o, const char *dir, const char *name)
{
    if (dir == NULL) {
        o->f = stdout;
        o->path[0] = '\0';
        return CONDENSE_OK;
    }
    if (name != NULL)
        snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    else
        snprintf(o->path, sizeof o->path, "%s", dir);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp", o->path);
    o->f = fopen(o->tmp, "w");
    if (o->f == NULL)
        return condense_error_set(CONDENSE_EIO, __func__, "%s: %s", o->tmp, strerror(errno));
    return CONDENSE_OK;
}

int cli_run_gnuplot(const char *dir, const char *const *args)
{
    const char *prog = getenv("CONDENSE_GNUPLOT");
    if (prog == NULL || *prog == '\0') prog = "gnuplot";
    char *argv[8] = {(char *)prog};
    for (size_t k = 0; k + 2 < sizeof argv / sizeof *argv && args[k] != NULL; ++k)
        argv[k + 1] = (char *)args[k];
    fflush(NULL);
    const pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (chdir(dir) == 0) execvp(prog, argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

int cli_out_close(cli_out_file *o)
{
    if (o->f == stdout) return fflush(stdout) == 0 ? CONDENSE_OK : CONDENSE_EIO;
    const int bad = fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
    const int err = errno;
    if (fclose(o->f) != 0 || bad) {
        remove(o->tmp);
        return condense_error_set(CONDENSE_EIO, __func__, "%s: %s", o->tmp, strerror(err));
    }
    if (rename(o->tmp, o->path) != 0) {
        const int rerr = errno;
        remove(o->tmp);
        return condense_error_set(CONDENSE_EIO, __func__, "%s: %s", o->path, strerror(rerr));
    }
    return CONDENSE_OK;
}

/* Parse the options of eval; returns 0 or the usage exit status. */
static int parse_eval(int argc, char **argv, eval_options *o)
{
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strcmp(opt, "--normalize") == 0) {
            o->normalize = 1;
            continue;
        }
        static const char *const with_value[] = {
            "--seed", "--n",     "--size",   "--C0", "--channels", "--m",    "--activation",
            "--eps",  "--gamma", "--sigma2", "--c",  "--save",     "--load", "--path"};
        int known = 0;
        for (size_t j = 0; j < sizeof with_value / sizeof *with_value; ++j)
            known |= strcmp(opt, with_value[j]) == 0;
        if (!known) return cli_bad_usage("unknown option '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        if (strcmp(opt, "--seed") == 0) {
            if (!cli_parse_seed(val, &o->seed))
                return cli_bad_usage("--seed needs an integer in [0, 4294967295], not '%s'", val);
        } else if (strcmp(opt, "--n") == 0) {
            if ((o->n = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--n needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--size") == 0) {
            const int bad = cli_parse_wxh(val, &o->W0, &o->H0);
            if (bad) return bad;
        } else if (strcmp(opt, "--C0") == 0) {
            if ((o->C0 = cli_parse_size(val, 100000)) == 0)
                return cli_bad_usage("--C0 needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--channels") == 0) {
            if (!cli_parse_list(val, o->C, &o->L))
                return cli_bad_usage(
                    "--channels needs a list of 1 to 16 positive integers, not '%s'", val);
        } else if (strcmp(opt, "--m") == 0) {
            if (!cli_parse_list(val, o->m, &o->nm))
                return cli_bad_usage("--m needs a list of 1 to 16 positive integers, not '%s'",
                                     val);
        } else if (strcmp(opt, "--activation") == 0) {
            o->activation = val;
        } else if (strcmp(opt, "--eps") == 0) {
            if (!cli_parse_double(val, &o->eps) || o->eps <= 0)
                return cli_bad_usage("--eps needs a positive number, not '%s'", val);
        } else if (strcmp(opt, "--gamma") == 0) {
            if (!cli_parse_double(val, &o->gamma))
                return cli_bad_usage("--gamma needs a number, not '%s'", val);
            o->experiment = 1;
        } else if (strcmp(opt, "--sigma2") == 0) {
            if (!cli_parse_double(val, &o->sigma2) || o->sigma2 < 0)
                return cli_bad_usage("--sigma2 needs a number >= 0, not '%s'", val);
        } else if (strcmp(opt, "--c") == 0) {
            if (!cli_parse_double(val, &o->c) || o->c <= 1)
                return cli_bad_usage("--c needs a number > 1, not '%s'", val);
        } else if (strcmp(opt, "--path") == 0) {
            if (condense_path_from_name(val, &o->path) != CONDENSE_OK)
                return cli_bad_usage("--path needs 'direct' or 'fast', not '%s'", val);
        } else if (strcmp(opt, "--save") == 0) {
            o->save = val;
        } else {
            o->load = val;
        }
    }
    /* --m with one value applies to every layer; otherwise it needs one value per layer. */
    if (o->nm == 1)
        for (size_t l = 2; l <= o->L; ++l)
            o->m[l] = o->m[1];
    else if (o->nm != o->L)
        return cli_bad_usage(
            "--m lists %s filter sizes but --channels lists another number of layers",
            o->nm > o->L ? "more" : "fewer");
    return 0;
}

/* Evaluate a network from a seed: the main job until the verification report exists. */
static int cmd_eval(int argc, char **argv)
{
    eval_options o = {.seed = 1,
                      .n = 8,
                      .W0 = 8,
                      .H0 = 8,
                      .C0 = 1,
                      .L = 1,
                      .nm = 1,
                      .activation = "tanh",
                      .eps = 0.1,
                      .sigma2 = 1e-4,
                      .c = 4.0};
    o.C[1] = 4;
    o.m[1] = 3;
    const int usage_status = parse_eval(argc, argv, &o);
    if (usage_status != 0) return usage_status;

    condense_activation sigma;
    int status = condense_activation_lookup(o.activation, o.normalize, &sigma);
    if (status == CONDENSE_EINVAL) return cli_bad_usage("%s", condense_errmsg());
    if (status != CONDENSE_OK) return cli_failure(status);

    condense_cnn_shape shape = {.L = o.L, .W0 = o.W0, .H0 = o.H0, .C0 = o.C0};
    for (size_t l = 1; l <= o.L; ++l) {
        shape.C[l] = o.C[l];
        shape.m[l] = o.m[l];
    }
    condense_cnn *net = NULL, *grad = NULL;
    condense_data *data = NULL;
    condense_workspace *ws = NULL;
    gsl_rng *rng = NULL;
    double *e = NULL;
    status = condense_cnn_alloc(&shape, sigma, &net);
    if (status == CONDENSE_ESIZE) return cli_bad_usage("%s", condense_errmsg());
    if (status == CONDENSE_OK) status = condense_cnn_clone(net, 0, &grad);
    if (status == CONDENSE_OK) status = condense_workspace_alloc(net, &ws);
    if (status == CONDENSE_OK) status = condense_workspace_set_path(ws, net, o.path);
    if (status == CONDENSE_OK)
        status = condense_data_synthetic(o.n, o.W0, o.H0, o.C0, o.c, o.seed, &data);
    if (status == CONDENSE_OK) status = condense_rng_alloc(o.seed, &rng);
    if (status == CONDENSE_OK) {
        /* The network's draws come from their own stream, seeded from the same seed: data and
         * parameters are each reproducible from --seed alone. */
        if (o.load != NULL)
            status = condense_cnn_load(net, o.load);
        else if (o.experiment)
            status = condense_init_experiment(net, o.gamma, o.sigma2, rng);
        else
            status = condense_init_normal(net, o.eps, rng);
    }
    if (status == CONDENSE_OK && (e = malloc(o.n * sizeof *e)) == NULL)
        status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate e");
    double R_S = 0.0, R_check = 0.0;
    if (status == CONDENSE_OK) status = condense_gd_field(net, data, ws, grad, &R_S);
    if (status == CONDENSE_OK) status = condense_risk(net, data, ws, &R_check, e);

    if (status == CONDENSE_OK) {
        char init[160];
        if (o.load != NULL)
            snprintf(init, sizeof init, "loaded from %s", o.load);
        else if (o.experiment)
            snprintf(init, sizeof init, "experiment scheme gamma = %g, sigma_2 = %g", o.gamma,
                     o.sigma2);
        else
            snprintf(init, sizeof init, "N(0, eps^2), eps = %g (eq. 3-4)", o.eps);
        printf("# %s -- eval\n", condense_version());
        printf("# seed %lu; data: synthetic, n = %zu, %zu x %zu x %zu, Assumption 2 c = %g\n",
               o.seed, o.n, o.W0, o.H0, o.C0, o.c);
        printf("# network: L = %zu, activation %s%s, init %s\n", o.L, sigma.type->name,
               o.normalize ? " (normalized, Remark 1)" : "", init);
        for (size_t l = 1; l <= o.L; ++l)
            printf("#   layer %zu: C_%zu = %zu, m_%zu = %zu, x^[%zu] is %zu x %zu x %zu\n", l, l,
                   net->C[l], l, net->m[l], l, net->W[l], net->H[l], net->C[l]);
        printf("%-6s %24s %24s\n", "i", "f(x_i)", "y_i");
        for (size_t i = 1; i <= o.n; ++i)
            printf("%-6zu %24.16e %24.16e\n", i, e[i - 1] + *condense_data_y(data, i),
                   *condense_data_y(data, i));
        const size_t np = condense_cnn_nparams(net);
        double *g = malloc(np * sizeof *g);
        if (g == NULL) {
            status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate the gradient");
        } else {
            condense_cnn_pack(grad, g);
            double norm2 = 0.0;
            for (size_t k = 0; k < np; ++k)
                norm2 += g[k] * g[k];
            free(g);
            printf("R_S        %24.16e\n", R_S);
            printf("|grad R_S| %24.16e\n", sqrt(norm2));
            printf("parameters %zu\n", np);
        }
    }
    if (status == CONDENSE_OK && o.save != NULL) {
        char provenance[512];
        snprintf(provenance, sizeof provenance,
                 "seed: %lu\ninit: %s eps = %g gamma = %g sigma_2 = %g\ndata: synthetic n = %zu "
                 "c = %g",
                 o.seed, o.load ? "loaded" : (o.experiment ? "experiment" : "normal"), o.eps,
                 o.gamma, o.sigma2, o.n, o.c);
        status = condense_cnn_save(net, o.save, provenance);
    }
    free(e);
    gsl_rng_free(rng);
    condense_workspace_free(ws);
    condense_data_free(data);
    condense_cnn_free(grad);
    condense_cnn_free(net);
    return status == CONDENSE_OK ? EXIT_SUCCESS : cli_failure(status);
}

/* List every activation with its declared and measured multiplicity r and C_L. */
static int cmd_activations(int argc, char **argv)
{
    (void)argv;
    if (argc > 0) return cli_bad_usage("'activations' takes no arguments ('%s')", argv[0]);
    printf("%-9s %-22s %-10s %-10s %s\n", "name", "sigma(x)", "r declared", "r measured", "C_L");
    for (unsigned k = 0; k < condense_activation_count(); ++k) {
        const condense_activation_type *t = condense_activation_at(k);
        int r = 0;
        char measured[32], declared[32];
        const int status = condense_multiplicity_detect(t, 5, &r);
        if (status != CONDENSE_OK) return cli_failure(status);
        const int both[2] = {t->r, r};
        char *out[2] = {declared, measured};
        for (int j = 0; j < 2; ++j) {
            if (both[j] == CONDENSE_R_UNDEFINED)
                snprintf(out[j], 32, "undefined");
            else if (both[j] == CONDENSE_R_NONZERO_AT_0)
                snprintf(out[j], 32, "none");
            else
                snprintf(out[j], 32, "%d", both[j]);
        }
        printf("%-9s %-22s %-10s %-10s %g\n", t->name, t->formula, declared, measured, t->C_L);
    }
    printf("# r = none: sigma(0) != 0, so Definition 1 gives no r; undefined: not "
           "differentiable at 0\n");
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    condense_gsl_quiet();
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_SUCCESS;
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("%s\n", condense_version());
        return EXIT_SUCCESS;
    }
    if (argc >= 2 && strcmp(argv[1], "activations") == 0)
        return cmd_activations(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "eval") == 0) return cmd_eval(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) return cli_verify(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "flow") == 0) return cli_flow(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "spectrum") == 0) return cli_spectrum(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "synth") == 0) return cli_synth(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "train") == 0) return cli_train(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "fc") == 0) return cli_fc(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "sweep") == 0) return cli_sweep(argc - 2, argv + 2);
    if (argc >= 2 && argv[1][0] != '-') return cli_bad_usage("unknown command '%s'", argv[1]);
    return cmd_eval(argc - 1, argv + 1);
}
